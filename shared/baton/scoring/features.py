"""Hashed word and character n-gram features: one implementation for training and serving.

A text becomes a sparse vector over `n_buckets` hashed features (signed feature hashing, sublinear
term frequency, L2-normalised). Training (`baton train ...`) and the scoring function call the same
`featurize` with the parameters recorded in the model's manifest, so the features cannot drift; a
test proves it on the shipped models.

Hashing is CRC-32 (stable across processes and Python versions, unlike `hash()`), with the sign
taken from a second CRC so collisions cancel rather than add up.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")
_NUMBER = re.compile(r"^\d+$")


@dataclass(frozen=True)
class FeatureSpec:
    n_buckets: int = 1 << 18
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (3, 5)
    max_chars: int = 2000
    """Only the first `max_chars` characters count: bounded cost for a 16 KB message."""

    def to_json(self) -> dict:
        return {
            "n_buckets": self.n_buckets,
            "word_ngrams": list(self.word_ngrams),
            "char_ngrams": list(self.char_ngrams),
            "max_chars": self.max_chars,
        }

    @classmethod
    def from_json(cls, data: dict) -> FeatureSpec:
        return cls(
            n_buckets=int(data["n_buckets"]),
            word_ngrams=tuple(data["word_ngrams"]),
            char_ngrams=tuple(data["char_ngrams"]),
            max_chars=int(data.get("max_chars", 2000)),
        )


@functools.lru_cache(maxsize=2048)
def normalize(text: str) -> str:
    """Lower-case, accents folded, whitespace collapsed. Cached: every model featurises the same message."""
    text = unicodedata.normalize("NFKD", text[:10_000])
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def tokens(text: str) -> list[str]:
    """Word tokens of a normalised text; digits become `<num>` so amounts and ids generalise."""
    return ["<num>" if _NUMBER.match(t) else t for t in _TOKEN.findall(text)]


def _grams(text: str, spec: FeatureSpec) -> Iterable[str]:
    """Every n-gram of a normalised text, in order: word n-grams (`w:`), then each token's character n-grams
    (`c:`, the token padded with a space each side). The definition; `_featurized` counts the same grams."""
    toks = tokens(text)
    yield from _word_grams(toks, spec.word_ngrams)
    lo, hi = spec.char_ngrams
    for tok in toks:
        yield from _char_grams(tok, lo, hi)


def _word_grams(toks: Sequence[str], sizes: tuple[int, int]) -> Iterable[str]:
    lo, hi = sizes
    for n in range(lo, hi + 1):
        for i in range(len(toks) - n + 1):
            yield "w:" + " ".join(toks[i : i + n])


def _char_grams(tok: str, lo: int, hi: int) -> Iterable[str]:
    padded = f" {tok} "
    for n in range(lo, hi + 1):
        for i in range(len(padded) - n + 1):
            yield "c:" + padded[i : i + n]


_HASHES: dict[str, tuple[int, float]] = {}
_MAX_HASHES = 1 << 19
"""gram -> (crc32, sign): the same grams recur across messages and models; hashing them was the largest single
cost of scoring (a bounded memo, cleared when full; the values are what the hash gives, so outputs are equal)."""


def _hashed(gram: str) -> tuple[int, float]:
    found = _HASHES.get(gram)
    if found is None:
        data = gram.encode("utf-8")
        found = (zlib.crc32(data), 1.0 if zlib.crc32(data, 0x9E3779B9) & 1 else -1.0)
        if len(_HASHES) >= _MAX_HASHES:
            _HASHES.clear()
        _HASHES[gram] = found
    return found


_TOKEN_HASHES: dict[tuple[str, int, int], tuple[tuple[int, float], ...]] = {}
_MAX_TOKEN_HASHES = 1 << 16


def _token_hashes(tok: str, lo: int, hi: int) -> tuple[tuple[int, float], ...]:
    """The hashes of a token's character n-grams: a word recurs far more often than it is new, and most of a
    text's grams are its words' character grams (a bounded memo, as `_HASHES`)."""
    key = (tok, lo, hi)
    found = _TOKEN_HASHES.get(key)
    if found is None:
        found = tuple(_hashed(gram) for gram in _char_grams(tok, lo, hi))
        if len(_TOKEN_HASHES) >= _MAX_TOKEN_HASHES:
            _TOKEN_HASHES.clear()
        _TOKEN_HASHES[key] = found
    return found


def featurize(text: str, spec: FeatureSpec) -> tuple[list[int], list[float]]:
    """Sorted bucket indices and their values (signed, sublinear tf, L2-normalised)."""
    idx, val = _featurized(text, spec)
    return list(idx), list(val)


@functools.lru_cache(maxsize=1024)
def _featurized(text: str, spec: FeatureSpec) -> tuple[tuple[int, ...], tuple[float, ...]]:
    # Cached: the intent and sentiment models read the same spec of the same message.
    counts: dict[int, float] = {}
    get = counts.get
    n_buckets = spec.n_buckets
    toks = tokens(normalize(text)[: spec.max_chars])
    # The grams of `_grams`, in its order; each count is a sum of +-1.0, exact in any order.
    for gram in _word_grams(toks, spec.word_ngrams):
        h, sign = _hashed(gram)
        idx = h % n_buckets
        counts[idx] = get(idx, 0.0) + sign
    lo, hi = spec.char_ngrams
    for tok in toks:
        for h, sign in _token_hashes(tok, lo, hi):
            idx = h % n_buckets
            counts[idx] = get(idx, 0.0) + sign
    keys = sorted(i for i, v in counts.items() if v != 0)
    vals = [_SUBLINEAR[v] if (v := counts[i]) in _SUBLINEAR else _sublinear(v) for i in keys]
    norm = math.sqrt(sum(v * v for v in vals)) or 1.0
    return tuple(keys), tuple(v / norm for v in vals)


def _sublinear(count: float) -> float:
    """Sublinear term frequency of a signed count: sign * (1 + log |count|)."""
    return math.copysign(1.0 + math.log(abs(count)), count)


_SUBLINEAR = {float(c): _sublinear(c) for n in range(1, 65) for c in (n, -n)}
"""`_sublinear` of the counts a text has: the same floats, looked up."""


def featurize_batch(texts: Sequence[str], spec: FeatureSpec) -> tuple[list[int], list[int], list[float]]:
    """Row ids, bucket indices and values of a batch (COO form): what the ONNX models take."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for row, text in enumerate(texts):
        idx, val = featurize(text, spec)
        rows.extend([row] * len(idx))
        cols.extend(idx)
        vals.extend(val)
    return rows, cols, vals
