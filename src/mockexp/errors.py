"""Domain errors, and how every failure of a request becomes one.

Models raise these; Connexion's own problems (validation, auth, routing) and anything
unexpected are translated into them by `from_exception`, so a vendor's error renderer only
ever sees a `DomainError` and every 4xx of a vendor leaves in that vendor's body shape.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping, Sequence

from connexion.exceptions import (
    BadRequestProblem,
    OAuthProblem,
    OAuthResponseProblem,
    OAuthScopeProblem,
    ProblemException,
    UnsupportedMediaTypeProblem,
)
from starlette.exceptions import HTTPException

from mockexp.journal import WriteFailed

logger = logging.getLogger("mockexp")

Path = tuple  # a field's location: ("groups", 1, "percentage"); () for the request as a whole


class DomainError(Exception):
    status = 400
    default_message = "Bad request."

    def __init__(self, message: str | None = None, *, headers: dict | None = None) -> None:
        self.message = message or self.default_message
        self.headers = headers or {}
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class Invalid(DomainError):
    """The request is malformed or breaks a rule; `errors` pairs a field path with a reason."""

    status = 400
    default_message = "Invalid input."

    def __init__(self, errors: Iterable[tuple[Sequence, str]] | None = None, *, message: str | None = None) -> None:
        self.errors: list[tuple[Path, str]] = [(tuple(path), reason) for path, reason in (errors or [])]
        if message is None:
            message = "; ".join(f"{dotted(path)}: {reason}" if path else reason for path, reason in self.errors) or None
        super().__init__(message)

    @classmethod
    def field(cls, path: str | Sequence, reason: str) -> "Invalid":
        return cls([((path,) if isinstance(path, str) else tuple(path), reason)])

    @property
    def fields(self) -> list[str]:
        return [dotted(path) for path, _ in self.errors if path]


class Unauthorized(DomainError):
    status = 401
    default_message = "Authentication credentials were not provided."


class Forbidden(DomainError):
    status = 403
    default_message = "You do not have permission to perform this action."


class NotFound(DomainError):
    status = 404
    default_message = "Not found."


class MethodNotAllowed(DomainError):
    status = 405
    default_message = "Method not allowed."


class Conflict(DomainError):
    status = 409
    default_message = "Conflict."


class PayloadTooLarge(DomainError):
    status = 413
    default_message = "Request body is too large."


class UnsupportedMediaType(DomainError):
    status = 415
    default_message = "Unsupported media type."


class RequestTimeout(DomainError):
    status = 408
    default_message = "The request was not received in time."


class RequestHeaderFieldsTooLarge(DomainError):
    status = 431
    default_message = "Request headers are too large."


class ServiceUnavailable(DomainError):
    status = 503
    default_message = "Service unavailable; try again shortly."


class InsufficientStorage(DomainError):
    status = 507
    default_message = "The mock's disk is full: the change was not saved."


class ServerError(DomainError):
    status = 500
    default_message = "Internal server error."


REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."


def missing(data: Any, fields: Iterable[str], at: tuple = ()) -> list[tuple[tuple, str]]:
    """The field errors of `fields` that `data` (at `at`) lacks or leaves null, in the words
    the vendors' APIs share (Django REST framework's): for the rules a spec cannot state, such
    as fields required only in some states."""
    if not isinstance(data, Mapping):
        return [(at, "Expected object.")]
    errors = []
    for field in fields:
        if field not in data:
            errors.append((at + (field,), REQUIRED))
        elif data[field] is None:
            errors.append((at + (field,), NOT_NULL))
    return errors


def dotted(path: Sequence) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def from_exception(exc: BaseException) -> DomainError:
    """The domain error a failed request amounts to."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, WriteFailed):
        return InsufficientStorage(str(exc)) if exc.disk_full else ServiceUnavailable(str(exc), headers={"Retry-After": "5"})
    if isinstance(exc, UnsupportedMediaTypeProblem):
        return UnsupportedMediaType(exc.detail or None)
    if isinstance(exc, (OAuthProblem, OAuthResponseProblem)):
        return Unauthorized()
    if isinstance(exc, OAuthScopeProblem):
        return Forbidden()
    if isinstance(exc, BadRequestProblem):
        return Invalid(message=exc.detail or None)
    if isinstance(exc, ProblemException):
        return _by_status(exc.status, exc.detail, exc.headers)
    if isinstance(exc, HTTPException):
        return _by_status(exc.status_code, None, exc.headers)
    logger.error("unhandled error: %r", exc, exc_info=exc)
    return ServerError()


_BY_STATUS = {cls.status: cls for cls in (Invalid, Unauthorized, Forbidden, NotFound, MethodNotAllowed, Conflict, PayloadTooLarge, UnsupportedMediaType)}


def _by_status(status: int, detail: str | None, headers: Mapping[str, str] | None) -> DomainError:
    cls = _BY_STATUS.get(status)
    if cls is None:
        return ServerError()
    error = Invalid(message=detail or None) if cls is Invalid else cls()
    error.headers.update(headers or {})
    return error
