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


def test_the_composed_lines_are_the_same_for_a_seed_and_each_labels_what_its_text_holds() -> None:
    from baton.training.entity_synth import synthetic_cases

    lines = synthetic_cases(300, seed=5)
    assert lines == synthetic_cases(300, seed=5) and lines != synthetic_cases(300, seed=6)
    kinds = {e["kind"] for case in lines for e in case["entities"]}
    assert kinds == {"order_id", "invoice_id", "ticket_id", "error_code", "date"}
    for case in lines:
        (message,) = case["messages"]
        assert message["role"] == "customer" and case["escalated_seq"] == message["seq"]
        assert all(e["value"] in message["text"] for e in case["entities"]), case


def test_the_reader_trained_with_composed_lines_reads_a_date_and_a_code_it_was_not_shown(
    tmp_path: Path,
) -> None:
    """Shapes, not instances: a day and a month after a date's word, a code after an error's word, and their near
    misses (a retry count, a version)."""
    out = tmp_path / "model.json"
    assert entities.main(["--data", str(DEV), "--out", str(out), "--synthetic", "600"]) == 0
    model = entity_model.load_model(out)
    assert model is not None

    def read(text: str, span: str) -> tuple[str, bool]:
        start = text.index(span)
        kind, p = model.classify(text, start, start + len(span))
        return kind, p >= {"date": model.date_threshold, "error_code": model.code_threshold}.get(
            kind, model.threshold
        )

    assert read("we need the van back before 23-06, please", "23-06") == ("date", True)
    assert read("the kiosk shows Fehlercode QX-44 and stops", "QX-44") == ("error_code", True)
    assert (
        read("sync failed, retry 2/4 in the log", "2/4")[1] is False
        or read("sync failed, retry 2/4 in the log", "2/4")[0] != "date"
    )
    with pytest.raises(SystemExit, match="--synthetic"):
        entities.main(["--data", str(DEV), "--out", str(out), "--synthetic", "-1"])
