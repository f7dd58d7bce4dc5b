"""The hashed n-gram featurizer that training and serving share: what a model sees of a message.

A shipped model's weights are indexed by these buckets, so the hashing must give the same buckets in every
process and every release; the pinned values below fail if it drifts (retrain every model if it must change).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from baton.scoring.features import FeatureSpec, _grams, featurize, featurize_batch, normalize, tokens

SPEC = FeatureSpec()


def test_buckets_are_pinned_so_shipped_models_keep_working() -> None:
    idx, val = featurize("Where is my card?", SPEC)
    assert len(idx) == 37
    assert idx[:6] == [6167, 9460, 21635, 21709, 31538, 38244]
    assert [round(v, 4) for v in val[:3]] == [0.1644, 0.1644, -0.1644]


def test_the_same_text_gives_the_same_features_in_another_process() -> None:
    # Python's own hash() is salted per process; CRC-32 is not. A fresh interpreter with another salt agrees.
    code = (
        "import json; from baton.scoring.features import FeatureSpec, featurize; "
        "print(json.dumps(featurize('I was charged twice for 20 EUR', FeatureSpec())))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
    )
    idx, val = json.loads(out.stdout)
    assert (idx, val) == featurize("I was charged twice for 20 EUR", SPEC)


def test_case_accents_and_spacing_do_not_change_the_features() -> None:
    assert featurize("CAFÉ   card\tPIN", SPEC) == featurize("cafe card pin", SPEC)
    assert normalize("  Ça  VA\n") == "ca va"


def test_amounts_and_ids_generalise_digits_become_one_token() -> None:
    assert tokens("charged 20 euros on 2024") == ["charged", "<num>", "euros", "on", "<num>"]
    assert featurize("I was charged 20 euros", SPEC) == featurize("I was charged 1350 euros", SPEC)


def test_different_texts_give_different_features() -> None:
    assert featurize("my card was stolen", SPEC) != featurize("my card has not arrived", SPEC)


def test_vector_is_sorted_in_range_and_unit_length() -> None:
    idx, val = featurize("Why hasn't my transfer arrived yet?? It's been 3 days!", SPEC)
    assert idx == sorted(set(idx))
    assert all(0 <= i < SPEC.n_buckets for i in idx)
    assert math.isclose(math.fsum(v * v for v in val), 1.0, rel_tol=1e-9)
    assert all(v != 0 for v in val)


def test_empty_text_has_no_features() -> None:
    assert featurize("", SPEC) == ([], [])
    assert featurize("   \n ", SPEC) == ([], [])


def test_only_the_first_max_chars_count() -> None:
    spec = FeatureSpec(max_chars=50)
    head = "please help me with the card payment that failed on monday"
    assert len(head) > 50
    assert featurize(head + " x" * 5000, spec) == featurize(head + " totally different words", spec)
    assert featurize(head, spec) != featurize(head, FeatureSpec(max_chars=2000))


def test_batch_is_the_per_text_features_in_coo_form_empty_texts_included() -> None:
    texts = ["card lost", "", "top up failed twice"]
    rows, cols, vals = featurize_batch(texts, SPEC)
    for row, text in enumerate(texts):
        picked = [(c, v) for r, c, v in zip(rows, cols, vals, strict=True) if r == row]
        idx, val = featurize(text, SPEC)
        assert picked == list(zip(idx, val, strict=True))
    assert 1 not in rows


def test_spec_round_trips_through_a_manifest() -> None:
    spec = FeatureSpec(n_buckets=1 << 16, word_ngrams=(1, 3), char_ngrams=(2, 4), max_chars=500)
    assert FeatureSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec


def test_settings_change_the_features_they_govern() -> None:
    words_only = FeatureSpec(char_ngrams=(1, 0))
    idx, _ = featurize("card", words_only)
    assert len(idx) == 1  # one word, no character n-grams
    few = FeatureSpec(n_buckets=16)
    assert all(i < 16 for i in featurize("a long message about exchange rates", few)[0])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_valid_vector(text: str) -> None:
    idx, val = featurize(text, SPEC)
    assert len(idx) == len(val) == len(set(idx))
    assert all(0 <= i < SPEC.n_buckets for i in idx)
    if val:
        assert math.isclose(math.fsum(v * v for v in val), 1.0, rel_tol=1e-9)


def _by_definition(text: str, spec: FeatureSpec) -> tuple[list[int], list[float]]:
    """Every gram of `_grams` hashed and counted one by one, with no memo: what `featurize` must equal."""
    counts: dict[int, float] = {}
    for gram in _grams(normalize(text)[: spec.max_chars], spec):
        data = gram.encode("utf-8")
        idx = zlib.crc32(data) % spec.n_buckets
        counts[idx] = counts.get(idx, 0.0) + (1.0 if zlib.crc32(data, 0x9E3779B9) & 1 else -1.0)
    items = sorted((i, math.copysign(1.0 + math.log(abs(v)), v)) for i, v in counts.items() if v != 0)
    norm = math.sqrt(sum(v * v for _, v in items)) or 1.0
    return [i for i, _ in items], [v / norm for _, v in items]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["card", "refund", "Café", "don't", "20", "!!", "the card", "x"]), max_size=40
    ).map(" ".join)
    | st.text(max_size=200),
    st.sampled_from(
        [SPEC, FeatureSpec(n_buckets=8192, char_ngrams=(1, 0)), FeatureSpec(1000, (1, 3), (2, 4), 50)]
    ),
)
def test_the_memoised_featurizer_gives_exactly_the_features_of_its_definition(
    text: str, spec: FeatureSpec
) -> None:
    # Serving memoises hashes per gram and per word (speed); the values must be the very same floats.
    assert featurize(text, spec) == _by_definition(text, spec)
    assert featurize(text + " card", spec) == _by_definition(text + " card", spec)  # a word seen before
