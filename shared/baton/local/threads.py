"""Powertools' event handler, made safe for `baton local`'s concurrent requests.

Powertools' REST resolvers keep the request they are resolving, and its Lambda context, in class attributes
(`BaseRouter.current_event`, `BaseRouter.lambda_context`), shared by every resolver of the process. On Lambda that
is harmless: one process serves one request at a time. `baton local` serves many at once, from one process, with a
pool of handler copies (`baton.local.server.HandlerPool`): two resolves at once would read each other's request (a
202 naming another message was measured under load). `requests_per_thread()` keeps both attributes per thread, so
each request thread sees its own, and the copies resolve at once instead of taking turns.

How: `BaseRouter`'s metaclass becomes a subclass of its own (`ABCMeta`) holding a per-thread data descriptor for each
attribute, which class-level reads and writes (`BaseRouter.current_event = ...`) go through; the same descriptor in
`BaseRouter`'s own dictionary serves instance reads (`self.current_event`). Nothing else of Powertools changes, and
the deployed functions never call this.
"""

from __future__ import annotations

import threading
from abc import ABCMeta
from typing import Any

PER_THREAD = ("current_event", "lambda_context")
_state = threading.local()
_lock = threading.Lock()


class PerThread:
    """A data descriptor whose value is the calling thread's own."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        try:
            return getattr(_state, self.name)
        except AttributeError:
            raise AttributeError(
                f"{self.name} is not set in this thread (no request is being resolved)"
            ) from None

    def __set__(self, obj: object, value: Any) -> None:
        setattr(_state, self.name, value)


class _PerThreadRouterMeta(ABCMeta):
    current_event = PerThread("current_event")
    lambda_context = PerThread("lambda_context")


def requests_per_thread() -> None:
    """Keep Powertools' current request and context per thread (idempotent; imports the event handler)."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    with _lock:
        if type(BaseRouter) is _PerThreadRouterMeta:
            return
        for name in PER_THREAD:
            # In the class's own dictionary while its metaclass is still ABCMeta: instance reads find it there.
            type.__setattr__(BaseRouter, name, PerThread(name))
        BaseRouter.__class__ = _PerThreadRouterMeta  # type: ignore[method-assign,assignment]
