"""The sentiment and frustration model: training command, train/serve identity, and what a support lead sees."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import numpy_helper

from baton.scoring import encoder as encoder_module
from baton.scoring import sentiment
from baton.scoring.contracts import Encoded, SentimentModel
from baton.scoring.lexicon import DENSE_FEATURES, Lexicon, dense_features
from baton.training import sentiment as training

MODELS = Path(__file__).resolve().parents[3] / "layers" / "models"
SHIPPED = MODELS / "sentiment"

ANGRY = (
    "This is the third time I'm asking, nothing works and I'm cancelling",
    "I ALREADY told you my order number twice. Still no refund. Get me a real person now!!",
    "Your app is broken again and nobody answers. Absolutely useless.",
)
CALM = (
    "Thanks, that fixed it!",
    "Great, the refund arrived this morning. Thank you for the quick help.",
    "Perfect, that's all I needed, have a nice day",
)


@pytest.fixture(scope="module")
def shipped() -> sentiment.OnnxSentiment:
    return sentiment.load(SHIPPED)


@pytest.fixture(scope="module")
def encoder() -> encoder_module.OnnxEncoder:
    return encoder_module.load(MODELS / "encoder")


@pytest.fixture(scope="module")
def score(shipped: sentiment.OnnxSentiment, encoder: encoder_module.OnnxEncoder):
    """The shipped model as the scorer runs it: the encoder's output passed along when the model reads it."""

    def predict(texts: list[str]) -> list:
        return shipped.predict(texts, encoder.encode(texts) if shipped.uses_encoder else None)

    return predict


def _without_branch(tmp_path: Path) -> Path:
    """The shipped directory as a model trained without `--encoder` is: no branch.onnx, no `branch` entry."""
    directory = tmp_path / "sentiment"
    shutil.copytree(SHIPPED, directory)
    (directory / "branch.onnx").unlink(missing_ok=True)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest.pop("branch", None)
    manifest["files"].pop("branch", None)
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory


# -- the training command on tiny synthetic data ---------------------------------------------------------


def _tiny_data(root: Path) -> tuple[Path, Path]:
    rng = random.Random(7)
    good = ["a wonderful , moving film", "great acting and a lovely story", "charming and funny", "a delight"]
    bad = ["a dull , boring mess", "terrible script and awful acting", "it does n't work at all", "a waste"]
    sst2 = root / "sst2"
    sst2.mkdir()
    lines = ["sentence\tlabel"]
    for i in range(30):
        lines += [f"{rng.choice(good)} {i}\t1", f"{rng.choice(bad)} {i}\t0"]
    (sst2 / "train.tsv").write_text("\n".join(lines) + "\n")
    dev = ["sentence\tlabel"] + [f"{g}\t1" for g in good] + [f"{b}\t0" for b in bad]
    (sst2 / "dev.tsv").write_text("\n".join(dev) + "\n")
    uss = root / "uss"
    uss.mkdir()
    calm = ["I need a hotel in the north", "book a table for two", "what is the address?", "yes please"]
    upset = ["no, that is not what I asked", "this still does not work", "I already told you, wrong again"]
    for corpus in ("ALPHA", "BETA"):
        out = []
        for _ in range(15):
            for _ in range(4):
                if rng.random() < 0.3:
                    out.append(f"USER\t{rng.choice(upset)}\tINFORM\t1,2,2")
                else:
                    out.append(f"USER\t{rng.choice(calm)}\tINFORM\t3,3,4")
                out.append("SYSTEM\tLet me check that for you.\t\t")
            out += ["USER\tOVERALL\t\t3,3,3", ""]
        (uss / f"{corpus}.txt").write_text("\n".join(out) + "\n")
    return sst2, uss


