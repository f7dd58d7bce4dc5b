"""Assertions shared by the helpdesk translation tests."""

from __future__ import annotations

import re
from typing import Any

from baton.models import ID_PATTERN


def only_message(translation: Any, source: str) -> tuple[str, Any]:
    """The single canonical message of a translation, checked to come from `source` with valid ids."""
    assert len(translation.messages) == 1, translation
    conversation_id, message, message_source = translation.messages[0]
    assert message_source == source
    assert re.match(ID_PATTERN, conversation_id) and re.match(ID_PATTERN, message.message_id)
    return conversation_id, message
