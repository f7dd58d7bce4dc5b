"""The KPI report of a date range (`Kpis`), computed from the KPI buckets of its days alone (a few hundred items
whatever the traffic): totals, per day and ISO week, per intent, product area and segment, the drivers of the
escalations, the week-over-week drift and the calibration of the risk. Pure: the caller reads the buckets
(`baton.insights.store`) and passes them, shards and all (buckets with the same day, dimension and value add up).

The counters are `baton.insights.buckets`'; the definitions of the figures are `baton.insights.models`'. A rate
whose denominator is 0 is null.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from baton.insights.buckets import (
    ALL,
    CALIBRATION_BINS,
    HISTOGRAM_BINS,
    bin_bounds,
)
from baton.insights.models import (
    ESCALATION_KINDS,
    PATHS,
    Bucket,
    CalibrationBin,
    Csat,
    DayPoint,
    Dimension,
    Drift,
    DriftItem,
    Driver,
    Drivers,
    Kpis,
    Metrics,
    Slice,
    Timing,
)

LABELS = ("false_escalation", "missed_escalation", "true_escalation", "contained", "unknown")
DRIFT_DAYS = 7
DRIFT_MIN_CONVERSATIONS = 20
"""Drift alerts only when both weeks have at least this many conversations (fewer: noise)."""

type Counters = Mapping[str, float]


def compute(
    buckets: Iterable[Bucket],
    start: date,
    end: date,
    *,
    now: datetime,
    drift_threshold_pts: float = 10.0,
    top: int = 10,
) -> Kpis:
    """The KPIs of the conversations that started from `start` to `end` (UTC days, inclusive); buckets of other
    days are ignored. `drift`: the last 7 days against the 7 before, when the range has 14 days or more;
    `top`: the drivers kept per list, and the intents the drift lists."""
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    table: dict[Dimension, dict[str, dict[date, dict[str, float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
    )
    for bucket in buckets:
        if start <= bucket.day <= end:
            counters = table[bucket.dimension][bucket.value][bucket.day]
            for name, value in bucket.counters.items():
                counters[name] += float(value)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    daily = {day: table["all"][ALL].get(day, {}) for day in days}
    totals = _sum(daily.values())
    return Kpis.model_validate(
        {
            "from": start,
            "to": end,
            "generated_at": now,
            "totals": metrics(totals),
            "by_day": [_day_point(day, daily[day]) for day in days],
            "by_week": _weeks(daily),
            "by_intent": _slices(table["intent"]),
            "by_product_area": _slices(table["product_area"]),
            "by_segment": _slices(table["segment"]),
            "drivers": Drivers(
                intents=_drivers(table["intent"], totals, top),
                pages=_drivers(table["page"], totals, top),
                incidents=_drivers(table["incident"], totals, top),
                reasons=_drivers(table["reason"], totals, top),
            ),
            "drift": _drift(table, end, drift_threshold_pts, top) if len(days) >= 2 * DRIFT_DAYS else None,
            "calibration": _calibration(totals),
        }
    )


def metrics(c: Counters) -> Metrics:
    """Every KPI of one slice, from its summed counters."""
    n = _int(c, "conversations")
    escalated = _int(c, "escalated")
    labels = {label: _int(c, f"label_{label}") for label in LABELS}
    by_kind: dict[str, int] = {kind: _int(c, f"esc_{kind}") for kind in ESCALATION_KINDS}
    false, true = labels["false_escalation"], labels["true_escalation"]
    missed, contained = labels["missed_escalation"], labels["contained"]
    reopened, repeats = _int(c, "reopened"), _int(c, "repeat_contacts")
    return Metrics(
        conversations=n,
        escalated=escalated,
        escalation_rate=_rate(escalated, n),
        escalated_by_kind=by_kind,
        escalation_rate_by_kind={kind: _rate(count, n) for kind, count in by_kind.items()},
        contained=contained,
        containment_rate=_rate(contained, n),
        false_escalations=false,
        false_escalation_rate=_rate(false, false + true),
        missed_escalations=missed,
        missed_escalation_rate=_rate(missed, missed + contained),
        labels=labels,
        time_to_escalate=timing(c, "tte"),
        time_to_assign=timing(c, "tta"),
        time_to_first_agent_reply=timing(c, "ttr"),
        reopened=reopened,
        reopen_rate=_rate(reopened, n),
        repeat_contacts=repeats,
        repeat_contact_rate=_rate(repeats, n),
        csat={path: _csat(c, path) for path in PATHS},
    )


def timing(c: Counters, name: str) -> Timing:
    """A timing's count, mean and approximate median: the geometric middle of the histogram bin holding the
    middle value (the ceil(n/2)-th smallest)."""
    n = _int(c, f"{name}_n")
    if n == 0:
        return Timing()
    rank, seen, p50 = (n + 1) // 2, 0, None
    for k in range(HISTOGRAM_BINS):
        seen += _int(c, f"{name}_h{k}")
        if seen >= rank:
            low, high = bin_bounds(k)
            p50 = round(high / 2 if k == 0 else (low * high) ** 0.5, 1)
            break
    return Timing(n=n, mean_s=round(c.get(f"{name}_s", 0.0) / n, 1), p50_s=p50)


def _csat(c: Counters, path: str) -> Csat:
    n = _int(c, f"csat_{path}_n")
    mean = round(c.get(f"csat_{path}_sum", 0.0) / n, 2) if n else None
    return Csat(n=n, mean=mean, low_rate=_rate(_int(c, f"csat_{path}_low"), n))


def _rate(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _int(c: Counters, name: str) -> int:
    return round(c.get(name, 0))


def _sum(parts: Iterable[Counters]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for part in parts:
        for name, value in part.items():
            total[name] += value
    return dict(total)


def _day_point(day: date, c: Counters) -> DayPoint:
    n, escalated = _int(c, "conversations"), _int(c, "escalated")
    return DayPoint(day=day, conversations=n, escalated=escalated, escalation_rate=_rate(escalated, n))


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks(daily: Mapping[date, Counters]) -> list[Slice]:
    """Every ISO week the range touches (its days within the range only), oldest first."""
    weeks: dict[str, list[Counters]] = {}
    for day in sorted(daily):
        weeks.setdefault(iso_week(day), []).append(daily[day])
    return [Slice(value=week, **metrics(_sum(parts)).model_dump()) for week, parts in weeks.items()]


def _slices(values: Mapping[str, Mapping[date, Counters]]) -> list[Slice]:
    """One slice per value, most conversations first."""
    sliced = [
        Slice(value=value, **metrics(_sum(days.values())).model_dump()) for value, days in values.items()
    ]
    return sorted(sliced, key=lambda s: (-s.conversations, s.value))


def _drivers(values: Mapping[str, Mapping[date, Counters]], totals: Counters, top: int) -> list[Driver]:
    """The values with the most escalations (then the most conversations), with their share of all escalations."""
    all_escalated = _int(totals, "escalated")
    drivers = []
    for value, days in values.items():
        c = _sum(days.values())
        n, escalated = _int(c, "conversations"), _int(c, "escalated")
        drivers.append(
            Driver(
                value=value,
                conversations=n,
                escalated=escalated,
                escalation_rate=_rate(escalated, n),
                share_of_escalations=_rate(escalated, all_escalated),
            )
        )
    drivers.sort(key=lambda d: (-d.escalated, -d.conversations, d.value))
    return drivers[:top]


def _week(values: Mapping[date, Counters], first: date) -> tuple[int, float | None]:
    c = _sum(values.get(first + timedelta(days=i), {}) for i in range(DRIFT_DAYS))
    n = _int(c, "conversations")
    return n, _rate(_int(c, "escalated"), n)


def _change_pts(now: float | None, before: float | None) -> float | None:
    return round((now - before) * 100, 2) if now is not None and before is not None else None


def _drift(
    table: Mapping[Dimension, Mapping[str, Mapping[date, Counters]]], end: date, threshold: float, top: int
) -> Drift:
    """The escalation rate of the last 7 days against the 7 before, overall and per intent; an alert when the
    overall rate moved by `threshold` points or more with at least `DRIFT_MIN_CONVERSATIONS` both weeks."""
    this_start = end - timedelta(days=DRIFT_DAYS - 1)
    last_start = this_start - timedelta(days=DRIFT_DAYS)
    n_this, rate_this = _week(table["all"].get(ALL, {}), this_start)
    n_last, rate_last = _week(table["all"].get(ALL, {}), last_start)
    change = _change_pts(rate_this, rate_last)
    enough = min(n_this, n_last) >= DRIFT_MIN_CONVERSATIONS
    intents = []
    for value, days in table["intent"].items():
        n, now = _week(days, this_start)
        m, before = _week(days, last_start)
        if n or m:
            intents.append(
                DriftItem(
                    value=value,
                    this_week=now,
                    last_week=before,
                    change_pts=_change_pts(now, before),
                    conversations_this_week=n,
                )
            )
    intents.sort(
        key=lambda d: (d.change_pts is None, -abs(d.change_pts or 0), -d.conversations_this_week, d.value)
    )
    return Drift(
        this_week=f"{this_start.isoformat()}/{end.isoformat()}",
        last_week=f"{last_start.isoformat()}/{(this_start - timedelta(days=1)).isoformat()}",
        escalation_rate_change_pts=change,
        alert=enough and change is not None and abs(change) >= threshold,
        threshold_pts=threshold,
        intents=intents[:top],
    )


def _calibration(c: Counters) -> list[CalibrationBin]:
    bins = []
    for i in range(CALIBRATION_BINS):
        n = _int(c, f"cal{i}_n")
        bins.append(
            CalibrationBin(
                low=i / CALIBRATION_BINS,
                high=(i + 1) / CALIBRATION_BINS,
                conversations=n,
                needed_human_rate=_rate(_int(c, f"cal{i}_pos"), n),
                mean_risk=round(c.get(f"cal{i}_risk", 0.0) / n, 4) if n else None,
            )
        )
    return bins
