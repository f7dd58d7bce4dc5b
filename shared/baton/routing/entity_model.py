"""The packet's learned reader: whether a span holding a digit is an id, an error code, a date, or nothing.

The patterns of `baton.routing.packet` read an id by the word before it (`order`, `Rechnung`, `ticket`...), a code
by an error's form or words, a date by its month or the words around it, and each new writer brings words and
shapes they have no name for (`sipariş no`, `boekingsnr`, `Schadensmeldung Nr.`, `DL-55 812`, `AADSTS50011`,
`voor 21-04`). This model reads what generalises instead: the span's shape (`AA-99 999`, whether it reads as a day
and a month), and character n-grams of the words around it, so that `boekingsnr` shares `boek` with `boeking` and
`Schadensmeldung` shares `schaden` with `Schadensnummer`. It runs after the patterns, only on what they left, and
only adds spans it is confident of.

    model = load_model()              # once per process (about 1 ms); None without the weights file
    for span in candidates(text):     # (start, end) of every run of tokens shaped like an id, a code or a date
        kind, p = model.classify(text, *span, before=bot_question)

Pure Python (no numpy at runtime: the route function's cold start): a multinomial logistic regression over sparse
binary features, its weights a JSON table `entity_model.json` next to this module, written by `baton train entities`
(`baton.training.entities`, the card in `ENTITY_MODEL.md`). The features are defined here only, so that training and
inference cannot disagree.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("entity_model.json")
FEATURES_VERSION = 2
"""Raised whenever `features` changes: a weights file of another version is refused."""
KINDS = ("none", "order_id", "invoice_id", "ticket_id", "error_code", "date")
ID_KINDS = frozenset(KINDS[1:4])
_DAY_MONTH = re.compile(r"(\d{1,2})([./-])(\d{1,2})(?:\2(?:\d\d){1,2})?")
"""Digits shaped like a day and a month (`21-04`, `14/2`, `1.9`, `03.11.26`): a short date, a version, a fraction,
a score or a range; the words around it tell which."""

_TOKEN = re.compile(r"[^\s]+")
_STRIP_LEFT = "([{<\"'\u00ab\u201c\u2018"
_STRIP_RIGHT = ".,;:!?)]}>\"'\u00bb\u201d\u2019"
_CORE = re.compile(r"#?(?=[\w/.-]*\d)\w(?:[\w/-]|\.(?=\d))+\w")
"""A token that may be an id or a code: three characters or more holding a digit, a dot only before a digit (not
`2026.pdf`)."""
_GROUP = re.compile(r"(?=\w*\d)\w{1,6}")
"""A group that may continue an id typed in parts (`DL-55 812`, `RL 889 302 1`, `IHF7 K2M9`)."""
_LEAD = re.compile(r"(?-i:[A-Z]{1,4})")
"""Capitals that may start an id typed in parts (`SLG 22 0918 4471`)."""
_WORD = re.compile(r"\w+")
MAX_TOKENS = 5


_DIGIT_TOKEN = re.compile(r"(?<!\S)\S*\d\S*")


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """The tokens a candidate can hold, without the punctuation around them: (start, end, token). Only tokens holding
    a digit, and the one just before each (a lead, `SLG 22 0918`), are looked at: 2 KB of prose costs one scan."""
    out: list[tuple[int, int, str]] = []
    last = -1
    for m in _DIGIT_TOKEN.finditer(text):
        raw = [(m.start(), m.end())]
        if m.start() >= 2 and text[m.start() - 1] == " ":
            j = m.start() - 1
            while j > 0 and not text[j - 1].isspace():
                j -= 1
            if j < m.start() - 1 and j >= last:
                raw.insert(0, (j, m.start() - 1))
        for s, e in raw:
            last = e
            while s < e and text[s] in _STRIP_LEFT:
                s += 1
            while e > s and text[e - 1] in _STRIP_RIGHT:
                e -= 1
            if s < e:
                out.append((s, e, text[s:e]))
    return out


def candidates(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every span that may be an id or a code: a token shaped like one (`_CORE`), or a run of
    tokens typed in parts (a few capitals or a core token, then groups holding a digit, one space apart), each
    sub-run holding a digit, at most `MAX_TOKENS` tokens."""
    toks = _tokens(text)
    for i, (s, e, tok) in enumerate(toks):
        if _CORE.fullmatch(tok):
            yield s, e
        elif not (_LEAD.fullmatch(tok) or _GROUP.fullmatch(tok)):
            continue
        end = e
        for s2, e2, tok2 in toks[i + 1 : i + MAX_TOKENS]:
            # One space apart, no punctuation between: `DL-55 812`, not `DL-55, 812` or `DL-55. 812`.
            if s2 != end + 1 or text[end] != " " or not _GROUP.fullmatch(tok2):
                break
            end = e2
            yield s, end


def _shape(token: str, fine: bool) -> str:
    """`KT-4471` -> `A-9` (coarse) or `AA-9999` (fine, runs of more than four cut at four)."""
    out: list[str] = []
    last, run = "", 0
    for c in token:
        k = "9" if c.isdigit() else "A" if c.isupper() else "a" if c.isalpha() else c
        if k == last:
            run += 1
            if not fine or run > 4:
                continue
        else:
            last, run = k, 1
        out.append(k)
    return "".join(out)


def _grams(word: str, tag: str) -> Iterator[str]:
    w = f"<{word}>"
    for n in (3, 4, 5):
        for i in range(len(w) - n + 1):
            yield f"{tag}{w[i : i + n]}"


