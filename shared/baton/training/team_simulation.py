"""A simulated support team, for the refit on outcomes (`bench/outcomes_refit.py`, the unit tests).

Conversations are built at the decision's input level, fast and without text models: per customer message the
scores the scoring capability would give (sentiment, frustration, intent and its confidence, out-of-scope,
complexity, rephrasings, repeats, negative feedback, a request for a human), per bot answer its confidence, and
the arc folded by the scoring capability's own `baton.scoring.arc.advance`; each conversation has an account
(plan, segment, annual value, sometimes a renewal within 30 days), so business sensitivity applies as in
production. Behind each conversation are two hidden facts: how hard the issue is for the bot and how patient
the customer is. The customer's frustration grows with impatience and with each failed bot answer; the bot
solves hard issues less often and is less confident on them; a solved issue ends with a thank-you.

A `Team` says when its conversations need a human: a logistic function of what happened (the customer's
peak true frustration, the bot's failed answers, the issue's difficulty, a cancellation, an enterprise
account), or the shipped risk itself (`matches_shipped`: the control, a team exactly as the shipped parameters
assume). The team ran Baton with the shipped parameters: `outcome_of` replays each conversation through
`decide`, so `escalated_at_index` is where the shipped decision escalated, and the label follows from that and
the team's truth (true / false / missed escalation, contained), exactly as the feedback capability would label
it. The refit then sees what a real team would export.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from baton.decision.outcomes import Outcome, ground_truth, horizon

if TYPE_CHECKING:
    from baton.decision.params import DecisionParams
    from baton.feedback.labels import LabelName
    from baton.training.outcomes import Labelled

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

AREAS: tuple[tuple[str, str, float, float, float], ...] = (
    # product area, intent, share, difficulty offset, base complexity
    ("billing", "billing_question", 0.30, 0.0, 0.35),
    ("technical", "technical_issue", 0.30, 0.6, 0.60),
    ("account", "account_access", 0.15, 0.0, 0.40),
    ("how_to", "how_to_question", 0.15, -0.6, 0.25),
    ("cancellation", "cancel_subscription", 0.10, 0.2, 0.40),
)
PLANS: tuple[tuple[str, str, float, tuple[int, int]], ...] = (
    # plan, segment, share, annual value range
    ("starter", "smb", 0.50, (1_000, 6_000)),
    ("pro", "mid_market", 0.35, (10_000, 45_000)),
    ("enterprise", "enterprise", 0.15, (60_000, 250_000)),
)
RENEWAL_SOON = 0.1
"""Share of accounts renewing within 30 days (a business fact that lowers the thresholds)."""


@dataclass(frozen=True)
class Team:
    """When this team's conversations need a human: P = sigmoid(bias + frustration * (peak true frustration -
    0.4) / 0.2 + failures * failed bot answers + difficulty * the issue's difficulty + cancellation [a
    cancellation] + enterprise [an enterprise account]), or the shipped risk at the conversation's last
    message (`matches_shipped`)."""

    name: str
    description: str
    bias: float = -2.0
    frustration: float = 1.0
    failures: float = 0.0
    difficulty: float = 0.0
    cancellation: float = 0.0
    enterprise: float = 0.0
    matches_shipped: bool = False

    def need(self, latent: dict[str, Any]) -> float:
        z = (
            self.bias
            + self.frustration * (latent["peak_frustration"] - 0.4) / 0.2
            + self.failures * latent["failures"]
            + self.difficulty * latent["difficulty"]
            + self.cancellation * (latent["area"] == "cancellation")
            + self.enterprise * (latent["plan"] == "enterprise")
        )
        return 1 / (1 + math.exp(-z))


TEAMS: dict[str, Team] = {
    "shipped": Team(
        "shipped",
        "control: a conversation needs a human with the shipped risk at its last message",
        matches_shipped=True,
    ),
    "bot_stuck": Team(
        "bot_stuck",
        "needs a human when the bot keeps failing or the issue is hard, even from a polite customer; "
        "cancellations and enterprise accounts more often",
        bias=-3.0,
        frustration=0.5,
        failures=0.9,
        difficulty=0.8,
        cancellation=1.5,
        enterprise=1.0,
    ),
    "low_tolerance": Team(
        "low_tolerance",
        "needs a human at lower frustration than the shipped parameters assume (a premium support promise)",
        bias=-0.6,
        frustration=1.4,
        failures=0.3,
    ),
}


@dataclass(frozen=True)
class Simulated:
    conversation_id: str
    messages: list[Any]
    """`MessageSnapshot`s, customer and bot."""
    scored: list[tuple[Any, Any]]
    """Per message: (Scores, Arc)."""
    context: Any
    latent: dict[str, Any]


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _clip(v: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(max(v, low), high)


def _pick(rng: random.Random, rows: tuple[Any, ...], share: int) -> Any:
    return rng.choices(rows, weights=[r[share] for r in rows])[0]


def conversation(rng: random.Random, index: int, prefix: str = "sim") -> Simulated:
    """One simulated conversation (module docstring)."""
    from baton.context.models import Account, Context
    from baton.events import MessageSnapshot, Scores
    from baton.models import BotInfo, Customer, Role, Source
    from baton.scoring.arc import ArcState, Recent, advance

    area, intent, _, offset, base_complexity = _pick(rng, AREAS, 2)
    plan, segment, _, (low, high) = _pick(rng, PLANS, 2)
    conversation_id = f"{prefix}-{index}"
    account_id = f"{conversation_id}-acct"
    renewal = T0.date() + timedelta(
        days=rng.randint(3, 28) if rng.random() < RENEWAL_SOON else rng.randint(60, 330)
    )
    context = Context(
        account=Account(
            id=account_id,
            plan=plan,
            segment=segment,
            annual_value=float(rng.randint(low, high)),
            renewal_date=renewal,
            signup_date=date(2024, 1, 1) + timedelta(days=rng.randint(0, 600)),
        )
    )
    customer = Customer(id=f"{conversation_id}-cus", account_id=account_id)
    difficulty = rng.gauss(0.0, 1.0) + offset
    impatience = rng.gauss(0.0, 1.0)
    rounds = rng.randint(2, 7)
    messages: list[MessageSnapshot] = []
    scored: list[tuple[Scores, Any]] = []
    state = ArcState()
    failures = 0
    peak = 0.0
    solved = False
    last_customer: str | None = None
    bot_failed = False

    def add(role: Role, text: str, scores: Scores, confidence: float | None = None) -> None:
        nonlocal state
        seq = len(messages) + 1
        at = T0 + timedelta(minutes=seq)
        message = MessageSnapshot(
            message_id=f"{conversation_id}-{seq - 1}",
            seq=seq,
            role=role,
            text=text,
            sent_at=at,
            received_at=at,
            source=Source.api,
            customer=customer,
            bot=BotInfo(confidence=round(confidence, 3)) if confidence is not None else None,
        )
        remember = (
            Recent(message_id=message.message_id, seq=seq, minhash="") if role == Role.customer else None
        )
        state = advance(state, message, scores, remember=remember)
        messages.append(message)
        scored.append((scores, state.public()))

    for turn in range(rounds + 1):
        if solved or turn == rounds:
            # The closing message: thanks after a solution; after the last failed answer, a last word.
            frustration = (
                0.03 if solved else _sigmoid(-1.8 + 0.8 * impatience + 0.7 * failures + rng.gauss(0, 0.6))
            )
        else:
            frustration = _sigmoid(-1.8 + 0.8 * impatience + 0.7 * failures + rng.gauss(0, 0.6))
        peak = max(peak, frustration)
        sentiment = 0.6 if solved else _clip(0.35 - 1.3 * frustration + rng.gauss(0, 0.2), -1.0, 1.0)
        confidence = _sigmoid(1.2 - 0.5 * difficulty + rng.gauss(0, 0.7))
        out_of_scope = confidence < 0.3
        reacting = bot_failed and not solved
        scores = Scores(
            sentiment=round(sentiment, 3),
            frustration=round(_clip(frustration + rng.gauss(0, 0.05), 0.001, 0.999), 3),
            intent=None if out_of_scope else intent,
            intent_confidence=round(confidence, 3),
            out_of_scope=out_of_scope,
            product_area=None if out_of_scope else area,
            complexity=round(_clip(base_complexity + 0.1 * difficulty + rng.gauss(0, 0.1)), 3),
            rephrase_of=last_customer if reacting and rng.random() < 0.5 else None,
            repeat_of=last_customer if reacting and rng.random() < 0.1 else None,
            negative_feedback=reacting and rng.random() < 0.35,
            asks_for_human=(not solved)
            and rng.random() < _sigmoid(-4.5 + 2.5 * frustration + 0.4 * failures),
        )
        add(Role.customer, "thanks, that fixed it" if solved else f"message {turn + 1}", scores)
        last_customer = messages[-1].message_id
        if solved or turn == rounds:
            break
        solved = rng.random() < _sigmoid(0.4 - 1.1 * difficulty - 0.2 * turn)
        bot_failed = not solved
        failures += bot_failed
        bot_confidence = _clip(_sigmoid(0.8 - 0.9 * difficulty + rng.gauss(0, 0.5)), 0.01, 0.99)
        add(Role.bot, "bot answer", Scores(bot_confidence=round(bot_confidence, 3)), bot_confidence)
    latent = {
        "area": area,
        "plan": plan,
        "difficulty": difficulty,
        "impatience": impatience,
        "failures": failures,
        "peak_frustration": peak,
        "solved": solved,
    }
    return Simulated(conversation_id, messages, scored, context, latent)


def _full(sim: Simulated, needed: bool = False) -> Labelled:
    from baton.training.outcomes import Labelled

    return Labelled(sim.conversation_id, needed, sim.messages, sim.scored, sim.context)


def outcome_of(sim: Simulated, needed: bool, shipped: DecisionParams) -> Outcome:
    """The outcome the team exports after running Baton with `shipped` (module docstring)."""
    from baton.training.outcomes import decided, replay

    indices = [i for i, m in enumerate(sim.messages) if decided(m)]
    decisions = replay(_full(sim), shipped)
    first = next((indices[i] for i, d in enumerate(decisions) if d.action == "escalate"), None)
    label: LabelName
    if first is None:
        label = "missed_escalation" if needed else "contained"
    else:
        label = "true_escalation" if needed else "false_escalation"
    return Outcome(label=label, escalated_at_index=first)


def labelled(
    team: Team, n: int, seed: int, shipped: DecisionParams, *, prefix: str = "sim"
) -> list[Labelled]:
    """`n` conversations of `team` (seeded) with their outcomes, as the refit reads them: decided up to the
    shipped decision's escalation, the ground truth from the exported label (`baton.decision.outcomes`)."""
    from baton.training.outcomes import Labelled, replay, segments_of

    rng = random.Random(seed)
    out: list[Labelled] = []
    for i in range(n):
        sim = conversation(rng, i, prefix)
        p = replay(_full(sim), shipped)[-1].risk if team.matches_shipped else team.need(sim.latent)
        outcome = outcome_of(sim, rng.random() < p, shipped)
        truth = ground_truth(outcome)
        assert truth.needed is not None
        h = horizon(outcome, len(sim.messages))
        out.append(
            Labelled(
                conversation_id=sim.conversation_id,
                needed=truth.needed,
                messages=sim.messages[:h],
                scored=sim.scored[:h],
                context=sim.context,
                segments=segments_of(sim.context, sim.scored[:h]),
            )
        )
    return out
