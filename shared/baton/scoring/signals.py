"""Plain-language signals in a customer message, and the bot's own confidence.

Two questions a model is not needed for, answered by reviewed pattern lists (data, below):

- **asks for a human**: "can I talk to a real person", "agent please", "I want to speak to someone",
  with a few equivalents in French, Spanish, German, Portuguese and Italian. A message that says it
  does *not* want one ("no need for an agent, thanks", "please don't pass me to an agent", "I really don't
  want to be transferred") does not count: a phrasing in HUMAN_EXCLUSIONS, or a negation cue before the
  request in the same clause (`baton.negation`, with its default cues; questions are requests here).
- **negative feedback** on what the bot just said: "that didn't help", "not what I asked", "useless",
  "you already said that", "I already tried that".

Patterns match the normalised text (`baton.scoring.features.normalize`: lower case, accents folded,
whitespace collapsed; typographic apostrophes become `'`), so "DIDN'T HELP" typed with a curly
apostrophe and "didn't help" are the same. Each list is ordered by how often the phrasing shows up in
support chats; adding a phrasing is a one-line change with a test case beside it
(tests/unit/test_signals.py). The lists are deliberately
precise rather than exhaustive: a false "asks for a human" forces an escalation, so a missed phrasing
is left to the frustration and rephrase signals, which catch what the words do not say outright.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from baton.events import MessageSnapshot
from baton.negation import DEFAULT_TRIGGER_KEYWORDS, Negation
from baton.scoring.features import normalize

_DET = r"(?:a |an |the |some |your |one of your |to )?"
_PERSON = (
    r"(?:(?:real |actual |live |human |other )?(?:human(?: being)?|person|agent|representative|rep|operator)"
    r"|real people|someone|somebody|anyone|anybody|(?:a |your )?(?:manager|supervisor)"
    r"|(?:support|customer service|customer support) (?:agent|team|person|staff|rep|representative)"
    r"|customer (?:service|support)"
    r"|(?:billing|sales|support|technical|tech|accounts?|finance|success|security)"
    r" (?:team|department|person|rep)"
    r"|(?:my |our )?(?:account manager|customer success manager|csm))"
)
# Nouns that make "an agent" / "a manager" a product term ("add a manager role", "agent seats").
_NOT_PRODUCT = (
    r"(?! (?:role|roles|account|accounts|seat|seats|access|permission|permissions|view|license|id|user|resources|error"
    r"|errors|rights|readable|verification))"
)

HUMAN_PATTERNS: tuple[str, ...] = (
    # "talk to a human", "speak with someone", "connect me to an agent", "put me through to a manager"
    rf"\b(?:talk|speak|chat|connect|transfer|put|pass|hand|escalate|forward|send)(?: me| this| it| my case)?"
    rf"(?: through| over| on)? (?:to|with) {_DET}{_PERSON}\b{_NOT_PRODUCT}",
    # "I want / need / can I get a human", "give me an agent", "request a representative"
    rf"\b(?:want|need|get|give|find|request|requesting|bring in|reach)(?: me| us)? {_DET}"
    r"(?:real |actual |live |human )?"
    rf"(?:human(?: being)?|person|agent|representative|operator|supervisor|manager)\b{_NOT_PRODUCT}",
    r"\b(?:real|actual|live) (?:human|person|people|agent)\b",
    # "I'd like to be transferred", "can someone call me?", "get me someone from billing"
    r"\b(?:be|get|being) (?:transferred|connected|put through|passed|handed over)\b",
    r"\b(?:can|could) (?:someone|somebody|a (?:human|person|real person|manager)|an agent)(?: from \S+(?: \S+)?)?"
    r" (?:please )?(?:call|phone|ring|contact) (?:me|us)\b",
    r"\b(?:get|find) me (?:someone|somebody)\b",
    r"\bhuman (?:agent|support|help|assistance|please)\b",
    r"\b(?:is there|are there|is anyone|is anybody|anyone|anybody) (?:a |an )?(?:human|person|real)\b",
    r"\b(?:stop|enough|done|tired|sick) (?:of |with )?(?:talking to |chatting with )?(?:the |this |a |your )?"
    r"(?:bot|robot|machine|chatbot)\b",
    r"\b(?:not|don't|do not|dont) (?:want|need|like) (?:to talk to |to chat with |to speak to )?"
    r"(?:a |the |this |your )?(?:bot|robot|machine|ai|chatbot)\b",
    r"\bescalate (?:this|it|my|the|me)\b|^(?:please )?escalate\b",
    # A bare "agent" / "human please" / "representative!" (what people type at IVR-style bots).
    r"^(?:an? )?(?:agent|human|representative|operator|real person|person|live agent)"
    r"(?:,? please|,? pls|,? now)?[ !.?]*$",
    # French, Spanish, German, Portuguese, Italian (accents folded by normalisation).
    r"\bparler (?:a|avec) (?:un |une |quelqu'un)(?:humain|conseiller|conseillere|agent|personne|vrai)?\b",
    r"\b(?:une vraie personne|un vrai humain|un humain|un conseiller)\b",
    r"\bhablar con (?:un |una |alguien)(?:humano|persona|agente|asesor|asesora|operador|operadora)?\b",
    r"\b(?:persona real|un humano|un agente)\b",
    r"\b(?:mit )?(?:einem|einer) (?:menschen|mitarbeiter|mitarbeiterin|berater|beraterin|echten menschen)"
    r" (?:sprechen|reden)\b",
    r"\bfalar com (?:um |uma |alguem)(?:humano|atendente|pessoa|agente)?\b",
    r"\bparlare con (?:un |una |qualcuno)(?:operatore|operatrice|persona|umano)?\b",
    # (2026-12, the thirtieth conversation author's) someone named or in charge, in Italian, Spanish, French,
    # Portuguese: "voglio parlare con Marco o con un responsabile", "hablar con el encargado"
    r"\b(?:parlare|hablar|parler|falar) (?:con|a|avec|com) (?:\w+ (?:o|u|ou) (?:con|a|avec|com) )?(?:un |una |el |la |il |le"
    r" |lo |o |a |um |uma )?(?:responsabile|responsable|supervisore|supervisor|superviseur|encargad[oa]|direttore"
    r"|direttrice|director|directora|directeur|gerente|manager|superiore|superior|chef)\b",
    # (2026-12, the thirty-fourth conversation author's) put through to someone in Spanish, French, Italian, German,
    # Portuguese, Dutch: "pásame con una persona de bajas", "passez-moi quelqu'un", "mi passi un operatore"
    r"\b(?:pasame|pasadme|paseme|pasenme|ponme|pongame|comunicame|comuniqueme) (?:con|a) (?:alguien|(?:una? |el |la"
    r" |algun |alguna )(?:persona|humano|agente|asesor\w*|operador\w*|responsable|encargad[oa]|supervisor\w*"
    r"|companer\w*))",
    r"\b(?:passez|passe|passer)[- ]moi (?:quelqu'un|un (?:conseiller|humain|responsable|agent|operateur|superviseur)"
    r"|une (?:personne|conseillere|vraie personne)|le (?:responsable|service|manager|superviseur))",
    r"\b(?:mi )?(?:passi|passa|passate|metta in contatto con) (?:qualcuno|(?:un |una |il |la |l')(?:operatore|operatrice"
    r"|persona|umano|responsabile|collega))\b",
    r"\b(?:verbinden sie mich|verbinde mich|stellen sie mich|leiten sie mich)(?: bitte)? (?:mit|zu|durch zu|weiter an)"
    r" (?:einem|einer|jemandem|ihrem|ihrer)\b",
    r"\b(?:me passa|me passe|passa-me|transfere-me|me transfere|me transfira) (?:para|com) (?:alguem|(?:um |uma |o |a )"
    r"(?:atendente|pessoa|humano|agente|responsavel|supervisor\w*))",
    r"\b(?:verbind|zet) me (?:door )?(?:met|naar|door naar) (?:iemand|(?:een |de )(?:medewerker|mens|persoon"
    r"|leidinggevende))",
    # round 7: a call asked for in other words ("have someone from billing phone me", "let somebody call me",
    # "could a member of your events team call me", "can a vet nurse call me", "ring me back when a person is free")
    r"\b(?:have|let|get) (?:someone|somebody|a person|a human|an agent|one of your staff)(?: from \S+(?: \S+)?)?"
    r" (?:to )?(?:please )?(?:call|phone|ring|contact) (?:me|us)\b",
    r"\b(?:a member|someone|somebody|one) of (?:your|the) (?:\S+ )?(?:team|staff) (?:please )?(?:call|phone|ring)"
    r" (?:me|us)\b",
    r"\b(?:can|could) (?:a|an) (?!customer|client|user|guest)\S+(?: \S+)? (?:please )?(?:call|phone|ring) me\b",
    # (the exclusion of "a person is" leaves "ring me back when  free")
    r"\b(?:call|ring|phone) me(?: back)? when (?:a |an |one of your |someone |somebody |\s)",
    # "is there a single human being employed there", "who is in charge over there", "get me your escalation manager"
    r"\b(?:is there|are there) (?:a single|one single|any|an actual|one) (?:real |actual )?"
    r"(?:human|person|people|employee|staff)",
    r"\bwho(?:'s| is) in charge (?:there|over there|here)\b",
    r"\b(?:get me (?:your|a|the)|put your) (?:\S+ )?(?:manager|supervisor)\b(?! (?:role|roles|account|access|view))",
    r"\bi (?:want|need) (?:a |an )?(?:human|person|real person|staff|someone real)\b",
    # Someone asked for by what they should do: "is there anyone who can look at this?", "who can help us?", "can
    # somebody check my bill", "I want someone to look at this", "Next step is the regulator. Or a human."
    r"\b(?:is there|isn'?t there) (?:any ?one|some ?one|any ?body|some ?body)(?: (?:there|here|else|at all|real))?"
    r" (?:who|that) (?:can|could|will|is able to)\b",
    r"\bwho (?:can|could) (?:help|assist) (?:me|us)\b(?! (?:with )?(?:find|choose|pick|decide))",
    # (2026-12, the forty-third conversation author's) who can, then, after the bot said it cannot ("who can then?")
    r"\b(?:who (?:can|could|does|will)(?: do (?:it|that|this))? then|then who (?:can|could|does|will))\b\W*(?:\?|$)",
    # ("can someone look when you get a chance" stays a calm question: only "can someone actually ..." asks)
    r"\b(?:can|could|will|would) (?:someone|somebody|anyone|anybody|a person|a human)(?: (?:there|here|real))?"
    r" (?:please )?actually\b",
    r"(?<!\bcan )(?<!\bcould )(?<!\bwill )(?<!\bwould )(?<!\bif )\b(?:someone|somebody) (?:please )?"
    r"(?:check|look at|help|fix|sort out)\b",
    r"\b(?:i|we) (?:want|need|would like|'d like) (?:someone|somebody|a person|a human|a real person)"
    r" (?:to (?:look|check|help|call|review|sort|fix|investigate|take a look|deal)(?: at| into| for| with| out)?"
    r" (?:this|it|that|my|our|the|what|why|me|us)\b|who (?:can|could|will))",
    r"\bor a (?:human|person|real person)\b",
    r"\bi(?:'d| would) like (?:to (?:speak|talk) (?:to|with) )?(?:a|the|your) (?:manager|supervisor|team lead|human"
    r"|person)\b(?! (?:account|role|view|access|seat|login|dashboard|permission|plan))",
    r"\bwho (?:corrects|fixes|handles|checks|sorts out|can look at|could look at|will look at) (?:this|it|that)\b"
    r"(?! (?:kind|type|sort|request|question))",
    r"\bis there (?:any ?one|some ?one|any ?body)(?: there| here)? who (?:knows|understands|actually)\b",
    r"\b(?:i|we) need (?:someone|somebody)(?: (?:in|from|at) (?:the |your )?\S+(?: \S+)?)? to (?:look|check|call|fix"
    r"|find|sort|review|investigate)(?: at| into| for| out)? (?:this|it|that|my|our|the|what|why|me|us)\b",
    r"\b(?:someone|somebody) (?:at|in|from) (?:the |your )?\S+(?: \S+)? needs? to (?:look|check|call|fix|find|sort)\b",
    r"\b(?:can|could) (?:someone|somebody)(?: (?:at|in|from) (?:the |your )?\S+)? (?:just|please) "
    r"(?!(?:tell|show|explain|confirm)\b)",
    r"\bif (?:nobody|no one|no-one|someone doesn'?t|somebody doesn'?t) (?:calls?|contacts?|rings?|phones?|gets back to)"
    r" (?:me|us)\b",
    # round 8: a call or a meeting booked with a team ("book a phone appointment with your billing team", "we need a
    # callback from your enterprise support", "he wants a call from your account manager"), someone put in touch
    # ("connect me w someone in payroll", "whoever is in charge of bookings"), a person by rank or role ("can a real
    # staff member look", "someone senior call her", "could the service manager call me back", "can a person phone
    # him"), "who's a human i can talk to", a terse "human pls" / "talk to me, human"
    r"\b(?:need|wants?|like|request\w*|book|arrange|schedule|get|possible to (?:book|get|have|arrange))"
    r"(?: \S+){0,3}? (?:callback|call back|call-back|phone (?:appointment|call)|call|meeting) (?:from (?:your|my|the"
    r"|someone|somebody)|with (?:your(?! sales)|someone|somebody|a (?:person|human|manager)|the (?:\S+ )?(?:team"
    r"|manager|department)))\b(?! (?:sales|about (?:the|your) (?:\w+ )?(?:tier|plan|pricing|features)))",
    r"\b(?:connect|put|hook) me (?:up )?(?:w/?|with|to|in touch with) (?:someone|somebody|a person|a human|your|the)"
    r"(?: \S+)?(?: (?:in|from|on|at) (?:the |your )?\S+)",
    r"\b(?:speak|talk|chat) (?:to|with) whoever\b",
    r"\b(?:real|actual) (?:staff|staff member|employee|decision[- ]maker|human being)\b",
    r"\bsomeone (?:senior|more senior|in charge)\b(?: (?:to )?(?:call|phone|ring|contact|look|review|get back))?",
    r"\b(?:can|could|would|will) (?:the|your|my|our) (?:\S+ ){0,3}?(?:manager|supervisor|rep|representative|advisor"
    r"|adviser|agent|account manager) (?:please )?(?:call|phone|ring|contact) (?:me|us|him|her)\b",
    r"\b(?:can|could) (?:someone|somebody|a (?:human|person|real person)) (?:please )?(?:call|phone|ring) (?:him|her"
    r"|them|my (?:mum|mom|dad|father|mother|wife|husband|partner|son|daughter))\b",
    r"\bwho(?:'s| is) (?:a |the )?(?:human|person|real person) (?:i|we) can (?:talk|speak|chat)\b",
    r"\bhuman[,.!]* (?:pls|plz)\b|\bhuman[,.!]+ now[.!]*$|\btalk to me,? human\b|(?:^|[.!?] )human[.!]*$",
    # (2026-12, the eighth and ninth conversation authors') "I need someone on the phone now", "get someone on the
    # phone", "Ich will sofort mit einem Verantwortlichen sprechen"
    r"\b(?:need|want|get|put|have) (?:some ?(?:one|body)|a (?:person|human|manager|supervisor)|an agent)"
    r" (?:on the (?:phone|line)|to talk to)\b",
    r"\bmit (?:einem|einer|dem|der|jemandem) (?:\w+ )?(?:verantwortlichen|mitarbeiter(?:in)?|menschen|vorgesetzten"
    r"|manager(?:in)?|person)\b[^.!?]{0,20}\b(?:sprechen|reden|telefonieren)\b",
    # (2026-12, trigger round 14: test12's families that another author's set has too) a person asked for in Dutch,
    # German, Spanish, French, Portuguese, Italian and Polish; a team lead or account manager looped in or to ring,
    # waiting for a human, a number where someone picks up, "get me a staff member"
    # (the twenty-sixth conversation author's) someone of the organisation ("iemand van de organisatie spreken")
    r"\b(?:medewerker|iemand|een mens|een persoon)(?: van (?:jullie|u|de \w+|het \w+))? (?:spreken|aan de (?:lijn"
    r"|telefoon))\b|\been echte? (?:mens|persoon)\b|\bmet (?:een|iemand|een echte?) (?:medewerker|mens"
    r"|persoon)\b",
    r"\bmit jemandem (?:\w+ ){0,3}?(?:sprechen|reden|telefonieren|besprechen|klaren)\b|\bgibt es (?:\w+ ){0,4}?(?:menschen"
    r"|mitarbeiter)\b",
    r"\b(?:me )?(?:puede|podria|pueden|podrian) llamar(?:me)? (?:alguien|una persona)\b"
    r"|\bque me llame (?:alguien|una persona)\b",
    r"\brappele?e? par (?:quelqu'un|un conseiller|une conseillere|une personne)\b"
    r"|\bque quelqu'un me (?:rappelle|contacte|appelle)\b",
    r"\balguem (?:pode |podia |poderia )?me (?:ligar|liga|ligue|contactar|contacte)\b",
    r"\bqualcuno (?:mi )?(?:puo |potrebbe )?(?:mi )?(?:chiam\w+|richiam\w+|contatt\w+)\b",
    r"\b(?:rozmawiac|porozmawiac) z (?:konsultantem|cz[lł]owiekiem|pracownikiem|kims)\b",
    r"\bloop in (?:my|our|your|a|the) (?:\w+ )?(?:manager|supervisor|account manager|team lead|human"
    r"|person)\b|\b(?:can|could|will|would) (?:your|the|my) (?:team lead|account manager|manager"
    r"|supervisor) (?:please )?(?:ring|call|phone|contact) (?:me|us)\b|\b(?:discuss|go over) (?:this"
    r"|it) with (?:your|a|the) (?:team lead|manager|supervisor)\b|\bwait for a (?:human|person"
    r"|real person)\b|\bnumber where (?:some|any) ?(?:one|body) (?:actually )?(?:picks up|answers)\b"
    r"|\bget me (?:a|an) (?:staff member|employee|person|human)\b",
    # (2026-12, the seventy-first conversation author's) a person asked for in Czech, Slovak, Norwegian, Danish,
    # Finnish, Hungarian, Romanian, Turkish and Greek ("Chci mluvit s někým z kempu, kdo je teď tady")
    r"\b(?:chci|chtel(?:a)? bych|potrebuji|potrebujem|chcem|chcel(?:a)? by som) (?:\w+ )?(?:mluvit|promluvit|hovorit"
    r"|porozpravat) s (?:nekym|niekym|clovekem|clovekom|operatorem|operatorom|pracovnikem|pracovnikom|zivym \w+"
    r"|osobou|vedoucim|veducim|nadrizenym|manazerem|manazerom|technikem|spravcem)\b|\bspojte (?:me|mna) s (?:operatorem|operatorom|clovekem|clovekom|nekym|niekym|pracovnikem)\b",
    r"\b(?:jeg )?(?:vil|vil gjerne|vil gerne|onsker a|ønsker å|onsker at|ønsker at|ma|må|kan jeg) (?!ikke\b)(?:\w+ )?(?!ikke\b)(?:snakke"
    r"|prate|tale) med (?:en person|et menneske|noen|nogen|en ansatt|en medarbejder|en saksbehandler|en sagsbehandler"
    r"|kundeservice|kundeservicen)\b",
    r"\b(?:haluan|haluaisin|voinko|voisinko) (?:\w+ )?(?:puhua|jutella|keskustella) (?:\w+ )?(?:ihmisen|asiakaspalvelijan"
    r"|jonkun|henkilon|virkailijan) kanssa\b|(?<!\bnem )\b(?:szeretnek|akarok) (?:\w+ )?beszelni (?:egy )?(?:emberrel"
    r"|ugyintezovel|ugyfelszolgalatossal|valakivel|munkatarssal)\b|(?<!\bnu )\b(?:vreau|as vrea|doresc) sa (?:vorbesc|discut)"
    r" cu (?:un om|o persoana|cineva|un operator|un agent|un consultant)\b|\b(?:bir )?(?:insanla|yetkiliyle|yetkili"
    r" biriyle|temsilciyle|musteri temsilcisiyle|operatorle) (?:gorusmek|konusmak) (?:istiyorum|isterim)\b"
    r"|(?<!δεν )\bθελω να μιλησω με (?:ανθρωπο|καποιον|εκπροσωπο|υπαλληλο)\b",  # noqa: RUF001 (Greek)
    # (2026-12, the twenty-third conversation author's) Swedish, and Portuguese "preciso de alguém"
    r"\bprata med (?:nagon|någon|en (?:manniska|människa|person|handlaggare|handläggare))\b",
    r"\b(?:preciso|precisamos|quero) (?:de )?(?:falar com )?(?:alguem|alguém|uma pessoa|um atendente"
    r"|um humano)\b",
    # (2026-12, the thirty-seventh conversation author's) someone asked to ring the customer, and the bot refused,
    # in German, French, Spanish, Dutch and Polish ("czy ktos z banku moze do mnie zadzwonic? nie chce pisac z
    # botem"), a case passed to a consultant in Polish
    r"\b(?:kann|konnte|koennte|kann mich|konnte mich) (?:bitte )?(?:jemand|ein mitarbeiter|eine mitarbeiterin"
    r"|ein mensch)(?: \w+){0,4}? (?:mich )?(?:bitte )?(?:anrufen|zuruckrufen|zurueckrufen|kontaktieren)\b",
    r"\bquelqu'un (?:peut|pourrait|pourra)(?:-il)? (?:me |m')(?:appeler|rappeler|contacter)\b",
    r"\balguien (?:me )?(?:puede|podria)(?: \w+)? (?:llamar|contactar)(?:me)?\b",
    r"\bkan (?:er )?iemand (?:mij|me) (?:\w+ )?(?:bellen|terugbellen|opbellen)\b",
    r"\bczy ktos(?: z \w+)? (?:moze|mog[lł]by|mog[lł]aby) (?:do mnie |mnie )?(?:zadzwonic|oddzwonic"
    r"|skontaktowac)\b",
    r"\b(?:will|mochte|moechte)(?: \w+)? (?:nicht|keinen?) (?:(?:mehr )?mit (?:einem |dem |der )?)?(?:bot|chatbot"
    r"|roboter|maschine)\b",
    r"\bno quiero (?:hablar|chatear|escribir|seguir hablando) con (?:un |una |el |la |este |esta )?(?:bot|robot"
    r"|chatbot|maquina)\b",
    r"\b(?:wil|wens) (?:niet|geen) (?:(?:meer )?met (?:een |de |die |deze )?)?(?:bot|chatbot|robot|computer)\b",
    r"\bnie chce (?:\w+ ){0,2}?z (?:botem|chatbotem|robotem|automatem|maszyna)\b",
    r"\b(?:prosze o )?kontakt z (?:konsultantem|cz[lł]owiekiem|pracownikiem|doradca)\b"
    r"|\bprzekaza\w* (?:\w+ )?(?:do )?konsultant\w*\b",
)
"""A customer asking for a human. Matched anywhere in the normalised message."""

HUMAN_EXCLUSIONS: tuple[str, ...] = (
    r"\b(?:no need|don't need|do not need|dont need|no|without)(?: to (?:talk|speak|chat) (?:to|with))?"
    r" (?:a |an |the )?(?:human|person|agent|representative|someone|manager)\b",
    r"\b(?:the|your|an?|my) (?:agent|representative|rep|person|human|manager|supervisor)"
    r" (?:said|told|answered|replied|helped|fixed|solved|was|already|is|has|had)\b",
    r"\b(?:user|customer|travel|real estate|insurance|sales|support) agents?\b"
    r"(?= (?:role|seat|license|account))",
    # round 7: a "talk to an agent" button is a product feature; "i dont want the faq, i want a person" keeps
    # its request once the refusal of the articles is removed
    r"\btalk to (?:an? )?(?:agent|human|person)\W* (?:button|option|feature|link|widget|flow)\b",
    r"\b(?:don't|dont|do not) want (?:the|your|an?|more|any) (?:faq|faqs|articles?|help articles?|links?)\b",
    # a system's message quoted ("it says 'please see agent at airport'") and thanks for a call already made
    r"\bsee (?:an? )?agent at (?:the )?(?:airport|desk|counter|gate|station|check-?in)\b",
    r"\b(?:nice|kind|good|great|lovely) of (?:the|your) (?:\w+ )?(?:manager|agent|person|supervisor|rep|team) to"
    r" (?:call|phone|ring)\b",
    # round 8: a person to address something to, human resources, a customer's own callbacks and appointments
    r"\bis there (?:a|an) (?:person|human|someone) (?:i|we) should (?:address|send|make|write|put|list|cc)\b",
    r"\bhuman[- ]resources?\b",
    r"\b(?:customers?|clients?|users?|guests?|patients?|members?) (?:to )?(?:can |could |to )?(?:request|book"
    r"|schedule|arrange|wants?|need)\b",
    # a tradesperson the customer thought they would need, with thanks ("Honestly thought I'd have to call an
    # electrician. thanks a lot")
    r"\b(?:thought|feared|expected|was sure|worried) (?:i|we)(?:'d| would| had to| might)(?: have to| need to)?"
    r" (?:call|get|hire|book|phone|pay)(?: in)? (?:an? |the |some )?(?:\w+ )?(?:electrician|plumber|engineer"
    r"|technician|professional|handyman|mechanic|expert|someone|somebody)\b",
)
"""Phrasings that mention a human without asking for one ("no need for an agent", "the agent said"):
the matched words are removed before HUMAN_PATTERNS are tried, so "the agent said it was fixed, I want to
talk to a manager" still asks."""

