"""The decision engine: resolve, monitor or escalate, with reasons. Pure, cheap, no numpy.

    decision, state = decide(scores, arc, context, state, params, text=message.text, seq=message.seq)

- `scores`, `arc`: what `MessageScored` carries for the message (`baton.events.Scores`, `baton.events.Arc`).
- `context`: the business context (`baton.context.models.Context`; `Context()` when there is none).
- `state`: the conversation's `DecisionState` (`DecisionState()` for a new conversation). The caller persists
  the returned state with the conversation (it is small JSON: `state.model_dump(mode="json")`, read back with
  `DecisionState.model_validate`, which ignores unknown keys).
- `params`: `DecisionParams` (`baton.decision.params.load_default()` or a team's document).
- `text`: the message text. `MessageScored` does not carry it; the guardrails (legal, safety, security
  words) and incident keyword matching need it. Without it those two checks see nothing.
- `seq`: the message's position; a `seq` at or before the state's last one raises `OutOfOrderDecision` (the
  caller applies messages in order, like the arc).

Call it for customer messages. Bot and agent messages are accepted (their message-level features are
neutral, the arc's still count), so a caller may also decide after a low-confidence bot answer.

## Risk: one calibrated probability that the conversation needs a human
What exactly it is calibrated for is the parameters' training label (`params.fit["label"]`, named in the
document's MODEL_CARD: `dialogue`, P(this conversation needs a human, now or later | what has been seen so
far), an early warning; `onset`; or `turn`, P(the customer is dissatisfied at this message); see
`baton.training.decision`). A logistic regression over standardised features (`FEATURES`, below): `z = (x - mean) / scale`,
`logit = intercept + sum(weight * z)`, `risk = sigmoid(logit)`. The intercept is the logit of an average
customer turn of the training data. A feature whose input is missing (no sentiment on a bot message, no bot
confidence from the frontend) has `z = 0`: it neither raises nor lowers the risk. Business context is
not in the risk: the same words from any customer get the same risk.

## Sensitivity: business context moves the thresholds
Each business fact that holds (`Facts`: high value, renewal soon, new customer, at risk / churning, known
incident, errors seen) multiplies every threshold by its `params.sensitivity` multiplier; the product never
goes below `sensitivity.floor`. A renewal in 12 days makes Baton step in earlier; it does not make the
customer angrier.

## Policy, with hysteresis
Thresholds (already multiplied by the sensitivity): `escalate`, `monitor`, `monitor_escalate`, `exit`.

- resolving: risk >= escalate -> escalate; risk >= monitor -> monitor; else resolve. On the conversation's first
  customer message the risk alone at most monitors (`thresholds.first_message_escalates`, default false): an angry
  opening the bot then answers well is the commonest false escalation in every labelled conversation set, and the
  next message escalates at the lower `monitor_escalate` threshold if the anger stands. A guardrail escalates at once.
- a message that reads calm on its own (`own_risk`: the risk model on the message alone, as a first message,
  below `exit`) never escalates by risk, whatever the conversation's record (a frustration peak, swings);
- monitoring (heightened sensitivity): risk >= monitor_escalate (lower than escalate) -> escalate;
  `exit_turns` calm messages in a row -> resolve: monitoring ends once the customer is calm again, although the
  peak stays on record; otherwise stay monitoring. An oscillating risk between `exit` and `monitor` never flaps.
- escalated: stays escalated for the rest of the conversation (a human has been called; un-calling them
  is the helpdesk's business).
- guardrails escalate whatever the risk, and are reported in `Decision.guardrail`: the patterns in
  `params.guardrails` (matched on the folded text, a negated mention left out: see `baton.negation`), in the
  precedence of `GUARDRAIL_ORDER` (`safety_risk`, `vulnerable_customer`, `account_compromise`,
  `security_incident`, `damage_caused`, `legal_threat`, then what a support lead escalates first: `data_loss`,
  `team_blocked`, `payment_dispute`, `cancellation_refund`, `public_complaint`, `competitor_switch`,
  `promise_broken`, `repeated_contact`), then
  `human_requested` (`scores.asks_for_human`), then `bot_failing` (the arc's failed bot answers: `bot_failing`),
  then `needs_person` (the handover model's reading of the message with the conversation so far: `needs_person`).

## Reasons
`Decision.reasons` is `[Reason(code, label, contribution, evidence)]`, highest contribution first. The
contribution of a signal is its share of what pushed this decision towards escalation, in logit units:
for a risk feature with a positive weight, `weight * z` (its push above the average turn, when positive; a
negative-weight feature moves the risk but is never listed); for a business fact, how
far its multiplier lowered the escalate threshold, `logit(t) - logit(t * m)`. Shares sum to 1 over all
positive pushes; shares under `params.reasons.min_contribution` are not listed, at most `max_reasons` are.
A guardrail, and an escalation standing from an earlier message, are listed first with contribution 1.0.
Examples: `sentiment_declining` "-0.6 over 4 turns", `renewal_soon` "renews in 12 days", `known_incident`
"INC-42 checkout failures (ETA 15:00 UTC)".
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from baton.context.models import Context, Facts, IncidentMatch, business_facts, fold
from baton.decision.params import DecisionParams, NegationSettings, expand
from baton.decision.prefilter import Prefilter
from baton.errors import BatonError
from baton.events import Arc, EscalationDecided, Reason, Scores, event_id_for
from baton.models import EscalationCause, RiskPoint, ShadowDecision, UtcDatetime
from baton.negation import Negation
from baton.ordered import OrderedState

Action = Literal["resolve", "monitor", "escalate"]

FRUSTRATION_EWMA_ALPHA = 0.5
"""Weight of the latest message in the state's frustration average (half-life one customer turn)."""
MAX_INTENTS = 5
GUARDRAIL_ORDER = (
    "safety_risk",
    "vulnerable_customer",
    "account_compromise",
    "security_incident",
    "damage_caused",
    "legal_threat",
    "data_loss",
    "team_blocked",
    "payment_dispute",
    "cancellation_refund",
    "public_complaint",
    "competitor_switch",
    "promise_broken",
    "repeated_contact",
)
"""Which guardrail a message that trips several reports (a team's own guardrails come after these)."""
HUMAN_REQUESTED = "human_requested"
BOT_FAILING = "bot_failing"
NEEDS_PERSON = "needs_person"
REPEATED_ANSWER = "repeated_answer"
OVERDUE = "overdue"
_SHOWN_FAILURES = {
    "repeat": "repeated",
    "negative_feedback": "said it did not help",
    "asked_for_human": "asked for a person",
    REPEATED_ANSWER: "the same answer again",
    OVERDUE: "waited longer than the answer's time frame",
}
"""Failures that show the bot is not helping (`baton.scoring.arc`), in the words of the evidence. A low
confidence alone does not (the bot may still have helped), nor a rephrasing alone: the embedding calls a
follow-up on the same topic a rephrasing ("That makes sense. So the two seats we removed..."), so it counts
towards the number but never stands as the proof."""
_FAILURE_WORDS = {**_SHOWN_FAILURES, "rephrase": "rephrased", "low_confidence": "low confidence"}
POSITIVE_SENTIMENT = 0.25
"""`baton.scoring.arc`'s bound, as its reason names above: copied rather than imported, which would add the arc's
models to the decide function's cold start (tests/unit/decision/test_bot_failing.py keeps them equal)."""
_P_EPS = 1e-4


