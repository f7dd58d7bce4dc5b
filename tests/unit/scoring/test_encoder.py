"""The shipped sentence encoder (layers/models/encoder): what rephrase detection and the scorer rely on.

- Embeddings are unit vectors, deterministic, bounded in cost (truncation), for any text.
- Train/serve identity: the serving class gives exactly what a direct onnxruntime call on the shipped
  tokenizer.json gives (a session with the options every model runs with, `baton.scoring.sessions`); the int8 model stays close to the fp32 vectors recorded at export (and to the
  upstream sentence-transformers vectors when the export recorded them); the export itself computes BERT
  + mean pooling + L2 normalisation (checked on a tiny random BERT against a numpy implementation).
- The manifest's rephrase threshold separates realistic support rephrasings from different requests.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
ort = pytest.importorskip("onnxruntime")
tokenizers = pytest.importorskip("tokenizers")

from baton.scoring.contracts import Encoded  # noqa: E402
from baton.scoring.encoder import OnnxEncoder, cosine, load  # noqa: E402
from baton.scoring.sessions import session as serving_session  # noqa: E402
from baton.training.encoder import SUPPORT_PAIRS, build_graph, read_safetensors  # noqa: E402

ENCODER_DIR = Path(__file__).resolve().parents[3] / "layers" / "models" / "encoder"
KNOWN_MISSES = {
    # A rephrasing that shares no content word ("charged twice" / "take the money two times"): 0.47, below
    # the 0.49 threshold, as the model card reports. Strict: if a retrained model catches it, update both.
    ("I was charged twice for my subscription", "why did you take the money two times?"),
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((ENCODER_DIR / "manifest.json").read_text())


@pytest.fixture(scope="module")
def encoder() -> OnnxEncoder:
    return load(ENCODER_DIR)


def test_the_shipped_encoder_is_the_model_the_card_describes(manifest: dict, encoder: OnnxEncoder) -> None:
    assert manifest["kind"] == "encoder"
    assert encoder.version == manifest["version"] and encoder.dim == manifest["dim"] == 384
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256((ENCODER_DIR / name).read_bytes()).hexdigest() == digest, name
    # Its share of the 40 MB budget for all shipped models.
    assert (ENCODER_DIR / "model.onnx").stat().st_size <= 24_000_000
    assert 0 < manifest["rephrase_threshold"] < 1
    assert encoder.rephrase_threshold == manifest["rephrase_threshold"]


def test_embeddings_are_unit_vectors_for_any_text(encoder: OnnxEncoder) -> None:
    texts = ["my card hasn't arrived", "", "   ", "ok", "Où est ma carte ? 🙁", "x" * 5000, "I " * 3000]
    vectors = encoder.embed(texts)
    assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.embed([]).shape == (0, 384)


def test_embeddings_are_deterministic_across_calls_and_sessions(encoder: OnnxEncoder) -> None:
    texts = ["I was charged twice for the March invoice", "can I speak to a human please"]
    first = encoder.embed(texts, batch_size=1)
    assert np.array_equal(first, encoder.embed(texts, batch_size=1))
    assert np.array_equal(first, load(ENCODER_DIR).embed(texts, batch_size=1))


def test_only_the_first_128_tokens_count(encoder: OnnxEncoder) -> None:
    long = "my card has not arrived and I have been waiting for weeks " * 30
    assert np.array_equal(encoder.embed([long]), encoder.embed([long + " also my app crashes all the time"]))


def test_batched_embeddings_stay_close_to_one_at_a_time(encoder: OnnxEncoder) -> None:
    # int8 activations are quantized per batch: `baton backtest` (batches) and the function (one message)
    # see slightly different vectors of the same text, never different meanings.
    texts = [text for pair in SUPPORT_PAIRS for text in pair[:2]]
    together = encoder.embed(texts, batch_size=64)
    alone = encoder.embed(texts, batch_size=1)
    # Measured over 1,000 CLINC150 sentences (card): mean 0.99, min 0.956; a tokenizer or pooling mismatch
    # would be far lower.
    sims = np.sum(together * alone, axis=1)
    assert sims.mean() > 0.98 and sims.min() > 0.95


def test_serving_embed_is_a_direct_onnxruntime_call_on_the_shipped_tokenizer(manifest: dict, encoder) -> None:
    tokenizer = tokenizers.Tokenizer.from_file(str(ENCODER_DIR / "tokenizer.json"))
    assert tokenizer.truncation["max_length"] == manifest["max_length"] == 128
    session = serving_session(ENCODER_DIR / "model.onnx")  # the options every model runs with
    texts = ["Where is my refund?? It's been TWO weeks", "can I speak to a human please", "Ok"]
    for text, served in zip(texts, encoder.embed(texts, batch_size=1), strict=True):
        enc = tokenizer.encode(text)
        assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]"
        (direct,) = session.run(
            ["sentence_embedding"],
            {
                "input_ids": np.array([enc.ids], dtype=np.int64),
                "attention_mask": np.ones((1, len(enc.ids)), np.int64),
            },
        )
        assert np.allclose(served, direct[0], atol=1e-6)


def test_encode_gives_each_texts_embedding_and_hidden_states_as_run_alone(manifest: dict, encoder) -> None:
    texts = ["Where is my refund?? It's been TWO weeks", "ok", "I " * 300]
    encoded = encoder.encode(texts)
    assert isinstance(encoded, Encoded) and encoded.encoder_version == manifest["version"]
    assert np.array_equal(encoded.embeddings, encoder.embed(texts, batch_size=1))
    assert encoder.hidden_layer == manifest["hidden_layer"] == 3
    assert encoded.hidden is not None and len(encoded.hidden) == len(texts)
    session = serving_session(ENCODER_DIR / "model.onnx")  # the options every model runs with
    for text, ids, hidden in zip(texts, encoder.tokenize(texts), encoded.hidden, strict=True):
        # One row per token, [CLS] and [SEP] included, capped at 128: what a branch reads.
        assert hidden.shape == (len(ids), 384) and hidden.dtype == np.float32, text
        feeds = {"input_ids": np.array([ids], np.int64), "attention_mask": np.ones((1, len(ids)), np.int64)}
        (direct,) = session.run(["hidden_states"], feeds)
        assert np.array_equal(hidden, direct[0])
    assert len(encoded.hidden[2]) == 128
    empty = encoder.encode([])
    assert empty.embeddings.shape == (0, 384) and empty.hidden == []


def test_int8_stays_close_to_the_fp32_and_upstream_vectors_recorded_at_export(encoder: OnnxEncoder) -> None:
    reference = json.loads((ENCODER_DIR / "reference.json").read_text())
    served = encoder.embed(reference["sentences"], batch_size=1)
    for key in ("fp32", "sentence_transformers"):
        if key not in reference:
            continue
        expected = np.asarray(reference[key], dtype=np.float32)
        sims = np.sum(served * expected, axis=1)
        # Measured over 1,000 CLINC150 sentences (card): mean 0.993, min 0.974; the shortest texts ("Ok")
        # lose the most to int8. On an x86 CPU without VNNI "Ok" gives 0.972 with the sessions' exact int8 products
        # (`baton.scoring.sessions`), 0.965 without them. A tokenizer or pooling mismatch would be far lower.
        assert sims.mean() >= 0.98 and sims.min() >= 0.97, (
            key,
            dict(zip(reference["sentences"], sims.round(4).tolist(), strict=True)),
        )


@pytest.mark.parametrize(
    ("earlier", "later", "rephrasing"),
    [
        pytest.param(
            *pair,
            id=f"{'rephrase' if pair[2] else 'different'}: {pair[1]}",
            marks=[pytest.mark.xfail(strict=True, reason="known miss, see MODEL_CARD")]
            if pair[:2] in KNOWN_MISSES
            else [],
        )
        for pair in SUPPORT_PAIRS
    ],
)
def test_rephrase_threshold_on_support_messages(
    encoder: OnnxEncoder, earlier: str, later: str, rephrasing: bool
) -> None:
    assert (encoder.similarity(earlier, later) >= encoder.rephrase_threshold) is rephrasing


def test_rephrase_of_names_the_earlier_message_said_again(encoder: OnnxEncoder) -> None:
    earlier = ["how do I change my address", "my card hasn't arrived", "I ordered it two weeks ago"]
    found = encoder.rephrase_of("still no card, where is it?", earlier)
    assert found is not None and found[0] == 1 and found[1] >= encoder.rephrase_threshold
    assert encoder.rephrase_of("do you offer a student discount", earlier) is None
    assert encoder.rephrase_of("still no card, where is it?", []) is None


def test_cosine_helper_normalises_rows() -> None:
    sims = cosine([[3.0, 0.0], [1.0, 1.0]], [[2.0, 0.0]])
    assert sims.shape == (2, 1)
    assert sims[0, 0] == pytest.approx(1.0) and sims[1, 0] == pytest.approx(math.sqrt(0.5))


# ---------------------------------------------------------------------------------------------------- the export


def _safetensors(tensors: dict[str, np.ndarray]) -> bytes:
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + b"".join(blobs)


def _tiny_bert(rng: np.random.Generator) -> tuple[dict, dict[str, np.ndarray]]:
    config = {
        "hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 2, "intermediate_size": 16,
        "layer_norm_eps": 1e-12, "hidden_act": "gelu", "vocab_size": 30, "max_position_embeddings": 16,
    }  # fmt: skip
    h, i = 8, 16
    w = {
        "embeddings.word_embeddings.weight": rng.normal(size=(30, h)),
        "embeddings.position_embeddings.weight": rng.normal(size=(16, h)),
        "embeddings.token_type_embeddings.weight": rng.normal(size=(2, h)),
        "embeddings.LayerNorm.weight": 1 + 0.1 * rng.normal(size=h),
        "embeddings.LayerNorm.bias": 0.1 * rng.normal(size=h),
    }
    for layer in range(2):
        p = f"encoder.layer.{layer}."
        for name, shape in [
            ("attention.self.query", (h, h)), ("attention.self.key", (h, h)), ("attention.self.value", (h, h)),
            ("attention.output.dense", (h, h)), ("intermediate.dense", (i, h)), ("output.dense", (h, i)),
        ]:  # fmt: skip
            w[p + name + ".weight"] = rng.normal(size=shape) / math.sqrt(shape[1])
            w[p + name + ".bias"] = 0.1 * rng.normal(size=shape[0])
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + name + ".weight"] = 1 + 0.1 * rng.normal(size=h)
            w[p + name + ".bias"] = 0.1 * rng.normal(size=h)
    return config, {k: v.astype(np.float32) for k, v in w.items()}


def _numpy_bert(
    config: dict, w: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray, upto: int | None = None
) -> np.ndarray:
    """BERT as the Hugging Face implementation defines it, then sentence-transformers' mean pooling and
    normalisation: an independent reading of the same weights. With `upto` k: the hidden states after layer k."""
    eps, heads = config["layer_norm_eps"], config["num_attention_heads"]
    erf = np.vectorize(math.erf)

    def ln(x, p):
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * w[p + ".weight"] + w[p + ".bias"]

    def lin(x, p):
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    b, n = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
    x = ln(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    bias = (1.0 - mask[:, None, None, :]) * -10000.0
    d = x.shape[-1] // heads
    for layer in range(config["num_hidden_layers"] if upto is None else upto):
        p = f"encoder.layer.{layer}."
        q, k, v = (
            lin(x, p + f"attention.self.{m}").reshape(b, n, heads, d).transpose(0, 2, 1, 3)
            for m in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + bias
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(b, n, -1)
        x = ln(lin(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        inner = lin(x, p + "intermediate.dense")
        inner = 0.5 * inner * (1 + erf(inner / math.sqrt(2)))
        x = ln(lin(inner, p + "output.dense") + x, p + "output.LayerNorm")
    if upto is not None:
        return x
    pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def test_the_export_computes_bert_with_mean_pooling_from_safetensors(tmp_path: Path) -> None:
    import onnx

    config, weights = _tiny_bert(np.random.default_rng(7))
    read = read_safetensors(_safetensors(weights))
    assert all(np.array_equal(read[k], weights[k]) for k in weights)
    model = build_graph(read, config)
    onnx.checker.check_model(model, full_check=True)
    path = tmp_path / "tiny.onnx"
    onnx.save(model, path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    # Two texts of different lengths in one batch: padding must change nothing.
    ids = np.array([[1, 5, 9, 2, 0, 0], [1, 7, 3, 4, 8, 2]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)
    (got,) = session.run(None, {"input_ids": ids, "attention_mask": mask})
    expected = _numpy_bert(config, weights, ids, mask.astype(np.float64))
    assert np.allclose(got, expected, atol=1e-5)
    (alone,) = session.run(None, {"input_ids": ids[:1, :4], "attention_mask": mask[:1, :4]})
    assert np.allclose(alone[0], got[0], atol=1e-6)


def test_the_export_exposes_the_hidden_states_after_the_chosen_layer_and_keeps_the_embedding(
    tmp_path: Path,
) -> None:
    import onnx

    config, weights = _tiny_bert(np.random.default_rng(11))
    ids = np.array([[1, 5, 9, 2, 0, 0], [1, 7, 3, 4, 8, 2]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)
    outputs = {}
    for hidden_layer in (None, 1):
        path = tmp_path / f"tiny-{hidden_layer}.onnx"
        onnx.save(build_graph(weights, config, hidden_layer=hidden_layer), path)
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        outputs[hidden_layer] = session.run(None, {"input_ids": ids, "attention_mask": mask})
    (plain,) = outputs[None]
    embedding, hidden = outputs[1]
    # The same computation; onnxruntime may fuse a little differently around the extra output.
    assert np.allclose(plain, embedding, atol=1e-6)
    expected = _numpy_bert(config, weights, ids, mask.astype(np.float64), upto=1)
    assert hidden.shape == (2, 6, 8)
    assert np.allclose(hidden[mask.astype(bool)], expected[mask.astype(bool)], atol=1e-5)
    with pytest.raises(ValueError, match=r"hidden_layer must be 1\.\.2"):
        build_graph(weights, config, hidden_layer=3)


def test_an_encoder_whose_graph_has_no_hidden_output_encodes_without_hidden_states(tmp_path: Path) -> None:
    import onnx

    config, weights = _tiny_bert(np.random.default_rng(3))
    # The shipped tokenizer's ids reach 30521: a vocabulary that size, positions up to 128.
    rng = np.random.default_rng(4)
    weights["embeddings.word_embeddings.weight"] = rng.normal(size=(30522, 8)).astype(np.float32)
    weights["embeddings.position_embeddings.weight"] = rng.normal(size=(128, 8)).astype(np.float32)
    onnx.save(build_graph(weights, config), tmp_path / "model.onnx")
    # The manifest promises a hidden layer the graph does not have (an export from before the option).
    old = OnnxEncoder(
        tmp_path / "model.onnx", ENCODER_DIR / "tokenizer.json", version="old", dim=8, max_length=128,
        hidden_layer=1,
    )  # fmt: skip
    encoded = old.encode(["my card hasn't arrived", "ok"])
    assert old.hidden_layer is None and encoded.hidden is None
    assert encoded.embeddings.shape == (2, 8) and encoded.encoder_version == "old"


# ---------------------------------------------------------------------------------------------------- family (b) evaluation


def test_clinc_metrics_count_a_rejected_in_scope_query_as_wrong_and_the_target_threshold_is_the_lowest() -> (
    None
):
    from baton.training.embedding_heads import clinc_metrics, tune_threshold

    classes = ["balance", "transfer"]
    proba = np.array([[0.9, 0.1], [0.55, 0.45], [0.6, 0.4], [0.52, 0.48]])
    gold = ["balance", "balance", "oos", "oos"]
    assert clinc_metrics(proba, classes, gold, 0.0) == {
        "in_scope_accuracy": 1.0,
        "oos_recall": 0.0,
        "oos_precision": 0.0,
    }
    at = clinc_metrics(proba, classes, gold, 0.58)  # rejects the 0.55 in-scope query and one OOS query
    assert at["in_scope_accuracy"] == 0.5 and at["oos_recall"] == 0.5
    threshold, metrics = tune_threshold(proba, classes, gold, "target")  # OOS recall >= 60%: both rejected
    assert threshold == 0.61 and metrics["oos_recall"] == 1.0 and metrics["in_scope_accuracy"] == 0.5


def test_banking_split_is_stratified_and_reproducible() -> None:
    from baton.training.embedding_heads import banking_split

    rows = [(f"text {i}", f"intent_{i % 4}") for i in range(200)]
    train, held = banking_split(rows)
    assert (train, held) == banking_split(rows)
    assert not set(train) & set(held) and len(train) + len(held) == 200
    assert sorted(rows[i][1] for i in held) == sorted([f"intent_{k}" for k in range(4)] * 8)
