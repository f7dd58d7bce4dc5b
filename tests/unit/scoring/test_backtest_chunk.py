"""The deployed backtest's chunk (`baton.scoring.backtest_chunk`, `functions/backtest_chunk`): an object of a run's
input in, the lines `baton backtest` writes for it out (same models, same parameters, byte for byte), every line it
could not read reported in the output, and a chunk too large for one invocation refused with what to do."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from baton.adapters.objects import MemoryObjectStore
from baton.decision.params import deployable, load_default
from baton.scoring import backtest
from baton.scoring.backtest_chunk import (
    CHUNK_MESSAGES,
    MAX_CHUNK_BYTES,
    ChunkError,
    ChunkRequest,
    ChunkScorer,
)
from baton.scoring.fakes import fake_models
from baton.scoring.loader import load_models, models_dir
from baton.scoring.scorer import Scorer

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "events" / "backtest" / "sample.jsonl"
BUCKET = "lake"
RUN = "2026-11"
KEY = f"backtest/in/{RUN}/chunk-00001.jsonl"


@dataclass
class Context:
    remaining_ms: int = 900_000
    function_name: str = "backtest"
    memory_limit_in_mb: int = 1769
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:backtest"
    aws_request_id: str = "0b0c0d0e-1111-2222-3333-444455556666"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture(scope="module")
def real_scorer() -> Scorer:
    return Scorer(load_models(models_dir()))


def _edge_cases() -> str:
    """The sample, with what a team's export holds beside it: a truncated line, a line without messages, a
    misspelt context key, a message without text (an attachment), a blank line, and CRLF line ends."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    extra = [
        '{"conversation_id": "cut-off", "messages": [{"role": "customer", "te',
        json.dumps({"conversation_id": "empty", "messages": []}),
        json.dumps(
            {
                "conversation_id": "typo",
                "acount": {"id": "a-1", "plan": "enterprise"},
                "messages": [{"role": "customer", "text": "Still broken, I want a person now"}],
            }
        ),
        json.dumps(
            {
                "conversation_id": "attachment",
                "messages": [
                    {"role": "customer", "text": ""},
                    {"role": "customer", "text": "see the screenshot: the export button does nothing"},
                ],
            }
        ),
        "",
    ]
    return "\r\n".join(lines[:3] + extra + lines[3:]) + "\r\n"


def _local(tmp_path: Path, text: str, *extra: str) -> str:
    """What `baton backtest` writes for `text`, run as a user runs it (one worker: this process)."""
    source = tmp_path / "input.jsonl"
    source.write_bytes(text.encode("utf-8"))
    out = tmp_path / "local.jsonl"
    backtest.main([str(source), "--workers", "1", "-o", str(out), *extra])
    return out.read_text(encoding="utf-8")


def _deployed(scorer: Any, text: str, params: str | None = None) -> tuple[str, Any]:
    store = MemoryObjectStore({(BUCKET, KEY): text.encode("utf-8")})
    chunks = ChunkScorer(store, scorer, load_default)
    request = ChunkRequest(bucket=BUCKET, key=KEY, run=RUN, size=len(text), params=params)
    result = chunks.run(request)
    return store.objects[(BUCKET, request.output_key)].decode("utf-8"), result


def _split(output: str) -> tuple[str, list[dict[str, Any]]]:
    """(the scored lines, the error lines) of an output object."""
    scored, errors = [], []
    for line in output.splitlines(keepends=True):
        row = json.loads(line)
        (errors if "error" in row else scored).append(line if "error" not in row else row)
    return "".join(scored), errors  # type: ignore[arg-type]


def test_the_output_is_byte_for_byte_what_baton_backtest_writes(tmp_path: Path, real_scorer: Scorer) -> None:
    text = _edge_cases()
    output, result = _deployed(real_scorer, text)
    scored, errors = _split(output)

    assert scored == _local(tmp_path, text)
    assert result.output == f"s3://{BUCKET}/backtest/out/{RUN}/scored/chunk-00001.jsonl"
    assert result.bad_lines == 2 and len(errors) == 2
    assert result.conversations == 8 + 2  # the sample's, the typo and the attachment
    assert result.messages == len(scored.splitlines())
    assert result.escalated >= 1


def test_a_run_with_its_own_parameters_decides_as_backtest_params_does(
    tmp_path: Path, real_scorer: Scorer
) -> None:
    document = json.loads(load_default().model_dump_json())
    document["thresholds"]["escalate"] = document["thresholds"]["monitor_escalate"] = 0.3
    document["thresholds"]["monitor"] = document["thresholds"]["exit"] = 0.2
    document["version"] = "strict-test"
    path = tmp_path / "strict.json"
    path.write_text(json.dumps(document))
    text = SAMPLE.read_text(encoding="utf-8")

    output, _ = _deployed(real_scorer, text, params=deployable(path.read_text()))

    assert output == _local(tmp_path, text, "--params", str(path))
    assert {json.loads(line)["decision"].get("model_version") for line in output.splitlines()} >= {
        "strict-test"
    }
    default, _ = _deployed(real_scorer, text)
    assert _escalations(output) > _escalations(default)