def test_training_command_writes_a_model_the_runtime_loads(tmp_path: Path) -> None:
    sst2, uss = _tiny_data(tmp_path)
    out = tmp_path / "models"
    argv = ["--sst2", str(sst2), "--uss", str(uss), "--out", str(out), "--buckets", "4096", "--no-latency"]

    assert training.main(argv) == 0

    directory = out / "sentiment"
    assert {p.name for p in directory.iterdir()} >= {
        "manifest.json",
        "model.onnx",
        "lexicon.json",
        "MODEL_CARD.md",
    }
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["kind"] == "sentiment"
    assert manifest["features"]["n_buckets"] == 4096
    assert set(manifest["metrics"]["uss_cross_corpus_auroc"]) == {"ALPHA->BETA", "BETA->ALPHA"}
    card = (directory / "MODEL_CARD.md").read_text()
    assert manifest["version"] in card and "baton train sentiment --sst2" in card

    model: SentimentModel = sentiment.load(directory)
    assert model.uses_encoder is False and not (directory / "branch.onnx").exists()
    # Serving reproduces what the training process computed with its own (scipy) arithmetic.
    served = model.predict([r["text"] for r in manifest["reference"]])
    for ref, got in zip(manifest["reference"], served, strict=True):
        assert (got.sentiment, got.frustration) == pytest.approx(
            (ref["sentiment"], ref["frustration"]), abs=1e-4
        )
    upset, calm = model.predict(["this still does not work, wrong again", "a wonderful , moving film"])
    assert upset.frustration > calm.frustration
    assert upset.sentiment < calm.sentiment


def test_training_command_says_which_data_directory_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = training.main(["--sst2", str(tmp_path / "nope"), "--uss", str(tmp_path), "--out", str(tmp_path)])
    assert code == 2
    assert "--sst2" in capsys.readouterr().err


def test_training_the_branch_needs_an_interpreter_with_torch_and_an_encoder_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sst2, uss = _tiny_data(tmp_path)
    common = ["--sst2", str(sst2), "--uss", str(uss), "--out", str(tmp_path / "out")]
    assert training.main([*common, "--encoder", str(MODELS / "encoder")]) == 2
    assert "--torch-python" in capsys.readouterr().err
    assert training.main([*common, "--encoder", str(tmp_path), "--torch-python", "python3"]) == 2
    assert "no manifest.json" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_uss_reader_takes_the_majority_rating_per_user_turn(tmp_path: Path) -> None:
    path = tmp_path / "X.txt"
    path.write_text(
        "USER\tfind me a train\tINFORM\t3,3,4\n"
        "SYSTEM\tthere is none\t\t\n"
        "USER\tthat is not what I asked\tINFORM\t2,2,3\n"
        "USER\tok\t\t2,3,3,3\n"
        "USER\tOVERALL\t\t1,1,1\n"
        "\n"
        "USER\tbye\tGOODBYE\t1,2,5,5\n"
    )
    dialogues = training.read_uss_file(path)
    assert [[(t.text, t.dissatisfied) for t in d] for d in dialogues] == [
        [("find me a train", False), ("that is not what I asked", True), ("ok", False)],
        [("bye", False)],  # 2 of 4 ratings <= 2 is not a majority
    ]


def test_ptb_tokenisation_is_undone_like_customers_write() -> None:
    assert training.detokenize("it does n't work , and i ca n't log in -lrb- again -rrb- .") == (
        "it doesn't work, and i can't log in (again)."
    )


# -- the lexicon features ---------------------------------------------------------------------------------


def test_lexicon_negation_flips_and_cues_fire() -> None:
    lexicon = Lexicon(
        valence={"good": 1.9, "bad": -2.5}, boosters={"very": 0.293}, negations=frozenset({"not"})
    )
    compound = DENSE_FEATURES.index("compound")
    assert dense_features("this is good", lexicon)[compound] > 0
    assert dense_features("this is not good", lexicon)[compound] < 0
    assert dense_features("very bad", lexicon)[compound] < dense_features("bad", lexicon)[compound]
    feats = dict(
        zip(DENSE_FEATURES, dense_features("I already told you, it still doesn't work", lexicon), strict=True)
    )
    assert feats["cue_repeat"] == feats["cue_still"] == feats["cue_failure"] == 1.0
    assert feats["cue_churn"] == 0.0
    assert dense_features("", lexicon) == [0.0] * len(DENSE_FEATURES)


# -- the shipped model ------------------------------------------------------------------------------------


