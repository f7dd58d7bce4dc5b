"""The decision engine's parameters: versioned data, not code.

A team changes thresholds or swaps a refitted risk model by publishing a new JSON document (SSM parameter,
AppConfig profile or S3 object, read through Powertools parameters and cached), never by redeploying a
function. The document is validated here, with errors that name the offending field:

    params = DecisionParams.model_validate_json(text)   # raises InvalidParams (a ValueError) naming the field
    params = load_default()                             # the shipped document (<models dir>/decision/)

Shape (see layers/models/decision/params.json and its MODEL_CARD.md for the shipped values):

    {
      "version": "decision-20261127-1a2b3c4d",        # reported as `model_version` on every decision
      "intercept": -2.9,                              # the risk logit of an average customer turn
      "features": {"frustration": {"mean": -1.2, "scale": 1.4, "weight": 0.8}, ...},
      "thresholds": {"escalate": 0.45, "monitor": 0.25, "monitor_escalate": 0.35, "exit": 0.15, "exit_turns": 2},
      "sensitivity": {"high_value": 0.8, "renewal_soon": 0.8, ..., "floor": 0.5},
      "business": {"high_value_annual": 50000, "renewal_days": 30, "new_customer_days": 30, ...},
      "guardrails": {"human_request": true, "patterns": {"legal_threat": ["\\blawyer\\b", ...], ...},
                     "terms": {"rivals": "zendesk|freshdesk|..."}, "negation": {"cues": [...], "window": 5, ...}},
      "reasons": {"min_contribution": 0.05, "max_reasons": 6},
      "fit": {...}                                    # free-form provenance (data, metrics); not read
    }

- `features`: the risk model, a logistic regression on standardised features, `z = (x - mean) / scale`,
  `risk = sigmoid(intercept + sum(weight * z))`. Names must be among `baton.decision.engine.FEATURES`; a
  feature the document does not list weighs 0 (an older document keeps working with a newer engine).
- `thresholds` are probabilities on that risk, before business sensitivity: `monitor <= monitor_escalate
  <= escalate` and `exit <= monitor` (see `baton.decision.engine` for the policy).
- `sensitivity`: multipliers (0 < m <= 1) applied to every threshold when a business fact holds; several
  facts multiply, never below `floor`.
- `guardrails`: regular expressions per guardrail, matched against the normalised message text (lower
  case, accents folded); `<<name>>` in a pattern stands for `terms[name]`. A match that a `negation` cue
  negates ("I don't want to cancel") or a question cue makes hypothetical ("if I cancel, do I get a
  refund?") does not count (`baton.negation`; guardrails in `negation.exempt` always count). A pattern
  that does not compile is a validation error naming the guardrail and the pattern's index. The shipped
  triggers and their measured precision and recall: docs/decision.md.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from baton.errors import BatonError
from baton.negation import (
    DEFAULT_BREAKS,
    DEFAULT_CONDITIONALS,
    DEFAULT_CUES,
    DEFAULT_OTHERS,
    DEFAULT_QUESTIONS,
    DEFAULT_TRIGGER_KEYWORDS,
    DEFAULT_WINDOW,
)
from baton.settings import models_dir

PARAMS_FILE = "params.json"
PARAMS_DIR = "decision"

Probability = Annotated[float, Field(gt=0.0, lt=1.0)]
Multiplier = Annotated[float, Field(gt=0.0, le=1.0)]


class InvalidParams(BatonError, ValueError):
    """A parameters document that cannot be used (the message names the field and why)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeatureWeight(_Model):
    mean: float = 0.0
    scale: float = Field(default=1.0, gt=0.0, description="Standard deviation on the training turns")
    weight: float = 0.0
    fitted: bool = Field(default=True, description="False for a prior weight the training data could not fit")


