"""The handover model (layers/models/handover): train/serve identity, the conversation read as context, optional
loading, the `needs_person` guardrail, and `baton train handover`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from baton.cli import main as cli_main
from baton.context.models import Context
from baton.decision.engine import DecisionState, decide
from baton.decision.params import DEFAULT_NEEDS_PERSON, load_default
from baton.events import Arc, Scores
from baton.scoring import arc as arc_module
from baton.scoring import encoder as encoder_runtime
from baton.scoring import handover as handover_runtime
from baton.scoring.fakes import conversation, snapshot
from baton.scoring.handover import numeric_features
from baton.scoring.loader import load_models, models_dir
from baton.scoring.scorer import Scorer

REPO_MODELS_DIR = models_dir()  # BATON_MODELS_DIR: this checkout's layers/models (tests/conftest.py)
HANDOVER_DIR = REPO_MODELS_DIR / "handover"
LABELLED = Path(__file__).resolve().parents[3] / "events" / "labelled"


@pytest.fixture(scope="module")
def encoder():
    return encoder_runtime.load(REPO_MODELS_DIR / "encoder")


@pytest.fixture(scope="module")
def model():
    return handover_runtime.load(HANDOVER_DIR)


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(load_models())


def test_the_served_model_replays_the_training_outputs(encoder, model) -> None:
    assert model.encoder_version == encoder.version
    for ref in model.manifest["reference"]:
        vector = encoder.encode([ref["text"]]).embeddings[0]
        earlier = [encoder.encode([t]).embeddings[0].astype(np.float16) for t in ref["context"]]
        served = model.predict(ref["text"], vector, earlier, ref["numeric"])
        assert served == pytest.approx(ref["probability"], abs=1e-4)
    with pytest.raises(ValueError, match="numeric features"):
        model.predict("hi", vector, [], [0.0])


def test_its_threshold_is_the_parameters_and_it_is_small(model) -> None:
    assert model.threshold == DEFAULT_NEEDS_PERSON == load_default().guardrails.needs_person
    assert (HANDOVER_DIR / "model.onnx").stat().st_size < 200_000
    card = (HANDOVER_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert model.version in card and "Leave one author out" in card


def test_the_scorer_reads_the_message_with_the_conversation_so_far(scorer: Scorer, model) -> None:
    """The same words weigh otherwise after another opening: the earlier customer messages the arc remembers
    are the model's context, as stored (float16), the last `context_messages` of them, with what scoring says of
    the message and the arc before it (`numeric_features`)."""
    last = "Who can let us in tonight?"
    opening_a = "Hi, my key doesn't work and there's a notice that the locks were changed, but my tenancy runs to August."
    opening_b = "Hi, I'd like to book a viewing of the flat on Elm Street next week, what times do you have?"
    results = []
    for opening in (opening_a, opening_b):
        messages = conversation(
            ("customer", opening), ("bot", "Sorry to hear that, here is our FAQ."), ("customer", last)
        )
        scored = scorer.score_batch([(arc_module.ArcState(), messages)])[0]
        scores = scored[-1][0]
        before = scored[1][1]
        stored = [arc_module.decode_embedding(r.embedding) for r in before.recent if r.embedding]
        vector = scorer.models.encoder.encode([last]).embeddings[0]
        expected = model.predict(last, vector, stored, numeric_features(scores, before))
        assert scores.needs_person == pytest.approx(expected, abs=1e-4)
        results.append(scores.needs_person)
    assert results[0] != results[1]
    bot_scores = scored[1][0]
    assert bot_scores.needs_person is None


def test_without_the_model_directory_there_is_no_needs_person(tmp_path: Path) -> None:
    root = tmp_path / "models"
    root.mkdir()
    for kind in ("intent", "sentiment", "encoder"):
        (root / kind).symlink_to(REPO_MODELS_DIR / kind)
    models = load_models(root)
    assert models.handover is None and "handover" not in models.versions()
    ((scores, _),) = Scorer(models).score_batch(
        [(arc_module.ArcState(), [snapshot(1, "customer", "where is my parcel?")])]
    )[0]
    assert scores.needs_person is None


def test_a_broken_model_directory_says_what_is_wrong(tmp_path: Path) -> None:
    broken = tmp_path / "handover"
    shutil.copytree(HANDOVER_DIR, broken)
    manifest = json.loads((broken / "manifest.json").read_text())
    (broken / "manifest.json").write_text(json.dumps({**manifest, "kind": "triggers"}))
    with pytest.raises(handover_runtime.ModelDirError, match="not a handover model manifest"):
        handover_runtime.load(broken)
    (broken / "manifest.json").write_text(json.dumps({**manifest, "numeric": ["frustration"]}))
    with pytest.raises(handover_runtime.ModelDirError, match="numeric features"):
        handover_runtime.load(broken)
    (broken / "manifest.json").write_text(json.dumps(manifest))
    (broken / "model.onnx").unlink()
    with pytest.raises(handover_runtime.ModelDirError, match=r"model\.onnx: missing"):
        handover_runtime.load(broken)


def _decide(p: float | None, text: str = "ok", **guardrails):
    params = load_default()
    if guardrails:
        params = params.model_copy(update={"guardrails": params.guardrails.model_copy(update=guardrails)})
    scores = Scores(sentiment=0.0, frustration=0.05, needs_person=p)
    arc = Arc(customer_turns=1)
    decision, _ = decide(scores, arc, Context(), DecisionState(), params, text=text, seq=1)
    return decision


def test_the_decision_escalates_when_the_model_reads_a_case_for_a_person() -> None:
    t = DEFAULT_NEEDS_PERSON
    decision = _decide(t + 0.01)
    assert decision.action == "escalate" and decision.guardrail == "needs_person"
    assert decision.reasons[0].label == "Needs a person" and f"{t + 0.01:.2f}" in decision.reasons[0].evidence
    assert _decide(t - 0.01).action == "resolve"
    assert _decide(None).action == "resolve"
    assert _decide(0.99, needs_person=None).action == "resolve"  # a team switches it off


def test_a_named_guardrail_explains_itself_first() -> None:
    decision = _decide(0.99, text="I'm filing a chargeback with my bank today.")
    assert decision.action == "escalate" and decision.guardrail == "payment_dispute"


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _conversations(prefix: str) -> list[dict]:
    calm = [
        "How do I export my invoices as PDF?",
        "Can I change the billing e-mail?",
        "Where do I add a teammate?",
    ]
    urgent = [
        "The installer drilled through a pipe and water is coming through the ceiling",
        "My father is 84, his alarm pendant runs over your internet and it has been off for two days",
        "Our tenancy runs to August but the locks were changed, my kids and I are outside",
    ]
    rows = []
    for i, text in enumerate(calm):
        rows.append(
            {
                "conversation_id": f"{prefix}-r{i}",
                "messages": [{"role": "customer", "text": text}, {"role": "bot", "text": "Here is how."}],
                "expected": "resolve",
            }
        )
    for i, text in enumerate(urgent):
        rows.append(
            {
                "conversation_id": f"{prefix}-e{i}",
                "messages": [{"role": "customer", "text": text}],
                "expected": "escalate",
                "escalate_by": 1,
            }
        )
    return rows


def test_baton_train_handover_writes_a_model_the_scorer_loads(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.jsonl", _conversations("a"))
    b = _write(tmp_path / "b.jsonl", _conversations("b"))
    calm = tmp_path / "calm"
    calm.mkdir()
    _write(calm / "support_contrast.jsonl", [{"text": "Thanks, all sorted.", "label": "calm"}])
    _write(calm / "support_training.jsonl", [{"text": "Can I pay by card?", "frustrated": False}])
    _write(calm / "support_training_2.jsonl", [{"text": "Is there a dark mode?", "frustrated": False}])
    _write(
        calm / "support_intents_test.jsonl",
        [{"text": "How do I reset my password?", "intent": "password_reset"}],
    )
    out = tmp_path / "out"
    args = ["train", "handover", "--data", str(a), "--data", str(b), "--calm", str(calm), "--out", str(out)]
    assert cli_main([*args, "--cache", str(tmp_path / "cache")]) == 0
    model = handover_runtime.load(out / "handover")
    evaluation = model.manifest["evaluation"]
    assert set(evaluation["leave_one_author_out"]) == {"a.jsonl", "b.jsonl"}
    assert evaluation["positives"] == 6 and evaluation["negatives"] == 6 and evaluation["calm_messages"] == 4
    assert (out / "handover" / "MODEL_CARD.md").read_text().startswith(f"# Handover model `{model.version}`")
    assert set(model.manifest["numeric_weights"]) == set(handover_runtime.NUMERIC)


def test_long_calm_dialogues_train_the_model_and_are_never_measured_as_an_author(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.jsonl", _conversations("a"))
    b = _write(tmp_path / "b.jsonl", _conversations("b"))
    uss = tmp_path / "MWOZ.txt"
    uss.write_text(
        # two calm dialogues (3 and 2 customer turns) and one a majority of raters found dissatisfying
        "USER\tI need a table for four tonight.\t\t3,3,4\nSYSTEM\tWhich area?\n"
        "USER\tNo, I just need the centre.\t\t3,3,3\nSYSTEM\tBooked, reference 7X.\n"
        "USER\tThanks.\t\t4,4,5\n\n"
        "USER\tA train to Ely on Monday.\t\t3,3,3\nSYSTEM\tTR1 leaves at 9.\nUSER\tGreat, book it.\t\t4,3,3\n\n"
        "USER\tFind me a hotel.\t\t3,3,3\nSYSTEM\tThere are none.\nUSER\tThat is useless.\t\t1,2,2\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = [
        "train",
        "handover",
        "--data",
        str(a),
        "--data",
        str(b),
        "--out",
        str(out),
        "--calm-dialogues",
        str(uss),
    ]
    assert cli_main([*args, "--cache", str(tmp_path / "cache")]) == 0
    manifest = handover_runtime.load(out / "handover").manifest
    assert manifest["calm_dialogues"]["messages"] == 5  # the dissatisfied dialogue is not drawn
    assert set(manifest["calm_dialogues"]["files"]) == {"MWOZ.txt"}
    assert set(manifest["evaluation"]["leave_one_author_out"]) == {"a.jsonl", "b.jsonl"}
    assert manifest["evaluation"]["negatives"] == 6 + 5 and "--calm-dialogues" in manifest["command"]
    assert "long calm task dialogues" in (out / "handover" / "MODEL_CARD.md").read_text()
    broken = tmp_path / "broken.txt"
    broken.write_text("CUSTOMER\thello\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"--calm-dialogues .*broken\.txt"):
        cli_main([*args[:-1], str(broken)])


def test_baton_train_handover_refuses_what_it_cannot_measure(tmp_path: Path, capsys) -> None:
    a = _write(tmp_path / "a.jsonl", _conversations("a"))
    with pytest.raises(SystemExit, match="at least two files"):
        cli_main(["train", "handover", "--data", str(a), "--out", str(tmp_path / "o")])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"conversation_id": "x", "messages": [], "expected": "maybe"}\n')
    with pytest.raises(SystemExit, match=r"bad\.jsonl:1: expected must be escalate or resolve"):
        cli_main(["train", "handover", "--data", str(a), "--data", str(bad), "--out", str(tmp_path / "o")])
