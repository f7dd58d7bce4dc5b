"""Reading a bot answer's time frame and the time a customer says has passed (`baton.scoring.waiting`)."""

from __future__ import annotations

import pytest

from baton.scoring.waiting import elapsed_days, promised_days


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Payouts are sent 5-7 business days after the event.", 9.8),
        ("Disabled parking permit renewals take up to 8 weeks.", 56),
        ("We will get back to you within 48 hours.", 2),
        ("Most shipments clear within 24\u201348 hours. Inspections can add 3\u20137 days.", 7),
        ("Meter exchanges are usually scheduled within 4 to 6 weeks of approval.", 42),
        ("Please restart the router and try again.", None),
        ("Version 2 of the app supports 3 users.", None),
    ],
)
def test_an_answer_promises_the_longest_span_it_names(text: str, days: float | None) -> None:
    assert promised_days(text) == pytest.approx(days) if days is not None else promised_days(text) is None


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("It's been 14 weeks. Her old permit expired.", 98),
        ("The concert was on 14 September, six weeks ago.", 42),
        ("It matured six working days ago.", 8.4),
        ("I have been waiting for 10 days now", 10),
        ("waited over a month and nothing", 30),
        ("It has been a couple of weeks", 14),
        ("21 days now. still nothing, no email either.", 21),
        # durations that are not time passed
        ("I'd like my subscription for 12 months", None),
        ("I need it within 2 days", None),
        ("We have been a customer for 5 years", None),
        ("Can you add 30 days to my trial?", None),
    ],
)
def test_a_customer_says_how_long_it_has_been(text: str, days: float | None) -> None:
    assert elapsed_days(text) == pytest.approx(days) if days is not None else elapsed_days(text) is None
