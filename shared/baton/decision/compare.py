"""`baton decision compare --outcomes FILE [--champion PARAMS] --challenger PARAMS`: would the challenger have
decided better than the champion on conversations whose outcome is known?

FILE is an outcome file (`baton.decision.outcomes`, what `baton outcomes export` writes): the backtest input format
(one conversation per line) with an `outcome` per line, `{label, csat, resolved_by, reopened, escalated_at_index}`.
The file is read as the refit reads it (`baton.decision.outcomes.read_outcomes`): who **needed a human**
(`true_escalation` or `missed_escalation`, yes; `contained` or `false_escalation`, no; without such a label a CSAT
of 2 or less or a reopen, yes, resolved by the bot with a CSAT of 4 or more, no; anything else skipped and
counted), and how far a replay decides (up to and including the message the real system escalated at: what
followed went to a person).

**Replay**: each conversation is scored once (the scorer `baton backtest` runs, in this process, in the same
chunks) and decided twice, with each parameters document, from its inline context (`backtest._Decider`, the
decide function's logic). A policy escalates a conversation when it escalates any of its customer messages.

**The comparison** is `baton.decision.promotion.compare` over (needed, champion escalated, challenger escalated):
expected cost per conversation (`--cost-missed` for a missed escalation, `--cost-false` for a false one), the
paired bootstrap interval of the difference, missed and false escalation rates, and the verdict under the
promotion rule. The conversations where the two differ are listed with each one's decision and the truth.
Nothing is promoted: the command prints the verdict and exits 0 (with `--fail-on-worse`, 1 when the challenger is
significantly worse: for CI), 2 for bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baton.decision.outcomes import OutcomeFile, OutcomeLine, read_outcomes
from baton.decision.promotion import KINDS, Comparison, compare, kind_of


@dataclass(frozen=True)
class PolicyRun:
    """One parameters document on one conversation."""

    escalated_at: int | None
    """The index in `messages` of the first decision that escalated (None: never)."""
    because: str | None
    """What escalated it: the guardrail, or `risk`."""
    last_action: str

    @property
    def escalated(self) -> bool:
        return self.escalated_at is not None

    def describe(self) -> str:
        if self.escalated_at is None:
            return f"never escalates (ends: {self.last_action})"
        return f"escalates at message {self.escalated_at + 1} ({self.because})"


@dataclass(frozen=True)
class Replayed:
    conversation_id: str
    line: int
    needed: bool
    truth: str
    """The ground-truth rule that decided `needed`."""
    champion: PolicyRun
    challenger: PolicyRun


def replay(lines: Sequence[OutcomeLine], scorer: Any, champion: Any, challenger: Any) -> Iterator[Replayed]:
    """Each conversation, up to its horizon, scored once in chunks as `baton backtest` does, and decided with
    both documents."""
    from baton.scoring.arc import ArcState
    from baton.scoring.backtest import BATCH_MESSAGES

    chunk: list[OutcomeLine] = []
    pending = 0
    for item in [*lines, None]:
        if item is not None:
            chunk.append(item)
            pending += item.decided_messages
        if chunk and (item is None or pending >= BATCH_MESSAGES):
            decided = [line.conversation.messages[: line.decided_messages] for line in chunk]
            results = scorer.score_batch([(ArcState(), messages) for messages in decided])
            for line, messages, scored in zip(chunk, decided, results, strict=True):
                arcs = [(scores, state.public()) for scores, state in scored]
                yield Replayed(
                    conversation_id=line.conversation_id,
                    line=line.line,
                    needed=bool(line.truth.needed),
                    truth=line.truth.rule,
                    champion=_run(line.conversation, messages, arcs, champion),
                    challenger=_run(line.conversation, messages, arcs, challenger),
                )
            chunk, pending = [], 0


def _run(conversation: Any, messages: list[Any], scored: list[tuple[Any, Any]], params: Any) -> PolicyRun:
    from baton.scoring.backtest import _Decider

    decider = _Decider(conversation, params)
    escalated_at: int | None = None
    because: str | None = None
    action = "resolve"
    for index, (message, (scores, arc)) in enumerate(zip(messages, scored, strict=True)):
        row = decider.decide(message, scores, arc)
        action = row["action"]
        if row.get("decided") and action == "escalate" and escalated_at is None:
            escalated_at, because = index, row.get("guardrail") or "risk"
    return PolicyRun(escalated_at=escalated_at, because=because, last_action=action)


@dataclass(frozen=True)
class Report:
    comparison: Comparison
    replayed: list[Replayed]
    read: OutcomeFile
    champion_version: str
    challenger_version: str

    @property
    def disagreements(self) -> list[Replayed]:
        return [r for r in self.replayed if r.champion.escalated != r.challenger.escalated]


def compare_outcomes(
    read: OutcomeFile,
    scorer: Any,
    champion: Any,
    challenger: Any,
    *,
    cost_missed: float = 5.0,
    cost_false: float = 1.0,
    seed: int = 0,
    bootstrap: int = 2000,
) -> Report:
    """The champion and the challenger (`DecisionParams`) on the conversations `read` holds (at least one)."""
    replayed = list(replay(read.usable, scorer, champion, challenger))
    comparison = compare(
        [(r.needed, r.champion.escalated, r.challenger.escalated) for r in replayed],
        cost_missed=cost_missed,
        cost_false=cost_false,
        seed=seed,
        bootstrap=bootstrap,
    )
    return Report(comparison, replayed, read, champion.version, challenger.version)


VERDICT_WORDS = {
    "promote": "PROMOTE: the challenger meets the promotion rule. Nothing is promoted automatically: put its "
    "document in the parameter store when you choose to (docs/decision.md)",
    "keep": "KEEP the champion: the challenger does not meet the promotion rule",
    "worse": "WORSE: the challenger costs significantly more than the champion (the interval lies above 0)",
}

_KIND_WORDS = {
    "new_miss": "new missed escalations",
    "caught_miss": "misses caught",
    "new_false": "new false escalations",
    "dropped_false": "false escalations avoided",
}


def render(report: Report) -> str:
    c = report.comparison
    read = report.read
    skipped = ", ".join(f"{why} {n}" for why, n in read.skipped.most_common()) or "none"
    lines = [
        f"{c.conversations} conversation{'s' if c.conversations != 1 else ''} with a known outcome "
        f"({c.needed} needed a human); skipped: {skipped}; unreadable lines: {len(read.bad)}",
        f"cost of a missed escalation {c.cost_missed:g}, of a false escalation {c.cost_false:g}",
        "",
    ]
    rows = [
        ("", "champion", "challenger"),
        ("parameters", report.champion_version, report.challenger_version),
        ("expected cost / conversation", f"{c.champion.cost:.4f}", f"{c.challenger.cost:.4f}"),
        (
            "escalated",
            _share(c.champion.escalated, c.conversations),
            _share(c.challenger.escalated, c.conversations),
        ),
        ("missed escalations", _share(c.champion.missed, c.needed), _share(c.challenger.missed, c.needed)),
        (
            "false escalations",
            _share(c.champion.false, c.conversations - c.needed),
            _share(c.challenger.false, c.conversations - c.needed),
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    low, high = c.interval
    relative = f" ({c.relative:+.1%})" if c.relative is not None else ""
    lines += [
        "",
        f"difference (challenger - champion): {c.difference:+.4f} per conversation{relative}; "
        f"{c.rule.confidence:.0%} interval [{low:+.4f}, {high:+.4f}] (paired bootstrap, {c.bootstrap} resamples, "
        f"seed {c.seed})",
        f"missed-escalation rate {100 * c.missed_rate_change:+.1f} points",
        f"disagreements: {sum(c.disagreements.values())} ("
        + ", ".join(f"{_KIND_WORDS[k]} {c.disagreements[k]}" for k in KINDS)
        + ")",
        "",
        f"verdict: {VERDICT_WORDS[c.verdict]}",
    ]
    lines += [f"  [{'x' if holds else ' '}] {check}" for check, holds in c.checks]
    differ = report.disagreements
    if differ:
        lines += [
            "",
            "conversations where they differ (line, id, truth, champion, challenger, who is right):",
        ]
        for r in differ:
            right = "challenger" if r.challenger.escalated == r.needed else "champion"
            truth = f"{'needed' if r.needed else 'not needed'} ({r.truth})"
            lines.append(
                f"  {r.line:>5}  {r.conversation_id}  {truth}; champion {r.champion.describe()}; "
                f"challenger {r.challenger.describe()}; {right} right"
            )
    return "\n".join(lines)


def to_json(report: Report) -> dict[str, Any]:
    c = report.comparison

    def policy(figures: Any, version: str) -> dict[str, Any]:
        return {"parameters": version, **figures.__dict__}

    return {
        "conversations": c.conversations,
        "needed": c.needed,
        "skipped": dict(report.read.skipped),
        "bad_lines": len(report.read.bad),
        "cost_missed": c.cost_missed,
        "cost_false": c.cost_false,
        "champion": policy(c.champion, report.champion_version),
        "challenger": policy(c.challenger, report.challenger_version),
        "difference": c.difference,
        "relative": c.relative,
        "interval": list(c.interval),
        "confidence": c.rule.confidence,
        "bootstrap": c.bootstrap,
        "seed": c.seed,
        "missed_rate_change": c.missed_rate_change,
        "disagreement_kinds": dict(c.disagreements),
        "verdict": c.verdict,
        "checks": [{"check": check, "holds": holds} for check, holds in c.checks],
        "disagreements": [
            {
                "conversation_id": r.conversation_id,
                "line": r.line,
                "needed": r.needed,
                "truth": r.truth,
                "kind": kind_of(r.needed, r.champion.escalated, r.challenger.escalated),
                "champion": {**r.champion.__dict__, "escalated": r.champion.escalated},
                "challenger": {**r.challenger.__dict__, "escalated": r.challenger.escalated},
            }
            for r in report.disagreements
        ],
    }


def _share(n: int, of: int) -> str:
    return f"{n} of {of} ({n / of:.1%})" if of else f"{n} of 0"


def _err(message: str) -> None:
    print(f"baton decision compare: {message}", file=sys.stderr, flush=True)


def main(
    outcomes: Path,
    challenger: Path,
    *,
    champion: Path | None = None,
    models: Path | None = None,
    cost_missed: float = 5.0,
    cost_false: float = 1.0,
    seed: int = 0,
    bootstrap: int = 2000,
    as_json: bool = False,
    fail_on_worse: bool = False,
    scorer: Any = None,
) -> int:
    """The command (`baton decision compare`); `scorer`: tests pass one (default: the shipped models, or
    `models`)."""
    from baton.decision.params import load, load_default
    from baton.errors import BatonError

    try:
        with outcomes.open(encoding="utf-8") as source:
            read = read_outcomes(source, str(outcomes))
    except OSError as exc:
        _err(f"cannot read {outcomes}: {exc.strerror or exc}")
        return 2
    for problem in [*read.warnings, *(f"{bad}; line skipped" for bad in read.bad)]:
        _err(problem)
    try:
        documents = (load(champion) if champion else load_default(), load(challenger))
        if scorer is None:
            from baton.scoring.loader import load_models, models_dir
            from baton.scoring.scorer import Scorer
            from baton.settings import Settings

            scorer = Scorer(load_models(models_dir(Settings.from_env().models_dir), override=models))
    except BatonError as exc:
        _err(str(exc))
        return 2
    if not read.usable:
        _err(f"{outcomes}: no conversation with a known outcome to compare on")
        return 2
    report = compare_outcomes(
        read,
        scorer,
        *documents,
        cost_missed=cost_missed,
        cost_false=cost_false,
        seed=seed,
        bootstrap=bootstrap,
    )
    print(json.dumps(to_json(report), indent=2) if as_json else render(report))
    return 1 if fail_on_worse and report.comparison.verdict == "worse" else 0
