"""Negation scope for a pattern match: "I don't want to cancel" is not a cancellation.

A NegEx-style check, run only once a pattern has matched (the common message matches nothing and pays
nothing). The match's clause is the text before it back to the last scope break (punctuation, "but",
"and", a new main clause such as "I'll" or "we're"). The match is negated when a cue ("not", "never",
"no need to", ...) sits in that clause at most `window` words before the match, unless the cue belongs
to a condition ("if this isn't fixed by Friday my lawyer...", "if I don't hear back I'll post...": a cue
after "if" in the same clause negates the condition, not the threat). Question cues ("can I", "if I",
"how do I") make the match hypothetical the same way; they are optional, since "Can I talk to a human?"
is a request. A break at the start of the match ("I'll post this on Twitter") closes the clause before it.
Third-party cues ("our customer", "one of my clients") make the match someone else's act, for the triggers
that ask for it: "our customer filed a chargeback" is the customer's customer, not a payment dispute.

All lists are regular expressions (data: the decision parameters' `guardrails.negation`, and the defaults
below for the human-request signal), matched on text already lower-cased and folded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_CUES: tuple[str, ...] = (
    # "give me one reason not to switch" is a dare, not a negation.
    # "no one has accessed my account" as "nobody has": the cue precedes what it negates.
    # Portuguese "no" is "in the" ("no aplicativo sumiram todas as fotos"), not a negation.
    r"(?<!reason )not|no(?! longer| one| doubt| matter| (?:meu|minha|meus|minhas|seu|sua|teu|tua|nosso|nossa|site"
    r"|aplicativo|app|sistema|dia|cartao|momento|ano|mes|perfil|portal|painel|extrato|carrinho|whatsapp)\b)"
    r"|never|nothing|nobody|no[- ]one|none|neither|nor|without",
    # "don't be surprised when you see this on Twitter" is a threat.
    r"(?:(?:do|does|did|is|are|was|were|have|has|had|wo|would|should|could)n'?t|dont|didnt|doesnt|wont|isnt)"
    r"(?! (?:be (?:surprised|shocked)|act surprised|say (?:i|we) didn'?t warn))",
    r"rather not|no need|no intention|no plans?|instead of",
    # round 10: what the customer was about to do and did not ("I was going to complain on Twitter but your agent
    # fixed it", "i was this close to writing an angry tweet", "I thought about a chargeback but it got sorted")
    r"(?:was|were) (?:(?:just|this|so|very) )?(?:going to|gonna|about to|close to)|thought about",
)
DEFAULT_QUESTIONS: tuple[str, ...] = (
    r"if|whether|in case|(?:can|could|may|should|will|would|do) (?:i|we)|do you|does (?:it|this|that|the|your)",
    r"is (?:it|there) (?:possible|a way)|are there|how (?:to|do|does|can|would|are|is|long|much)",
    r"what (?:happens|is|if|about)|where (?:can|do|is|are)|when (?:will|do|can|does|is)",
    # round 5: "what's the fee you charge per chargeback?", "is there a report that lists all chargebacks?"
    r"what(?:'s| are)|is there (?:a|an|any)",
    # round 6: a question about other people ("do people ever get their accounts hacked through the API?")
    r"do (?:people|users|customers|others|accounts)|(?:does|has) any ?(?:one|body)",
    # 2026-12: a question about what will happen, "will" opening its clause before its subject ("will our data be
    # deleted?", "would my files be lost?"); not "will be flagging this to the ombudsman", nor "i will post it" (a
    # clause of its own, `DEFAULT_BREAKS`)
    r"(?<![a-z'] )(?:will|would)(?= (?:our|my|the|your|all|any|it|this|that|they|these|those)\b| ?$)",
)
DEFAULT_CONDITIONALS: tuple[str, ...] = (
    r"if|unless|until|or else|otherwise",
    # 2026-12: Spanish, French "si", Italian, Portuguese "se": "si no lo arreglan hoy lo publico en twitter" (the
    # English cue "no" inside a Spanish condition)
    r"si|se",
)
DEFAULT_OTHERS: tuple[str, ...] = (
    r"(?:(?:one|some|many|most|several|two|three|a few) of )?(?:our|my|a|an|the|their|his|her)(?: own)?"
    r" (?:(?:former|new|regular|old|previous) )?(?:customers?|clients?|buyers?|shoppers?|end[- ]users?|guests?|patients?|cardholders?|tenants?|students?)"
    r"(?:'s?)?(?: of (?:ours|mine))?",
)
DEFAULT_BREAKS: tuple[str, ...] = (
    r"[.!?;:,()\n]|\b(?:but|however|though|although|because|since|so|and|or|then|yet|except|instead)\b",
    # "I never said I'd dispute it": reported speech keeps the clause open.
    r"(?<!said )(?<!say )(?<!saying )(?<!that )\b(?:i|we)(?:'ll| will|'m| am|'re| are|'ve|'d)\b|\b(?:gonna|im|ill)\b",
)
DEFAULT_WINDOW = 5
_LOOKBACK = 160  # characters before a match that can hold its clause


def _alternation(patterns: Sequence[str], *, words: bool) -> re.Pattern[str] | None:
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"\b(?:{body})\b" if words else body)


@dataclass(frozen=True)
class Negation:
    """Compiled negation lists; `negated(text, start)` for a match at `start` of `text`."""

    cues: re.Pattern[str] | None
    questions: re.Pattern[str] | None
    conditionals: re.Pattern[str] | None
    breaks: re.Pattern[str] | None
    window: int
    others: re.Pattern[str] | None = None

    @classmethod
    def compile(
        cls,
        cues: Sequence[str] = DEFAULT_CUES,
        questions: Sequence[str] = DEFAULT_QUESTIONS,
        conditionals: Sequence[str] = DEFAULT_CONDITIONALS,
        breaks: Sequence[str] = DEFAULT_BREAKS,
        window: int = DEFAULT_WINDOW,
        others: Sequence[str] = (),
    ) -> Negation:
        return cls(
            cues=_alternation(cues, words=True),
            questions=_alternation(questions, words=True),
            conditionals=_alternation(conditionals, words=True),
            breaks=_alternation(breaks, words=False),
            window=window,
            others=_alternation(others, words=True),
        )

    def negated(self, text: str, start: int, *, questions: bool = True, others: bool = False) -> bool:
        """Whether the match at `start` of the (folded) text is negated, hypothetical with `questions`, or a
        third party's with `others`."""
        if self.breaks is not None and self.breaks.match(text, start):
            return False  # the match opens its own clause ("i'll post ...")
        clause = text[max(0, start - _LOOKBACK) : start]
        if self.breaks is not None:
            cut = 0
            for found in self.breaks.finditer(clause):
                cut = found.end()
            clause = clause[cut:]
        last: tuple[int, int, bool] | None = None  # (start, end, absolute) of the nearest cue
        for pattern, is_question in (
            (self.cues, False),
            (self.questions if questions else None, True),
            (self.others if others else None, True),
        ):
            if pattern is None:
                continue
            for found in pattern.finditer(clause):
                if last is None or found.start() > last[0]:
                    last = (found.start(), found.end(), is_question)
        if last is None or len(clause[last[1] :].split()) > self.window:
            return False
        # "if this isn't fixed by friday my lawyer...": a cue inside a condition negates the condition.
        return last[2] or self.conditionals is None or not self.conditionals.search(clause, 0, last[0])

    def vetoes(
        self, text: str, keywords: re.Pattern[str], *, questions: bool = True, others: bool = False
    ) -> bool:
        """Whether a negation governs a trigger that was found without a span (the trigger model reads the
        whole message): the trigger's key words occur in the (folded) text and every occurrence is negated
        ("we're not leaving for another vendor"). No key word at all vetoes nothing: the model read a meaning
        the words do not spell out."""
        found = False
        for match in keywords.finditer(text):
            found = True
            if not self.negated(text, match.start(), questions=questions, others=others):
                return False
        return found


