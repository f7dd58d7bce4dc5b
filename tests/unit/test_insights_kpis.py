"""KPI figures pinned against hand-computed values on a fixed event set (`insights_events.fixed_set`: eleven
conversations from Mon 2026-11-02 to Fri 2026-11-13), through the whole path: events -> summaries -> bucket
contributions (added up like the storage does) -> `compute`. A relabelled conversation moves the totals by its
difference exactly.

The set, per conversation (day; intent / product area / segment; escalation kind; label; timings in seconds; CSAT
by path; the highest risk):
  c1  11-02 billing_question / billing / smb           -                   contained          csat 5 bot_only  0.12
  c2  11-03 cancel_subscription / account / enterprise customer_requested  false_escalation   tte 60 tta 30 ttr 60   0.9
  c3  11-04 data_export / data / enterprise            guardrail           true_escalation    tte 120 tta 605 ttr 780,
                                                                                              csat 1 escalated 0.75
  c4  11-05 billing_question / billing / unknown       model               unknown            tte 180          0.82
  c5  11-06 refund_request / billing / smb             -                   missed_escalation  csat 2 bot_only, repeat 0.3
  c6  11-07 billing_question / billing / smb           -                   unknown            csat 4 direct    0.2
  c7  11-09 data_export / data / smb                   -                   missed_escalation  reopened         0.25
  c8  11-10 cancel_subscription / account / enterprise guardrail           (none)             tte 0 tta 25     0.95
  c9  11-11 billing_question / billing / smb           -                   contained          csat 4 bot_only  0.1
  c10 11-12 login_problem / auth / smb                 -                   (none)                              0.6
  c11 11-13 refund_request / billing / enterprise      model               true_escalation    tte 240 tta 30 ttr 120,
                                                                                              csat 3 escalated 0.88
Pages: c1 /billing/invoices, c3 /settings/export, c5 /orders/123, c11 /billing/refunds. Incidents: INC-7 (c3, c11),
INC-9 (c10). Escalation reasons: c2 human_requested; c3 data_loss, sentiment_declining; c4 frustration_rising;
c8 cancellation_refund; c11 sentiment_declining, frustration_rising.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime

import pytest
from insights_events import Conv, at, fixed_set
from test_insights_facts import summaries, summary_of

from baton.events import OutcomeLabeled
from baton.insights.buckets import BucketKey, bin_bounds, contribution, difference, histogram_bin
from baton.insights.kpis import compute
from baton.insights.models import (
    Bucket,
    CalibrationBin,
    ConversationSummary,
    Csat,
    DayPoint,
    Driver,
    Kpis,
    Slice,
    Timing,
)

START, END = date(2026, 11, 2), date(2026, 11, 15)
NOW = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)


def add(
    into: dict[BucketKey, dict[str, float]], moves: dict[BucketKey, dict[str, float]]
) -> dict[BucketKey, dict[str, float]]:
    """What DynamoDB's ADD does to the bucket items."""
    for key, counters in moves.items():
        bucket = into.setdefault(key, defaultdict(float))
        for name, value in counters.items():
            bucket[name] = round(bucket[name] + value, 6)
    return into


def buckets_of(summaries: Iterable[ConversationSummary]) -> dict[BucketKey, dict[str, float]]:
    table: dict[BucketKey, dict[str, float]] = {}
    for summary in summaries:
        add(table, contribution(summary))
    return table


def as_buckets(table: dict[BucketKey, dict[str, float]]) -> list[Bucket]:
    return [Bucket(day=d, dimension=dim, value=v, counters=dict(c)) for (d, dim, v), c in table.items()]


