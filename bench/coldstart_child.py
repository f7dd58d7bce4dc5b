"""One cold start in a fresh process: import the handler, then answer one POST (bench/run.py runs it).

Prints JSON {init_ms, first_ms}. `init` is what Lambda's INIT phase pays (module import), `first` the
first invocation. Interpreter start-up is the same for both handlers and is left out.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    aws_request_id = "bench-0001"


def main(kind: str) -> None:
    event = json.loads((ROOT / "events" / "api" / "post_message.json").read_text())
    t0 = time.perf_counter()
    if kind == "bare":
        import bare_handler as handler
    else:
        from functions.ingest_api import handler  # type: ignore[no-redef]
    t1 = time.perf_counter()
    if kind == "ingest":
        # The local bus stands in for EventBridge, installed as `baton local` installs it (the shipped package never
        # imports the local runtime); paid by the first request, as wiring's lazy imports are.
        from baton.local.bus import install_publisher

        install_publisher()
    if kind == "ingest-fakes":
        # In-memory adapters: the handler's own cost, without boto3.
        from baton.adapters.memory import MemoryPublisher, StaticSecrets
        from baton.ingestion.api import ApiDeps
        from baton.ingestion.memory import MemoryConversationStore
        from baton.ingestion.service import IngestionService
        from baton.settings import Settings

        handler.set_deps(
            ApiDeps(
                service=IngestionService(MemoryConversationStore(), MemoryPublisher()),
                secrets=StaticSecrets(),
                idempotency=lambda: None,  # posts a message only: no webhook
                settings=Settings(),
            )
        )
    response = handler.lambda_handler(event, Context())
    t2 = time.perf_counter()
    assert response["statusCode"] == 202, response
    print(json.dumps({"init_ms": (t1 - t0) * 1000, "first_ms": (t2 - t1) * 1000}))


if __name__ == "__main__":
    main(sys.argv[1])