NEGATIVE_FEEDBACK_PATTERNS: tuple[str, ...] = (
    # "that didn't help", "this does not work", "your answer doesn't answer my question"
    r"\b(?:that|this|it|which|your (?:answer|reply|response|suggestion|link|article|solution)"
    r"|the (?:answer|article|link|solution|steps?))"
    r" (?:still )?(?:didn't|did not|doesn't|does not|won't|will not|isn't|is not|wasn't|was not"
    r"|dont|didnt|doesnt) (?:really |actually |even |at all )?"
    r"(?:help|work|answer|solve|fix|make sense|apply|relevant|helpful|right|correct|what i)",
    r"\bnot (?:what|the thing|the question) i (?:asked|was asking|meant|wanted|need|needed|said)\b",
    r"\b(?:that's|thats|that is|this is|it's|its) not (?:what i|my question|helpful|it|right|correct|relevant"
    r"|the (?:problem|issue|question|answer))\b",
    r"\b(?:useless|unhelpful|pointless|not helpful|no help|waste of (?:my )?time|irrelevant)\b",
    r"\byou (?:already|just) (?:said|told me|sent|gave me|suggested|showed me)\b",
    r"\b(?:same|identical) (?:answer|reply|response|thing|link|article|message) (?:again|as before)\b",
    r"\bi (?:already|have already|already have|'ve already|ve already)"
    r" (?:tried|done|did|read|checked|followed|restarted|reset|cleared)\b",
    r"\b(?:you're|you are|youre) not (?:helping|listening|understanding|getting it|answering)\b",
    r"\byou (?:don't|do not|dont|didn't|did not|didnt) (?:understand|get it|listen|read|answer)\b",
    r"\b(?:read|answer) my (?:question|message)\b",
    r"\b(?:wrong answer|makes no sense|doesn't make sense|does not make sense)\b",
    # (the long calm dialogues' round) not a "no" to the bot's offer: "No, that is not needed.", "No, it's not
    # required, thanks"
    r"^(?:no|nope|nah)[ ,.!]+(?:that|this|it)(?:'s| is|s)? (?:not(?! (?:needed|required|necessary)\b)|wrong)\b",
    r"\bthat'?s wrong\b",
    # A terse "did that." / "tried it already" in reply to a suggestion.
    r"^(?:i |we )?(?:already )?(?:did|done|tried|have done|have tried) (?:that|it|this|those|all that)"
    r"(?: already| too| before| twice)?[ .!]*$",
    r"\bstop (?:sending|giving|repeating|telling) (?:me )?(?:the same|that|this|links?|articles?)\b",
    # Saying it again because it was not heard: "as I said", "I just told you", "did you even read my message".
    r"\b(?:as|like) i(?: already| just| have|'ve|ve)?(?: already)? (?:said|mentioned|explained|wrote|stated"
    r"|told you|typed)\b",
    r"\bi (?:just|already|literally) (?:said|told you|mentioned|explained|wrote|gave you)\b",
    r"\bi(?: have|'ve|ve) (?:already )?(?:told|given) you\b",
    r"\b(?:did|do) you (?:even )?read (?:my|what)\b",
    r"\bthat'?s (?:exactly )?what you (?:said|told me|sent|suggested)\b",
    # The bot going round in circles: "you keep sending the same link", "same answer", "round in circles".
    r"\byou keep (?:saying|sending|giving|telling|repeating|suggesting|pointing|linking|asking)\b",
    r"\b(?:the )?same (?:answer|reply|response|link|article|canned|copy|script|message|suggestion)\b",
    # (2026-12, the twentieth author's) the same in the languages the sets are written in: "Das ist dieselbe Antwort
    # wie vorhin.", "ça ne m'aide pas", "la misma respuesta", "non mi aiuta", "dat helpt niet"
    r"\b(?:(?:dieselbe|die gleiche|die selbe|gleiche|selbe) antwort|(?:das|es) hilft (?:mir )?(?:nicht|nichts|kein"
    r" bisschen)|hilft (?:mir )?nicht weiter|la meme reponse|(?:ca|cela|ceci) ne m'aide pas|(?:ca|cela) n'aide pas"
    r"|(?:ne repond pas|n'(?:a|as|avez) pas repondu) a ma question|la misma respuesta|(?:eso |esto )?no me (?:ayuda|sirve)|no responde"
    r" a mi pregunta|la stessa risposta|non mi (?:aiuta|serve)|non risponde alla mia domanda|(?:hetzelfde|zelfde)"
    r" antwoord|dat helpt (?:me )?niet)\b",
    r"\b(?:going|go|goes|went|running|run|spinning) (?:a?round )?in circles\b",
    # A suggestion tried, and the problem still there: "done. still happens", "tried that, same error".
    r"^(?:ok(?:ay)?[ ,.]+)?(?:done|did (?:that|it)|tried(?: (?:that|it))?|ok did that|restarted|cleared"
    r"(?: it)?)[ ,.!-]+(?:still|same|nothing|no (?:change|luck|difference))\b",
    # The suggestion tried, and what it did instead: "I tried that, it says 'column mapping failed'", "did that but
    # it still logs me out", "followed the steps, nothing happens".
    r"^(?:ok(?:ay)?[ ,.]+)?(?:i |we )?(?:already |just )?(?:tried|did|done|followed|checked|restarted|cleared"
    r"|reinstalled) (?:that|it|this|those|these|all (?:of )?that|the steps|your steps|everything)(?: already| again"
    r"| twice)?[ ,.;:-]+(?:but |and )?(?:it |that |this |the app |the page )?(?:still|says|said|shows|showed|gives"
    r"|gave|fails|failed|same|nothing|no (?:luck|change|difference)|doesn'?t|didn'?t|won'?t|isn'?t|returns|throws"
    r"|keeps|kept)\b",
    # The suggestion was what they had done, or the bot said it before: "That's what I did, no beep, no call.",
    # "You've said that twice.", "are you reading what i write".
    r"\b(?:that'?s|that is|which is) (?:exactly )?what (?:i|we)(?: (?:did|tried|have done|have tried|just did|was doing"
    r"|were doing|keep doing)|(?:'m| am|'re| are) doing)\b",
    r"\byou(?:'ve| have)? (?:already )?said (?:that|this|it|the same) (?:twice|two times|three times|already|before"
    r"|again)\b",
    r"\bare you (?:even )?(?:reading|listening to) (?:what|my|anything)\b",
    # (2026-12, the twelfth author's) "read what I'm saying.", "did you even read my message?", "you're not
    # listening", "I know what the guidelines say."
    # (2026-12, the fourteenth author's) the suggestion done and the answer's last words a short "still ...":
    # "pressure is normal. backwashed anyway. still FLO.", "valves are as your tech left them. still FLO."
    r"[.!?;]\s+still (?!,|waiting for (?:you|your) (?:reply|answer) thanks)(?:[^\s.!?,]+ ?){1,4}[.!]*$",
    r"(?<!\byou )(?<!\bto )\b(?:read|listen to) what i(?:'m| am|'ve| have)? (?:saying|writing|wrote|written|said|typed|telling you|just"
    r" (?:said|wrote|typed))\b",
    r"\bdid you (?:even |actually )?(?:read|look at) (?:what i|my (?:message|question|last message|email))\b",
    r"\byou(?:'re| are) (?:not|n't) (?:reading|listening)\b",
    r"(?:^|[.!?] )i (?:already )?know what (?:the|your) (?:\w+ )?(?:says?|said|is|are)\b",
    # A correction of what the answer was about: "Not my default address.", "No, I want to REMOVE it", "I didn't ask
    # to activate it", "I know how to read it.", "Third try:".
    r"^(?:no|nope|nah|sorry)?[ ,.!]*not (?:my|the|that|this|what|how|a|an|about|for|reports?)\b"
    r"(?! (?:sure|yet|now|bad|i know|i'?m aware|we know|that i|as far))",
    r"^(?:no|nope|nah)[ ,.!]+i (?:want|need|mean|meant|asked|said|wanted|was asking)\b",
    r"^(?:sorry|no)?[ ,.!]*i (?:mean|meant) (?!it\b|that\b|no\b|to\b)",
    r"\bi (?:did not|didn'?t|do not|don'?t|not|never) ask(?:ed)? (?:to|for|about|how|if|whether|you|why|what)\b",
    r"\bi(?:'m| am|m) not asking (?:about|for|how|to|if|whether|why|what)\b",
    r"\bi (?:asked|ask|was asking|am asking|'m asking) (?:about|why|how|if|whether|what|when|where|you why)\b",
    r"\bi (?:already |do )?know how to (?![^.!?]*\bnow\b)[^.!?]{1,30}[.!]",
    r"\b(?:second|third|fourth|fifth|2nd|3rd|4th|5th|last) (?:try|attempt)\b",
    # (2026-12, the seventh conversation author's) the answer's premise put right: "It's not about capacity.",
    # "That isn't what the paperwork says.", "I told you they both say UTC.", "I know where the stopcock is.",
    # "I don't want a form. I want someone to deal with it.", "...looking at the connector, not a guide.", and
    # giving up on it: "Forget it.", "So that's a no then."
    r"^(?:no[ ,.!]+)?(?:it'?s|its|it is|this is|that'?s|thats|that is) not (?:about|a question of|a matter of)\b",
    r"\b(?:that|this|it) (?:isn'?t|is not|'s not|s not|wasn'?t|was not) what (?:the|my|your|our|his|her|their)"
    r" (?:\w+ )?(?:says?|said|shows?|showed|states?|stated)\b",
    r"(?<!\bas )(?<!\blike )(?<!\bif )\bi told you\b",
    r"\bi (?:already |do )?know (?:where|how) (?:the|my|to|it|they|that)\b(?![^.!?]*\bnow\b)",
    r"^(?:no[ ,.!]+)?i (?:don'?t|do not) (?:want|need) (?:a|an|the|your|another|more) [^.!?]{1,40}?[.!,;]* ?i (?:want"
    r"|need)\b",
    r"[,;] not (?:a|an|the|another|more|your) (?:guide|link|article|form|faq|policy|script|bot|template|video"
    r"|tutorial)\b",
    r"^(?:ok(?:ay)?[ ,.]+|oh[ ,.]+|just )?forget (?:it|about it)\b",
    r"\b(?:so )?(?:that'?s|thats|that is) a no(?: then)?\b",
    # (2026-12, the ninth conversation author's) sarcasm about the answer ("great, very helpful, manage booking
    # says contact us"), the premise denied ("No, I did not cancel. THE HOTEL cancelled."), the suggestion that is
    # the problem ("I don't know who the recipient is, that's the problem"), a suggestion already done ("I have
    # restarted it four times since monday")
    r"^(?:oh |wow[ ,.!]+)?(?:great|wow|amazing|brilliant|perfect|super|fantastic|cool)[ ,.!]+(?:very|really|so|super"
    r"|thanks,? very|thanks,? so) (?:helpful|useful)\b(?![ ,.!]*(?:thank|cheers|ta\b|that (?:worked|did it|solved)))",
    r"^(?:no[ ,.!]+)i (?:did not|didn'?t|never|have not|haven'?t) (?:cancel|book|sign up|agree|ask|request"
    r"|authori[sz]e)\w*\b",
    r"\b(?:that'?s|thats|that is) (?:exactly |precisely )?the (?:whole )?(?:problem|point|issue)\b",
    # (2026-12, the tenth author's) "I just did. Twice.", "Let me rephrase:", "I've asked the same thing three ways
    # now", "It's enabled already."
    # (2026-12, the eleventh author's) a bare "tried" after a suggestion (not "I did.", which also answers "did you
    # get the e-mail?")
    r"^(?:i )?tried(?: (?:it|that|this))?[.!]*$",
    r"(?:^|[.!?] )i already did\b|\bi just did(?: (?:that|it|this|so))?[.!,]* (?:twice|again|already|two times"
    r"|three times)\b",
    r"\blet me (?:rephrase|put it another way|try again|ask again|say it again)\b",
    r"\b(?:asked|said|explained|written|typed) (?:the same|this|it|that) (?:thing |question )?(?:\w+ )?(?:ways|times|"
    r"twice)\b",
    # (the long calm dialogues' round) not "Yes, that's right." confirming what the bot read back: "correct" and
    # "right" only when already so ("It's already correct.")
    r"^(?:but |yes[ ,.!]+)?(?:it'?s|it is|they'?re|they are|that'?s|that is|we'?re|we are|i'?m|i am) (?:already )?"
    r"(?:enabled|on|set|done|turned on|switched on|configured|installed|updated|connected|plugged in|logged in|verified"
    r")(?: already)?[.!]|^(?:but |yes[ ,.!]+)?(?:it'?s|it is|they'?re|they are) (?:already (?:correct|right)"
    r"|(?:correct|right) already)[.!]",
    r"^(?:yes[ ,.!]+|yeah[ ,.!]+)?i(?: have|'ve)? (?:already )?(?:restarted|rebooted|reset|reinstalled|cleared|updated"
    r"|power[- ]cycled|unplugged) (?:it|that|this|the \w+|everything|both)\b(?![^.!?]*\b(?:works?|worked|working"
    r"|fixed|solved|sorted|that did it|thanks|thank you)\b)",
    # what the answer told them to do, already done: "Both are set to UTC. I checked.", "I have checked with my
    # bank.", "I have read section 4.", "We already prepay annually.", and the premise turned round: "It's not a
    # switch. It's this batch."
    r"(?:^|[.!?] )(?:i|we)(?: have|'ve| did)? (?:already )?(?:checked|tried|looked)(?: (?:that|it|this|both|them"
    r"|already|twice|everything))?[.!]",
    r"\b(?:i|we)(?: have|'ve)? (?:already )?(?:checked|spoken|talked|been) (?:with|to) (?:my|the|our|both|all) (?:\w+ )?(?:bank|card"
    r" issuer|provider|isp|neighbou?rs?|courier|post office|landlord|it team|admin|vet|doctor|pharmacy)\b",
    r"\b(?:i|we)(?: have|'ve)? (?:already )?read (?:section|clause|the (?:article|terms|faq|guide|policy|page|help)"
    r"|your (?:article|terms|faq|guide|policy|page|help))\b",
    r"^(?:but |no[ ,.!]+)?(?:i|we) already (?:use|pay|prepay|own|sent|gave)\b",
    # (the long calm dialogues' round) not a "no" to the bot's offer: "Not right now.", "Not interested.", "Not
    # needed.", "Not at the moment."
    r"(?:^|[.!?] )(?:no[ ,.!]+)?not (?!sure\b|yet\b|now\b|really\b|quite\b|bad\b|much\b|today\b|exactly\b"
    r"|urgent\b|at all\b|a problem\b|an issue\b|a big deal\b|necessary\b|important\b|right (?:now|away)\b"
    r"|interested\b|needed\b|at (?:the|this) (?:moment|time)\b|for now\b|this time\b)[\w-]+(?: [\w-]+)?[.!](?: \w|$)",
    r"\b(?:it'?s|its|it is|this is|that'?s) not (?:an? |the |my |about )?[\w-]+(?: [\w-]+)?[.!,;] (?:it'?s|its|it is"
    r"|this is)\b",
    r"(?<!\bif it )(?<!\bif )(?<!\bin case it )(?<!\bwhen it )\b(?:still|same) (?:happens|happening|not working|doesn'?t work|does not work|broken|fails|failing"
    r"|the same|no luck|nothing|error)\b(?! (?:on|at|for|since|after) (?:my|our|the) (?:first|original))",
)
"""Negative feedback on an answer. Matched anywhere in the normalised message. Whether it is feedback on
the *bot* is the arc's question (it counts only after a bot answer; see `baton.scoring.arc`)."""