class OutOfOrderDecision(BatonError):
    """A message was decided after a later one (the caller retries it in order)."""


# ---------------------------------------------------------------------------------------------- state


MAX_INCIDENTS = 10
"""Incidents a conversation's state remembers as matched."""


class DecisionState(OrderedState):
    """What the engine remembers of a conversation between messages; stored as JSON, read back leniently."""

    model_config = ConfigDict(extra="ignore")

    mode: Action = "resolve"
    calm_turns: int = Field(default=0, description="Decisions in a row below `exit` while monitoring")
    decisions: int = 0
    last_seq: int = 0
    escalated_seq: int | None = None
    escalated_by: str | None = Field(default=None, description="The guardrail, or `risk`")
    escalated_risk: float | None = Field(default=None, description="The risk of the escalating decision")
    escalated_message_id: str | None = Field(
        default=None, description="The escalating message (set by the service: a redaction scrubs its quote)"
    )
    escalated_reasons: list[Reason] = Field(
        default_factory=list, description="The escalating decision's reasons (`Decision.escalated_because`)"
    )
    monitor_since_seq: int | None = None
    peak_risk: float = 0.0
    frustration_ewma: float | None = None
    intents: list[str] = Field(default_factory=list, description="In-scope intents seen, latest first")
    params_version: str | None = None
    redacted: dict[str, UtcDatetime] = Field(
        default_factory=dict, description="Messages the helpdesk redacted -> when (`baton.ordered`)"
    )
    incidents: list[str] = Field(
        default_factory=list, description="Incidents matched by this conversation's messages, latest first"
    )
    bot_failures: int = Field(
        default=0, description="The arc's count of failed bot answers at the last decision (`bot_failing`)"
    )
    bot_failures_handed_back: int = Field(
        default=0, description="That count when an agent last handed the conversation back"
    )
    handed_back_seq: int | None = Field(
        default=None,
        description="An agent handed the conversation back after this message: only a new trigger (a "
        "guardrail on a later message) escalates again, never the standing risk",
    )
    shadow_state: DecisionState | None = Field(
        default=None,
        description="The shadow challenger's own state (`baton.decision.service`): the same conversation decided "
        "with the challenger's parameters; None without a challenger",
    )
    risk_trail: list[RiskPoint] = Field(
        default_factory=list,
        description="The last decisions' {seq, risk, action}, oldest first (kept by `baton.decision.service`)",
    )


class Thresholds(BaseModel):
    """The thresholds this decision used: the parameters' times `sensitivity`."""

    escalate: float
    monitor: float
    monitor_escalate: float
    exit: float
    sensitivity: float = Field(description="Product of the business multipliers (1.0: no business fact)")


class Decision(BaseModel):
    action: Action
    risk: float = Field(ge=0, le=1)
    reasons: list[Reason] = Field(default_factory=list)
    guardrail: str | None = None
    model_version: str
    previous: Action = Field(description="The conversation's action before this message")
    thresholds: Thresholds
    incidents: list[IncidentMatch] = Field(
        default_factory=list,
        description="Active incidents this message matches: acknowledge them, give the ETA",
    )
    escalated_because: EscalationCause | None = Field(
        default=None, description="After an escalation: the escalating decision's seq, risk and reasons"
    )

    @property
    def changed(self) -> bool:
        return self.action != self.previous

    def shadow(self) -> ShadowDecision:
        """This decision as a shadow's record on the champion's decision (it never acts)."""
        return ShadowDecision(
            action=self.action, risk=self.risk, model_version=self.model_version, guardrail=self.guardrail
        )

    def event(
        self,
        *,
        conversation_id: str,
        seq: int,
        message_id: str,
        decided_at: datetime | None = None,
        sent_at: datetime | None = None,
        shadow: ShadowDecision | None = None,
    ) -> EscalationDecided:
        """The `EscalationDecided` event of this decision (`incidents` rides along as an extra field); `shadow`:
        what the shadow challenger would have done (`Decision.shadow()` of its decision)."""
        extra: dict[str, Any] = {"incidents": [m.model_dump() for m in self.incidents]}
        if shadow is not None:
            extra["shadow"] = shadow
        if decided_at is not None:
            extra["decided_at"] = decided_at
        if sent_at is not None:
            extra["sent_at"] = sent_at
        return EscalationDecided(
            event_id=event_id_for("EscalationDecided", conversation_id, message_id, self.model_version),
            conversation_id=conversation_id,
            seq=seq,
            message_id=message_id,
            action=self.action,
            risk=self.risk,
            reasons=self.reasons,
            guardrail=self.guardrail,
            model_version=self.model_version,
            escalated_because=self.escalated_because,
            **extra,
        )


# ---------------------------------------------------------------------------------------------- features


@dataclass(frozen=True, slots=True)
class Feature:
    code: str
    label: str
    description: str


