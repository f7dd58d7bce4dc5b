"""The `helpdesk-events` consumer's logic: a helpdesk partner event (the Zendesk Events Connector's
`Support Ticket: ...`) -> canonical messages, outcomes and redactions, through the ingestion service."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from baton.ingestion.connectors import zendesk_partner
from baton.ingestion.connectors.base import apply, validation_to_payload_error
from baton.ingestion.service import IngestionService

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    """What one partner event did, for the caller's metrics."""

    messages: int = 0
    outcomes: int = 0
    redactions: int = 0
    unknown_topic: bool = False

    def counts(self) -> dict[str, int]:
        """The metrics this event adds."""
        return {
            "HelpdeskMessages": self.messages,
            "HelpdeskOutcomes": self.outcomes,
            "HelpdeskRedactions": self.redactions,
            "UnknownTopics": int(self.unknown_topic),
        }


def apply_partner_event(event: dict[str, Any], service: IngestionService) -> Report:
    """Translate and apply one partner event (the whole EventBridge event). A payload that breaks its topic's
    contract raises PayloadError naming the field (the record fails and reaches the DLQ after its retries)."""
    try:
        translation = zendesk_partner.translate(event)
    except ValidationError as exc:
        raise validation_to_payload_error(exc) from None
    applied = apply(translation, service)
    context = {"detail_type": translation.topic, "event_key": translation.dedup_key}
    if translation.unknown_topic:
        logger.warning(
            "unknown helpdesk event type acknowledged", extra={**context, "reason": translation.ignored}
        )
    elif translation.ignored:
        logger.info("helpdesk event acknowledged", extra={**context, "reason": translation.ignored})
    logger.debug(
        "helpdesk event applied",
        extra={
            **context,
            "messages": applied.messages,
            "outcomes": applied.outcomes,
            "redactions": applied.redactions,
        },
    )
    return Report(applied.messages, applied.outcomes, applied.redactions, translation.unknown_topic)
