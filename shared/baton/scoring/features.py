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
    toks = tokens(text)
    lo, hi = spec.word_ngrams
    for n in range(lo, hi + 1):
        for i in range(len(toks) - n + 1):
            yield "w:" + " ".join(toks[i : i + n])
    lo, hi = spec.char_ngrams
    for tok in toks:
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


def featurize(text: str, spec: FeatureSpec) -> tuple[list[int], list[float]]:
    """Sorted bucket indices and their values (signed, sublinear tf, L2-normalised)."""
    idx, val = _featurized(text, spec)
    return list(idx), list(val)


@functools.lru_cache(maxsize=1024)
def _featurized(text: str, spec: FeatureSpec) -> tuple[tuple[int, ...], tuple[float, ...]]:
    # Cached: the intent and sentiment models read the same spec of the same message.
    counts: dict[int, float] = {}
    n_buckets = spec.n_buckets
    for gram in _grams(normalize(text)[: spec.max_chars], spec):
        h, sign = _hashed(gram)
        idx = h % n_buckets
        counts[idx] = counts.get(idx, 0.0) + sign
    items = sorted((i, math.copysign(1.0 + math.log(abs(v)), v)) for i, v in counts.items() if v != 0)
    norm = math.sqrt(sum(v * v for _, v in items)) or 1.0
    return tuple(i for i, _ in items), tuple(v / norm for _, v in items)


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
