"""The scorer composes the models per role and folds every message into the arc (fake models here; the
real ones are checked against the same behaviour in test_scoring_models when they are present)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baton.events import Arc, Scores
from baton.scoring.arc import ArcState
from baton.scoring.fakes import FakeEncoder, conversation, fake_models, snapshot
from baton.scoring.scorer import OUT_OF_SCOPE_BASE_COMPLEXITY, Models, Scorer


@pytest.fixture
def models() -> Models:
    return fake_models()


@pytest.fixture
def scorer(models: Models) -> Scorer:
    return Scorer(models)


def score_all(scorer: Scorer, messages, state: ArcState | None = None) -> list[tuple[Scores, ArcState]]:
    out = []
    state = state or ArcState()
    for message in messages:
        scores, state = scorer.score(message, state)
        out.append((scores, state))
    return out


def test_a_customer_message_gets_every_score(scorer: Scorer) -> None:
    scores, state = scorer.score(snapshot(1, "customer", "I was charged twice for March"), ArcState())
    assert scores.intent == "duplicate_charge" and scores.out_of_scope is False
    assert scores.intent_confidence == 0.9
    assert (scores.product_area, scores.skill) == ("billing", "billing")
    assert -1 <= scores.sentiment < 0 and 0 < scores.frustration <= 1
    assert scores.complexity == pytest.approx(0.4)  # the taxonomy's base complexity, nothing added
    assert scores.asks_for_human is False and scores.negative_feedback is False
    assert scores.rephrase_of is None and scores.repeat_of is None and scores.bot_confidence is None
    assert state.public().customer_turns == 1 and state.last_seq == 1


def test_complexity_adds_what_the_message_shows(scorer: Scorer) -> None:
    scores, _ = scorer.score(
        snapshot(1, "customer", "I was charged twice, $49.00 each? Can you also refund it? Why?"), ArcState()
    )
    assert scores.complexity > 0.4


def test_out_of_scope_uses_the_neutral_base_complexity(scorer: Scorer) -> None:
    scores, _ = scorer.score(snapshot(1, "customer", "What is the weather in Lisbon"), ArcState())
    assert scores.out_of_scope is True
    assert scores.complexity == OUT_OF_SCOPE_BASE_COMPLEXITY
    assert scores.product_area is None and scores.skill is None


def test_bot_and_agent_messages_are_not_scored_as_the_customer(scorer: Scorer, models: Models) -> None:
    messages = conversation(("bot", "Hello! How can I help?", 0.35), ("agent", "Hi, I'm Priya"))
    (bot, _), (agent, state) = score_all(scorer, messages)
    assert bot.model_dump(exclude_none=True) == {"bot_confidence": 0.35}
    assert agent.model_dump(exclude_none=True) == {}
    assert state.public().bot_failures == 1  # the bot's own low confidence
    assert models.sentiment.calls == [] and models.encoder.calls == []  # no model ran


def test_a_redacted_message_is_not_scored_but_keeps_its_place(scorer: Scorer, models: Models) -> None:
    redacted = snapshot(1, "customer", "", redacted_at=datetime(2025, 3, 14, tzinfo=UTC))
    scores, state = scorer.score(redacted, ArcState())
    assert scores == Scores()
    assert state.last_seq == 1 and state.customer_turns == 1
    assert models.sentiment.calls == []


def test_rephrasing_is_semantic_not_string_equality(scorer: Scorer) -> None:
    results = score_all(
        scorer,
        conversation(
            ("customer", "I was charged twice for my plan"),
            ("bot", "You can download invoices under Settings > Billing.", 0.8),
            ("customer", "Why did you bill me two times?"),
        ),
    )
    scores, state = results[-1]
    assert scores.rephrase_of == "m1" and scores.repeat_of is None
    assert state.public().rephrasings == 1
    assert state.public().bot_failure_reasons == {"rephrase": 1}


def test_a_near_identical_message_is_a_repeat(scorer: Scorer) -> None:
    results = score_all(
        scorer,
        conversation(
            ("customer", "How do I export the user list?"),
            ("customer", "how do i export the user list??"),
            ("customer", "How do I reset my password?"),
        ),
    )
    assert results[1][0].repeat_of == "m1" and results[1][0].rephrase_of is None
    assert results[2][0].repeat_of is None and results[2][0].rephrase_of is None
    assert results[-1][1].public().repeats == 1


def test_negative_feedback_counts_only_once_someone_answered(scorer: Scorer) -> None:
    (first, _), *_ = score_all(scorer, conversation(("customer", "That didn't help at all, useless")))
    assert first.negative_feedback is False  # nothing was said to the customer yet
    results = score_all(
        scorer,
        conversation(
            ("customer", "Where do I find invoices?"),
            ("bot", "Invoices are issued monthly.", 0.9),
            ("customer", "That didn't help"),
        ),
    )
    assert results[-1][0].negative_feedback is True
    assert results[-1][1].public().bot_failure_reasons == {"negative_feedback": 1}


def test_the_encoder_runs_only_where_it_can_change_the_answer(scorer: Scorer, models: Models) -> None:
    score_all(
        scorer,
        conversation(
            ("customer", "I was charged twice"),
            ("bot", "Sorry to hear that", 0.9),
            ("customer", "ok"),
            ("customer", "thanks"),
            ("agent", "Looking into it"),
        ),
    )
    assert models.encoder.calls == [1]  # only the substantive customer message
    assert models.sentiment.calls == [1, 1, 1]


def test_a_batch_gives_what_one_message_at_a_time_gives(models: Models) -> None:
    first = conversation(
        ("customer", "I was charged twice for my plan"),
        ("bot", "Invoices are under Settings.", 0.6),
        ("customer", "Why did you bill me two times?"),
        ("customer", "That's not what I asked. I want to talk to a human!"),
    )
    second = conversation(
        ("customer", "How do I export users to CSV?"),
        ("bot", "Admin > Users > Export.", 0.95),
        ("customer", "Perfect, thanks!"),
    )
    one_by_one = [score_all(Scorer(fake_models()), c) for c in (first, second)]
    batched = Scorer(models).score_batch([(ArcState(), first), (ArcState(), second)])
    assert batched == one_by_one
    assert models.sentiment.calls == [5] and models.intent.calls == [5]  # the n-gram models: one call
    assert models.encoder.calls == [1] * 5  # each text alone, as the function embeds it


def test_an_arc_from_another_encoder_is_not_compared(scorer: Scorer) -> None:
    (_, state), *_ = score_all(scorer, conversation(("customer", "I was charged twice for my plan")))
    old = state.model_copy(update={"encoder_version": "some-older-encoder"})
    scores, after = scorer.score(snapshot(2, "customer", "Why did you bill me two times?"), old)
    assert scores.rephrase_of is None  # embeddings of different models say nothing about each other
    assert after.encoder_version == FakeEncoder.version
    assert after.recent[0].embedding is None and after.recent[1].embedding is not None


def test_model_outputs_are_clamped_to_the_contract(models: Models) -> None:
    class Overconfident:
        version = "x"
        uses_encoder = False

        def predict(self, texts, encoded=None):
            from baton.scoring.contracts import SentimentPrediction

            return [SentimentPrediction(sentiment=-1.0000001, frustration=1.0000002) for _ in texts]

    scorer = Scorer(
        Models(
            intent=models.intent,
            sentiment=Overconfident(),
            encoder=models.encoder,
            rephrase_threshold=0.6,
            complexity=lambda base, text, **context: 1.2,
        )
    )
    scores, _ = scorer.score(snapshot(1, "customer", "refund please"), ArcState())
    assert (scores.sentiment, scores.frustration, scores.complexity) == (-1.0, 1.0, 1.0)


def test_the_published_arc_is_the_event_contract(scorer: Scorer) -> None:
    _, state = scorer.score(snapshot(1, "customer", "I was charged twice"), ArcState())
    shown = state.public()
    assert isinstance(shown, Arc)
    assert Arc.model_validate_json(shown.model_dump_json()) == shown


# --------------------------------------------------------------------------- with the shipped models


@pytest.fixture(scope="module")
def shipped() -> Scorer:
    from baton.scoring import loader

    try:
        return Scorer(loader.load_models(loader.models_dir()))
    except loader.ModelsNotFound as missing:  # a checkout before the models are trained
        pytest.skip(f"layers/models holds no complete model set: {missing}")


def test_shipped_models_read_an_angry_turn_in_a_conversation(shipped: Scorer) -> None:
    results = score_all(
        shipped,
        conversation(
            ("customer", "Hi, we were charged twice for our March invoice. Can you check?"),
            ("bot", "Invoices are issued on the first business day of each month.", 0.45),
            ("customer", "That's not what I asked. Why did you bill us two times for March?"),
            ("bot", "Here is our refund policy.", 0.55),
            ("customer", "This is ridiculous. Third time I'm asking and you still haven't fixed it!!"),
            ("customer", "I want to talk to a real person NOW."),
        ),
    )
    first, angry = results[0][0], results[4][0]
    assert first.intent == "double_charge" and first.out_of_scope is False
    assert (first.product_area, first.skill) == ("billing", "billing") and 0 <= first.complexity <= 1
    assert angry.sentiment < first.sentiment and angry.frustration > first.frustration
    assert results[5][0].asks_for_human is True
    assert results[2][0].rephrase_of == "m1" and results[2][0].negative_feedback is True
    arc = results[4][1].public()
    assert arc.sentiment_slope < 0 and arc.peak_frustration == angry.frustration
    # The first answer failed once (its own low confidence, then counted under the customer's feedback on it,
    # not twice); the second when the customer asked for a person right after it.
    final = results[5][1].public()
    assert final.bot_failure_reasons == {"negative_feedback": 1, "asked_for_human": 1}
    assert final.human_requests == 1 and final.negative_feedback == 1


def test_shipped_models_do_not_call_a_new_question_a_rephrasing(shipped: Scorer) -> None:
    results = score_all(
        shipped,
        conversation(
            ("customer", "How do I export our user list as CSV?"),
            ("bot", "Admin > Users > Export.", 0.93),
            ("customer", "Great. And how do I change the billing email on our account?"),
        ),
    )
    assert results[-1][0].rephrase_of is None and results[-1][0].repeat_of is None


def test_models_that_read_the_encoder_get_each_customer_message_encoded_once(models: Models) -> None:
    from baton.scoring.fakes import FakeIntent

    class ReadingIntent(FakeIntent):
        uses_encoder = True

        def __init__(self) -> None:
            super().__init__()
            self.seen: list[int] = []

        def predict(self, texts, encoded=None):
            assert encoded is not None and encoded.embeddings.shape == (len(texts), FakeEncoder.dim)
            self.seen.append(len(texts))
            return super().predict(texts)

    intent, encoder = ReadingIntent(), FakeEncoder()
    scorer = Scorer(
        Models(
            intent=intent,
            sentiment=models.sentiment,
            encoder=encoder,
            rephrase_threshold=0.6,
            complexity=models.complexity,
        )
    )
    messages = conversation(
        ("customer", "I was charged twice"),
        ("bot", "Let me check that for you."),
        ("customer", "ok"),  # too short for rephrase detection, but the intent model reads its embedding
        ("customer", "why did you bill me two times"),
    )
    scored = scorer.score_batch([(ArcState(), messages)])[0]
    assert intent.seen == [3]  # the three customer messages, in one call
    assert encoder.calls == [1, 1, 1]  # each embedded alone, once: the rephrase check reuses the vector
    assert scored[3][0].rephrase_of == messages[0].message_id


def test_without_a_model_that_reads_it_the_encoder_runs_only_for_rephrase_detection(scorer: Scorer) -> None:
    messages = conversation(("customer", "ok"), ("customer", "I was charged twice"), ("bot", "Sorry!"))
    scorer.score_batch([(ArcState(), messages)])
    assert scorer.models.encoder.calls == [1]  # "ok" has nothing to compare; bots are never embedded