def test_shipped_model_fits_its_budget_and_records_its_features() -> None:
    manifest = json.loads((SHIPPED / "manifest.json").read_text())
    assert manifest["dense_features"] == list(DENSE_FEATURES)
    ngram = sum(
        p.stat().st_size
        for p in SHIPPED.iterdir()
        if p.suffix in (".onnx", ".json") and p.name != "branch.onnx"
    )
    assert ngram <= 5_000_000
    if "branch" in manifest:
        assert (SHIPPED / "branch.onnx").stat().st_size <= 6_000_000
    # All shipped models together: the model layer's budget.
    assert sum(p.stat().st_size for p in MODELS.rglob("*") if p.is_file()) <= 40_000_000


def test_the_shipped_model_reads_the_shipped_encoders_hidden_states(
    shipped: sentiment.OnnxSentiment, encoder: encoder_module.OnnxEncoder
) -> None:
    manifest = json.loads((SHIPPED / "manifest.json").read_text())
    branch = manifest["branch"]
    assert shipped.uses_encoder is True
    assert branch["encoder"]["version"] == encoder.version and branch["encoder"]["hidden_layer"] == 3
    assert branch["encoder"]["sha256"] == encoder.sha256
    shipped.check_encoder(encoder)  # no error: the pair the model layer ships


def test_serving_equals_the_exported_weights_computed_with_numpy(shipped: sentiment.OnnxSentiment) -> None:
    texts = [*ANGRY, *CALM, "", "ok", "where is my parcel?", "x" * 5000]
    feats = shipped.features(texts)
    served_sentiment, served_frustration = shipped.run(feats)

    weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(SHIPPED / "model.onnx").graph.initializer}
    z = feats.dense.astype(np.float64) @ weights["dense_weights"] + weights["bias"]
    np.add.at(z, feats.rows, weights["ngram_weights"][feats.cols] * feats.vals[:, None])
    np.testing.assert_allclose(served_sentiment, np.tanh(z[:, 0] / 2), atol=1e-5)
    np.testing.assert_allclose(served_frustration, 1 / (1 + np.exp(-z[:, 1])), atol=1e-5)


def test_serving_reproduces_the_training_time_outputs(score) -> None:
    # With the branch: recorded by the training process from its own n-gram weights (scipy) and a plain
    # onnxruntime run of branch.onnx on the hidden states the encoder gave then; here through the serving classes.
    # The shipped model's figures were recorded before the sessions left out SkipLayerNormFusion
    # (`baton.scoring.sessions`): the int8 activations carry that last-bit difference to 2e-4 on one of
    # the six texts. Training now runs the serving sessions: a retrained model's figures are exact again.
    reference = json.loads((SHIPPED / "manifest.json").read_text())["reference"]
    predictions = score([r["text"] for r in reference])
    for ref, got in zip(reference, predictions, strict=True):
        assert got.sentiment == pytest.approx(ref["sentiment"], abs=1e-3), ref["text"]
        assert got.frustration == pytest.approx(ref["frustration"], abs=1e-3), ref["text"]


def test_angry_support_messages_score_more_frustrated_and_more_negative_than_calm_ones(score) -> None:
    angry = score(list(ANGRY))
    calm = score(list(CALM))
    assert max(c.frustration for c in calm) < min(a.frustration for a in angry)
    assert max(a.sentiment for a in angry) < 0 < min(c.sentiment for c in calm)
    assert "churn" in angry[0].extra["cues"]


def test_a_batch_scores_each_message_as_if_alone(score) -> None:
    texts = [*ANGRY, "", *CALM]
    together = score(texts)
    alone = [score([t])[0] for t in texts]
    for a, b in zip(together, alone, strict=True):
        assert a.sentiment == pytest.approx(b.sentiment, abs=1e-6)
        assert a.frustration == pytest.approx(b.frustration, abs=1e-6)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "...", "-", "🙂"])
def test_a_message_with_nothing_to_read_is_neutral(score, text: str) -> None:
    (got,) = score([text])
    assert (got.sentiment, got.frustration, got.extra) == (0.0, 0.0, {"empty": True})


def test_empty_batch(shipped: sentiment.OnnxSentiment, score) -> None:
    assert score([]) == []
    assert shipped.predict([]) == []  # nothing to score needs no encoder output


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=5))
def test_outputs_always_within_range(score, texts: list[str]) -> None:
    for got in score(texts):
        assert -1.0 <= got.sentiment <= 1.0
        assert 0.0 <= got.frustration <= 1.0