FEATURES: dict[str, Feature] = {
    "sentiment_level": Feature(
        "negative_sentiment",
        "Customer sentiment low",
        "-arc.sentiment_ewma (EWMA of customer sentiment)",
    ),
    "sentiment_decline": Feature(
        "sentiment_declining", "Sentiment declining", "max(0, -arc.sentiment_slope) (per customer turn)"
    ),
    "volatility": Feature("sentiment_volatile", "Mood swinging", "arc.volatility"),
    "peak_frustration": Feature("frustration_peak", "Frustration peaked", "arc.peak_frustration"),
    "turns_since_positive": Feature(
        "no_positive_turn", "No positive message lately", "min(arc.turns_since_positive, 10)"
    ),
    "message_negativity": Feature("negative_message", "Negative message", "-scores.sentiment"),
    "frustration": Feature("frustrated", "Customer frustrated", "logit(scores.frustration)"),
    "frustration_trend": Feature(
        "frustration_sustained", "Frustration sustained", "EWMA of scores.frustration (state, alpha 0.5)"
    ),
    "intent_uncertainty": Feature("intent_unclear", "Request unclear", "1 - scores.intent_confidence"),
    "out_of_scope": Feature("out_of_scope", "Outside what the bot knows", "scores.out_of_scope (0/1)"),
    "complexity": Feature("complex_request", "Complex request", "scores.complexity"),
    "bot_low_confidence": Feature("bot_unsure", "Bot unsure of its answer", "1 - arc.last_bot_confidence"),
    "repeats": Feature("customer_repeating", "Customer repeating", "min(arc.repeats, 3)"),
    "rephrasings": Feature("customer_rephrasing", "Customer rephrasing", "min(arc.rephrasings, 3)"),
    "negative_feedback": Feature(
        "bot_answer_rejected", "Bot answer rejected", "min(arc.negative_feedback, 3)"
    ),
    "bot_failures": Feature("bot_failing", "Bot answers failing", "min(arc.bot_failures, 5)"),
    "repeat_contact": Feature(
        "repeat_contact", "Repeat contact", "min(earlier conversations on the same intent within N days, 3)"
    ),
    "conversation_length": Feature("long_conversation", "Long conversation", "log(1 + arc.customer_turns)"),
}
"""Every feature the risk model may weigh, by name (the keys of `params.features`)."""


def observe(state: DecisionState, scores: Scores) -> DecisionState:
    """The state's running statistics after a message's scores (the frustration average, intents seen)."""
    update: dict[str, object] = {}
    if scores.frustration is not None:
        previous = state.frustration_ewma
        update["frustration_ewma"] = (
            scores.frustration
            if previous is None
            else FRUSTRATION_EWMA_ALPHA * scores.frustration + (1 - FRUSTRATION_EWMA_ALPHA) * previous
        )
    if scores.intent and not scores.out_of_scope:
        update["intents"] = [scores.intent, *(i for i in state.intents if i != scores.intent)][:MAX_INTENTS]
    return state.model_copy(update=update) if update else state


def features(scores: Scores, arc: Arc, state: DecisionState, facts: Facts) -> dict[str, float | None]:
    """The raw features of a message (None: not observed, counts as average). `state` is after `observe`."""
    slope = arc.sentiment_slope
    return {
        "sentiment_level": None if arc.sentiment_ewma is None else -arc.sentiment_ewma,
        "sentiment_decline": None if slope is None else max(0.0, -slope),
        "volatility": arc.volatility,
        "peak_frustration": arc.peak_frustration,
        "turns_since_positive": None
        if arc.turns_since_positive is None
        else float(min(arc.turns_since_positive, 10)),
        "message_negativity": None if scores.sentiment is None else -scores.sentiment,
        "frustration": None if scores.frustration is None else _logit(scores.frustration),
        "frustration_trend": state.frustration_ewma,
        "intent_uncertainty": None if scores.intent_confidence is None else 1.0 - scores.intent_confidence,
        "out_of_scope": None if scores.out_of_scope is None else float(scores.out_of_scope),
        "complexity": scores.complexity,
        "bot_low_confidence": None if arc.last_bot_confidence is None else 1.0 - arc.last_bot_confidence,
        "repeats": float(min(arc.repeats, 3)),
        "rephrasings": float(min(arc.rephrasings, 3)),
        "negative_feedback": float(min(arc.negative_feedback, 3)),
        "bot_failures": float(min(arc.bot_failures, 5)),
        "repeat_contact": float(min(facts.repeat_contacts, 3)),
        "conversation_length": math.log1p(arc.customer_turns),
    }


def risk_of(x: Mapping[str, float | None], params: DecisionParams) -> tuple[float, dict[str, float]]:
    """The calibrated risk and each feature's logit contribution (`weight * z`)."""
    parts: dict[str, float] = {}
    logit = params.intercept
    for name, fw in params.features.items():
        value = x.get(name)
        if value is None or fw.weight == 0.0:
            continue
        part = fw.weight * (value - fw.mean) / fw.scale
        parts[name] = part
        logit += part
    return _sigmoid(logit), parts


# ---------------------------------------------------------------------------------------------- guardrails


@dataclass(frozen=True)
class Compiled:
    """The guardrails in precedence order: name, negatable, third-party; their patterns, expanded, one
    alternation each, scanned through a literal prefilter (`baton.decision.prefilter`)."""

    names: tuple[str, ...]
    negatable: tuple[bool, ...]
    third_party: tuple[bool, ...]
    scanner: Prefilter


@functools.lru_cache(maxsize=8)
def _compiled(
    patterns: tuple[tuple[str, tuple[str, ...]], ...],
    terms: tuple[tuple[str, str], ...],
    exempt: frozenset[str],
    third_party: frozenset[str] = frozenset(),
) -> Compiled:
    # One alternation per guardrail, each scanned once over the patterns that can match the message; the
    # negation check runs on a match only.
    order = {name: i for i, name in enumerate(GUARDRAIL_ORDER)}
    ranked = [
        (name, ps) for name, ps in sorted(patterns, key=lambda item: order.get(item[0], len(order))) if ps
    ]
    vocabulary = dict(terms)
    return Compiled(
        names=tuple(name for name, _ in ranked),
        negatable=tuple(name not in exempt for name, _ in ranked),
        third_party=tuple(name in third_party for name, _ in ranked),
        scanner=Prefilter([tuple(expand(p, vocabulary) for p in ps) for _, ps in ranked]),
    )


