"""JSON Schemas of the bus contracts and the API bodies, exported to events/schemas/.

`baton schemas export` writes them; a test fails when the committed files are stale, so a contract
change is always visible in review as a schema diff.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from baton.events import EVENT_TYPES
from baton.handoff import PACKET_VERSION, HandoffPacket
from baton.models import Conversation, ErrorBody, MessageAccepted, MessageIn

API_MODELS: dict[str, type[BaseModel]] = {
    "MessageIn": MessageIn,
    "MessageAccepted": MessageAccepted,
    "Conversation": Conversation,
    "ErrorBody": ErrorBody,
}


PAYLOAD_MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "HandoffPacket": (HandoffPacket, PACKET_VERSION),
}
"""Versioned contracts that travel inside events and are read on their own (a helpdesk integration reads the
handoff packet): a schema file each, beside the events'."""


def render() -> dict[str, str]:
    """File name -> JSON text for every schema."""
    files: dict[str, str] = {}
    for detail_type, cls in EVENT_TYPES.items():
        schema = cls.model_json_schema(mode="serialization")
        schema["$id"] = f"https://baton.dev/schemas/events/{detail_type}.v{cls.VERSION}.json"
        schema["description"] = (cls.__doc__ or "").strip() or detail_type
        schema["x-eventbridge"] = {
            "source": cls.SOURCE,
            "detail-type": cls.DETAIL_TYPE,
            "version": cls.VERSION,
        }
        files[f"events/{detail_type}.v{cls.VERSION}.json"] = _dump(schema)
    for name, (model, version) in PAYLOAD_MODELS.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$id"] = f"https://baton.dev/schemas/events/{name}.v{version}.json"
        schema["description"] = (model.__doc__ or "").strip() or name
        files[f"events/{name}.v{version}.json"] = _dump(schema)
    for name, model in API_MODELS.items():
        files[f"api/{name}.json"] = _dump(
            model.model_json_schema(mode="validation" if name == "MessageIn" else "serialization")
        )
    return files


def _dump(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def export(out_dir: Path | str) -> list[Path]:
    out = Path(out_dir)
    written = []
    for rel, text in render().items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    return written


def stale(out_dir: Path | str) -> list[str]:
    """Schema files that are missing or differ from the code."""
    out = Path(out_dir)
    return [
        rel for rel, text in render().items() if not (out / rel).exists() or (out / rel).read_text() != text
    ]
