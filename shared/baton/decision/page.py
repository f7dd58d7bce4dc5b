"""What a message itself says about the customer's product activity (`MessageIn.page`), added to the
business context before a decision: the decision function (`baton.decision.service`), `baton backtest` and
the outcomes tools all call `with_page`. A module of its own, with no store behind it, so that `baton
backtest` (each of its workers) does not import the DynamoDB adapters: boto3 alone took about 0.15 s.
"""

from __future__ import annotations

from baton.context.models import Activity, Context, ErrorSeen
from baton.events import MessageSnapshot

ERROR_ACTION = ("error", "failed", "exception")
"""A `page.recent_actions` entry whose type contains one of these is an error the product showed."""


def with_page(context: Context, message: MessageSnapshot) -> Context:
    """The context with what the message itself says about the customer's product activity: the page they are
    on and their recent actions (errors among them count as errors seen, e.g. `error_shown`), in front of the
    stored activity."""
    page = message.page
    if page is None:
        return context
    stored = context.activity or Activity()
    errors = [
        # The API allows longer action types than an error code: keep the start, never fail the message on it.
        ErrorSeen(at=action.at, code=action.type[:128], message=action.detail)
        for action in page.recent_actions
        if any(word in action.type.lower() for word in ERROR_ACTION)
    ]
    activity = Activity(
        page=page.url[:2048],
        recent_actions=([a.type for a in page.recent_actions] + list(stored.recent_actions))[:50],
        errors_seen=(errors + list(stored.errors_seen))[:50],
    )
    return context.model_copy(update={"activity": activity})
