"""The conversation arc: a pure fold of scored messages into where the conversation is heading."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baton.events import Scores
from baton.models import BotInfo
from baton.scoring import arc
from baton.scoring.arc import ArcState, advance
from baton.scoring.fakes import snapshot


def customer(seq: int, sentiment: float, frustration: float = 0.0, **scores: object) -> tuple:
    return snapshot(seq, "customer", f"message {seq}"), Scores(
        sentiment=sentiment, frustration=frustration, **scores
    )


def fold(*steps: tuple, state: ArcState | None = None) -> ArcState:
    state = state or ArcState()
    for message, scores in steps:
        state = advance(state, message, scores)
    return state


def test_a_customer_going_from_neutral_to_clipped_to_angry() -> None:
    state = fold(
        customer(1, 0.1, 0.1),
        customer(2, -0.2, 0.3),
        customer(3, -0.5, 0.6),
        customer(4, -0.8, 0.9),
    )
    shown = state.public()
    assert shown.customer_turns == 4
    assert shown.sentiment_slope == pytest.approx(-0.3)  # a steady 0.3 worse every message
    assert shown.volatility == pytest.approx(0.0, abs=1e-9)  # steady, not swinging
    assert shown.peak_frustration == 0.9
    assert shown.turns_since_positive == 4
    # EWMA with alpha 0.4: the last messages dominate, but not alone.
    expected = 0.1
    for s in (-0.2, -0.5, -0.8):
        expected = 0.4 * s + 0.6 * expected
    assert shown.sentiment_ewma == pytest.approx(expected, abs=1e-4)
    assert -0.8 < shown.sentiment_ewma < -0.2


def test_a_swinging_customer_is_volatile_a_steady_one_is_not() -> None:
    swinging = fold(*(customer(i, s) for i, s in enumerate([0.5, -0.6, 0.4, -0.7], start=1))).public()
    steady = fold(*(customer(i, s) for i, s in enumerate([0.5, 0.4, 0.3, 0.2], start=1))).public()
    assert swinging.volatility > 0.8
    assert steady.volatility == pytest.approx(0.0, abs=1e-9)


def test_slope_uses_the_last_five_customer_messages() -> None:
    state = fold(*(customer(i, s) for i, s in enumerate([-1.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0], start=1)))
    assert state.public().sentiment_slope == 0.0
    assert arc.slope([0.0]) is None
    assert arc.volatility([0.0, 1.0]) is None


def test_turns_since_positive_resets_on_a_positive_message() -> None:
    state = fold(customer(1, -0.3), customer(2, 0.6), customer(3, -0.1), customer(4, -0.2))
    assert state.public().turns_since_positive == 2


def test_advance_is_pure() -> None:
    before = fold(customer(1, 0.2))
    snapshot_json = before.model_dump_json()
    after = advance(before, *customer(2, -0.9, 0.8))
    assert before.model_dump_json() == snapshot_json
    assert after.customer_turns == 2 and before.customer_turns == 1


def test_messages_apply_in_order_and_once() -> None:
    state = fold(customer(1, 0.0))
    with pytest.raises(ValueError, match="not after"):
        advance(state, *customer(1, 0.0))


def test_a_gap_is_counted_as_unscored_messages() -> None:
    state = fold(customer(1, 0.0), customer(4, 0.0))
    assert state.last_seq == 4
    assert state.public().unscored_messages == 2


def test_low_confidence_bot_answer_counts_as_a_failure_once() -> None:
    state = fold(customer(1, 0.0))
    state = advance(state, snapshot(2, "bot", "Try this article", confidence=0.3), Scores(bot_confidence=0.3))
    assert state.public().bot_failure_reasons == {"low_confidence": 1}
    state = fold(
        customer(3, -0.5, negative_feedback=True), customer(4, -0.5, asks_for_human=True), state=state
    )
    shown = state.public()
    assert shown.bot_failures == 1  # the same answer is not counted twice
    # ...but the customer's reaction is what shows it failed: it is counted under the customer's reason
    assert shown.bot_failure_reasons == {"negative_feedback": 1}
    assert shown.last_bot_failed == "negative_feedback"
    assert shown.last_bot_confidence == 0.3
    assert shown.negative_feedback == 1


def test_negative_feedback_or_asking_for_a_human_after_a_bot_answer_is_a_bot_failure() -> None:
    bot = (snapshot(2, "bot", "Here is how refunds work", confidence=0.9), Scores(bot_confidence=0.9))
    feedback = fold(customer(1, 0.0), bot, customer(3, -0.4, negative_feedback=True))
    assert feedback.public().bot_failure_reasons == {"negative_feedback": 1}
    human = fold(customer(1, 0.0), bot, customer(3, -0.1, asks_for_human=True))
    assert human.public().bot_failure_reasons == {"asked_for_human": 1}
    assert human.public().human_requests == 1


def test_after_an_agent_answers_the_customer_reacts_to_the_agent_not_the_bot() -> None:
    bot = (snapshot(2, "bot", "Here is how refunds work", confidence=0.9), Scores(bot_confidence=0.9))
    agent = (snapshot(3, "agent", "Hi, Priya here"), Scores())
    state = fold(customer(1, 0.0), bot, agent, customer(4, -0.4, negative_feedback=True))
    shown = state.public()
    assert shown.bot_failures == 0
    assert (shown.bot_turns, shown.agent_turns, shown.customer_turns) == (1, 1, 2)


def test_asking_again_what_the_bot_answered_is_a_bot_failure_but_not_before_it_answered() -> None:
    first = snapshot(1, "customer", "I was charged twice")
    remembered = arc.Recent(message_id="m1", seq=1, minhash=arc.encode_minhash(arc.minhash(first.text)))
    state = advance(ArcState(), first, Scores(sentiment=0.0, frustration=0.1), remember=remembered)
    # Said again before any answer: a rephrasing, but no bot has failed.
    early = advance(state, *customer(2, -0.1, rephrase_of="m1"))
    assert early.public().rephrasings == 1 and early.public().bot_failures == 0
    # Said again after the bot's answer: the answer did not settle it.
    answered = advance(
        state, snapshot(2, "bot", "See our billing FAQ", confidence=0.8), Scores(bot_confidence=0.8)
    )
    again = advance(answered, *customer(3, -0.3, repeat_of="m1"))
    assert again.public().repeats == 1
    assert again.public().bot_failure_reasons == {"repeat": 1}


def test_a_question_about_what_the_customer_said_was_settled_is_a_new_question() -> None:
    # "bought 2800 gems ... not in my account" -> pushed -> "got them!! thanks" -> "also the bonus gems?" (the
    # thirty-second conversation author's): the follow-up rephrases the first message, but the customer said the
    # answer worked in between, so no answer failed
    first = snapshot(1, "customer", "bought 2800 gems an hour ago and they're not in my account")
    remembered = arc.Recent(message_id="m1", seq=1, minhash=arc.encode_minhash(arc.minhash(first.text)))
    state = advance(ArcState(), first, Scores(sentiment=-0.2, frustration=0.1), remember=remembered)
    pushed = advance(state, snapshot(2, "bot", "I've pushed the gems to your account."), Scores())

    def then(reply: str) -> ArcState:
        replied = advance(pushed, snapshot(3, "customer", reply), Scores(sentiment=0.7, frustration=0.0))
        answer = snapshot(4, "bot", "The gems are credited to your account and show in the mailbox.")
        return advance(advance(replied, answer, Scores()), *customer(5, 0.0, rephrase_of="m1"))

    settled = then("got them!! thanks")
    assert settled.settled_seq == 3
    assert settled.public().rephrasings == 1 and settled.public().bot_failures == 0
    # "thanks, I'll try that" says only that the customer will try it: asking about it again still counts
    tried = then("thanks, I'll try that")
    assert tried.settled_seq == 0
    assert tried.public().bot_failure_reasons == {"rephrase": 1}


def test_a_short_confirmation_in_the_words_of_the_offer_is_no_repeated_answer() -> None:
    # "Economy is £68, Next Day is £89. Which would you like?" "next day" "Next Day it is. Does the collection point
    # have a forklift?" (the thirty-fourth conversation author's): two content words, both in the list, confirm
    listed = arc.statements(
        "Economy (48h) is £68 + VAT, delivering Monday. Next Day is £89 + VAT, delivering Friday."
    )
    assert not arc.same_statements(listed, arc.statements("Next Day it is. Does the site have a forklift?"))
    assert arc.same_statements(listed, arc.statements("Next Day is £89 + VAT and delivers on Friday."))


def test_the_first_message_said_again_word_for_word_after_two_answers_fails_both() -> None:
    first = snapshot(1, "customer", "code 448 213 not working at locker Lindenstr.")
    remembered = arc.Recent(message_id="m1", seq=1, minhash=arc.encode_minhash(arc.minhash(first.text)))
    state = advance(ArcState(), first, Scores(sentiment=0.0, frustration=0.1), remember=remembered)
    state = advance(
        state, snapshot(2, "bot", "Make sure you're at the right station.", confidence=0.8), Scores()
    )
    state = advance(state, *customer(3, 0.0))  # "i am at Lindenstr.": no failure shown
    state = advance(state, snapshot(4, "bot", "Codes are valid for 72 hours.", confidence=0.8), Scores())
    again = advance(state, *customer(5, -0.1, repeat_of="m1"))
    assert again.public().bot_failures == 2
    assert again.public().bot_failure_reasons == {"repeat": 2}
    # A rephrasing (the embedding's reading, weaker) counts only the last answer.
    rephrased = advance(state, *customer(5, -0.1, rephrase_of="m1"))
    assert rephrased.public().bot_failure_reasons == {"rephrase": 1}
    # After an agent answered in between, only the bot's last answer is counted.
    handed = advance(state, snapshot(5, "agent", "Hi, Priya here, handing you back to the bot."), Scores())
    handed = advance(handed, snapshot(6, "bot", "Codes are sent by SMS.", confidence=0.8), Scores())
    again = advance(handed, *customer(7, -0.1, repeat_of="m1"))
    assert again.public().bot_failure_reasons == {"repeat": 1}


def test_the_arc_remembers_five_messages_and_never_their_text() -> None:
    state = ArcState()
    for seq in range(1, 9):
        message = snapshot(seq, "customer", f"secret account number {seq} is overdue")
        recent = arc.Recent(
            message_id=message.message_id,
            seq=seq,
            minhash=arc.encode_minhash(arc.minhash(message.text)),
            embedding=arc.encode_embedding([0.5] * 384),
        )
        state = advance(state, message, Scores(sentiment=0.0, frustration=0.0), remember=recent)
    assert [r.seq for r in state.recent] == [4, 5, 6, 7, 8]
    stored = state.model_dump_json()
    assert "secret" not in stored and "overdue" not in stored
    # Compact: five 384-dimension embeddings as float16 and their signatures fit in a few KB.
    assert len(stored) < 8_000
    assert ArcState.model_validate_json(stored) == state
    at = datetime(2026, 3, 1, tzinfo=UTC)
    forgotten = arc.forget(state, "m6", at)
    assert forgotten.recent == [r for r in state.recent if r.message_id != "m6"]
    assert forgotten.redacted == {"m6": at}
    assert arc.forget(forgotten, "m6", at) == forgotten  # a repeated redaction changes nothing


def test_the_arc_remembers_the_newest_redacted_ids_only() -> None:
    from baton.ordered import REMEMBERED

    at = datetime(2026, 3, 1, tzinfo=UTC)
    state = ArcState()
    for i in range(REMEMBERED + 5):
        state = arc.forget(state, f"m{i}", at)
    assert len(state.redacted) == REMEMBERED
    assert "m0" not in state.redacted and f"m{REMEMBERED + 4}" in state.redacted


def test_near_identical_text_has_a_near_identical_signature() -> None:
    a = arc.minhash("I was charged twice for my March invoice")
    b = arc.minhash("i was charged TWICE for my march invoice!!")
    c = arc.minhash("i was charged twice for my march invoce")  # a typo
    d = arc.minhash("How do I export the user list as CSV?")
    assert arc.jaccard(a, b) == 1.0
    assert arc.jaccard(a, c) >= arc.REPEAT_JACCARD
    assert arc.jaccard(a, d) < 0.3
    assert (arc.decode_minhash(arc.encode_minhash(a)) == a).all()


def test_embeddings_round_trip_as_float16() -> None:
    import numpy as np

    vector = np.linspace(-0.2, 0.2, 384, dtype=np.float32)
    back = arc.decode_embedding(arc.encode_embedding(vector))
    assert back.dtype == np.float32
    assert np.abs(back - vector).max() < 1e-3


def test_an_old_stored_state_with_unknown_fields_still_loads() -> None:
    state = ArcState.model_validate({"last_seq": 3, "customer_turns": 2, "a_field_from_a_newer_release": 1})
    assert state.last_seq == 3


def bot(seq: int, text: str, confidence: float = 0.8, answer_id: str | None = None) -> tuple:
    message = snapshot(seq, "bot", text).model_copy(
        update={"bot": BotInfo(confidence=confidence, answer_id=answer_id)}
    )
    return message, Scores(bot_confidence=confidence)


def test_the_bot_giving_the_same_answer_after_the_customer_came_back_is_a_failed_answer() -> None:
    state = fold(
        customer(1, 0.0),
        bot(2, "Please try clearing your browser cache and cookies."),
        customer(3, -0.1),
        # The same answer, as a reader sees it.
        bot(4, "please try clearing your  browser cache and cookies."),
    )
    assert state.public().bot_failures == 1
    assert state.public().bot_failure_reasons == {"repeated_answer": 1}
    # ... and that answer is counted once, whatever the customer says to it.
    state = fold(customer(5, -0.5, negative_feedback=True), state=state)
    assert state.public().bot_failure_reasons == {"repeated_answer": 1}


def test_an_answer_in_two_bubbles_a_new_answer_or_the_same_flow_is_no_loop() -> None:
    two_bubbles = fold(customer(1, 0.0), bot(2, "Checking that for you."), bot(3, "Checking that for you."))
    assert two_bubbles.public().bot_failures == 0  # the customer has not come back in between
    next_step = fold(
        customer(1, 0.0),
        bot(2, "Go to Integrations > Salesforce > Connect.", answer_id="kb-sf-setup"),
        customer(3, 0.0),
        bot(4, "Most teams sync Contacts and Accounts first.", answer_id="kb-sf-setup"),
    )
    assert next_step.public().bot_failures == 0  # one flow's steps share an answer id
    after_agent = fold(
        customer(1, 0.0),
        bot(2, "See our billing FAQ."),
        (snapshot(3, "agent", "Hi, Priya here"), Scores()),
        customer(4, 0.0),
        bot(5, "See our billing FAQ."),
    )
    assert after_agent.public().bot_failures == 0


def test_a_redacted_bot_answer_is_not_recognised_again() -> None:
    state = fold(customer(1, 0.0), bot(2, "See our billing FAQ."), customer(3, -0.1))
    forgotten = arc.forget(state, "m2", datetime(2026, 1, 1, tzinfo=UTC))
    assert forgotten.last_bot is not None and forgotten.last_bot.fingerprint is None
    again = advance(forgotten, *bot(4, "See our billing FAQ."))
    assert again.public().bot_failures == 0