class Thresholds(_Model):
    escalate: Probability = Field(description="Escalate at or above this risk (not monitoring)")
    monitor: Probability = Field(description="Monitor at or above this risk")
    monitor_escalate: Probability = Field(description="Escalate at or above this risk while monitoring")
    exit: Probability = Field(description="Monitoring ends after `exit_turns` decisions below this risk")
    exit_turns: int = Field(default=2, ge=1, le=20)
    first_message_escalates: bool = Field(
        default=False,
        description="Whether the risk of a conversation's first customer message alone escalates it (false: it "
        "is watched instead, and the next message escalates if the risk stands; a guardrail escalates either way)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.monitor <= self.monitor_escalate <= self.escalate:
            raise ValueError(
                f"need monitor <= monitor_escalate <= escalate, got {self.monitor} / {self.monitor_escalate} / "
                f"{self.escalate}"
            )
        if not self.exit <= self.monitor:
            raise ValueError(
                f"need exit <= monitor (hysteresis), got exit {self.exit} > monitor {self.monitor}"
            )
        return self


class Sensitivity(_Model):
    """Threshold multipliers per business fact (1.0: the fact changes nothing)."""

    high_value: Multiplier = 0.8
    renewal_soon: Multiplier = 0.8
    new_customer: Multiplier = 0.85
    at_risk: Multiplier = 0.8
    churning: Multiplier = 0.75
    known_incident: Multiplier = 0.9
    errors_seen: Multiplier = 0.9
    floor: Multiplier = Field(
        default=0.75,
        description="The combined multiplier never goes below this: business facts tip a borderline "
        "conversation, together they do not make a calm one escalate (calm support messages score near 0.4)",
    )


class Business(_Model):
    high_value_annual: float = Field(
        default=50_000.0, ge=0.0, description="`high_value` from this annual value"
    )
    renewal_days: int = Field(default=30, ge=0, le=366)
    new_customer_days: int = Field(default=30, ge=0, le=366)
    repeat_contact_days: int = Field(default=7, ge=1, le=366)
    recent_error_minutes: int = Field(default=60, ge=1, le=10_080)


DEFAULT_GUARDRAILS: dict[str, tuple[str, ...]] = {
    "legal_threat": (
        # (2026-12, the seventy-fifth conversation author's) the answer wanted in writing for the customer's lawyer, in
        # German ("damit ich es meinem Anwalt weiterleiten kann")
        r"\b(?:meinem|meiner|unserem|unserer) (?:anwalt|anwaltin|rechtsanwalt|rechtsanwaltin|anwaltskanzlei)\b[^.!?]{0,30}?"
        r"\b(?:weiterleiten|weitergeben|geben|zeigen|schicken|vorlegen|ubergeben)\b",
        # (2026-12, the seventy-third conversation author's) consent withdrawn for what the company holds or uses ("I
        # would like to withdraw my consent for the use of my donations"), not for marketing
        r"\bwithdraw(?:ing|n|al of)? (?:my |our |his |her |their |the )?consent\b(?![^.!?]{0,40}\b(?:marketing|newsletters?"
        r"|emails?|cookies|tracking|promotions?|texts?|offers)\b)",
        # (2026-12, the fifty-fifth conversation author's) a car's mileage wound back ("der Tacho wurde also
        # offensichtlich zuruckgedreht"), in English, German, French, Spanish, Italian and Dutch
        r"\b(?:odometer|mileage|milometer|clock|tacho\w*|kilometerstand|kilometrage|compteur|cuentakil\w*|contachilometri"
        r"|kilometerteller)\b[^.!?]{0,60}?\b(?:rolled back|wound back|clocked|tampered|altered|zuruckgedreht"
        r"|manipuliert|trafique|manipulado|alterado|manomesso|teruggedraaid)\b|\b(?:clocked|tampered with) (?:the )?"
        r"(?:odometer|mileage|milometer)\b",
        # (2026-12, the fifty-first conversation author's) what the company does called illegal, or a consumer statute
        # cited for a right ("that's illegal under the No Surprises Act", "Enligt konsumentkoplagen har jag ratt till
        # aterbetalning"), in English, Spanish, French, German, Italian, Portuguese, Dutch, Swedish and Polish
        r"\b(?:(?:this|that|what you(?:'re| are) doing|what you did)(?:'s| is| was) (?:(?:completely|totally|clearly|simply"
        r"|actually|just) )?(?:illegal|unlawful|against the law|not legal|a breach of (?:the )?\w+ (?:law|act|regulations?))"
        r"(?! (?:to|parking|dumping|fireworks|downloads?|copies|streams?|substances?|drugs?|immigrants?)\b)"
        r"|(?:charging|billing|taking|keeping|withholding|refusing|cancell?ing|denying)\b[^.!?]{0,40}? (?:is|was|are)"
        r" (?:\w+ )?(?:illegal|unlawful|against the law)\b|(?:this|that|the|your) (?:\w+ )?(?:charge|fee|clause|term"
        r"|policy|practice|penalty|fine|contract)s? (?:is|are|was) (?:\w+ )?(?:illegal|unlawful|against the law)\b"
        r"|(?:eso|esto|lo que hacen) (?:no es legal|es ilegal)|(?:c'est|ce que vous faites est) illegal"
        r"|(?:das ist|das ist doch|ist) (?:illegal|rechtswidrig|gesetzwidrig)|(?:questo|e) (?:e )?illegale|(?:isso|isto) e"
        r" ilegal|(?:dit|dat) is (?:illegaal|onwettig)|(?:det ar|det har ar) olagligt|(?:to jest )?niezgodne z prawem"
        r"|under (?:the )?(?:consumer rights act|consumer credit act|no surprises act|consumer contracts regulations"
        r"|fair credit billing act)(?: \d{4})?,? (?:i|we)(?:'m| am|'re| are| have| was| were) (?:\S+ )?(?:entitled|owed"
        r"|due)|(?:enligt|ifolge|i henhold til) (?:\S+ )?(?:konsumentkoplagen|konsumenttjanstlagen|forbrukerkjopsloven"
        r"|kobeloven)|(?:segun|conforme) (?:la )?ley (?:de|del|general) (?:\S+ ){0,5}?consumidor\w*|selon le code de la"
        r" consommation|laut (?:dem )?(?:verbraucherrecht|fernabsatzgesetz|bgb)|ai sensi del codice del consumo"
        r"|(?:segundo|conforme) o codigo de defesa do consumidor|volgens het consumentenrecht)\b",
        # (round 11) not a lawyer who asks for a document for a routine matter ("our lawyer asked for a copy of the
        # contract", "my solicitor needs a statement of the account for the house sale")
        r"\b(?:my |a |our )?(?:lawyer|lawyers|(?<!power of )(?<!powers of )attorney(?![- ]in[- ]fact)|attorneys"
        r"|solicitor|legal counsel)\b(?! (?:\S+ ){0,4}?(?:asked|asks"
        r"|needs|need|needed|requested|requests|wants|would like)(?: \S+){0,5}? (?:a |an |the )?(?:copy|copies|statement"
        r"|document\w*|certificate|letter|record\w*|proof|receipt\w*|invoice\w*|breakdown))",
        # "sue" is also a first name ("can Sue from finance..."): only the threatening forms.
        r"\b(?:sue|suing) (?:you|your|the company|this company|them)\b",
        r"\b(?:will|going to|gonna|i'll|we'll|plan to|intend to|ready to) sue\b",
        r"\b(?:lawsuit|legal action|legal proceedings|take (?:you|this|it) to court|small claims)\b",
        r"\b(?:gdpr|ccpa) (?:complaint|request|violation|breach)\b",
        # (2026-12, the thirty-second conversation author's; four earlier authors' sets) a formal request under data
        # protection law, with its legal deadline: "a formal request under Article 15 GDPR", "a subject access request"
        r"\b(?:subject access request|dsar|data subject (?:access |erasure )?request)\b|\bart(?:icle|\.|ikel)? ?\d{1,2}"
        r"(?: of)?(?: the)? (?:uk )?(?:gdpr|dsgvo|rgpd)\b|\b(?:gdpr|dsgvo|rgpd),? art(?:icle|\.|ikel)? ?\d{1,2}\b"
        r"|\bformal (?:\S+ ){0,2}?request under\b",
        # (round 11) not the business's own ombudsman scheme ("our ombudsman membership number")
        r"\b(?:data protection (?:authority|commissioner|officer)|ico complaint|ombudsman(?! (?:membership|number"
        r"|scheme (?:membership|number)|registration))|regulator)\b",
        r"\bcomplain(?:t)? to (?:the )?(?:ftc|cfpb|bbb|authorities|regulator)\b",
        # (2026-12, the seventeenth conversation author's) the data protection authority in the customer's language
        r"\b(?:datenschutz(?:aufsichts)?behorde|(?:landes)?datenschutzbeauftragten?|aufsichtsbehorde|cnil|aepd|agencia"
        r" espanola de proteccion de datos|garante (?:per la |della )?(?:protezione dei dati|privacy)|autoriteit"
        r" persoonsgegevens|commission nationale de l'informatique)\b",
    ),
    "safety_risk": (
        # (2026-12, the forty-fifth conversation author's) a child threatened with being found or hurt ("he's found her
        # school ... and says he'll 'come find her'")
        r"\b(?:says|said|saying|threaten\w*|told (?:her|him|them))\b[^.!?]{0,20}\b(?:he'?ll|she'?ll|they'?ll|he will|she will"
        r"|they will|to)\W{0,2} ?(?:come (?:and )?(?:find|get)|find|hurt|kill|get|track down) (?:her|him|them|my (?:daughter|son"
        r"|child|kid))\b",
        r"\b(?:kill|hurt|harm) (?:myself|me)\b",
        # "end my life", not "end my subscription"
        r"\b(?:suicide|suicidal|self[- ]harm|end (?:my life|it all))\b",
        r"\bdon'?t want to (?:live|be alive)\b",
        # (2026-12, the seventeenth conversation author's) told indirectly: no point in being here or going on, the
        # world better off without them ("I don't really see the point in being here anymore")
        r"\b(?:don'?t|do not|can'?t|cannot|can not) (?:really |even )?see (?:the |any )?point (?:in |of )?(?:being"
        r" (?:here|alive|around)|living|going on|carrying on|waking up|anything any ?more)\b|\b(?:there'?s|there is"
        r"|is there) (?:no|any) (?:more )?point (?:in |of )?(?:being alive|living|going on|carrying on|waking up"
        r"|anything any ?more)\b|\b(?:don'?t|do not) want to be (?:here|around) any ?more\b|\b(?:better off|be"
        r" better) without me\b(?! (?:on|in|at|for|as) )|\bcan'?t (?:go on|keep going|do this) any ?more\b[^.!?]{0,40}\b(?:life|living"
        r"|myself|alive)\b",
        r"\b(?:i(?:'ll| will| am going to| gonna)) (?:kill|hurt|find) (?:you|someone|them|him|her)\b",
        r"\b(?:bomb|shoot up|shooting)\b",
    ),
    # A customer a support lead puts first whatever the words' mood: an essential service off where someone depends
    # on it (a baby, an elderly or disabled person, medical equipment), danger now (gas, fire, an injury), or
    # stranded away from home with no way on.
    "vulnerable_customer": (
        # (2026-12, the fifty-ninth conversation author's) a child nearly drowned ("she went under and came up coughing
        # and panicking and the instructor was looking at another kid")
        r"\b(?:nearly|almost) drown\w*|\bnear[- ]drowning\b|\bwent under (?:the water )?and (?:came up|had to be)"
        r"|\b(?:pulled|dragged|fished) (?:her|him|them|my \w+) out of the (?:water|pool)\b",
        # (2026-12, the fifty-fifth and fifty-seventh conversation authors') an allergic reaction's signs ("my lips and
        # inside my cheeks are swollen and itchy and there's a rash ... allergic to latex"); age-restricted goods handed
        # to a child ("the courier handed 6 bottles of wine to a child")
        r"\b(?:lips?|tongue|face|throat|mouth|eyes?|cheeks?|eyelids?)\b[^.!?]{0,40}?\b(?:are|is|went|gone|getting|got)"
        r" (?:all |really |very )?(?:swollen|swelling|puffed up|puffy|tingling)\b(?=[\s\S]{0,200}?\b(?:allerg\w*|reaction"
        r"|rash|hives|itch\w*))",
        # (2026-12, the seventy-third conversation author's) someone overdue from an outing and not answering ("went out on
        # a single kayak from your base at 2, due back at 4, its 5.15 and shes not back"); a worker's remarks about the
        # customer's body or who they are ("The seamstress made a couple of comments about my weight")
        r"\b(?:due back|supposed to be back|meant to be back|expected back|should have been back|back by)\b[\s\S]{0,120}?"
        r"\b(?:(?:she'?s|he'?s|they'?re|she is|he is|they are|(?:is|are) still) not back|isn'?t back|aren'?t back|hasn'?t"
        r" (?:come|got|returned|been) back|haven'?t (?:come|got|returned|been) back|still not back|still out|not answering"
        r"|no answer|can'?t reach)\b",
        r"\b(?:made|making|passed|kept making) (?:a (?:couple|few) of |some |several |a )?(?:comments?|remarks?|jokes?)"
        r" (?:about|on) (?:my|her|his|their|our) (?:weight|body|size|figure|shape|appearance|looks|skin|race|colour|color"
        r"|religion|accent|age|disability|sexuality|hijab|scars?)\b",
        # (2026-12, the sixty-ninth conversation author's) an adult tooth knocked out ("her front adult tooth has come
        # out completely. I have the tooth"), not a child's milk tooth
        r"\b(?:adult|permanent|grown-up|second) (?:front |top |bottom )?(?:tooth|teeth)\b[^.!?]{0,40}?\b(?:come out|came out"
        r"|knocked out|fell out|fallen out|has come out|snapped)\b|\bknocked (?:out )?(?:a |his |her |my |their |two )?"
        r"(?:adult |permanent |front )?(?:tooth|teeth) out\b|\b(?:tooth|teeth) (?:was|were|got|has been|have been)"
        r" knocked out\b",
        # (2026-12, the sixty-ninth conversation author's) an older or disabled person stuck with a mobility aid that
        # stopped ("my mum hired one of your scooters ... it's just stopped dead on the promenade"); food labelled with
        # the allergen the customer ordered it without ("says 'contains: wheat, egg' ... I ordered the gluten-free");
        # a student in a host family going hungry or not wanting to go back there ("Ela nao quer voltar para a casa")
        r"^(?=[\s\S]*\b(?:mum|mom|dad|mother|father|gran\w*|grand(?:ma|pa|mother|father)|elderly|disabled|wheelchair"
        r" user|(?:[6-9]\d|1[01]\d)[- ]years?[- ]old)\b)[\s\S]*?\b(?:mobility scooter|scooter|wheelchair|powerchair|stair"
        r" ?lift|hoist|rollator)s?\b[^.!?]{0,80}?\b(?:stopped dead|stopped working|just stopped|died|broke down|broken down"
        r"|won'?t (?:move|go|start)|cut out|conked out|is stuck|are stuck|got stuck)\b",
        r"\b<<labelled_allergen>>\b[\s\S]{0,200}?\b<<ordered_free>>\b|\b<<ordered_free>>\b[\s\S]{0,200}?"
        r"\b<<labelled_allergen>>\b",
        r"^(?=[\s\S]*\b(?:host (?:family|mum|mom|dad|mother|father)|homestay|hosts|familia (?:anfitria|de acolhimento"
        r"|de acogida|\w+ )|famille d'accueil|gastfamilie|famiglia ospitante|gastgezin)\b)[\s\S]*?\b(?:(?:i'?m|i am"
        r"|she'?s|he'?s|she is|he is|i have been|i've been|(?:my|our) (?:son|daughter|child|kid|student) is) (?:always |often |constantly |still |so |really )?(?:hungry"
        r"|starving|not (?:being )?fed)|(?:doesn'?t|does not|won'?t|refuses to|is (?:scared|afraid) to|don'?t|do not)"
        r" (?:want to )?(?:go back|return)|(?:nao|no) (?:quer|quiere) (?:voltar|volver|regresar)|ne veut (?:pas|plus) (?:rentrer"
        r"|retourner)|will nicht (?:mehr )?zuruck|non vuole (?:piu )?tornare)\b",
        # (2026-12, the sixty-first conversation author's) a face or eyes swollen since a vaccine or an injection, a
        # person's or a pet's, and eyes swollen shut ("mi perro tiene la cara muy hinchada ... vino su veterinaria a
        # ponerle las vacunas"; "casi no puede abrir los ojos"), in English, Spanish, Portuguese, German, Italian,
        # French, Dutch, Polish, Czech and Swedish
        # (the sixty-seventh's: since a dental filling or another treatment, "had a filling on monday ... now my cheek's
        # swelling up")
        r"^(?=[\s\S]*\b(?:vaccin\w*|vacun\w*|vacin\w*|jabs?|booster|impf\w*|geimpft|spritze|iniezion\w*|filling"
        r"|extraction|root canal|implant|wisdom tooth|procedure|treatment|operation|surgery"
        r"|inyecci\w*|(?<!auto-)(?<!auto )injec\w*|ockovan\w*|injekc\w*|szczepi\w*|zastrzyk\w*|sprutan?|prik|inenting|gevaccineerd)\b)"
        r"[\s\S]*?\b(?:(?:face|eyes?|lips?|tongue|throat|cheek|jaw|gums?|muzzle|snout|head|cara|ojos|labios|hocico|rosto|olhos"
        r"|focinho|gesicht|augen|lippen|schnauze|viso|occhi|labbra|muso|visage|yeux|levres|museau|gezicht|ogen|snuit"
        r"|twarz|oczy|pysk|oblicej|oci|cumak|ansikte|ogon|nos)\b[^.!?]{0,40}?\b(?:swollen|swelling|swelled|puffed up|puffy"
        r"|hinchad[oa]s?|inchad[oa]s?|inchou|geschwollen|angeschwollen|gonfi[oa]?|gonfiat[oa]|enfle|gonfle|gezwollen"
        r"|opuchl\w*|opuchnie\w*|spuchl\w*|oteklo|oteklé|otekl\w*|svullen|svullna\w*)|(?:swollen|swelling|hinchad[oa]s?"
        r"|hinchazon|inchad[oa]s?|inchaco|geschwollen|schwellung|gonfi[oa]|gonfiore|enflure|gonflement|zwelling|opuchlizna"
        r"|otok|svullnad)\b[^.!?]{0,25}?\b(?:face|eyes?|lips?|throat|cara|ojos|labios|rosto|olhos|gesicht|augen|viso|occhi"
        r"|visage|yeux|gezicht|ogen|twarz|oczy|oblicej|oci|ansikte|ogon))\b",
        r"\b(?:can'?t|cannot|can barely|can hardly|is unable to|casi no puede|no puede|nao consegue|kann (?:kaum|nicht)"
        r"|riesce a malapena|non riesce a|n'arrive (?:pas|plus) a|kan (?:bijna )?niet) (?:even )?(?:open|abrir|offnen"
        r"|aprire|ouvrir|openen) (?:his|her|its|their|the dog's|the cat's|los|sus|os|seus|die|seine|ihre|gli|les|ses"
        r"|zijn|haar) (?:eyes|ojos|olhos|augen|occhi|yeux|ogen)\b",
        r"\b(?:alcohol|wine|beer|spirits|vodka|whisky|gin|bottles? of \w+|cigarettes|tobacco|vapes?|knives|knife|blades?"
        r"|fireworks)\b[^.!?]{0,60}?\b(?:to|by|for) (?:a|my|our) (?:child|minor|kid|teenager|\d{1,2}[- ]year[- ]old|son"
        r"|daughter)\b(?=[^.!?]{0,80}(?:without|no (?:id|check)|never (?:asked|checked)|didn'?t (?:ask|check)))|\b(?:my|our)"
        r" (?:\d{1,2}[- ]year[- ]old|1[0-7]|child|kid|teenager)(?: \w+)? (?:signed for|was handed|was given|received)"
        r" (?:the |a |an |our |my |\d+ )?(?:\w+ ){0,2}?(?:alcohol|wine|beer|spirits|vodka|bottles|cigarettes|vapes|knives"
        r"|knife)\b",
        # (2026-12, the fifty-third conversation author's) a customer who just lost their job and their income, with
        # money in the same message ("i was made redundant last week ... not sure what i'll have coming in")
        r"\b(?:i(?:'ve| have)? (?:just |recently )?(?:was |been |got |am being |'m being )?(?:made redundant|laid off|let go)"
        r"|i(?:'ve| have)? (?:just |recently )?lost my (?:job|income)|i'?m (?:now )?(?:unemployed|out of work))\b(?=[\s\S]{0,200}?"
        r"\b(?:pay\w*|loan|rent|bills?|mortgage|afford\w*|income|coming in|money|repayments?|instal+?ments?|debt))",
        # (2026-12, the fifty-first conversation author's) the wrong medicine or strength sent and already taken or given
        # ("the bottle says 100mg. His prescription is 25mg ... I gave him one"); a child left alone somewhere ("my 15 year
        # old daughter ... is alone at a motorway services", "the driver made her get off")
        r"\b(?:wrong|incorrect|different) (?:strength|dose|dosage|medication|medicine|meds|tablets?|pills?|drug|inhaler"
        r"|insulin)\b[\s\S]{0,150}?\b(?:already )?(?:took|taken|gave|given|swallowed|injected|used) (?:him |her |them |it"
        r" |my \w+ )?(?:one|two|a dose|a tablet|a pill|some|it|them|the first)\b|\b\d+(?:\.\d+)? ?(?:mg|mcg|ml|units)\b"
        r"[\s\S]{0,60}?\b(?:prescription|prescribed|should be|supposed to be|normal dose|dose)\b(?:[^.!?]"
        r"|\.(?=\d)){0,20}?\b\d+(?:\.\d+)? ?(?:mg|mcg|ml|units)\b[\s\S]{0,120}?\b(?:took|taken|gave|given|swallowed"
        r"|injected|had) (?:him |her |them |it )?(?:one|two|a dose|a tablet|a pill|some|it)\b",
        r"\b(?:\d{1,2}[- ]?(?:year[- ]old|yo)|(?:my|our) (?:young |little )?(?:daughter|son|child|kid|boy|girl|niece"
        r"|nephew|grand(?:daughter|son|child)))\b[^.!?]{0,80}?\b(?:is|was|'s|got|been|has been|now|left|sitting|standing)"
        r" (?:now |still |completely |all )?(?:alone|stranded|on (?:her|his|their) own|by (?:her|him|them)self|left behind"
        r"|abandoned) (?:at|in|on|outside) (?:a |an |the )?(?:\S+ ){0,2}?(?:station|services|service station|motorway"
        r"|airport|bus stop|stop|street|road|roadside|car park|parking lot|platform|terminal|port|ferry|city|town"
        r"|middle of nowhere|dark|night)\b|\b(?:driver|staff|crew|conductor|guard|steward\w*)\b[^.!?]{0,30}\b(?:made|forced|told|ordered|asked)"
        r" (?:her|him|my (?:\d{1,2}[- ]?year[- ]old )?(?:daughter|son|child|kid|boy|girl)) (?:to )?(?:get off|leave the"
        r" (?:bus|coach|train))",
        r"^(?=[\s\S]*\b(?:bab(?:y|ies)|newborn|infant|toddler|elderly|disabled|pregnant|oxygen|dialysis|ventilator"
        r"|life support|wheelchair|medical (?:equipment|device|condition)|insulin|chemo\w*|vulnerable"
        r"|on a (?:stair ?lift|hoist))\b)[\s\S]*?\b(?:(?:no|without|cut off|shut off|disconnected|lost)\b[^.!?]{0,40}"
        r"\b(?:power|electricity|heat\w*|gas|water|hot water)|(?:power|electricity|heat\w*|gas|water|hot water)\b"
        r"[^.!?]{0,30}\b(?:cut off|shut off|disconnected|turned off|switched off|cut|off|out))\b",
        # (2026-12, the forty-third conversation author's) someone whose medical equipment runs on the supply, said to
        # the supplier, with no cut-off in the same message ("my husband is on home oxygen, the concentrator runs off
        # the mains"; the letter about the cut-off came a message earlier)
        r"^(?=[\s\S]*\b(?:home oxygen|home dialysis|life support|(?:i'?m|he'?s|she'?s|\w+ (?:is|are)) on (?:an? )?(?:home )?"
        r"(?:oxygen|dialysis|ventilator)|(?:my|our|his|her) (?:\w+(?:'s)? )?(?:oxygen|concentrator|dialysis|ventilator|cpap"
        r"|nebuli[sz]er|feeding pump|stair ?lift|hoist)\w*)\b)[\s\S]*?\b(?:runs? (?:off|on|from) (?:the )?(?:mains"
        r"|electric\w*|power)|(?:relies|rely|depends|dependent|relying|depending) on (?:the |our |your )?(?:mains"
        r"|electric\w*|power|supply)|can'?t (?:be|go) without (?:the )?(?:machine|power|electricity|it))\b",
        # Physical danger now: a gas smell or leak, carbon monoxide, fire or smoke, an injury.
        r"\b(?:smell(?:s|ing)? (?:of |like )?gas|gas (?:smell|leak|leaking)|(?:carbon monoxide|co) (?:alarm|detector)"
        r"|carbon monoxide|(?:caught|on) fire|smoke (?:is )?(?:coming|pouring)|sparks? (?:coming|flying)"
        r"|electric shock)\b",
        # (2026-12, the seventeenth author's) something electrical burning or arcing: a burning smell, crackling,
        # sparks or scorch marks at a charger, an inverter, a socket, a panel
        r"\b<<burning>>[^.!?]{0,80}\b<<electrical>>\b|\b<<electrical>>\b[^.!?]{0,80}\b<<burning>>",
        r"\b(?:i|we|he|she|they|my (?:son|daughter|child|kid|wife|husband|partner|dad|mum|mom|father|mother))"
        r" (?:was|were|got|have been|has been) (?:hurt|injured|burned|burnt|electrocuted)\b",
        # A medical device on its battery; a child approached by an adult for private contact (safeguarding).
        r"\b(?:oxygen|concentrator|ventilator|dialysis|medical (?:device|equipment))\b[^.!?]{0,60}\b(?:battery|batteries"
        r"|backup)\b[^.!?]{0,30}\b(?:left|running (?:out|low)|dying|dies|low|lasts?(?: for)?(?: about| only)? \d)",
        r"^(?=[\s\S]*\b(?:\d{1,2}[- ]?(?:year[- ]old|yo)|my (?:child|kid|daughter|son)|minor)\b)[\s\S]*?\b(?:asked|asking"
        r"|asks|messag\w+|contact\w+|dm'?d|dm'?ing) (?:for )?(?:her|him|his|them|their|my (?:child|kid|daughter|son)"
        r"|(?:my |our )?\d{1,2}[- ]?(?:year[- ]old|yo))\b[^.!?]{0,50}\b(?:personal|private|phone number|instagram|snapchat|whatsapp"
        r"|tiktok|outside the (?:platform|app|site)|meet (?:up|in person))\b",
        # (2026-12, the eighteenth author's) "one of the instructors sent my 11 year old son a private message"
        r"^(?=[\s\S]*\b(?:\d{1,2}[- ]?(?:year[- ]old|yo)|my (?:child|kid|daughter|son)|minor)\b)[\s\S]*?\b"
        r"(?:sent|send\w*|messag\w+|dm'?d) (?:her|him|them|my (?:child|kid|daughter|son)|(?:my |our )?\d{1,2}[- ]?(?:year[- ]old|yo)"
        r"(?: \w+)?) an? (?:private|direct|personal|secret)\b",
        r"\b(?:standing|waiting|stuck|sitting|locked out)(?: outside)? in the (?:rain|cold|snow|dark)\b",
        r"\bwhere (?:are|am|do|should) (?:we|i) (?:supposed |meant )?(?:to )?(?:sleep|stay) tonight\b"
        r"|\bwhere (?:are|am) (?:we|i) supposed to sleep\b",
        r"\bwith (?:my |our )?(?:two |three |four |\d |small |young |little )?(?:kids|children|baby|babies|toddlers?)"
        r"\b[^.!?]{0,20}\b(?:it'?s|at) (?:\d{1,2}(?::\d\d)? ?(?:pm|am)|midnight)\b",
        r"\bstranded\b",
        r"\b(?:stuck|trapped|locked out) (?:at|in|outside|on) (?:the |a |an |this )?(?:airport|hotel|border|station"
        r"|terminal|port|ferry|roadside|motorway|highway|middle of nowhere|street|rain|cold)\b",
        r"\b(?:stuck|trapped|locked out) abroad\b",
        r"\b(?:nowhere|no (?:place|where|bed|room)|without a (?:bed|room|place)) to (?:sleep|stay)\b",
        r"\b(?:no|without (?:any|a)|no other) (?:way|means|money|cash) to (?:pay for|get (?:home|back)|eat|buy food)\b",
        r"\b(?:at|it'?s|past) (?:\d{1,2}(?::\d\d)? ?(?:pm|am)|midnight|night) (?:with|and) (?:my |our |two |three "
        r"|four |\d |small |young |little |the )?(?:kids|children|child|baby|babies|toddlers?|newborn|infant)\b",
        # (2026-12, from the fifth conversation author's) health and safety now: a wrong medicine or dose already
        # given, something poisonous swallowed, an allergen eaten despite a known allergy, a seizure, the last dose
        # of a medicine a patient cannot miss, water on the electrics, brakes failing, a protective court order.
        r"\bwrong (?:strength|dose|dosage|medication|medicine|drug|pills?|tablets?|prescription)\b[^.!?]{0,30}"
        r"\b(?:was |were |has been |had been )?(?:dispensed|given|administered|delivered|sent|in (?:the|his|her|my) "
        r"(?:bottle|box|pack))\b",
        r"\b(?:took|taken|take|given|gave|had|swallowed) (?:\S+ ){0,3}?(?:the )?wrong (?:strength|dose|dosage"
        r"|medication|medicine|pills?|tablets?)\b",
        r"\b(?:double|extra|second) dose\b[^.!?]{0,40}\b(?:by mistake|accidentally|already)\b|\boverdos\w*",
        r"\b(?:ate|eaten|eats|swallowed|chewed|drank|licked|ingested)\b[^.!?]{0,60}\b(?:xylitol|rat poison|antifreeze"
        r"|bleach|detergent pods?|batter(?:y|ies)|(?:his|her|my|their|the) (?:pills|tablets|medication))\b",
        # an adrenaline pen used or needed, not one a child carries ("carries an EpiPen. How do I let the camp know?")
        r"\b(?:poison(?:ed|ing)|allergic reaction|anaphyla\w*|(?:having|had) (?:a )?seizures?)\b",
        # (2026-12, the thirty-ninth conversation author's) a reaction under way where the message names an allergen or
        # an allergy ("my son is having a reaction, the pad thai had peanuts in it"); a road accident with someone hurt
        # or an ambulance there now ("i hit a cyclist pulling out of a junction. ambulance is here"), in six languages
        r"^(?=[\s\S]*\b(?:allerg\w*|peanuts?|nuts?|hazelnuts?|almonds?|gluten|shellfish|sesame|epi ?pens?)\b)[\s\S]*?"
        r"\b(?:is|are|'s|'re|was|were|started|starting|having|had|has) (?:having |had |gone into |going into )?(?:a |an )?"
        r"(?:bad |severe |serious |bit of a )?(?:allergic )?reaction\b(?! (?:time|video|gif|emoji|from)\b| to (?:the|your|our|my|this)"
        r" (?:news|email|post|price|update|launch|ad|video|review|offer))",
        r"\b(?:the |an )?ambulances? (?:is|are|'s) (?:here|coming|on (?:its|their|the) way|outside|taking)\b|\b(?:i|we)"
        r"(?:'ve| have)? (?:just )?called (?:an|the) ambulance\b|\b(?:i|we|he|she|they|my \w+) (?:just )?(?:hit|knocked"
        r" (?:down|over)|ran over|run over|crashed into|collided with) (?:a|an|the|some) (?:cyclist|pedestrian|child|kid"
        r"|person|man|woman|boy|girl|motorcyclist|biker|scooter rider|jogger|runner)\b|\b(?:krankenwagen|rettungswagen"
        r"|notarzt) (?:ist|sind) (?:da|hier|unterwegs|gekommen)\b|\bl'ambulance (?:est (?:la|ici|en route)|arrive)\b"
        r"|\bla ambulancia (?:esta aqui|viene|ya viene|esta llegando|llego)\b|\bl'ambulanza (?:e qui|sta arrivando|e"
        r" arrivata)\b|\bde ambulance is (?:er|hier|onderweg)\b",
        # (2026-12, the sixty-third conversation author's) a road accident on the road now, with a vehicle the customer
        # rides or hires ("I'm on one of your bikes ... I've just come off it at a roundabout ... there's another car
        # involved"), in English, Spanish, Italian, German, French, Portuguese, Polish, Dutch, Swedish and Czech
        r"^(?=[\s\S]*\b(?:bikes?|motorbikes?|motorcycles?|scooters?|mopeds?|e-?bikes?|cars?|vans?|rental|hire|vehicles?"
        r"|roundabout|junction|motorway|other driver|moto|coche|auto|macchina|furgone|wagen|fahrrad|roller|voiture|velo"
        r"|carro|samochod|rower|fiets|bil|cykel|kolo)\b)[\s\S]*?\b(?:(?:i|we|my \w+)(?:'ve| have| has)? (?:just )?"
        r"(?:come off|came off|fallen off|fell off)(?! (?:the |a |my )?(?:phone|call|list|waitlist|wait list|plan|tariff"
        r"|contract|meds|medication)\b)|(?:i|we|my (?!(?:dog|cat|puppy|kitten|pet|toddler|baby)\b)\w+)(?:'ve| have| has)?"
        r" (?:just )?(?:had|been in) (?:an?|a bit of an?) (?:accident|crash|collision|prang|smash)(?! (?:on|in) (?:the|my"
        r"|your) (?:back )?(?:seats?|carpet|floor|mats?|upholstery|boot)\b)|(?:i|we)(?:'ve| have)? (?:just )?been hit by (?:a|an|another) (?:car|van"
        r"|truck|lorry|bus|taxi)|(?:he|hemos|acabo de) tenido un accidente|(?:ho|abbiamo) (?:appena )?avuto un incidente"
        r"|(?:ich hatte|wir hatten|ich habe|wir haben) (?:gerade )?einen unfall|(?:j'ai|nous avons) eu un accident"
        r"|(?:tive|tivemos) um acidente|mia[lł][ae]m wypadek|mielismy wypadek|(?:ik heb|we hebben) een ongeluk"
        r"|(?:jag har|vi har) (?:krockat|varit med om en olycka)|mel[ai]? jsem nehodu|bourala? jsem)\b",
        r"\b(?:used|using|needed|gave|given|giving|jabbed|injected|had to (?:use|give))\b(?: \S+){0,3}? epi ?pens?\b"
        r"|\bepi ?pens? (?:was|were|had to be|has been) (?:used|given)\b",
        r"^(?=[\s\S]*\b(?:allergy|allergies|allergic)\b)[\s\S]*\b(?:ate|eaten|was given|were given|gave (?:him|her"
        r"|them)|served (?:him|her|them)|had (?:a|the|some))\b[^.!?]{0,80}\b(?:contains?|containing|with|made with)"
        r" (?:\S+ ){0,2}?(?:nuts?|hazelnuts?|peanuts?|almonds?|gluten|wheat|milk|dairy|eggs?|shellfish|sesame|soy)\b",
        r"\b(?:(?:one|1|a single|the last|last|only one) (?:dose|pill|tablet|injection|pen|vial)s?|no (?:more )?"
        r"(?:doses?|pills|tablets))(?: of (?:it|\w+))? left\b[^.!?]{0,60}\b(?:tomorrow|tonight|today|this morning"
        r"|epilep\w*|seizures?|insulin|heart|diabet\w*)",
        r"\b(?:water|leak\w*|dripping|drips)\b[^.!?]{0,60}\b(?:fuse ?box|consumer unit|electrics|electrical (?:panel"
        r"|box)|breaker (?:box|panel)|sockets?|outlets?|wiring)\b",
        # (2026-12, the eighteenth author's; four earlier authors wrote it too) water through a ceiling, a ceiling
        # bulging or coming down, a light fitting dripping: the next minutes' damage and an electrical danger
        r"\b(?:water|leak\w*|dripp\w*|drips)\b[^.!?]{0,60}\b(?:through|from) (?:the |our |my )?(?:\w+ )?ceiling\b"
        r"|\b(?:ceiling|plaster)\b[^.!?]{0,30}\b(?:bulg\w*|sagg\w*|collaps\w*|caving in|coming down)\b",
        r"\b(?:light (?:fitting|fixture|switch)|ceiling light)s?\b[^.!?]{0,30}\b(?:dripp\w*|wet|leak\w*|water)\b"
        r"|\b(?:water|dripp\w*|leak\w*)\b[^.!?]{0,40}\b(?:light (?:fitting|fixture|switch)|ceiling light)s?\b",
        # (2026-12, the eighteenth author's) signs of an infection after a treatment or procedure
        r"\b(?:feverish|(?:yellow\w*|green\w*) (?:fluid|discharge|pus)|pus\b|redness (?:is )?spreading|red streaks?"
        r"|(?:hot|swollen),? (?:and )?(?:swollen|hot|red)\b)",
        r"\b(?:brakes?(?! (?:lights?|pads?|bulbs?|discs?)\b)|steering)\b[^.!?]{0,30}\b(?:failed|failing|gave out|not working|don'?t work|doesn'?t work"
        r"|grinding|cut out|locked up|stopped working|went (?:completely|totally|out)|just went)\b|\bis (?:it|the car|my car) (?:still )?safe to drive\b",
        # (2026-12, the sixty-fifth conversation author's) brakes or steering that failed, in French, Spanish, Italian,
        # German, Dutch, Portuguese, Polish, Czech, Norwegian and Swedish ("Les freins du velo 4471 n'ont pas marche dans
        # la descente ... Je suis tombe")
        r"\b(?:freins?|frenos?|freni|freio|freios|bremsen?|remmen|rem|hamulce?|hamulec|brzdy|brzda|bremser?|bromsar(?:na)?"
        r"|direction|direccion|sterzo|lenkung|stuur|kierownica|rizeni|styring|styrning)\b[^.!?]{0,40}?\b(?:n'?ont pas"
        r" (?:marche|fonctionne)|ne (?:marchaient|fonctionnaient) pas|ont lache|no (?:funcionaron|funcionaban|frenaban)"
        r"|fallaron|non (?:hanno funzionato|funzionavano)|hanno ceduto|haben versagt|versagten|funktionierten nicht"
        r"|werkten niet|faalden|nao funcionaram|falharam|nie dzia[lł]a[lł]y|nie zadzia[lł]a[lł]y|nefungovaly|selhaly"
        r"|virket ikke|svikta|fungerade inte|slappte)\b",
        r"\b(?:restraining|protective|protection|non-?molestation) order\b|\bcourt order\b[^.!?]{0,80}\b(?:pick ?up"
        r"|collect|contact with|not allowed|may not|must not|mustn'?t|cannot|can'?t|is barred|prohibit\w*|forbid\w*)\b",
        # a medicine about to run out ("two tablets of lamotrigine left", "a day and a half of insulin left"; the
        # thirty-fifth conversation author's: not "about 8 days of pills left"), the
        # wrong medicine nearly taken, a personal emergency alarm that does not get through
        r"\b(?:one|two|three|\d|a few|(?:the )?last) (?:tablets?|pills?|doses?|injections?|pens?|vials?) (?:of \w+ )?left\b",
        r"(?<![4-9] )(?<!\d\d )(?<!about [4-9] )\b(?:days?|hours?)(?: and a half)? (?:worth )?of (?:insulin|medication|medicine|meds|oxygen|tablets|pills)"
        r" left\b",
        r"^(?=[\s\S]*\binstead of\b)[\s\S]*\b(?:almost|nearly|already|accidentally) (?:took|taken|gave|given|swallowed"
        r"|injected)\b",
        r"\b(?:emergency|medical|panic|fall|personal) (?:pendant|alarm|button|alert|call system)\b[^.!?]{0,80}\b(?:offline"
        r"|not working|doesn'?t work|isn'?t working|red light|no signal|nothing (?:came|comes|went) through|no (?:beep"
        r"|call|response)|dead|failed|not connected|disconnected|no connection|lost (?:its |the )?connection)\b",
        # (2026-12, the seventh conversation author's) a death in the family, a customer who no longer feels safe,
        # a battery swelling or overheating, needles dumped where people walk
        r"\bpassed away\b|\bbereave\w*|\b(?:my|our) (?:son|daughter|husband|wife|partner|mother|father|mum|mom|dad"
        r"|brother|sister|grand\w+|child|baby|uncle|aunt|fianc\w*)\b[^.!?]{0,30}\b(?:died|has died|death)\b"
        r"|\bdeath of (?:my|our) (?:son|daughter|husband|wife|partner|mother|father|mum|mom|dad|brother|sister"
        r"|grand\w+|child|baby)\b",
        r"\b(?:don'?t|do not|no longer|never) feel safe\b|\bharass(?:ed|es|ing|ment)\b|\bstalk(?:ed|ing|s) me\b",
        # (2026-12, the eighth conversation author's) a pet that died after the team's care; an elderly person
        # alone in a cold home (the thirty-second conversation author's: or a baby, "I have a 4 month old baby. the
        # apartment is 13 degrees inside"; and the person's age or "elderly" anywhere in the message, not only first)
        r"\b(?:my|our) (?:dog|cat|pet|puppy|kitten|horse|pony|rabbit|bird)\b[^.!?]{0,30}\b(?:died|has died|passed away"
        r"|was put down)\b",
        r"^(?=[\s\S]*?(?:\b(?:[89]\d|1[01]\d)(?:[- ]years?[- ]old| yo\b|\b(?= and lives alone))|\b(?:he|she|my (?:father"
        r"|mother|dad|mum|mom|grand\w+)) (?:is|'s) (?:[89]\d|1[01]\d)\b|\b(?:i'?m|i am) (?:7[5-9]|[89]\d|1[01]\d)\b(?![%.,]?\d|%"
        r"| ?(?:percent|pages?|minutes|mins|miles|km|kg|points|euros|dollars|pounds|quid))|\blives alone\b|\belderly\b"
        r"|\b(?:[89]\d|1[01]\d) (?:jahre|ans|anos|anni|jaar|lat|let|ar|aar|vuotta)\b|\b(?:babicce|dedovi|babci|dziadkowi"
        r"|babcia|dziadek|oma|opa|grand-mere|grand-pere|abuela|abuelo|nonna|nonno|avo|mormor|farmor|morfar|farfar|mummo"
        r"|vaari) (?:je|ist|a|tiene|ha|tem|heeft|ma|er|on) (?:[89]\d|1[01]\d)\b"
        r"|\b(?:bab(?:y|ies)|newborn|infant|toddler)\b|\b\d{1,2}[- ](?:months?|weeks?)[- ]old\b))[\s\S]*?\b(?:(?:house"
        r"|home|flat|room|apartment|it)(?: is|'s) (?:only |now |at )?(?:-?\d|1[0-4]) ?(?:degrees|°c?|c)\b|(?:freezing|no"
        r" heating|no heat|heating (?:is |has been |'s been |was |went |has gone )?(?:off|broken|not working|offline|out|down)|minus (?:\d{1,2}|one|two|three|four|five|six|seven"
        r"|eight|nine|ten|zwolf|zehn|dvanact|deset|dwanascie|dziesiec|douze|dix|doce|diez|dodici|dieci|doze|dez|tolv|ti)\b"
        r"|below (?:zero|freezing)\b|run out of (?:heating )?(?:oil|gas|fuel)|\b(?:1[0-4]|[0-9]) ?(?:stupnu|grad|degres|grados"
        r"|gradi|graus|graden|stopni|stopnie|grader)\b|nejde topeni|bez topeni|keine heizung|heizung (?:ist )?(?:aus|ausgefallen"
        r"|kaputt)|pas de chauffage|sans chauffage|chauffage (?:en panne|coupe)|sin calefaccion|calefaccion (?:no funciona"
        r"|rota)|senza riscaldamento|riscaldamento (?:non funziona|guasto|rotto)|sem aquecimento|geen verwarming|verwarming"
        r" (?:doet het niet|is kapot)|brak ogrzewania|nie ma ogrzewania|ogrzewanie nie dziala|ingen varme"
        r"|sub-?zero\b))",
        # (2026-12, the thirty-seventh conversation author's) mould at home with someone whose breathing or age makes
        # it a health matter ("des moisissures au plafond et mon fils de 2 ans est asthmatique"), in eight languages
        r"<<mould>>[\s\S]{0,200}?<<mould_person>>|<<mould_person>>[\s\S]{0,200}?<<mould>>",
        # (2026-12, the forty-first conversation author's) the flowers or the order for a funeral not there in time; a
        # cat with lilies (poisonous to cats) licked or eaten; home care about to stop ("the agency is threatening to
        # stop sending people"); a family with a baby waiting for hours at an airport or a station, or nobody come,
        # in Portuguese, Spanish, Italian, German, French, Dutch and Polish
        r"\b<<funeral>>\b[\s\S]{0,200}?\b<<not_arrived>>\b|\b<<not_arrived>>\b[\s\S]{0,200}?\b<<funeral>>\b",
        # (the sixty-fifth author's) what was made for a funeral far from what was ordered ("looked nothing like the
        # photo ... about half the size ... It was for my husband's funeral")
        r"\b<<made_wrong>>\b[\s\S]{0,200}?\b<<funeral>>\b|\b<<funeral>>\b[\s\S]{0,200}?\b<<made_wrong>>\b",
        # (the forty-fifth author's) a mistake in what was made for a funeral that is close ("his name is spelled wrong on
        # the front ... The funeral is tomorrow at 11")
        r"\b(?:spel(?:led|t) (?:wrong|incorrectly)|misspel\w*|wrong (?:name|date|photo|spelling))\b[\s\S]{0,200}?\b(?:funeral"
        r"|memorial service|cremation|burial) (?:is|was moved to|starts) (?:tomorrow|today|this (?:morning|afternoon)|in \w+"
        r" hours?|at \d)",
        r"^(?=[\s\S]*\b(?:cats?|kittens?)\b)[\s\S]*?(?:\blil(?:y|ies)\b[\s\S]{0,120}(?<!if )(?<!if they )(?<!if it )"
        r"(?<!if she )(?<!if he )\b(?:licked|licking|ate|(?:has|have|had) eaten|chewed|chewing|nibbled|nibbling|pollen on"
        r" (?:her|his|its|their|the) (?:face|fur|nose|paws?|whiskers))\b|\b(?:licked|licking|ate|eaten|chewed|chewing"
        r"|nibbled|nibbling)\b[\s\S]{0,80}\blil(?:y|ies)\b)",
        r"\b(?:carers?|care (?:agency|workers?|staff)|nurses?|the agency)\b[^.!?]{0,60}\b(?:(?:threaten\w*|going|about) to"
        r" stop (?:sending|coming|visiting|the visits)|(?:can'?t|cannot|won'?t|will not) (?:come|visit|get to (?:her|him"
        r"|them))(?: to (?:her|him|them|us|me))? (?:any ?more|again|without))\b",
        r"^(?=[\s\S]*\b(?:bebe|bebes|bambin[oia]|neonat\w*|baby|babies|kleinkind|saugling|enfants?|nourrisson|ninos?|ninas?"
        r"|crianc\w*|dzieck\w*|niemowl\w*|peuter)\b)(?=[\s\S]*\b(?:aeroporto|aeropuerto|aeroport|flughafen|luchthaven"
        r"|lotnisk\w*|estacao|estacion|stazione|bahnhof|gare)\b)[\s\S]*?\b(?:(?:ha|hace|da|seit|depuis|sinds|od) (?:\d+|uma"
        r"|una|une|einer|een|mais de|mas de|piu di|ponad) (?:\w+ )?(?:hora|horas|ora|ore|heures?|stunden?|uur|godzin\w*)"
        r"|ninguem (?:apareceu|veio)|nadie (?:ha )?(?:venido|aparecido|vino)|nessuno (?:e )?(?:venuto|arrivato)|niemand"
        r" (?:ist )?(?:gekommen|da)|personne n'est venu|niemand is gekomen|nikt nie przyjech\w*)\b",
        r"\bbatter(?:y|ies)\b[^.!?]{0,80}\b(?:swollen|swelling|swelled|bulg\w*|puff(?:ed|ing) up|smok\w*|melt\w*"
        r"|overheat\w*|(?:got|gets|getting|is|was|went) (?:really |very |extremely |too )?hot)\b|\b(?:swollen|bulging"
        r"|puffed[- ]up) batter(?:y|ies)\b",
        r"\b(?:needles|syringes|sharps)\b[^.!?]{0,60}\b(?:dumped|lying (?:around|in|on)|playground|park|school)\b",
        # (2026-12, the ninth author's) a driver or a pilot unfit to drive
        r"^(?=[\s\S]*\b(?:kids|children|child|baby|babies|toddlers?|infant|\d{1,2}[- ]year[- ]old)\b)[\s\S]*\b(?:(?:stuck|stranded)"
        r" (?:in|at) [\w-]+|no (?:hotel|room|accommodation|place to stay|where to stay)|(?:we'?ve |we have |we )?(?:broken"
        r"|broke) down (?:on|in|at|near) (?:the )?[\w-]+\b(?!(?: \S+){0,4}? (?:last (?:year|month|week|summer|winter|spring"
        r"|autumn)|(?:years?|months?|weeks?) ago|in (?:19|20)\d\d)\b))\b",
        # (2026-12, the thirty-second conversation author's; two earlier authors' sets) surgery needed now, not one
        # planned or past ("my husband is in hospital in Bangkok, they say he needs surgery today", "my dog needs
        # emergency surgery"; not "I'm having knee surgery next week")
        r"\b(?:needs?|needing|requires?|has to have|have to have)(?: an?)? (?:urgent |emergency )?(?:surgery|operation)\b"
        r"(?=[^.!?]{0,40}\b(?:today|tonight|now|right now|immediately|urgently|asap)\b)|\bemergency (?:surgery"
        r"|operation)\b",
        # (2026-12, the thirtieth author's: long agent conversations; not "no booking" with the kids at a ski shop in
        # the morning, the twenty-fifth author's calm one) nowhere to sleep tonight; someone hurt by what
        # happened, taken to hospital or to be checked ("it fell over when my son was climbing on it ... bruised his
        # arm and we took him to get checked")
        r"\b(?:we|i) (?:have|got|'ve got|ve got) nowhere to (?:sleep|stay)\b",
        # (2026-12, the sixty-fifth and sixty-seventh conversation authors') losing one's home with nowhere to go ("landlord
        # gave me notice ... I have two children, nie mam gdzie isc"), in English, Polish, Spanish, Italian, German,
        # French, Portuguese and Dutch; a group of children or passengers stranded by a vehicle that never came ("coach
        # for the return to calais hasn't shown up ... 48 students")
        r"^(?=[\s\S]*\b(?:evict\w*|notice to quit|section 21|repossess\w*|wypowiedzeni\w*|eksmisj\w*|desahucio|desalojo"
        r"|sfratto|raumung\w*|kundigung|expulsion|despejo|uitzetting|huis uit|landlord|w[lł]asciciel|casero|propietario"
        r"|padrone di casa|vermieter|proprietaire|senhorio|verhuurder)\b)[\s\S]*?\b(?:(?:i|we)(?:'ve| have)? (?:got |have )?"
        r"(?:nowhere|no ?where) (?:else )?to (?:go|live)|(?:we'?ll|we will|i'?ll|i will|we'?re going to|i'?m going to) be"
        r" (?:homeless|on the street)|nie mam (?:gdzie|dokad) (?:isc|pojsc|mieszkac)|nie mamy (?:gdzie|dokad)|no tengo"
        r" (?:a )?donde ir|no tenemos (?:a )?donde ir|non (?:so|sappiamo) dove andare|(?:ich weiss|wir wissen) nicht"
        r" wohin|je n'ai nulle part ou aller|nao (?:tenho|temos) para onde ir|(?:ik kan|we kunnen) nergens (?:heen|naartoe))\b",
        r"^(?=[\s\S]*\b(?:students|pupils|kids|children|passengers|our group|the group|elderly|wheelchairs?|\d{2,}"
        r" (?:people|of us|guests))\b)[\s\S]*?\b(?:coach|bus|minibus|driver|transfer|shuttle|taxi|pick-?up)\b[^.!?]{0,40}?"
        r"\b(?:hasn'?t|has not|didn'?t|did not|never|still hasn'?t|still not|not) (?:yet )?(?:shown up|turned up|arrived"
        r"|come|showed up|shown)\b",
        r"\b(?:took|taken|rushed) (?:him|her|them|my (?:son|daughter|child|kid|baby|wife|husband|partner|mum|mom|dad"
        r"|father|mother)|the (?:kids?|baby|children)) (?:in )?(?:to (?:the )?(?:hospital|a&e|er|emergency|urgent care"
        r"|doctor|gp|clinic)|to get (?:him |her |them )?(?:checked|looked at|seen|x-?rayed))\b|\b(?:he|she|they|my (?:son"
        r"|daughter|child|kid|baby|wife|husband|partner)) (?:\S+ ){0,2}?(?:bruised|cut|burn(?:ed|t)|broke|sprained|hurt"
        r"|injured|fractured) (?:his|her|their) (?:arm|leg|hand|head|foot|wrist|face|finger|back|knee|ankle)\b",
        # (2026-12, the eleventh author's) a "safe account" scam under way, a breakdown on a motorway, a relative
        # in hospital who may not survive, no money left for food
        r"\b(?:move|moving|transfer\w*|send|sending|put)\b[^.!?]{0,50}\b(?:to|into) (?:a|the|their|his|her|this) (?:new )?"
        r"(?:safe|secure|holding|protected) account\b|\b(?:told|said|asked) (?:me )?not to tell (?:anyone|the bank|the"
        r" branch|my family|my (?:son|daughter|husband|wife))\b",
        r"\b(?:broke(?:n)? down|died|stalled|cut out|stopped)\b[^.!?]{0,40}\b(?:on|in) the (?:middle of the )?(?:highway"
        r"|motorway|interstate|freeway|expressway|hard shoulder|shoulder)\b",
        r"^(?=[\s\S]*\b(?:hospital|icu|intensive care|hospice)\b)[\s\S]*\b(?:(?:might|may|is not going to|isn'?t going to)"
        r" (?:not )?make it|(?:might|may) not have (?:long|much (?:time|longer))|(?:hasn'?t|has not|doesn'?t have|does"
        r" not have) (?:got )?(?:long|much time)(?: left)?)\b",
        # (2026-12, the thirty-fifth conversation author's; the thirty-second's too) a wrong strength already taken
        # ("the label says metoprolol tartrate 100 mg. I'm supposed to take 25 mg. I already took one"), a multiple of
        # the dose taken, poison control called; heart medicine for today only in a lost bag, in Italian, Spanish,
        # French, German; bed bugs found
        r"^(?=[\s\S]*(?<!n't )(?<!not )\b(?:already (?:took|taken|had|swallowed)|(?:took|swallowed|gave (?:him|her|them))"
        r" (?:one|two|it|them|a (?:pill|tablet|dose|capsule)|the (?:pill|tablet|dose|capsule|first))|(?:has|have|had)"
        r" taken (?:one|two|it|them|a|the))\b)(?=[\s\S]*(?:\b(?:supposed"
        r"|meant|should|normally|usually|only) (?:to )?(?:take|have)\b|\btakes \d|\b(?:was|is|been) prescribed\b))"
        r"[\s\S]*\b\d+(?:\.\d+)? ?(?:mg|mcg|ml|units)\b",
        r"\b(?:took|taken|had|given|gave)\b[^.!?]{0,20}\b(?:\d+|two|three|four|five|double|twice|triple) (?:times |x )?"
        r"(?:my|the|her|his|their) (?:dose|dosage)\b|\bpoison (?:control|centre|center|helpline)\b",
        r"\b(?:medicine|medicinali|farmaci|pastiglie|compresse|medicamentos|pastillas|medicaments|medikamente|tabletten)"
        r"\b[^.!?]{0,80}\b(?:solo per oggi|ne ho solo per|solo para hoy|(?:ya )?no me quedan|plus que pour aujourd'hui"
        r"|nur noch fur heute|nur noch fur einen tag)\b",
        r"\b(?:there (?:are|were|is)|found|saw|seen|spotted|covered in|bitten by|bites from|i think (?:it'?s|its|they'?re"
        r"|theyre)|we have|infested with)\b[^.!?]{0,30}\bbed ?bugs?\b",
        # (2026-12, the thirty-fourth conversation author's) an allergic reaction under way ("his lips are swelling
        # up"); children out at midnight in French, Spanish, German, Italian, Dutch ("Il est minuit, on a deux
        # enfants")
        r"\b(?:his|her|my|their|our \w+'?s?|the baby'?s|the child'?s) (?:lips?|tongue|throat|face|mouth|eyes?)"
        r" (?:is |are |'s |'re |started |keeps? |keep )?(?:swelling(?: up)?|puffing up|closing(?: up)?)\b",
        r"^(?=[\s\S]*\b(?:enfants?|ninos|ninas|hijos|kinder|kindern|bambini|figli|kinderen|bebes?)\b)[\s\S]*\b(?:il est"
        r" minuit|es medianoche|a medianoche|ist (?:es )?mitternacht|um mitternacht|e mezzanotte|a mezzanotte|het is"
        r" middernacht)\b",
        # ... and a family with no room for the night in those languages, there now ("on est à la réception ... l'hôtel
        # est complet ... les deux petits qui dorment dans la voiture"; not a question about August)
        r"^(?=[\s\S]*\b(?:enfants?|petits|bebes?|ninos|ninas|hijos|kinder|kindern|bambini|figli|kinderen)\b)(?=[\s\S]*\b(?:ce"
        r" soir|cette nuit|a la reception|dorment|esta noche|en (?:la )?recepcion|duermen|heute nacht|an der rezeption"
        r"|schlafen|stanotte|alla reception|dormono|vannacht|bij de receptie|slapen)\b)[\s\S]*\b(?:hotel"
        r" est complet|aucune reservation|pas de chambre|nulle part (?:ou|pour) dormir|no hay habitacion|sin habitacion"
        r"|ninguna reserva|ningun sitio (?:para|donde) dormir|(?:hotel )?(?:ist )?ausgebucht|kein zimmer|keine reservierung"
        r"|(?:hotel )?(?:e )?al completo|nessuna prenotazione|nessuna camera|(?:hotel )?(?:is )?volgeboekt|geen kamer"
        r"|geen reservering)\b",
        r"\b(?:can'?t|cannot|couldn'?t|unable to|won'?t be able to) (?:afford|buy|pay for|get) (?:any )?(?:food|groceries"
        r"|rent|medicine|medication|nappies|diapers|formula|heating)\b|\ball (?:of )?(?:my|the) money (?:i had |i have )?"
        r"(?:until|till|before) payday\b",
        r"\b(?:driver|pilot|captain|instructor|courier|rider|chauffeur)\b[^.!?]{0,60}\b(?:drunk|smelled (?:strongly )?"
        r"(?:of|like) (?:alcohol|booze|beer|weed|cannabis)|under the influence|swerving|fell asleep at the wheel)\b",
        # (2026-12, the sixty-first conversation author's) whoever was in charge of the customer drunk on duty, in
        # English, Italian, Spanish, German, French, Dutch, Portuguese, Polish, Czech and Swedish ("lo skipper ... era
        # chiaramente ubriaco mentre rientravamo in marina")
        r"\b(?:skipper|guide|coach|teacher|lifeguard|technician|engineer|carer|caregiver|nurse|bus driver|operator|monitor"
        r"|istruttore|istruttrice|guida|autista|conducente|capitano|monitora|instructor|conductor|chofer|capitan|guia"
        r"|fahrer|fahrerin|skilehrer|lehrer|trainer|kapitan|bergfuhrer|moniteur|monitrice|chauffeur|capitaine|instructeur"
        r"|schipper|bestuurder|motorista|instrutor|instrutora|capitao|kierowca|instruktor|instruktorka|przewodnik|ridic"
        r"|pruvodce|forare|chauffor|kapten|guiden)\b[^.!?]{0,120}?\b(?:(?:was|seemed|looked"
        r"|got) (?:\w+ )?(?:drunk|tipsy|intoxicated)|ubriac[oa]|brill[oa]|borrach[oa]|ebri[oa]|betrunken|besoffen"
        r"|angetrunken|ivre|saoule?|dronken|bezopen|bebad[oa]|embriagad[oa]|pijan[ya]|nietrzezw[ya]|opil[ya]"
        r"|berusad|packad)\b",
        # (2026-12, the thirtieth conversation author's) a near miss, a driver texting on the road or driving recklessly
        r"\b(?:nearly|almost) (?:crashed|crash(?:ed)? into|ran (?:over|into)|ran us off|hit (?:a|an|another|two|some|the)"
        r" (?:van|car|truck|lorry|bus|cyclist|pedestrian|child|kid|bike|motorbike|person|people|wall|tree|barrier)"
        r"|killed (?:us|me|someone|somebody|my))\b",
        r"\b(?:texting|on (?:his|her|their) phone)\b[^.!?]{0,60}\b(?:motorway|highway|freeway|while driving|at the wheel"
        r"|the whole (?:way|ride|trip|journey))\b|\bdriv(?:ing|es|en|er) (?:\S+ )?(?:dangerously|recklessly|like a"
        r" (?:maniac|lunatic|madman))\b",
        # (2026-12, the twelfth author's) a customer who could not call for help if they fell; a mental-health
        # crisis disclosed
        r"\bif (?:i|he|she|they|my (?:mum|mom|dad|mother|father|wife|husband|partner|son|daughter|grand\w+|parents?))"
        r" (?:falls?|fell|collapses?|collapsed|(?:has|had|have) (?:a )?(?:fall|seizure|stroke|heart attack|hypo))\b",
        r"\bmental[- ]health (?:crisis|emergency|breakdown)\b|\b(?:nervous|mental) breakdown\b|\bpsychiatric"
        r" (?:ward|hospital|unit|emergency)\b|\b(?:was|been|got) sectioned\b",
        # (2026-12, the fourteenth author's) a vehicle with (almost) no brakes or a fall from it; a rash or burns
        # that came after the team's product or service
        r"\b(?:no|almost no|barely any|hardly any) (?:front |rear |back )?brakes?\b|\bi (?:fell off|came off|crashed"
        r"|was thrown off|went over the handlebars|had to jump off)\b",
        r"\b(?:came out|broke out|woke up|ended up|got|developed|now (?:has|have))(?: of it| in it| with)? (?:\w+ ){0,3}?"
        r"(?:rash(?:es)?|hives|blisters|(?:chemical )?burns)\b",
        # (2026-12, the fifteenth author's) someone who cannot take their own medicine, the last tablet already taken,
        # a pet that ate something poisonous to it, a machine a life depends on facing a planned outage, a serious
        # illness disclosed
        r"\b(?:can'?t|cannot|unable to|isn'?t able to) (?:do|give|take|manage|inject) (?:the |her |his |their |my )?"
        r"(?:own )?(?:injections?|insulin|medication|meds|medicine|tablets|pills)\b",
        r"\b(?:had|took|taken|was given|got) (?:his|her|their|my|the) (?:very )?last (?:tablet|pill|dose|injection|capsule)s?\b",
        r"\b(?:dog|puppy|cat|kitten|lab|labrador|retriever|spaniel|terrier|collie|poodle|pet)\b[^.!?]{0,40}\b(?:ate|eaten"
        r"|has eaten|swallowed|chewed|got into)\b[^.!?]{0,60}\b(?:grapes|raisins|chocolate|onions?|garlic|ibuprofen"
        r"|paracetamol|lil(?:y|ies)|slug pellets|xylitol|antifreeze|rat poison)\b",
        r"^(?=[\s\S]*\b(?:dialysis|haemodialysis|hemodialysis|oxygen|ventilator|life support|stair ?lift|medical"
        r" (?:equipment|device|machine))\b)[\s\S]*\b(?:planned (?:works|outage|maintenance|interruption)|(?:power|water|gas)"
        r" (?:cut|outage|interruption)|supply (?:will be |is going to be |is )?(?:off|interrupted|cut)|interrupted)\b",
        r"\b(?:diagnosed with|undergoing|starting|going through|in the middle of) (?:\w+ ){0,2}?(?:cancer|chemo\w*"
        r"|radiotherapy|dialysis)\b|\bterminal(?:ly)? ill\b|\bterminal (?:cancer|diagnosis)\b",
        # (2026-12, the sixteenth author's) danger now of other kinds: fuel or chemicals spilling or leaking, an
        # emergency or fire exit that did not open, a near miss told as one, someone at an emergency room or vet now
        r"\b(?:fuel|diesel|petrol|gasoline|chemicals?|chlorine|acid|sewage)\b[^.!?]{0,30}\b(?:spill(?:ed|ing|s)?"
        r"|leak(?:s|ed|ing)?|pouring out|spreading|sheen)\b|\b(?:spill|leak|sheen)\b[^.!?]{0,30}\bspreading\b",
        r"\b(?:emergency|fire) (?:exit|door|release|button|escape)s?\b[^.!?]{0,40}\b(?:didn'?t|did not|doesn'?t|does not"
        r"|won'?t|wouldn'?t|failed to|couldn'?t) (?:work|open|release)\b|\b(?:emergency|fire) (?:exit|escape|door)s?\b"
        r"[^.!?]{0,40}?\b(?:was|were|is|are|had been|has been|got) (?:locked|blocked|chained|padlocked)\b",
        # (2026-12, the twenty-sixth conversation author's) glass or an appliance that shattered or exploded; chemicals in a
        # cracked or seeping container; visits to an emergency department told after the fact
        r"\b(?:glass|door|screen|panel|window|hob|oven|bottle|jar|kettle|pan)\b[^.!?]{0,30}\b(?:shattered|exploded|burst"
        r" into|blew up)\b",
        r"\b(?:acid|chemicals?|bleach|solvent|corrosive)\b[^.!?]{0,80}\b(?:cracked|broken|seeping|wet patch)\b",
        r"\b(?:been|went|taken|rushed|had to (?:go|take \w+)) (?:him |her |them |me |us )?to (?:a ?& ?e|the er|the emergency"
        r" (?:room|department)|casualty)\b",
        r"\b(?:someone|somebody|anyone|he|she|they|i|we|people|a child|kids|my \w+) could(?: have|'ve| of) (?:been )?"
        r"(?:seriously |badly |really )?(?:hurt|injured|killed|died|drowned|electrocuted)\b",
        r"\b(?:we'?re|we are|i'?m|i am|s?he'?s|s?he is|they'?re|they are) (?:at|in) (?:the )?(?:emergency (?:vet|room"
        r"|department|clinic)|a ?& ?e|er)\b",
        # (2026-12, the twenty-third conversation author's) an ambulance called or on its way; a contact barred by a
        # court order told before the order ("not allowed contact, there's a court order")
        r"\b(?:waiting for|called|calling|rang|phoned|rung) (?:an|the) ambulance\b"
        r"|\bambulance (?:is )?(?:on (?:its|the) way|coming)\b|\b(?:warten auf|gerufen|rufen) (?:den"
        r"|einen) (?:krankenwagen|rettungswagen|notarzt)\b|\b(?:esperando|llamado) (?:a )?(?:la"
        r"|una) ambulancia\b|\b(?:attend\w*|appel\w*) (?:l'|une )ambulance\b",
        r"\b(?:not allowed|barred|prohibited|forbidden|banned)\b[^.!?]{0,60}\bcourt order\b",
        # (2026-12, the twenty-fifth conversation author's) someone at an emergency room now in French, German,
        # Spanish, Italian and Dutch; breathing trouble or chest pain; a person or a pet bleeding now (three
        # authors' sets; not colours or ink); a coeliac who has eaten gluten (the allergy pattern needs the word
        # "allergy")
        r"\b(?:on est|nous sommes|je suis|il est|elle est|emmene\w*) aux urgences\b|\b(?:wir sind|ich bin|er ist|sie ist"
        r"|sitzen|warten) (?:\w+ )?in der notaufnahme\b|\b(?:estamos|estoy|esta) en (?:urgencias|emergencias)\b"
        r"|\b(?:siamo|sono) al pronto soccorso\b|\b(?:we zijn|ik ben|hij is|zij is|zitten) (?:nu )?(?:op|bij|in) de"
        r" (?:spoedeisende hulp|seh|eerste hulp)\b",
        r"\b(?:short of breath|shortness of breath|(?<!literally )(?:can'?t|cannot) breathe|struggling to breathe"
        r"|difficulty breathing|trouble breathing|chest pains?)\b",
        # (2026-12, the forty-seventh conversation author's) the signs of a stroke, a person collapsed: "she's slurring a
        # bit", "his face is drooping", "my dad collapsed"
        r"\b(?:(?:is|'s|was|started|been|keeps?) slurring|slurred (?:speech|words)|(?:her|his|my|their|the) face (?:is |has |was"
        r" |went |gone |looks |feels )?(?:droop\w*|lopsided|numb|funny on one side)|(?:one side of (?:her|his|my|their)"
        r" (?:face|body)|(?:her|his|my) (?:arm|leg) on one side) (?:is |went |has gone |feels |was )?(?:numb|weak|droop\w*"
        r"|dead)|(?:he|she|my (?:\w+ )?(?:mum|mom|mother|dad|father|wife|husband|partner|son|daughter|child|baby|nan|gran"
        r"|grand\w+)) (?:has |just |suddenly )*(?:collapsed|passed out|fainted|is unconscious|is unresponsive|won'?t wake"
        r" up|stopped breathing|isn'?t breathing|is not breathing))\b",
        # (2026-12, the forty-ninth conversation author's) a lab result flagged critical: "potassium says 6.8 with a red
        # 'critical' flag"
        r"\b(?:results?|blood (?:test|work)|bloods|labs?|potassium|sodium|glucose|blood sugar|troponin|inr|ha?emoglobin"
        r"|creatinine|calcium|platelets?|white (?:blood )?cells?|ecg|ekg)\b(?:[^.!?]|\.(?=\d)){0,80}?(?:\b(?:flagged|marked)"
        r" (?:as )?'?\"?(?:critical|dangerously (?:high|low))\b|(?<!nothing )(?<!not )(?<!non-)"
        r"(?<!no )\b(?:critical|dangerously (?:high|low))'?\"? (?:result|value|level|flag|range|alert)s?\b)",
        r"^(?![\s\S]*\b(?:colou?rs?|inks?|dyes?|paint|print)\b[^.!?]{0,30}\bbleed)[\s\S]*?(?:\b(?:is|was|still"
        r"|started|keeps?|kept|been|are|were|s) bleeding\b|\bbleeding (?:heavily|badly|a lot|quite a lot|everywhere"
        r"|profusely|again)\b|\bwon'?t stop bleeding\b)",
        r"\b(?:coeliac|celiac)\b[^.!?]{0,80}\b(?:ate|eaten|has eaten|had eaten|swallowed|consumed)\b|\b(?:ate|eaten"
        r"|has eaten)\b[^.!?]{0,80}\b(?:coeliac|celiac)\b",
    ),
    # Someone else in the customer's account: the account patterns of `security_incident` until 2026-12.
    "account_compromise": (
        # (2026-12, the forty-seventh conversation author's) a SIM swap: a SIM or a number moved to someone else, which
        # the customer never asked for ("nie zamawialem zadnego duplikatu", "someone ported my number", "a replacement
        # SIM I never ordered"), in English, Polish, Spanish, German, French, Portuguese and Italian
        r"\b(?:some ?(?:one|body)(?: else)?|a stranger|fraudsters?|scammers?|criminals?) (?:has |had |have )?(?:just )?"
        r"(?:(?:got|gotten|ordered|requested|activated|issued|obtained|taken out|took out|swapped|cloned)(?: \S+){0,3}?"
        r" (?:sim|e-?sim)(?:[- ]cards?)?|(?:ported|moved|transferred|hijacked|swapped|cloned|taken over|took over)(?: \S+)"
        r"{0,2}? (?:phone |mobile )?number)\b|\b(?:(?:sim|e-?sim)(?:[- ]card)? (?:swap|duplicate|replacement|change|was"
        r" issued|was activated|has been issued|has been activated)|(?:new|duplicate|replacement|second|swapped|cloned)"
        r" (?:sim|e-?sim)(?:[- ]card)?)\b[^.!?]{0,60}?\b(?:(?:didn'?t|did not|never|haven'?t|have not) (?:order|request"
        r"|ask|appl|authori[sz])\w*|not me|wasn'?t me|without my)|\b(?:didn'?t|did not|never|haven'?t|have not)"
        r" (?:order|request|ask for|apply for|authori[sz]e)\w* (?:a |any |the |this |that )?(?:new |duplicate"
        r" |replacement |second )?(?:sim|e-?sim)(?: card| swap)?\b"
        r"|\bnie (?:zamawia|zamowi|prosi|wnioskowa)\w*(?: \S+){0,2}? (?:duplikat\w*|karty sim|nowej karty|esim)"
        r"|\bktos (?:\S+ ){0,2}?(?:wyrobi|zamowi|wyda|aktywowa|przeja)\w* (?:\S+ ){0,3}?(?:duplikat\w*|karte sim|numer)"
        r"|\b(?:alguien|otra persona) (?:\S+ ){0,2}?(?:ha |han )?(?:sacado|saco|pedido|pidio|solicitado|solicito|activado"
        r"|activo|duplicado) (?:\S+ ){0,3}?(?:duplicado|sim|chip|mi numero)\b|\bduplicado de (?:mi )?(?:tarjeta )?(?:sim"
        r"|chip)[^.!?]{0,60}?\bno (?:lo |la )?(?:he )?(?:pedido|solicitado|pedi)\b"
        r"|\bjemand (?:\S+ ){0,4}?(?:ersatz-?sim|sim-?duplikat|zweitkarte|neue sim\w*|esim)|\b(?:ersatz-?sim|sim-?duplikat"
        r"|zweitkarte|neue sim-?karte)[^.!?]{0,60}?\bnicht (?:bestellt|beantragt|angefordert)"
        r"|\bquelqu'?un (?:\S+ ){0,4}?(?:duplicata|nouvelle carte sim|carte sim|esim)|\bduplicata[^.!?]{0,60}?\b(?:pas"
        r"|jamais) demande|\balguem (?:\S+ ){0,4}?(?:segunda via do chip|chip|sim)\b|\bqualcuno (?:\S+ ){0,4}?(?:duplicato"
        r" della sim|nuova sim|sim)\b",
        # (2026-12, the sixty-fifth conversation author's) someone acting from the customer's account, in Italian, Spanish,
        # Portuguese, German, French, Dutch, Polish, Czech, Norwegian and Swedish ("Qualcuno ha fatto offerte dal mio
        # account su 4 lotti che non ho mai guardato")
        r"\b(?:qualcuno|alguien|alguem|jemand|quelqu'?un|iemand|ktos|nekdo|noen|nagon)\b[^.!?]{0,60}?\b(?:dal mio|dalla mia"
        r"|desde mi|de mi|da minha|do meu|pela minha|von meinem|uber meinen|depuis mon|avec mon|vanaf mijn|via"
        r" mijn|met mijn|z mojego|przez moje|z meho|pres muj|fra min|fra kontoen min|fran mitt)"
        r" (?:account|conto|cuenta|conta|konto|compte|ucet|uctu|profil\w*)\b",
        # (2026-12, the sixty-first conversation author's) confirmations of bookings or orders the customer never made
        # ("mi prisly 3 potvrzeni rezervaci aut v Leedsu ... nic jsem nerezervoval"), in English, Czech, Polish, Spanish,
        # Portuguese, Italian, French, German, Dutch and Swedish
        r"\b(?:confirmations?|confirmation emails?|potvrzeni|potwierdzen\w*|confirmacion\w*|confirmaco\w*|confirmacao"
        r"|conferm\w*|bestatigung\w*|bevestiging\w*|bekraftelse\w*)\b[\s\S]{0,200}?\b(?:(?:i|we) (?:didn'?t|did not|never"
        r"|haven'?t|have not) (?:book|order|reserve|make|place|buy)\w* (?:anything|any of (?:them|these|those)|them|those"
        r"|these|it)|nic jsem (?:ne)?(?:rezervoval|objednal|koupil)\w*|nic (?:nie )?(?:rezerwowa|zamawia|zamowi|kupowa)"
        r"\w*|no (?:he )?(?:reservado|pedido|comprado|reserve|pedi|compre) nada|nao (?:reservei|encomendei|pedi|comprei)"
        r" nada|non ho (?:prenotato|ordinato|comprato) (?:niente|nulla)|je n'ai (?:rien|jamais) (?:reserve|commande)"
        r"|ich habe (?:nichts|nie) (?:gebucht|bestellt)|ik heb (?:niets|nooit) (?:geboekt|besteld)|jag har (?:inte|inget"
        r"|aldrig) (?:bokat|bestallt))",
        # (2026-12, the forty-third conversation author's) a caller posing as the bank and money gone since, in
        # Portuguese, Spanish, German, French, Italian, Dutch and Polish (the trigger model reads the English)
        r"^(?=[\s\S]*(?:\b(?:dizendo|falando|fingindo|alegando) (?:que )?(?:ser|era|eram) (?:do|da|de) (?:banco|\w+ do banco)"
        r"|\bse passando (?:por|pelo) (?:\w+ )?(?:do |da )?banco|\b(?:diciendo|diciendome) que (?:era|eran) (?:del|de la|de mi)"
        r" (?:banco|caja)|\bhaciendose pasar por (?:\w+ )?(?:del |el )?banco|\bgab(?:en)? sich als (?:\w+ )?(?:bank|sparkasse"
        r"|\w+bank) aus|\bangeblich (?:von|vom|von der) (?:meiner |der )?(?:bank|sparkasse)|\bse faisant passer pour (?:ma |la"
        r" |un conseiller de (?:ma |la )?)?banque|\bpretendant (?:etre|appeler) de (?:ma |la )?banque|\bsoi-disant de (?:ma |la"
        r" )?banque|\b(?:fingendosi|spacciandosi per|dicendo di essere) (?:della |la |un operatore della )?banca|\bzogenaamd"
        r" (?:van|namens) (?:de|mijn) bank|\bdeed(?:en)? (?:zich )?voor als (?:\w+ )?(?:van de )?bank|\bpodaj\w* sie za"
        r" (?:pracownika |konsultanta )?banku|\brzekomo z banku))[\s\S]*?\b(?:sumiu|sumiram|desapareceu|desapareceram"
        r"|tiraram|levaram|pix|transferencias?|falta|faltan|desaparecio|me quitaron|fehlt|fehlen|abgebucht|uberwiesen"
        r"|uberweisung\w*|disparu|vire\w*|virements?|preleve\w*|sparit\w*|bonific\w*|prelev\w*|verdwenen|afgeschreven"
        r"|overgemaakt|overschrijving\w*|znikn\w*|przelew\w*|zabral\w*)\b",
        # round 8: things in the account nobody on the team made ("24 servers nobody on the team created", "emails
        # with strange links, none of us sent those"), a leaked key or token and then activity, a login history far
        # from home
        r"\b(?:servers|instances|vms|virtual machines|machines|users|admins|accounts|orders|posts|emails|messages|charges"
        r"|transfers|campaigns|projects|api keys|tokens)\b(?: \S+){0,6}? (?:nobody|no ?one|none of us)(?: \S+){0,4}?"
        r" (?:created|made|set up|sent|placed|started|launched|authori[sz]ed|wrote|added)\b|\bnone of us sent (?:those"
        r"|these|them|it)\b",
        r"\b(?:leaked|exposed|published|pushed) (?:our |my |the )?(?:api )?(?:key|token|credentials|secret)s?\b[^.!?]{0,80}?"
        r"\b(?:now|since|and)\b",
        # round 12: not a hack told as history ("the account was hacked two years ago but I changed everything")
        r"\b(?:ac+ou?nt|email|login|password|credential)(?: details)?s? (?:was |were |has been |have been |got |is |are "
        r"|(?:may|might|must) have been )?(?:hacked|compromised|taken over|stolen|hijacked|leaked|breached)"
        r"(?!(?: \S+){0,2}? (?:(?:\S+ )?years? ago|last year)\b)",
        r"\b(?:hacked|hijacked)\b(?!(?: \S+){0,2}? (?:(?:\S+ )?years? ago|last year)\b)|\b(?:hackers?(?! news)"
        r"|attackers?)\b|\b(?:it|that) (?:wasn'?t|was not) me\b",
        r"\b(?:some ?(?:one|body)|a stranger|(?:an?|the) (?:attacker|hacker|unknown \w+|ex-?employee|former employee)"
        r"|whoever)(?: else)?(?! (?:from|on|in|at) (?:your|our|my|the) (?:team|support|staff|company|office))"
        r" (?:\S+ ){0,7}?(?:my|our) (?:\S+ ){0,2}?(?:ac+ou?nt|login|password|2fa"
        r"|two-factor|profile|email|phone)\b",
        r"\bsome ?(?:one|body)(?: else)?(?! (?:from|on|in|at) (?:your|our|my|the) (?:team|support|staff|company|office))"
        r" (?:[^\s.,;!?]+ ){0,4}?(?:is |has been |keeps |was )?(?:logged in|logging in|signed in|using my|in my|got in"
        r"|broke in|accessed|hacked)",
        r"\b(?:broke|broken|breaking|hacked|snuck|sneaked) in(?:to)? (?:my|our|the) (?:[^\s.,;!?]+ )?(?:ac+ou?nt|login"
        r"|profile|inbox|email|workspace|admin)",
        # (round 6) a setting's name is no event: "suspicious login protection: off"
        r"\b(?:unauthori[sz]ed|suspicious|unknown|unfamiliar|unrecogni[sz]ed|strange) (?:access|logins?|sign[- ]?ins?"
        r"|sessions?|devices?|admin|users?)(?! (?:protection|detection|settings?|feature|policy|policies|rules?)\b)",
        r"\b(?:logins?|sign[- ]?ins?|sessions?|devices?) (?:\S+ ){0,5}?(?:from|in) (?:\S+ ){0,4}?(?:(?:that|which) "
        r"(?:was|is|were|are)n'?t|(?:i|we) (?:don'?t|didn'?t) recogni|(?:i|we)'?ve never|not (?:me|mine|us)|on (?:my|our))",
        r"\b(?:logins?|sign[- ]?ins?|sessions?) (?:i|we) (?:don'?t|do not|didn'?t) recogni",
        r"\b(?:logins?|sign[- ]?ins?|sessions?|devices?|phones?|laptops?) (?:\S+ ){0,5}?(?:that|which) (?:isn'?t|aren'?t"
        r"|wasn'?t|weren'?t|is not|are not) (?:mine|me|ours|us|one of ours)\b",
        r"\b(?:changed|reset|regenerated|disabled|accessed|added|removed|created|used) (?:\S+ ){0,3}?"
        r"(?:by some ?(?:one|body)|without (?:my |our |any )?(?:knowledge|permission|consent|authori))",
        r"\b(?:password|email|2fa|phone|owner)(?: address| number)? (?:was |has been |had been |got )?(?:changed|reset)"
        r"\b(?:[^\s.!?]* ){0,8}?(?:(?:it )?(?:wasn'?t|not) me|(?:i|we) (?:didn'?t|did not|never)|(?:i|we)'?ve never"
        r"|(?:don'?t|do not) (?:know|recogni))",
        # "a 'password changed' email at 4am. i was asleep", "my password doesn't work and i didn't change it"
        r"\bpassword (?:was )?(?:changed|reset|change)['\"]? (?:email|notification|alert|message|text|sms|code|link)\b"
        r".{0,80}?\b(?:i (?:was (?:asleep|sleeping|offline|on holiday|on vacation|away)|didn'?t (?:do|request|ask"
        r"|change|make|trigger|initiate)|did not (?:do|request|ask|change|make)|never (?:requested|asked|changed|did))"
        r"|not me|wasn'?t me)|\bpassword (?:doesn'?t|does not|no longer|stopped|won'?t) work\w*[^.!?]{0,40}?\b(?:i|we)"
        r" (?:didn'?t|did not|never|haven'?t|have not) change",
        r"\b(?:(?:i|we) (?:didn'?t|did not|never) (?:authori[sz]e|request|ask for)|(?:an?|new|unknown) (?:admin|user"
        r"|owner|sso)[^.]{0,60}?(?:(?:we|i|none of us|nobody)(?: here)? (?:never|didn'?t|don'?t|created|added|know)))",
        r"\bmy account (?:is |was )?(?:sending|sent|posting)",
        # round 5: a change nobody made ("the API keys were regenerated and nobody on our team did it", "forwarding
        # rules I never set up", "2FA codes going to a number I don't own", "a withdrawal I did not make")
        r"\b(?:regenerated|changed|reset|rotated|added|created|disabled|removed|revoked|edited) (?:\S+ ){0,6}?(?:and|but)"
        r" (?:nobody|no ?one|none of us) (?:\S+ ){0,4}?(?:did|made|changed|touched|requested|authori[sz]ed|knows)",
        r"\b(?:i|we) (?:never|didn'?t|did not) (?:set ?up|create|add|make|authori[sz]e|initiate|request|approve)\w* (?:any |the |those |these |this |that )?"
        r"(?:\S+ )?(?:forwarding|rules?|filters?|payees?|withdrawals?|logins?|devices?|admins?|api keys?|tokens?|recovery)"
        r"|\b(?:withdrawals?|transfers?|logins?|sign[- ]?ins?)(?: \S+){0,6}? (?:that|which) (?:i|we) (?:did not|didn'?t"
        r"|never) (?:make|do|authori[sz]e|request|initiate|approve)",
        r"\b(?:codes?|texts?|sms|otps?|verification \w+|alerts?|emails?) (?:are |is |keep )?(?:going|being sent|sent|forwarded"
        r"|delivered|coming) to (?:a|an|some|another) (?:\S+ ){0,2}?(?:number|phone|email|address|device|account)"
        r" (?:(?:that )?(?:i|we) (?:don'?t|do not|didn'?t|never)|(?:that )?(?:isn'?t|is not|wasn'?t) (?:mine|ours))",
        # German, French, Spanish
        r"\b(?:gehackt|piratee?s?|a ete pirate|hackead[oa]|jemand hat sich (?:\S+ ){0,4}?(?:eingeloggt|angemeldet)"
        r"|quelqu'un (?:a |s'est )(?:\S+ )?(?:pirate|connecte|accede)|alguien (?:\S+ ){0,2}?(?:entro|accedio|ha entrado"
        r"|se metio|ha accedido))\b",
        # round 6: a change, a session or an order the customer never made ("the email address on the account was
        # changed to one I don't know", "a login session I didn't start", "autopay switched to a card that isn't
        # mine", "orders I never placed", "sent spam to the whole class, wasn't me")
        r"\b(?:email|e-mail|phone|address|bank details|payout\w*|autopay|card|password|number|recovery \w+)(?: \S+){0,6}?"
        r" (?:was |were |got |has been |had been )?(?:changed|switched|updated|set|moved) to (?:\S+ ){0,3}?(?:(?:that )?"
        r"(?:i|we) (?:don'?t|do not|didn'?t) (?:know|recogni|own|have)|(?:that )?(?:isn'?t|is not|wasn'?t|aren'?t)"
        r" (?:mine|ours))",
        r"\b(?:sessions?|logins?|sign-?ins?) (?:that )?(?:i|we) (?:didn'?t|did not|never) (?:start|make|do|open"
        r"|recogni)|\b(?:orders?|purchases?|payments?|transfers?|bookings?|posts?|emails?|messages?) (?:that )?(?:i|we)"
        r" (?:never|didn'?t|did not) (?:placed?|made?|send|sent|authori[sz]e\w*|bought|buy|order\w*|post\w*|wr[io]te"
        r"|book\w*)\b|[,;-] ?(?:it )?wasn'?t (?:me|us)\b",
        r"\bque (?:yo )?no (?:hice|realice|autorice)|\bdas war(?:en)? nicht (?:ich|wir)\b|\bce n'etait pas moi",
        r"\b(?:qualcuno (?:\S+ ){0,3}?(?:entrato|accesso)|alguem (?:\S+ ){0,3}?(?:entrou|acessou|invadiu)|iemand (?:\S+ ){0,4}?"
        r"(?:ingelogd|toegang)|(?:account|conta) (?:\S+ )?(?:hackerato|violato|invadida|gehackt))\b",
        r"\b(?:i|we) (?:didn'?t|did not|never) (?:make|authori[sz]e|send|post|approve) (?:these|those|that|this|any of"
        r" (?:these|those|them))\b(?: \S+)? (?:purchases?|payments?|transactions?|transfers?|posts?|emails?|messages?"
        r"|withdrawals?)",
        # round 7: changes the customer disowns ("I didn't do any of this", "none of the three of us who run the
        # place did that"), an owner nobody appointed, orders from the account the customer never made
        r"\b(?:i|we) (?:didn'?t|didnt|did not|never) (?:do|make|change|authori[sz]e) any of (?:this|that|these|those|it)\b"
        r"|\bnone of (?:us|the \w+ of us)(?: \S+){0,5}? (?:did|made|changed|authori[sz]ed|added) (?:that|this|it|those"
        r"|these|them)\b",
        r"\b(?:listed|set|shown|added|made) as (?:the |an? )?(?:owner|admin|administrator)\b[^.!?]{0,60}?\b(?:i'?m|i am)"
        r" (?:just |only |now )?(?:a |an )?(?:member|viewer|user|guest)\b|\bfrom my account\b[,;.-]? ?(?:and )?(?:i|we)"
        r" (?:didn'?t|didnt|did not|never) (?:order|buy|make|place|send|book|authori)",
        # (2026-12, round 14: test12's families that another author's set has too) taken over or hacked in Dutch,
        # German, Spanish, Italian, Polish and French, someone ordering or logging in on the account, a new admin and
        # the owner removed
        r"\b(?:overgenomen|gehackt|hackeado|hackerato|zhakowan\w*)\b|\bcompte (?:a ete |est )?pirate\b"
        # (2026-12, the thirtieth author's: long agent conversations) told by the service that the login details
        # changed ("got an email saying my email was changed")
        r"|\b(?:email|e-mail|notification|message|text|sms|alert) (?:\S+ ){0,3}?saying (?:that )?(?:my|our) (?:email"
        r"|e-mail|password|phone(?: number)?|address|pin|login|recovery email)(?: address)? (?:was|has been|had been"
        r"|got|is) (?:changed|reset|updated)\b"
        r"|\b(?:some|any) ?(?:one|body)(?:'s| has) been (?:ordering|logging in|using it|buying|placing orders"
        r"|booking)\b|\bnew (?:user|admin|account)\b[^.!?]{0,60}\b(?:full (?:rights|access|admin)"
        r"|admin rights)\b[^.!?]{0,60}\b(?:removed|deleted|changed)\b",
    ),
    "security_incident": (
        # (2026-12, the sixty-ninth conversation author's) someone posing as the company ("An Instagram account ...
        # (with your logo) DM'd me"); a scam text or email the customer paid or gave details to ("a text saying I had an
        # unpaid parking fine and to pay £60 at a link ... I paid it with my debit card")
        r"\b(?:account|page|profile|site|website|shop|number|someone|somebody)\b[^.!?]{0,80}?\b(?:with|using|has|had"
        r"|copied) your (?:logo|brand\w*|photos|branding)\b|\bpretending to be (?:you|your (?:company|shop|store|bank"
        r"|team|staff|support|business))\b|\bimpersonat\w* (?:you|your)\b|\b(?:fake|cloned|copycat|impostor|imposter)"
        r" (?:\w+ )?(?:account|page|profile|website|site|shop)s? (?:of|pretending|posing|claiming|with your|using your)\b",
        r"^(?=[\s\S]*\b(?:link|scam\w*|phishing|fake|fraud\w*|suspicious|dodgy)\b)[\s\S]*?\b(?:text|sms|email|e-mail"
        r"|message|whatsapp|call)\b[^.!?]{0,60}?\b(?:saying|claiming|said|telling me|asking me)\b[\s\S]{0,200}?\b(?:i|we)"
        r" (?:paid|entered|gave|typed|put in)\b",
        # (2026-12, the fifty-ninth conversation author's) a buyer paid a seller off the platform and the seller is
        # gone ("she asked me to pay by bank transfer ... now her listing is gone and she's blocked me")
        r"\b(?:pay|paid|sent|transfer+ed) (?:\S+ ){0,4}?(?:by |via |through |with )?(?:bank transfer|transfer|wire|paypal"
        r" friends|friends and family|gift cards?|crypto|western union)\b[\s\S]{0,200}?\b(?:(?:has |have |'s )?blocked"
        r" (?:me|us)|(?:listing|profile|account|ad)s? (?:is |are |has |have )?(?:gone|disappeared|deleted|vanished|been"
        r" removed)|(?:disappeared|vanished|stopped (?:answering|replying)))\b",
        # (2026-12, the forty-first conversation author's) something stolen and already reported to the police, in
        # English, Italian, German, French, Spanish, Portuguese, Dutch and Polish ("stanotte mi hanno rubato la Fiat
        # ... Ho gia fatto denuncia ai carabinieri")
        r"\b<<stolen>>\b[\s\S]{0,200}?\b<<police_report>>\b|\b<<police_report>>\b[\s\S]{0,200}?\b<<stolen>>\b",
        r"\b(?:data breach|data leak|breach of (?:my|our) data|leaked (?:my|our|customer) data)\b",
        r"\bfraudulent (?:access|login|logins|sign[- ]?in|charges?|transactions?|activity)\b",
        r"\bsuspicious (?:charges?|transactions?|activity)\b",
        r"\b(?:phishing|identity theft|stolen identity)\b",
        # (2026-12, the eighteenth author's) a break-in found now at the customer's unit, home or premises: a lock
        # cut or forced, the place broken into, the police called (a break-in mentioned for a quote or a claim is not)
        r"\b(?:(?:lock|padlock|door|shutter)s? (?:has been |have been |was |were |had been )?(?:cut|forced|smashed"
        r"|prised|pried|jemmied) (?:off|open)|(?:unit|locker|storage|van|container|shed|garage|premises|shop|store"
        r"|office|property|house|home|flat|apartment|car) (?:has been|have been|was|got) broken into|(?:i'?ve|we'?ve"
        r"|i have|we have|just) (?:rung|called|phoned|contacted) the police)\b(?!(?: \S+){0,4}? (?:last (?:year|month"
        r"|week|summer|winter|spring|autumn)|(?:years?|months?) ago|in (?:19|20)\d\d)\b)",
        # Another person's records shown to this customer: a privacy breach.
        r"\b(?:i can see|i (?:got|received|was sent)|(?:is|are|'s|'re) showing|shows|shown|sent me|in my)\b[^.!?]{0,40}"
        r"\b(?:some ?one|some ?body|another (?:person|customer|patient|woman|man|client|user))(?:'s| else'?s)"
        r" (?:\S+ ){0,2}?(?:records?|data|details|information|results|statements?|documents?|files?|invoices?|bills?"
        r"|reports?|scans?)\b"
        r"|\b(?:records?|results|data|details|statements?|documents?) (?:\S+ ){0,3}?(?:are|is) (?:for|of) (?:a different"
        r"|another|some ?one else'?s?) (?:person|patient|customer|client)\b",
        # Payments the customer did not make, from their own card or account.
        r"\b(?:payments?|transactions?|charges?|purchases?|withdrawals?|transfers?) (?:that )?(?:i|we) (?:didn'?t|did not"
        r"|never) (?:make|made|authori[sz]e|authori[sz]ed|recogni[sz]e|do|did)\b",
        # (2026-12, the thirtieth author's: long agent conversations) with words between ("a charge for premium that
        # I didnt do"); not "I didn't buy anything" alone (a calm question about a charge as often)
        r"\b(?:payments?|transactions?|charges?|purchases?|debits?|withdrawals?)\b[^.!?]{1,40}? (?:that|which) (?:i|we)"
        r" (?:didn'?t|didnt|did not|never) (?:make|made|authori[sz]e\w*|do|did|buy|bought|order\w*|request\w*"
        r"|approve\w*)\b",
        # (2026-12, the twenty-sixth conversation author's; four authors' sets) the same disowned in other words ("3
        # payments to 'SP DIGITALHUB' on my card this morning, 89.99 each, not me"); not "I don't recognise" (a calm
        # question as often)
        r"\b(?:payments?|charges?|transactions?|debits?|withdrawals?|purchases?|transfers?)\b(?![^.!?]{0,80}\bfor (?:my"
        r"|our|his|her|their) \w+,? not me)(?:[^.!?]|\.(?=\d)){0,80}\b(?:not me"
        r"|wasn'?t me|weren'?t me|not mine)\b",
        # (2026-12, the thirty-second conversation author's: long agent conversations) the same in Portuguese, Spanish,
        # French, Italian, German, Dutch ("3 compras no meu cartão que não fiz", "addebiti che non ho fatto"); not "I
        # don't recognise" (a calm question as often)
        r"\b(?:compras?|pagamentos?|transac(?:ao|oes|ciones|cion)|cobrancas?|debitos?|transferencias?|pagos?|cargos?"
        r"|cobros?|achats?|paiements?|prelevements?|transactions?|debits?|acquisti|pagamenti|addebiti|transazioni"
        r"|abbuchungen|zahlungen|kaufe|buchungen|transaktionen|betalingen|aankopen|afschrijvingen)\b[^.!?]{0,60}?"
        r"\b(?:que (?:eu )?nao (?:fiz|fizemos|autorizei)|que (?:yo )?no (?:hice|he hecho|realice|autorice)"
        r"|que (?:je|nous) n'?(?:ai|avons) (?:pas|jamais) (?:fait|faits|faite|faites|effectue\w*|autorise\w*)"
        r"|che non (?:ho|abbiamo) (?:mai )?(?:fatto|effettuato|autorizzato)|die (?:ich|wir) (?:nicht|nie|niemals)"
        r" (?:getatigt|gemacht|autorisiert)|die (?:ik|wij|we) (?:niet|nooit) (?:heb |hebben )?(?:gedaan|gemaakt)"
        r"|nao fui eu|no fui yo|ce n'?(?:est|etait) pas moi|non sono stat[oa] io|das war ich nicht|dat was ik niet)\b",
    ),
    # (2026-12, the twenty-third conversation author's; seven authors' sets have it) damage or a loss the company's
    # people or vehicles caused ("your bin lorry reversed into my parked car", "your installer drilled through a water
    # pipe", "your guys dropped the cabinet"), in German too, and who pays for it ("Who's paying for this?")
    "damage_caused": (
        # (2026-12, the sixty-ninth conversation author's) damage noticed right after the company's fitting, service or
        # visit ("When I got home from my fit I noticed the seatpost clamp area on my frame has a crack")
        r"\b<<service_visit>>\b[^.!?]{0,120}?\b<<damage_seen>>\b|\b<<damage_seen>>\b[^.!?]{0,80}?\b<<service_visit>>\b",
        # (2026-12, the sixty-fifth conversation author's) someone hurt during the company's class or by following its
        # programme ("did the level 3 hamstring progression ... exactly as in the video. Felt a sharp pop"; "during
        # Thursday's evening class my daughter touched a kiln shelf ... a burn across her palm"); something stolen from
        # the company's premises or care, the police told ("Pahengsmotoren min ble stjalet fra jolla i natt ...
        # hovedporten vidapen. Politiet"), in English, Norwegian, Swedish, Danish, German, Dutch, French, Spanish,
        # Italian, Portuguese and Polish
        r"^(?=[\s\S]*\b(?:(?:during|doing|following|in|at|from|as (?:shown )?in) (?:the |your |my |our |today'?s |yesterday'?s"
        r" |last night'?s |this morning'?s |\w+day'?s )?(?:\w+ ){0,2}?(?:class|session|lesson|workout|video|exercises?"
        r"|programme|program|plan|course|routine|progression|instructions)|exactly as (?:in|shown|the))\b)[\s\S]*?"
        r"\b(?:felt (?:a|something) (?:sharp |loud |big )?(?:pop|snap|tear|crack)|(?:pulled|tore|ripped|strained"
        r"|sprained|twisted|injured|hurt|burn(?:ed|t)|broke|fractured|dislocated) (?:my|her|his|their|a) (?:\w+ )?(?:back"
        r"|neck|knee|ankle|wrist|shoulder|hamstring|calf|hip|arm|leg|hand|palm|finger|foot|muscle|ligament|tendon)|(?:a|has"
        r" a|got a|with a) (?:bad |nasty |deep )?(?:burn|cut|gash|fracture|sprain)s? (?:on|across|to) (?:her|his|my|their)"
        r" \w+|can'?t walk without limping)\b",
        r"^(?=[\s\S]*\b(?:police|politi\w*|polis\w*|polizei|politie|gendarmerie|policia|polizia|policja|crime (?:number"
        r"|reference)|saksnummer|anzeige|aangifte|denuncia|plainte|zg[lł]oszeni\w*)\b)(?:[\s\S]*?\b(?:stolen|nicked|taken)"
        r" (?:from|out of) (?:your|the) (?:\w+ )?(?:yard|car ?park|compound|storage|store ?room|locker|premises|depot"
        r"|garage|marina|mooring|berth|site|hotel room|room|unit|cloakroom)\b|(?=[\s\S]*\b(?:stolen|stjalet|stulen|stulet"
        r"|stjalen|gestohlen|geklaut|gestolen|vole|robad[oa]|rubat[oa]|roubad[oa]|skradzion\w*|ukradl\w*|ukraden\w*)\b)"
        r"[\s\S]*?\b(?:gate|door|port|porten|hovedporten|tor|poort|porte|puerta|portao|cancello|brama)\b[^.!?]{0,20}?"
        r"\b(?:left open|wide open|unlocked|vidapen|apen|offen|open|ouverte|abierta|aberto|aperto|otwarta)\b)",
        # (2026-12, the fifty-ninth conversation author's) what the company did or left harms people or property:
        # children with sore eyes after its technician's chemicals ("red itchy skin and sore eyes after swimming ...
        # Your technician shocked the pool"), its unit tipped over spilling waste ("it blew over ... the waste has
        # gone all over the driveway"); a pet ill since it was collected from boarding, the vet on it ("I picked
        # Biscuit up on Sunday and she hasn't eaten since. The vet says GI stasis")
        r"\b(?:rash\w*|burns?|(?:red|itchy|burning|stinging|sore|swollen) (?:\w+ )?(?:skin|eyes)|coughing|vomiting|dizz\w+"
        r"|headaches?)\b[^.!?]{0,80}?\bafter (?:swimming|the (?:pool|treatment|spray\w*|clean\w*|fumigat\w*)|your"
        r" (?:technician|engineer|guy|team|cleaner|treatment|staff))\b(?=[\s\S]{0,200}?\b(?:your (?:technician|engineer"
        r"|guy|team|cleaner|staff)|chlorine|chemicals?|spray\w*|fumigat\w*|pesticide\w*|treatment)\b)",
        r"\b(?:blew over|tipped over|fell over|toppled(?: over)?|knocked over)\b[\s\S]{0,120}?\b(?:waste|sewage|chemicals?"
        r"|oil|diesel|fuel)\b",
        r"\b(?:picked|collected) (?:\S+ ){1,2}?up (?:on \w+|yesterday|today|this morning|last night)\b[\s\S]{0,120}?\bvet"
        r"(?:'s)? (?:says|said|thinks|found|diagnosed)\b(?! (?:\S+ ){0,4}?(?:fine|ok|okay|healthy|all clear|nothing))"
        r"|\b(?:picked|collected) (?:\S+ ){0,2}?(?:yesterday|on \w+|today|this morning)\b[\s\S]{0,160}?\bvet(?:'s)?"
        r" (?:this morning |yesterday |today )?(?:says|said|thinks|found|diagnosed)\b(?! (?:\S+ ){0,4}?(?:fine|ok|okay"
        r"|healthy|all clear|nothing))",
        # (2026-12, the fifty-fifth conversation author's) what was sent to the company came back marked or torn ("it's
        # come back with a brown mark on the bodice and a 3cm tear"); an accident on the company's equipment left out
        # with someone hurt ("drove into your skip ... whiplash"); a pet hurt while boarding ("she was with you for 10
        # days ... an abscess from a bite")
        r"(?<!\blab )(?<!\btest )(?<!\bresults )(?<!\breport )(?<!\bscan )\b(?:came|come|comes|got it|got them|was returned"
        r"|were returned) back (?:from (?:\S+ ){1,3})?with (?:\S+ ){0,3}?"
        r"(?:marks?|holes?|rips?|tears?|stains?|burns?|damage|dents?|scratch\w*|cracks?|cracked \w+|chips?|gouges?|scuffs?"
        r"|snags?|broken \w+|bent \w+)\b",
        r"\b(?:drove|crashed|ran|walked|tripped|fell|cycled|rode|reversed) (?:straight )?(?:into|over) (?:your|the|an?)"
        r" (?:\w+ )?(?:unlit )?(?:skip|scaffold\w*|signs?|barriers?|cones?|cables?|hoses?|pallets?|trench|hole|ladders?"
        r"|equipment|materials?)\b(?=[\s\S]{0,200}?\b(?:injur\w*|whiplash|hospital|a&e|hurt|broken|fractur\w*|written off"
        r"|police|ambulance))|\b(?:skip|scaffold\w*|van|lorry|truck|trench|hole|equipment|materials?|cables?|barriers?)\b"
        r"(?:[^.!?]|\.(?= ?\d)){0,60}?\b(?:left|placed|parked|put) (?:\S+ ){0,4}?without (?:any )?(?:lights|lighting|lamps|cones|signs"
        r"|barriers|warning)(?=[\s\S]{0,250}?(?:\b(?:injur\w*|whiplash|hospital|hurt|broken|written off|police|ambulance"
        r"|drove into|crashed into|tripped|fell)\b|\ba&e\b))",
        r"\b(?:bit(?:ten|e)|injur\w+|wound\w*|abscess|limp\w*|burns?|cuts?|bruis\w*|lost (?:so much )?weight|fleas)\b"
        r"[\s\S]{0,200}?\b(?:(?:was|were|stayed|been) (?:with you|in your care|boarding with you|staying with you)"
        r"|while (?:in your care|(?:she|he|they|it) (?:was|were) (?:with you|boarding|in your care)))\b|\b(?:(?:was|were"
        r"|stayed|been) (?:with you|in your care|boarding with you) for (?:\d+|a|one|two|three|four|five|six|seven|ten"
        r"|fourteen) (?:days?|nights?|weeks?|fortnight)|while (?:she|he|they|it)"
        r" (?:was|were) (?:with you|boarding with you|in your care))\b[\s\S]{0,200}?\b(?:bit(?:ten|e)|injur\w+|wound\w*"
        r"|abscess|limp\w*|burns?|cuts?|bruis\w*|vet'?s? bill)\b",
        # (2026-12, the thirty-fourth conversation author's) damage found after a visit and hidden ("found my
        # grandmother's vase broken and put back in the cupboard with the pieces. nobody told me")
        r"\b(?:found|discovered|noticed)\b[^.!?]{0,60}\b(?:broken|damaged|smashed|cracked|ruined|snapped)\b[\s\S]{0,100}?"
        r"\b(?:hidden|hid|nobody (?:told|said|mentioned)|no one (?:told|said|mentioned)|without (?:telling|a word"
        r"|saying)|(?:didn'?t|did not|never) (?:tell|mention|say))\b",
        r"\b(?:your|ur|the|a|one of your) (?:\w+ ){0,2}?(?:driver|van|truck|lorry|crew|installer|engineer"
        r"|technician|courier|rider|workers?|guys|fitter|plumber|electrician|movers?|removal (?:men|team)"
        r"|contractor|gardeners?|cleaners?|painter|delivery (?:guy|man|driver|van)|staff member"
        r"|operative)s?\b(?:(?!\b(?:that|which|who|what|if|whether|when|after|storm|wind|weather|previous)\b)"
        r"[^.!?]){0,60}\b(?:reversed into|backed into|crashed into|drove into|ran into"
        r"|knocked (?:over|down|into)|ran over|run over|damaged|smashed|cracked|dropped|scratched|dented"
        r"|cut (?:straight )?through|drilled (?:into|through)|flooded|injured|hurt|dug (?:up|through)|ripped"
        r"|snapped|burst|broke (?:our|my|the|a)|broken (?:our|my|the|a)"
        # (2026-12, the sixty-first conversation author's) "one of your cargo bike riders just clipped my wing mirror"
        r"|(?:clipped|hit|scraped|swiped|bumped into|knocked) (?:the (?:side|back|front) of )?(?:my|our) (?:parked )?"
        r"(?:car|van|mirror|wing mirror|bike|vehicle|fence|gate|wall|wheelie bin|door|motorbike|scooter|son|daughter|kid"
        r"|child|dog|wife|husband|mum|dad|mother|father))\b",
        r"\b(?:ihr|euer|eure|ihre) (?:\w+ ){0,2}?(?:fahrer|kurier|fahrradkurier|monteur|techniker|handwerker"
        r"|mitarbeiter|lieferant|bote)\b[^.!?]{0,80}\b(?:umgefahren|angefahren|beschadigt|kaputt gemacht"
        r"|zerkratzt|verletzt)\b",
        # (2026-12, the twenty-sixth conversation author's; three authors' sets, no resolve one) the customer telling the
        # company the loss is its own mistake ("it was YOUR mistake, I have the email proving it")
        r"\b(?:it was|it'?s|this is|that was|that'?s|this was) (?:entirely |all |completely |totally )?(?:your|ur)"
        r" (?:own )?(?:mistake|error|fault|screw[- ]?up)\b",
        r"\bwho(?:'s| is| will be)? ?(?:going to )?(?:pay(?:ing)? for (?:this|that|it|the (?:repair|damage"
        r"|fine|penalty|replacement)s?)|(?:responsible|liable) for (?:this|that|the (?:damage|fine|penalty"
        r"|mess|repairs?|cost)))\b",
        # (2026-12, the forty-ninth conversation author's) damage done while the company had the thing: "a deep scratch
        # along the top tube that wasn't there when I dropped it off" (what "came back ... with" a crack or a scratch:
        # the fifty-fifth author's pattern above)
        r"\b(?:scratch\w*|dent\w*|crack\w*|chip(?:ped|s)?|gouge\w*|scuff\w*|broken|snapped|bent|damage\w*|stain\w*|tear"
        r"|torn|burn marks?)\b[^.!?]{0,80}?\b(?:wasn'?t|was not|wasnt|weren'?t|were not) there (?:before|when (?:i|we)"
        r" (?:dropped|brought|left|handed|sent|gave|took)|at drop[- ]?off|on drop[- ]?off)",
    ),
    "data_loss": (
        # (2026-12, the seventy-fifth conversation author's) a device or its photos wiped, in Czech, Slovak, Polish,
        # Norwegian, Danish and Swedish ("telefon z opravy ... je uplne prazdny ... Byly tam fotky dcery")
        r"\b(?:telefon|mobil|notebook|pocitac|tablet|laptop|komputer|telefonen|mobilen|datamaskin\w*|datorn)\w*\b[^.!?]{0,80}?"
        r"\b(?:(?:je|byl|jest|er|ar) )?(?:uplne |cely |calkiem |helt )?(?:prazdn\w*|pusty|pusta|tomt|tomme)\b|\b(?:fotky"
        r"|fotografie|data|kontakty|soubory|zpravy|zdjecia|dane|pliki|bildene|bilderna|billedene|dataen|datan|filene"
        r"|filerna)\b[^.!?]{0,30}?\b(?:jsou |je |sa |zostaly |er |ar |blev |ble )?(?:pryc|smazan\w*|vymazan\w*|ztracen\w*"
        r"|znikn\w*|usuni\w*|przepad\w*|borte|borta|slettet|slettede|raderade|forsvunn\w*)\b",
        r"\b(?:data loss|lost (?:\S+ ){0,4}?(?:work|data|everything|progress|changes|entries))\b",
        r"\b(?:(?:all|every|entire|whole|half|most)(?: of)?|our|my|the|(?:\d+|two|three|six) (?:days|weeks|months|years)"
        r" of) (?!(?:\S+ ){0,3}?<<junk>>)(?:\S+ ){0,4}?<<data>> (?:\S+ ){0,6}?(?:(?:is|are|was|were|has|have|been|got|now|all|just|completely"
        r"|simply|also) )*(?:gone|missing(?! (?:the|a|an|some|their|its|any)\b)"
        # (2026-12, the sixty-first conversation author's) not someone on the customer's side who lost a copy ("need the
        # august invoice again, accounts lost it"); "you lost it" still counts
        r"|(?:(?<=\byou )|(?<=\byou've )|(?<=\byou guys )|(?<=\bhas )|(?<=\bhave ))lost|lost(?! (?:it|them)\b)"
        r"|deleted|wiped|erased|disappeared|vanished|empty|blank|removed"
        r"|overwritten|purged|truncated|no longer there|nowhere to be (?:found|seen))\b",
        # round 10: not "removed every one of our agents' access" (people locked out, not data lost)
        r"\b(?:lost|deleted|wiped|erased|removed|overwrote|purged|destroyed|truncated|nuked|corrupted)"
        r"(?!(?<=removed|deleted)(?: \S+){0,6}? access\b)(?: out)? (?:\S+ ){0,3}?"
        r"(?:all|every|entire|whole|half|our|\d[\d,]*|years|months|weeks) (?!(?:\S+ ){0,3}?<<junk>>)(?:\S+ ){0,3}?"
        r"<<data>>",
        r"\bmissing (?:about |over |almost |around )?(?:\d[\d,]*|all|half) \w+|\bthey(?:'re| are) all (?:gone|deleted|missing)",
        r"\bevery (?:single )?(?:\S+ )?(?:note|card|file|project|ticket|record|contact|document|task|count|item|entry"
        r"|order|invoice|message|email|report)\b (?:\S+ ){0,6}?(?:(?:has|have|was|were|been|got|is|are) )*(?:gone|missing"
        r"|lost|deleted|wiped|erased|disappeared|vanished)",
        r"\bno (?:data|files|records) (?:at all|left|anymore)",
        # "data is missing from every dashboard", "our clients' contracts are gone" (not "the emails are missing a logo")
        r"\b(?<!some )(?<!few )(?<!one )(?<!any )(?<!deleted )(?<!old )(?<!test )(?<!spam )(?<!junk )(?<!fake )"
        r"(?<!dummy )(?<!demo )(?<!extra )(?<!sample )(?<!archived )(?<!duplicate )(?<!duplicated )(?<!unwanted )"
        r"(?=(?:[\w']+ ){1,2}(?:is|are|was|were|has|have|been|got|just|now|all|completely|simply|also|suddenly) )<<data>> (?:(?:is|are|was|were|has"
        r"|have|been|got|just|now|all|completely|simply|also|suddenly) )+(?:gone|missing(?! (?:the|a|an|some|their|its"
        r"|any)\b)|lost|deleted|wiped|erased|disappeared|vanished|overwritten|purged|nowhere to be (?:found|seen))",
        r"\beverything(?:'s| is| was| has been| got| just| we (?:had|entered|uploaded|saved|imported|built|created"
        r"|added))?(?: (?!and\b|but\b)[^\s.,;!?]+){0,4}? (?:(?:is|are|was|were|has|have|been|got|just|now|all"
        r"|completely) )*(?:gone|vanished|disappeared|deleted|wiped|erased|lost)\b",
        r"\b(?:lost|deleted|wiped|erased|destroyed|purged|overwrote|nuked|ate|corrupted|trashed)(?: out)? (?:literally |basically |just )?"
        r"(?:everything|it all|all (?:of )?(?:it|them|our (?:[^\s.,;!?]+ )?(?:work|stuff|data)))\b",
        r"\b(?:hours|days|weeks|months|years|a (?:day|week|month|year))(?:'s)?(?: and \w+)? (?:of|worth of)"
        r" (?:[^\s.,;!?]+ ){0,2}?<<data>>(?: [^\s.,;!?]+){0,3}? (?:(?:is|are|was|were|has|have|been|got|just|now|all"
        r"|completely) )*(?:gone|lost|deleted|wiped|erased|vanished|disappeared|missing)",
        # "our CRM shows zero deals. Yesterday we had 1,400."
        r"\b(?:shows?|showing|displays?|lists?|now (?:has|have|shows?)|down to|left with|there are) (?:zero|0|no)"
        r" (?:[^\s.,;!?]+ )?<<data>>[^\n]{0,80}?\b(?:we had|there were|yesterday|last week|this morning|used to"
        r"|before)\b",
        # "now the file is empty", "today the folder is empty"
        r"\b(?:now|suddenly|today|overnight|this morning)\b,? (?:(?:the|our|my|all|every|whole|entire) )*"
        r"(?:[^\s.,;!?]+ )?(?:file|folder|project|workspace|account|inbox|database|board|drive|list|table|pipeline"
        r"|crm|document|doc|sheet|spreadsheet|notebook|archive|<<data>>)s? (?:is|are|was|were|looks?|shows?|seems?)"
        r" (?:(?:now|completely|totally|just|suddenly|all) )*(?:empty|blank|wiped|gone)\b",
        # round 5: data garbled or corrupted, counts reset to zero, a thing that disappeared, "it ate my drafts"
        r"\b(?<!zip )(?<!downloaded )(?<!exported )(?:<<data>>|files?|projects?|documents?|database|spreadsheet|backups?"
        r"|records?|dates|fields?|names) (?:\S+ ){0,6}?(?:corrupt(?:ed)?|mangled|scrambled|garbled)\b|\b(?:corrupt\w*|mangled|scrambled|garbled"
        r"|overwrote|overwritten) (?:\S+ ){0,4}?(?:all|every|our|my|the) (?:\S+ ){0,2}?<<data>>",
        r"\b(?:<<data>>|counts?|totals?|stock|inventory|points|stats|figures|numbers) (?:\S+ ){0,4}?(?:reset|dropped|went"
        r"|gone|fell|are|is|shows?|showing|now) (?:back )?(?:to )?(?:zero|0)\b(?! (?:errors?|issues?|problems?|bugs?"
        r"|downtime|defects?)\b)|\b(?:show|shows|showing|now|are|is) (?:as )?(?:0|zero) ?(?:bytes|kb)\b",
        # round 12: not data erased as the customer asked ("you've erased my notes as I requested under GDPR")
        r"\b(?<!i )(?<!we )(?<!i've )(?<!we've )(?<!i have )(?<!we have )(?:ate|eaten|swallowed|nuked|killed|wiped|erased"
        r"|cleared|deleted) (?:out )?(?:all (?:of )?)?(?:my|our|the|today'?s|yesterday'?s|this week'?s|last week'?s)"
        r" (?!(?:\S+ ){0,2}?<<junk>>)(?:\S+ )?(?:<<data>>|sales|takings|progress|entries)"
        r"(?![^.!?]{0,40}?\b(?:as|like) (?:i|we) (?:had )?(?:requested|asked)\b)",
        r"\b(?:folder|file|project|document|board|page|workspace|channel|album|note|record|list|sheet|spreadsheet"
        r"|report|dashboard)(?: \S+){0,3}? (?:that |which )?(?:has |have |had |just )?(?:disappeared|vanished|went missing"
        r"|got deleted|was deleted|got wiped|was wiped)\b|\b(?:random characters|gibberish|garbage characters)\b",
        # German, French, Spanish
        r"\b(?:daten|dateien|datei|projekte?|dokumente|kundendaten|notizen|rechnungen|kontakte|auftrage|fotos)(?: \S+){0,5}?"
        r" (?:verschwunden|geloscht|weg|verloren|beschadigt|leer)\b|\b(?:documents|fichiers|donnees|notes|factures|projets"
        r"|contacts|photos)(?: \S+){0,4}? (?:ont )?(?:disparu|ete (?:supprime|efface|perdu)\w*)|\bj'ai perdu (?:tous|toutes"
        r"|mes|nos)|\b(?:perdi|perdimos|se (?:borraron|borro|perdieron|eliminaron)|desaparecieron|han desaparecido)"
        r" (?:\S+ ){0,2}?(?:todas|todos|mis|nuestr\w+|las|los)\b",
        # round 6: data that is no longer where it was ("it's just not there anymore", "no longer in the portal",
        # "missing from the account", "the folder was emptied", "vanished from the parent portal", "the restore
        # overwrote this week's orders", "you corrupted my thesis file")
        r"(?<!\bi'm )(?<!\bim )(?<!\bi am )(?<!\bwe're )(?<!\bwere )(?<!\bwe are )(?<!\bhe's )(?<!\bhes )(?<!\bshe's )"
        r"(?<!\bshes )(?<!\bhe is )(?<!\bshe is )(?<!\bthey're )(?<!\btheyre )(?<!\bthey are )\b(?:just |simply )?"
        r"(?:not|isn'?t|aren'?t) there any ?more\b|\b(?:<<data>>|readings|grades|marks|scores|forms"
        r"|folders?|files?|documents?)(?: \S+){0,5}? (?:are|is|were|was) (?:now )?(?:no longer (?:in|on|there|showing"
        r"|visible|available)|missing from|vanished from|disappeared from)\b|\b(?:vanished|disappeared)"
        r" from (?:the|my|our) (?:\w+ )?(?:portal|system|app|account|workspace|dashboard|drive|database)",
        r"\b(?:was|were|got|has been|have been) emptied\b|\b(?:restore|sync|import|update|upgrade|migration|you)"
        r" (?:just |has |have |had |'ve )?(?:overwrote|corrupted|wiped|deleted|erased) (?:all |the |my |our |this week'?s"
        r" |today'?s )?(?:\S+ )?(?:<<data>>|files?|thesis|documents?|folders?|projects?|catalog\w*|store|database"
        r"|spreadsheet)(?![^.!?]{0,40}?\b(?:as|like) (?:i|we) (?:had )?(?:requested|asked)\b)",
        r"\bya no aparece\w*|\bdesaparecid[oa]s? del sistema|\bn'apparai\w* plus",
        r"\b(?:file|dati|documenti|foto|progetti|contatti|fatture|arquivos|dados|fotos|documentos|projetos|contatos"
        r"|bestanden|gegevens|data|documenten|projecten|contacten)(?: \S+){0,4}? (?:spariti|sparite|scomparsi|scomparse"
        r"|cancellati|sumiram|desapareceram|apagados|verdwenen|kwijt|verwijderd)\b|\b(?:ho perso tutt\w*|perdi tud\w*)"
        # 2026-12: the verb first ("sumiram todas as minhas fotos", "desaparecieron todos mis archivos")
        r"|\b(?:sumiram|sumiu|desapareceram|apagaram|spariti|sparite|scomparsi|scomparse|sono spariti|desaparecieron"
        r"|borraron|se borraron|verdwenen|zijn verdwenen)(?: \S+){0,3}? (?:file|dati|documenti|foto|progetti|contatti"
        r"|fatture|arquivos|dados|fotos|documentos|projetos|contatos|bestanden|gegevens|documenten|projecten"
        r"|contacten|archivos|datos|contactos|facturas|proyectos)\b",
        r"\b(?:work|changes|edits|progress|entries|notes|data|answers|draft)(?: \S+){0,5}? (?:didn'?t|did not|never"
        r"|weren'?t|wasn'?t) (?:get )?sav(?:e|ed)\b|\b(?:reverted|rolled back|went back) to (?:an? )?(?:old|older|earlier"
        r"|previous) (?:version|backup|copy|state)\b(?!\?)",
        # round 7: data that was there and now is not ("deleted every appointment", "she didn't touch the ledger but
        # it's gone", "the guest list is empty", "now shows zero, it was there last week")
        r"\b(?:deleted|wiped|erased|removed|lost) every (?:single )?(?!<<junk>>)(?!one of (?:\S+ ){0,2}?access\b)\w+",
        r"\b(?:didn'?t|did not|never) (?:touch|delete|remove|change) (?:\S+ ){0,4}?(?:but|and|yet) (?:it'?s|they'?re|(?:it"
        r"|they) (?:is|are|ha(?:s|ve)(?: been)?)) (?:gone|disappeared|vanished|missing|deleted|wiped)\b",
        r"\b(?:now|suddenly) (?:the )?(?:\S+ ){0,4}?(?:list|register|registers|ledger|calendar|gallery|folder|history"
        r"|profiles?|records?|data|table|board) (?:is|are) (?:now )?(?:completely |totally |just )?(?:empty|blank)\b"
        r"|\b(?:everything|it all|all of it)(?:'s| is) (?:empty|blank) since\b",
        r"\b(?:shows?|showing|now) (?:zero|0|nothing|no data|blank)\b[^.!?\n]{0,60}?\b(?:was|were) (?:all )?there\b",
        # round 8: storage come back empty ("the block volume attached to db-prod-01 is gone, /var/lib/postgresql is
        # empty"), records that no longer exist, a week or a month blank, things missing for everyone
        r"\b(?:volumes?|buckets?|partitions?|/var/lib/\S+|databases?|db)\b(?: \S+){0,6}? (?:is|was|are|were|came back"
        r"|now) (?:completely |totally |just |now )?(?:gone|empty|wiped|blank)\b",
        r"\b(?:<<data>>|records|files|notes|documents|orders|tickets) (?:\S+ ){0,2}?(?:doesn'?t|don'?t|no longer) exists?\b"
        r"|\b(?:whole|entire) (?:week|month|day|calendar|schedule|diary)(?:'s| is| was) (?:\S+ )?(?:blank|empty|wiped)\b"
        r"|\b(?:missing|gone|vanished|disappeared) for (?:every ?(?:one|body)|all (?:of )?(?:us|our|the)) (?!(?:new|trial)"
        r" )",
        # (2026-12, round 14: test12's families that another author's set has too) settings reset to defaults, the
        # originals deleted, years of notes thrown away, fewer records than there should be; gone in Dutch, Italian,
        # German, French and Spanish
        r"\b(?:reset to (?:the )?defaults?|wiped back to defaults?)\b|\bdeleted the originals\b"
        r"|\bthrew away (?:\S+ ){0,3}?(?:years?|months?|weeks?) of\b|\b(?:has|have|shows?"
        r"|showing) \d+ (?:entries|records|rows|items|contracts|orders|files)\b[^.!?]{0,20}\bshould (?:have"
        r"|be) \d+",
        r"\b(?<!\d )(?<!probleem )(?<!melding )(?<!storing )(?<!fout )(?:is|zijn|staan) (?:\w+ )?(?:weg|verdwenen)\b|\bha(?:nno)? cancellato (?:tutt\w+|i |le |il |la )"
        r"|\b(?:alles|alle \w+) (?:\w+ )?(?:geloscht|weg|verschwunden)\b|\b(?:tout|tous"
        r"|toutes)\b[^.!?]{0,30}\b(?:supprime\w*|disparu\w*|efface\w*)\b|\b(?:todo|todos"
        r"|todas)\b[^.!?]{0,30}\b(?:borrad\w+|desaparecid\w+|eliminad\w+)\b",
    ),
    "team_blocked": (
        # (2026-12, the forty-first conversation author's) a whole staff not paid on payday
        r"\b(?:none of (?:my|our|the) (?:staff|employees|team|workers|crew|people)|(?:nobody|no ?one)(?: on (?:the|my|our)"
        r" (?:team|staff|payroll))?|(?<!one of )(?<!some of )(?<!two of )(?<!few of )(?<!one or two of )(?:my|our|the)"
        r" (?:\d+ )?(?:staff|employees|team|workers|crew)(?: \w+)? (?:haven'?t|have"
        r" not|didn'?t|did not|hasn'?t|has not|weren'?t|were not))(?: \w+)? (?:got|get|gotten|been|has been|was|have been)"
        r" paid\b(?! (?:the |their |his |her |for |any |a |an )?(?:bonus\w*|overtime|expenses?|commission|holiday pay"
        r"|tips?|mileage|back ?pay|for\b))|\b(?:wages|salaries|payroll|the pay run)(?: \w+)? (?:didn'?t|did not|hasn'?t|has not|haven'?t|have not"
        r"|never) (?:go|gone|went|come|arrived?|run|landed|been paid)(?: out| through| in)?\b",
        r"\b(?:nobody|no ?one|none of (?:us|our|my|the|them)|not (?:a single|one)(?: of)?) (?:\S+ ){0,6}?"
        r"(?:can|could|is able|are able)(?: \S+)? (?:log|sign|access|get|open|use|work|reach|login|connect)",
        r"\b(?:every ?(?:one|body)|every (?:single )?(?:one of|user|agent|member|employee|colleague)|all (?:of )?"
        r"(?:our |my |the |\d+ )?(?:\S+ )?(?:users|agents|staff|employees|colleagues|people|members|technicians"
        r"|managers|seats|accounts|branches|locations|of us)|(?:our|my|the) (?:whole|entire|complete)|entire) "
        r"(?:\S+ ){0,6}?(?:can'?t|cannot|can not|unable|couldn'?t|locked|blocked|stuck|logged out|kicked out"
        r"|redirected|denied|down\b|suspended|crash|get(?:s|ting)? (?:\S+ ){0,3}?(?:error|denied|'|\"|\d{3}\b|invalid))",
        r"\b(?:fail\w*|broken|down|not working) for (?:every(?:one|body)|all (?:of )?(?:our |my |us|the )?)",
        r"\b(?:our|my) (?:team|company|office|staff|org\w*|department|employees|agents|users)(?: of \d+)? "
        r"(?:is |are |has been |have been |got )?(?:completely |totally |all )?(?:locked out|blocked)",
        # round 5: a crew idle, a page nobody gets past ("12 drivers sitting idle", "all users in our tenant see a
        # white page", "won't open for anyone")
        r"\b(?:won'?t|doesn'?t|don'?t|can'?t|isn'?t|not|stopped) (?:\S+ ){0,3}?(?:load\w*|open\w*|work\w*|start\w*"
        r"|connect\w*|sync\w*|respond\w*) for (?:any ?one|every ?one|any ?body|every ?body|all (?:of )?(?:us|our|the)"
        r"|the whole)\b",
        r"\b(?:\d+|all|all (?:of )?our|our) (?:\w+ )?(?:drivers|agents|staff|employees|users|reps|nurses|cashiers"
        r"|technicians|engineers|workers|people|members|colleagues|operators|dispatchers|pickers|couriers|teachers)"
        r" (?:are |were |have been )?(?:sitting |standing |just )?(?:idle|stuck|locked out|unable to|waiting around"
        r"|twiddling)|\ball (?:the )?users (?:in|on|of|across) (?:our|the) (?:\w+ )?(?:tenant|org\w*|workspace"
        r"|account|company|instance|domain)(?: \S+){0,3}? (?:see|get|are|can'?t|cannot|have)",
        # German, French, Spanish
        r"\b(?:(?:unser|das) (?:ganzes?|gesamtes?) (?:team|buro|lager|geschaft)|alle (?:kollegen|mitarbeiter|nutzer"
        r"|benutzer)|niemand (?:\S+ ){0,3}?kann|keiner (?:\S+ ){0,3}?kann|steht (?:\S+ )?still|geht gar nichts mehr)\b"
        r"|\b(?:toute l'equipe|tous (?:nos|les|mes) (?:employes|collaborateurs|utilisateurs|agents|salaries)|personne"
        r" (?:ne peut|n'arrive))\b|\b(?:todo el equipo|todos (?:nuestros|los|mis) (?:empleados|usuarios|agentes"
        r"|trabajadores)|(?:nadie|ninguno)(?: \S+){0,4}? (?:puede|pueden|consigue|logra))\b",
        # round 6: a fleet parked, people sitting around, a company-wide outage, "300 users can't", "team can't do
        # anything"; Spanish and French
        r"\b(?:the |our |whole |entire )*(?:fleet|crew|floor|shift|line|warehouse|kitchen|clinic|ward)(?:'s| is| are)"
        r" (?:\S+ )?(?:parked|grounded|idle|at a standstill|standing still)\b|\b(?:\d+|dozens of|all (?:our|the|of our))"
        r" (?:\w+ )?(?:people|staff|agents|users|drivers|employees|workers|reps|nurses) (?:are |were |just )?(?:sitting"
        r"|standing) around\b",
        r"\b(?:company|org(?:ani[sz]ation)?|office|team|business|site|store)[- ]wide (?:outage|lockout|lock-?out|block"
        r"|failure)|\b\d[\d,]* (?:\w+ )?(?:users|people|staff|agents|employees|seats|members|workers|drivers|nurses)"
        r" (?:can'?t|cannot|are unable|unable|couldn'?t|are locked|are blocked)|\b(?:the |our )?team can'?t (?:do|work"
        r"|get) anything",
        r"\bningun (?:empleado|usuario|trabajador|agente|companero) (?:\S+ )?(?:puede|pudo)|\bpersonne (?:dans|de)"
        r" (?:l'equipe|notre equipe|nos equipes|la boite|l'entreprise) ne (?:peut|parvient|arrive)",
        r"\b(?:nessuno (?:\S+ ){0,3}?(?:puo|riesce)|tutto il team|ninguem (?:\S+ ){0,3}?(?:consegue|pode)|toda a equipe"
        r"|niemand (?:\S+ ){0,3}?kan|het hele team)\b",
        r"\b(?:can'?t|cannot|unable to|can not) do (?:our|their) jobs?\b|\bdead in the water\b|\b(?:we|the (?:whole )?(?:team"
        r"|office|company|store|clinic|shop|business)) (?:are|is|have been|has been) (?:completely |totally )?(?:at a"
        r" standstill|unable to work|grounded)",
        # round 7: "no one in the co-op can submit...", "no one at the dealership can pull up..."
        r"\b(?:no ?one|nobody|not one person|not a single person) (?:in|at) (?:the|our) (?:\S+ ){0,2}?(?:can|could|is able"
        r" to)(?!'t) (?!see (?:the )?new|find (?:the )?new)",
        # round 8: every site named at once ("all four restaurants: terminals frozen", "all 14 schools lost access", "the
        # office, the dock and the harbormaster all lost access"), a crew of any trade standing around ("9 techs
        # standing around"), "our 30 stylists can't", what nobody can do ("nobody can send quotes", "none of the
        # managers can approve"), "can't run payroll for anyone", company-wide; French "aucun de nos employes"
        r"\ball (?:(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve) )?(?:of )?(?:(?:our|the|my) )?(?:\w+ )?(?:restaurants"
        r"|stores|shops|sites|branches|locations|clinics|schools|offices|depots|warehouses|salons|venues|hotels|practices"
        r"|pharmacies|gyms|studios|kitchens|bars|cafes|outlets|franchises)\b(?: [^.!?]{0,40}?)? (?:frozen|are down"
        r"|went down|offline|lost (?:access|connection)|can'?t|cannot|unable|are stuck|locked out|dead|not working|blank)",
        r"\ball (?:lost|lose|losing) (?:access|connection|the (?:system|app|connection))\b(?! (?:to (?:the )?(?:old|legacy"
        r"|test|beta|demo)))",
        r"\b(?:\d+|all (?:our|the|of our)|our) (?:\w+ )?(?!customers|clients|guests|patients|visitors|buyers|users\b)\w+s"
        r" (?:are |were |just )?(?:sitting|standing) (?:around|idle)\b",
        r"\b(?:our|all (?:of )?our|all) \d[\d,]* (?:\w+ )?(?!customers|clients|guests|patients|visitors|buyers)\w+s"
        r" (?:can'?t|cannot|are unable|couldn'?t|are locked|are blocked)\b",
        r"\b(?:nobody|no ?one|none of (?:us|our|my|the|them)(?: \S+){0,3}?) (?:can|could|is able to|are able to)(?!'t)"
        r" (?:send|approve|see (?:their|any|the)|run|process|dispatch|pull up|clock (?:in|out)|print|book|check ?in|take"
        r" (?:orders|payments|calls))\b(?! (?:each other|other|anyone else|your|my|his|her))",
        r"\bcan'?t (?:\S+ ){1,3}?for (?:any ?one|any ?body|every ?one|every ?body)\b(?! (?:else|but|except))|\b(?:company"
        r"|org|organi[sz]ation|office|district|school|site|store)[- ]wide[:,]",
        r"\baucun(?:e)? (?:de (?:nos|mes|les) )?\w+ (?:ne (?:peut|peuvent|parvient|parviennent)|n'arrive|n'a acces)\b",
        # (2026-12, round 14: test12's families that another author's set has too) a whole team or department in Dutch,
        # German, Italian, Spanish and French, "for any of us", either or all shops, the entire shop staring at a screen
        r"\b(?:hele|gehele|volledige) (?:team|afdeling|kantoor|winkel|bedrijf)\b[^.!?]{0,40}\bkan (?:niet"
        r"|geen)\b|\b(?:komplette|ganze|gesamte) (?:abteilung|team|buro|firma"
        r"|filiale)\b[^.!?]{0,40}\b(?:kann nicht|konnen nicht|nicht arbeiten|blockiert|gesperrt)\b"
        r"|\btutt[ie] (?:i |le )?(?:nostr[ie] )?\w+ (?:sono )?(?:bloccat[ie]|ferm[ie])\b|\btodo el (?:equipo"
        r"|personal|departamento)\b[^.!?]{0,40}\bno puede\b|\btoute l'?(?:equipe|entreprise"
        r"|agence)\b[^.!?]{0,40}\b(?:ne peut|bloquee?)\b",
        # (2026-12, the sixty-third conversation author's) the problem is everyone's, counted ("it's everyone on windows
        # here, 23 people", "same for all 12 of us")
        r"\b(?:it'?s|its|it is|happening (?:to|for)|same (?:for|with)|affect(?:s|ing)) (?:literally |basically |now )?"
        r"(?:every ?(?:one|body)|all of us)\b[^.!?]{0,40}?\b(?:\d{2,}|[a-z]+ty(?:[- ][a-z]+)?) (?:people|users|staff|agents"
        r"|colleagues|employees|of us)\b|\b(?:same|happening|it'?s the same) (?:for|to) all (?:\d{2,}|[a-z]+ty|twelve"
        r"|eleven|ten) of us\b|\b(?:the )?(?:whole|entire) (?:office|team|company|department|floor|shop|store|school"
        r"|staff|practice|clinic|warehouse|site) (?:can'?t|cannot|can not|is unable to|are unable to|is locked out|are locked"
        r" out|(?:is|are) (?:completely )?(?:down|offline|blocked|stuck))\b",
        r"\b(?:for|to) any of us\b|\b(?:either|both|all) (?:of (?:our|the) )?(?:shops|stores|sites|branches"
        r"|offices|locations|clinics)\b[^.!?]{0,20}\b(?:because|since|as)\b|\bentire (?:\w+ )?(?:shop|store"
        r"|office|studio|team|staff|crew) (?:is|are) (?:staring|stuck|sitting)\b",
    ),
    "payment_dispute": (
        # (2026-12, the forty-fifth conversation author's) a claim with the bank in Spanish, Portuguese and Italian ("si
        # hace falta lo reclamamos al banco")
        r"\b(?:lo |la |se lo |te lo )?reclam(?:o|amos|are|aremos|ar|aria|ariamos) (?:\w+ )?(?:al|a mi|a nuestro|con el|ante el)"
        r" banco\b|\b(?:contestar|contesto|contestarei|vou contestar) (?:\w+ )?(?:no|junto ao|com o) banco\b",
        # French: "je fais opposition auprès de ma banque" (a stop on the card payment: the chargeback's start)
        r"\b(?:fais|faire|ferai|vais faire|faites|fait) (?:une )?opposition\b|\bopposition (?:aupres de|a|chez) (?:ma|la|notre)"
        r" (?:banque|carte)\b",
        # (round 6) not "a chargeback from one of our customers": a third-party cue after the match
        # (round 11) nor a chargeback told as history: with a former provider, years ago, already resolved
        r"(?<!last year's )(?<!years ago )\b(?:charge[ -]?backs?|charged back)\b(?! (?:with|against|on) (?:my |a |an |our "
        r"|the )?(?:former|previous|old|ex-?)\w* )(?! (?:was|were|got|has been|had been) (?:resolved|settled|closed"
        r"|sorted))(?![^.!?]{0,60}\byears? ago\b)(?! (?:from|by|filed by|raised by|of) (?:a|an|one of (?:our|my)|our|my)"
        r" (?:\w+ )?(?:customer|client|buyer|shopper|guest|patient|member|tenant)s?\b)",
        r"\b(?:disput(?:e|es|ed|ing)|contest(?:s|ed|ing)?) (?:\S+ ){0,2}?(?:charges?|payments?|transactions?|debit|renewal|invoice"
        r"|it|this|that|them)\b|\bdispute (?:opened|filed|raised)",
        r"\b(?:open\w*|fil\w+|rais\w+|initiat\w+|start\w*) (?:a |the )?(?:\w+ )?(?:dispute|claim)",
        # "I called my bank and they said it went through" is not a dispute: a past call needs its purpose.
        r"\b(?:call(?:ing)?|contact(?:ing)?|ask(?:ing)?|(?:called|contacted|asked|told|spoke to)(?=[^.!?]{0,80}?"
        r"(?:disput|revers|charge ?back|claim|money back|block|stop|refund|fraud|unauthori))|instruct\w*"
        r"|report\w*(?: \S+){0,4} to|tell|get|have"
        r"|up with|through) (?:my|our|the) (?:bank|(?:credit )?card (?:company|provider|issuer)|visa|mastercard|amex)",
        r"\b(?:my|our) (?:bank|card (?:company|provider|issuer)|credit card company) (?:is|will|has|said|opened)",
        # "reverse the charge", not the VAT "reverse charge"
        r"\b(?:revers\w+(?! charge\b)|claw\w*|recall\w*|take) (?:\S+ ){0,2}?(?:charges?|payments?|money back|direct debit)",
        r"\bstop (?:on )?(?:the )?payment\b",
        # round 5: the charge reported as fraud to a named card or bank ("marking it as fraud in my Revolut app",
        # "told Discover this was unauthorized", "a provisional credit")
        r"\b(?:mark\w*|flag\w*|report\w*) (?:it|this|that|them|the (?:\w+ )?(?:charge|payment|transaction|debit))"
        r" (?:\S+ ){0,3}?as (?:fraud\w*|unauthori[sz]ed|a scam|scam|stolen|not (?:mine|me))|\bprovisional credit\b",
        r"\b(?:told|called|contacted|informed|notified|reported (?:\S+ ){0,5}?to) (?:my )?<<banks>>(?: [^\s.!?;]+){0,8}?"
        r" (?:unauthori|fraud|never|not (?:me|mine)|didn'?t|disput|revers|charge ?back|scam|signed up)",
        # German, French, Spanish
        r"\b(?:(?:he |hemos )?disputad[oa]|disputar|impugn\w+|reclamad[oa]) (?:\S+ )?(?:cargo|cobro|pago)|\bcontest\w* (?:\S+ )?"
        r"(?:prelevement|paiement|debit|achat|transaction)|\b(?:zuruckbuch\w*|ruckbuchung|zuruckgebucht|lastschrift"
        r" (?:\S+ )?(?:zuruck|widerrufen))",
        # round 6: a dispute or claim already with the bank or the card ("put in a dispute with Discover", "Visa has
        # the dispute now", "PayPal case opened", "an indemnity claim", "I chargebacked it", "recall the transfer")
        r"\b(?:put in|filed|opened|raised|started|lodged|submitted|made|did) (?:a |an |the )?(?:\w+ )?(?:dispute|claim"
        r"|case)(?: \S+){0,3}? (?:with|through|via|on|at) (?:my |the |our )?<<banks>>|\b<<banks>> (?:has|have|is"
        r" handling|is investigating|are investigating|opened|is reviewing) (?:the|a|my|our|this) (?:\w+ )?(?:dispute"
        r"|claim|case)|\b(?:bank|<<banks>>)\b(?: \S+)? (?:is|are) investigating (?:the|my|our|this) (?:dispute|charge"
        r"|claim|transaction|payment)",
        r"\bpaypal (?:case|claim)\b(?![^.!?]{0,40}?\b(?:settled|resolved|closed|withdrawn))|\bindemnity claim|\bchargeback(?:ed|ing)\b|\bcharg(?:ed|ing) (?:it|them"
        r"|that|this) back|\brecall (?:the|my|our|a) (?:\w+ )?(?:transfer|payment|wire)|\btold <<banks>> (?:\S+ ){0,3}?"
        r"(?:not authori|unauthori|wasn'?t (?:me|authori))|\bdevolucion del (?:cargo|cobro|pago)",
        r"\bcontestat[oa] (?:\S+ )?(?:l'addebito|il pagamento|l'importo)|\bcontest(?:ei|ar) (?:a |o )?(?:cobranca|pagamento"
        r"|compra)|\bterugboek\w*|\b(?:storno|terugvordering) (?:\S+ ){0,3}?(?:bank|banca|banco)",
        # round 7: the payment contested with the card provider, the bank asked to reverse it, a return debit
        r"\b(?:being |been |is |was |has been )?contested (?:with|by|through|via) (?:my |our |the )?<<banks>>"
        r"|\b(?:going|go|went|gone) to (?:my|our|the) bank (?:to|and) (?:\S+ ){0,4}?(?:reversed?|back|stopped|recall\w*"
        r"|disputed?)\b|\b(?:write|wrote|tell|told) (?:my|our) bank (?:make|to|so) (?:\S+ ){0,3}?(?:reverse|return|refund"
        r"|block)\b|\bdisputed (?:\S+ ){0,4}?with (?:my |our )?<<banks>>",
        r"\bruck ?lastschrift\w*|\blastschrift (?:\S+ ){0,3}?(?:zuruck\w*|widerruf\w*)",
        # (2026-12, round 14: test12's families that another author's set has too) the bank or card issuer already
        # acting (a payment frozen, on hold or under investigation, a retrieval request, a form), a Section 75 claim, a
        # payment reversed through the bank in Dutch, PayPal's buyer protection in German
        r"\b(?:card issuer|card company|credit union|my bank|the bank|card people"
        r"|bank'?s)\b[^.!?]{0,60}\b(?:frozen|froze|on hold|under investigation|investigat\w+|retrieval request"
        r"|getting (?:it|the money) back|gave me the money back|form to fill|paperwork)\b|\bsection 75\b"
        r"|\bkauferschutz\w*|\bteruggeboekt\b|\bterugboek\w+|\b(?:goods|item) not received claim\b",
        # (2026-12, the twenty-fifth conversation author's) a dispute opened or filed in Polish ("otworzyłam spór w
        # PayPalu"), a chargeback ("obciążenie zwrotne")
        r"\b(?:otworzy\w*|zglos\w*|zaloz\w*|zlozy\w*) (?:\w+ )?spor\w*|\bspor\w* (?:w|na|przez|z) (?:paypal\w*"
        r"|bank\w*)\b|\bobciazeni\w* zwrotn\w*",
    ),
    # Both in one message, either order; "how do refunds work if I cancel?" is a question (negation.questions).
    # round 12: not a refund already received ("I cancelled last month and already got the refund, thanks")
    # (2026-12, the twenty-fifth conversation author's; three authors' calm conversations) not the refund asked
    # about in the same sentence ("I'll need to cancel my annual pass, how does the refund work?")
    "cancellation_refund": (
        # (2026-12, the seventy-fifth conversation author's) withdrawing from the contract and claiming the deposit back,
        # in German ("vom Vertrag zuruckzutreten und die Anzahlung zuruckzufordern")
        r"\b<<withdraw_contract_de>>\b[\s\S]{0,200}?\b<<money_back_de>>|\b<<money_back_de>>[\s\S]{0,200}?"
        r"\b<<withdraw_contract_de>>",
        r"\b(?<!\.)(?:cancel\w*|terminat\w+|close (?:my|our) account|end (?:my|our) (?:subscription|membership|plan|contract)"
        r"|unsubscribe)\b(?! (?:went through|was (?:processed|successful|confirmed)|is (?:done|confirmed|complete)))"
        r"(?!<<refund_question>>)"
        r".{0,100}?\b(?<!already got )(?<!already received )(?<!already had )(?:refund(?:ed)? (?:me|us|it|the|my|our|all"
        r"|both|every\w*|what)|(?:a|full|the|my"
        r"|prorated|pro-rata|partial|and) refund|refunded|money (?:back|refunded)|reimburs\w+|(?:return|send) (?:\S+ )?"
        r"(?:money|payment)|\d[\d,.]* back)(?! (?:arrived|went through|came through|was (?:processed|issued)|has been"
        r" (?:processed|issued)|showed up|landed))",
        r"\b(?:refund(?:ed)? (?:me|us|it|the|my|our|all|both|every\w*|what)|(?:a|full|the|my) refund|money back"
        r"|reimburs\w+)\b.{0,80}?\b(?:cancel\w*|close (?:my|our) account|terminat\w+)",
        # round 5: other words for both ("end it and reimburse what we paid", "closed and the charge refunded", "the
        # deal voided and my $179 returned", "cancle my acount and get my mony back")
        r"\b(?<![.\w])(?:cancel\w*|cancle\w*|terminat\w+|clos\w+ (?:\S+ ){0,2}?(?:account|acount|subscription|plan)"
        r"|(?:account|subscription|membership|plan|contract|booking|order) (?:\S+ ){0,2}?closed|end (?:it|this|the (?:\w+ )?"
        r"(?:subscription|plan|tier|contract|membership|service))|void\w*|revok\w+|stop (?:my|the|our) (?:subscription"
        r"|membership|plan|service))\b(?! (?:confirmed|went through|was (?:processed|successful|confirmed)|is (?:done"
        r"|confirmed|complete)))(?!<<refund_question>>)[^.!?]{0,120}?(?<!no )(?<!not )(?<!without )(?<!any )(?<!already got the )"
        r"(?<!already got my )(?<!already received the )(?<!already received my )\b(?:refund\w*|reimburs\w*"
        r"|(?:money|mony|funds?|\$?\d[\d,.]*|payment|fee|amount|charge|balance|portion|difference|deposit)(?: \S+){0,2}?"
        r" (?:back|returned|refunded|credited(?: back)?|reimbursed)|(?:credit|pay)\w* (?:\S+ )?back|(?:return|send|give|pay)"
        r" (?:\S+ ){0,2}?(?:money|mony|payment|\$?\d[\d,.]*|deposit|fee)|revers\w+ (?:it|the charge|that charge|this"
        r" charge|the payment))\b(?!(?: \S+){0,5}? (?:arrived|went through|came through|processed|landed|showed up"
        r"|received|needed))",
        r"\b(?<!no )(?<!not )(?<!without )(?<!any )(?:refund\w*|reimburs\w*|(?:money|mony|charge|amount)(?: \S+){0,2}?"
        r" (?:back|refunded|returned)|revers\w+ (?:it|the charge|that charge|this charge))\b(?!(?: \S+){0,5}? (?:arrived"
        r"|went through|came through|processed|landed|showed up|received|needed))[^.!?]{0,80}?\b(?:clos\w+ (?:\S+ ){0,2}?"
        r"(?:account|acount|subscription|plan)|cancel\w*|terminat\w+|void\w*)",
        # German, French, Spanish: "kündigen ... Geld zurück", "résilier ... remboursé", "cancelar ... devuelvan"
        r"\b(?:kundig\w*|storn\w*|widerruf\w*|beend\w*|annul\w*|resili\w*|mettre fin|cancel\w*|dar(?:me)? de baja|anular)\b"
        r"[^.!?]{0,120}?\b(?:geld (?:\S+ )?zuruck|erstatt\w*|ruckerstatt\w*|zuruckzahl\w*|gutschrift|rembours\w*|argent"
        r"|reembols\w*|devuelv\w*|devolu\w*|dinero)|\b(?:geld (?:\S+ )?zuruck|erstatt\w*|rembours\w*|reembols\w*"
        r"|devuelv\w*|dinero)[^.!?]{0,80}?\b(?:kundig\w*|storn\w*|annul\w*|resili\w*|cancel\w*|dar(?:me)? de baja)",
        # round 6: an ending and its money in other words ("I'm out, want the last two payments back", "close the
        # membership and send back what's left", "need it stopped and the charge reversed", "the termination and the
        # pro-rata credit", "withdraw my daughter and get the deposit refunded")
        r"\b(?:(?:i'?m|we'?re) (?:out|leaving|done)\b|withdraw (?:\S+ ){0,2}?(?:from|my|our)|unsubscribe (?:me|us)|stop"
        r" (?:my|our|the) (?:\w+ )?(?:pass|membership|plan|subscription|package|box|service|contract)|(?:need|want) (?:it"
        r"|this|them) (?:stopped|cancelled|canceled|closed)|close (?:the|my|our) (?:\w+ )?(?:membership|contract"
        r"|account|subscription|plan|package)|(?:process|confirm) (?:the|our|my) (?:termination|cancellation)"
        r"|(?:will|shall) not continue|won'?t continue|remove (?:it|this|them) from (?:the|my|our) (?:contract|plan"
        r"|subscription|bill)|(?:don'?t|do not) want (?:this|the|it|my|your) (?:\w+ )?(?:any ?more|service)"
        r"|no longer (?:need|want|use)s?)\b[^\n]{0,160}?\b(?:money (?:back|returned)|(?:want|get|need|expect|send)"
        r"(?: \S+){0,5}? (?:back|refunded|reimbursed|returned|paid back|credited back)|send (?:\S+ ){0,2}?back what"
        r"|charge (?:\S+ )?reversed|(?:credit|refund) (?:\S+ ){0,3}?(?:back to|to) (?:our|my|the) (?:\w+ )?card"
        r"|pro-?rat\w* (?:credit|refund)|(?:deposit|fee|fees|payment|payments) (?:\S+ )?(?:back|refunded|returned)"
        r"|(?:unused|remaining|rest)(?: \S+){0,3}? (?:refunded|back|paid back|credited)|(?:credit|pay|refund)\w*"
        r" (?:\S+ ){0,3}?back\b)",
        r"\b(?:disdir\w*|disdett\w*|annullar\w*|cancelar|rescindir|opzeggen|stopzetten|beeindigen)\b[^.!?]{0,120}?\b(?:rimbors\w*"
        r"|soldi indietro|reembols\w*|devolv\w*|dinheiro de volta|geld terug|terugbetal\w*|terugstort\w*)",
        r"\bwant out of (?:the|my|our|this) (?:\w+ )?(?:contract|plan|subscription|membership|lease|deal)\b[^.!?]{0,80}?"
        r"\b(?:money|refund\w*|deposit|fees?|payment)\b",
        # round 7: formal notice and the fees returned, "subscription off + money back", "take it off the account and
        # put the money back", "stop the order and refund it", "we want out, and this year's fee back"
        r"\b(?:notice (?:to|of) (?:end|terminat\w*|cancel\w*)|formal notice|(?:no longer|will not|won'?t) (?:require|need"
        r"|be (?:needing|requiring|continuing|renewing)))\b[^\n]{0,240}?\b(?:refund\w*|reimburs\w*|money back|pro-?rata"
        r"|(?:fees?|payments?|deposit|balance|amount|months?)(?: \S+){0,6}? (?:returned|refunded|repaid|credited|back))",
        r"\b(?:subscription|sub|membership|plan|account|contract) (?:off|gone|closed|cancell?ed) ?(?:\+|and|&|,) ?(?:my |the"
        r" |our )?(?:money|cash|refund)",
        r"\btake (?:it|this|them|the \S+(?: \S+)?) off (?:the|my|our) (?:account|bill|plan|subscription|invoice)\b"
        r"[^.!?]{0,80}?\b(?:money back|refund\w*|credit\w* back|put (?:\S+ ){0,3}?back)|\bstop (?:the |my |our |this )?"
        r"(?:\S+ ){0,3}?(?:order|booking|shipment|delivery|print run)\b[^.!?]{0,60}?\b(?:refund|money back)",
        r"\b(?:we|i) want out\b[^\n]{0,120}?\b(?:(?:fee|fees|money|payment|deposit)s? back|refund\w*)|\bwant out of"
        r" (?:the|my|our|this) (?:\S+ ){0,3}?(?:sub|subscription|membership|plan|contract)\b[^.!?]{0,60}?\b(?:\d+|two"
        r"|three|\w+) (?:months?|weeks?|payments?) back\b",
        # (2026-12, round 14: test12's families that another author's set has too) the money back in German and Italian
        # ("storniert ... Anzahlung zurück", "annulla ... rimborsami"), and an ending as undo, call off, scrap, take me
        # off or do not renew with the money given, wired or sent back
        r"\b(?:kundig\w*|storn\w*|widerruf\w*)\b[^.!?]{0,120}?\b(?:(?:geld|betrag|anzahlung|kaution|gebuhr\w*"
        r"|pauschale|beitrag)(?: \S+){0,3}? zuruck\w*|zuruckerstatt\w*|ruckzahl\w*|zuruckbuch\w*)",
        r"\bannull\w*\b[^.!?]{0,120}?\brimbors\w*",
        r"\b(?:undo (?:it|the|my|this|our)|call (?:\S+ ){0,3}?off|scrap (?:my|the|our)|take (?:me|us) off"
        r"|(?:don'?t|do not|won'?t|will not) renew)\b[^.!?]{0,120}?\b(?:(?:give|wire|transfer|pay|put"
        r"|send)(?: \S+){0,2}? back|(?:deposit|fee|fare|balance|payment|money|renewal"
        r"|charge)(?: \S+){0,2}? (?:back|returned|refunded|reimbursed)|(?:reimburs|refund)\w*|return (?:that"
        r"|the|this) charge)",
        # (2026-12, the twenty-fifth conversation author's; in three authors' sets) the event called off by the
        # customer and the money wanted back, across sentences ("the wedding's off. we've split up. I want the
        # deposit back", "The trip's off for us. Cancel the booking and send the money back")
        r"(?:\b(?:wedding|event|party|trip|holiday|move|ceremony|celebration|reception|retreat|shoot|booking|order"
        r"|project|deal|sale|purchase)(?:'s| is)(?: now| all)? off\b|\b(?:we|i)(?:'ve| have)? called (?:it|the \w+"
        r"|our \w+|my \w+) off\b)[^\n]{0,160}?\b(?:(?:deposit|fee|money|payment|\d[\d,.]*)(?: \S+){0,2}? (?:back"
        r"|returned|refunded)|refund\w*|reimburs\w*)",
    ),
    "public_complaint": (
        r"\b(?<!you )(?<!please )(?<!\bwe )(?:(?:post|posting|tweet|tweeting|share|sharing|put|putting|publish|publishing|write|writing|take|taking"
        r"|trash|record\w*|talk|talking|rant|ranting|vent|venting|complain|complaining|shout|shouting|blast|blasting"
        r"|expose|exposing|upload|uploading|film|filming|air|airing|spread|spreading) (?:\S+ ){1,6}?|(?<!was )(?<!were )go(?:ing)? "
        r"(?:\S+ ){0,2}?)(?:(?:on|to|in|about|for|all over) (?:\w+ ){0,2}<<public>>|online|publicly)\b"
        r"|\bname (?:and shame )?you\b",
        # a review: "a one-star review on G2", "a Google review", "leave a review everywhere" (not a glowing one)
        r"\b(?:leave|leaving|write|writing|post|posting|publish\w*|give|giving|expect|draft\w*|prepar\w+|submit\w*"
        r"|put\w*|get|getting|deserve\w*|earn\w*)\b(?!(?: \S+){0,4}? (?:great|good|nice|positive|glowing|stellar"
        r"|excellent|amazing|5|five|4|four)\b) (?:\S+ ){0,4}?(?:(?:(?:1|one|2|two|zero|0)[- ]star|bad|negative"
        r"|scathing|terrible|honest|public|poor|awful|worst|detailed|full|brutal|harsh|angry|damning|nasty|horrible)"
        r" (?:\S+ )?review|review (?:on|in|for) (?:the )?<<public>>|<<public>> review|reviews? (?:on |across |at |in )?"
        r"(?:every ?where|every (?:single )?(?:site|platform)|all (?:the )?(?:review )?(?:sites|platforms))|review"
        r" (?:\S+ )?(?:explaining|about|describing|detailing|telling) (?:why|what happened|how|this|my|our|the whole))",
        r"\b(?:1|one|zero|0)[- ]star (?:[^\s.,;!?]+ )?(?:review|rating)\b(?!s| (?:from|by|left|on (?:our|my)|auto\w*))"
        r"|\breview\b[^.!?]{0,40}?\b(?:won'?t|will not|isn'?t going to|is not going to|not going to) be (?:pretty|kind"
        r"|nice|good|positive|flattering|gentle|favou?rable)",
        r"\b(?:tweet\w*|go(?:ing)? (?:public|viral)|the press(?! release)|journalist|nam\w+ and sham\w+|bad publicity|make (?:this|it)"
        r" public|publicly(?! (?:available|accessible|visible|listed|traded|facing|readable))|review is coming"
        r"|reviewing you|(?:make|making) (?:a |an )?(?:tiktok|youtube|video)(?!(?: video)? (?:tutorial|walkthrough|demo|guide"
        r"|explainer|for (?:our|my) (?:customers|team|users|clients))))",
        # a post, video or article about the customer's experience, "a YouTube video about this disaster"
        r"\b(?:make|making|record\w*|film\w*|post\w*|upload\w*|publish\w*|writ\w+|draft\w*|put\w* (?:out|together)"
        r"|shoot\w*|start\w*) (?:a |an |my |our )?(?:[^\s.,;!?]+ )?(?:blog ?post|article|thread|video|vlog|tiktok|reel"
        r"|story|expose|piece|write-?up|post|podcast episode|episode)(?: [^\s.,;!?]+){0,2}? (?:about|on|exposing"
        r"|describing|detailing) (?:how (?!to\b|great|good|easy|well|much (?:i|we) love)|what (?:you|happened)"
        r"|this (?:<<mess>>)|the (?:way you|<<mess>>)|(?:my|our) experience|your (?:terrible|awful|bad|poor|lousy"
        r"|non-?existent|useless|so-called)|you\b(?! (?:can|could|guys (?:are|were) great)))",
        r"\b(?:newsletter|blog|podcast|channel|article|post|video|issue|episode|column|thread|tweet)(?: [^\s.,;!?]+)?"
        r" (?:will|is going to|'ll|is gonna) (?:\S+ )?(?:mention|cover|feature|include|talk about|be about|describe"
        r"|name|expose|tell) (?:you\b(?! (?:can|could))|how you|what you|the way you|this (?:<<mess>>)|your (?:terrible"
        r"|awful|bad|poor|lousy|company|support|service|outage|failure))",
        r"\b(?:tell|telling|warn\w*|let|alert\w*) (?:all |every ?(?:one|body)(?! (?:on|in|at) (?:my|our|the)"
        r" (?:team|company|office|org\w*|department|workspace|staff))|the whole|others|other (?:\w+ )?(?:customers|users"
        r"|companies|businesses|agencies|shops|owners|founders|teams|firms|members)|people|(?:all )?(?:my|our) (?:\d+k? )?(?:followers|network|audience|subscribers"
        r"|readers|connections))",
        r"\b(?:warn\w*|tell\w*|inform\w*|alert\w*) (?:\S+ ){0,4}?(?:in|on|via|through) (?:\S+ ){0,2}?<<public>>",
        r"\b(?:make sure|ensure|until|so that) <<crowd>>(?: [^\s.,;!?]+){0,4}? (?:hears?|knows?|finds? out|learns?"
        r"|reads?|sees?) <<what>>|\b<<crowd>>(?: [^\s.,;!?]+){0,4}? (?:is going to|are going to|will|'ll|is gonna"
        r"|are gonna)(?: all)? (?:hear|know|find out|learn|read) <<what>>",
        r"\b(?:you(?:'ll| will| are going to|'re going to) (?:soon )?|when you |until you )(?:see|read about|hear about"
        r"|find) (?:this|it|all (?:of )?this|the whole \w+|us|me|your (?:name|company))(?: [^\s.,;!?]+){0,2}? (?:on|in"
        r"|all over) (?:[^\s.,;!?]+ ){0,2}?<<public>>|\b(?:this|it|all (?:of )?this|the whole (?:thing|story|chat"
        r"|conversation|thread)) (?:will|'ll|is going to|'s going to|is gonna) (?:be |go |end up )(?:up |out )?(?:on"
        r"|all over|in) (?:[^\s.,;!?]+ ){0,2}?<<public>>",
        r"\bnext (?:stop|step|move)(?: is| will be|:)? (?:[^\s.,;!?]+ ){0,3}?(?:<<public>>|review|the press"
        r"|journalist|the media|public)|\bwhat (?:[^\s.,;!?]+ )?<<public>>(?: users| people| folks| crowd)? (?:thinks?"
        r"|says?|makes? of|has to say|will (?:think|say))",
        # round 5: the complaint taken to an authority, a consumer body, a court or a class action ("reported you to
        # the FTC", "a formal complaint has been lodged with the Bundesnetzagentur", "my lawyer will be in touch")
        # round 12: "I was going to complain to the ombudsman but..." (the match would cut the cue "was going to")
        r"\b(?:report\w*|complain\w*|escalat\w+|(?<!was )(?<!were )go\w*|turn\w*|writ\w+|wrote|tak\w+|appeal\w*|email\w*"
        r"|contact\w*|fil\w+"
        r"|lodg\w+|refer\w*|flag\w*|denounc\w*)(?: (?!and\b|but\b)[^\s.,;!?]+){0,5}? (?:to|with|at|before) (?:the |your "
        r"|my |local )?<<authority>>",
        r"\b(?:complaint|report|case|claim|grievance)s? (?:\S+ ){0,4}?(?:lodged|filed|submitted|sent|made|opened|raised"
        r"|registered) (?:with|to) (?:the )?(?:\S+ )?<<authority>>|\b(?:emailed|called|wrote to|contacted|told) (?:the )?"
        r"<<authority>>|\bclass[- ]action|\bsmall claims|\b(?:see you|take (?:you|this|it|the matter|them)(?: all the way)?"
        r" to|drag (?:you|this) (?:in)?to) court\b",
        r"\b(?:(?:my|our) (?:lawyers?|attorneys?|solicitors?|legal (?:team|department|dept|counsel|advisors?))|legal counsel)"
        r"(?: [^\s.,;!?]+){0,3}? (?:will|'ll|is going to|are going to|has been|have been|is|are|was|were)(?: \S+)?(?: be)?"
        r" (?:in touch|contact\w*|review\w*|sending|send|writ\w+|draft\w*|look\w* into|informed|involved|notified"
        r"|handling(?! (?:the|my|our|a) (?:\S+ )?(?:sale|purchase|estate|probate|conveyancing))|taking|preparing"
        r"|instructed)|\bhear\w* from (?:my|our) (?:lawyers?|attorneys?|solicitors?|legal)"
        r"|\b(?:i'll|i will|we'll|we will|going to|gonna|plan to|intend to|ready to|prepared to|about to) sue\b"
        r"|\bsolicitor(?: [^\s.,;!?]+){0,2}? (?:will|is|'ll) (?:be )?(?:sending|send|writ)",
        # a post that is out or coming: "this is going into my YouTube review", "my tiktok about your service is getting views"
        r"\b(?:go\w*|put\w*) (?:in)?to (?:my|our) (?:\w+ )?(?:review|video|vlog|blog|post|thread|newsletter|podcast"
        r"|article|tiktok)|\b(?:my|our) (?:\w+ )?(?:tiktok|video|post|thread|tweet|review|reel|story)(?: [^\s.,;!?]+){0,5}?"
        r" (?:is|are|has|have) (?:\S+ )?(?:getting|gotten|got|gone|going|had|racking) (?:\S+ ){0,3}?(?:views|likes"
        r"|viral|shares|traction|attention|comments|retweets)|\bexpect (?:a|an|my|our) (?:\S+ ){0,2}?(?:post|thread|video"
        r"|article|tweet|write-?up|blog\w*)\b",
        # German, French, Spanish (accents folded)
        r"\b(?:verbraucherzentrale|verbraucherschutz|schlichtungsstelle|bundesnetzagentur|defensa del consumidor"
        r"|oficina (?:municipal )?del consumidor|dgccrf|que choisir|associations? de consommateurs|mediateur)\b"
        r"|\b(?:laisser|poster|publier|ecrire|mettre) (?:un |une |des )?(?:avis|commentaires?)\b|\b(?:schlechte|negative"
        r"|oeffentlich\w*) (?:bewertung|rezension)|\bbewertung (?:schreiben|abgeben|hinterlassen)|\b(?:dejar|escribir"
        r"|poner|publicar) (?:una |mi )?(?:resena|opinion)|\b(?:meine|mes|mis) (?:follower|abonnes|seguidores)\b"
        r"|\b(?:en (?:las )?redes sociales|sur les reseaux|in den sozialen medien)|\bdenunciar\w*|\bporter plainte"
        r"|\banzeige erstatten",
        # round 6: a lawyer or an authority already involved ("I've spoken to a solicitor", "our lawyers are reviewing
        # the contract", "the ombudsman will hear from me", "writing to my MP", "a reporter at the Herald"), a review
        # announced in few words ("yelp review incoming", "trustpilot here I come")
        r"\b(?:spoken|spoke|talked|talking|speaking|been) (?:to|with) (?:a|my|our) (?:lawyers?|attorneys?|solicitors?"
        r"|legal (?:team|counsel|advisors?))|\b(?:my|our) (?:lawyers?|attorneys?|solicitors?|legal (?:team|department))"
        r" (?:is |are |has been |have been )?(?:cc'?d|copied|reviewing|looking at|on (?:this|it))\b",
        r"\b(?:the )?<<authority>> (?:will|'ll|is going to|are going to|gets?|might|may|would|could|will be)"
        r" (?:\S+ )?(?:hear|get involved|be involved|involved|be interested|interested|be hearing|know|be told"
        r"|be informed)\b|\b(?:contact\w*|involv\w+|call\w*|email\w*|writ\w+|rais\w+) (?:\S+ )?(?:with |to )?(?:the )?"
        r"<<authority>>|\b(?:writ\w+|wrote|complain\w*|go\w*) to (?:my|our|the local) (?:mp|congress\w*|senator"
        r"|councill?or|member of parliament|state rep\w*)\b",
        r"\b(?:contacted|called|emailed|spoke to|spoken to|talked to|tipped off|writing to|wrote to|going to) (?:a|the"
        r"|some|our local|my local) (?:\w+ )?(?:reporters?|journalists?|newspapers?|news desk|tv station|consumer"
        r" (?:show|programme|program))\b",
        r"\b<<public>>(?: \w+)? (?:review|post|thread|rant|video)s? (?:is )?(?:incoming|coming|going up|goes up"
        r"|landing|drops)\b|\b<<public>> here (?:i|we) come\b",
        r"\b(?:this|it|all (?:of )?this) (?:goes|is going|will go|'ll go|gets posted|will be posted) (?:up )?(?:on|to"
        r"|all over) (?:\S+ )?<<public>>",
        r"\bpublicar\w* en (?:las )?redes|\breclamacion en consumo|\bhoja de reclamaciones",
        # Spanish, French, Italian, Portuguese, German, Dutch: the customer will put this on a public site ("lo publico
        # en twitter", "je vais tout raconter sur les reseaux", "lo scrivo su trustpilot", "vou expor isso nas redes",
        # "poste ich das auf Twitter", "ik zet dit op facebook"): an object or a future, not a habit ("je poste sur
        # instagram tous les jours") nor a feature ("como publico en facebook desde la app")
        r"\b(?:(?:lo|la|los|las|esto|eso|todo(?: esto)?) (?:publico|publicare|publicamos|subo|subire|cuento|contare"
        r"|pongo|pondre|comparto|compartire|expongo|expondre)|(?:voy|vamos) a (?:(?:publicar|subir|contar|compartir"
        r"|exponer)(?:lo|la|los|las)?|(?:poner|escribir)(?:lo|la|los|las))|publicare|contare|expondre"
        r"|(?:je|on|nous) (?:vais |va |allons )?(?:le |la |les |tout |ca |tout ca )(?:publie|publier|poste|poster"
        r"|raconte|raconter|mets|mettre|partage|partager|balance|balancer)|publierai|posterai|raconterai|balancerai"
        r"|(?:lo|la|tutto) (?:pubblico|pubblichero|posto|postero|scrivo|scrivero|racconto|raccontero|metto|mettero"
        r"|condivido)|pubblichero|postero|raccontero"
        r"|(?:vou|vamos) (?:publicar|postar|expor|contar|colocar|compartilhar|escrever)|(?:isso|tudo) (?:publico|posto"
        r"|exponho)|publicarei|postarei|exporei"
        r"|(?:poste|veroffentliche|teile|stelle|schreibe) ich (?:das|es|alles|dies|den \w+|die \w+)|(?:werde|werden)"
        r" (?:ich |wir )?(?:das|es|alles|dies|den \w+|die \w+)"
        r"|(?:ik |we )?(?:zet|post|deel|plaats) (?:ik |we )?(?:dit|het|alles|dat))"
        r"(?:(?! (?:nicht|niet|no|non|nao|pas|ne|y|e|et|und|and|pero|mais|aber|ma|mas|maar)\b)[^.!?]){0,40}? (?:en|por|sur|dans|su|sui|nei|in|no|na|nos|nas|em"
        r"|auf|bei|ins|im|op) (?:(?:todas|todos|toutes|tous|tutti|tutte|alle|las|los|les|mes|mis|le|la|el|den|die|meinen|meine|i|gli"
        r"|miei|as|os|de|het|mijn) ){0,2}(?:<<public>>|redes(?: sociales| sociais)?|reseaux(?: sociaux)?|social(?: media)?|sozialen \w+|internet|netz|reclame aqui)\b"
        r"(?!(?: \S+)? (?:desde|from|depuis|dalla|dal|da|von|vanuit|via|con|avec|mit|met|com) (?:la|the|l'|vostra|su|sua"
        r"|votre|your|eure|ihre|jullie|uw) ?(?:app|aplicacion|application|applicazione|aplicativo))",
        r"\brecensione negativa|\b(?:reclamar (?:no |na )?)?reclame aqui\b|\bprocon\b|\bconsumentenbond\b|\bklacht (?:\S+ ){0,3}?(?:indienen"
        r"|ingediend)|\b(?:slechte|negatieve) (?:review|recensie)|\b(?:avvocato|advogado|advocaat)\b",
        # (2026-12, the fifty-fifth and fifty-seventh conversation authors') a lawyer or an ombudsman in German, Spanish,
        # French, Polish, Nordic languages, Finnish and Czech ("sonst geht das an meinen Anwalt", "gehe ich zum
        # Versicherungsombudsmann"), not the French avocado ("les avocats etaient abimes")
        r"\b(?:(?:an|zu|mit|von) (?:meinen|meinem|unseren|unserem) (?:rechts)?anwalt|(?:mein|unser) (?:rechts)?anwalt"
        r"(?: \w+){0,3}? (?:schaut|pruft|prueft|wird|kummert|meldet|schreibt|ist|hat)|(?:rechts)?anwalt (?:einschalten"
        r"|einschalte|beauftragen|beauftrage|informieren|nehmen)|(?:mi|nuestro|un|nuestros|mis) abogad[oa]s?|(?:mon|notre)"
        r" avocat|(?:moj|mojego|moim|naszego|naszym) (?:prawnik\w*|adwokat\w*)|(?:min|vores|var|minn) (?:advokat|jurist)"
        r"|asianajaja\w*|(?:muj|mym|naseho) (?:pravnik\w*|advokat\w*)|(?:zum|zur|beim|an den|an die) \w*ombuds\w*"
        r"|(?:zur|an die) (?:schlichtungsstelle|verbraucherzentrale|bafin))\b",
        r"\b(?:every ?(?:one|body)|people|other (?:customers|parents|patients|owners)) (?:should|needs? to|deserves? to"
        r"|ought to) (?:know|hear) (?:about )?(?:this|how|what)|\b(?:go\w*|writ\w+|talk\w*) to the (?:papers|press|media)\b"
        r"|\breview[- ]bomb\w*",
        # round 7: a post being made, a subreddit, the local paper, a letter from counsel, "next stop, <authority>"
        r"\b(?:the|my|a) (?:tiktok|video|youtube video|reel|thread|post|blog post|review)s? (?:i'?m|i am|we'?re|we are)"
        r" (?:making|filming|recording|writing|posting|putting up|drafting)\b|\br/\w+ (?:is |are )?(?:going to|gonna"
        r"|will|would) (?:love|hear|enjoy|see)\b",
        r"\b(?:the )?(?:local |national )?(?:paper|newspaper|papers|press|radio|tv|news desk|journalists?|reporters?)"
        r" (?:is|are|would be|will be|seems?) (?:very |really |most |extremely )?(?:interested|keen|curious)\b"
        r"|\b(?:letter|notice) from (?:our|my) (?:legal counsel|lawyers?|solicitors?|attorneys?)\b"
        r"|\bnext stop[,:]? (?:is |will be )?(?:the )?(?:<<authority>>|<<public>>)",
        r"\b(?:going|go|taking (?:this|it|you)|take (?:this|it|you)) to (?:the )?consumer (?:court|tribunal)\b",
        # round 13 (families in several authors' sets, measured leave-one-author-out): a trade, professional or
        # licensing body ("reporting you to the optical council", "the state dental board", "the labour inspectorate",
        # "the accreditation body will be hearing from me"; not "on behalf of our beekeeping association")
        r"\b(?:report\w*|complain\w*|escalat\w+|go(?:ing|es|ne)?|tak\w+|writ\w+|wrote|email\w*|contact\w*|call\w*"
        r"|rais\w+|fil\w+|lodg\w+|refer\w*|inform\w*|notif\w+|alert\w*)(?: (?!and\b|but\b|on behalf\b|behalf\b|from\b)"
        r"[^\s.,;!?]+){0,5}? (?:to |with |at |before )?(?:the|my|our|your|their) (?:[^\s.,;!?]+ ){1,3}?(?:association"
        r"|board|council|commission|inspectorate|authority|body|institute|federation)\b(?! (?:meeting|members?"
        r"|of directors|game|room|exam)\b)",
        r"\b(?:the|my|our|your) (?:[^\s.,;!?]+ ){1,3}?(?:association|board|council|commission|inspectorate|authority|body"
        r"|institute|federation) (?:will|'ll|is going to|are going to|might|may|would|should) (?:\S+ )?(?:hear|be hearing"
        r"|know|be interested|want to know|be told|be informed)\b",
        # the press, a paper by its name ("I've contacted the local paper", "a letter to the Gazette"; not "the paper
        # book", "a press release")
        r"\b(?:contact\w*|call\w*|ring\w*|rang|email\w*|writ\w+|wrote|go(?:ing|ne)?|tell\w*|told|tip\w*(?: off)?|gave"
        r"|giv\w+|talk\w*|spoke|speak\w*|send\w*|sent) (?:[^\s.,;!?]+ ){0,3}?(?:to )?(?:the|a|my|our) (?:local |regional"
        r" |national |trade |daily |evening |weekly )?(?:paper|papers|newspaper|gazette|magazine|press(?! release)"
        r"|tv station|radio station|news desk|consumer (?:show|programme|segment))\b(?! (?:book|form|copy|copies"
        r"|version|trail|bag|towel|statement|bill|invoice|receipt|ticket|work|based|records?|release|kit|pack)\b)",
        r"\b(?:the )?(?:local |regional |national |trade )?(?:paper|newspaper|gazette|magazine|tv station|radio station"
        r"|press)(?! release)(?: [^\s.,;!?]+){0,6}? (?:is|are|would be|will be|'ll be|seems?|might be) (?:very |really"
        r" |most |extremely |so )?(?:interested|keen|curious)\b",
        # the data protection authority in the customer's language (the words of `legal_threat`'s, 2026-12)
        r"\b(?:datenschutz(?:aufsichts)?behorde|(?:landes)?datenschutzbeauftragten?|aufsichtsbehorde|cnil|aepd|agencia"
        r" espanola de proteccion de datos|garante (?:per la |della )?(?:protezione dei dati|privacy)|autoriteit"
        r" persoonsgegevens|commission nationale de l'informatique)\b",
        # counsel retained or at work, a formal notice to follow ("our counsel is reviewing the contract", "Der Anwalt
        # ist schon eingeschaltet")
        r"\b(?:retained|instructed|hired|engaged|appointed) (?:a |an |our |my )?(?:legal )?(?:counsel|lawyers?|solicitors?"
        r"|attorneys?)\b|\b(?:our|my) counsel (?:is|are|has|have|will) (?:\S+ )?(?:reviewing|review|looking|in touch"
        r"|contact\w*|draft\w*|sending|preparing)|\bformal (?:notice|letter|complaint|claim) (?:to follow|will follow"
        r"|follows|is coming|on its way)\b|\b(?:mein|unser|der) (?:rechts)?anwalt (?:ist|wurde|hat) (?:\S+ )?"
        r"(?:eingeschaltet|informiert|beauftragt|eingeschalten)",
        # (2026-12, round 14: test12's families that another author's set has too) a consumer programme, a journalist or
        # the local paper contacted, an MP or councillor written to, a video or thread with its views
        r"\b(?:consumer (?:programme|program|show)|journalist|reporter|redakt\w+|redacteur|watchdog programme"
        r"|kassensturz|rtl|bbc)\b[^.!?]{0,60}\b(?:looking for cases|interested in (?:my|our) (?:case|story)"
        r"|interessiert sich|sent (?:them|her|him)|contacted|contacting|emailed|in touch)\b|\b(?:contacting"
        r"|contacted|emailed|writing to|wrote to|told) (?:the )?(?:bbc|itv|channel \d|rtl|local (?:paper|news"
        r"|tv|radio)|newspaper|press|papers)\b",
        r"\b(?:contact\w*|wr(?:ote|iting|itten) to|email\w*|complain\w* to|gone to|going to|went to|told"
        r"|involv\w*) (?:my|our|the local) (?:mp|m\.p\.|member of parliament|congress(?:wo)?man|senator"
        r"|councillor|councilor|assemblyman|mep)\b|\b(?:my|our) (?:mp|member of parliament|congress(?:wo)?man"
        r"|senator|councillor|councilor|mep)'s office\b",
        r"\b(?:tiktok|video|reel|post|thread|tweet)\b[^.!?]{0,80}\b\d+k? (?:views|likes|shares|retweets)\b"
        r"|\bthread (?:incoming|coming|going up)\b",
    ),
    "competitor_switch": (
        # (2026-12, the eleventh conversation author's) "I'll just cancel and go to the gym down the road"
        r"\b(?:go|going|move|moving|switch|switching|take (?:my|our) (?:business|money)) (?:over )?to (?:the|another|a"
        r" different|a new) (?:\w+ ){0,2}?(?:down the road|across the (?:street|road)|round the corner|around the"
        r" corner|in town|next door)\b",
        # moving to another vendor: "we're moving to Zendesk", "jumping ship to a competitor"
        r"\b(?:switch\w*|mov\w+|migrat\w+|go|going|gone|went|jump\w*(?: ship)?|tak\w+|port\w*|transfer\w*|head\w*"
        r"|defect\w*)(?: (?:all )?(?:my|our|the) [^\s.,;!?]+(?: [^\s.,;!?]+)?| (?:it all|everything|us|them"
        r"|all of (?:it|them|our [^\s.,;!?]+))| over| back)? (?:to|over to|onto) (?:<<rivals>>|<<alt>>)"
        r"(?!<<integration>>)",
        r"\b(?:(?:go|going|gone|went|sign\w*(?: up)?|partner\w*|stick\w*|fl(?:y|ying|ew|own)|book\w*|shop\w*) with|chose|chosen|choos\w+|pick\w*|select\w*"
        r"|opt\w* for|settl\w+ (?:on|for)|decid\w+ on|sign\w* (?:up )?(?:for|to)) (?:<<rivals>>|<<alt>>)"
        r"(?!<<integration>>)",
        r"\b(?:replac\w+|dump\w*|ditch\w*|leav\w+|swap\w*) (?:you|your \S+)(?: \S+)? (?:with|for)\b"
        r"|\bleav\w+ (?:us |you )?for (?:<<rivals>>|<<alt>>)(?!<<integration>>)",
        r"\b(?:leav\w+|quit\w*|ditch\w*|dump\w*|abandon\w*|replac\w+|walk\w* away from|mov\w+ away from|migrat\w+ (?:away from"
        r"|off)|get\w* off) (?:you(?: guys)?|your (?:\w+ )?(?:platform|product|service|tool|app|software|company"
        r"|helpdesk|solution))\b(?! (?:a|an|the|my|our|some|this|that|with|feedback|know|alone|\d|keys?|licen[cs]es?"
        r"|tokens?)\b)",
        r"\bjump\w* ship|\b(?:tak\w+|mov\w+|go|going|look\w*|shop\w*|head\w*) (?:[^\s.,;!?]+ ){0,2}?elsewhere"
        r"|\b(?:business|money|custom) (?:somewhere )?else",
        # "I'm going on leave" is a holiday
        r"\b(?:we(?:'re| are)|i(?:'m| am)) (?:(?!not\b|never\b)[^\s.,;!?]+ ){0,3}?(?<!\bon )(?:leaving|switching|moving|move|switch"
        r"|leave)(?= *(?:[.!]|$|,? (?:unless|if|as soon as|at (?:the )?end of (?:the|this|our) (?:month|quarter|year"
        r"|contract|term))))",
        r"\b(?:your |the )?(?:competitors?|rivals?|competition|other guys)\b[)'s]* (?:is|are|do|does|don'?t|has|have"
        r"|offer\w*|answer\w*|respond\w*|repl(?:y|ies)|charg\w+|includ\w+|actually)\b|\b(?:<<rivals>>|(?:your|the) (?:competitors?|rivals?|competition)|the other guys)(?!<<integration>>)"
        r"[)'s]* (?:\([^)]*\) )?(?:is|are|looks?|seems?|works?|does|do|did|has|have|had|offers?|answers?|responds?"
        r"|replies|gets?|handles?|supports?|charges?)(?: [^\s.,;!?]+){0,4}? (?:better|cheaper|faster|out of the box"
        r"|for (?:half|free|less)|less\b|actually works?|just works?|within (?:an? |\d)|in (?:\d+|a few) (?:minutes"
        r"|seconds|hours)|in minutes|a fraction)",
        # round 10: not "we evaluated alternatives two years ago and picked you"
        r"\b(?![^.!?]{0,60}\b(?:picked|chose|went with) (?:you|baton)\b)"
        r"(?:look\w*|search\w*|shop\w*|find\w*|evaluat\w+|consider\w*|try\w*|explor\w+|research\w*|compar\w+|think\w*"
        r" (?:about|of)|weigh\w*|scout\w*|assess\w*|test\w*|trial\w*|demo\w*)(?: around)?(?: at| for| into)?"
        r" (?:[^\s.,;!?]+ )?(?:alternatives?(?! (?:email|address|payment|method|card|way|login|phone|contact))|other"
        r" (?:\w+ )?(?:vendors|providers|tools|solutions|helpdesks|platforms|products|suppliers)|other options(?! (?:for"
        r"|to|in|on|than)\b)|(?:another|new|different|a new|a different|a cheaper) (?:\w+ )?(?:provider|vendor|tool"
        r"|platform|helpdesk|solution|supplier)|(?:a )?replacement(?! (?:card|device|phone|key|part|laptop|token"
        r"|invoice|for (?:my|our|the) (?:card|device|phone|key|laptop|token|invoice)))|switching(?! (?:to|from|between"
        r"|over|on|off|our|my|the|plans?|billing|accounts?|workspaces?|users?)\b)|leaving(?! (?:the|a|my|our|for|on"
        r"|at|early|now|today)\b)|(?:your )?competitors?)",
        r"\b(?:evaluat\w+|consider\w*|trial\w*|trying out|testing|demo\w*|piloting|in talks with|negotiat\w+ with"
        r"|check\w* out) (?:<<rivals>>)\b(?!<<integration>>)",
        r"\b(?:switch\w*|chang\w+) (?:vendors|providers|helpdesks|tools|platforms|suppliers)",
        r"\b(?:demo|trial|talks|contract|offer|deal|quote|proposal|pitch|bid) (?:[^\s.,;!?]+ )?(?:with|from)"
        r" (?:<<rivals>>|<<alt>>|a competitor|another)|\bcompeting (?:offer|quote|bid|proposal|deal)|\b(?:<<rivals>>"
        r"|competitor|rival)\S* (?:\S+ )?(?:offered|quoted|gave|approached|pitched|is offering|are offering)"
        r"|\bapproached by (?:<<rivals>>|<<alt>>|a competitor)",
        r"\b(?:try\w*|us(?:e|ing)|go(?:ing)? with|look\w* at|switch\w* to|mov\w+ to|get\w*|buy\w*|pay\w* for)"
        r" (?:[^\s.,;!?]+ ){0,2}?(?:<<rivals>>|<<alt>>|them)(?!<<integration>>)[^\s.,;!?]*(?: [^\s.,;!?]+){0,3}?"
        r" instead\b",
        r"\b(?:should|might as well|may as well|better off|would rather|i'd rather|we'd rather)(?: just)?"
        r" (?:us(?:e|ing)|go(?:ing)? with|switch\w* to|mov\w+ to|pay\w* for|be with) (?:them|<<rivals>>|<<alt>>)"
        r"(?!<<integration>>)",
        r"\bfound (?:a |an |something |someone )?(?:better|cheaper|faster)(?: \w+)? (?:provider|vendor|tool|platform"
        r"|solution|helpdesk|option|alternative|deal|offer|price|elsewhere)|\bfound (?:something|someone) (?:better"
        r"|cheaper|else)|\bfound (?:a |an )?(?:cheaper |better )?alternative",
        # changing who the customer buys from: "I'll switch insurer at renewal", "changing broadband provider"
        r"\b(?:switch\w*|chang\w+|mov\w+) (?:my |our )?(?:insurers?|carriers|suppliers|providers|vendors|airlines"
        r"|couriers|isps?|(?:energy|electricity|gas|broadband|mobile|phone|internet) (?:supplier|provider|company"
        r"|network)s?)\b",
        # a new vendor that starts: "our new supplier starts in April", "a kickoff call with our new vendor"
        r"\b(?:our|my|the) new (?:\w+ )?(?:provider|vendor|supplier|helpdesk|help desk|bank|carrier|insurer|courier)"
        r"(?! (?:agents?|admins?|users?|team|reps?|managers?|colleagues?|staff|hires?|members?|employees?|account"
        r"|portal|feature|version|integration|login)\b)(?: [^\s.,;!?]+){0,4}? (?:starts?|goes? live|is live|takes? over"
        r"|kicks? off|begins?|is connecting|connects)"
        r"|\bkick-?off (?:call |meeting )?with (?:our|the|a) new (?:\w+ )?(?:provider|vendor|supplier|partner)",
        # someone else's better offer: "BT sent me a better offer", "the quote from Aviva is much better"
        r"(?<!you )(?<!you've )(?<!rep )(?<!colleague )(?<!manager )(?<!team )\b(?:sent|gave|given|offered|offering"
        r"|giving|quoted) (?:me|us) (?:a |an )?(?:much |far |way )?(?:better|cheaper|lower) (?:offer|deal|price|rate"
        r"|quote)|\b(?:quote|offer|deal|price|rate)s? (?:from|with) (?!you\b|your\b|(?:the )?(?:last|next|this|previous"
        r"|sales|app|website|site|portal)\b)(?:[^\s.,;!?]+ ){1,2}?(?:is|was|that'?s|which is|are|were) (?:\S+ ){0,3}?"
        r"(?:cheaper|better|lower|less)\b",
        # the business taken elsewhere: "we're taking the store to Shopify", "I'm porting my number to another network"
        r"\b(?:tak\w+|mov\w+|transferr?\w*|port\w*) (?:all )?(?:my|our|the) (?:\w+ )?(?:business|savings|mortgage|isa"
        r"|pension|store|shop|numbers?|phone plans?|domains?|support|policy|policies|custom) (?:over )?(?:to|onto) "
        r"(?!your\b|you\b|us\b|the (?:new|next|pro|business|enterprise|annual|monthly|premium|basic|starter|higher|lower"
        r"|cheaper|free|same|other)\b|(?:a|an|the) (?:\w+ )?(?:plan|tier|package|address|office|folder|team|account|card"
        r"|phone|device|user)\b|another (?:plan|tier|package|user|admin|colleague|account|card|team|phone|device|folder"
        r"|address|office)\b|my |our |monthly|annual|yearly|quarterly|paper|email)",
        # round 5: a pilot, a prototype or an offer elsewhere; a vendor that answers; shopping around
        r"\b(?:prototyp\w*|pilot\w*|poc|proof of concept|trial\w*|test\w*|built|building|rebuil\w+) (?:\S+ ){0,3}?(?:on|with"
        r"|in) <<rivals>>\b(?!<<integration>>)|\b(?:pilot\w*|trial\w*|trying|evaluat\w+|testing) (?:a |an )?(?:different"
        r"|new|another|other|competing) (?:\w+ )?(?:crm|helpdesk|help desk|tool|system|platform|software|product|solution"
        r"|provider|vendor|supplier)",
        r"\b(?:find|look\w* for|get|hire|go with|going with) (?:a |an |another |some )?(?:\w+ )?(?:vendor|provider"
        r"|supplier|company|platform|tool|service) (?:that|who|which) (?:actually|does|can|will|answers|responds|works"
        r"|cares|picks up)|\boffered to (?:migrate|move|switch|port|onboard|transfer) (?:us|me|our|my)|\bshop\w* around\b"
        r"|\b(?:move|switch|migration|transition|changeover) to (?:the|a|our) new (?:\w+ )?(?:vendor|provider|supplier"
        r"|crm|helpdesk)\b",
        # German, French, Spanish
        r"\b(?:zu (?:einem )?(?:anderen|neuen) anbieter|anbieter ?wechsel|(?:zu|auf) (?:<<rivals>>|die konkurrenz)"
        r" (?:zu )?(?:wechseln|umsteigen)|(?:wechseln|umsteigen) (?:zu|auf) (?:<<rivals>>|einem anderen|die konkurrenz))"
        r"|\b(?:chez|vers) (?:un|le) concurrent|\bla concurrence\b|\bchanger de (?:fournisseur|prestataire|operateur"
        r"|logiciel|banque)|\b(?:migrando|migrar|cambiar\w*|cambiamos|pasarnos|pasamos|irnos|nos vamos|me voy) (?:\S+ ){0,2}?"
        r"a (?:otra|otro) (?:plataforma|proveedor|empresa|herramienta|servicio|compania)|\bla competencia\b",
        # round 6: looking for another host, joining friends on a different tool, another app already downloaded,
        # "looking around now", "other ISPs in town"; German and French
        r"\b(?:look\w*|search\w*|shop\w*|find\w*|compar\w+) (?:for |at |around for |with )?(?:another|a new|a different"
        r"|other|a cheaper|a better|un autre) (?:\w+ )?(?:hosts?|hosting|isps?|banks?|apps?|services?|compan(?:y|ies)"
        r"|systems?|platforms?|providers?|vendors?|fournisseur|operateur)\b|\babout to (?:join|switch|move|leave|jump"
        r"|go over)\b",
        r"\b(?:downloaded|installed|bought|signed up (?:for|with)|subscribed to|found|got) (?:another|a different|a new"
        r"|a cheaper|a better) (?:\w+ )?(?:app|tool|service|platform|provider|vendor)(?: \S+){0,4}? (?:that|which) (?:does"
        r"|do|has|offers|works|costs)|\blooking around(?: now)?(?= *(?:[.!]|$))|\bthere are (?:plenty of |lots of |many )?"
        r"other (?:\w+ )?(?:isps|providers|vendors|companies|banks|gyms|airlines|carriers|insurers|hosts|shops|apps)"
        r" (?:in town|out there|on the market|around)",
        r"\b(?:andere|anderen) anbieter\b|\banbieter (?:vergleichen|prufen)|\bun autre (?:fournisseur|operateur|prestataire)",
        r"\b(?:passare|passiamo|passando) (?:a|ad) (?:un|una) (?:altro|altra|nuovo|nuova) (?:fornitore|piattaforma|gestore"
        r"|operatore)|\b(?:mudar|mudando|trocar) (?:\S+ )?para (?:outr[oa]|a concorrencia)|\boverstappen naar(?! (?:jullie|u|uw|ons)\b|(?: \S+){0,3}? \w*(?:abonnement|pakket|bundel|tarief"
        r"|contract|plan)\b| (?:het |de |een )?(?:basis|basic|premium|plus|pro|standaard|standard|light|lite|goud|zilver"
        r"|brons|gold|silver|onbeperkt|unlimited|familie|family|zakelijk|business|student|jaar\w*|maand\w*)\b)|\bandere"
        r" (?:aanbieder|leverancier|provider)\b",
        r"\b(?:cheaper|better) (?:deal|offer|price|option|service)s? (?:elsewhere|out there|down the (?:road|street)"
        r"|across (?:the road|the street|town))",
        # round 7: going back to the old one, weighing up a rival against staying, a trial open elsewhere, a cheaper
        # quote, "give me one reason to stay", "thinking of switching" with nothing after it
        r"\bworse than (?:the one|what) (?:i|we) (?:left|had|used)|\bgoing back to (?:<<rivals>>|\S+)[.!]? *$",
        r"\b(?:seriously |really |actively )?(?:thinking|considering|contemplating) (?:of |about )?(?:switching|moving"
        r" (?:elsewhere|away|on)|changing (?:provider|supplier|vendor)s?)\b(?! (?:to|from|plans?|our|my|the|over|between"
        r"|on|off|it|them|accounts?|users?|billing))",
        r"\bweighing (?:up )?(?:\S+ ){1,3}?against (?:staying|you|renewing)|\b(?:give me|tell me) (?:one|a|any) (?:good )?"
        r"reason (?:to|why (?:i|we) should) stay\b|\bconvince (?:me|us) to stay\b",
        r"\b(?:found|chose|picked) (?:a|an|another) (?:\w+ )?(?:platform|tool|app|system|provider|vendor|solution|software)"
        r" that (?:actually|really|does|handles|works)|\b<<rivals>> trial\b|\b(?:trial|pilot|demo)s? (?:\S+ )?elsewhere\b"
        r"|\b(?:another|a different|a cheaper|other) (?:\S+ ){0,3}?(?:vendor|provider|supplier|company|agency|firm|host)"
        r" (?:quoted|offered|priced)",
        r"\b(?:tester|essayer|teste|testons) (?:une autre|un autre) (?:solution|outil|logiciel|fournisseur|prestataire)"
        r"|\bprobando otr[oa] (?:plataforma|herramienta|solucion|proveedor|app)|\bandere[nr]? (?:losung|anbieter|software)"
        r" (?:testen|ausprobieren)",
        # round 13: another provider in Spanish, Italian, French and Dutch ("la otra empresa nos ofrece mejor precio",
        # "stiamo valutando altri fornitori", "passiamo a un altro hosting", "passer chez un autre assureur")
        r"\b(?:otra|otro) (?:empresa|compania|proveedor|plataforma)\b|\b(?:valutando|cercando|considerando|provando)"
        r" (?:altri|altre|un altro|un'altra) (?:\w+ )?(?:fornitori|piattaforme|aziende|servizi|soluzioni|gestori"
        r"|operatori)\b|\b(?:passiamo|passo|passare|passeremo) (?:a|ad) (?:un|una) (?:altro|altra)\b|\bpasser chez"
        r" (?:un|une) (?:autre|concurrent)\b|\b(?:andere|nieuwe) (?:aanbieders|leveranciers|providers)\b",
        # (2026-12, round 14: families in two authors' sets or more) the next order, pair or job placed there or
        # elsewhere; "guess where I'm going", "the competition deserves my money", "going to use theirs"
        r"\b(?:next|future|remaining) (?:\w+ ){0,2}?(?:pair|order|orders|job|jobs|booking|bookings|batch"
        r"|shipment|season|lessons?|registrations?)\b[^.!?]{0,40}\b(?:there|to them|with them|elsewhere|through them)\b",
        r"\bguess where (?:i'?m|we'?re) (?:going|taking)\b|\bthe competition (?:deserves|gets|will get|can have)\b"
        r"|\b(?:use|using|go with|going with) theirs\b",
        # (2026-12, the thirty-fourth conversation author's) leaving unless the company moves, in Spanish, French,
        # Italian, German, Portuguese ("si no me dejáis en 45 como antes me voy", "sonst wechsle ich"; not "si no puedo
        # ir mañana me voy el lunes")
        r"\bsi no (?:me|nos) \w+[^.!?]{0,60}\b(?:me voy|nos vamos|me cambio|nos cambiamos|me paso|nos pasamos)\b"
        r"|\baltrimenti\b[^.!?]{0,40}\b(?:cambio|passo a) (?:operatore|gestore|fornitore|compagnia|banca)\b"
        r"|\bsonst\b[^.!?]{0,40}\b(?:wechsle ich|wechseln wir)\b|\bsenao\b[^.!?]{0,40}\b(?:mudo|troco) de (?:operadora"
        r"|banco|fornecedor|plano)\b",
    ),
    # (2026-12, the twenty-fifth conversation author's; seven escalations in five authors' sets, no resolve one)
    # what the company's people promised and the bill or the service does not show: a refund, a waiver, no charge,
    # a discount, a call back ("I was told the balance would be waived", "Dr Okafor told us we wouldn't be
    # charged"); not a question of when a promised refund arrives
    "promise_broken": (
        r"\b(?:was|were|been|i was|we were) (?:told|promised|assured|guaranteed)\b(?![^.!?]{0,80}\b(?:within \d"
        r"|in \d+ (?:working |business )?days|when (?:will|should|can|does|do)|how long)\b)[^.!?]{0,80}\b(?:no"
        r" charge|free of charge|for free|free|wouldn'?t be (?:charged|billed)|would not be (?:charged|billed)|(?:a |the"
        r" )?(?:full )?refund\w*|waived?|credit(?:ed)?|reimburs\w*|compensat\w*|money back|call ?back|discount)\b",
        r"\b(?:agent|rep|representative|colleague|advis[eo]r|manager|doctor|dr\.? \w+|salesman|sales ?person"
        r"|sales rep|consultant|staff|guy|lady|woman|man|someone|somebody|person|support|they|he|she|engineer"
        r"|technician|driver)\b[^.!?]{0,40}\b(?:told|promised|assured|guaranteed|confirmed)\b (?:us|me)\b[^.!?]{0,100}"
        r"\b(?:wouldn'?t|would not|won'?t|will not|didn'?t need to|did not need to|don'?t need to) (?:be charged|be"
        r" billed|have to pay|pay|cost)\b",
    ),
    "repeated_contact": (
        # (2026-12, the tenth conversation author's) contacts that got no answer: "nobody picks up the phone"
        r"\b(?:nobody|no ?one|no-one) (?:ever )?(?:picks up|picked up|answers|answered|is answering|replies|replied"
        r"|responds|responded|gets back|got back|calls? back)\b(?! (?:at|in) (?:the|your) (?:store|shop|branch))",
        r"\b(?:second|third|fourth|fifth|sixth|tenth|\d+(?:nd|rd|th)|umpteenth|nth) (?:time|message|email|ticket|chat"
        r"|attempt|call|follow[- ]?up|request)s? (?:\S+ ){0,4}?(?:writ|contact|ask|reach|messag|email|call|chat|explain"
        r"|report|rais|follow|request|tell|told|been (?:told|promised)|start|open)",
        r"\b(?:second|third|fourth|fifth|\d+(?:nd|rd|th)) (?:email|message|ticket|chat|attempt|follow[- ]?up)\b"
        r"|\bfor the (?:second|third|fourth|fifth|\d+(?:nd|rd|th)|umpteenth|nth) time",
        # (2026-12, the sixty-third conversation author's) not a record listed twice ("duplicates, like same email twice")
        r"\b(?<!\bsame )(?<!\bduplicate )(?<!\bduplicated )(?:contact\w*|writ\w+|wrote|email\w*|messag\w+|call\w*|ask\w*"
        r"|reach\w* out|report\w*|rais\w+|explain\w*|been in touch|chas\w+) (?:\S+ ){0,6}?(?:(?:\d+|two|three|four|five|six|ten|several|multiple|many|numerous"
        r"|countless|so many|a bunch of|a dozen) times|twice|repeatedly|over and over|again and again|more than once)",
        r"\bhow many (?:more )?times (?:(?:do|will|must|should|have|did|am|shall) )?(?:i|we|i've|we've|i'm|we're)\b"
        r" (?:\S+ ){0,4}?(?:ask|explain|write|tell|contact|repeat|call|email|message|chase)",
        r"\b(?:keep|kept) (?:having to )?(?:contact|writ|ask|email|messag|call|explain|chas|report|reach|follow)",
        r"\b(?:once again|yet again|again) (?:i'm |i am )?(?:writing|contacting|asking|reporting|following)"
        r"|\b(?:writing|contacting|following up|messaging) (?:\S+ )?again\b",
        # (2026-12, the sixty-third conversation author's round) not "it's everyone in the office, 40 people": no clause
        # break between
        r"\b(?:opened|sent|filed|raised|submitted|across|spent|in|explain\w* (?:\S+ )?to) (?:[^\s,.;:!?]+ ){0,2}?(?:multiple"
        r"|several|numerous|\d+|two|three|four|five|six) (?:separate |different )?(?:tickets|emails|messages|chats"
        r"|calls|agents|people)",
        r"\b(?:my|our) (?:last|previous|past) (?:\d+ |two |three |four |few |several )?(?:emails|messages|tickets|chats"
        r"|times)|\bthe (?:last|previous|past) (?:\d+|two|three|four|few|several) times (?:i|we) (?:wrote|contacted"
        r"|asked|called|reached|messaged|emailed|chatted|reported|raised)|\bhere (?:i am|we are) again\b"
        r"|\b(?:contact\w*|wr[io]te|written|email\w*|call\w*|messag\w*|chas\w+)(?: \S+){0,3}? on (?:mon|tues|wednes"
        r"|thurs|fri|satur|sun)day,? (?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,? )?and (?:again )?(?:on )?(?:\w+day"
        r"|this morning)|\b(?:yet )?another (?:message|email|ticket|chat) (?:from me|about (?:the|this) same)",
        r"(?:\bnot|n'?t) the first time (?:i'm |i am |i've |i have |we )?(?:writ|contact|rais|report|ask|reach|complain"
        r"|messag)",
        r"\bevery time (?:i|we) (?:contact|write|call|email|message|reach|chat|ask)|\d{3,}, #?\d{3,},? and #?\d{3,}",
        r"\bchas\w+ (?:you|this|it) (?:\S+ ){0,3}?for (?:weeks|months|a month|days|\d+)",
        # (the seventy-fifth conversation set's round) not a booking again in the future ("might book again in september")
        r"(?<!\bbook )(?<!\bcome )(?<!\bvisit )(?<!\border )(?<!\bstay )(?<!\bbuy )(?<!\bgo )(?<!\bsee you )(?<!\btravel )"
        r"\bagain (?:in|on|last) (?:\w+day|january|february|march|april|may|june|july|august|september|october"
        r"|november|december|week)|\bon the \d+(?:st|nd|rd|th) and (?:again )?on the \d+",
        # round 5: a contact before this one, named ("as I said in my previous email", "same as my ticket from
        # yesterday", "you told me last Tuesday", "I reported it in the spring as well", "back again")
        r"\b(?:per|in|from|see|after|since|reopen\w*(?: \S+){0,4}?|same as|like|about|follow\w*[- ]up (?:on|to)) (?:\S+ )?"
        r"(?:my|our) (?:last|previous|earlier|prior|original|other|first) (?:\d+ |two |three |few )?(?:emails?|messages?"
        r"|tickets?|chats?|calls?|requests?|conversations?|reports?|contacts?|replies|cases?)\b",
        r"\b(?:same as|like|per|see|as in|reopen\w*(?: \S+){0,3}?|since|after) (?:my|our) (?:ticket|case|email|message"
        r"|chat|call|request|report) (?:from|of|on|last) (?:yesterday|last \w+"
        r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d+ (?:days|weeks|months) ago|(?:a|one|two|three) (?:days?|weeks?"
        r"|months?) ago|this morning|earlier)",
        # a contact before this one and no answer, or the same problem again (not "I wrote to you yesterday, did
        # you get my email?")
        r"\b(?:i|we) (?:already |had |have |'ve )?(?:reported|raised|flagged|logged|contacted you|contacted support"
        r"|wrote to you|emailed you|called you|messaged you|told you|chatted with you)(?: [^\s.,;!?]+){0,5}? (?:yesterday"
        r"|last (?:week|month|time|night|year|\w+day)|(?:on|in) (?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|january"
        r"|february|march|april|may|june|july|august|september|october|november|december|the spring|the summer"
        r"|the autumn|the fall|the winter)|(?:\d+|a|two|three|a few|a couple of) (?:days|weeks|months) ago|before"
        r"|earlier|previously)\b(?: [^\s.,;!?]+){0,6}? (?:too|as well|and (?:got|heard|received|have had) (?:no|nothing)"
        r"|no (?:reply|answer|response)|nothing back|still)\b|\b(?:i|we) (?:already|had already|have already|'ve already)"
        r" (?:reported|raised|flagged|logged) (?:this|it|that|the (?:same )?(?:issue|problem|bug|error))",
        r"\b(?:you|your (?:\w+ )?(?:team|colleague|agent|support|rep|bot|people|staff)|support|an agent|the agent"
        r"|someone|they) (?:told|promised|said|assured|swore)(?: me| us)?(?: [^\s.!?;]+){0,7}? (?:last (?:week|month"
        r"|time|\w+day)|yesterday|on (?:mon|tues|wednes|thurs|fri|satur|sun)day|in (?:january|february|march|april|may"
        r"|june|july|august|september|october|november|december)|(?:\d+|two|three|a few) (?:days|weeks) ago|after my"
        r" (?:last|previous))|\b(?:was|were|been) (?:told|promised|assured) by (?:support|you|your|an agent|the agent"
        r"|someone)|\bpromised (?:me |us )?(?:a |an )?(?:callback|call back|reply|fix|update|response)\b",
        r"\b(?:back|here) again\b|\bnot (?:my|our|the) first rodeo|^(?:once )?again[,:!] (?!thanks?\b|thank you)|\b(?:another|yet another|one more)"
        r" (?:chat|ticket|email|call|message|conversation)\b,? (?:\S+ )?same\b|\b(?:had|have had|went through) (?:this|the"
        r" same|this exact|this very|the exact same) (?:conversation|chat|discussion|exchange)|\bback and forth\b"
        r"(?: [^\s.,;!?]+){0,4}? (?:for|since)|\bstill waiting (?:for|on) (?:a |the |your |my |that )?(?:callback"
        r"|call back|reply|response|answer|update|someone)",
        # German, French, Spanish
        r"\b(?:zum (?:zweiten|dritten|vierten|x-?ten|wiederholten) mal|(?:schon|bereits) (?:\S+ ){0,3}?(?:zweimal|dreimal"
        r"|mehrmals|mehrfach|gemeldet|geschrieben|angerufen)|^nochmal\b|(?:deuxieme|troisieme|quatrieme|enieme) fois"
        r"|deja (?:\S+ ){0,2}?(?:deux|trois|plusieurs) fois|(?:segunda|tercera|cuarta|enesima) vez|ya (?:\S+ ){0,2}?"
        r"(?:dos|tres|varias) veces)",
        # round 6: asking since a date, a contact promised and missed, the channels all tried, the count of calls,
        # "you guys said last time", "I'm repeating myself", "still no reply to ticket 8812"
        r"\b(?:i|we|i'?ve|we'?ve|i have|we have|been) (?:been )?(?:asked|asking|chased|chasing|writing|emailing|calling"
        r"|requesting|contacting|complaining|phoning|ringing)(?!(?: \S+)? (?:customers|clients|leads|prospects|patients"
        r"|users|people|members|guests|myself)\b) (?:\S+ ){0,5}?since"
        r" (?:january|february|march|april|may|june|july|august|september|october|november|december|last \w+"
        r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day|the (?:start|beginning)|\d|(?:\w+ )?(?:weeks|months) ago)"
        r"|\bfor (?:weeks|months|days)(?: now)?,? (?:i'?ve|we'?ve|i have|we have) been (?:chasing|asking|writing|calling"
        r"|emailing|trying)",
        r"\b(?:spoke|talked|chatted) (?:to|with) (?:\S+ ){1,3}?(?:last (?:week|month|time|\w+day)|yesterday|(?:\d+|a few"
        r"|two|three) (?:days|weeks) ago|on (?:mon|tues|wednes|thurs|fri|satur|sun)day)[^.!?]{0,60}?\b(?:said|promised"
        r"|told|assured)|\b(?:you|your (?:\w+ )?(?:team|colleague|agent|people)|they) (?:said|told (?:me|us)|promised)"
        r" (?:on|over) the (?:phone|call|chat)\b|\bwhen (?:i|we) (?:called|wrote|rang|phoned|emailed|chatted) (?:last"
        r" \w+|yesterday|on \w+day|(?:\w+ )?(?:days|weeks) ago)|\bon hold (?:\S+ ){0,3}?(?:different|separate) days",
        r"\brepeating (?:myself|ourselves)|\b(?:i|we) (?:already )?told you (?:this |that |all this )?(?:before|last time"
        r"|already)|\b(?:you|you guys|your (?:\w+ )?(?:team|colleague|agent|people)) (?:said|told (?:me|us)|promised)"
        r" last time|\bfirst (?:reported|raised|contacted|wrote|emailed|called|asked|flagged|complained)\b",
        r"\bevery (?:month|week|time|day|quarter|year)(?: \S+){0,6}? every (?:month|week|time|day|quarter|year) (?:i|we)"
        r" (?:call|write|email|contact|complain|chase|ring|report)|\b(?:i|we) (?:emailed|called|wrote|phoned|rang"
        r"|messaged|tweeted)(?: you)?, (?:(?:i|we) )?(?:emailed|called|wrote|phoned|rang|messaged|used|tried|filled)",
        r"\bstill no (?:reply|answer|response|update|word|news|callback)(?: \S+){0,3}? (?:to|on|about|for) (?:my |our "
        r"|the )?(?:ticket|case|email|request|message|complaint)|\b(?:two|three|four|five|several|multiple|\d+)"
        r" (?:tickets|emails|calls|messages|chats)[,;]? (?:\S+ )?(?:no|zero|0|not one|not a single) (?:answers?|repl\w+"
        r"|responses?|callbacks?|fix)\b|\breported (?:each|every|all) (?:one|of them|time)|\bafter (?:multiple|several"
        r"|many|numerous|\d+|two|three|four|five) (?:tickets|emails|calls|messages|chats|complaints)\b",
        r"\b(?:this is|it'?s|that'?s|now) (?:now )?(?:the|our|my) (?:second|third|fourth|fifth|sixth|seventh|eighth"
        r"|ninth|tenth|\d+(?:nd|rd|th)|umpteenth|nth) (?:call|email|message|ticket|chat|attempt)\b|\b(?:last (?:week"
        r"|month|time|\w+day)|yesterday|(?:\d+|a few|two|three) (?:days|weeks|months) ago) when (?:i|we) (?:called"
        r"|wrote|reported|contacted|emailed|chatted|rang|phoned|raised)",
        r"\bschon wieder (?:schreib|ruf|meld)|\bde nouveau (?:je vous )?(?:ecri|contact)|\botra vez (?:les )?(?:escrib"
        r"|llam|contact)",
        r"\b(?:seconda|terza|quarta|segunda|terceira|tweede|derde|vierde) (?:volta|vez|keer)\b|\bgia (?:\S+ ){0,2}?"
        r"(?:due|tre|piu) volte|\bal (?:twee|drie|meerdere) keer"
        # (2026-12, the fifty-first conversation author's) Polish, Swedish, Danish, Norwegian, Finnish, Czech
        r"|\b(?:trzeci|czwarty|kolejny|drugi) raz\b|\bpo raz (?:trzeci|czwarty|kolejny|drugi)\b|\b(?:andra|tredje|fjarde)"
        r" gangen\b|\b(?:anden|andre|tredje|fjerde) gang\b|\b(?:toista|kolmatta|neljatta) kertaa\b|\b(?:podruhe|potreti"
        r"|poctvrte)\b",
        r"\blost count of (?:how many|the) (?:times|calls|emails|tickets|messages)|\byou (?:guys |people )?keep (?:saying"
        r"|telling (?:me|us)|promising)|\b(?:weeks|months) of (?:emails|calls|chasing|back and forth|follow-?ups)\b",
        # round 7: chasing every month, "like I said in the last chat", a second reminder, "me from this morning", how
        # many tickets it takes, every day this week, weeks of trying; German and Spanish
        r"\bevery (?:single )?(?:month|week|time|day)(?: \S+){0,4}? (?:i|we) (?:have|need|got) to (?:chase|remind|ask"
        r"|call|email|write)|\b(?:like|as) (?:i|we) (?:said|told you|explained|mentioned) (?:in|on|during) (?:the|my|our)"
        r" (?:last|previous|earlier) (?:chat|call|email|message|ticket)",
        r"\b(?:2nd|3rd|\d+th|second|third|fourth|fifth) (?:reminder|follow[- ]?up|chaser)\b|\bme from (?:this morning"
        r"|earlier|yesterday|last week)\b|\bhow many (?:more )?(?:times|tickets|emails|calls|messages) (?:do|must|will"
        r"|should) (?:i|we) (?:have to |need to )?(?:open|send|write|call|make|raise|submit|log)",
        r"\b(?:rung|rang|called|phoned|emailed|written|messaged|chased)(?: \S+){0,3}? every (?:single )?day\b|\b(?:tried"
        r"|trying|been trying) to (?:talk to|reach|contact|get hold of|get through to) (?:you|u|someone|your \w+)"
        r"(?: \S+){0,3}? for (?:\d+|two|three|four|several|a few|many) (?:days|weeks|months)",
        r"^(?:schon )?wieder ich\b|\bya (?:os|les|te) lo (?:dije|he dicho|escribi|explique)\b|\bje vous (?:l'?)?ai deja"
        r" (?:ecrit|dit|explique)",
        # round 8: "hi again / me again" with the same thing still open, a previous case named ("repeat contact, see
        # previous case", "reopening #55012", "follow-up to ticket 88310"), a fix that was promised after a call, what
        # the last agent said, documents sent twice, a ticket closed unfixed, voicemails every day, "you said Thursday
        # ... you said Monday", "that makes four", "dragging on since the summer", "been in touch about this before",
        # "on three prior occasions"; Spanish "ya les escribi"
        r"\b(?:hi|hello|hey|its|it'?s) (?:me )?again\b[^.!?]{0,50}?\b(?:still|about the|re:?|same|back|ticket|case|again)\b"
        r"|^(?:ugh,? )?me again\b(?! with (?:a|another) (?:new|different|quick))",
        r"\brepeat contact\b|\bsee (?:my |our |the )?previous (?:case|ticket|chat|email|conversation)\b|\breopen\w*"
        r" (?:ticket |case )?#?\d{3,}|\bfollow[- ]?up (?:to|on) (?:ticket|case|request) #?\d{3,}",
        r"\b(?:(?:wasn'?t|weren'?t|isn'?t) (?:this|that|it) )?(?:supposed|meant) to (?:be )?(?:fixed|sorted|resolved|done)"
        r"(?: \S+){0,3}? (?:after|since|by) (?:our|my|the"
        r"|your) (?:last )?(?:call|chat|email|ticket|conversation)\b|\b(?:the|your) (?:last|previous|other) (?:agent|person"
        r"|rep|colleague|guy|lady|advisor|adviser)(?: (?:i|we) (?:spoke|talked|chatted) (?:to|with))? (?:said|told|promised)"
        r"\b[^.!?]{0,60}[.!?]? (?:that was|it'?s (?:been|now))\b",
        r"\b(?:sent|submitted|uploaded|attached|provided|gave you|filled (?:in|out))(?: \S+){0,4}? (?:(?:twice|three times"
        r"|\d+ times|(?:several|multiple) times) (?:already|now)|for the (?:second|third|\d+(?:nd|rd|th)) time)\b(?! by"
        r" (?:mistake|accident))",
        r"\b(?:closed|marked) (?:my|our|the) (?:ticket|case|request)(?: as (?:solved|resolved|closed|done))? (?:without"
        r"|but|even though|although)\b|\b(?:left|sent) (?:\S+ ){0,2}?(?:voicemails?|messages|emails) every (?:single )?"
        r"(?:day|morning)\b",
        r"\byou said (?:mon|tues|wednes|thurs|fri|satur|sun)day\b[^?]{0,40}\byou said\b|\bthat makes (?:two|three|four"
        r"|five|six|\d+)\b(?! of us)|\bdragg(?:ing|ed) on\b[^.!?]{0,40}\b(?:since|for (?:weeks|months))",
        r"\bbeen in touch (?:about|regarding) (?:this|it) (?:before|already)\b|\bon (?:two|three|four|five|several"
        r"|multiple|numerous|\d+) (?:prior|previous|separate|earlier) occasions\b|\bya (?:les|le|te|os) (?:escribi"
        r"|llame|contacte)\b",
        # (2026-12, round 14: test12's families that another author's set has too) several tickets raised, sent
        # yesterday and the day before, written on Monday and Wednesday in German, still waiting in Spanish, visited or
        # called three times, starting again from zero
        r"\braised (?:it|this) (?:in|on|with|under) ticket\b|\bticket \d+, ticket \d+\b|\b(?:already )?(?:sent"
        r"|gave|told you) (?:\S+ ){0,4}?(?:yesterday|on monday|last week) and (?:the day before|again|on)\b"
        r"|\bschon am \w+ und \w+ geschrieben\b|\b(?:sigo|seguimos) esperando\b[^.!?]{0,60}\b(?:semana pasada"
        r"|la otra vez|hace dias)\b|\b(?:visited|called|rung|rang|phoned|been (?:in|round|there)) (?:\S+ ){0,4}?"
        r"(?:three|four|five|3|4|5) times\b(?! (?:the|as|more|higher|over|what)\b)"
        r"|\bstarting (?:again|over) from (?:zero|scratch)\b",
    ),
}
"""Shipped guardrail patterns (also in layers/models/decision/params.json): precise rather than exhaustive,
since each one forces an escalation; frustration and bot-failure signals catch what the words do not say.
`<<name>>` stands for the shared vocabulary `DEFAULT_TERMS[name]` (`guardrails.terms` in the document)."""

DEFAULT_TERMS: dict[str, str] = {
    # a refund asked about later in the sentence, as a question, and not wanted before it ("cancel my pass, how does
    # the refund work?", "cancel before it ships, do I get a full refund?"; not "cancel and refund me, is there a
    # refund for the unused months?")
    "refund_question": r"(?:(?!refund|reimburs|money back)[^.!?]){0,100}?\b(?:how (?:does|do|would|will)(?: \w+){0,3}? refunds? work|how (?:does|do"
    r"|would|will|can) (?:i|we) (?:get|claim|request) (?:a |the |my )?refund|(?:will|do|would|can) (?:i|we) (?:get"
    r"|receive|be (?:given|entitled to)) (?:a |the |my |any )?(?:\w+ )?refund|is there (?:a |any )?(?:\w+ )?refund)"
    r"[^.!]*\?",
    "data": r"(?:data|history|work|everything|workspace|database|inbox|pipeline|archive|library|catalogu?e"
    r"|save (?:files?|data|games?)|saved games?|savegames?"
    r"|knowledge base|\w*(?:files|projects|tickets|records|contacts|notes|notebooks|documents|messages|emails"
    r"|reports|dashboards|boards|tasks|cards|invoices|orders|deals|photos|images|uploads|attachments|recordings"
    r"|templates|workflows|rules|fields|entries|rows|tables|articles|responses|segments|comments|settings|leads"
    r"|bookings|counts|chats|tags|items|contracts|designs|drafts|backups|spreadsheets|sheets|folders|assets|posts"
    r"|pages|products|listings|transactions|logs|events|campaigns|lists|sequences|submissions|forms|surveys"
    r"|videos|scans|quotes|estimates|receipts|timesheets|appointments|conversations|registers|ledgers|rosters|rotas"
    r"|playlists|guest lists|(?:contact|customer|mailing"
    r"|email) list))\b",
    "public": r"(?:twitter|x|facebook|linkedin|reddit|instagram|tiktok|youtube|social media|trustpilot|g2|capterra"
    # (the sixty-seventh conversation set's round) not Google as the account a game or an app is linked to ("yeah its
    # google. says linked", "sign in with google")
    r"|(?<!\bwith )(?<!\bvia )(?<!\busing )(?<!\bits )(?<!\bit's )(?<!\bit is )google(?![.,]? (?:(?:it )?says )?(?:linked"
    r"|connected|signed in|logged in)\b)(?! (?:drive|docs|sheets|calendar|analytics|workspace|sso|login|auth|account|meet|ads|chrome|cloud|tag"
    r"|search console|play(?! store)))|yelp|app store|play store|(?:my|our company) blog|forum|newsletter|community"
    r"|media|internet|podcast|hacker news|product hunt|glassdoor|tripadvisor|bluesky|mastodon|the (?:local )?news"
    r"(?! ?(?:feed|section|page|tab|letter))|(?:every )?review sites?)",
    "rivals": r"(?:zendesk|freshdesk|freshworks|freshservice|intercom|hubspot|salesforce|help ?scout|front|gorgias|zoho"
    r"|kustomer|liveagent|kayako|jira|servicenow|gladly|dixa|trengo"
    # round 5: the tools a small business leaves a vendor for, beyond helpdesks
    r"|asana|trello|monday\.com|clickup|notion|airtable|basecamp|wrike|smartsheet|pipedrive|gusto|rippling"
    r"|bamboohr|xero|quickbooks|freshbooks|calendly|shopify|woocommerce|bigcommerce|squarespace|wix|mailchimp"
    r"|klaviyo|aircall|dialpad|ringcentral)",
    # another vendor, named or not: "another provider", "a competitor's product", "a different helpdesk"
    "alt": r"(?:(?:a|one of (?:your|the)|your|the) (?:competitors?|rivals?|competition)(?:'s?(?: \w+)?)?|(?:another"
    r"|a different|a cheaper|a better|a competing|an alternative|other|different|cheaper|competing) (?:\w+ )?"
    r"(?:provider|vendor|supplier|tool|platform|helpdesk|help desk|solution|company|product|service|software"
    r"|app|competitor|airline|insurer|carrier|courier|gym)s?|a new (?:\w+ )?(?:provider|vendor|supplier|helpdesk|help desk"
    r"|solution|airline|insurer|carrier|courier)|some ?(?:one|body) else(?!'s)|something else)",
    # what follows a vendor's name in a calm mention: "the Zendesk integration", "HubSpot's API"
    "integration": r"(?:'s?)? (?:integrations?|apps?|connector|import|sync|api|plugin|widget|data|export|side|fields?"
    r"|forms?|tickets?|contacts?|account|instance|webhooks?|channel|migration|macros?|views?|ids?|tags?)\b",
    # data nobody misses: "the duplicate contacts are gone now", "we deleted all the test tickets"
    "junk": r"(?:duplicate|duplicated|spam|test|junk|unwanted|extra|fake|dummy|demo|sample|archived|trashed|old)\b",
    "mess": r"(?:mess|disaster|fiasco|nightmare|experience|situation|treatment|joke|failure|outage|incident|saga|farce"
    r"|shambles|debacle|circus|whole (?:thing|story|thread|conversation|chat|saga))",
    # who hears about it: "everyone", "my followers", "the whole internet" (not "everyone on my team")
    "crowd": r"(?:every ?(?:one|body)(?! (?:on|in|at) (?:my|our|the) (?:team|company|office|org\w*|department"
    r"|workspace|staff))|every review site|the (?:whole )?(?:world|internet|industry|community)|(?:all )?(?:my|our)"
    r" (?:\d+k? )?(?:followers|network|audience|subscribers|readers|members|connections|community)|(?:other|your"
    r" other) (?:customers|users|companies|businesses|people)|people|others)",
    "what": r"(?:about (?:this|it\b|you\b|how|what|the way|my|our|the whole)|how (?!to\b)|what (?!to\b)|this\b|it\b)",
    # round 5: where a complaint is taken outside: regulators, consumer bodies, ombudsmen, app stores, courts
    "authority": r"(?:ftc|fcc|cfpb|bbb|better business bureau|trading standards|consumer (?:protection|rights|affairs"
    r"|council|agency|ombudsman|watchdog|association|cent(?:re|er)|organi[sz]ation|office|authority|group"
    r"|programme|program|show)|(?:\w+ ){0,2}?(?:ombuds\w*|regulators?|watchdog)|attorney general|(?:the )?ico\b|information commissioner"
    r"|data protection (?:authority|commissioner|office)|cnil|ofcom|ofgem|ofwat|fca\b|financial conduct authority"
    r"|bundesnetzagentur|verbraucherzentrale|bafin|small claims(?: court)?|(?:the )?courts?\b|google play"
    # (round 7) Australian, Irish and Canadian bodies, consumer courts
    r"|accc|asic|afca|acma|fair trading|consumer (?:court|tribunal)s?|data protection commission|citizens advice"
    r"|competition bureau"
    r"|app store|play store|watchdog|authorities|department of (?:consumer|commerce)|state (?:ag|attorney)"
    # (round 6) commissions that hear consumers ("the state utility commission")
    r"|(?:\w+ )?(?:utility|utilities|public service|trade|communications|insurance|consumer|competition) commission)",
    # round 5: card issuers and banks named without "my bank"
    "banks": r"(?:bank|amex|american express|visa|mastercard|discover|capital one|chase|citi(?:bank)?|revolut|monzo"
    r"|barclays|barclaycard|hsbc|wells fargo|bank of america|n26|starling|lloyds|natwest|santander|paypal|klarna"
    r"|card (?:company|provider|issuer)|credit card company)",
    # (2026-12, the seventeenth conversation author's) something electrical and a sign of it burning or arcing, read in
    # either order in `vulnerable_customer`
    "electrical": r"inverter|charger|charging (?:point|station|cable)|wall ?box|socket|outlet|plug|fuse ?box"
    r"|consumer unit|breaker|panel|wiring|wires?|cable|battery|batteries|heater|boiler|meter|adapter|power supply"
    r"|extension lead|appliance|dryer|electrics?|electrical",
    "burning": r"burn(?:ing|t)(?:[- ](?:plastic|rubber|electrical))? (?:smell|odou?r)|smell(?:s|ing)? (?:of |like )?"
    r"(?:burn(?:ing|t)|melting|scorch\w*|(?:hot|melting) plastic)|(?:crackl|fizz|arc|spark)(?:e|es|ed|ing|s)\b"
    r"|scorch(?:ed|ing)? marks?",
    # (2026-12, the fifteenth session's conversation authors) what was stolen and a police report of it, an order for
    # a funeral and its not being there, mould and the person it harms: each pair read in either order, at the first
    # word (so the negation module reads a question or a condition before it)
    "stolen": r"stolen|stole|rubat[oaie]|hanno rubato|gestohlen|geklaut|vole[es]?|on m'a vole|robad[oa]s?|me robaron"
    r"|roubad[oa]s?|roubaram|gestolen|skradzion\w*|ukradl\w*|ukradzion\w*",
    "police_report": r"(?:reported|report\w*) (?:it |this )?to the police|police (?:report|reference|crime number)"
    r"|crime (?:number|reference)|(?:fatto|sporto) denuncia|denuncia (?:ai|alla|alle) (?:carabinieri|polizia)"
    r"|anzeige (?:erstattet|gemacht|bei der polizei)|(?:porte|deposee?|fait une) plainte|(?:puesto|presentado"
    r"|hecho) (?:una |la )?denuncia|(?:fiz|fizemos|registrei|registramos) (?:um |o )?(?:boletim de ocorrencia"
    r"|b\.?o\.?)|aangifte gedaan|(?:zglosil\w*|zgloszenie) na policj\w*",
    "funeral": r"funeral|memorial service|cremation|crematorium|burial",
    "not_arrived": r"(?:hasn'?t|has not|haven'?t|have not|not|never|still not|didn'?t|did not|isn'?t|is not|aren'?t"
    r"|are not) (?:yet |even |been )?(?:arrived|come|turned up|been delivered|delivered|shown up|here)",
    # (2026-12, the sixty-fifth, sixty-ninth and seventy-fifth conversation sets' rounds) the halves of patterns read in
    # either order: what was made for a funeral far from what was ordered; an allergen on the label of what was ordered
    # without it; damage noticed and the company's visit before it; a German contract withdrawn and the money back
    "made_wrong": r"nothing like|half the size|not what (?:we|i) (?:ordered|paid for|chose)|wilted|wilting|dead flowers"
    r"|brown (?:petals|leaves)|wrong (?:flowers|colou?rs?|arrangement|wording|name)",
    "labelled_allergen": r"(?:contains|label (?:says|said)|labelled|listed)\b[^.!?]{0,40}?\b(?:wheat|gluten|eggs?|nuts?"
    r"|peanuts?|milk|dairy|soy|soya|sesame|shellfish)",
    "ordered_free": r"(?:ordered|asked for|paid for|chose|booked|specified)\b[^.!?]{0,30}?\b(?:gluten|egg|nut|dairy|milk"
    r"|allergen|lactose|soy|sesame)[- ]free",
    "service_visit": r"(?:after|since|from) (?:my|the|your|our) (?:\w+ )?(?:fit|fitting|service|servicing|repair|visit"
    r"|appointment|installation|install|valet|clean)",
    "damage_seen": r"(?:noticed|found|discovered|spotted)\b[^.!?]{0,80}?\b(?:a )?(?:crack\w*|scratch\w*|dent\w*|gouge\w*"
    r"|chipped|scuff\w*|broken|snapped|damaged)",
    "withdraw_contract_de": r"vom vertrag zuruck\w*|(?:den )?vertrag (?:zu )?kundigen|stornier\w*|widerruf\w*",
    "money_back_de": r"(?:anzahlung|geld|betrag|kaution|zahlung)\w* (?:\w+ )?(?:zuruck\w*|erstatt\w*)",
    "mould": r"(?<!anti-)\b(?:mou?ld(?:y|s)?|moisissures?|schimmel\w*|moho|muff[ae]|plesn\w*|pleśń|bolor\w*"
    r"|mofo)\b(?![- ](?:remov\w*|spray|clean\w*|kill\w*|resist\w*|proof|treatment|test|cover\w*|insurance|polic\w*))",
    "mould_person": r"\b(?:asthm\w*|asma\w*|astma\w*|bronch\w*|copd|respirat\w*|breathing (?:problems?|difficult\w*)"
    r"|lung (?:condition|disease)|bab(?:y|ies)|newborn|infant|toddler|pregnan\w*|nourrisson|bebe|enceinte|saugling"
    r"|kleinkind|schwanger|embarazada|incinta|zwanger|niemowl\w*|\d{1,2}[- ](?:months?|mois|monate?)[- ](?:old"
    r"|alt)?)\b",
}
"""Vocabulary several guardrail patterns share: data nouns, public channels, competitors' names."""


def _regexes(value: tuple[str, ...], field: str) -> tuple[str, ...]:
    for i, pattern in enumerate(value):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{field}[{i}] {pattern!r} is not a valid regular expression: {exc}") from None
    return value


_TERM = re.compile(r"<<(\w+)>>")


def expand(pattern: str, terms: dict[str, str], where: str = "pattern") -> str:
    """The pattern with each `<<name>>` replaced by terms[name] (ValueError naming an unknown one)."""

    def term(found: re.Match[str]) -> str:
        if found.group(1) not in terms:
            raise ValueError(f"{where} uses <<{found.group(1)}>>, which guardrails.terms does not define")
        return f"(?:{terms[found.group(1)]})"

    return _TERM.sub(term, pattern)


class NegationSettings(_Model):
    """How a guardrail match is found negated or hypothetical (see `baton.negation`): a cue at most `window`
    words before the match, in its clause (back to the last break), and not inside a condition."""

    cues: tuple[str, ...] = Field(default=DEFAULT_CUES, description="Negation cues: not, never, no need...")
    questions: tuple[str, ...] = Field(
        default=DEFAULT_QUESTIONS, description="Question / hypothetical cues: if I, can I, how do I..."
    )
    conditionals: tuple[str, ...] = Field(
        default=DEFAULT_CONDITIONALS,
        description="A cue after one of these negates the condition, not the match",
    )
    breaks: tuple[str, ...] = Field(default=DEFAULT_BREAKS, description="Where a clause ends")
    window: int = Field(default=DEFAULT_WINDOW, ge=0, le=20)
    exempt: tuple[str, ...] = Field(
        default=("safety_risk",),
        description="Guardrails never negated (a negated self-harm mention still counts)",
    )
    third_party: tuple[str, ...] = Field(
        default=DEFAULT_OTHERS,
        description='Cues that make a match a third party\'s act: "our customer filed a chargeback"',
    )
    third_party_guardrails: tuple[str, ...] = Field(
        default=(
            "payment_dispute",
            "cancellation_refund",
            "public_complaint",
            "competitor_switch",
            "repeated_contact",
        ),
        description="Guardrails a third-party cue rules out (a customer's own customers' chargebacks, reviews...)",
    )

    @field_validator("cues", "questions", "conditionals", "breaks", "third_party")
    @classmethod
    def _compile(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _regexes(value, str(info.field_name))


DEFAULT_MODEL_THRESHOLDS: dict[str, float] = {
    "account_compromise": 0.55,
    "cancellation_refund": 0.6,
    "competitor_switch": 0.6,
    "data_loss": 0.7,
    "human_request": 0.9,
    "payment_dispute": 0.5,
    "public_complaint": 0.75,
    "repeated_contact": 0.85,
    "team_blocked": 0.65,
}
"""Per trigger, the trigger model's probability (`Scores.triggers`, `baton.scoring.triggers`) at which the
guardrail trips without its pattern. Since round 9 chosen leave-one-author-out (`bench/triggers_loao.py --budget`:
the most recall on each left-out author within the calm messages' budget, every author's precision >= 0.9), then
raised where `baton train triggers`' cross-validation needs it for precision 0.95 (layers/models/triggers/MODEL_CARD.md).
Round 10's, for the heads averaged with the hidden-state MLP (`--reader mix`; its probabilities are calibrated
otherwise than round 9's heads alone), chosen with the shipped model's calm messages: `competitor_switch` 0.6 where
the left-out authors chose 0.55, as in round 9 (a calm chat's "the router is in the other room"). Kept in rounds 11
and 12: a model retrained with test9 and test10 needs higher ones within the calm budget and recalls less of a new
writer (docs/decision.md, "Round 12").
`human_request` is the model's code for `human_requested`."""


_STOP = (
    r"cancel\w*|terminat\w*|clos\w+|end(?:s|ed|ing)?|quit\w*|unsubscrib\w*|stop\w*|leav\w*|shut\w*|kill\w*"
    r"|discontinu\w*|opt\w* out|(?:want|get|i'?m|we'?re) out|done|get rid|pull\w* the plug|delet\w+ (?:\S+ )?account"
    r"|no longer|don'?t (?:want|need)|downgrad\w*|drop\w*|ditch\w*|switch\w* off|turn\w* off|exit\w*|off (?:this|the|my"
    r"|our)|gone|out of|leaving|withdraw\w*|remov\w+ (?:me|us)"
    # round 5: typos, voiding, and German, French, Spanish
    r"|cancle\w*|void\w*|revok\w*|kundig\w*|storn\w*|widerruf\w*|beend\w*|annul\w*|resili\w*|baja|anular"
    # round 6: Italian, Portuguese, Dutch
    r"|disdir\w*|disdett\w*|cancelar|opzeggen"
)
_MONEY = (
    r"refund\w*|reimburs\w*|money|funds?|back|return\w*|repa(?:y|id)\w*|credit\w*|cents?|euros?|dollars?|pounds?"
    r"|charge\w*|paid|fees?|pro-?rat\w*|mony|geld|erstatt\w*|ruckerstatt\w*|rembours\w*|argent|reembols\w*|devuel\w*"
    r"|devolu\w*|dinero|rimbors\w*|soldi|terug"
)
_CARDS = r"amex|visa|mastercard|paypal|discover|capital one|chase|revolut|monzo|klarna"
_CARD_ACT = (
    r"charg\w*|paid|payment|money|refund\w*|back|transaction\w*|debit\w*|call\w*|ring\w*|phon\w*|contact\w*|tell"
    r"|told|report\w*|claim\w*|rais\w*|fil(?:e|ed|ing)|open\w*|stop\w*|block\w*|refus\w*|go(?:ing)? to|went to|take"
    r" (?:it|this|that) up|get (?:it|my money|them)|fraud\w*|scam\w*|steal\w*|stole\w*|pay\w*|tak(?:e|es|en|ing)|took"
    r"|investigat\w*|paperwork|case|protection|says|said|they'?ll|they will|instal\w*|fees?|twice|double|recogni[sz]\w*"
    r"|(?:don'?t|didn'?t|never) (?:buy|bought|order\w*|make|made)|geld|zuruck\w*|widerruf\w*|kauferschutz\w*"
    r"|afschrijving\w*|herken\w*|terug|argent|rembours\w*|dinero|devol\w*|soldi|rimbors\w*"
)
DEFAULT_MODEL_GATES: dict[str, str] = {
    # a word of ending and a word of money, in either order
    "cancellation_refund": rf"(?:{_STOP})\b(?=[\s\S]*?\b(?:{_MONEY})\b)|(?:{_MONEY})\b(?=[\s\S]*?\b(?:{_STOP})\b)",
    # (the long calm dialogues' round) not a traveller "leaving from Kings Cross", "at 9:30", "on Thursday" or "the
    # hotel by 9:45", nor a hotel's "price range" or one that "offers free parking", nor Portland; (the thirtieth
    # conversation set's round) nor "moving house"; (the thirty-second's) nor a freight "pickup"; (the thirty-fifth's) nor
    # "other thing" or "cheaper if we go annual", nor an account moved over with no rival named ("moving house ...
    # need to move my electricity account over"; "move our account over to Octopus" still opens it)
    "competitor_switch": r"switch\w*(?! (?:\w+ )?(?:over )?to (?:the |my |our )?new (?:address|home|house|flat|place)\b)"
    r"|mov\w+(?! (?:house|home|flat|apartment|in together)\b)(?! (?:on|in) (?:the )?\d)"
    # (2026-12, the fifty-first conversation author's) not moving an appointment or a home's contents ("move my wasp
    # nest appointment", "moving a 2-bed flat")
    r"(?! (?:my|our|the|a|an|this|that|his|her|their) (?:\S+ ){0,2}?(?:appointment|booking|slot|delivery|date|meeting"
    r"|session|class|lesson|reservation|visit|flight|collection|flat|house|home|apartment|office|furniture|stuff|things"
    r"|boxes|piano|sofa|belongings)s?\b(?! (?:system|platform|software|tool|app|process|engine|module|data)s?\b))"
    r"(?! (?:to|into|onto) (?:a |an |the |our |my )?(?:new |different |bigger |smaller )?"
    r"(?:domain|address|url|site|website|server|office|premises|location|house|home|flat|apartment|building|area|city"
    r"|country|floor|desk|room|email|folder|workspace)s?\b)(?! (?:my|our|the) (?:\w+ )?"
    r"(?:account|supply|service|contract|plan|broadband|internet|electricity|gas|energy|water|phone|line|tv|meter)s?"
    r"(?: account)? (?:over|across)\b(?! to\b))"
    r"|leav\w*(?! (?:from|on|out of|around|sometime|tomorrow|today|tonight)\b"
    r"| (?:at|by|after|before) \d| (?:this |next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|morning|afternoon|evening)\b| (?:the )?(?:airport|hotel|station)\b)"
    r"|competit\w*|alternatives?|another(?! (?:thing|question|one|issue|bit|day|time|item|order|bag|box|delivery)\b)"
    r"|elsewhere|other(?! (?:thing|things|question|questions|day|issue|bit)\b)|different"
    # (the seventy-third conversation set's round) not a replacement the company sells ("a flat roof replacement"); a
    # replacement system or one for the company's still counts
    r"|replac(?!ements?\b(?! (?:system|platform|tool|provider|vendor|supplier|solution|software|crm|helpdesk|for"
    r" (?:you|your|this|the|our)\b)))\w*|migrat\w*|renew\w*|go(?:ing)? with|signing|rival\w*|<<rivals>>|new (?:\w+ )?(?:provider|vendor"
    r"|supplier|system|tool|platform|helpdesk|crm|bank|carrier|network|insurer|company|solution|software|partner)"
    r"|provider|supplier|sign\w* (?:up )?with|signed|chose|chosen|choos\w*|pick(?![- ]?ups?\b)\w*|trial\w*|demo\w*|onboard\w* with"
    r"|offer\w*(?! free (?:wifi|wi-fi|parking|breakfast|internet)\b)"
    # (the sixty-seventh's) nor someone who offered to do something ("neighbour already offered to pay half")
    r"(?! to (?:pay|help|cover|split|do|fix|lend|give|share|take|drive|come|bring|refund|replace|call)\b)"
    # (2026-12, the fifty-first conversation author's) not a quote asked of the company itself ("need a quote for")
    r"|(?<!need a )(?<!want a )(?<!like a )(?<!get a )(?<!for a )(?<!request a )(?<!send me a )(?<!give me a )quot\w+"
    r"|cheaper(?! if (?:we|i) (?:go|pay|switch|move|change) (?:to )?(?:annual|yearly|monthly)\b)|instead|shortlist\w*"
    # (the seventy-fifth's) English "take ... to|over" only, not Czech "takze je to"
    r"|notice|tak(?:e|es|en|ing) (?:\S+ ){0,3}?(?:to|over)|back to"
    r"|going back|from now on|done with|(?:we'?re|i'?m) done|port(?!land)\w*|transfer\w* (?:\S+ )?out|banks|bye|goodbye"
    r"|last (?:invoice|month|quarter|year|booking|order|renewal) with|lost us|some ?(?:one|where) else|ditch\w*"
    r"|drop\w*|off (?:your|you)|install\w*|phas\w+ out|proposal|bid|negotiat\w*|approach\w*"
    # round 5: a pilot or a prototype elsewhere, shopping around; German, French, Spanish
    r"|pilot\w*|prototyp\w*|consider\w*|evaluat\w*|shopping|tempt\w*|crm|anbieter|wechs\w+|konkurren\w*"
    r"|concurren(?:t|ce)|fournisseur|prestataire|competencia|otra|otro|proveedor|plataforma"
    # round 6: a price elsewhere; Italian
    r"|price(?! range)|prices|priced|fornitore|altro|altra|passando"
    # round 13: a rival told by where it is or what it does better ("the bike shop down the road services cargo bikes
    # in 2 days", "the vet practice next door uses ezyVet", "X is looking better every day")
    r"|down the (?:road|street|bay)|next door|better|half (?:the )?(?:price|cost)|look\w* (?:real(?:ly)? )?(?:good|great)",
    # (2026-12, the sixty-third conversation author's) a card's or a wallet's name alone is no dispute: it needs a word
    # of money taken back or of going to it ("its a uk credit card. amex", the answer to which card the deposit was on)
    "payment_dispute": DEFAULT_TRIGGER_KEYWORDS["payment_dispute"]
    .replace("|amex|visa|mastercard|paypal", "")
    .replace("|discover|capital one|chase|revolut|monzo", "")
    .replace("|klarna", "")
    + rf"|(?:{_CARDS})\b(?=[\s\S]*?\b(?:{_CARD_ACT})\b)|(?:{_CARD_ACT})\b(?=[\s\S]*?\b(?:{_CARDS})\b)",
    # round 12: not a deletion the customer asks for ("please delete my account and all my data"); (the thirty-second
    # conversation set's round) nor "nothing changed on our side"; (the thirty-fifth's) nor "I want delete my account"
    # (the sixty-first's) nor a copy someone on the customer's side lost ("the august invoice again, accounts lost it")
    "data_loss": r"(?:(?<=\byou )|(?<=\byou've )|(?<=\bhas )|(?<=\bhave ))lost|lost(?! (?:it|them)\b)"
    # (the seventy-fifth's) nor "money gone, no coins" (paid, not delivered)
    r"|los(?:e|ing)|loss|(?<!money )(?<!cash )(?<!funds )gone|missing|(?<!please )(?<!pls )(?<!want to )(?<!want )(?<!like to )delet\w+|wiped?"
    r"|erased?|vanish\w*|disappear\w*|empty|blank"
    r"|overwr\w+|purged?|corrupt\w*|no longer|(?:isn|aren|wasn|weren)'?t (?:there|here|in|on|showing|visible|anywhere)"
    r"|not there|nowhere|no trace|no sign|nothing(?! (?:has |have |was |had )?(?:changed|different)\b)|zero|0|none|no \w+ (?:at all|anymore|left|yet)|can'?t (?:find|see"
    r"|locate|recover)|cannot (?:find|see|locate|recover)|couldn'?t find|(?:be|been|being|not) found|reset|revert\w*"
    r"|roll\w* back|clear\w*|cleaned out|emptied|took|undone|dropped|restor\w*|recover\w*|where (?:did|have|has|are"
    r"|is)|any ?more|no history|destroy\w*|nuked|truncat\w*|(?:had|were|was) (?:over |about |around )?[\d,]+"
    # round 5: garbled, eaten, won't open; German, French, Spanish
    r"|mangled|scrambled|garbled|ate|eaten|bytes|1970|random characters|gibberish|won'?t open"
    r"|verschwunden|geloscht|weg|verloren|beschadigt|disparu|supprim\w*|perdu\w*|efface\w*|perdi\w*|borr\w+"
    r"|desaparec\w+|eliminad\w+|nicht mehr|plus la|ya no|scompars\w*|sumiram",
    "account_compromise": r"hack\w*|hijack\w*|compromis\w*|stol\w+|unauthori[sz]ed|(?:took|taken|take) over|takeover"
    r"|some ?(?:one|body)|stranger|unknown|random|whoever|not me|wasn'?t me|log(?:ged)?[- ]?in\w*|sign(?:ed)?[- ]?in\w*"
    r"|access\w*|password|passcode|2fa|two[- ]factor|mfa|otp|codes?|recogni[sz]\w*|never|didn'?t|did not|haven'?t"
    r"|have not|not (?:mine|us|ours|by (?:me|us|her|him))|(?:isn|wasn|aren|weren)'?t (?:mine|me|us|ours)|ex|former"
    r"|breach\w*|leak\w*|phish\w*|scam\w*|fake|suspicious|strange|weird|sessions?|devices?|ip|location|country"
    r"|impersonat\w*|locked out|get (?:back )?in(?:to)?|got in(?:to)?|getting in(?:to)?|into (?:my|our)|control"
    r"|security|fraud\w*|changed|edited|updated|switched|added|created|wrote|written|posted|sent|(?:we|i) (?:don'?t"
    r"|do not) (?:know|own|have)|who did|asleep|freez\w*|lock\w*|none of us|nobody"
    # round 5: forwarding, regenerated keys, a withdrawal; German, French, Spanish
    r"|forward\w*|regenerat\w*|withdraw\w*|wallet|gehackt|jemand|pirat\w*|quelqu'un|hackead\w*|alguien|cuenta"
    # round 6: spent, ordered or booked by someone else; never in German, French, Spanish
    r"|spent|redeemed|ordered|orders|booked|nie|jamais|nunca|bestellung\w*",
    "team_blocked": r"every(?: ?(?:one|body))?|whole|entire|all|nobody|no ?one|none|team|users|staff|company|office"
    r"|org\w*|department|employees|agents|colleagues|any ?(?:one|body)|any of|not (?:a single|one)|single|people"
    r"|members|reps|workers|crew|shifts?|floor|branch(?:es)?|stores|shops|locations|sites|offices|warehouse|ward"
    r"|clinic|school|students|teachers|nurses|doctors|drivers|engineers|developers|devs|technicians|cashiers"
    r"|operators|dispatchers|pharmacists|volunteers|associates|partners|managers|tenant|seats|operations?|business"
    r"|production|standstill|halt|idle|stopped|we can'?t|we cannot|none of us|all of us|\d+ (?:of us|people|users"
    r"|agents|staff)"
    # round 5: German, French, Spanish
    r"|alle|ganze\w*|gesamte\w*|niemand|keiner|kollegen|mitarbeiter|still|equipe|tous|toute|personne|nadie|ninguno"
    r"|todos|equipo|empleados|usuarios",
    # (round 11) its key words, but trying is not contacting: "I've tried 3 times" (a contact word elsewhere still
    # counts: "I've emailed 3 times")
    "repeated_contact": DEFAULT_TRIGGER_KEYWORDS["repeated_contact"]
    .replace(
        "|times|twice|",
        r"|(?<!\btried )(?<!\btried \w )(?<!\btried \w\w )(?<!\btried \w\w\w )(?<!\btried \w\w\w\w )(?<!\btried \w\w\w\w\w )"
        r"(?<!\btried a few )(?<!\btried several )(?<!\btried many )(?<!\btried multiple )(?:times|twice)|",
    )
    # (the long calm dialogues' round) not the bot asked to "try it again" (a booking that did not go through)
    # (the seventy-third's) nor a reorder ("yes pls same again")
    .replace("again|", r"(?<!\btry )(?<!\btry it )(?<!\btry that )(?<!\btry this )(?<!\bsame )again|", 1),
}
"""Per trigger, words a message must hold for the trigger model alone to trip it (a trigger not listed: its
`model_keywords`). A cancellation needs a word of ending and a word of money: "please cancel at the end of the
billing period" and "refund please" are calm, "shut it down and put the money back on my visa" is not. For the
switch, the loss, the compromise and the blocked team the gate lists what the trigger is about in the words customers
use for it ("our new supplier starts in April", "the page says 'No invoices yet'", "a payee I never set up",
"not one of our reps can call"), so it drops what the model learnt from topic alone ("please add a checked bag")
and keeps its paraphrases (round 4, docs/decision.md)."""


DEFAULT_SOMEONE: tuple[str, ...] = (
    # "Could someone look at fra-2?", "can somebody actually check the warehouse?", "is there anyone who can help?"
    r"\b(?:can|could|would|will|is there) (?:some ?(?:one|body)|any ?(?:one|body)|a person|a human)(?: (?:from|at|in"
    r"|on) (?:your|the) \w+(?: team| office| side| desk)?)?(?: (?:please|actually|just|who can|who could|that can"
    r"|urgently|quickly|kindly|possibly|today))?"
    r"(?: (?:who|that) [^.!?]{0,40}?)? (?!else\b)(?:look|check|tell"
    r"|give|correct|fix|change|review|arrange|sort|move|redirect|reopen|resubmit|confirm|call|contact|help|talk"
    r"|speak|explain|approve|escalate|come|send|find|investigate|release|refund|update|make|reissue|deal|pull|process"
    r"|handle|authori[sz]e|waive|adjust|override|issue|unlock|ring|phone|intervene|step in|assist|advise|reverse"
    r"|restore|get back to|reach out)\b",
    # "I'd be grateful if someone could check on it"
    r"\b(?:if|whether) (?:some ?(?:one|body)|any ?(?:one|body)|a person) (?:could|can|would) (?:please )?(?:look|check"
    r"|tell|correct|fix|change|review|arrange|sort|call|contact|help|confirm|find|investigate|release|refund)\b",
    # (2026-12, the eighteenth author's; three earlier authors wrote it too) "I'd really appreciate someone checking
    # with the broker today", "I'd appreciate a person checking the log"
    r"\b(?:appreciate|grateful|be great|be good|helpful)(?: it)?(?: if| for)? (?:some ?(?:one|body)|a person) (?:could "
    r"|can |would |to )?(?:please )?(?:check|look|call|ring|phone|contact|help|review|sort|confirm|arrange|investigate"
    r"|speak|talk|get back)\w*",
    # "I need someone to check the truck today", "we need someone at the station today"
    r"\b(?:i|we) (?:need|want|would like|'d like) (?:some ?(?:one|body)|a person|a human) (?:to|at|from|on|who|out|here"
    r"|over|round)\b",
    # "Who can correct it before then?", "Who can I give it to?", "who can look at this on your side?"
    r"\bwho (?:can|could|will|would) (?:i|we) (?:give|send|talk|speak|call|show|contact)\b",
    r"\bwho (?:can|could|will|would|is going to) (?:actually |please |now )?(?:correct|fix|check|change|look|sort"
    r"|arrange|approve|review|release|help us|help me|pull|reissue|deal with|process|authori[sz]e|waive|adjust"
    r"|override|investigate|make sure|take responsibility)\b",
    # (2026-12, the seventh conversation author's) "is anyone coming or not", "I need an analyst from your side
    # looking at the connector"
    # (2026-12, the eleventh author's) "Then find someone who can.", "someone must be able to make an exception"
    r"\bfind (?:me )?(?:some|any) ?(?:one|body) (?:who|that) (?:can|could|is able)\b",
    r"\b(?:some|any) ?(?:one|body) (?:there )?(?:must|should|has to|needs to|ought to) be able to\b",
    # (2026-12, the tenth author's) "Is there someone on your team who knows SAML?", "I assume that needs a person?"
    r"\bis there (?:some|any) ?(?:one|body)(?: (?:on|in|at|from) (?:your|the) \w+)? (?:who|that) (?:knows|understands"
    r"|is able|can actually)\b",
    r"\b(?:that|this|it) (?:needs|requires|will need|would need) (?:a|an actual|a real) (?:person|human)\b",
    # (2026-12, the ninth author's) "can a technician look at the line or not"
    r"\b(?:can|could|will|would) (?:a|an|your|one of your) (?:technician|engineer|specialist|supervisor|manager|agent"
    r"|person|human|staff member|employee|adviser|advisor) (?:please |actually |just )?(?:look|check|come|call|ring"
    r"|phone|visit|fix|sort|review|help)\b",
    r"\bis (?:any ?(?:one|body)|some ?(?:one|body)) (?:actually )?(?:coming(?= ?(?:or not|today|tonight|at all|out"
    r"|round|over|back|to (?:fix|help|look|sort|repair|see (?:me|us|it)|my|our|us|me)\b|[?.!,]|$))|going to (?:come"
    r"|call|fix|help|look|deal|get back|ring|phone|reply|answer)\b)",
    # (2026-12, the fourteenth author's) "Is there another car or instructor who could take me?"
    r"\bis there (?:another|any other|a different|a second) (?:\w+ ){0,4}?who (?:could|can|would)\b",
    r"\b(?:i|we) (?:need|want|would like|'d like) (?:an?|some|your) (?:\w+ )?(?:analyst|engineer|technician|specialist"
    r"|expert|investigator|supervisor|manager|accountant|developer|representative|adviser|advisor)"
    r" (?:from your (?:side|end|team)|to (?:look|check|call|ring|phone|investigate|review)|looking)\b",
)
"""Asking for someone to act ("Could someone look at it?", "Who can correct it before then?"): a request for a
person once the bot has answered, and before it when the handover model reads the message as a case for a person
(`Guardrails.someone`, `Guardrails.someone_first`)."""


DEFAULT_NEEDS_PERSON = 0.9
"""The handover model's threshold: the one `baton train handover` chose (its manifest's `threshold`)."""

DEFAULT_SOMEONE_FIRST = 0.65
"""The handover model's reading a first message's request for someone must reach (`Guardrails.someone_first`):
across the sixteen development sets, 28 first messages asking for someone were escalations due at once and one
was a question the bot answered; of the 1,514 calm messages, 3 ask for someone, all under 0.6 (docs/decision.md,
"Asking for someone at the first message"). With the model of the long calm dialogues' round, out of fold on the
twenty-two development sets: 38 such first messages due at once reach 0.65 and one `resolve` (at 0.8: 32 and one);
one of the three calm ones reaches 0.77 ("Can someone help me reset our admin's 2FA?"), the others stay under 0.6."""


class Guardrails(_Model):
    human_request: bool = Field(default=True, description="Escalate when scoring says `asks_for_human`")
    bot_failures: int | None = Field(
        default=2,
        ge=1,
        le=20,
        description="Escalate (`bot_failing`) when this many of the bot's answers failed since the conversation "
        "started or was handed back, one of them shown by the customer (rephrased, repeated, said it did not "
        "help, asked for a person), on the message that adds a failure; null: never",
    )
    bot_loop: bool = Field(
        default=True,
        description="Escalate (`bot_failing`) on the customer's message after the bot gave the same answer again "
        "(the customer came back and got nothing new: it is going round in a loop); false: such an answer is "
        "one failure towards `bot_failures`",
    )
    overdue: bool = Field(
        default=True,
        description="Escalate (`bot_failing`) when the customer answers the bot with more time passed than the "
        'answer\'s own time frame ("within 3-5 business days" answered with "it\'s been three weeks": the answer '
        "cannot help); false: such an answer is one failure towards `bot_failures`",
    )
    someone: tuple[str, ...] = Field(
        default=DEFAULT_SOMEONE,
        description='Asking for someone to act ("could someone look at it?", "who can correct it?"): escalated '
        "as `human_requested` (with `human_request` on) once the bot has answered and no agent has; before the "
        "bot's answer only at `someone_first` (a first message's \"can someone confirm my booking?\" is a question "
        "for the bot). Empty: never",
    )
    needs_person: float | None = Field(
        default=DEFAULT_NEEDS_PERSON,
        gt=0.0,
        le=1.0,
        description="Escalate (`needs_person`) when the handover model's probability (`scores.needs_person`: a "
        "lead would want a person on it now, read with the conversation so far) reaches this and no other "
        "guardrail tripped; the model's card has what leave one author out measured. null: never",
    )
    someone_first: float | None = Field(
        default=DEFAULT_SOMEONE_FIRST,
        gt=0.0,
        le=1.0,
        description="Before the bot has answered, asking for someone to act (`someone`) escalates only when the "
        'handover model reads the message at or above this: "could someone look at the pump log? I was charged '
        'for 180 gallons and my tank holds 120" is a case for a person, "can someone confirm whether my booking '
        "includes breakfast?\" a question for the bot. null: never before the bot's answer",
    )
    patterns: dict[str, tuple[str, ...]] = Field(default_factory=lambda: dict(DEFAULT_GUARDRAILS))
    terms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_TERMS),
        description="`<<name>>` in a pattern stands for terms[name]",
    )
    negation: NegationSettings = Field(default_factory=NegationSettings)
    model_thresholds: dict[str, Annotated[float, Field(gt=0.0, le=1.0)]] = Field(
        default_factory=lambda: dict(DEFAULT_MODEL_THRESHOLDS),
        description="Per trigger, the trigger model's probability at which the guardrail trips without its "
        "pattern (a trigger not listed: patterns only)",
    )
    model_keywords: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_TRIGGER_KEYWORDS),
        description="Per trigger, its key words: a model hit needs one of them (unless `model_gates` names "
        "others) and is vetoed when every one of them is negated",
    )
    model_gates: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_MODEL_GATES),
        description="Per trigger, words a message must hold for the model alone to trip it (default: its "
        "`model_keywords`)",
    )

    @model_validator(mode="after")
    def _expand(self) -> Guardrails:
        for name, patterns in self.patterns.items():
            _regexes(tuple(expand(p, self.terms, f"{name}[{i}]") for i, p in enumerate(patterns)), name)
        for name, words in self.model_keywords.items():
            _regexes((expand(words, self.terms, f"model_keywords.{name}"),), f"model_keywords.{name}")
        for name, words in self.model_gates.items():
            _regexes((expand(words, self.terms, f"model_gates.{name}"),), f"model_gates.{name}")
        return self

    @field_validator("patterns")
    @classmethod
    def _compile(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for name in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name):
                raise ValueError(f"guardrail name {name!r}: use snake_case letters, digits and _")
        return value