MODEL_HUMAN_REQUEST = "human_request"
"""The trigger model's code for a request for a human (`baton.scoring.triggers`)."""

HUMAN_MODEL_WORDS = DEFAULT_TRIGGER_KEYWORDS[MODEL_HUMAN_REQUEST] + (
    r"|human\w*|pers\w*n|eprson|boss|ring|colleagues?|whoever|any ?(?:one|body)|connect\w*|put (?:me |us )?through"
    r"|hand\w* (?:me |us |this |it )?over|pass (?:me|us|this|it) (?:on|to)|advis[eo]rs?|directors?|executives?"
    r"|department|desk|pharmacists?|technicians?|handlers?|team|office|customer (?:care|service|support|assistance)"
    r"|client service|assistants?|automat\w*|conversation|phone (?:me|us|appointment|call)|on the phone|by phone"
    r"|skipper|md|ceo|owner|jemand\w*|zuruck\w*|ansprechpartner|alguien|quelqu\w*|qualcuno|iemand|alguem"
    r"|medewerker|operador|operatore|atendente"
)
"""Words a message must hold for the trigger model alone to read a request for a person (`may_ask_for_human`):
its key words, and the people, places and channels a request names without them ("get me ur boss", "put me
through to whoever is in charge", "Kann mich bitte jemand zurückrufen?"). Without one, the model's reading is a
request for something else: "Please get me a cab there", "Can I get the phone number please?", "I need a
doctor" (the long calm dialogues' round: 22 of 6,000 task-dialogue turns, none of the 23 model-only requests of the
held-out trigger sets)."""

