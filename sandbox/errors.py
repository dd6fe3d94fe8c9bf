"""The error tree.

Every error the API can answer is a subclass of :class:`ApiError` that carries the HTTP status
and the reason phrase of the reference's NestJS-shaped body::

    {"statusCode": 404, "message": "Product not found", "error": "Not Found"}

The domain raises these; exactly one place (``sandbox.http.responses.error_response``) renders
them. Nothing else builds error JSON.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import ClassVar


class ApiError(Exception):
    """An error answered in the reference's shape."""

    status_code: int = 500
    default_message: ClassVar[str] = "Internal server error"

    def __init__(
        self, message: str | list[str] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.message: str | list[str] = message if message is not None else self.default_message
        self.headers = headers or {}
        super().__init__(self.message)

    @property
    def error(self) -> str:
        return reason_phrase(self.status_code)

    def body(self) -> dict[str, object]:
        return {"statusCode": self.status_code, "message": self.message, "error": self.error}


class BadRequest(ApiError):
    """400: a validation failure or a broken business rule."""

    status_code = 400
    default_message = "Bad Request"


class Unauthorized(ApiError):
    """401: a missing, malformed or unknown API key."""

    status_code = 401
    default_message = "Invalid API Key"


class Forbidden(ApiError):
    """403: the key lacks the route's scope."""

    status_code = 403
    default_message = "Forbidden resource"


class NotFound(ApiError):
    """404: an unknown route, or a resource that does not exist for this user."""

    status_code = 404
    default_message = "Not Found"


class Conflict(ApiError):
    """409: the resource's current state forbids the action."""

    status_code = 409
    default_message = "Conflict"


class PayloadTooLarge(ApiError):
    """413: the request body is over the documented limit."""

    status_code = 413
    default_message = "request entity too large"


class TooManyRequests(ApiError):
    """429: the key's rate-limit window is used up."""

    status_code = 429

    def __init__(self, retry_after: int, headers: dict[str, str] | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"Rate limit exceeded. Try again in {retry_after}s",
            {**(headers or {}), "Retry-After": str(retry_after)},
        )


class ScriptedError(ApiError):
    """Any status a scenario or a ``Prefer: code=`` header asks for."""

    def __init__(self, status_code: int, message: str | list[str] | None = None) -> None:
        self.status_code = status_code
        super().__init__(message if message is not None else default_message(status_code))


_PHRASES: dict[int, str] = {413: "Payload Too Large"}


def reason_phrase(status: int) -> str:
    """The reason phrase NestJS puts in ``error`` for ``status``."""
    if status in _PHRASES:
        return _PHRASES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def default_message(status: int) -> str:
    """The message a scripted error of ``status`` carries when none is given."""
    return _DEFAULT_MESSAGES.get(status, reason_phrase(status))


class ProductNotFound(NotFound):
    """404: no product with that id."""

    default_message = "Product not found"


class SkuNotFound(NotFound):
    """404: the product has no SKU with that id."""

    default_message = "SKU not found"


class ValidationFailed(BadRequest):
    """400: what NestJS's ValidationPipe answers, one sentence per violation."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(messages)


_DEFAULT_MESSAGES: dict[int, str] = {
    401: Unauthorized.default_message,
    413: PayloadTooLarge.default_message,
    429: "Rate limit exceeded. Try again in 60s",
    500: "Internal server error",
}
