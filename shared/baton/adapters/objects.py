"""`baton.scoring.backtest_chunk.ObjectStore` implementations: S3 (deployed) and in memory (tests).

The deployed backtest reads one object and writes one per chunk: whole objects, bounded by
`backtest_chunk.MAX_CHUNK_BYTES`, so no streaming and no multipart upload (a put of up to 5 GB is one call). The
bucket's default encryption (the events lake's KMS key) applies to what is written.
"""

from __future__ import annotations

from typing import Any

JSONL = "application/x-ndjson"


class S3ObjectStore:
    """`client` is a boto3 S3 client (`get_object`, `put_object`)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def get(self, bucket: str, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=JSONL)


class MemoryObjectStore:
    """Objects by (bucket, key); `get` of a missing one raises KeyError."""

    def __init__(self, objects: dict[tuple[str, str], bytes] | None = None) -> None:
        self.objects = dict(objects or {})

    def get(self, bucket: str, key: str) -> bytes:
        return self.objects[(bucket, key)]

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.objects[(bucket, key)] = body
