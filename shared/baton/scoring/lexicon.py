"""Dense features of a message: lexicon valence (VADER-style) and cues of frustration in support text.

The sentiment model adds these few dense features to its hashed n-grams (`baton.scoring.features`). Training
and serving both call `dense_features` with the lexicon shipped in the model directory (`lexicon.json`), so the
runtime needs neither the vaderSentiment package nor anything but the standard library here.

The valence computation follows VADER's rules in simplified form: word valences from its lexicon, boosters and
dampeners, negation within three words, ALL-CAPS emphasis, "but" shifting the weight to the second clause,
exclamation marks, and the `x / sqrt(x^2 + 15)` normalisation. VADER (Hutto & Gilbert, ICWSM 2014), its lexicon,
negation and booster lists are MIT-licensed (github.com/cjhutto/vaderSentiment); the training command copies
them into `lexicon.json` with that attribution.
"""

from __future__ import annotations

import json
import math
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

LEXICON_FILE = "lexicon.json"

# VADER's empirically derived constants.
_CAPS_INCR = 0.733
_NEGATION_SCALAR = -0.74
_ALPHA = 15.0
_PUNCT = string.punctuation + "\u201c\u201d\u2018\u2019\u2026"  # curly quotes, ellipsis

# Cues of frustration with a service that a sentiment lexicon misses: repetition, persistence of the problem,
# failure, churn, waiting, asking for a human. Matched on the lower-cased text; counted as presence (0/1).
_CUES: dict[str, re.Pattern[str]] = {
    "cue_repeat": re.compile(
        r"\b(again|already|(as )?i (said|told you|mentioned|explained)|told you|keep (asking|telling)"
        r"|how many times|(second|third|fourth|fifth|\d+(st|nd|rd|th)) time|once more|repeat(ing|edly)?)\b"
    ),
    "cue_still": re.compile(r"\b(still|yet|anymore|any more|even after|no longer)\b"),
    "cue_failure": re.compile(
        r"\b(not|n't|never|nothing|no longer|stopped|won't|doesn't|isn't|can't|cannot)\s+(\w+\s+)?"
        r"(work|works|working|worked|help|helps|helping|helped|fix|fixed|resolved|solved|load|loading|"
        r"arrive|arrived|respond|responding)\b"
        r"|\b(broken|error|errors|failed|fails|failing|crash|crashes|crashed|stuck|useless|pointless)\b"
    ),
    "cue_churn": re.compile(
        r"\b(cancel(l?ing|l?ed)?|cancellation|refund|unsubscribe|close my account|switch(ing)? to|complain|"
        r"complaint|lawyer|legal|report you|chargeback|dispute)\b"
    ),
    "cue_wait": re.compile(r"\b(wait(ing|ed)?|hours|days|weeks|forever|ages|asap|urgent(ly)?|immediately)\b"),
    "cue_human": re.compile(
        r"\b(human|real person|agent|representative|rep|manager|supervisor|someone (real|else)|operator)\b"
    ),
    "cue_negate_start": re.compile(r"^(no|nope|nah|not really|that's not|that is not|wrong)\b"),
    "cue_thanks": re.compile(
        r"\b(thanks|thank you|thx|appreciate|perfect|great|awesome|that works|works now)\b"
    ),
}

DENSE_FEATURES: tuple[str, ...] = (
    "compound",
    "pos",
    "neg",
    "max_pos",
    "max_neg",
    "negations",
    "exclamations",
    "questions",
    "caps_ratio",
    "multi_punct",
    "length",
    *_CUES,
)
"""The names of `dense_features`' outputs, in order (recorded in the manifest)."""


