"""What one conversation summary adds to the KPI buckets (`contribution`), and what a change of it moves
(`difference`): the storage adds the difference to its bucket items (DynamoDB ADD) in the transaction that
writes the summary, so the buckets always equal the sum of the stored summaries' contributions.

A conversation counts on the day (UTC) it started, once per dimension value:
- `all` (value `all`), `intent`, `product_area` and `segment` (a missing value counts as `unknown`) carry every
  counter below;
- `page` (when the conversation had one), `incident` (each incident its decisions matched) and `reason` (each
  reason code of the escalating decision, escalated conversations only) carry the driver counters only:
  `conversations` and `escalated`.

Counters (opaque numbers to the storage; `baton.insights.kpis` reads them):
- `conversations`; `escalated`; `esc_<kind>` per escalation kind (customer_requested, guardrail, model);
- `label_<label>` per outcome label (false_escalation, missed_escalation, true_escalation, contained, unknown);
- per timing `<t>` (`tte`: first message -> escalating message; `tta`: escalation -> first assignment; `ttr`:
  escalation -> first agent message): `<t>_n`, `<t>_s` (sum of seconds) and `<t>_h<k>`, a histogram of
  log-spaced bins (`histogram_bin`) for an approximate median;
- `reopened` (conversations reopened at least once); `repeat_contacts`;
- per path `<p>` (bot_only, escalated, direct_to_agent), from the latest rating: `csat_<p>_n`, `csat_<p>_sum`,
  `csat_<p>_low` (ratings <= 2);
- on `all` only, per calibration bin `<i>` (0-9: the highest risk in [i/10, (i+1)/10)) of the conversations
  labelled `true_escalation`, `missed_escalation`, `contained` or `false_escalation`: `cal<i>_n`, `cal<i>_pos`
  (a human was needed: true or missed), `cal<i>_risk` (sum of the highest risks).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from baton.insights.models import ConversationSummary, Dimension

type BucketKey = tuple[date, Dimension, str]

UNKNOWN = "unknown"
ALL = "all"
MAX_VALUE_CHARS = 200
"""A dimension value is part of a bucket's sort key (DynamoDB: at most 1,024 bytes): longer ones are cut."""

TIMINGS = ("tte", "tta", "ttr")
HISTOGRAM_STEPS = 2
"""Bins per doubling: bin k >= 1 holds [2^((k-1)/2), 2^(k/2)) seconds, bin 0 [0, 1): a median within 19 %."""
HISTOGRAM_BINS = 45
"""The last bin (44) holds everything from 2^21.5 s (34 days) up."""

CALIBRATION_BINS = 10
NEEDED_HUMAN = frozenset({"true_escalation", "missed_escalation"})
NO_HUMAN_NEEDED = frozenset({"contained", "false_escalation"})
LOW_CSAT = 2

_ROUND = 6


def histogram_bin(seconds: float) -> int:
    """The histogram bin of a duration (`HISTOGRAM_STEPS` bins per doubling)."""
    if seconds < 1:
        return 0
    return min(math.floor(HISTOGRAM_STEPS * math.log2(seconds) + 1e-9) + 1, HISTOGRAM_BINS - 1)


def bin_bounds(k: int) -> tuple[float, float]:
    """The seconds bin `k` holds, [low, high) (the last bin's high is its low doubled, for a midpoint)."""
    if k == 0:
        return 0.0, 1.0
    low = 2 ** ((k - 1) / HISTOGRAM_STEPS)
    high = 2 ** (k / HISTOGRAM_STEPS) if k < HISTOGRAM_BINS - 1 else low * 2
    return low, high


def calibration_bin(risk: float) -> int:
    return min(math.floor(round(risk * CALIBRATION_BINS, 9)), CALIBRATION_BINS - 1)


def day_of(at: datetime) -> date:
    return at.astimezone(UTC).date()


def contribution(summary: ConversationSummary) -> dict[BucketKey, dict[str, float]]:
    """The counters this conversation adds to each bucket (none before its first message is known)."""
    if summary.started_at is None:
        return {}
    day = day_of(summary.started_at)
    counters = _counters(summary)
    escalated = summary.escalated_at is not None
    drivers: dict[str, float] = {"conversations": 1, **({"escalated": 1} if escalated else {})}
    out: dict[BucketKey, dict[str, float]] = {(day, "all", ALL): {**counters, **_calibration(summary)}}
    out[(day, "intent", _value(summary.intent))] = dict(counters)
    out[(day, "product_area", _value(summary.product_area))] = dict(counters)
    out[(day, "segment", _value(summary.segment))] = dict(counters)
    if summary.page:
        out[(day, "page", _value(summary.page))] = dict(drivers)
    for incident in summary.incidents:
        out[(day, "incident", _value(incident))] = dict(drivers)
    if escalated:
        for code in summary.escalation_reasons:
            out[(day, "reason", _value(code))] = dict(drivers)
    return out


def difference(
    old: ConversationSummary | None, new: ConversationSummary | None
) -> dict[BucketKey, dict[str, float]]:
    """What to add to the buckets when a conversation's summary goes from `old` to `new` (None: no summary):
    new minus old, counters that do not move left out (empty when nothing moves)."""
    before = contribution(old) if old is not None else {}
    after = contribution(new) if new is not None else {}
    moved: dict[BucketKey, dict[str, float]] = {}
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key, {}), after.get(key, {})
        counters = {
            name: round(now.get(name, 0) - was.get(name, 0), _ROUND)
            for name in sorted(was.keys() | now.keys())
        }
        counters = {name: value for name, value in counters.items() if value != 0}
        if counters:
            moved[key] = counters
    return moved


def _value(value: str | None) -> str:
    return value[:MAX_VALUE_CHARS] if value else UNKNOWN


def _counters(s: ConversationSummary) -> dict[str, float]:
    c: dict[str, float] = {"conversations": 1}
    if s.escalated_at is not None:
        c["escalated"] = 1
        c[f"esc_{s.escalation_kind or 'model'}"] = 1
    if s.label is not None:
        c[f"label_{s.label}"] = 1
    timings = {
        "tte": (s.started_at, s.escalated_at),
        # From the decision, not the message: routing starts when Baton decides (a backfill of old messages
        # would otherwise count the hours between the message and its processing as waiting for an agent).
        "tta": (s.escalation_decided_at or s.escalated_at, s.assigned_at),
        "ttr": (s.escalated_at, s.first_agent_reply_at),
    }
    for name, (since, until) in timings.items():
        if since is not None and until is not None:
            seconds = max(0.0, round((until - since).total_seconds(), 3))
            c[f"{name}_n"] = 1
            c[f"{name}_s"] = seconds
            c[f"{name}_h{histogram_bin(seconds)}"] = 1
    if s.reopened:
        c["reopened"] = 1
    if s.repeat_contact:
        c["repeat_contacts"] = 1
    if s.csat is not None:
        path = s.path
        c[f"csat_{path}_n"] = 1
        c[f"csat_{path}_sum"] = s.csat
        if s.csat <= LOW_CSAT:
            c[f"csat_{path}_low"] = 1
    return c


def _calibration(s: ConversationSummary) -> dict[str, float]:
    if s.max_risk is None or s.label not in NEEDED_HUMAN | NO_HUMAN_NEEDED:
        return {}
    i = calibration_bin(s.max_risk)
    c: dict[str, float] = {f"cal{i}_n": 1, f"cal{i}_risk": round(s.max_risk, 4)}
    if s.label in NEEDED_HUMAN:
        c[f"cal{i}_pos"] = 1
    return c
