"""Negation scope for a pattern match: "I don't want to cancel" is not a cancellation.

A NegEx-style check, run only once a pattern has matched (the common message matches nothing and pays
nothing). The match's clause is the text before it back to the last scope break (punctuation, "but",
"and", a new main clause such as "I'll" or "we're"). The match is negated when a cue ("not", "never",
"no need to", ...) sits in that clause at most `window` words before the match, unless the cue belongs
to a condition ("if this isn't fixed by Friday my lawyer...", "if I don't hear back I'll post...": a cue
after "if" in the same clause negates the condition, not the threat). Question cues ("can I", "if I",
"how do I") make the match hypothetical the same way; they are optional, since "Can I talk to a human?"
is a request. A break at the start of the match ("I'll post this on Twitter") closes the clause before it.

All lists are regular expressions (data: the decision parameters' `guardrails.negation`, and the defaults
below for the human-request signal), matched on text already lower-cased and folded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_CUES: tuple[str, ...] = (
    r"not|no(?! longer| one| doubt| matter)|never|nothing|nobody|none|neither|nor|without",
    r"(?:do|does|did|is|are|was|were|have|has|had|wo|would|should|could)n'?t|dont|didnt|doesnt|wont|isnt",
    r"rather not|no need|no intention|no plans?|instead of",
)
DEFAULT_QUESTIONS: tuple[str, ...] = (
    r"if|whether|in case|(?:can|could|may|should|will|would|do) (?:i|we)|do you|does (?:it|this|that|the|your)",
    r"is (?:it|there) (?:possible|a way)|are there|how (?:to|do|does|can|would|are|is|long|much)",
    r"what (?:happens|is|if|about)|where (?:can|do|is|are)|when (?:will|do|can|does|is)",
)
DEFAULT_CONDITIONALS: tuple[str, ...] = (r"if|unless|until|or else|otherwise",)
DEFAULT_BREAKS: tuple[str, ...] = (
    r"[.!?;:,()\n]|\b(?:but|however|though|although|because|since|so|and|or|then|yet|except|instead)\b",
    r"\b(?:i|we)(?:'ll| will|'m| am|'re| are|'ve|'d)\b|\b(?:gonna|im|ill)\b",
)
DEFAULT_WINDOW = 5
_LOOKBACK = 160  # characters before a match that can hold its clause


def _alternation(patterns: Sequence[str], *, words: bool) -> re.Pattern[str] | None:
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"\b(?:{body})\b" if words else body)


@dataclass(frozen=True)
class Negation:
    """Compiled negation lists; `negated(text, start)` for a match at `start` of `text`."""

    cues: re.Pattern[str] | None
    questions: re.Pattern[str] | None
    conditionals: re.Pattern[str] | None
    breaks: re.Pattern[str] | None
    window: int

    @classmethod
    def compile(
        cls,
        cues: Sequence[str] = DEFAULT_CUES,
        questions: Sequence[str] = DEFAULT_QUESTIONS,
        conditionals: Sequence[str] = DEFAULT_CONDITIONALS,
        breaks: Sequence[str] = DEFAULT_BREAKS,
        window: int = DEFAULT_WINDOW,
    ) -> Negation:
        return cls(
            cues=_alternation(cues, words=True),
            questions=_alternation(questions, words=True),
            conditionals=_alternation(conditionals, words=True),
            breaks=_alternation(breaks, words=False),
            window=window,
        )

    def negated(self, text: str, start: int, *, questions: bool = True) -> bool:
        """Whether the match at `start` of the (folded) text is negated, or hypothetical with `questions`."""
        if self.breaks is not None and self.breaks.match(text, start):
            return False  # the match opens its own clause ("i'll post ...")
        clause = text[max(0, start - _LOOKBACK) : start]
        if self.breaks is not None:
            cut = 0
            for found in self.breaks.finditer(clause):
                cut = found.end()
            clause = clause[cut:]
        last: tuple[int, int, bool] | None = None  # (start, end, is_question) of the nearest cue
        for pattern, is_question in ((self.cues, False), (self.questions if questions else None, True)):
            if pattern is None:
                continue
            for found in pattern.finditer(clause):
                if last is None or found.start() > last[0]:
                    last = (found.start(), found.end(), is_question)
        if last is None or len(clause[last[1] :].split()) > self.window:
            return False
        # "if this isn't fixed by friday my lawyer...": a cue inside a condition negates the condition.
        return last[2] or self.conditionals is None or not self.conditionals.search(clause, 0, last[0])
