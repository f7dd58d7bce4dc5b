"""The arc's version: a fingerprint of the rules, so a scored message says which rules read it."""

from __future__ import annotations

import re
import types

from baton.scoring.scorer import ARC_VERSION, rules_fingerprint


def _module(**constants: object) -> types.ModuleType:
    module = types.ModuleType("rules")
    for name, value in constants.items():
        setattr(module, name, value)
    return module


def test_the_shipped_version_is_a_fingerprint() -> None:
    assert re.fullmatch(r"arc-[0-9a-f]{8}", ARC_VERSION)


RULES = {"PATTERNS": (r"\bthat didn'?t help\b",), "WINDOW": 5, "_CUE": re.compile(r"\bnot\b")}


def _fingerprint(**changes: object) -> str:
    """The fingerprint of RULES with some constants changed or added."""
    return rules_fingerprint(_module(**{**RULES, **changes}))


def test_any_change_to_a_rule_changes_it_and_nothing_else_does() -> None:
    base = _fingerprint()
    assert _fingerprint() == base
    assert _fingerprint(PATTERNS=(r"\bthat did not help\b",)) != base
    assert _fingerprint(WINDOW=6) != base
    assert _fingerprint(_CUE=re.compile(r"\bnever\b")) != base
    # a helper function or a class is no rule
    assert _fingerprint(helper=len, Kind=int) == base


def test_a_set_of_words_counts_whatever_its_order() -> None:
    assert rules_fingerprint(
        _module(WORDS=frozenset({"refund", "cancel", "chargeback"}))
    ) == rules_fingerprint(_module(WORDS=frozenset({"chargeback", "refund", "cancel"})))