_human = re.compile("|".join(f"(?:{p})" for p in HUMAN_PATTERNS))
_human_words = re.compile(rf"\b(?:{DEFAULT_TRIGGER_KEYWORDS[MODEL_HUMAN_REQUEST]})\b")
_human_model_words = re.compile(rf"\b(?:{HUMAN_MODEL_WORDS})\b")
_negation = Negation.compile()
_human_not = [re.compile(p) for p in HUMAN_EXCLUSIONS]
_negative = [re.compile(p) for p in NEGATIVE_FEEDBACK_PATTERNS]
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


@functools.lru_cache(maxsize=64)
def _normal(text: str) -> str:
    # Cached: both signals read the same message one after the other.
    return normalize(text.translate(_APOSTROPHES))


def _any(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def asks_for_human(text: str) -> bool:
    """True when the customer asks to be put through to a person."""
    normal = _normal(text)
    for exclusion in _human_not:
        normal = exclusion.sub(" ", normal)
    # One scan; the negation check runs only on a match ("please don't pass me to an agent").
    return any(not _negation.negated(normal, m.start(), questions=False) for m in _human.finditer(normal))


def may_ask_for_human(text: str) -> bool:
    """Whether the message names someone or some way to reach a person (`HUMAN_MODEL_WORDS`): what the trigger
    model's reading of a request for a human needs to count."""
    return _human_model_words.search(_normal(text)) is not None


def refuses_human(text: str) -> bool:
    """True when the message mentions a person without asking for one ("no need for an agent", "the agent
    said...") or negates every word of a request ("I really don't want to be transferred"): what vetoes the
    trigger model's reading of a request for a human."""
    normal = _normal(text)
    if any(exclusion.search(normal) for exclusion in _human_not):
        return True
    return _negation.vetoes(normal, _human_words, questions=False)


_EMPHATIC = re.compile(r"(?<=[a-z] )(?:IS|ARE|DID|DO|DOES|AM|WAS|WERE|HAVE|HAS|HAD)\b(?! [A-Z]{2,})")
"""A correction said with an auxiliary in capitals amid lower case: "my file IS cmyk", "I DID restart it", "it
DOES have the profile" (the answer assumed otherwise), after a word in lower case: not a question typed with its
first word in capitals ("DO I need an account?"), not a message in capitals throughout."""


def negative_feedback(text: str) -> bool:
    """True when the message says an answer did not help."""
    return _any(_negative, _normal(text)) or _emphatic(text)


def _emphatic(text: str) -> bool:
    match = _EMPHATIC.search(text)
    if match is None:
        return False
    letters = [c for c in text if c.isalpha()]
    return sum(c.islower() for c in letters) >= 0.6 * len(letters)


def bot_confidence(message: MessageSnapshot) -> float | None:
    """The bot's own confidence in this answer (0..1), when the frontend sent it (`message.bot`)."""
    if message.bot is None:
        return None
    return message.bot.confidence
