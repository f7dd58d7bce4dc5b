"""Domain errors. Handlers map them to HTTP answers or batch failures; the domain never sees HTTP."""


class BatonError(Exception):
    """Base of every error Baton raises on purpose."""


class MessageConflict(BatonError):
    """The message id is already used in this conversation by a different message (HTTP 409)."""

    def __init__(self, conversation_id: str, message_id: str) -> None:
        super().__init__(
            f"message {message_id!r} already exists in {conversation_id!r} with a different body"
        )
        self.conversation_id = conversation_id
        self.message_id = message_id


class ConcurrentUpdate(BatonError):
    """An optimistic-locking write lost a race too many times; the caller may retry."""


class OutOfOrder(BatonError):
    """An ordered consumer got seq n before n-1 was applied; the record is retried later."""


class InvalidSignature(BatonError):
    """A webhook's signature is missing, stale or wrong (HTTP 401, no side effect)."""

    def __init__(self, reason: str, header: str | None = None) -> None:
        super().__init__(reason)
        self.header = header
        """The header at fault (lower-case), when one is; the 401 names it as the offending field."""


class PayloadError(BatonError):
    """A helpdesk payload is not the shape its topic promises (HTTP 400 naming the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