class ReasonSettings(_Model):
    min_contribution: float = Field(default=0.05, ge=0.0, le=1.0, description="Smaller shares are not listed")
    max_reasons: int = Field(default=6, ge=1, le=20)


class DecisionParams(_Model):
    version: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    intercept: float
    features: dict[str, FeatureWeight]
    thresholds: Thresholds
    sensitivity: Sensitivity = Field(default_factory=Sensitivity)
    business: Business = Field(default_factory=Business)
    guardrails: Guardrails = Field(default_factory=Guardrails)
    reasons: ReasonSettings = Field(default_factory=ReasonSettings)
    fit: dict[str, Any] = Field(default_factory=dict, description="Provenance: data, metrics, command")

    @field_validator("features")
    @classmethod
    def _known(cls, value: dict[str, FeatureWeight]) -> dict[str, FeatureWeight]:
        from baton.decision.engine import FEATURES  # the engine owns the feature list

        unknown = sorted(set(value) - set(FEATURES))
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}; known: {sorted(FEATURES)}")
        return value

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> DecisionParams:
        """Parse and validate a JSON document; InvalidParams names every offending field."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise InvalidParams(_describe(exc)) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> DecisionParams:
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise InvalidParams(_describe(exc)) from None

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ())) or "document"
        problems.append(f"{where}: {error.get('msg', 'invalid value')}")
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return f"invalid decision parameters ({count}): " + "; ".join(problems)


def fingerprint(params: DecisionParams) -> str:
    """8 hex digits of everything the engine reads (all but `version` and `fit`): the suffix of a version."""
    document = params.model_dump(mode="json", exclude={"version", "fit"})
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:8]


def restamp(params: DecisionParams) -> DecisionParams:
    """The parameters with their version's fingerprint suffix recomputed (`-1a2b3c4d` replaced or added),
    after a hand edit of a judgement block such as the guardrails."""
    stem = re.sub(r"-[0-9a-f]{8}$", "", params.version)
    return params.model_copy(update={"version": f"{stem}-{fingerprint(params)}"})


def load(path: Path) -> DecisionParams:
    """A parameters document from a file (InvalidParams names the file and the field)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidParams(f"cannot read decision parameters {path}: {exc.strerror or exc}") from None
    try:
        return DecisionParams.model_validate_json(text)
    except InvalidParams as exc:
        raise InvalidParams(f"{path}: {exc}") from None


