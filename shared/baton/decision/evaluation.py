"""`baton eval conversations FILE`: how the decision does on labelled conversations.

FILE is `baton backtest` input (one conversation per line) with a label per conversation:
`expected` (`escalate` or `resolve`: what a support lead says the conversation needed), optionally
`escalate_by` (the 1-based customer message by which an escalation is still in time) and `borderline`
(true: a judgement call, reported apart). The same scorer and decision code as the functions run over it
(`baton.scoring.backtest.run`), and the report says:

- how many of each label were escalated, and for `escalate` how many in time;
- the AUROC of the conversation's peak risk, escalate against resolve, where a guardrail ranks above any
  risk (a guardrail escalates whatever the risk): how well the risk orders conversations, whatever the
  thresholds;
- the top reasons of the escalations of `resolve` conversations (what to look at first);
- with `--errors`, every conversation decided against its label: where it escalated (or never), by when it
  should have, its peak risk, and the reason of its escalation.

Conversations without `expected` are scored but not counted.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LABELS = ("escalate", "resolve")
DEVELOPMENT_SETS = (
    "support_conversations.jsonl",
    *(
        f"support_conversations_test{i}.jsonl"
        for i in (*range(2, 19), 20, 23, 25, 26, 30, 32, 34, *range(35, 76, 2))
    ),
)
"""The labelled conversation sets in `events/labelled/` read so far, one author each: the handover model trains
on them (`baton train handover`; `HANDOVER_SETS` below), `bench/quality.py` reports them, and each keeps a floor
(`tests/unit/decision/test_conversation_sets.py`)."""
LONG_AGENT_SETS = tuple(
    f"support_conversations_test{i}.jsonl" for i in (30, 32, 34, 35, 37, 39, 43, 47, 53, 57, 63, 67, 71, 75)
)
"""The development sets of long conversations with an LLM agent (6 to 14 customer messages)."""
NOT_YET_TRAINED_ON = tuple(f"support_conversations_test{i}.jsonl" for i in (51, 55, 59, 61, 65, 69, 73))
"""Development sets read after the handover model's last retrain: left out of its training until the next one is
measured by leave one author out (the fifty-first, fifty-fifth, fifty-ninth, sixty-first, sixty-fifth, sixty-ninth and
seventy-third, read after the sixteenth session's retrain with the forty-fifth and the forty-ninth, which measured
the same 868 of 984 in time and 78 of 1,184 `resolve` escalated on the other sets at the old threshold,
docs/decision.md, "The forty-seventh and forty-ninth sets read"; with the first five of them the retrain measured
the same again, "The sixty-fifth and sixty-seventh sets read")."""
HANDOVER_SETS = tuple(
    name for name in DEVELOPMENT_SETS if name not in LONG_AGENT_SETS and name not in NOT_YET_TRAINED_ON
)
"""The sets the shipped handover model is trained on (`baton train handover`'s default): every development set
since the long calm dialogues' round but the long conversations with an LLM agent: trained with the thirtieth, the
model reached 820 of the other twenty-two sets' 941 escalations in time leaving one author out, against 827 without
(docs/decision.md, "Long conversations with an LLM agent: the thirtieth set read"); the thirty-second,
thirty-fourth and thirty-fifth are left out the same way. Before that round, the sets read
after a retrain were left out until the next one (the eighteenth, twenty-third and twenty-fifth: retrained with them
the model measured the same leave one author out on the others, docs/decision.md, "The eighteenth set read", "The
twenty-third set read", "The twenty-fifth set read")."""
HELD_OUT_SETS = tuple(
    f"support_conversations_test{i}.jsonl"
    for i in (19, 21, 22, 24, 27, 28, 29, 31, 33, 36, *range(38, 77, 2))
)
"""The newest authors' sets, written blind: measured, never read nor trained on until a newer author's is written."""


@dataclass
class Outcome:
    conversation_id: str
    expected: str
    borderline: bool
    escalate_by: int | None
    escalated_at: int | None
    """1-based customer message whose decision escalated, None if never."""
    peak_risk: float
    guardrail: str | None
    top_reason: str | None

    @property
    def in_time(self) -> bool:
        return self.escalated_at is not None and (
            self.escalate_by is None or self.escalated_at <= self.escalate_by
        )

    @property
    def rank_score(self) -> float:
        return self.peak_risk + (1.0 if self.guardrail else 0.0)


@dataclass
class Evaluation:
    outcomes: list[Outcome] = field(default_factory=list)

    def rows(self, *, borderline: bool | None = False) -> list[Outcome]:
        return [o for o in self.outcomes if borderline is None or o.borderline == borderline]

    def summary(self, *, borderline: bool | None = False) -> dict[str, Any]:
        rows = self.rows(borderline=borderline)
        out: dict[str, Any] = {"conversations": len(rows)}
        for label in LABELS:
            group = [o for o in rows if o.expected == label]
            escalated = [o for o in group if o.escalated_at is not None]
            out[label] = {
                "n": len(group),
                "escalated": len(escalated),
                "escalated_share": round(len(escalated) / len(group), 3) if group else None,
            }
            if label == "escalate":
                out[label]["in_time"] = sum(o.in_time for o in group)
                out[label]["in_time_share"] = (
                    round(sum(o.in_time for o in group) / len(group), 3) if group else None
                )
        out["peak_risk_auroc"] = auroc(
            [int(o.expected == "escalate") for o in rows], [o.rank_score for o in rows]
        )
        out["peak_risk_auroc_without_guardrails"] = auroc(
            [int(o.expected == "escalate") for o in rows], [o.peak_risk for o in rows]
        )
        out["false_escalation_reasons"] = dict(
            Counter(
                o.top_reason or "?" for o in rows if o.expected == "resolve" and o.escalated_at
            ).most_common()
        )
        return out

    def render(self) -> str:
        lines = []
        for title, flag in (("clear cases", False), ("borderline", True)):
            s = self.summary(borderline=flag)
            if not s["conversations"]:
                continue
            e, r = s["escalate"], s["resolve"]
            n = s["conversations"]
            lines.append(f"{title}: {n} conversation{'s' if n != 1 else ''}")
            lines.append(f"  {'label':10} {'n':>4} {'escalated':>10} {'share':>7} {'in time':>8}")
            lines.append(
                f"  {'escalate':10} {e['n']:>4} {e['escalated']:>10} {_pct(e['escalated_share']):>7} "
                f"{_pct(e.get('in_time_share')):>8}"
            )
            lines.append(f"  {'resolve':10} {r['n']:>4} {r['escalated']:>10} {_pct(r['escalated_share']):>7}")
            lines.append(
                f"  peak-risk AUROC (guardrail above any risk): {_num(s['peak_risk_auroc'])}; risk alone: "
                f"{_num(s['peak_risk_auroc_without_guardrails'])}"
            )
            if s["false_escalation_reasons"]:
                reasons = ", ".join(f"{k} {v}" for k, v in s["false_escalation_reasons"].items())
                lines.append(f"  escalated 'resolve' conversations, top reason: {reasons}")
        return "\n".join(lines)

    def errors(self) -> list[Outcome]:
        """The conversations decided against their label, clear cases first: `escalate` ones escalated late
        or never, `resolve` ones escalated."""
        wrong = [
            o
            for o in self.outcomes
            if (o.expected == "escalate" and not o.in_time) or (o.expected == "resolve" and o.escalated_at)
        ]
        return sorted(wrong, key=lambda o: (o.borderline, o.expected, o.conversation_id))

    def render_errors(self) -> str:
        lines = ["decided against the label (customer message numbers; peak risk; the escalation's reason):"]
        for o in self.errors():
            kind = "borderline " if o.borderline else ""
            if o.expected == "escalate":
                by = f"by {o.escalate_by}" if o.escalate_by is not None else "at all"
                when = f"escalated at {o.escalated_at}" if o.escalated_at else "never escalated"
                what = f"{kind}escalate {by}: {when}"
            else:
                what = f"{kind}resolve: escalated at {o.escalated_at}"
            why = f"; {o.top_reason}" if o.top_reason else ""
            lines.append(f"  {o.conversation_id}  {what}; peak risk {o.peak_risk:.2f}{why}")
        if len(lines) == 1:
            lines.append("  none")
        return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def auroc(y: list[int], scores: list[float]) -> float | None:
    """Mann-Whitney AUROC (ties count half); None with one class."""
    pos = [s for s, t in zip(scores, y, strict=True) if t]
    neg = [s for s, t in zip(scores, y, strict=True) if not t]
    if not pos or not neg:
        return None
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return round(wins / (len(pos) * len(neg)), 4)


def evaluate_file(path: Path, scorer: Any, params: Any) -> Evaluation:
    """Run the backtest over `path` and compare each labelled conversation with what the decision did."""
    from baton.scoring.backtest import run

    text = path.read_text(encoding="utf-8")
    labels: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        if line.strip():
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue  # the backtest reports it
            if isinstance(data, dict) and data.get("expected") in LABELS:
                labels[str(data.get("conversation_id"))] = data
    sink = io.StringIO()
    run(scorer, io.StringIO(text), sink, name=str(path), params=params)
    by_conversation: dict[str, list[dict[str, Any]]] = {}
    for line in sink.getvalue().splitlines():
        row = json.loads(line)
        by_conversation.setdefault(row["conversation_id"], []).append(row)
    evaluation = Evaluation()
    for conversation_id, label in labels.items():
        rows = by_conversation.get(conversation_id, [])
        decided = [
            r["decision"] for r in rows if r["role"] == "customer" and r["decision"].get("decided", True)
        ]
        escalated_at = next((i for i, d in enumerate(decided, start=1) if d["action"] == "escalate"), None)
        escalation = decided[escalated_at - 1] if escalated_at else None
        by = label.get("escalate_by")
        evaluation.outcomes.append(
            Outcome(
                conversation_id=conversation_id,
                expected=label["expected"],
                borderline=bool(label.get("borderline")),
                escalate_by=int(by) if isinstance(by, int) else None,
                escalated_at=escalated_at,
                peak_risk=max((d["risk"] for d in decided), default=0.0),
                guardrail=next((d["guardrail"] for d in decided if d.get("guardrail")), None),
                top_reason=escalation["reasons"][0]["code"] if escalation and escalation["reasons"] else None,
            )
        )
    return evaluation