@functools.lru_cache(maxsize=8)
def _negation(settings: NegationSettings) -> Negation:
    return Negation.compile(
        settings.cues,
        settings.questions,
        settings.conditionals,
        settings.breaks,
        settings.window,
        settings.third_party,
    )


def guardrail_matches(text: str, params: DecisionParams, *, first: bool = False) -> list[tuple[str, str]]:
    """Every guardrail the text trips, (name, evidence) in precedence order, negated or hypothetical
    mentions left out ("I don't want to cancel", "if I cancel, do I get a refund?"); with `first`, at most
    the first one."""
    if not text:
        return []
    g = params.guardrails
    normal = fold(text)
    negation = _negation(g.negation)
    found: list[tuple[str, str]] = []
    compiled = _compiled(
        tuple(sorted(g.patterns.items())),
        tuple(sorted(g.terms.items())),
        frozenset(g.negation.exempt),
        frozenset(g.negation.third_party_guardrails),
    )
    scanner = compiled.scanner
    for a, chosen in enumerate(scanner.candidates(normal)):
        if not chosen:
            continue
        negatable, others = compiled.negatable[a], compiled.third_party[a]
        for match in scanner.finditer(a, chosen, normal):
            if negatable and negation.negated(normal, match.start(), others=others):
                continue
            found.append((compiled.names[a], f'says "{_quote(normal, match.start(), match.end())}"'))
            break
        if first and found:
            break
    return found


def _quote(text: str, start: int, end: int, limit: int = 60) -> str:
    """The matched words, whole: a pattern may stop inside a word ("third time i'm writ")."""
    while end < len(text) and (text[end].isalnum() or text[end] == "'"):
        end += 1
    quote = text[start:end].strip()
    if len(quote) > limit:
        quote = quote[:limit].rsplit(" ", 1)[0]
    return quote


MODEL_HUMAN_REQUEST = "human_request"
"""The trigger model's code for `human_requested`."""


@functools.lru_cache(maxsize=64)
def _keywords(words: str, terms: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{expand(words, dict(terms))})\b")


def model_veto(text: str, code: str, params: DecisionParams, *, normal: str | None = None) -> bool:
    """Whether a negation governs the trigger's key words in the message (`guardrails.model_keywords`,
    `baton.negation.Negation.vetoes`): "we're not leaving for another vendor" is no switch, whatever the
    model reads. Questions make a guardrail's trigger hypothetical as they do for its patterns; for the human
    request they do not ("Can I talk to a person?" is a request), nor for a trigger without key words."""
    g = params.guardrails
    words = g.model_keywords.get(code)
    if not words or code in g.negation.exempt:
        return False
    normal = fold(text) if normal is None else normal
    return _negation(g.negation).vetoes(
        normal,
        _keywords(words, tuple(sorted(g.terms.items()))),
        questions=code != MODEL_HUMAN_REQUEST,
        others=code in g.negation.third_party_guardrails,
    )


def model_gate(code: str, params: DecisionParams, normal: str) -> bool:
    """Whether the (folded) message holds a word the trigger needs for the model alone to trip it:
    `guardrails.model_gates[code]`, else its `model_keywords` (a trigger with neither: always). Chosen on calm
    support messages: without it the model alone trips a guardrail on 4.0% of 1,514 calm messages, with it
    on 2.8% (docs/decision.md)."""
    g = params.guardrails
    words = g.model_gates.get(code) or g.model_keywords.get(code)
    if not words:
        return True
    return _keywords(words, tuple(sorted(g.terms.items()))).search(normal) is not None


def _mentions_without_asking(text: str) -> bool:
    """The scoring signal's reading of a person mentioned without being asked for ("the agent said...", "thought
    I'd have to call an electrician", `baton.scoring.signals.HUMAN_EXCLUSIONS`), which vetoes the model's
    `human_request` in scoring too, so both read a message alike. Imported only when the model reads a request
    for a person: the decide function's cold start does not pay for the signals module."""
    from baton.scoring.signals import refuses_human

    return refuses_human(text)