SSM_MAX_BYTES = 8192
"""The largest value an SSM parameter holds (advanced tier; standard holds 4096)."""


def deployable(text: str) -> str:
    """The document as it goes into the parameter store: validated (InvalidParams names the field), compact,
    and without its `fit` block (provenance the engine never reads; the version names it, and the card and
    the repo file keep it). A refitted params.json with its validation tables is over the 8 KB an SSM
    parameter holds; this is what `baton decision params FILE` prints for `aws ssm put-parameter`."""
    params = DecisionParams.model_validate_json(text)
    # The shipped guardrails (patterns, vocabulary, negation) are the engine's defaults and over half of the
    # 8 KB: left out, the decide function of the same release fills them in; a team's own are kept.
    shipped = params.guardrails == Guardrails()
    document = params.model_dump(mode="json", exclude={"fit", "guardrails"} if shipped else {"fit"})
    if not shipped:  # a team's own patterns: their blocks left at the defaults are filled in the same way
        defaults = Guardrails()
        for name in Guardrails.model_fields:
            if getattr(params.guardrails, name) == getattr(defaults, name):
                document["guardrails"].pop(name, None)
    value = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    size = len(value.encode())
    if size > SSM_MAX_BYTES:
        raise InvalidParams(
            f"the decision parameters are {size} bytes without their fit block, over the {SSM_MAX_BYTES} an SSM "
            "parameter holds: shorten the guardrail patterns"
        )
    return value


def default_path(models: str | Path | None = None) -> Path:
    """Where the shipped document is: `<models dir>/decision/params.json`, the models dir being `models`, else
    BATON_MODELS_DIR, else the Lambda model layer (`baton.settings.models_dir`; ModelsNotFound names
    BATON_MODELS_DIR when there is none)."""
    return models_dir(models) / PARAMS_DIR / PARAMS_FILE


def load_default(models: str | Path | None = None) -> DecisionParams:
    """The shipped parameters (`default_path`), read once per process and file; a team's own document comes
    through the parameter store."""
    return _load_once(default_path(models))


@functools.cache
def _load_once(path: Path) -> DecisionParams:
    return load(path)
