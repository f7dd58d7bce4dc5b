"""The decision engine's parameters: versioned data, not code.

A team changes thresholds or swaps a refitted risk model by publishing a new JSON document (SSM parameter,
AppConfig profile or S3 object, read through Powertools parameters and cached), never by redeploying a
function. The document is validated here, with errors that name the offending field:

    params = DecisionParams.model_validate_json(text)   # raises InvalidParams (a ValueError) naming the field
    params = load_default()                             # the shipped document (layers/models/decision/)

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
    DEFAULT_QUESTIONS,
    DEFAULT_WINDOW,
)

PARAMS_FILE = "params.json"
LAMBDA_PARAMS = Path("/opt/models/decision") / PARAMS_FILE
REPO_PARAMS = Path(__file__).resolve().parents[3] / "layers" / "models" / "decision" / PARAMS_FILE

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
        r"\b(?:my |a |our )?(?:lawyer|lawyers|attorney|attorneys|solicitor|legal counsel)\b",
        # "sue" is also a first name ("can Sue from finance..."): only the threatening forms.
        r"\b(?:sue|suing) (?:you|your|the company|this company|them)\b",
        r"\b(?:will|going to|gonna|i'll|we'll|plan to|intend to|ready to) sue\b",
        r"\b(?:lawsuit|legal action|legal proceedings|take (?:you|this|it) to court|small claims)\b",
        r"\b(?:gdpr|ccpa) (?:complaint|request|violation|breach)\b",
        r"\b(?:data protection (?:authority|commissioner|officer)|ico complaint|ombudsman|regulator)\b",
        r"\bcomplain(?:t)? to (?:the )?(?:ftc|cfpb|bbb|authorities|regulator)\b",
    ),
    "safety_risk": (
        r"\b(?:kill|hurt|harm) (?:myself|me)\b",
        # "end my life", not "end my subscription"
        r"\b(?:suicide|suicidal|self[- ]harm|end (?:my life|it all))\b",
        r"\bdon'?t want to (?:live|be alive)\b",
        r"\b(?:i(?:'ll| will| am going to| gonna)) (?:kill|hurt|find) (?:you|someone|them|him|her)\b",
        r"\b(?:bomb|shoot up|shooting)\b",
    ),
    # Someone else in the customer's account: the account patterns of `security_incident` until 2026-12.
    "account_compromise": (
        r"\b(?:account|email|login|password|credential)(?: details)?s? (?:was |were |has been |have been |got |is |are )?"
        r"(?:hacked|compromised|taken over|stolen|hijacked|leaked)",
        r"\b(?:hacked|hijacked|hackers?|attackers?)\b|\b(?:it|that) (?:wasn'?t|was not) me\b",
        r"\b(?:some ?(?:one|body)|a stranger|(?:an?|the) (?:attacker|hacker|unknown \w+|ex-?employee|former employee)"
        r"|whoever)(?: else)? (?:\S+ ){0,5}?(?:my|our) (?:\S+ ){0,2}?(?:account|login|password|2fa"
        r"|two-factor|profile|email|phone)\b",
        r"\bsome ?(?:one|body)(?: else)? (?:is |has been |keeps |was )?(?:logged in|logging in|signed in|using my|in my)",
        r"\b(?:unauthori[sz]ed|suspicious|unknown) (?:access|logins?|sign[- ]?ins?|sessions?|devices?|admin|users?)",
        r"\b(?:logins?|sign[- ]?ins?|sessions?|devices?) (?:\S+ ){0,5}?(?:from|in) (?:\S+ ){0,4}?(?:(?:that|which) "
        r"(?:was|is|were|are)n'?t|(?:i|we) (?:don'?t|didn'?t) recogni|(?:i|we)'?ve never|not (?:me|mine|us)|on (?:my|our))",
        r"\b(?:logins?|sign[- ]?ins?|sessions?) (?:i|we) (?:don'?t|do not|didn'?t) recogni",
        r"\b(?:changed|reset|regenerated|disabled|accessed|added|removed|created|used) (?:\S+ ){0,3}?"
        r"(?:by some ?(?:one|body)|without (?:my |our |any )?(?:knowledge|permission|consent|authori))",
        r"\b(?:password|email|2fa|phone|owner)(?: address| number)? (?:was |has been |had been |got )?(?:changed|reset)"
        r"\b(?:\S* ){0,5}?(?:(?:it )?(?:wasn'?t|not) me|(?:i|we) (?:didn'?t|did not|never)|(?:i|we)'?ve never"
        r"|(?:don'?t|do not) (?:know|recogni))",
        r"\b(?:(?:i|we) (?:didn'?t|did not|never) (?:authori[sz]e|request|ask for)|(?:an?|new|unknown) (?:admin|user"
        r"|owner|sso)[^.]{0,60}?(?:(?:we|i|none of us|nobody)(?: here)? (?:never|didn'?t|don'?t|created|added|know)))",
        r"\bmy account (?:is |was )?(?:sending|sent|posting)",
    ),
    "security_incident": (
        r"\b(?:data breach|data leak|breach of (?:my|our) data|leaked (?:my|our|customer) data)\b",
        r"\bfraudulent (?:access|login|logins|sign[- ]?in|charges?|transactions?|activity)\b",
        r"\bsuspicious (?:charges?|transactions?|activity)\b",
        r"\b(?:phishing|identity theft|stolen identity)\b",
    ),
    "data_loss": (
        r"\b(?:data loss|lost (?:\S+ ){0,4}?(?:work|data|everything|progress|changes|entries))\b",
        r"\b(?:(?:all|every|entire|whole|half|most)(?: of)?|our|my|the|(?:\d+|two|three|six) (?:days|weeks|months|years)"
        r" of) (?:\S+ ){0,4}?<<data>> (?:\S+ ){0,6}?(?:(?:is|are|was|were|has|have|been|got|now|all|just|completely"
        r"|simply|also) )*(?:gone|missing|lost|deleted|wiped|erased|disappeared|vanished|empty|blank|removed"
        r"|overwritten|purged|truncated|no longer there)\b",
        r"\b(?:lost|deleted|wiped|erased|removed|overwrote|purged|destroyed|truncated)(?: out)? (?:\S+ ){0,3}?"
        r"(?:all|every|entire|whole|half|our|\d[\d,]*|years|months|weeks) (?:\S+ ){0,3}?<<data>>",
        r"\bmissing (?:about |over |almost |around )?(?:\d[\d,]*|all|half) \w+|\bthey(?:'re| are) all (?:gone|deleted|missing)",
        r"\bevery (?:single )?(?:\S+ )?(?:note|card|file|project|ticket|record|contact|document|task|count|item|entry"
        r"|order|invoice|message|email|report)\b (?:\S+ ){0,6}?(?:(?:has|have|was|were|been|got|is|are) )*(?:gone|missing"
        r"|lost|deleted|wiped|erased|disappeared|vanished)",
        r"\bno (?:data|files|records) (?:at all|left|anymore)",
    ),
    "team_blocked": (
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
    ),
    "payment_dispute": (
        r"\b(?:charge[ -]?backs?|charged back)\b",
        r"\b(?:disput|contest)(?:e|es|ed|ing) (?:\S+ ){0,2}?(?:charges?|payments?|transactions?|debit|renewal|invoice"
        r"|it|this|that|them)\b|\bdispute (?:opened|filed|raised)",
        r"\b(?:open\w*|fil\w+|rais\w+|initiat\w+|start\w*) (?:a |the )?(?:\w+ )?(?:dispute|claim)",
        r"\b(?:call\w*|contact\w*|ask\w*|instruct\w*|report\w*(?: \S+){0,4} to|told|tell|get|have|spoke to"
        r"|up with|through) (?:my|our|the) (?:bank|(?:credit )?card (?:company|provider|issuer)|visa|mastercard|amex)",
        r"\b(?:my|our) (?:bank|card (?:company|provider|issuer)|credit card company) (?:is|will|has|said|opened)",
        r"\b(?:revers\w+|claw\w*|recall\w*|take) (?:\S+ ){0,2}?(?:charges?|payments?|money back|direct debit)",
        r"\bstop (?:on )?(?:the )?payment\b",
    ),
    # Both in one message, either order; "how do refunds work if I cancel?" is a question (negation.questions).
    "cancellation_refund": (
        r"\b(?:cancel\w*|terminat\w+|close (?:my|our) account|end (?:my|our) (?:subscription|membership|plan|contract)"
        r"|unsubscribe)\b.{0,100}?\b(?:refund(?:ed)? (?:me|us|it|the|my|our|all|both|every\w*|what)|(?:a|full|the|my"
        r"|prorated|pro-rata|partial|and) refund|refunded|money (?:back|refunded)|reimburs\w+|(?:return|send) (?:\S+ )?"
        r"(?:money|payment)|\d[\d,.]* back)",
        r"\b(?:refund(?:ed)? (?:me|us|it|the|my|our|all|both|every\w*|what)|(?:a|full|the|my) refund|money back"
        r"|reimburs\w+)\b.{0,80}?\b(?:cancel\w*|close (?:my|our) account|terminat\w+)",
    ),
    "public_complaint": (
        r"\b(?:(?:post|posting|tweet|tweeting|share|sharing|put|putting|publish|publishing|write|writing|take|taking"
        r"|trash|record\w*) (?:\S+ ){1,6}?|go(?:ing)? (?:\S+ ){0,2}?)(?:(?:on|to|in|about|for) (?:\w+ ){0,2}"
        r"<<public>>|online|publicly)\b|\bname (?:and shame )?you\b",
        r"\b(?:leave|leaving|write|writing|post|posting|publish\w*|give|giving|expect|drafted) (?:\S+ ){0,4}?"
        r"(?:(?:(?:1|one|2|two|zero)[- ]star|bad|negative|scathing|terrible|honest|public|poor|awful|worst|detailed"
        r"|full) (?:\S+ )?review|review (?:on|in) (?:the )?<<public>>)",
        r"\b(?:tweet\w*|go(?:ing)? (?:public|viral)|the press|journalist|name and sham\w+|bad publicity|make (?:this|it)"
        r" public|publicly|review is coming|reviewing you|(?:make|making) (?:a |an )?(?:tiktok|youtube|video))",
        r"\b(?:tell|telling|warn\w*|let) (?:all |every ?(?:one|body)|the whole|others|other customers|people"
        r"|(?:all )?my (?:\d+k? )?followers)",
        r"\b(?:every ?(?:one|body)|every review site) (?:\S+ ){0,3}?(?:is going to|will) (?:hear|know)",
    ),
    "competitor_switch": (
        r"\b(?:switch\w*|mov\w+|migrat\w+|go|going|jump\w*|leav\w+|tak\w+|sign\w*|try\w*|use) (?:(?:my|our|all our|the)"
        r" \S+ (?:\S+ )?|everything |us |over )?(?:to|for|with|over to|instead) (?:<<rivals>>|them|a competitor|one of your (?:competitors"
        r"|rivals)|your (?:competitors?|rivals?)|another (?:provider|vendor|tool|platform|helpdesk|solution|company)"
        r"|a (?:different|cheaper) \w+|someone else)",
        r"\b(?:business|money) (?:somewhere )?else|\bcompetitors? (?:is|are|do|does|don'?t|has|have|offer\w*)\b",
        r"\b(?:look\w*|search\w*|shop\w*|find\w*|evaluat\w+|consider\w*|try\w*)(?: around)?(?: at| for| into)? (?:\S+ )?"
        r"(?:alternatives|other (?:vendors|providers|options|tools|solutions|helpdesk)|(?:another|new|different) "
        r"(?:provider|vendor|tool|platform|helpdesk|solution)|(?:a )?replacement|switching|competitors?)",
        r"\b(?:switch\w*|chang\w+) (?:vendors|providers|helpdesks|tools|platforms)",
        r"\b(?:demo|trial|talks|contract|offer|deal|quote) (?:\S+ )?(?:with|from) (?:<<rivals>>|a competitor|another)",
        r"\b(?:competitor|rival|<<rivals>>)\S* (?:\S+ )?(?:offered|quoted|gave)",
        r"\b(?:replac\w+|dump\w*|ditch\w*|leav\w+) (?:you|your \S+)(?: \S+)? (?:with|for)\b",
    ),
    "repeated_contact": (
        r"\b(?:second|third|fourth|fifth|sixth|tenth|\d+(?:nd|rd|th)|umpteenth|nth) (?:time|message|email|ticket|chat"
        r"|attempt|call|follow[- ]?up|request)s? (?:\S+ ){0,4}?(?:writ|contact|ask|reach|messag|email|call|chat|explain"
        r"|report|rais|follow|request|tell|told|been (?:told|promised)|start|open)",
        r"\b(?:second|third|fourth|fifth|\d+(?:nd|rd|th)) (?:email|message|ticket|chat|attempt|follow[- ]?up)\b"
        r"|\bfor the (?:second|third|fourth|fifth|\d+(?:nd|rd|th)|umpteenth|nth) time",
        r"\b(?:contact\w*|writ\w+|wrote|email\w*|messag\w+|call\w*|ask\w*|reach\w* out|report\w*|rais\w+|explain\w*"
        r"|been in touch|chas\w+) (?:\S+ ){0,4}?(?:(?:\d+|two|three|four|five|six|ten|several|multiple|many|numerous"
        r"|countless|so many|a bunch of|a dozen) times|twice|repeatedly|over and over|again and again|more than once)",
        r"\bhow many (?:more )?times (?:\S+ ){0,4}?(?:ask|explain|write|tell|contact|repeat|call|email|message|chase)",
        r"\b(?:keep|kept) (?:having to )?(?:contact|writ|ask|email|messag|call|explain|chas|report|reach|follow)",
        r"\b(?:once again|yet again|again) (?:i'm |i am )?(?:writing|contacting|asking|reporting|following)"
        r"|\b(?:writing|contacting|following up|messaging) (?:\S+ )?again\b",
        r"\b(?:opened|sent|filed|raised|submitted|across|spent|in|explain\w* (?:\S+ )?to) (?:\S+ ){0,2}?(?:multiple"
        r"|several|numerous|\d+|two|three|four|five|six) (?:separate |different )?(?:tickets|emails|messages|chats"
        r"|calls|agents|people)",
        r"\b(?:my|our) (?:last|previous|past) (?:\d+ |two |three |four |few |several )?(?:emails|messages|tickets|chats"
        r"|times)|\b(?:yet )?another (?:message|email|ticket|chat) (?:from me|about (?:the|this) same)",
        r"(?:\bnot|n'?t) the first time (?:i'm |i am |i've |i have |we )?(?:writ|contact|rais|report|ask|reach|complain"
        r"|messag)",
        r"\bevery time (?:i|we) (?:contact|write|call|email|message|reach|chat|ask)|\d{3,}, #?\d{3,},? and #?\d{3,}",
        r"\bchas\w+ (?:you|this|it) (?:\S+ ){0,3}?for (?:weeks|months|a month|days|\d+)",
        r"\bagain (?:in|on|last) (?:\w+day|january|february|march|april|may|june|july|august|september|october"
        r"|november|december|week)|\bon the \d+(?:st|nd|rd|th) and (?:again )?on the \d+",
    ),
}
"""Shipped guardrail patterns (also in layers/models/decision/params.json): precise rather than exhaustive,
since each one forces an escalation; frustration and bot-failure signals catch what the words do not say.
`<<name>>` stands for the shared vocabulary `DEFAULT_TERMS[name]` (`guardrails.terms` in the document)."""

DEFAULT_TERMS: dict[str, str] = {
    "data": r"(?:data|history|work|everything|workspace|database|inbox|pipeline|archive|library|catalogu?e"
    r"|knowledge base|\w*(?:files|projects|tickets|records|contacts|notes|notebooks|documents|messages|emails"
    r"|reports|dashboards|boards|tasks|cards|invoices|orders|deals|photos|images|uploads|attachments|recordings"
    r"|templates|workflows|rules|fields|entries|rows|tables|articles|responses|segments|comments|settings|leads"
    r"|bookings|counts|chats|tags|items|(?:contact|customer|mailing|email) list))\b",
    "public": r"(?:twitter|x|facebook|linkedin|reddit|instagram|tiktok|youtube|social media|trustpilot|g2|capterra"
    r"|google|yelp|app store|play store|(?:my|our company) blog|forum|newsletter|community|media|internet"
    r"|(?:every )?review sites?)",
    "rivals": r"(?:zendesk|freshdesk|freshworks|freshservice|intercom|hubspot|salesforce|help ?scout|front|gorgias|zoho"
    r"|kustomer|liveagent|kayako|jira|servicenow|gladly|dixa|trengo)",
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

    @field_validator("cues", "questions", "conditionals", "breaks")
    @classmethod
    def _compile(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _regexes(value, str(info.field_name))


class Guardrails(_Model):
    human_request: bool = Field(default=True, description="Escalate when scoring says `asks_for_human`")
    patterns: dict[str, tuple[str, ...]] = Field(default_factory=lambda: dict(DEFAULT_GUARDRAILS))
    terms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_TERMS),
        description="`<<name>>` in a pattern stands for terms[name]",
    )
    negation: NegationSettings = Field(default_factory=NegationSettings)

    @model_validator(mode="after")
    def _expand(self) -> Guardrails:
        for name, patterns in self.patterns.items():
            _regexes(tuple(expand(p, self.terms, f"{name}[{i}]") for i, p in enumerate(patterns)), name)
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
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> DecisionParams:  # type: ignore[override]
        """Parse and validate a JSON document; InvalidParams names every offending field."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise InvalidParams(_describe(exc)) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> DecisionParams:  # type: ignore[override]
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
    value = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    size = len(value.encode())
    if size > SSM_MAX_BYTES:
        raise InvalidParams(
            f"the decision parameters are {size} bytes without their fit block, over the {SSM_MAX_BYTES} an SSM "
            "parameter holds: shorten the guardrail patterns"
        )
    return value


@functools.cache
def load_default() -> DecisionParams:
    """The shipped parameters: the Lambda model layer's (/opt/models/decision) or the checkout's
    (layers/models/decision). Cached per process; a team's own document comes through the parameter store."""
    return load(LAMBDA_PARAMS if LAMBDA_PARAMS.is_file() else REPO_PARAMS)
