"""The intent model: `baton train intent` and what serving does with its output.

The identity tests rebuild the probabilities in numpy from the weights stored in model.onnx and from
`featurize()` with the manifest's FeatureSpec: if training and serving ever featurized differently, or the graph
computed something else than the trained model, they fail.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from baton.scoring import encoder as encoder_runtime
from baton.scoring.contracts import Encoded, IntentPrediction
from baton.scoring.features import FeatureSpec, featurize
from baton.scoring.intent import DEFAULT_INTENT_INFO, ModelDirError, OnnxIntentModel, decide, load
from baton.training.intent import load_clinc, load_csv, main

MODELS = Path(__file__).resolve().parents[3] / "layers" / "models"
SHIPPED = MODELS / "intent"

TINY = {
    "card_arrival": [
        "my card has not arrived yet",
        "when will my new card arrive",
        "still waiting for my card to arrive",
        "the card I ordered never arrived",
        "has my card been sent, it did not arrive",
        "card not arrived after two weeks",
    ],
    "exchange_rate": [
        "what is the exchange rate today",
        "which exchange rate do you use",
        "how is the exchange rate calculated",
        "exchange rate for dollars to euros",
        "is your exchange rate good",
        "tell me the current exchange rate",
    ],
    "change_pin": [
        "how do I change my pin",
        "I want a new pin number",
        "can I change the pin on my card",
        "change pin please",
        "where can I reset my pin code",
        "update my card pin",
    ],
    "terminate_account": [
        "close my account",
        "I want to delete my account",
        "how can I terminate my account",
        "please close my account for good",
        "cancel and close the account",
        "delete account now",
    ],
}
TEXTS = [
    "my card never arrived",
    "what exchange rate do you apply",
    "CHANGE MY PIN!!",
    "close the account please",
    "",
    "completely unrelated words about penguins",
]


def _write_csv(
    path: Path, rows: list[tuple[str, str]], header: tuple[str, str] = ("text", "category")
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _tiny_rows() -> list[tuple[str, str]]:
    return [(text, intent) for intent, texts in TINY.items() for text in texts]


def _train(tmp: Path, *extra: str, seed: int = 1) -> Path:
    data = _write_csv(tmp / "train.csv", _tiny_rows())
    args = ["--data", str(data), "--out", str(tmp / "out"), "--seed", str(seed)]
    args += ["--hidden", "16", "--epochs", "60", "--val-fraction", "0.34", "--min-df", "1", *extra]
    assert main(args) == 0
    return tmp / "out" / "intent"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("tiny")
    taxonomy = tmp / "taxonomy.json"
    taxonomy.write_text(
        json.dumps(
            {
                "card_arrival": {"product_area": "cards", "skill": "card_ops", "base_complexity": 0.3},
                "change_pin": {"product_area": "security", "skill": "card_ops", "base_complexity": 0.15},
                "not_an_intent_here": {"product_area": "x", "skill": "y", "base_complexity": 0.5},
            }
        )
    )
    return _train(tmp, "--taxonomy", str(taxonomy))


@pytest.fixture(scope="module")
def shipped_encoder() -> encoder_runtime.OnnxEncoder:
    return encoder_runtime.load(MODELS / "encoder")


def encoded(texts: list[str]) -> Encoded:
    """What the scorer passes: each text embedded alone by the shipped encoder."""
    encoder = encoder_runtime.load(MODELS / "encoder")
    return Encoded(embeddings=np.concatenate([encoder.embed([t]) for t in texts]))


def predict(model: OnnxIntentModel, texts: list[str]) -> list[IntentPrediction]:
    return model.predict(texts, encoded(texts) if model.uses_encoder else None)


def numpy_probs(model_dir: Path, texts: list[str]) -> np.ndarray:
    """The model's probabilities from its stored weights, `featurize` and (when the model reads them) the
    encoder's embeddings, without the intent model's onnxruntime session."""
    manifest = json.loads((model_dir / "manifest.json").read_text())
    spec = FeatureSpec.from_json(manifest["features"])
    weights = {
        t.name: numpy_helper.to_array(t) for t in onnx.load(str(model_dir / "model.onnx")).graph.initializer
    }
    assert ("W_dense" in weights) == (manifest.get("encoder") is not None)
    dense = encoded(texts).embeddings if "W_dense" in weights else None
    out = []
    for i, text in enumerate(texts):
        idx, val = featurize(text, spec)
        rows = (
            weights["bucket_row"][idx].astype(np.int64)
            if "bucket_row" in weights
            else np.array(idx, np.int64)
        )
        z = (weights["W1"][rows].astype(np.float32) * np.array(val, np.float32)[:, None]).sum(axis=0)
        if dense is not None:
            z = z + dense[i] @ weights["W_dense"].astype(np.float32)
        z = z + weights["b1"]
        if "W2" in weights:
            z = np.maximum(z, 0) @ weights["W2"].astype(np.float32) + weights["b2"]
        e = np.exp(z - z.max())
        out.append(e / e.sum())
    return np.array(out)


# --- training and serving compute the same thing ------------------------------------------------------------


def test_served_probabilities_equal_the_trained_weights_on_the_same_features(tiny: Path) -> None:
    model = load(tiny)
    assert model.uses_encoder  # the default: n-grams and the shipped encoder's embedding
    served = model.probabilities(TEXTS, encoded(TEXTS))
    assert served.shape == (len(TEXTS), 4)
    np.testing.assert_allclose(served, numpy_probs(tiny, TEXTS), rtol=1e-4, atol=1e-6)


def test_predictions_follow_the_probabilities_and_the_manifest_threshold(tiny: Path) -> None:
    model = load(tiny)
    manifest = json.loads((tiny / "manifest.json").read_text())
    assert model.threshold == manifest["oos"]["threshold"]
    assert model.spec == FeatureSpec.from_json(manifest["features"])
    probs = numpy_probs(tiny, TEXTS)
    for text, row, pred in zip(TEXTS, probs, predict(model, TEXTS), strict=True):
        assert pred.intent == model.labels[int(row.argmax())]
        assert pred.confidence == pytest.approx(float(row.max()), abs=1e-5)
        # A blank message is out of scope whatever its probabilities.
        assert pred.out_of_scope == (pred.confidence < model.threshold or not text.strip())
        assert [p for _, p in pred.top] == sorted((p for _, p in pred.top), reverse=True)


def test_tiny_model_learns_its_intents(tiny: Path) -> None:
    preds = predict(load(tiny), TEXTS[:4])
    assert [p.intent for p in preds] == ["card_arrival", "exchange_rate", "change_pin", "terminate_account"]


def test_the_same_seed_gives_the_same_model(tiny: Path, tmp_path: Path) -> None:
    again = _train(tmp_path, "--taxonomy", str(tiny / "taxonomy.json"))
    assert (again / "model.onnx").read_bytes() == (tiny / "model.onnx").read_bytes()


def test_output_directory_holds_the_documented_layout(tiny: Path) -> None:
    assert {p.name for p in tiny.iterdir()} >= {
        "manifest.json",
        "model.onnx",
        "labels.json",
        "taxonomy.json",
        "MODEL_CARD.md",
    }
    manifest = json.loads((tiny / "manifest.json").read_text())
    assert manifest["kind"] == "intent"
    assert manifest["version"].startswith("intent-")
    assert set(manifest["metrics"]) >= {"in_scope_accuracy", "macro_f1"}
    card = (tiny / "MODEL_CARD.md").read_text()
    assert "baton train intent --data" in card and "p50" in card


def test_taxonomy_file_is_used_and_missing_intents_get_the_default(tiny: Path) -> None:
    model = load(tiny)
    assert model.info("card_arrival").product_area == "cards"
    assert model.info("change_pin").base_complexity == 0.15
    assert model.info("exchange_rate") == DEFAULT_INTENT_INFO
    written = json.loads((tiny / "taxonomy.json").read_text())
    assert set(written) == set(TINY)  # every intent, and nothing the model does not know


def test_retraining_into_the_same_directory_keeps_its_taxonomy_and_card_notes(
    tiny: Path, tmp_path: Path
) -> None:
    first = _train(tmp_path, "--taxonomy", str(tiny / "taxonomy.json"))
    card = first / "MODEL_CARD.md"
    card.write_text(card.read_text() + "\nOur notes: keep me.\n")
    again = _train(tmp_path)  # no --taxonomy: the one already there
    assert load(again).info("card_arrival").product_area == "cards"
    assert "Our notes: keep me." in card.read_text()


# --- data formats and bad input -----------------------------------------------------------------------------


def test_csv_with_intent_header_and_bad_rows_reported_by_line(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text('text,intent\nhello there,greet\n,greet\n"a, b",x,extra\nbye,\nok then,greet\n')
    data = load_csv(path)
    assert data.train == [("hello there", "greet"), ("ok then", "greet")]
    assert data.problems == [
        "data.csv line 3: empty text",
        "data.csv line 4: more fields than the header has",
        "data.csv line 5: empty intent",
    ]


def test_csv_without_the_needed_columns_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write_csv(tmp_path / "d.csv", [("hi", "greet")], header=("utterance", "label"))
    assert main(["--data", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "`text` column" in err and "utterance" in err
    assert not (tmp_path / "out").exists()


def test_bad_taxonomy_is_refused_before_training(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write_csv(tmp_path / "d.csv", _tiny_rows())
    bad = tmp_path / "tax.json"
    bad.write_text(
        json.dumps({"change_pin": {"product_area": "cards", "skill": "card_ops", "base_complexity": 1.5}})
    )
    assert main(["--data", str(data), "--out", str(tmp_path / "out"), "--taxonomy", str(bad)]) == 2
    assert "'change_pin': base_complexity must be a number in [0, 1]" in capsys.readouterr().err


def test_clinc_format_trains_an_explicit_out_of_scope_class(tmp_path: Path) -> None:
    rows = _tiny_rows()
    oos = ["what is the weather in paris", "play some jazz music", "who won the game", "tell me a joke"]
    data = {
        "train": [[t, i] for t, i in rows[::2] + rows[1::2][:8]],
        "val": [[t, i] for t, i in rows[1::2][8:]],
        "oos_train": [[t, "oos"] for t in oos[:3]],
        "oos_val": [[oos[3], "oos"]],
    }
    path = tmp_path / "clinc.json"
    path.write_text(json.dumps(data))
    args = [
        "--data",
        str(path),
        "--format",
        "clinc",
        "--out",
        str(tmp_path / "out"),
        "--hidden",
        "0",
        "--epochs",
        "5",
    ]
    assert main(args) == 0
    out = tmp_path / "out" / "intent"
    assert json.loads((out / "labels.json").read_text())[-1] == "oos"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["oos"]["label"] == "oos"
    assert "oos_recall" in manifest["metrics"]
    model = load(out)
    assert "oos" not in model.taxonomy
    assert all(p.intent != "oos" for p in predict(model, ["who won the game", "my card never arrived"]))


def test_clinc_bad_items_are_reported_by_position(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps({"train": [["hi", "greet"], ["x"], ["", "greet"]], "oos_train": [["a", "greet"]]})
    )
    data = load_clinc(path, "oos")
    assert data.train == [("hi", "greet")]
    assert data.problems == [
        "c.json train[1]: expected [text, label]",
        "c.json train[2]: empty text or label",
        "c.json oos_train[0]: label 'greet' in an out-of-scope split (expected 'oos')",
    ]


def test_runs_standalone_as_a_module() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "baton.training.intent", "--help"], capture_output=True, text=True, check=True
    )
    assert "--data" in out.stdout and "--taxonomy" in out.stdout


# --- the decision rule --------------------------------------------------------------------------------------


def test_explicit_out_of_scope_class_wins_over_a_weaker_intent() -> None:
    labels = ["a", "b", "oos"]
    best, conf, oos = decide(np.array([[0.3, 0.2, 0.5], [0.6, 0.1, 0.3]]), labels, "oos", 0.1)
    assert [labels[i] for i in best] == ["a", "a"]
    assert conf.tolist() == pytest.approx([0.3, 0.6])
    assert oos.tolist() == [True, False]


def test_threshold_marks_unsure_predictions_out_of_scope() -> None:
    _, _, oos = decide(np.array([[0.45, 0.55], [0.05, 0.95]]), ["a", "b"], None, 0.6)
    assert oos.tolist() == [True, False]


def test_an_n_gram_only_model_needs_no_encoder(tmp_path: Path) -> None:
    model_dir = _train(tmp_path, "--no-encoder")
    model = load(model_dir)
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert not model.uses_encoder and manifest["encoder"] is None and "dense" not in manifest["inputs"]
    np.testing.assert_allclose(
        model.probabilities(TEXTS), numpy_probs(model_dir, TEXTS), rtol=1e-4, atol=1e-6
    )
    assert [p.intent for p in model.predict(TEXTS[:4])] == [
        "card_arrival", "exchange_rate", "change_pin", "terminate_account",
    ]  # fmt: skip


def test_a_model_that_reads_embeddings_refuses_to_guess_without_them(tiny: Path) -> None:
    model = load(tiny)
    with pytest.raises(ValueError, match="reads sentence embeddings"):
        model.predict(["my card never arrived"])
    with pytest.raises(ValueError, match="1 embeddings for 2 texts"):
        model.predict(["a", "b"], encoded(["a"]))


def test_manifest_names_the_encoder_the_model_was_trained_on(tiny: Path) -> None:
    manifest = json.loads((tiny / "manifest.json").read_text())
    shipped = json.loads((MODELS / "encoder" / "manifest.json").read_text())
    assert manifest["encoder"]["version"] == shipped["version"] == load(tiny).encoder_version
    assert manifest["inputs"][-1] == "dense"


def test_an_encoder_directory_without_a_manifest_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write_csv(tmp_path / "train.csv", _tiny_rows())
    code = main(["--data", str(data), "--out", str(tmp_path / "out"), "--encoder", str(tmp_path)])
    assert code == 2
    assert f"--encoder {tmp_path}: no encoder manifest" in capsys.readouterr().err


def test_a_directory_that_is_not_an_intent_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "sentiment"}))
    with pytest.raises(ModelDirError, match="not an intent model"):
        load(tmp_path)


# --- the shipped default (Banking77) ------------------------------------------------------------------------


def test_shipped_model_serves_with_the_feature_spec_it_was_trained_with() -> None:
    manifest = json.loads((SHIPPED / "manifest.json").read_text())
    model = load(SHIPPED)
    assert model.spec == FeatureSpec.from_json(manifest["features"])
    texts = ["I lost my card yesterday", "how much does a transfer cost?", "blorp"]
    np.testing.assert_allclose(
        model.probabilities(texts, encoded(texts)), numpy_probs(SHIPPED, texts), rtol=1e-4, atol=1e-6
    )


def test_shipped_model_fits_the_size_budget() -> None:
    assert (SHIPPED / "model.onnx").stat().st_size <= 8_000_000


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # The examples of issue 9 (not in the training data, not tuned on): Banking77 read them as top_up_failed,
        # card_linking and lost_or_stolen_phone.
        ("SSO login loop", "sso"),
        ("how to add a new teammate", "add_user"),
        ("How do I export a user list?", "data_export"),
        ("Our Okta single sign-on broke this morning", "sso"),
        ("please invite my colleague Anna to the workspace", "add_user"),
        ("We were billed twice for December", "double_charge"),
        ("I need a copy of last month's invoice for our accountant", "invoice"),
        ("I want to cancel our subscription", "cancel_subscription"),
        ("the whole site is down, nothing loads", "outage"),
        ("how do I rotate the webhook secret?", "api_webhooks"),
        ("can I talk to a human please", "human_agent"),
    ],
)
def test_shipped_model_recognises_clear_support_questions(text: str, intent: str) -> None:
    (pred,) = predict(load(SHIPPED), [text])
    assert (pred.intent, pred.out_of_scope) == (intent, False)


@pytest.mark.parametrize(
    "text",
    [
        "asdkjh qwpoeiru zmxncbv",
        "What's the weather going to be like in Lisbon tomorrow?",
        "Can you recommend a good recipe for lasagna",
        "who won the football match last night",
        "",
    ],
)
def test_shipped_model_says_out_of_scope_for_unrelated_text(text: str) -> None:
    (pred,) = predict(load(SHIPPED), [text])
    assert pred.out_of_scope


def test_shipped_taxonomy_covers_every_intent_with_a_thought_out_entry() -> None:
    model = load(SHIPPED)
    assert set(model.taxonomy) == {label for label in model.labels if label != model.oos_label}
    assert DEFAULT_INTENT_INFO not in model.taxonomy.values()
    # Every intent in exactly one of the six product areas of the support taxonomy.
    assert {info.product_area for info in model.taxonomy.values()} == {
        "billing", "account", "technical", "how_to", "cancellation", "feedback"
    }  # fmt: skip
    assert model.info("data_missing").base_complexity > model.info("how_to").base_complexity
    assert model.info("sso").skill == model.info("two_factor").skill == "identity"
    assert model.info("refund_request").product_area == "billing"


def test_support_examples_and_the_separate_evaluation_file_never_share_a_message() -> None:
    from baton.training import support_data

    taxonomy = json.loads(support_data.DEFAULT_TAXONOMY.read_text())
    train = support_data.read_jsonl(support_data.DEFAULT_EXAMPLES)
    held_out = support_data.read_jsonl(support_data.DEFAULT_EVAL)
    assert {intent for _, intent in train} <= set(taxonomy) | {support_data.OOS}
    assert {intent for _, intent in held_out} <= set(taxonomy) | {support_data.OOS}
    assert all(sum(intent == name for _, intent in held_out) >= 10 for name in taxonomy)
    assert not {support_data.normalise(t) for t, _ in train} & {
        support_data.normalise(t) for t, _ in held_out
    }


def _fake_public_data(root: Path) -> Path:
    (root / "bitext").mkdir(parents=True)
    header = "flags,utterance,category,intent\n"
    (root / "bitext" / support_data_files()[0]).write_text(
        "\ufeff" + header + "B,I need the invoice for March,INVOICE,get_invoice\n"
        "B,where is my parcel,DELIVERY,delivery_period\n"
        "B,I forgot my password,ACCOUNT,recover_password\n"
        "B,I need help resetting my password now,ACCOUNT,recover_password\n",
        encoding="utf-8",
    )
    (root / "bitext" / support_data_files()[1]).write_text(
        header + "B,i need the invoice for march!,INVOICE,get_invoice\n", encoding="utf-8"
    )
    (root / "nluplusplus" / "banking").mkdir(parents=True)
    (root / "nluplusplus" / "banking" / "fold0.json").write_text(
        json.dumps(
            [
                {"text": "thanks so much", "intents": ["thank"]},
                {"text": "can I speak to someone", "intents": ["handoff"]},
                {"text": "my card is lost", "intents": ["card", "lost_stolen"]},
            ]
        )
    )
    (root / "clinc150").mkdir()
    (root / "clinc150" / "train_val.json").write_text(
        json.dumps(
            {
                "train": [
                    ["what's the weather", "weather"],
                    ["hello there", "greeting"],
                    ["pay my bill", "pay_bill"],
                ],
                "oos_train": [["how do bees fly", "oos"]],
                "oos_val": [],
            }
        )
    )
    return root


def support_data_files() -> tuple[str, str]:
    from baton.training import support_data

    return support_data.BITEXT_FILES


def test_support_set_maps_public_sets_into_the_taxonomy_and_keeps_the_evaluation_file_out(
    tmp_path: Path,
) -> None:
    from baton.training import support_data

    examples = tmp_path / "ours.jsonl"
    examples.write_text(json.dumps({"text": "SAML login fails for everyone", "intent": "sso"}) + "\n")
    held_out = tmp_path / "test.jsonl"
    held_out.write_text(
        json.dumps({"text": "I need help resetting my password now", "intent": "password_reset"}) + "\n"
    )
    rows, counts, digest = support_data.build(_fake_public_data(tmp_path / "data"), examples, held_out)
    assert sorted(rows) == sorted(
        [
            ("SAML login fails for everyone", "sso"),  # ours first
            ("I need the invoice for March", "invoice"),  # its duplicate in the other file is dropped
            ("thanks so much", "greeting_thanks"),
            ("can I speak to someone", "human_agent"),
            ("hello there", "greeting_thanks"),
            ("what's the weather", "oos"),
            ("how do bees fly", "oos"),
        ]
    )  # no delivery (retail), no Banking77 item, no evaluation message, no banking intents of NLU++ or CLINC
    assert counts == {"ours": 1, "bitext": 1, "nlu++": 2, "clinc150": 3}
    assert support_data.build(tmp_path / "data", examples, held_out)[2] == digest


def test_support_format_trains_and_reports_the_separate_evaluation_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _fake_public_data(tmp_path / "data")
    code = main(
        ["--format", "support", "--data", str(data), "--out", str(tmp_path), "--no-encoder", "--epochs", "2"]
    )
    assert code == 0
    manifest = json.loads((tmp_path / "intent" / "manifest.json").read_text())
    assert manifest["training"]["format"] == "support" and manifest["training"]["sources"]["ours"] > 500
    assert (
        manifest["eval"]["file"] == "support_intents_test.jsonl"
        and manifest["eval"]["metrics"]["n_in_scope"] >= 380
    )
    assert "Separate evaluation file" in (tmp_path / "intent" / "MODEL_CARD.md").read_text()
    taxonomy = json.loads((tmp_path / "intent" / "taxonomy.json").read_text())
    assert taxonomy["sso"]["product_area"] == "account"
