"""EventBridge event-pattern matching, so `baton local` routes exactly as the deployed rules do.

Semantics follow EventBridge's (aws/event-ruler):
- A pattern is an object whose leaves are non-empty arrays of filters. Keys are AND'ed, the filters
  of one leaf are OR'ed, and `$or` takes a list of alternative sub-patterns.
- A filter is a literal (string, number, boolean, null; matched by value and type) or an object
  with one operator: `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `anything-but`
  (a value, a list, or a `prefix`/`suffix`/`equals-ignore-case`/`wildcard` object), `exists`,
  `numeric` (up to two comparisons) or `cidr`.
- Only leaf values match. An array in the event matches when any of its elements does, and the
  fields of one nested pattern must all come from the same element of an array of objects.
- `exists: false` matches a missing field; every other filter needs the field to be present.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from baton.errors import BatonError

NUMERIC_OPERATORS = ("<", "<=", "=", ">=", ">")
STRING_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard")
OPERATORS = (*STRING_OPERATORS, "anything-but", "exists", "numeric", "cidr")

_MISSING = object()


class InvalidPattern(BatonError):
    """An event pattern that EventBridge would reject; `path` names the offending key."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or '<pattern>'}: {message}")
        self.path = path
        self.message = message


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether `event` (a full envelope: source, detail-type, detail, ...) matches `pattern`."""
    return _match_object(pattern, event)


def validate(pattern: Any) -> None:
    """Raise InvalidPattern if EventBridge would refuse the pattern (the path names the key)."""
    if not isinstance(pattern, Mapping):
        raise InvalidPattern("", "an event pattern must be a JSON object")
    _validate_object(pattern, "")


# -- matching ---------------------------------------------------------------------------------------


def _match_object(pattern: Mapping[str, Any], node: Any) -> bool:
    fields = node if isinstance(node, Mapping) else {}
    for key, spec in pattern.items():
        if key == "$or":
            if not any(_match_object(alternative, node) for alternative in spec):
                return False
        elif isinstance(spec, Mapping):
            if not _match_nested(spec, fields.get(key, _MISSING)):
                return False
        elif not _match_leaf(spec, fields.get(key, _MISSING)):
            return False
    return True


def _match_nested(pattern: Mapping[str, Any], child: Any) -> bool:
    if isinstance(child, list):
        # Array consistency: every field of the nested pattern must match within one element.
        objects = [element for element in _flatten(child) if isinstance(element, Mapping)]
        return any(_match_object(pattern, obj) for obj in objects) if objects else _match_object(pattern, {})
    return _match_object(pattern, child if isinstance(child, Mapping) else {})


def _flatten(values: list[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, list):
            yield from _flatten(value)
        else:
            yield value


def _leaf_values(raw: Any) -> list[Any]:
    """The scalar values at a leaf: none when missing or an object (only leaves match)."""
    if raw is _MISSING or isinstance(raw, Mapping):
        return []
    if isinstance(raw, list):
        return [value for value in _flatten(raw) if not isinstance(value, Mapping)]
    return [raw]


def _match_leaf(filters: list[Any], raw: Any) -> bool:
    values = _leaf_values(raw)
    for flt in filters:
        if isinstance(flt, Mapping) and "exists" in flt:
            if bool(values) == flt["exists"]:
                return True
        elif any(_match_value(flt, value) for value in values):
            return True
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(expected: Any, value: Any) -> bool:
    """Literal equality that keeps JSON types apart (`true` is not `1`, `"5"` is not `5`)."""
    if expected is None or isinstance(expected, bool):
        return value is expected
    if _is_number(expected):
        return _is_number(value) and value == expected
    return isinstance(value, str) and value == expected


def _match_value(flt: Any, value: Any) -> bool:
    if not isinstance(flt, Mapping):
        return _equal(flt, value)
    ((operator, operand),) = flt.items()
    if operator in STRING_OPERATORS:
        return _match_string(operator, operand, value)
    if operator == "anything-but":
        if isinstance(operand, Mapping):
            ((inner, inner_operand),) = operand.items()
            return isinstance(value, str) and not _match_string(inner, inner_operand, value)
        excluded = operand if isinstance(operand, list) else [operand]
        return not any(_equal(item, value) for item in excluded)
    if operator == "numeric":
        return _is_number(value) and _match_numeric(operand, value)
    if operator == "cidr":
        return _match_cidr(operand, value)
    return False


def _match_string(operator: str, operand: Any, value: object) -> bool:
    if not isinstance(value, str):
        return False
    if isinstance(operand, list):
        return any(_match_string(operator, item, value) for item in operand)
    text: str  # patterns are JSON: the operand of a string matcher is a string
    if isinstance(operand, Mapping):  # {"prefix": {"equals-ignore-case": "x"}}
        ((_, text),) = operand.items()
        value, text = value.casefold(), text.casefold()
    else:
        text = operand
    if operator == "prefix":
        return value.startswith(text)
    if operator == "suffix":
        return value.endswith(text)
    if operator == "equals-ignore-case":
        return value.casefold() == text.casefold()
    return _wildcard(text).fullmatch(value) is not None


def _wildcard(text: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in "*\\":
            parts.append(re.escape(text[i + 1]))
            i += 2
            continue
        parts.append(".*" if text[i] == "*" else re.escape(text[i]))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def _match_numeric(operand: list[Any], value: float) -> bool:
    for operator, bound in zip(operand[::2], operand[1::2], strict=True):
        ok = {
            "<": value < bound,
            "<=": value <= bound,
            "=": value == bound,
            ">=": value >= bound,
            ">": value > bound,
        }[operator]
        if not ok:
            return False
    return True


def _match_cidr(operand: str, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(operand, strict=False)
    except ValueError:
        return False


# -- validation -------------------------------------------------------------------------------------


def _validate_object(pattern: Mapping[str, Any], path: str) -> None:
    if not pattern and path:
        raise InvalidPattern(path, "an object in a pattern must not be empty")
    for key, spec in pattern.items():
        here = f"{path}.{key}" if path else key
        if key == "$or":
            if not isinstance(spec, list) or len(spec) < 2 or not all(isinstance(p, Mapping) for p in spec):
                raise InvalidPattern(here, "$or must be a list of at least two objects")
            for i, alternative in enumerate(spec):
                _validate_object(alternative, f"{here}[{i}]")
        elif isinstance(spec, Mapping):
            _validate_object(spec, here)
        elif isinstance(spec, list):
            if not spec:
                raise InvalidPattern(here, "empty arrays are not allowed")
            for i, flt in enumerate(spec):
                _validate_filter(flt, f"{here}[{i}]")
        else:
            raise InvalidPattern(here, "must be an object or an array")


def _validate_filter(flt: Any, path: str) -> None:
    if flt is None or isinstance(flt, str | bool):
        return
    if _is_number(flt):
        if not math.isfinite(flt):
            raise InvalidPattern(path, "numbers must be finite")
        return
    if not isinstance(flt, Mapping):
        raise InvalidPattern(path, "a filter is a string, number, boolean, null or an operator object")
    if len(flt) != 1:
        raise InvalidPattern(path, "an operator object has exactly one key")
    ((operator, operand),) = flt.items()
    here = f"{path}.{operator}"
    if operator not in OPERATORS:
        raise InvalidPattern(here, f"unknown operator (known: {', '.join(OPERATORS)})")
    _validate_operand(operator, operand, here)


def _validate_operand(operator: str, operand: Any, here: str) -> None:
    if operator == "exists":
        if not isinstance(operand, bool):
            raise InvalidPattern(here, "must be true or false")
    elif operator in ("prefix", "suffix"):
        _validate_string_operand(operand, here, allow_ignore_case=True)
    elif operator in ("equals-ignore-case", "wildcard"):
        _validate_string_operand(operand, here, allow_ignore_case=False)
    elif operator == "anything-but":
        _validate_anything_but(operand, here)
    elif operator == "numeric":
        _validate_numeric(operand, here)
    elif operator == "cidr":
        try:
            ipaddress.ip_network(operand, strict=False)
        except (TypeError, ValueError) as exc:
            raise InvalidPattern(here, "must be an IP network in CIDR notation") from exc


def _validate_string_operand(operand: Any, path: str, *, allow_ignore_case: bool) -> None:
    if isinstance(operand, str):
        return
    if isinstance(operand, list) and operand and all(isinstance(item, str) for item in operand):
        return
    if (
        allow_ignore_case
        and isinstance(operand, Mapping)
        and list(operand) == ["equals-ignore-case"]
        and isinstance(operand["equals-ignore-case"], str)
    ):
        return
    raise InvalidPattern(
        path, "must be a string" + (' or {"equals-ignore-case": string}' if allow_ignore_case else "")
    )


def _validate_anything_but(operand: Any, path: str) -> None:
    if isinstance(operand, Mapping):
        if len(operand) != 1 or next(iter(operand)) not in STRING_OPERATORS:
            raise InvalidPattern(path, f"an object operand takes one of {', '.join(STRING_OPERATORS)}")
        ((inner, inner_operand),) = operand.items()
        _validate_string_operand(inner_operand, f"{path}.{inner}", allow_ignore_case=False)
        return
    items = operand if isinstance(operand, list) else [operand]
    if not items:
        raise InvalidPattern(path, "empty arrays are not allowed")
    if not all(isinstance(item, str) for item in items) and not all(_is_number(item) for item in items):
        raise InvalidPattern(path, "must be a string, a number, or a list of only strings or only numbers")


def _validate_numeric(operand: Any, path: str) -> None:
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        raise InvalidPattern(path, "must be [operator, number] or [operator, number, operator, number]")
    for i in range(0, len(operand), 2):
        if operand[i] not in NUMERIC_OPERATORS:
            raise InvalidPattern(f"{path}[{i}]", f"must be one of {' '.join(NUMERIC_OPERATORS)}")
        if not _is_number(operand[i + 1]) or not math.isfinite(operand[i + 1]):
            raise InvalidPattern(f"{path}[{i + 1}]", "must be a finite number")