def _escalations(output: str) -> int:
    return sum(json.loads(line)["decision"]["action"] == "escalate" for line in output.splitlines())


def test_every_line_it_cannot_read_is_an_error_line_with_its_number(real_scorer: Scorer) -> None:
    text = _edge_cases()
    output, _ = _deployed(real_scorer, text)
    _, errors = _split(output)

    source = f"s3://{BUCKET}/{KEY}"
    assert [(e["input"], e["line"]) for e in errors] == [(source, 4), (source, 5)]
    assert errors[0]["error"].startswith("not valid JSON")
    assert errors[1]["error"] == "messages: a non-empty list is required"


def test_the_misspelt_key_and_the_empty_message_are_logged(
    real_scorer: Scorer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="baton.scoring.backtest_chunk")
    _deployed(real_scorer, _edge_cases())
    messages = {(r.getMessage(), getattr(r, "key", None)) for r in caplog.records}
    assert ("key not read", "acount") in messages
    assert ("message without text", None) in messages


def test_a_chunk_out_of_time_fails_with_what_to_do_and_writes_nothing() -> None:
    text = SAMPLE.read_text(encoding="utf-8") * 20
    store = MemoryObjectStore({(BUCKET, KEY): text.encode()})
    chunks = ChunkScorer(store, Scorer(fake_models()), load_default)

    with pytest.raises(ChunkError, match=f"cut the input into chunks of at most {CHUNK_MESSAGES} messages"):
        chunks.run(ChunkRequest(bucket=BUCKET, key=KEY, run=RUN, size=len(text)), remaining_s=lambda: 30.0)
    assert set(store.objects) == {(BUCKET, KEY)}


def test_an_object_over_the_limit_is_refused_before_it_is_read() -> None:
    store = MemoryObjectStore()  # reading anything would raise KeyError
    chunks = ChunkScorer(store, Scorer(fake_models()), load_default)
    request = ChunkRequest(bucket=BUCKET, key=KEY, run=RUN, size=MAX_CHUNK_BYTES + 1)

    with pytest.raises(ChunkError, match=r"over the \d+ one invocation reads: cut the input"):
        chunks.run(request)


def test_text_that_is_not_utf8_fails_the_chunk_clearly() -> None:
    store = MemoryObjectStore({(BUCKET, KEY): b'{"conversation_id": "caf\xe9"}\n'})
    chunks = ChunkScorer(store, Scorer(fake_models()), load_default)

    with pytest.raises(ChunkError, match="not UTF-8 text"):
        chunks.run(ChunkRequest(bucket=BUCKET, key=KEY, run=RUN))
    assert len(store.objects) == 1


def test_a_folder_placeholder_is_skipped() -> None:
    chunks = ChunkScorer(MemoryObjectStore(), Scorer(fake_models()), load_default)
    result = chunks.run(ChunkRequest(bucket=BUCKET, key=f"backtest/in/{RUN}/", run=RUN))
    assert result.output is None and result.conversations == 0


@pytest.mark.parametrize(
    ("key", "run"),
    [
        ("backtest/in/other-run/chunk-00001.jsonl", RUN),  # another run's object
        ("events/dt=2026-11-01/x.gz", RUN),  # the lake's events
        ("backtest/in/a/b/c.jsonl", "a/b"),  # a run name is one segment
    ],
)
def test_a_request_outside_its_runs_input_is_refused(key: str, run: str) -> None:
    with pytest.raises(ValidationError):
        ChunkRequest(bucket=BUCKET, key=key, run=run)


def test_the_handler_scores_the_item_and_returns_its_counts() -> None:
    from functions.backtest_chunk import handler

    text = SAMPLE.read_text(encoding="utf-8")
    store = MemoryObjectStore({(BUCKET, KEY): text.encode()})
    chunks = ChunkScorer(store, Scorer(fake_models()), load_default)
    # The Distributed Map's item (its ItemSelector): infra/constructs/backtest.py.
    item = {"bucket": BUCKET, "key": KEY, "size": len(text), "run": RUN, "params": None}

    result = handler.lambda_handler(item, Context(), chunks)

    assert result == {
        "input": f"s3://{BUCKET}/{KEY}",
        "output": f"s3://{BUCKET}/backtest/out/{RUN}/scored/chunk-00001.jsonl",
        "conversations": 8,
        "messages": 46,
        "bad_lines": 0,
        "escalated": result["escalated"],
    }
    assert len(store.objects[(BUCKET, f"backtest/out/{RUN}/scored/chunk-00001.jsonl")].splitlines()) == 46


def test_the_handler_fails_the_item_when_time_runs_out() -> None:
    from functions.backtest_chunk import handler

    text = SAMPLE.read_text(encoding="utf-8")
    store = MemoryObjectStore({(BUCKET, KEY): text.encode()})
    chunks = ChunkScorer(store, Scorer(fake_models()), load_default)
    item = {"bucket": BUCKET, "key": KEY, "size": len(text), "run": RUN, "params": None}

    with pytest.raises(ChunkError, match=r"s of the invocation left .* cut the input"):
        handler.lambda_handler(item, Context(remaining_ms=20_000), chunks)
