"""Complexity: the intent's base complexity, pushed up by what the message shows, always within [base, 1]."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baton.scoring.complexity import DEFAULT_BASE, assess, complexity
from baton.scoring.contracts import IntentInfo

TAXONOMY = {
    "card_arrival": IntentInfo("cards", "card_ops", 0.3),
    "card_delivery_estimate": IntentInfo("cards", "card_ops", 0.15),
    "transaction_charged_twice": IntentInfo("payments", "billing", 0.6),
}


def test_a_plain_short_message_keeps_its_intents_base() -> None:
    assert complexity(0.3, "Where is my new card") == 0.3
    assert assess(0.3, "Where is my new card").pushes == {}


def test_a_second_issue_raises_complexity_and_a_third_more() -> None:
    one = complexity(0.3, "Where is my new card?")
    two = complexity(0.3, "Where is my new card? And also, why was I charged a fee?")
    three = complexity(0.3, "Where is my card? Why was I charged a fee? Can I change my PIN?")
    assert one < two < three


def test_several_issues_are_capped() -> None:
    many = " ".join(f"Question {i}?" for i in range(20))
    assert assess(0.0, many).pushes["several_issues"] == pytest.approx(0.30)


def test_also_inside_a_sentence_is_not_another_issue() -> None:
    assert complexity(0.3, "I also tried restarting the app") == 0.3
    assert complexity(0.3, "The app crashes. Also, my card was declined") > 0.3


def test_list_items_count_as_issues() -> None:
    text = "Two things:\n1. my card is blocked\n2. I need a refund"
    assert assess(0.3, text).pushes["several_issues"] > 0


def test_amounts_and_billing_periods_raise_complexity() -> None:
    base = complexity(0.3, "I was charged for something")
    amount = complexity(0.3, "I was charged $45.99 for something")
    two_amounts = complexity(0.3, "I was charged $45.99 instead of 30 EUR")
    period = complexity(0.3, "I was charged on my March invoice")
    assert base < amount < two_amounts
    assert period > base


def test_dates_are_recognised_in_common_forms() -> None:
    for text in (
        "charged on 2024-03-01",
        "charged on 03/01/2024",
        "charged on 3rd of May",
        "last month's statement",
    ):
        assert "dates_or_periods" in assess(0.3, text).pushes, text
    assert "dates_or_periods" not in assess(0.3, "may I ask about my card").pushes


def test_attachments_from_metadata_or_text() -> None:
    assert complexity(0.3, "see the problem", metadata={"attachment_count": 2}) > 0.3
    assert complexity(0.3, "see the problem", metadata={"has_attachment": True}) > 0.3
    assert complexity(0.3, "I attached a screenshot of the error") > 0.3
    assert (
        complexity(0.3, "see the problem", metadata={"attachment_count": 0, "has_attachment": "false"}) == 0.3
    )
    assert complexity(0.3, "see the problem", metadata={"plan": "pro"}) == 0.3


def test_long_messages_are_more_complex_up_to_a_cap() -> None:
    medium = complexity(0.3, "word " * 60)
    long = complexity(0.3, "word " * 150)
    longer = complexity(0.3, "word " * 1000)
    assert 0.3 < medium < long == longer


def test_intents_in_two_product_areas_count_as_two_issues_one_area_does_not() -> None:
    text = "my card and the charge"
    two_areas = (("card_arrival", 0.45), ("transaction_charged_twice", 0.40))
    one_area = (("card_arrival", 0.45), ("card_delivery_estimate", 0.40))
    assert complexity(0.3, text, top=two_areas, taxonomy=TAXONOMY) > 0.3
    assert complexity(0.3, text, top=one_area, taxonomy=TAXONOMY) == 0.3
    assert complexity(0.3, text, top=(("card_arrival", 0.9), ("transaction_charged_twice", 0.05))) == 0.3


def test_the_same_message_moves_an_easy_intent_more_than_a_hard_one() -> None:
    text = "Two questions: why was I charged $20 on my March statement? And also where is my card?"
    easy, hard = complexity(0.2, text), complexity(0.8, text)
    assert easy - 0.2 > hard - 0.8 > 0


def test_out_of_range_or_missing_base_is_clamped() -> None:
    assert complexity(1.7, "hello") == 1.0
    assert complexity(-1.0, "hello") == 0.0
    assert complexity(float("nan"), "hello") == DEFAULT_BASE


@settings(max_examples=200, deadline=None)
@given(base=st.floats(0, 1), text=st.text(max_size=400), count=st.integers(0, 5))
def test_score_stays_between_base_and_one(base: float, text: str, count: int) -> None:
    score = complexity(base, text, metadata={"attachments": count})
    assert base - 1e-4 <= score <= 1.0
