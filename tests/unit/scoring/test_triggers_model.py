"""The learned trigger model (layers/models/triggers): train/serve identity, optional loading, the engine's
pattern OR model logic with its negation veto, and `baton eval triggers` on the decision's full path."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from baton.cli import main as cli_main
from baton.context.models import Context
from baton.decision.engine import DecisionState, decide, guardrail, guardrail_hits, model_veto
from baton.decision.params import DEFAULT_MODEL_THRESHOLDS, load_default
from baton.events import Arc, Scores
from baton.scoring import encoder as encoder_runtime
from baton.scoring import triggers as triggers_runtime
from baton.scoring.loader import ModelLoadError, load_models, models_dir

REPO_MODELS_DIR = models_dir()  # BATON_MODELS_DIR: this checkout's layers/models (tests/conftest.py)
TRIGGERS_DIR = REPO_MODELS_DIR / "triggers"
LABELLED = Path(__file__).resolve().parents[3] / "events" / "labelled"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def encoder():
    return encoder_runtime.load(REPO_MODELS_DIR / "encoder")


@pytest.fixture(scope="module")
def model():
    return triggers_runtime.load(TRIGGERS_DIR)


def test_the_served_model_replays_the_training_outputs(encoder, model) -> None:
    reference = model.manifest["reference"]
    assert model.encoder_version == encoder.version
    encoded = [encoder.encode([t]) for t in reference["texts"]]
    embeddings = np.concatenate([e.embeddings for e in encoded])
    # since round 10 the model also reads the encoder's hidden states (the sentiment branch's input)
    hidden = [e.hidden[0] for e in encoded] if model.hidden_layer is not None else None
    served = model.probabilities(embeddings, reference["texts"], hidden)
    np.testing.assert_allclose(served, np.asarray(reference["probs"]), atol=1e-4)
    # the n-grams are the model's own, computed by the serving class from the text
    assert model.spec is not None and model.spec.n_buckets == model.manifest["features"]["n_buckets"]
    with pytest.raises(ValueError, match="reads the texts too"):
        model.probabilities(embeddings)
    if model.hidden_layer is not None:
        with pytest.raises(ValueError, match="hidden states after layer"):
            model.probabilities(embeddings, reference["texts"])


def test_the_ngrams_tell_a_move_to_a_rival_from_a_plan_change(encoder, model) -> None:
    k = model.codes.index("competitor_switch")
    t = model.thresholds["competitor_switch"]
    leaving = "We've picked another vendor and won't renew."
    staying = "Can we switch to another plan when we renew?"
    for text, trips in ((leaving, True), (staying, False)):
        encoded = encoder.encode([text])
        p = model.probabilities(encoded.embeddings, [text], encoded.hidden)[0, k]
        assert bool(p >= t) is trips, (text, p)


def test_the_model_is_small_and_its_thresholds_are_the_parameters(model) -> None:
    # round 10: the heads (0.6 MB) and the hidden-state MLP (1.2 MB), float32
    assert (TRIGGERS_DIR / "model.onnx").stat().st_size < 2_500_000
    assert model.thresholds == DEFAULT_MODEL_THRESHOLDS
    assert load_default().guardrails.model_thresholds == DEFAULT_MODEL_THRESHOLDS
    total = sum(f.stat().st_size for f in REPO_MODELS_DIR.rglob("*") if f.is_file())
    assert total <= 40 * 1024 * 1024


def test_predict_reports_only_probabilities_worth_reporting(encoder, model) -> None:
    text = "Thanks, that worked!"
    (probs,) = model.predict([text], encoder.encode([text]))
    assert all(p >= triggers_runtime.REPORT_MIN for p in probs.values())
    with pytest.raises(ValueError, match="reads sentence embeddings"):
        model.predict([text])


def _models_dir(tmp_path: Path, *, triggers: bool) -> Path:
    root = tmp_path / "models"
    root.mkdir()
    for kind in ("intent", "sentiment", "encoder"):
        (root / kind).symlink_to(REPO_MODELS_DIR / kind)
    if triggers:
        shutil.copytree(TRIGGERS_DIR, root / "triggers")
    return root


def test_a_models_dir_without_triggers_still_loads(tmp_path: Path) -> None:
    models = load_models(_models_dir(tmp_path, triggers=False))
    assert models.triggers is None
    assert "triggers" not in models.versions()


def test_a_trigger_model_of_another_encoder_is_refused(tmp_path: Path) -> None:
    root = _models_dir(tmp_path, triggers=True)
    manifest = json.loads((root / "triggers" / "manifest.json").read_text())
    manifest["encoder"]["version"] = "another-encoder"
    (root / "triggers" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelLoadError, match="trained on the embeddings of encoder another-encoder"):
        load_models(root)


def test_the_scorer_reports_trigger_probabilities(encoder, model) -> None:
    import dataclasses

    from baton.scoring.arc import ArcState
    from baton.scoring.fakes import fake_models, snapshot
    from baton.scoring.scorer import Scorer

    models = dataclasses.replace(fake_models(), encoder=encoder, triggers=model)
    text = "Cancel my plan and send the money back to my card."
    scores, _ = Scorer(models).score(snapshot(1, "customer", text), ArcState())
    assert scores.triggers is not None and scores.triggers["cancellation_refund"] >= 0.5
    assert all(p >= triggers_runtime.REPORT_MIN for p in scores.triggers.values())
    assert models.versions()["triggers"] == model.version
    calm, _ = Scorer(dataclasses.replace(models, triggers=None)).score(
        snapshot(1, "customer", text), ArcState()
    )
    assert calm.triggers is None


# ---------------------------------------------------------------------------------------------- engine


def test_a_model_hit_trips_the_guardrail_with_evidence_in_words() -> None:
    params = load_default()
    text = "We're signing with the other bidder on Monday."
    scores = Scores(triggers={"competitor_switch": 0.97})
    assert guardrail(text, scores, params) == (
        "competitor_switch",
        "reads as a move to a competitor (0.97)",
    )
    below = Scores(
        triggers={"competitor_switch": params.guardrails.model_thresholds["competitor_switch"] - 0.01}
    )
    assert guardrail(text, below, params) is None
    decision, _ = decide(
        Scores(sentiment=0.1, frustration=0.05, triggers={"competitor_switch": 0.97}),
        Arc(customer_turns=1),
        Context(now=NOW),
        DecisionState(),
        params,
        text=text,
    )
    assert (decision.action, decision.guardrail) == ("escalate", "competitor_switch")
    assert decision.reasons[0].evidence.startswith("reads as")


def test_a_pattern_match_keeps_its_quote_and_ranks_by_precedence() -> None:
    params = load_default()
    text = "I want to cancel my subscription and get a refund now."
    tripped = guardrail(text, Scores(triggers={"cancellation_refund": 0.99}), params)
    assert tripped is not None and tripped[0] == "cancellation_refund" and tripped[1].startswith('says "')
    # data_loss comes before cancellation_refund in GUARDRAIL_ORDER, whoever found it
    both = guardrail(text + " Our reports went missing too.", Scores(triggers={"data_loss": 0.99}), params)
    assert both is not None and both[0] == "data_loss"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # a cancellation without a word of money is a calm cancellation
        (
            "Please cancel our subscription at the end of the current billing period. Thank you.",
            "cancellation_refund",
        ),
        # the demo's calm billing customer: nothing about leaving
        ("Ah, that makes sense, we had contractors for a couple of weeks. Thanks!", "competitor_switch"),
    ],
)
def test_the_model_alone_needs_a_key_word_of_its_trigger(text: str, code: str) -> None:
    params = load_default()
    assert guardrail_hits(text, Scores(triggers={code: 0.99}), params) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("We're not leaving for another vendor, we like you.", "competitor_switch"),
        ("We're not cancelling and we don't need a refund.", "cancellation_refund"),
        ("If I cancel now, do I get a refund?", "cancellation_refund"),
        ("Our customer disputed the payment with their bank.", "payment_dispute"),
        ("Nothing was deleted, I found the files.", "data_loss"),
        ("No need for a person, the article helped.", "human_request"),
    ],
)
def test_a_negated_model_hit_is_vetoed(text: str, code: str) -> None:
    params = load_default()
    assert model_veto(text, code, params)
    assert guardrail_hits(text, Scores(triggers={code: 0.99}), params) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("we'll take our tickets elsewhere next quarter", "competitor_switch"),
        ("If I don't hear back today my bank will reverse the payment.", "payment_dispute"),
        ("Can I please talk to a person?", "human_request"),
        ("the board is just blank now", "data_loss"),
    ],
)
def test_an_affirmed_model_hit_is_not_vetoed(text: str, code: str) -> None:
    assert not model_veto(text, code, load_default())


def test_the_model_human_request_trips_human_requested() -> None:
    params = load_default()
    # Above the shipped threshold (0.95 since trigger round 9).
    tripped = guardrail("A PERSON. NOW.", Scores(triggers={"human_request": 0.97}), params)
    assert tripped == ("human_requested", "reads as a request for a person (0.97)")
    assert guardrail("A PERSON. NOW.", Scores(triggers={"human_request": 0.2}), params) is None


def test_the_scorer_ors_the_models_human_request(model) -> None:
    from baton.scoring.scorer import asks_for_human

    assert asks_for_human("A PERSON. NOW.", {"human_request": 0.97}, model)
    assert not asks_for_human("A PERSON. NOW.", {"human_request": 0.1}, model)
    assert not asks_for_human("I really don't need a person.", {"human_request": 0.97}, model)
    assert asks_for_human("Can I talk to a human?", None, None)


# ---------------------------------------------------------------------------------------------- eval


def test_baton_eval_triggers_runs_patterns_or_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["eval", "triggers", str(LABELLED / "triggers-train-extra.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "patterns OR trigger model triggers-" in out
    assert any(line.startswith("competitor_switch") for line in out.splitlines())
    assert (
        cli_main(["eval", "triggers", "--patterns-only", str(LABELLED / "triggers-train-extra.jsonl")]) == 0
    )
    assert "(patterns only)" in capsys.readouterr().out
