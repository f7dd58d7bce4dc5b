"""The ingest function's cold path (`baton.ingestion.entry`): a container imports no more than a bare Powertools
handler, answers a health check as the API does, and builds the API for everything else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from api_client import api_event

from baton.ingestion import api as api_module
from baton.ingestion.entry import HEALTH_PATH, LazyApi, is_health_check

ROOT = Path(__file__).resolve().parents[3]


def _no_deps() -> Any:
    raise AssertionError("a health check builds no dependency")


def _event(method: str, path: str) -> dict[str, Any]:
    event = api_event("health.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    return event


def test_a_cold_health_check_is_answered_exactly_as_the_api_answers_it() -> None:
    cold = LazyApi(_no_deps)

    answer = cold.resolve(api_event("health.json"), None)

    assert cold._api is None  # the API was not built for it
    assert answer == api_module.create_app(_no_deps).resolve(api_event("health.json"), None)
    assert answer["statusCode"] == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("POST", HEALTH_PATH, 405), ("GET", HEALTH_PATH + "/", 404), ("GET", "/v1/nowhere", 404)],
)
def test_anything_else_is_the_apis_to_answer(method: str, path: str, status: int) -> None:
    cold = LazyApi(_no_deps)

    answer = cold.resolve(_event(method, path), None)

    assert answer["statusCode"] == status
    assert json.loads(answer["body"])["error"] in ("method_not_allowed", "not_found")
    assert cold._api is not None


def test_once_the_api_is_built_it_answers_health_checks_too(monkeypatch: pytest.MonkeyPatch) -> None:
    cold = LazyApi(_no_deps)
    cold.resolve(_event("GET", "/v1/nowhere"), None)
    monkeypatch.setattr(cold, "health", None)  # the bare resolver is not used again

    assert cold.resolve(api_event("health.json"), None)["statusCode"] == 200


def test_odd_events_are_not_health_checks() -> None:
    assert is_health_check(api_event("health.json"))
    assert not is_health_check(api_event("post_message.json"))
    assert not is_health_check({})
    assert not is_health_check({"rawPath": HEALTH_PATH, "requestContext": None})


def test_a_container_imports_what_a_bare_powertools_handler_does_until_a_request_needs_more() -> None:
    code = """
import json, sys
from functions.ingest_api import handler
imported = set(sys.modules)
sys.path.insert(0, "tests/unit")
from api_client import LambdaContext
event = json.load(open("events/api/health.json"))
assert handler.lambda_handler(event, LambdaContext())["statusCode"] == 200
after_health = set(sys.modules)
print(json.dumps({
    "init": sorted(m for m in imported if m.split(".")[0] in ("pydantic", "boto3", "baton")),
    "health": sorted(m for m in after_health - imported if m.split(".")[0] in ("pydantic", "boto3", "baton")),
}))
"""
    env = {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env
    )
    imported = json.loads(result.stdout.splitlines()[-1])
    assert imported == {"init": ["baton", "baton.ingestion", "baton.ingestion.entry"], "health": []}
