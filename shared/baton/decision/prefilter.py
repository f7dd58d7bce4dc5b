"""Literal prefilters for regular expressions: which patterns of an alternation can match a text at all.

A guardrail is one alternation of tens of patterns, and Python's `re` tries every alternative at every
position of the message: most of the decision's time was that scan (about 0.6 ms a message on the
labelled support messages). Most patterns need a word that most messages do not hold ("chargeback",
"third time", "lawyer"), so `required(pattern)` reads the pattern's syntax tree for a set of literal
strings one of which every match must contain. `Prefilter` looks those strings up once a message and
searches only the patterns that can match, each compiled alone (so `re`'s own literal-prefix search
applies), merging their matches in the order `re.finditer` gives for the whole alternation: the leftmost
first, the earlier pattern on a tie. Leaving out patterns that cannot match anywhere in the text changes
no match (the tests compare both on every development message and on random texts).

The reading is conservative: anything it does not understand (case-insensitive flags, back references,
conditionals, a construct a later Python adds) gives no requirement, and the pattern is always searched.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

_c: Any
_p: Any
try:  # `re`'s own parser (a private module, there since Python 3.11); without it nothing is filtered.
    _c = importlib.import_module("re._constants")
    _p = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - only on a Python that changed `re`'s internals
    _c = _p = None

Requirement = frozenset[str] | None
"""One of these strings is in every text the pattern matches; None: no such set is known."""

_MAX_STRINGS = 64  # a larger union is slower to test than it saves


def required(pattern: str) -> Requirement:
    """Literal strings of which every match of `pattern` contains at least one, or None."""
    if _p is None:  # pragma: no cover
        return None
    try:
        parsed = _p.parse(pattern)
    except (re.error, RecursionError, ValueError):
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    try:
        return _sequence(list(parsed))
    except (TypeError, ValueError, AttributeError):  # pragma: no cover - an unknown tree shape
        return None


def _better(a: Requirement, b: Requirement) -> Requirement:
    """The more selective of two requirements: the longer shortest string, then the fewer strings."""
    if a is None:
        return b
    if b is None:
        return a
    rank_a = (min(map(len, a)), -len(a))
    rank_b = (min(map(len, b)), -len(b))
    return a if rank_a >= rank_b else b


def _sequence(items: Sequence[tuple[Any, Any]]) -> Requirement:
    best: Requirement = None
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run = []
        best = _better(best, _item(op, av))
    if run:
        best = _better(best, frozenset({"".join(run)}))
    return best


def _item(op: Any, av: Any) -> Requirement:
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        if add_flags & re.IGNORECASE:
            return None
        return _sequence(list(body))
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, body = av
        return _sequence(list(body)) if low >= 1 else None
    if op is _c.ASSERT:  # a positive look-around's text is in the string too
        _direction, body = av
        return _sequence(list(body))
    if op is _c.BRANCH:
        _, branches = av
        union: set[str] = set()
        for branch in branches:
            found = _sequence(list(branch))
            if found is None:
                return None
            union |= found
            if len(union) > _MAX_STRINGS:
                return None
        return frozenset(union)
    if op is _c.IN and av and all(kind is _c.LITERAL for kind, _ in av):
        return frozenset(chr(code) for _, code in av)
    return None  # any character, a class, an anchor, a negative look-around, a back reference...


_GRAM = 3


class Prefilter:
    """Alternations of patterns, scanned as `re.finditer` scans each one whole, over only the patterns that can
    match the text: the literals of every pattern's requirement are looked up once a message (by their
    first three characters among the text's, then `in`)."""

    def __init__(self, alternations: Sequence[Sequence[str]]) -> None:
        self.alternations = tuple(tuple(patterns) for patterns in alternations)
        self._always: list[tuple[int, ...]] = []
        self._by_literal: dict[str, list[tuple[int, int]]] = {}
        for a, patterns in enumerate(self.alternations):
            always = []
            for i, pattern in enumerate(patterns):
                need = required(pattern)
                if need is None:
                    always.append(i)
                    continue
                for literal in need:
                    self._by_literal.setdefault(literal, []).append((a, i))
            self._always.append(tuple(always))
        self._by_gram: dict[str, tuple[str, ...]] = {}
        short = []
        for literal in self._by_literal:
            if len(literal) >= _GRAM:
                self._by_gram[literal[:_GRAM]] = (*self._by_gram.get(literal[:_GRAM], ()), literal)
            else:
                short.append(literal)
        self._short = tuple(short)

    def candidates(self, text: str) -> list[tuple[int, ...]]:
        """For each alternation, the indexes (in order) of the patterns that can match `text`."""
        grams = {text[i : i + _GRAM] for i in range(len(text) - _GRAM + 1)}
        found = [literal for literal in self._short if literal in text]
        for gram in grams.intersection(self._by_gram):
            found.extend(literal for literal in self._by_gram[gram] if literal in text)
        chosen: list[set[int]] = [set(always) for always in self._always]
        for literal in found:
            for a, i in self._by_literal[literal]:
                chosen[a].add(i)
        return [tuple(sorted(c)) for c in chosen]

    def finditer(self, a: int, chosen: tuple[int, ...], text: str) -> Iterator[re.Match[str]]:
        """The matches `re.finditer` gives for alternation `a` whole, from its patterns `chosen` (those that can
        match the text): at each step the leftmost match of any of them, the earliest pattern on a tie, the
        next step from its end. After an empty match (which `finditer` steps past in its own way) the rest
        comes from the whole alternation."""
        patterns = self.alternations[a]
        nexts = {i: _single(patterns[i]).search(text) for i in chosen}
        end = 0
        while True:
            best: re.Match[str] | None = None
            for i in chosen:
                match = nexts[i]
                if match is not None and (best is None or match.start() < best.start()):
                    best = match
            if best is None:
                return
            if best.end() == best.start():
                yield from (m for m in alternation(patterns).finditer(text) if m.start() >= end)
                return
            yield best
            end = best.end()
            for i in chosen:
                match = nexts[i]
                if match is not None and match.start() < end:
                    nexts[i] = _single(patterns[i]).search(text, end)


@functools.lru_cache(maxsize=2048)
def _single(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@functools.lru_cache(maxsize=64)
def alternation(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation of the patterns, in their order."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))
