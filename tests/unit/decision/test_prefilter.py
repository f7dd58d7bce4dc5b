"""The guardrails' literal prefilter: it must find exactly what scanning each whole alternation finds, on the
shipped patterns and on patterns built to catch the edge cases (ties, overlaps, look-arounds, empty matches)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from baton.context.models import fold
from baton.decision.engine import GUARDRAIL_ORDER, _quote, guardrail_matches
from baton.decision.evaluation import DEVELOPMENT_SETS
from baton.decision.params import DecisionParams, expand, load_default
from baton.decision.prefilter import Prefilter, alternation, required
from baton.negation import Negation

LABELLED = Path(__file__).resolve().parents[3] / "events" / "labelled"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bchargeback\b", {"chargeback"}),
        (r"third time (?:i'm|i am) writ", {"third time i"}),  # `re` factors the branches' common "i" out
        (r"(?:dispute|reverse) the (?:charge|payment)", {"dispute", "reverse"}),
        (r"cancel(?:led|ling)", {"cancell"}),
        (r"^(?=[\s\S]*\blawyer)\w+", {"lawyer"}),  # a positive look-ahead's words are in the text too
        (r"(?<!not )refund", {"refund"}),  # a negative look-around requires nothing
        (r"x+yz", {"yz"}),
        (r"[\u2019']s fault", {"s fault"}),
        (r"(?:foo)?bar", {"bar"}),
        (r"(?i:charge)back|zzz", {"back", "zzz"}),  # the case-insensitive part requires nothing, "back" does
        (r"\w+ing", {"ing"}),
    ],
)
def test_required_reads_the_literals_every_match_contains(pattern: str, expected: set[str]) -> None:
    assert required(pattern) == frozenset(expected)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?i)chargeback",  # case-insensitive: a literal test would miss "ChargeBack"
        r"(?:foo)?",
        r"\w+",
        r"(?:refund|\d+)",  # one branch requires nothing, so the alternation does not either
        "",
    ],
)
def test_required_is_none_when_no_literal_is_certain(pattern: str) -> None:
    assert required(pattern) is None


def _whole(patterns: tuple[str, ...], text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in alternation(patterns).finditer(text)]


def _filtered(scanner: Prefilter, text: str) -> list[tuple[int, int, str]]:
    chosen = scanner.candidates(text)[0]
    return [(m.start(), m.end(), m.group(0)) for m in scanner.finditer(0, chosen, text)] if chosen else []


# Alternatives that tie at one position (the earlier wins), overlap, need a look-around at the string's start
# or before the search position, and match empty (the scanner hands over to the whole alternation).
EDGE_PATTERNS = (
    r"\bab",
    r"abc",
    r"b+c",
    r"(?<=a)bc?",
    r"^c",
    r"(?=ca)",
    r"ca(?!b)",
    r"\bcab\b",
    r"(?:ba)+",
    r"a{2,}",
    r"(?:ab)?c",
    r"b?a",
)


def test_the_scanner_finds_what_the_whole_alternation_finds() -> None:
    rng = random.Random(20261207)
    for size in range(1, len(EDGE_PATTERNS) + 1):
        for _ in range(60):
            patterns = tuple(rng.sample(EDGE_PATTERNS, size))
            scanner = Prefilter([patterns])
            for _ in range(20):
                text = "".join(rng.choice("abc ") for _ in range(rng.randint(0, 14)))
                assert _filtered(scanner, text) == _whole(patterns, text), (patterns, text)


def test_a_text_with_none_of_the_literals_skips_the_alternation() -> None:
    scanner = Prefilter([(r"\bchargeback\b", r"dispute the charge"), (r"\w+",)])  # \w+ requires nothing
    assert scanner.candidates("i love this product") == [(), (0,)]
    assert scanner.candidates("i will file a chargeback") == [(0,), (0,)]


def _messages() -> list[str]:
    texts: list[str] = []
    for name in (*DEVELOPMENT_SETS, "triggers-dev.jsonl"):
        for line in (LABELLED / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "messages" in record:
                texts.extend(m["text"] for m in record["messages"] if m["role"] == "customer" and m["text"])
            else:
                texts.append(record["text"])
    return texts


def _reference(text: str, params: DecisionParams) -> list[tuple[str, str]]:
    """The guardrail scan as it was before the prefilter: every whole alternation, in precedence order."""
    g = params.guardrails
    negation = Negation.compile(
        g.negation.cues,
        g.negation.questions,
        g.negation.conditionals,
        g.negation.breaks,
        g.negation.window,
        g.negation.third_party,
    )
    normal = fold(text)
    found = []
    for name in sorted(g.patterns, key=lambda n: GUARDRAIL_ORDER.index(n) if n in GUARDRAIL_ORDER else 99):
        patterns = tuple(expand(p, dict(g.terms)) for p in g.patterns[name])
        if not patterns:
            continue
        for match in alternation(patterns).finditer(normal):
            if name not in g.negation.exempt and negation.negated(
                normal, match.start(), others=name in g.negation.third_party_guardrails
            ):
                continue
            found.append((name, f'says "{_quote(normal, match.start(), match.end())}"'))
            break
    return found


def test_the_shipped_guardrails_trip_exactly_as_a_scan_of_every_pattern_does() -> None:
    params = load_default()
    texts = _messages()
    assert len(texts) > 9_000
    differ = []
    hits = 0
    for text in texts:
        quick = guardrail_matches(text, params)
        whole = _reference(text, params)
        hits += bool(whole)
        if quick != whole:
            differ.append((text, quick, whole))
    assert not differ, differ[:5]
    assert hits > 500  # the comparison saw many trips, not only quiet messages