@dataclass(frozen=True)
class Lexicon:
    valence: Mapping[str, float]
    """Word or emoticon (lower case) -> mean valence, -4..4."""
    boosters: Mapping[str, float] = field(default_factory=dict)
    """Degree adverbs -> increment of the following sentiment word's intensity (+0.293 / -0.293)."""
    negations: frozenset[str] = frozenset()

    def to_json(self) -> dict:
        return {
            "valence": dict(sorted(self.valence.items())),
            "boosters": dict(sorted(self.boosters.items())),
            "negations": sorted(self.negations),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Lexicon:
        return cls(
            valence={str(k): float(v) for k, v in data["valence"].items()},
            boosters={str(k): float(v) for k, v in data.get("boosters", {}).items()},
            negations=frozenset(str(w) for w in data.get("negations", ())),
        )


def load_lexicon(path: Path) -> Lexicon:
    """The lexicon of a model directory (or a `lexicon.json` file)."""
    if path.is_dir():
        path = path / LEXICON_FILE
    return Lexicon.from_json(json.loads(path.read_text(encoding="utf-8")))


def _is_negation(word: str, lexicon: Lexicon) -> bool:
    return word in lexicon.negations or "n't" in word


def _valences(words: list[str], raw: list[str], lexicon: Lexicon, caps_differ: bool) -> list[float]:
    out: list[float] = []
    for i, word in enumerate(words):
        v = lexicon.valence.get(word, 0.0)
        # "kind of" and boosters carry no valence of their own (VADER's rule).
        if (
            v == 0.0
            or word in lexicon.boosters
            or (word == "kind" and i + 1 < len(words) and words[i + 1] == "of")
        ):
            out.append(0.0)
            continue
        if caps_differ and raw[i].isupper() and len(raw[i]) > 1:
            v += math.copysign(_CAPS_INCR, v)
        for back, decay in ((1, 1.0), (2, 0.95), (3, 0.9)):
            if i - back < 0:
                break
            prev = words[i - back]
            if prev in lexicon.boosters and lexicon.valence.get(prev, 0.0) == 0.0:
                v += math.copysign(lexicon.boosters[prev], v) * decay
            if _is_negation(prev, lexicon):
                v *= _NEGATION_SCALAR
        out.append(v)
    if "but" in words:
        cut = words.index("but")
        out = [v * 0.5 if j < cut else v * 1.5 if j > cut else v for j, v in enumerate(out)]
    return out


def dense_features(text: str, lexicon: Lexicon) -> list[float]:
    """The `DENSE_FEATURES` of a text, each roughly in [-1, 1]; an empty text gives all zeros."""
    text = text[:2000]
    raw = text.split()
    # A token keeps its punctuation when that is what the lexicon knows (emoticons such as ":(").
    words: list[str] = []
    kept: list[str] = []
    for tok in raw:
        low = tok.lower()
        if low not in lexicon.valence:
            stripped = low.strip(_PUNCT)
            low = stripped if len(stripped) > 2 or stripped in lexicon.valence else low
        words.append(low)
        kept.append(tok.strip(_PUNCT) or tok)
    alpha = [t for t in kept if any(c.isalpha() for c in t) and len(t) > 1]
    n_caps = sum(1 for t in alpha if t.isupper())
    caps_differ = 0 < n_caps < len(alpha)
    vals = _valences(words, kept, lexicon, caps_differ)

    total = sum(vals)
    exclamations = min(text.count("!"), 4)
    if total:
        total += math.copysign(exclamations * 0.292, total)
    compound = total / math.sqrt(total * total + _ALPHA)
    pos = sum(v + 1 for v in vals if v > 0)
    neg = sum(v - 1 for v in vals if v < 0)
    neutral = sum(1 for v in vals if v == 0)
    denom = pos + abs(neg) + neutral
    lower = " ".join(text.lower().split())
    feats = [
        max(-1.0, min(1.0, compound)),
        pos / denom if denom else 0.0,
        abs(neg) / denom if denom else 0.0,
        max((v for v in vals if v > 0), default=0.0) / 4.0,
        min((v for v in vals if v < 0), default=0.0) / 4.0,
        min(sum(1 for w in words if _is_negation(w, lexicon)), 3) / 3.0,
        exclamations / 4.0,
        min(text.count("?"), 3) / 3.0,
        n_caps / len(alpha) if alpha and len(alpha) >= 2 else 0.0,
        1.0 if re.search(r"[!?]{2,}", text) else 0.0,
        min(math.log1p(len(raw)) / 5.0, 1.0),
    ]
    feats.extend(1.0 if pattern.search(lower) else 0.0 for pattern in _CUES.values())
    return feats