def model_matches(
    text: str, scores: Scores, params: DecisionParams, *, exclude: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """The guardrails the trigger model trips (`scores.triggers` at or above `guardrails.model_thresholds`,
    not vetoed by a negation), (name, evidence in words), highest probability first. `human_request` is
    reported as `human_requested`."""
    triggers = getattr(scores, "triggers", None)
    if not triggers or not text:
        return []
    g = params.guardrails
    found: list[tuple[float, str, str]] = []
    normal: str | None = None
    for code, p in triggers.items():
        threshold = g.model_thresholds.get(code)
        name = HUMAN_REQUESTED if code == MODEL_HUMAN_REQUEST else code
        if threshold is None or p < threshold or name in exclude:
            continue
        if name == HUMAN_REQUESTED and not g.human_request:
            continue
        normal = fold(text) if normal is None else normal
        if not model_gate(code, params, normal):
            continue
        if model_veto(text, code, params, normal=normal):
            continue
        if name == HUMAN_REQUESTED and _mentions_without_asking(text):
            continue
        found.append((p, name, f"reads as {_READS_AS.get(name, name.replace('_', ' '))} ({p:.2f})"))
    found.sort(key=lambda item: -item[0])
    return [(name, evidence) for _, name, evidence in found]


def guardrail_hits(text: str, scores: Scores, params: DecisionParams) -> list[tuple[str, str]]:
    """Every guardrail the message trips, (name, evidence) in precedence order: by a pattern (evidence quotes
    it) or else by the trigger model (evidence in words); `human_requested` last (the scoring signal, else
    the model)."""
    tripped = guardrail_matches(text, params)
    by_pattern = {name for name, _ in tripped}
    model = model_matches(text, scores, params, exclude=frozenset(by_pattern))
    tripped += [m for m in model if m[0] != HUMAN_REQUESTED]
    tripped.sort(key=lambda item: _rank(item[0]))
    if params.guardrails.human_request and scores.asks_for_human:
        tripped.append((HUMAN_REQUESTED, "asked to talk to a person"))
    else:
        tripped += [m for m in model if m[0] == HUMAN_REQUESTED]
    return tripped


def guardrail(text: str, scores: Scores, params: DecisionParams) -> tuple[str, str] | None:
    """The guardrail this message trips and its evidence, or None (`guardrail_hits`' first: a pattern wins a
    tie with the model, whose evidence is only in words)."""
    tripped = guardrail_matches(text, params, first=True)
    model = model_matches(text, scores, params) if getattr(scores, "triggers", None) else []
    candidates = tripped + [m for m in model if m[0] != HUMAN_REQUESTED]
    if candidates:
        return min(candidates, key=lambda item: _rank(item[0]))
    if params.guardrails.human_request and scores.asks_for_human:
        return HUMAN_REQUESTED, "asked to talk to a person"
    return model[0] if model else None


def bot_failing(
    scores: Scores, arc: Arc, state: DecisionState, params: DecisionParams
) -> tuple[str, str] | None:
    """The `bot_failing` guardrail: (name, evidence) when this customer message comes after a new failed bot
    answer and either that answer was the same answer again (`guardrails.bot_loop`: the customer came back and
    got nothing new), or this message says more time has passed than the answer's own time frame
    (`guardrails.overdue`: "within 3-5 business days" answered with "it's been three weeks"), or
    `guardrails.bot_failures` answers have failed since the start or the last hand-back, at
    least one of them shown (`_SHOWN_FAILURES`, or by this message: negative feedback, a request for a person, a
    repeat), and the message does not read positive unless it complains about the
    answers itself (a "thanks, that worked" after two unsure answers is a success; "oh great, same answer. very
    helpful" reads positive and is not: it says the answer did not help). A loop of answers that do not help
    is what every bot-to-human hand-over rule is for; the fitted risk cannot see it, as the chats it was fitted
    on had no bot."""
    needed = params.guardrails.bot_failures
    failures = arc.bot_failures
    if failures <= state.bot_failures:
        return None  # no new failed answer since the last decision
    g = params.guardrails
    loop = (g.bot_loop and arc.last_bot_failed == REPEATED_ANSWER) or (
        g.overdue and arc.last_bot_failed == OVERDUE
    )
    counted = needed is not None and failures - state.bot_failures_handed_back >= needed
    if not (loop or counted):
        return None
    says_so = scores.negative_feedback or scores.asks_for_human
    if not says_so and scores.sentiment is not None and scores.sentiment >= POSITIVE_SENTIMENT:
        return None  # read positive, and not itself a complaint about the answers (sarcasm reads positive)
    if not counted and arc.last_bot_failed == OVERDUE:
        return BOT_FAILING, "the customer has waited longer than the bot's answer said it would take"
    if not counted:
        return BOT_FAILING, "the bot gave the same answer again after the customer came back to it"
    reasons = arc.bot_failure_reasons
    shown_before = any(reasons.get(code) for code in _SHOWN_FAILURES)
    if not shown_before and not (says_so or scores.repeat_of):
        return None
    shown = ", ".join(
        f"{_FAILURE_WORDS.get(code, code.replace('_', ' '))} {n}" for code, n in sorted(reasons.items()) if n
    )
    # An answer counts once: an unsure answer the customer then says did not help is counted under the
    # customer's reason (`baton.scoring.arc`), and the customer's message is the proof.
    now = "" if shown_before else "; this message says so"
    return BOT_FAILING, f"{failures} bot answers failed ({shown}){now}"


def needs_person(scores: Scores, params: DecisionParams) -> tuple[str, str] | None:
    """`needs_person` when the handover model reads the message, with the conversation so far, as one a support
    lead wants a person on (`scores.needs_person` at or above `guardrails.needs_person`): a situation only a
    person can handle told in words no pattern reads ("my tenancy runs until August, who can let us in?"). The
    last guardrail asked: a named one explains itself better. Not asked after a hand-back (`decide`): the model
    reads the conversation so far, which a person has just judged the bot can carry on with."""
    threshold = params.guardrails.needs_person
    p = getattr(scores, "needs_person", None)
    if threshold is None or p is None or p < threshold:
        return None
    return NEEDS_PERSON, f"reads as a case for a person ({p:.2f}, the handover model)"


def asks_for_someone(text: str, scores: Scores, arc: Arc, params: DecisionParams) -> tuple[str, str] | None:
    """`human_requested` when the customer asks for someone to act (`guardrails.someone`: "could someone look at
    fra-2?", "who can correct it before then?") and no agent has answered: after the bot's answer, the answer did
    not do it and a person is what they ask for. Before any answer it may be a question for the bot ("can someone
    confirm whether my booking includes breakfast?"): then it counts only when the handover model reads the
    message as a case for a person at `guardrails.someone_first` ("could someone look at the pump log? I was
    charged for 180 gallons and my tank holds 120"). A question is no hypothetical here; a negated request ("I
    don't need someone to call me") does not count."""
    g = params.guardrails
    if not (g.human_request and g.someone and text) or arc.agent_turns:
        return None
    if arc.bot_turns == 0:
        p = getattr(scores, "needs_person", None)
        if g.someone_first is None or p is None or p < g.someone_first:
            return None
    quoted = someone_request(text, params)
    if quoted is None:
        return None
    when = " after the bot's answer" if arc.bot_turns else ""
    return HUMAN_REQUESTED, f'asked for someone{when}: "{quoted}"'


def someone_request(text: str, params: DecisionParams) -> str | None:
    """The quoted words of the first request for someone to act in `text` (`guardrails.someone`) that is not
    negated, or None."""
    g = params.guardrails
    normal = fold(text)
    negation = _negation(g.negation)
    for match in _someone(g.someone).finditer(normal):
        if not negation.negated(normal, match.start(), questions=False):
            return _quote(normal, match.start(), match.end())
    return None


@functools.lru_cache(maxsize=8)
def _someone(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _rank(name: str) -> int:
    return _ORDER.get(name, len(_ORDER) + (name == HUMAN_REQUESTED))


_ORDER = {name: i for i, name in enumerate(GUARDRAIL_ORDER)}
_READS_AS = {
    "account_compromise": "someone else in the account",
    "data_loss": "lost data",
    "team_blocked": "a whole team blocked",
    "payment_dispute": "a chargeback or payment dispute",
    "cancellation_refund": "a cancellation with a refund demand",
    "public_complaint": "a threat of a public complaint",
    "competitor_switch": "a move to a competitor",
    "repeated_contact": "a customer writing again about the same thing",
    HUMAN_REQUESTED: "a request for a person",
}


_GUARDRAIL_LABELS = {
    "safety_risk": "Safety risk",
    "vulnerable_customer": "Customer vulnerable, in danger or stranded",
    "account_compromise": "Account compromised",
    "security_incident": "Security incident",
    "damage_caused": "Damage or loss caused by us",
    "legal_threat": "Legal threat",
    "data_loss": "Data loss",
    "team_blocked": "Whole team blocked",
    "payment_dispute": "Chargeback or payment dispute",
    "cancellation_refund": "Cancellation with refund demand",
    "public_complaint": "Threat of a public complaint",
    "competitor_switch": "Switching to a competitor",
    "promise_broken": "A promise to the customer not kept",
    "repeated_contact": "Contacted support repeatedly",
    HUMAN_REQUESTED: "Asked for a human",
    BOT_FAILING: "The bot keeps failing",
    NEEDS_PERSON: "Needs a person",
}


# ---------------------------------------------------------------------------------------------- sensitivity


def sensitivity_of(facts: Facts, params: DecisionParams) -> tuple[float, list[tuple[str, str, str, float]]]:
    """The combined threshold multiplier and, per fact that holds, (code, label, evidence, multiplier)."""
    s = params.sensitivity
    held: list[tuple[str, str, str, float]] = []
    if facts.high_value and facts.annual_value is not None:
        held.append(
            ("high_value", "High-value account", f"annual value {facts.annual_value:,.0f}", s.high_value)
        )
    if facts.renewal_soon and facts.renewal_in_days is not None:
        days = facts.renewal_in_days
        when = "renews today" if days == 0 else f"renews in {days} day{'s' if days != 1 else ''}"
        held.append(("renewal_soon", "Renewal soon", when, s.renewal_soon))
    if facts.new_customer and facts.customer_for_days is not None:
        days = facts.customer_for_days
        since = "signed up today" if days == 0 else f"signed up {days} day{'s' if days != 1 else ''} ago"
        held.append(("new_customer", "New customer", since, s.new_customer))
    if facts.health == "churning":
        held.append(("account_churning", "Account churning", "CRM health: churning", s.churning))
    elif facts.health == "at_risk":
        held.append(("account_at_risk", "Account at risk", "CRM health: at risk", s.at_risk))
    # Only an incident this message matches makes Baton more sensitive; one an earlier message matched stays
    # listed for the agent (Decision.incidents) but does not lower the bar for an unrelated follow-up.
    matched = [m for m in facts.incidents if m.matched_on != "conversation"]
    if matched:
        first = matched[0]
        eta = f" (ETA {first.eta}{', passed' if first.eta_passed else ''})" if first.eta else ""
        evidence = f"{first.id} {first.title}{eta}"
        if len(matched) > 1:
            evidence += f" and {len(matched) - 1} more"
        held.append(("known_incident", "Known incident", evidence, s.known_incident))
    if facts.errors_seen:
        minutes = params.business.recent_error_minutes
        evidence = f"{facts.errors_seen} error{'s' if facts.errors_seen != 1 else ''} shown in the last {minutes} min"
        held.append(("errors_seen", "Product errors", evidence, s.errors_seen))
    multiplier = 1.0
    for *_, m in held:
        multiplier *= m
    return max(multiplier, s.floor), held


# ---------------------------------------------------------------------------------------------- policy


def own_risk(scores: Scores, arc: Arc, params: DecisionParams) -> float:
    """The message's own risk: what the risk model says of it as if it opened the conversation (its frustration
    is the peak and the average, its sentiment the level, no mood swings, no repeat contact), with what the bot
    is doing (repeats, rephrasings, rejected answers, failures, its last confidence: a polite customer the bot
    keeps failing still needs a human). The conversation's record of the customer's mood (a frustration peak,
    swings, turns without a positive message) stays up after a bad moment; this does not, so it tells whether
    the customer is calm again."""
    risk, _ = risk_of(own_features(scores, arc), params)
    return risk


def own_features(scores: Scores, arc: Arc) -> dict[str, float | None]:
    """The features `own_risk` weighs (the refit of `baton.training.outcomes` reads them too): the message as if
    it opened the conversation, with what the bot is doing."""
    f, s = scores.frustration, scores.sentiment
    alone = Arc(
        customer_turns=1,
        sentiment_ewma=s,
        peak_frustration=f,
        turns_since_positive=None if s is None else (0 if s >= POSITIVE_SENTIMENT else 1),
        repeats=arc.repeats,
        rephrasings=arc.rephrasings,
        negative_feedback=arc.negative_feedback,
        bot_failures=arc.bot_failures,
        last_bot_confidence=arc.last_bot_confidence,
    )
    return features(scores, alone, DecisionState(frustration_ewma=f), Facts())


def next_action(
    mode: Action,
    calm_turns: int,
    risk: float,
    thresholds: Thresholds,
    exit_turns: int,
    *,
    forced: bool,
    message_risk: float | None = None,
    first: bool = False,
) -> tuple[Action, int]:
    """The policy: (action, calm_turns after it) from the conversation's mode. `forced`: a guardrail.
    `message_risk`: the message's own risk (`own_risk`; default `risk`). A message whose own risk is below
    `exit` reads calm: it never escalates by risk (the conversation's record alone does not call a human), and
    `exit_turns` of them in a row end a watch. `first`: the conversation's first customer message, whose risk
    alone only watches (`thresholds.first_message_escalates` false): the bot gets one answer."""
    if mode == "escalate" or forced:
        return "escalate", 0
    calm_now = (risk if message_risk is None else message_risk) < thresholds.exit
    if mode == "monitor":
        if calm_now:
            calm = calm_turns + 1
            return ("resolve", 0) if calm >= exit_turns else ("monitor", calm)
        if risk >= thresholds.monitor_escalate:
            return "escalate", 0
        return "monitor", 0
    if calm_now:
        return "resolve", 0
    if risk >= thresholds.escalate:
        return ("monitor", 0) if first else ("escalate", 0)
    if risk >= thresholds.monitor:
        return "monitor", 0
    return "resolve", 0


def decide(
    scores: Scores,
    arc: Arc,
    context: Context,
    state: DecisionState,
    params: DecisionParams,
    *,
    text: str = "",
    seq: int | None = None,
) -> tuple[Decision, DecisionState]:
    """The decision on one message and the conversation's state after it. Pure: `state` is not modified."""
    if seq is not None and seq <= state.last_seq:
        raise OutOfOrderDecision(f"message seq {seq} is not after the last decided seq {state.last_seq}")
    observed = observe(state, scores)
    b = params.business
    facts = business_facts(
        context,
        text=text,
        intents=observed.intents,
        product_area=scores.product_area,
        high_value_annual=b.high_value_annual,
        renewal_days=b.renewal_days,
        new_customer_days=b.new_customer_days,
        repeat_contact_days=b.repeat_contact_days,
        recent_error_minutes=b.recent_error_minutes,
        earlier_incidents=state.incidents,
    )
    x = features(scores, arc, observed, facts)
    risk, parts = risk_of(x, params)
    tripped = (
        guardrail(text, scores, params)
        or asks_for_someone(text, scores, arc, params)
        or bot_failing(scores, arc, state, params)
        or (needs_person(scores, params) if state.handed_back_seq is None else None)
    )
    multiplier, held = sensitivity_of(facts, params)
    t = params.thresholds
    effective = Thresholds(
        escalate=t.escalate * multiplier,
        monitor=t.monitor * multiplier,
        monitor_escalate=t.monitor_escalate * multiplier,
        exit=t.exit * multiplier,
        sensitivity=round(multiplier, 4),
    )
    previous = state.mode
    action, calm = next_action(
        previous,
        state.calm_turns,
        risk,
        effective,
        t.exit_turns,
        forced=tripped is not None,
        message_risk=own_risk(scores, arc, params),
        first=state.decisions == 0 and not t.first_message_escalates,
    )

    reasons: list[Reason] = []
    if state.handed_back_seq is not None and action == "escalate" and previous != "escalate" and not tripped:
        # After a hand-back the risk that escalated the conversation is still standing: re-escalating on it
        # would bounce the customer between bot and human. A new trigger is needed; meanwhile, watch closely.
        action, calm = "monitor", 0
        reasons.append(
            Reason(
                code="handed_back",
                label="Handed back by an agent",
                contribution=0.0,
                evidence=f"after message {state.handed_back_seq}: escalates again only on a new trigger",
            )
        )
    because: EscalationCause | None = None
    if previous == "escalate":
        at = f"at message {state.escalated_seq}" if state.escalated_seq else "earlier"
        cause = state.escalated_reasons[0].label.lower() if state.escalated_reasons else None
        by = f" ({cause})" if cause else ""
        reasons.append(
            Reason(code="escalated_earlier", label="Already escalated", contribution=1.0, evidence=at + by)
        )
        because = EscalationCause(
            seq=state.escalated_seq or 1,
            guardrail=state.escalated_by if state.escalated_by not in (None, "risk") else None,
            risk=state.escalated_risk if state.escalated_risk is not None else state.peak_risk,
            reasons=state.escalated_reasons,
        )
    if tripped is not None:
        name, evidence = tripped
        label = _GUARDRAIL_LABELS.get(name, name.replace("_", " ").capitalize())
        reasons.append(Reason(code=name, label=label, contribution=1.0, evidence=evidence))
    threshold = t.monitor_escalate if previous == "monitor" else t.escalate
    reasons += _reasons(parts, held, threshold, scores, arc, observed, facts, params)

    escalated_now = action == "escalate" and previous != "escalate"
    new_state = observed.model_copy(
        update={
            "mode": action,
            "calm_turns": calm,
            "decisions": state.decisions + 1,
            "last_seq": seq if seq is not None else state.last_seq + 1,
            "escalated_seq": (seq or state.decisions + 1) if escalated_now else state.escalated_seq,
            "escalated_by": (tripped[0] if tripped else "risk") if escalated_now else state.escalated_by,
            "escalated_risk": round(risk, 4) if escalated_now else state.escalated_risk,
            "escalated_reasons": reasons if escalated_now else state.escalated_reasons,
            "monitor_since_seq": (seq or state.decisions + 1)
            if action == "monitor" and previous != "monitor"
            else (state.monitor_since_seq if action == "monitor" else None),
            "peak_risk": max(state.peak_risk, risk),
            "bot_failures": max(state.bot_failures, arc.bot_failures),
            "params_version": params.version,
            "incidents": list(dict.fromkeys([*(m.id for m in facts.incidents), *state.incidents]))[
                :MAX_INCIDENTS
            ],
        }
    )
    decision = Decision(
        action=action,
        risk=round(risk, 4),
        reasons=reasons,
        guardrail=tripped[0] if tripped else None,
        model_version=params.version,
        previous=previous,
        thresholds=effective,
        incidents=facts.incidents,
        escalated_because=because,
    )
    return decision, new_state


# ---------------------------------------------------------------------------------------------- reasons


def _reasons(
    parts: Mapping[str, float],
    held: list[tuple[str, str, str, float]],
    threshold: float,
    scores: Scores,
    arc: Arc,
    state: DecisionState,
    facts: Facts,
    params: DecisionParams,
) -> list[Reason]:
    base = _logit(threshold)
    pushes: list[tuple[float, str, str, str]] = []
    for name, part in parts.items():
        # A negative weight pushes up when its signal is *low* ("0 rephrasings"): it moves the risk, but a
        # reader could not act on it as a reason.
        if part > 0 and params.features[name].weight > 0:
            feature = FEATURES[name]
            label = (
                _FIRST_MESSAGE_LABELS.get(name, feature.label) if arc.customer_turns <= 1 else feature.label
            )
            pushes.append((part, feature.code, label, _EVIDENCE[name](scores, arc, state, facts)))
    for code, label, evidence, m in held:
        shift = base - _logit(threshold * m)
        if shift > 0:
            pushes.append((shift, code, label, evidence))
    total = sum(p[0] for p in pushes)
    if total <= 0:
        return []
    settings = params.reasons
    shares = sorted(((p / total, code, label, ev) for p, code, label, ev in pushes), key=lambda r: -r[0])
    return [
        Reason(code=code, label=label, contribution=round(share, 3), evidence=evidence)
        for share, code, label, evidence in shares
        if share >= settings.min_contribution
    ][: settings.max_reasons]


_FIRST_MESSAGE_LABELS = {"frustration_trend": "Frustrated from the start"}
"""Labels that would overstate a single message ("sustained" after one message): same code, fitting words."""


def _turns(n: int) -> str:
    return f"{n} turn{'' if n == 1 else 's'}"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _decline(scores: Scores, arc: Arc, state: DecisionState, facts: Facts) -> str:
    window = min(max(arc.customer_turns, 2), 5)  # the arc's slope window
    change = (arc.sentiment_slope or 0.0) * (window - 1)
    return f"{change:+.1f} over {window - 1} turn{'s' if window != 2 else ''}"


def _failures(scores: Scores, arc: Arc, state: DecisionState, facts: Facts) -> str:
    why = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(arc.bot_failure_reasons.items()))
    return f"{arc.bot_failures} failed bot answer{'s' if arc.bot_failures != 1 else ''}" + (
        f" ({why})" if why else ""
    )


def _repeat_contact(scores: Scores, arc: Arc, state: DecisionState, facts: Facts) -> str:
    days = facts.last_contact_days
    when = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
    outcome = f", {facts.last_outcome}" if facts.last_outcome else ""
    n = facts.repeat_contacts
    return (
        f"{n} earlier conversation{'s' if n != 1 else ''} about {facts.repeat_intent} (last {when}{outcome})"
    )


_AREA_WORDS = {
    "billing": "a billing question",
    "account": "an account question",
    "technical": "a technical problem",
    "how_to": "a how-to question",
    "cancellation": "a cancellation request",
    "feedback": "feedback or a complaint",
}
"""The default taxonomy's product areas in words: a reason shown to people names the area of the request, never
an intent the model may be unsure of (a team's own areas read "a <area> question")."""


def _intent(scores: Scores) -> str:
    """What the request is about, in words: its product area (not the raw intent id), or no clear topic."""
    area = None if scores.out_of_scope else scores.product_area
    if not area or area == "general":
        return "no clear topic"
    return _AREA_WORDS.get(area, f"a {area.replace('_', ' ')} question")


_Evidence = Callable[[Scores, Arc, DecisionState, Facts], str]
_EVIDENCE: dict[str, _Evidence] = {
    "sentiment_level": lambda s, a, st, f: (
        f"average {a.sentiment_ewma or 0:+.2f} over {_turns(a.customer_turns)}"
    ),
    "sentiment_decline": _decline,
    "volatility": lambda s, a, st, f: f"swings of {a.volatility or 0:.2f} between turns",
    "peak_frustration": lambda s, a, st, f: f"peaked at {a.peak_frustration or 0:.2f}",
    "turns_since_positive": lambda s, a, st, f: (
        f"{_turns(a.turns_since_positive or 0)} without a positive message"
    ),
    "message_negativity": lambda s, a, st, f: f"this message {s.sentiment or 0:+.2f}",
    "frustration": lambda s, a, st, f: f"frustration {s.frustration or 0:.2f} on this message",
    "frustration_trend": lambda s, a, st, f: (
        f"averaging {st.frustration_ewma or 0:.2f} over recent turns"
        if a.customer_turns > 1
        else f"{st.frustration_ewma or 0:.2f} on the first message"
    ),
    "intent_uncertainty": lambda s, a, st, f: (
        f"looks like {_intent(s)}" if _intent(s) != "no clear topic" else "no clear topic"
    ),
    "out_of_scope": lambda s, a, st, f: "no known intent fits",
    "complexity": lambda s, a, st, f: f"complexity {s.complexity or 0:.2f} ({_intent(s)})",
    "bot_low_confidence": lambda s, a, st, f: (
        f"last answer at {100 * (a.last_bot_confidence or 0):.0f}% confidence"
    ),
    "repeats": lambda s, a, st, f: f"repeated a message {_times(a.repeats)}",
    "rephrasings": lambda s, a, st, f: f"rephrased a question {_times(a.rephrasings)}",
    "negative_feedback": lambda s, a, st, f: f"said an answer did not help {_times(a.negative_feedback)}",
    "bot_failures": _failures,
    "repeat_contact": _repeat_contact,
    "conversation_length": lambda s, a, st, f: (
        f"{a.customer_turns} customer message{'s' if a.customer_turns != 1 else ''}"
    ),
}
assert set(_EVIDENCE) == set(FEATURES)


def _logit(p: float) -> float:
    p = min(max(p, _P_EPS), 1 - _P_EPS)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def decide_conversation(
    turns: list[tuple[Scores, Arc, str]], params: DecisionParams, context: Context | None = None
) -> list[Decision]:
    """Every decision of a conversation in order (backtests, the fit's evaluation): `(scores, arc, text)` per
    message, one state carried through."""
    context = context or Context()
    state = DecisionState()
    out = []
    for scores, arc, text in turns:
        decision, state = decide(scores, arc, context, state, params, text=text)
        out.append(decision)
    return out


def handed_back(state: DecisionState) -> DecisionState:
    """The state after an agent handed the conversation back to the bot: no longer escalated (the bot answers
    again, watched closely), and the escalation's cause forgotten so later decisions do not say "Already
    escalated"; only a new trigger escalates again (`DecisionState.handed_back_seq`). The shadow challenger's
    state is handed back too: the conversation it shadows went back to the bot."""
    shadow = state.shadow_state
    if shadow is not None:
        shadow = _handed_back(shadow, state.last_seq)
        if shadow is not state.shadow_state:
            state = state.model_copy(update={"shadow_state": shadow})
    return _handed_back(state, state.last_seq)


def _handed_back(state: DecisionState, last_seq: int) -> DecisionState:
    """`handed_back` of one state, after message `last_seq` (a shadow's own last decided seq may be earlier)."""
    if state.mode != "escalate" and state.handed_back_seq == last_seq:
        return state
    return state.model_copy(
        update={
            "mode": "monitor",
            "calm_turns": 0,
            "monitor_since_seq": last_seq or None,
            "escalated_seq": None,
            "escalated_by": None,
            "escalated_risk": None,
            "escalated_message_id": None,
            "escalated_reasons": [],
            "handed_back_seq": last_seq,
            "bot_failures_handed_back": state.bot_failures,
        }
    )
