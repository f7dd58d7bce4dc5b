"""Waited past what the bot said: the time frame a bot answer gives, and the time a customer says has passed.

"Payouts are sent 5-7 business days after the event." answered with "The concert was six weeks ago." is an answer
that cannot help: the customer is already past the window it promises, and only a person can find out where the
money is. The arc compares the two (`baton.scoring.arc`, the `overdue` bot failure); neither the bot's nor the
customer's words are kept, only the number of days the answer promised.

Both readers are deliberately narrow: a number (digits, or a number word up to twelve, "a", "a couple of") with a
unit of hours, days, business or working days, weeks or months. A bot's answer promises the longest such span it
names ("within 3-5 business days", "up to 8 weeks"); a customer says time has passed only in the forms that say so
("it's been 14 weeks", "six weeks ago", "for 10 days now", "over a month", "6 working days ago"). Dates ("since the
2nd, it's the 17th") are not read.
"""

from __future__ import annotations

import re

__all__ = ["elapsed_days", "promised_days"]

_NUMBER_WORDS = {
    "a": 1.0,
    "an": 1.0,
    "one": 1.0,
    "two": 2.0,
    "a couple of": 2.0,
    "couple of": 2.0,
    "a few": 3.0,
    "few": 3.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "eleven": 11.0,
    "twelve": 12.0,
}
_NUMBER = (
    r"(?:\d{1,3}(?:[.,]5)?|a couple of|couple of|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve)"
)
_UNIT = r"(?:business |working |calendar )?(?:hours?|hrs?|days?)|weeks?|wks?|months?"
_SPAN = re.compile(
    rf"\b(?:{_NUMBER}\s*(?:-|\u2013|to|or)\s*)?(?P<n>{_NUMBER})[\s-]*(?:more |full |whole |long )?(?P<unit>{_UNIT})\b",
    re.IGNORECASE,
)
_ELAPSED = re.compile(
    rf"(?:\b(?:it'?s been|it has been|it'?s now been|been waiting|waiting|waited|for the (?:last|past)|since|already"
    rf" been)(?: (?:now|already|well|about|around|almost|nearly|over|more than|at least|for|the last|the past))*"
    rf" (?P<a>{_NUMBER})[\s-]*(?:full |whole |long )?(?P<ua>{_UNIT})\b)"
    rf"|(?:\b(?P<b>{_NUMBER})[\s-]*(?:full |whole |long )?(?P<ub>{_UNIT}) (?:ago|later|now|and (?:still|counting"
    rf"|nothing)|on)\b)",
    re.IGNORECASE,
)
_WORKING_DAY = 7 / 5
"""Calendar days per business day: "5-7 business days" can be 9 calendar days."""


def promised_days(text: str) -> float | None:
    """The longest time span a bot answer names, in calendar days, or None when it names none."""
    spans = [_days(m.group("n"), m.group("unit")) for m in _SPAN.finditer(text[:5000])]
    return max(spans) if spans else None


def elapsed_days(text: str) -> float | None:
    """The longest time the customer says has passed ("it's been 14 weeks", "six working days ago"), in calendar
    days, or None when the message says none."""
    found = [
        _days(m.group("a") or m.group("b"), m.group("ua") or m.group("ub"))
        for m in _ELAPSED.finditer(text[:5000])
    ]
    return max(found) if found else None


def _days(number: str, unit: str) -> float:
    word = number.lower()
    n = _NUMBER_WORDS[word] if word in _NUMBER_WORDS else float(word.replace(",", "."))
    unit = unit.lower()
    if unit.startswith("h"):
        return n / 24
    if unit.startswith(("business", "working")):
        return n * _WORKING_DAY
    if unit.startswith(("calendar", "d")):
        return n
    return n * 7 if unit.startswith("w") else n * 30
