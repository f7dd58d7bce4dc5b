"""Business context of a conversation, and the facts the decision reads from it.

The enrichment step (DynamoDB tables, `baton context import`, or inline on a `baton backtest` line) builds a
`Context`; `business_facts(context, ...)` turns it into `Facts`, the yes/no answers the decision engine uses:

| fact            | holds when                                                                  | effect       |
|-----------------|-----------------------------------------------------------------------------|--------------|
| high_value      | `account.annual_value >= params.business.high_value_annual`                 | sensitivity  |
| renewal_soon    | `account.renewal_date` within `renewal_days` (30) after `now`               | sensitivity  |
| new_customer    | `account.signup_date` within `new_customer_days` (30) before `now`          | sensitivity  |
| at_risk         | `account.health` is `at_risk` / `churning` (separate multipliers)           | sensitivity  |
| known_incident  | an *active* incident matches (intent, product area, or a keyword in text)   | sensitivity  |
| errors_seen     | the product showed the customer an error within `recent_error_minutes`      | sensitivity  |
| repeat_contact  | an earlier conversation on the same intent closed within `repeat_contact_days` | risk      |

Business facts change how sensitive the decision is (its thresholds), never the risk itself; repeat contact
is evidence the issue is not solved, so it is part of the risk (see `baton.decision.engine`).

Incident matching, most specific first: a keyword of the incident found in the message text or in an error
the customer saw (word-bounded, case and accents folded), the message's intent among the incident's
`intents` (or an intent seen earlier in the conversation), the message's product area equal to the
incident's `product_area`. Every match is reported (`IncidentMatch`: id, title, ETA, what matched) so the
agent or the bot can acknowledge the incident and give its ETA instead of troubleshooting.

Models are strict about shape (unknown fields are errors naming the field) and lenient about spelling
where imports need it: numbers as strings ("120000") and ISO dates are read; timestamps without an offset
are UTC (the API's rule). `Context.model_validate` raises pydantic's ValidationError, whose `errors()`
name the field: `baton context import` reports them by line.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from baton.models import Id, UtcDatetime, utcnow

Health = Literal["healthy", "at_risk", "churning"]
IncidentStatus = Literal["active", "resolved"]
Text = Annotated[str, StringConstraints(min_length=1, max_length=256, strip_whitespace=True)]
Keyword = Annotated[str, StringConstraints(min_length=2, max_length=64, strip_whitespace=True)]


def _no_bool(value: Any) -> Any:
    # pydantic reads true as 1.0: a CRM export with a boolean in a money column has a bug to hear about.
    if isinstance(value, bool):
        raise ValueError("must be a number")
    return value


def _date_part(value: Any) -> Any:
    # CRMs export dates as dates or as midnight timestamps: both mean the day.
    if isinstance(value, str) and "T" in value:
        return value.split("T", 1)[0]
    if isinstance(value, datetime):
        return value.date()
    return value


Money = Annotated[float, Field(ge=0.0, allow_inf_nan=False), BeforeValidator(_no_bool)]
Day = Annotated[date, BeforeValidator(_date_part)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Account(_Model):
    id: Id
    plan: Text | None = None
    annual_value: Money | None = Field(default=None, description="Annual contract value, account currency")
    renewal_date: Day | None = None
    signup_date: Day | None = None
    health: Health | None = Field(default=None, description="CRM health: healthy, at_risk or churning")
    segment: Text | None = None
    owner: Text | None = Field(default=None, description="Account owner (CSM / AM), for routing")


class HistoryItem(_Model):
    conversation_id: Id
    intent: Text | None = None
    closed_at: UtcDatetime
    outcome: Text | None = Field(default=None, description="e.g. resolved, unresolved, escalated, abandoned")


class Incident(_Model):
    id: Id
    title: Text
    product_area: Text | None = None
    intents: list[Text] = Field(default_factory=list, max_length=100)
    keywords: list[Keyword] = Field(default_factory=list, max_length=100)
    status: IncidentStatus = "active"
    eta: Annotated[str, StringConstraints(max_length=128, strip_whitespace=True)] | None = Field(
        default=None, description="Public ETA as the status page says it (free text or ISO time)"
    )


class ErrorSeen(_Model):
    at: UtcDatetime
    code: Annotated[str, StringConstraints(max_length=128)] | None = None
    message: Annotated[str, StringConstraints(max_length=1024)] | None = None


class Activity(_Model):
    page: Annotated[str, StringConstraints(max_length=2048)] | None = Field(
        default=None, description="Where the customer is (URL or route)"
    )
    recent_actions: list[Annotated[str, StringConstraints(max_length=256)]] = Field(
        default_factory=list, max_length=50
    )
    errors_seen: list[ErrorSeen] = Field(default_factory=list, max_length=50)


class Context(_Model):
    """Everything the decision knows about the customer beyond the conversation. All parts optional."""

    account: Account | None = None
    history: list[HistoryItem] = Field(default_factory=list, max_length=200)
    incidents: list[Incident] = Field(default_factory=list, max_length=200)
    activity: Activity | None = None
    now: UtcDatetime = Field(default_factory=utcnow, description="The decision's clock (a backtest sets it)")


class IncidentMatch(BaseModel):
    id: str
    title: str
    eta: str | None = None
    matched_on: Literal["keyword", "intent", "product_area", "conversation"]
    detail: str = Field(
        description="The keyword, intent or product area that matched (`conversation`: an earlier message of "
        "this conversation matched it, and the incident is still active)"
    )
    eta_passed: bool = Field(
        default=False, description="The ETA is a timestamp already past: do not promise it to the customer"
    )


class Facts(BaseModel):
    """What the context says, as the decision reads it (all false/None without context)."""

    high_value: bool = False
    annual_value: float | None = None
    renewal_soon: bool = False
    renewal_in_days: int | None = None
    new_customer: bool = False
    customer_for_days: int | None = None
    health: Health | None = None
    incidents: list[IncidentMatch] = Field(default_factory=list)
    errors_seen: int = 0
    repeat_contacts: int = 0
    """Earlier conversations on the same intent within `repeat_contact_days`."""
    repeat_intent: str | None = None
    last_contact_days: int | None = None
    last_outcome: str | None = None


def business_facts(
    context: Context,
    *,
    text: str = "",
    intents: Sequence[str] = (),
    product_area: str | None = None,
    high_value_annual: float = 50_000.0,
    renewal_days: int = 30,
    new_customer_days: int = 30,
    repeat_contact_days: int = 7,
    recent_error_minutes: int = 60,
    earlier_incidents: Sequence[str] = (),
) -> Facts:
    """The facts of `context` for a message (its `text`, the conversation's in-scope `intents`, latest
    first, the message's `product_area`, and the incidents earlier messages of the conversation matched:
    still active, they stay matched, so the agent sees them whatever the latest message says). Pure;
    `context.now` is the clock."""
    facts = Facts()
    now = context.now
    today = now.date()
    account = context.account
    if account is not None:
        if account.annual_value is not None:
            facts.annual_value = account.annual_value
            facts.high_value = account.annual_value >= high_value_annual
        if account.renewal_date is not None:
            days = (account.renewal_date - today).days
            facts.renewal_in_days = days
            facts.renewal_soon = 0 <= days <= renewal_days
        if account.signup_date is not None:
            days = (today - account.signup_date).days
            facts.customer_for_days = days
            facts.new_customer = 0 <= days <= new_customer_days
        facts.health = account.health
    errors = _recent_errors(context, now, recent_error_minutes)
    facts.errors_seen = len(errors)
    matched = match_incidents(
        context.incidents, text=" ".join([text, *errors]), intents=intents, product_area=product_area
    )
    seen = {m.id for m in matched}
    matched += [
        IncidentMatch(
            id=i.id,
            title=i.title,
            eta=i.eta,
            matched_on="conversation",
            detail="an earlier message matched it",
        )
        for i in context.incidents
        if i.status == "active" and i.id in earlier_incidents and i.id not in seen
    ]
    facts.incidents = [m.model_copy(update={"eta_passed": _passed(m.eta, now)}) for m in matched]
    _repeat_contact(facts, context.history, intents, now, repeat_contact_days)
    return facts


def _passed(eta: str | None, now: datetime) -> bool:
    """True when the ETA is an ISO timestamp before `now` (free-text ETAs such as "16:00 UTC" are not judged)."""
    if not eta:
        return False
    try:
        when = datetime.fromisoformat(eta.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=now.tzinfo)
    return when < now


def _recent_errors(context: Context, now: datetime, minutes: int) -> list[str]:
    if context.activity is None:
        return []
    since = now - timedelta(minutes=minutes)
    return [
        " ".join(part for part in (e.code, e.message) if part)
        for e in context.activity.errors_seen
        if since <= e.at <= now + timedelta(minutes=1)  # a clock a little ahead is still "recent"
    ]


def _repeat_contact(
    facts: Facts, history: Iterable[HistoryItem], intents: Sequence[str], now: datetime, days: int
) -> None:
    if not intents:
        return
    since = now - timedelta(days=days)
    wanted = {i.casefold() for i in intents}
    same = sorted(
        (h for h in history if h.intent and h.intent.casefold() in wanted and since <= h.closed_at <= now),
        key=lambda h: h.closed_at,
    )
    if not same:
        return
    last = same[-1]
    facts.repeat_contacts = len(same)
    facts.repeat_intent = last.intent
    facts.last_contact_days = (now - last.closed_at).days
    facts.last_outcome = last.outcome


def match_incidents(
    incidents: Iterable[Incident],
    *,
    text: str = "",
    intents: Sequence[str] = (),
    product_area: str | None = None,
) -> list[IncidentMatch]:
    """The active incidents this message is about, each once, by its most specific match."""
    normal = fold(text)
    wanted = {i.casefold() for i in intents}
    area = product_area.casefold() if product_area else None
    found = []
    for incident in incidents:
        if incident.status != "active":
            continue
        match = _keyword(incident, normal)
        if match is None:
            hit = next((i for i in incident.intents if i.casefold() in wanted), None)
            if hit is not None:
                match = IncidentMatch(
                    id=incident.id, title=incident.title, eta=incident.eta, matched_on="intent", detail=hit
                )
        if match is None and area and incident.product_area and incident.product_area.casefold() == area:
            match = IncidentMatch(
                id=incident.id,
                title=incident.title,
                eta=incident.eta,
                matched_on="product_area",
                detail=incident.product_area,
            )
        if match is not None:
            found.append(match)
    order = {"keyword": 0, "intent": 1, "product_area": 2}
    return sorted(found, key=lambda m: order[m.matched_on])


def _keyword(incident: Incident, normal: str) -> IncidentMatch | None:
    if not normal:
        return None
    for keyword in incident.keywords:
        if _keyword_pattern(fold(keyword)).search(normal):
            return IncidentMatch(
                id=incident.id, title=incident.title, eta=incident.eta, matched_on="keyword", detail=keyword
            )
    return None


@functools.lru_cache(maxsize=1024)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    # Word-bounded, and a trailing plural/verb ending still matches ("export" finds "exports", "exporting").
    words = r"\s+".join(re.escape(w) for w in keyword.split())
    return re.compile(rf"(?<!\w){words}(?:s|es|ed|ing)?(?!\w)")


@functools.lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Lower case, accents removed, typographic apostrophes straightened, whitespace collapsed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
