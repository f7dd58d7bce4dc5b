"""`baton train entities`: the packet's learned id reader, trained from the labelled sets (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton.routing import entity_model
from baton.training import entities

ROOT = Path(__file__).resolve().parents[3]
DEV = ROOT / "events" / "labelled" / "handoff_entities.jsonl"


def test_training_writes_a_model_the_packet_loads_and_its_card_the_same_each_time(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    assert entities.main(["--data", str(DEV), "--out", str(out)]) == 0
    first = out.read_bytes()
    assert entities.main(["--data", str(DEV), "--out", str(out)]) == 0
    assert out.read_bytes() == first  # deterministic
    model = entity_model.load_model(out)
    assert model is not None and model.kinds == entity_model.KINDS
    card = (tmp_path / "ENTITY_MODEL.md").read_text(encoding="utf-8")
    assert "baton train entities --data" in card and "leave-one-author-out" in card
    text = "please look at order QX-55102 today"
    kind, p = model.classify(text, text.index("QX"), text.index(" today"))
    assert (kind, p >= model.threshold) == ("order_id", True)


def test_a_line_that_is_no_labelled_conversation_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "messages": []}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad.jsonl:1: not a labelled conversation"):
        entities.main(["--data", str(bad), "--out", str(tmp_path / "m.json")])
    with pytest.raises(SystemExit, match="no such file"):
        entities.main(["--data", str(tmp_path / "absent.jsonl"), "--out", str(tmp_path / "m.json")])
