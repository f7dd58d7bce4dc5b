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


class PublishInProgress(BatonError):
    """A duplicate of a message arrived while another request holds its publish claim (HTTP 503 with
    Retry-After). The message is stored; the retry finds it published, or takes over a claim whose holder died."""

    def __init__(self, conversation_id: str, message_id: str) -> None:
        super().__init__(
            f"message {message_id!r} of {conversation_id!r} is stored and being published by another request; "
            "retry later"
        )
        self.conversation_id = conversation_id
        self.message_id = message_id


class NotificationInProgress(BatonError):
    """A concurrent delivery of the same webhook notification is being processed (HTTP 503 with Retry-After).

    Nothing was done. The helpdesk retries: by then the first delivery has finished (the retry gets its answer)
    or failed and released the notification (the retry does the work).
    """

    def __init__(self, key: str) -> None:
        super().__init__(f"notification {key!r} is being processed by another delivery; retry later")
        self.key = key


class ModelsNotFound(BatonError):
    """A model directory or file the runtime needs is not there (the message names it, and BATON_MODELS_DIR)."""


class NotFound(BatonError):
    """No conversation has this id (HTTP 404)."""

    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no conversation has the id {conversation_id!r}")
        self.conversation_id = conversation_id


class NotWithAnAgent(BatonError):
    """A hand-back of a conversation that is neither assigned to an agent nor waiting for one (HTTP 409)."""

    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"conversation {conversation_id!r} is not with an agent: nothing to hand back")
        self.conversation_id = conversation_id


class CustomerRequired(BatonError):
    """A bot's or an agent's message without `customer`, in a conversation that has no customer yet (HTTP 422
    naming `customer`): such a message takes the conversation's customer, so the first one must name it."""

    def __init__(self, conversation_id: str) -> None:
        super().__init__(
            f"conversation {conversation_id!r} has no customer yet: its first message must name `customer` "
            "(a bot's or an agent's message may omit it only once the conversation has one)"
        )
        self.conversation_id = conversation_id