def test_a_manifest_of_another_kind_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "intent"}))
    with pytest.raises(ValueError, match="not 'sentiment'"):
        sentiment.load(tmp_path)


# -- the encoder branch: what the caller must pass, and directories without one ----------------------------


def test_a_model_with_a_branch_refuses_to_score_without_the_encoders_output(
    shipped: sentiment.OnnxSentiment, encoder: encoder_module.OnnxEncoder
) -> None:
    texts = ["my card still hasn't arrived", "thanks!"]
    good = encoder.encode(texts)
    with pytest.raises(ValueError, match="needs `encoded`"):
        shipped.predict(texts)
    with pytest.raises(ValueError, match="hidden states"):
        shipped.predict(texts, Encoded(good.embeddings, hidden=None, encoder_version=encoder.version))
    with pytest.raises(ValueError, match="from encoder minilm-other"):
        shipped.predict(texts, Encoded(good.embeddings, good.hidden, encoder_version="minilm-other"))
    with pytest.raises(ValueError, match="from encoder None"):
        shipped.predict(texts, Encoded(good.embeddings, good.hidden))
    with pytest.raises(ValueError, match="1 entries for 2 texts"):
        shipped.predict(texts, Encoded(good.embeddings, good.hidden[:1], encoder_version=encoder.version))
    wrong_width = [h[:, :100] for h in good.hidden]
    with pytest.raises(ValueError, match=r"expected \(tokens, 384\)"):
        shipped.predict(texts, Encoded(good.embeddings, wrong_width, encoder_version=encoder.version))


def test_a_model_with_a_branch_refuses_another_encoder_at_load_time(
    shipped: sentiment.OnnxSentiment, encoder: encoder_module.OnnxEncoder
) -> None:
    class Other:
        version = "minilm-l6-int8-20990101-deadbeef"
        sha256 = "deadbeef" * 8
        hidden_layer = 3

    with pytest.raises(
        ValueError, match=r"was trained on encoder .* got encoder minilm-l6-int8-20990101-deadbeef"
    ):
        shipped.check_encoder(Other())

    class Shallower(Other):
        version = encoder.version
        sha256 = encoder.sha256
        hidden_layer = 2

    with pytest.raises(ValueError, match="hidden layer 2"):
        shipped.check_encoder(Shallower())


def test_the_branch_changes_the_scores_it_is_given(
    shipped: sentiment.OnnxSentiment, encoder: encoder_module.OnnxEncoder
) -> None:
    # The hidden states are really read: another text's states give other scores for the same words.
    texts = ["the film is a charming, funny and touching affair"]
    own = shipped.predict(texts, encoder.encode(texts))[0]
    swapped = encoder.encode(["this is the worst service, I am cancelling now"])
    other = shipped.predict(texts, swapped)[0]
    assert other.sentiment < own.sentiment


def test_a_directory_without_a_branch_scores_as_before_and_ignores_encoded(
    tmp_path: Path, encoder: encoder_module.OnnxEncoder
) -> None:
    model = sentiment.load(_without_branch(tmp_path))
    assert model.uses_encoder is False
    texts = [*ANGRY, *CALM, "", "where is my parcel?"]
    plain = model.predict(texts)
    assert plain == model.predict(texts, encoder.encode(texts))
    assert plain == model.predict(texts, Encoded(np.zeros((len(texts), 384)), hidden=None))
    # Exactly the n-gram graph's own outputs, as served before the branch existed.
    sentiment_, frustration = model.run(model.features(texts))
    for got, s, f, text in zip(plain, sentiment_, frustration, texts, strict=True):
        if text:
            assert (got.sentiment, got.frustration) == pytest.approx((float(s), float(f)), abs=1e-6)


def test_a_manifest_naming_a_missing_branch_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "sentiment"
    shutil.copytree(SHIPPED, directory)
    (directory / "branch.onnx").unlink()
    with pytest.raises(ValueError, match=r"branch\.onnx does not exist"):
        sentiment.load(directory)
