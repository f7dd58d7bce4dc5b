"""How complex a customer message is, in [0, 1]: the intent's base complexity, adjusted by what the message shows.

The rule. The base is the taxonomy's `base_complexity` of the predicted intent (`taxonomy.json` of the intent
model; 0.5 for an out-of-scope message or an intent the taxonomy lacks). Each signal found in the message
pushes the score towards 1 by a share of the room left:

    complexity = 1 - (1 - base) * (1 - p_issues) * (1 - p_amounts) * (1 - p_dates) * (1 - p_length) * (1 - p_attach)

| signal | what counts | push |
|---|---|---|
| several issues | the largest of: extra questions (question-mark groups beyond the first); openers of another topic ("and also", a sentence starting "also", "another question", "one more thing", "additionally", "on top of that", "besides that", "secondly") plus list items beyond the first; extra intents the model gives >= 0.25 in another product area (with a taxonomy; without one, any other intent >= 0.25) | 0.12 per extra issue, at most 0.30 |
| amounts | money: `$12`, `12.50 EUR`, `£5`, `30 dollars`, a number with two decimals | 0.08 for one, 0.15 for two or more different ones |
| invoice periods and dates | dates (`2024-03-01`, `03/01/2024`, `3 March`, `March 3rd`, month names) and billing periods (invoice, statement, billing cycle, last month, quarterly, prorated) | 0.08 for one mention, 0.12 for two or more |
| length | words beyond 30 (a long message carries more detail to take in) | linear up to 0.15 at 150 words |
| attachments | metadata naming an attachment (`attachments`, `attachment_count`, `has_attachment`, `files`, `screenshot`...) with a true, positive or non-empty value, or the text saying so ("attached", "screenshot", "see the pdf") | 0.10 |

Why this form: the score never falls below the base and never leaves [0, 1]; signals are independent and their
order does not matter; a known-hard intent (base 0.8) moves less than an easy one (base 0.2) for the same
message, because there is less room left. Several issues weigh most: a second problem in one message is what
most often outgrows a bot. Only the first `MAX_CHARS` characters are read (bounded cost on a 16 KB message).

`assess` returns the score with each signal's push (for explanations and the handoff); `complexity(base, text)`
is the score alone, the signature the scorer calls.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from baton.scoring.contracts import IntentInfo

MAX_CHARS = 4000
DEFAULT_BASE = 0.5
"""Base complexity when the intent is unknown or out of scope."""

ISSUE_PUSH, ISSUE_CAP = 0.12, 0.30
SECOND_INTENT_MIN = 0.25
AMOUNT_PUSH_ONE, AMOUNT_PUSH_MANY = 0.08, 0.15
DATE_PUSH_ONE, DATE_PUSH_MANY = 0.08, 0.12
LENGTH_FREE_WORDS, LENGTH_FULL_WORDS, LENGTH_CAP = 30, 150, 0.15
ATTACHMENT_PUSH = 0.10

_QUESTIONS = re.compile(r"\?+")
_OPENERS = re.compile(
    r"\band also\b|(?:^|[.!?;]\s*)also\b|\banother (?:question|thing|issue|problem|point|request)\b"
    r"|\bone more (?:thing|question|issue)\b|\badditionally\b|\bon top of (?:that|this)\b"
    r"|\bbesides (?:that|this)\b|\bapart from (?:that|this)\b|\bsecondly\b|\bthirdly\b|\bseparately\b"
    r"|\bunrelated,? but\b|\bwhile i'm (?:here|at it)\b"
)
_LIST_ITEM = re.compile(r"(?m)^\s*(?:\d{1,2}[.)]|[-*\u2022])\s+\S")
_AMOUNT = re.compile(
    r"[$\u20ac\u00a3\u00a5]\s?\d[\d,]*(?:\.\d+)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:usd|eur|gbp|chf|cad|aud|dollars?|euros?|pounds?|bucks)\b"
    r"|\b(?:usd|eur|gbp|chf|cad|aud)\s?\d[\d,]*(?:\.\d+)?"
    r"|\b\d+[.,]\d\d\b"
)
_MONTH = (
    r"(?:january|february|march|april|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"
)
_DATE = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?(?: of)? (?:{_MONTH}|may)\b|\b(?:{_MONTH}|may) \d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\b{_MONTH}\b"
    r"|\binvoices?\b|\bstatements?\b|\bbilling (?:period|cycle|date)\b|\bbill date\b"
    r"|\b(?:last|this|previous|next) (?:month|quarter|year|billing)\b|\bquarterly\b|\bmonthly\b"
    r"|\bannual(?:ly)?\b|\bpro-?rat(?:ed|a|ion)\b|\brenewal\b"
)
_ATTACHMENT_TEXT = re.compile(
    r"\battached\b|\battachments?\b|\bscreen ?shots?\b|\benclosed\b|\bi(?:'ve| have) uploaded\b"
    r"|\bsee the (?:file|image|picture|photo|pdf|document)\b"
)
_ATTACHMENT_KEY = re.compile(r"attach|screenshot|^files?$|^file_count$|^images?$|^has_files$", re.IGNORECASE)
_FALSY_TEXT = frozenset({"", "0", "false", "no", "none", "null"})


@dataclass(frozen=True)
class Complexity:
    score: float
    base: float
    pushes: dict[str, float] = field(default_factory=dict)
    """Each signal that fired and how far it pushed (0..cap), for explanations."""


def _issues(text: str, top: Sequence[tuple[str, float]], taxonomy: Mapping[str, IntentInfo] | None) -> int:
    questions = len(_QUESTIONS.findall(text))
    openers = len(_OPENERS.findall(text)) + max(0, len(_LIST_ITEM.findall(text)) - 1)
    extra_intents = 0
    if top:
        first = top[0][0]
        seen_areas = {taxonomy[first].product_area} if taxonomy and first in taxonomy else set()
        for intent, prob in top[1:]:
            if prob < SECOND_INTENT_MIN:
                continue
            if taxonomy is not None:
                area = taxonomy[intent].product_area if intent in taxonomy else intent
                if area in seen_areas:
                    continue  # two readings of one problem, not two problems
                seen_areas.add(area)
            extra_intents += 1
    return max(questions - 1, openers, extra_intents, 0)


def _has_attachment(text: str, metadata: Mapping[str, Any] | None) -> bool:
    for key, value in (metadata or {}).items():
        if not _ATTACHMENT_KEY.search(str(key)):
            continue
        if isinstance(value, bool):
            if value:
                return True
        elif isinstance(value, int | float):
            if value > 0:
                return True
        elif isinstance(value, str):
            if value.strip().lower() not in _FALSY_TEXT:
                return True
        elif value:
            return True
    return bool(_ATTACHMENT_TEXT.search(text))


def assess(
    base: float,
    text: str,
    *,
    top: Sequence[tuple[str, float]] = (),
    metadata: Mapping[str, Any] | None = None,
    taxonomy: Mapping[str, IntentInfo] | None = None,
) -> Complexity:
    """The complexity of `text` given its intent's `base` complexity, with each signal's push.

    `top`: the intent model's best (intent, probability) pairs (`IntentPrediction.top`), for messages that
    read as several intents at once; `taxonomy`: the model's, so two intents of one product area count once;
    `metadata`: the message's, for attachment hints.
    """
    base = min(max(float(base), 0.0), 1.0) if math.isfinite(base) else DEFAULT_BASE
    raw = text[:MAX_CHARS]
    lowered = raw.lower()
    pushes: dict[str, float] = {}
    issues = _issues(lowered, top, taxonomy)
    if issues:
        pushes["several_issues"] = min(ISSUE_CAP, ISSUE_PUSH * issues)
    amounts = {re.sub(r"[\s,]", "", m) for m in _AMOUNT.findall(lowered)}
    if amounts:
        pushes["amounts"] = AMOUNT_PUSH_MANY if len(amounts) > 1 else AMOUNT_PUSH_ONE
    dates = _DATE.findall(lowered)
    if dates:
        pushes["dates_or_periods"] = DATE_PUSH_MANY if len(dates) > 1 else DATE_PUSH_ONE
    words = len(raw.split())
    if words > LENGTH_FREE_WORDS:
        share = min(1.0, (words - LENGTH_FREE_WORDS) / (LENGTH_FULL_WORDS - LENGTH_FREE_WORDS))
        pushes["length"] = round(LENGTH_CAP * share, 4)
    if _has_attachment(lowered, metadata):
        pushes["attachments"] = ATTACHMENT_PUSH
    room = 1.0 - base
    for push in pushes.values():
        room *= 1.0 - push
    return Complexity(score=round(min(max(1.0 - room, 0.0), 1.0), 4), base=base, pushes=pushes)


def complexity(
    base: float,
    text: str,
    *,
    top: Sequence[tuple[str, float]] = (),
    metadata: Mapping[str, Any] | None = None,
    taxonomy: Mapping[str, IntentInfo] | None = None,
) -> float:
    """`assess(...).score`: the complexity in [0, 1]."""
    return assess(base, text, top=top, metadata=metadata, taxonomy=taxonomy).score