def kpis(table: dict[BucketKey, dict[str, float]], **kwargs: object) -> Kpis:
    return compute(as_buckets(table), START, END, now=NOW, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def report() -> Kpis:
    return kpis(buckets_of(summaries().values()))


def test_totals(report: Kpis) -> None:
    t = report.totals
    assert (t.conversations, t.escalated, t.escalation_rate) == (11, 5, 0.4545)  # c2 c3 c4 c8 c11: 5/11
    # customer_requested c2; guardrail c3 c8; model c4 c11
    assert t.escalated_by_kind == {"customer_requested": 1, "guardrail": 2, "model": 2}
    assert t.escalation_rate_by_kind == {"customer_requested": 0.0909, "guardrail": 0.1818, "model": 0.1818}
    # c8 and c10 have no label yet: 9 labelled
    assert t.labels == {
        "false_escalation": 1,  # c2
        "missed_escalation": 2,  # c5 c7
        "true_escalation": 2,  # c3 c11
        "contained": 2,  # c1 c9
        "unknown": 2,  # c4 c6
    }
    assert (t.contained, t.containment_rate) == (2, 0.1818)  # 2/11
    assert (t.false_escalations, t.false_escalation_rate) == (1, 0.3333)  # false / (true + false) = 1/3
    assert (t.missed_escalations, t.missed_escalation_rate) == (2, 0.5)  # missed / (missed + contained) = 2/4
    assert (t.reopened, t.reopen_rate) == (1, 0.0909)  # c7
    assert (t.repeat_contacts, t.repeat_contact_rate) == (1, 0.0909)  # c5


def test_timings(report: Kpis) -> None:
    t = report.totals
    # First message -> escalating message: 0 (c8), 60 (c2), 120 (c3), 180 (c4), 240 (c11): mean 600/5 = 120. The
    # median, 120 s, falls in bin 14 = [2^6.5, 2^7) = [90.5, 128): its geometric middle 2^6.75 = 107.6.
    assert t.time_to_escalate == Timing(n=5, mean_s=120.0, p50_s=107.6)
    # Escalation decided (1 s after its message) -> assigned: 24 (c8), 29 (c2), 29 (c11), 604 (c3): mean 686/4 =
    # 171.5; the 2nd smallest, 29 s, in bin 10 = [2^4.5, 2^5) = [22.6, 32): 2^4.75 = 26.9.
    assert t.time_to_assign == Timing(n=4, mean_s=171.5, p50_s=26.9)
    # Escalation -> first agent message: 60 (c2), 120 (c11), 780 (c3): mean 320; the median 120 s: 107.6. c4 and
    # c8 never had one.
    assert t.time_to_first_agent_reply == Timing(n=3, mean_s=320.0, p50_s=107.6)


def test_the_median_is_within_its_histogram_bin() -> None:
    for seconds in (0.2, 1, 2, 59.9, 60, 3600, 86400 * 3):
        low, high = bin_bounds(histogram_bin(seconds))
        assert low <= seconds < high
    assert histogram_bin(10**9) == histogram_bin(10**8)  # the last bin holds the rest


def test_csat_by_path(report: Kpis) -> None:
    assert report.totals.csat == {
        "bot_only": Csat(n=3, mean=3.67, low_rate=0.3333),  # c1 5, c5 2, c9 4: 11/3; one <= 2
        "escalated": Csat(n=2, mean=2.0, low_rate=0.5),  # c3 1, c11 3
        "direct_to_agent": Csat(n=1, mean=4.0, low_rate=0.0),  # c6 4
    }


def test_by_day_fills_every_day_of_the_range(report: Kpis) -> None:
    def point(day: int, n: int, escalated: int, rate: float | None) -> DayPoint:
        return DayPoint(day=date(2026, 11, day), conversations=n, escalated=escalated, escalation_rate=rate)

    assert report.by_day == [
        point(2, 1, 0, 0.0),  # c1
        point(3, 1, 1, 1.0),  # c2
        point(4, 1, 1, 1.0),  # c3
        point(5, 1, 1, 1.0),  # c4
        point(6, 1, 0, 0.0),  # c5
        point(7, 1, 0, 0.0),  # c6
        point(8, 0, 0, None),
        point(9, 1, 0, 0.0),  # c7
        point(10, 1, 1, 1.0),  # c8
        point(11, 1, 0, 0.0),  # c9
        point(12, 1, 0, 0.0),  # c10
        point(13, 1, 1, 1.0),  # c11
        point(14, 0, 0, None),
        point(15, 0, 0, None),
    ]


def test_by_week(report: Kpis) -> None:
    w45, w46 = report.by_week
    # W45: c1-c6, escalated c2 c3 c4; W46: c7-c11, escalated c8 c11
    assert (w45.value, w45.conversations, w45.escalated, w45.escalation_rate) == ("2026-W45", 6, 3, 0.5)
    assert (w46.value, w46.conversations, w46.escalated, w46.escalation_rate) == ("2026-W46", 5, 2, 0.4)
    # W45 labels: contained c1, false c2, true c3, unknown c4 c6, missed c5 -> false 1/(1+1); missed 1/(1+1)
    assert (w45.false_escalation_rate, w45.missed_escalation_rate, w45.containment_rate) == (0.5, 0.5, 0.1667)
    # W46: missed c7, contained c9, true c11 -> no false escalation, 1 missed of 2
    assert (w46.false_escalation_rate, w46.missed_escalation_rate, w46.reopened) == (0.0, 0.5, 1)


def test_by_intent_product_area_and_segment(report: Kpis) -> None:
    def rows(slices: list[Slice]) -> list[tuple[str, int, int, float | None]]:
        return [(s.value, s.conversations, s.escalated, s.escalation_rate) for s in slices]

    assert rows(report.by_intent) == [
        ("billing_question", 4, 1, 0.25),  # c1 c4 c6 c9; c4
        ("cancel_subscription", 2, 2, 1.0),  # c2 c8
        ("data_export", 2, 1, 0.5),  # c3 c7; c3
        ("refund_request", 2, 1, 0.5),  # c5 c11; c11
        ("login_problem", 1, 0, 0.0),  # c10
    ]
    assert rows(report.by_product_area) == [
        ("billing", 6, 2, 0.3333),  # c1 c4 c5 c6 c9 c11; c4 c11
        ("account", 2, 2, 1.0),  # c2 c8
        ("data", 2, 1, 0.5),  # c3 c7
        ("auth", 1, 0, 0.0),  # c10
    ]
    assert rows(report.by_segment) == [
        ("smb", 6, 0, 0.0),  # c1 c5 c6 c7 c9 c10
        ("enterprise", 4, 4, 1.0),  # c2 c3 c8 c11
        ("unknown", 1, 1, 1.0),  # c4: no segment
    ]
    billing = report.by_product_area[0]
    # billing CSAT: bot_only c1 5, c5 2, c9 4; escalated c11 3; direct c6 4
    assert (
        billing.csat["bot_only"].n,
        billing.csat["escalated"].mean,
        billing.csat["direct_to_agent"].n,
    ) == (3, 3.0, 1)
    assert billing.time_to_escalate == Timing(
        n=2, mean_s=210.0, p50_s=152.2
    )  # c4 180 (bin 15: 2^7.25), c11 240


def test_drivers(report: Kpis) -> None:
    d = report.drivers
    assert d.intents == [
        Driver(
            value="cancel_subscription",
            conversations=2,
            escalated=2,
            escalation_rate=1.0,
            share_of_escalations=0.4,
        ),
        Driver(
            value="billing_question",
            conversations=4,
            escalated=1,
            escalation_rate=0.25,
            share_of_escalations=0.2,
        ),
        Driver(
            value="data_export", conversations=2, escalated=1, escalation_rate=0.5, share_of_escalations=0.2
        ),
        Driver(
            value="refund_request",
            conversations=2,
            escalated=1,
            escalation_rate=0.5,
            share_of_escalations=0.2,
        ),
        Driver(
            value="login_problem", conversations=1, escalated=0, escalation_rate=0.0, share_of_escalations=0.0
        ),
    ]
    # Paths only: no query string, no fragment.
    assert [(p.value, p.conversations, p.escalated) for p in d.pages] == [
        ("/billing/refunds", 1, 1),  # c11
        ("/settings/export", 1, 1),  # c3
        ("/billing/invoices", 1, 0),  # c1
        ("/orders/123", 1, 0),  # c5
    ]
    assert [(i.value, i.conversations, i.escalated, i.share_of_escalations) for i in d.incidents] == [
        ("INC-7", 2, 2, 0.4),  # c3 c11
        ("INC-9", 1, 0, 0.0),  # c10
    ]
    # Reasons of escalated conversations only: sentiment_declining c3 c11; frustration_rising c4 c11; ...
    assert [(r.value, r.escalated, r.share_of_escalations) for r in d.reasons] == [
        ("frustration_rising", 2, 0.4),
        ("sentiment_declining", 2, 0.4),
        ("cancellation_refund", 1, 0.2),
        ("data_loss", 1, 0.2),
        ("human_requested", 1, 0.2),
    ]
    assert [r.value for r in kpis(buckets_of(summaries().values()), top=2).drivers.reasons] == [
        "frustration_rising",
        "sentiment_declining",
    ]


def test_drift_week_over_week(report: Kpis) -> None:
    drift = report.drift
    assert drift is not None
    assert (drift.this_week, drift.last_week) == ("2026-11-09/2026-11-15", "2026-11-02/2026-11-08")
    # 2/5 = 40 % this week against 3/6 = 50 %: -10 points, at the threshold, but fewer than 20 conversations
    assert (drift.escalation_rate_change_pts, drift.threshold_pts, drift.alert) == (-10.0, 10.0, False)
    assert [
        (i.value, i.this_week, i.last_week, i.change_pts, i.conversations_this_week) for i in drift.intents
    ] == [
        ("data_export", 0.0, 1.0, -100.0, 1),  # c7 against c3
        ("refund_request", 1.0, 0.0, 100.0, 1),  # c11 against c5
        ("billing_question", 0.0, 0.3333, -33.33, 1),  # c9 against c1 c4 c6
        ("cancel_subscription", 1.0, 1.0, 0.0, 1),  # c8 against c2
        ("login_problem", 0.0, None, None, 1),  # c10, nothing the week before
    ]


def test_drift_alerts_on_a_large_move_over_enough_conversations() -> None:
    def week(first_day: int, n: int, escalated: int) -> list[Bucket]:
        return [
            Bucket(
                day=date(2026, 11, first_day + i),
                dimension="all",
                value="all",
                counters={"conversations": n / 7, "escalated": escalated / 7},
            )
            for i in range(7)
        ]

    def drift(
        last: tuple[int, int], this: tuple[int, int], threshold: float = 10.0
    ) -> tuple[float | None, bool]:
        found = compute(
            week(2, *last) + week(9, *this), START, END, now=NOW, drift_threshold_pts=threshold
        ).drift
        assert found is not None
        return found.escalation_rate_change_pts, found.alert

    assert drift((70, 14), (70, 21)) == (10.0, True)  # 20 % -> 30 %
    assert drift((70, 21), (70, 14)) == (-10.0, True)
    assert drift((70, 14), (70, 20)) == (8.57, False)  # 20 % -> 28.57 %
    assert drift((70, 14), (70, 20), threshold=5) == (8.57, True)
    assert drift((19 * 7, 0), (70, 70)) == (100.0, True)  # 133 and 70 conversations
    assert drift((7, 0), (70, 70)) == (100.0, False)  # 7 conversations the week before


def test_no_drift_on_a_range_shorter_than_two_weeks() -> None:
    assert compute([], date(2026, 11, 3), END, now=NOW).drift is None


def test_calibration(report: Kpis) -> None:
    def empty(i: int) -> CalibrationBin:
        return CalibrationBin(low=i / 10, high=(i + 1) / 10, conversations=0)

    # Labelled true/missed (a human was needed) or contained/false: c1 0.12-, c9 0.1- (bin 1); c7 0.25+ (2);
    # c5 0.3+ (3); c3 0.75+ (7); c11 0.88+ (8); c2 0.9- (9). c4 c6 (unknown), c8 c10 (no label) are left out.
    assert report.calibration == [
        empty(0),
        CalibrationBin(low=0.1, high=0.2, conversations=2, needed_human_rate=0.0, mean_risk=0.11),
        CalibrationBin(low=0.2, high=0.3, conversations=1, needed_human_rate=1.0, mean_risk=0.25),
        CalibrationBin(low=0.3, high=0.4, conversations=1, needed_human_rate=1.0, mean_risk=0.3),
        empty(4),
        empty(5),
        empty(6),
        CalibrationBin(low=0.7, high=0.8, conversations=1, needed_human_rate=1.0, mean_risk=0.75),
        CalibrationBin(low=0.8, high=0.9, conversations=1, needed_human_rate=1.0, mean_risk=0.88),
        CalibrationBin(low=0.9, high=1.0, conversations=1, needed_human_rate=0.0, mean_risk=0.9),
    ]


def test_shards_and_days_outside_the_range() -> None:
    table = buckets_of(summaries().values())
    # The storage spreads a bucket over shards: they add up.
    sharded = []
    for bucket in as_buckets(table):
        half = {name: value / 2 for name, value in bucket.counters.items()}
        sharded += [
            bucket.model_copy(update={"counters": half}),
            bucket.model_copy(update={"counters": half}),
        ]
    outside = (
        Conv("late").msg(1, "customer", at(16, 9)).events + Conv("early").msg(1, "customer", at(1, 23)).events
    )
    sharded += as_buckets(buckets_of([summary_of("late", outside[:1]), summary_of("early", outside[1:])]))
    assert compute(sharded, START, END, now=NOW) == kpis(table)


def test_rates_are_null_without_a_denominator() -> None:
    empty = compute([], START, END, now=NOW)
    t = empty.totals
    assert (t.conversations, t.escalation_rate, t.containment_rate, t.false_escalation_rate) == (
        0,
        None,
        None,
        None,
    )
    assert t.time_to_escalate == Timing() and t.csat["escalated"] == Csat()
    assert len(empty.by_day) == 14 and empty.by_intent == [] and empty.drivers.intents == []
    assert empty.model_dump(mode="json", by_alias=True)["from"] == "2026-11-02"
    with pytest.raises(ValueError, match="ends"):
        compute([], END, START, now=NOW)


# ------------------------------------------------------------------------------------------------ difference


def test_a_relabelled_conversation_moves_the_totals_by_its_difference() -> None:
    before = summaries()
    table = buckets_of(before.values())
    # c2 gets a CSAT of 2 an hour later: the feedback capability relabels it a true escalation.
    events = fixed_set()["c2"]
    late = Conv(
        "c2",
        customer="cus-2",
        account="acct-2",
        events=[e for e in events if not isinstance(e, OutcomeLabeled)],
    )
    late.outcome("rated", at(3, 11), csat=2).labeled()
    after = summary_of("c2", [*events, *late.events])
    assert (before["c2"].label, after.label, after.csat) == ("false_escalation", "true_escalation", 2)

    moved = difference(before["c2"], after)
    day = date(2026, 11, 3)
    everywhere = {
        "label_false_escalation": -1,
        "label_true_escalation": 1,
        "csat_escalated_n": 1,
        "csat_escalated_sum": 2,
        "csat_escalated_low": 1,
    }
    assert moved == {
        (day, "all", "all"): {**everywhere, "cal9_pos": 1},  # c2's 0.9 now needed a human
        (day, "intent", "cancel_subscription"): everywhere,
        (day, "product_area", "account"): everywhere,
        (day, "segment", "enterprise"): everywhere,
    }
    totals = kpis(add(table, moved)).totals
    assert (totals.false_escalations, totals.false_escalation_rate) == (0, 0.0)  # 0 of 3
    assert totals.csat["escalated"] == Csat(n=3, mean=2.0, low_rate=0.6667)  # 1, 3, 2
    assert kpis(table) == kpis(buckets_of([*(s for c, s in before.items() if c != "c2"), after]))


def test_difference_of_nothing_new_is_empty_and_of_nothing_before_is_the_contribution() -> None:
    c3 = summaries()["c3"]
    assert difference(c3, c3) == {}
    assert difference(None, c3) == contribution(c3)
    assert difference(c3, None) == {k: {n: -v for n, v in c.items()} for k, c in contribution(c3).items()}


def test_an_earlier_first_message_moves_the_conversation_to_its_day() -> None:
    second = Conv("d").msg(2, "customer", at(3, 0, 5))
    first = Conv("d").msg(1, "customer", at(2, 23, 59))
    old = summary_of("d", second.events)
    new = summary_of("d", [*second.events, *first.events])
    moved = difference(old, new)
    assert {key for key, c in moved.items() if c["conversations"] == -1} == {
        (date(2026, 11, 3), dim, value)
        for dim, value in (
            ("all", "all"),
            ("intent", "unknown"),
            ("product_area", "unknown"),
            ("segment", "unknown"),
        )
    }
    assert {key[0] for key, c in moved.items() if c["conversations"] == 1} == {date(2026, 11, 2)}


def test_a_conversation_without_a_start_contributes_nothing() -> None:
    assert contribution(summary_of("x", Conv("x").decided(1, "escalate", 0.9, at(2, 9)).events)) == {}