def _bucket(n: int) -> str:
    return str(n) if n < 6 else "6-8" if n < 9 else "9-12" if n < 13 else "13+"


def day_month(span: str) -> bool:
    """Whether `span` reads as a day and a month (`21-04`, `14/2`, `1.9`; the month first too with a slash, `4/21`,
    never with a dash: `09-17` is opening hours)."""
    m = _DAY_MONTH.fullmatch(span)
    if m is None:
        return False
    a, b = int(m.group(1)), int(m.group(3))
    if m.group(2) != "/":  # dots and dashes: the day first, as the locales writing them do (`1.9`, `21-04`)
        return 1 <= a <= 31 and 1 <= b <= 12
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


def features(text: str, start: int, end: int, before: str = "") -> list[str]:
    """The binary features of the span `text[start:end]`: its shape, and the words around it (the word itself, and
    its character n-grams, which carry a word's stem to its compounds and its kin in other languages)."""
    span = text[start:end]
    parts = span.split()
    digits = sum(c.isdigit() for c in span)
    letters = sum(c.isalpha() for c in span)
    f = [
        "bias",
        f"shape:{_shape(span, False)}",
        f"fine:{_shape(span, True)}",
        f"first:{_shape(parts[0], False)}",
        f"last:{_shape(parts[-1], False)}",
        f"ntok:{len(parts)}",
        f"len:{_bucket(len(span))}",
        f"digits:{_bucket(digits)}",
        f"letters:{_bucket(letters)}",
        f"upper:{span.upper() == span}",
        f"hash:{span.startswith('#')}",
        f"daymonth:{day_month(span)}",
    ]
    lead = re.match(r"[A-Za-z]+", span)
    if lead and len(lead.group()) <= 5:
        f.append(f"lead:{lead.group().casefold()}")
    # What touches it: `Nr.:`, `#`, `(`, `=`, a quote.
    touching = "".join(c for c in text[max(0, start - 2) : start] if not c.isalnum() and not c.isspace())
    f.append(f"sep:{touching or '_'}")
    f.append(f"next:{text[end : end + 1] or '$'}")
    left = [w.casefold() for w in _WORD.findall(text[max(0, start - 60) : start])][-4:]
    for k, word in enumerate(reversed(left), 1):
        f.append(f"w-{k}:{word}")
        f.extend(_grams(word, "L:"))
        if k == 1:
            f.extend(_grams(word, "L1:"))
    if not left:
        f.append("w-1:^")
    right = [w.casefold() for w in _WORD.findall(text[end : end + 30])][:2]
    for k, word in enumerate(right, 1):
        f.append(f"w+{k}:{word}")
        f.extend(_grams(word, "R:"))
    if before:
        for word in {w.casefold() for w in _WORD.findall(before[-200:]) if len(w) > 2 and not w.isdigit()}:
            f.append(f"b:{word}")
    return f


class EntityModel:
    """Multinomial logistic regression: the weights of the features it knows, one per kind (`KINDS`)."""

    def __init__(
        self,
        weights: dict[str, Sequence[float]],
        kinds: Sequence[str],
        threshold: float,
        extend: float = 1.0,
        date_threshold: float = 1.0,
        code_threshold: float = 1.0,
        start_threshold: float = 1.0,
    ) -> None:
        self.weights = weights
        self.kinds = tuple(kinds)
        self.threshold = threshold
        """The probability above which a span no pattern took is added as an id."""
        self.extend = extend
        """The probability above which a pattern's id or code gets its longer form typed in parts; 1: never."""
        self.date_threshold = date_threshold
        """The probability above which a day and a month no pattern took (`21-04`, `14/2`) is added as a date; 1:
        never."""
        self.code_threshold = code_threshold
        """The probability above which a span no pattern took is added as an error code; 1: never."""
        self.start_threshold = start_threshold
        """The probability above which a span no word precedes in its sentence is added as an id, when a message
        came before it (the bot's question it may answer); 1: never."""

    def probabilities(self, text: str, start: int, end: int, before: str = "") -> list[float]:
        scores = [0.0] * len(self.kinds)
        for name in features(text, start, end, before):
            w = self.weights.get(name)
            if w is not None:
                for k, v in enumerate(w):
                    scores[k] += v
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return [x / total for x in exp]

    def classify(self, text: str, start: int, end: int, before: str = "") -> tuple[str, float]:
        """The likeliest kind that is not `none`, and its probability."""
        p = self.probabilities(text, start, end, before)
        k = max(range(1, len(p)), key=p.__getitem__)
        return self.kinds[k], p[k]


def from_json(data: dict[str, Any]) -> EntityModel:
    if data.get("features_version") != FEATURES_VERSION:
        raise ValueError(
            f"entity model: features version {data.get('features_version')} is not this code's {FEATURES_VERSION}"
        )
    return EntityModel(
        data["weights"],
        data["kinds"],
        float(data["threshold"]),
        float(data.get("extend", 1.0)),
        float(data.get("date_threshold", 1.0)),
        float(data.get("code_threshold", 1.0)),
        float(data.get("start_threshold", 1.0)),
    )


@functools.cache
def load_model(path: Path = MODEL_PATH) -> EntityModel | None:
    """The shipped model, read once per process; None when there is no weights file (the patterns alone)."""
    if not path.exists():
        return None
    return from_json(json.loads(path.read_text(encoding="utf-8")))