DEFAULT_TRIGGER_KEYWORDS: dict[str, str] = {
    "cancellation_refund": r"cancel\w*|refund\w*|(?:money|funds?|payment|fee|cents?) back|reimburs\w*|terminat\w*"
    r"|unsubscrib\w*|clos\w+ (?:\S+ )?account|delet\w+ (?:\S+ )?account|end (?:my|our|the|it)|quit",
    # "reverse charge" is VAT, not a reversal
    "payment_dispute": r"disput\w*|charge ?backs?|revers\w*(?! charge\b)|(?:my|our|the) bank"
    r"|card (?:issuer|company|provider)|claw\w*|claim|contest\w*|recall\w*|fraud\w*|amex|visa|mastercard|paypal"
    # round 5: the charge reported to a named issuer; German, French, Spanish
    r"|unauthori[sz]ed|discover|capital one|chase|revolut|monzo|provisional|report\w*|flag\w*|mark\w*|disputad\w*"
    r"|cargo|cobro|prelevement|zuruckbuch\w*|ruckbuchung|zuruckgebucht"
    # round 6: the bank or card already has it ("bank's already pulled the payment back", "an indemnity claim")
    r"|banque|banco|klarna|indemnity|opposition|lastschrift|addebito|contestat\w*",
    "competitor_switch": r"switch\w*|mov\w+|leav\w*|competit\w*|alternatives?|another|elsewhere|other|different"
    r"|replac\w*|migrat\w*|renew\w*|go(?:ing)? with|signing|rival\w*|<<rivals>>",
    "public_complaint": r"post\w*|reviews?|rat(?:e|ing)|tweet\w*|public\w*|<<public>>|blog\w*|press|journalists?"
    r"|every ?(?:one|body)|shar\w+|online|warn\w*|hear"
    # (the thirty-second conversation set's round) not "I'll tell them" (the customer's colleagues, a partner)
    r"|tell(?! (?:them|him|her|my (?:team|colleagues?|boss|manager|wife|husband|partner))\b)"
    # round 5: an authority, a court, a lawyer; German, French, Spanish
    r"|report\w*|complain\w*|complaint|<<authority>>|sue|court|lawyers?|attorneys?|solicitors?|legal|class action"
    r"|views|viral|tiktok|youtube|instagram|follower\w*|avis|bewertung|rezension|resena|denunci\w*|plainte|redes"
    # round 6: a representative, the press, a star rating; other languages' lawyers and complaints
    r"|congress\w*|senator|councill?or|mp|reporters?|news|stars?|cc'?d|copying|which|abogad\w*|anwalt|avocat"
    r"|reclam\w*|klacht|consumentenbond|mediateur"
    # round 13: the press, a trade or licensing body, counsel, a group the customer tells
    r"|paper|papers|newspaper|gazette|magazine|media|story|segment|station|board|council|association|commission"
    r"|inspectorate|regulator|counsel|group|forum|thread",
    "data_loss": r"lost|los(?:e|ing)|gone|missing|delet\w+|wiped?|erased?|vanish\w*|disappear\w*|empty|blank"
    r"|overwr\w+|purged?|corrupt\w*|no longer there|isn'?t there|aren'?t there",
    "account_compromise": r"hack\w*|compromis\w*|stol\w+|unauthori[sz]ed|(?:took|taken) over|some ?(?:one|body)"
    r"|stranger|unknown|not me|wasn'?t me|log(?:ged)?[- ]?in\w*|sign(?:ed)?[- ]?in\w*|access\w*",
    "team_blocked": r"every ?(?:one|body)|whole|entire|all|nobody|no ?one|none|any ?(?:one|body)|team|users|staff"
    r"|company|office|org\w*|department|employees|agents|colleagues",
    "repeated_contact": r"again|times|twice|third|fourth|fifth|repeated\w*|already|multiple|several|kee?p\w*"
    r"|chas\w+|wr[io]t\w*|contact\w*|email\w*|ask\w*|told|raised|reported|tickets?|messages?"
    # round 5: a contact before this one; German, French, Spanish
    r"|still|previous|earlier|promised|yesterday|reopen\w*|rodeo|mal"
    r"|nochmal|schon|bereits|gemeldet|fois|deja|vez|veces|otra"
    # round 6: what was said or promised on an earlier call
    r"|spoke|spoken|rang|phoned|on hold",
    "human_request": r"human|person|people|agent|some ?(?:one|body)|representative|rep|manager|supervisor"
    r"|operator|staff|transfer\w*|call|speak|talk|bot|ai"
    # round 5: a callback, a specialist, a team lead; German, French, Spanish (not a membership number: "member
    # 40028817", the thirty-ninth conversation author's)
    r"|callback|call ?back|specialists?|engineers?|lead|member(?! (?:#|no\.? |number |id )?\d)|real|directly|menschen?"
    r"|humain|humano|responsable|conseiller|persona|personne|mitarbeiter|chatbot"
    # (2026-12, the fifty-seventh conversation author's) a case handler and speaking in other languages ("Ich moechte
    # mit dem zustaendigen Sachbearbeiter sprechen, nicht mit einem Chat")
    r"|sachbearbeiter\w*|ansprechpartner\w*|berater\w*|sprechen|reden|hablar|parler|parlare|falar|spreken|praten"
    r"|rozmawia\w*|mluvit|snakke|tala|puhua",
}
"""What a trigger is about, in words: a trigger model's hit is vetoed when every one of these is negated
(`Negation.vetoes`). The decision parameters' `guardrails.model_keywords` (`<<name>>`: `guardrails.terms`)."""
