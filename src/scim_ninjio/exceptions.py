"""
Every error that scim_ninjio raises, in one tree.

Catch :class:`ScimNinjioError` to catch them all; catch a branch to handle one
kind of failure::

    ScimNinjioError
    ├── ValidationError             a document or record does not fit its model
    ├── ConfigurationError          a setting is wrong (plain http, bad profile, ...)
    ├── ClientClosedError           the client was used after it was closed
    ├── OperationNotAllowedError    the server profile forbids it (DELETE /Users)
    ├── IntegrationStateError       the integration's lifecycle forbids it (I2, I3)
    │   └── ActivationError         activation could not verify the connection (I1)
    ├── LedgerError                 the ledger cannot be read or written
    ├── ThresholdExceededError      a sync would deactivate too many users
    ├── TransportError              the request did not get an HTTP answer
    │   ├── ConnectError            the server could not be reached
    │   ├── TLSError                the TLS handshake or certificate check failed
    │   ├── ReadTimeoutError        the server did not answer in time
    │   └── ConnectionDroppedError  the connection closed before the answer
    ├── ProtocolError
    │   ├── LocalProtocolError      scim_ninjio was asked to build a bad request
    │   │   └── FilterSyntaxError   a filter or PATCH path does not parse
    │   └── RemoteProtocolError     the server's answer is not valid SCIM
    └── ScimError                   the server answered with an HTTP error
        ├── BadRequestError             400, and one subclass per scimType:
        │   ├── InvalidFilterError      invalidFilter
        │   ├── TooManyError            tooMany
        │   ├── MutabilityError         mutability
        │   ├── InvalidSyntaxError      invalidSyntax
        │   ├── InvalidPathError        invalidPath
        │   ├── NoTargetError           noTarget
        │   ├── InvalidValueError       invalidValue
        │   ├── InvalidVersionError     invalidVers
        │   ├── SensitiveError          sensitive
        │   ├── InvalidCursorError      invalidCursor (RFC 9865)
        │   ├── ExpiredCursorError      expiredCursor (RFC 9865)
        │   └── InvalidCountError       invalidCount (RFC 9865)
        ├── UnauthorizedError           401
        ├── ForbiddenError              403
        ├── NotFoundError               404
        ├── MethodNotAllowedError       405
        ├── ConflictError               409
        │   └── UniquenessError         409 uniqueness
        ├── PreconditionFailedError     412
        ├── PayloadTooLargeError        413
        ├── RateLimitedError            429, with ``retry_after``
        └── ServerError                 5xx
            └── NotImplementedByServerError  501

Every error keeps its context as attributes (the HTTP method and URL, the
status, the path of a bad value) and pickles with them.
No error ever carries the bearer token: requests are built without it and the
transports add it only on the wire.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs


__all__ = [
    "ActivationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
    "ConnectionDroppedError",
    "ExpiredCursorError",
    "FieldError",
    "FilterSyntaxError",
    "ForbiddenError",
    "IntegrationStateError",
    "InvalidCountError",
    "InvalidCursorError",
    "InvalidFilterError",
    "InvalidPathError",
    "InvalidSyntaxError",
    "InvalidValueError",
    "InvalidVersionError",
    "LedgerError",
    "LocalProtocolError",
    "MethodNotAllowedError",
    "MutabilityError",
    "NoTargetError",
    "NotFoundError",
    "NotImplementedByServerError",
    "OperationNotAllowedError",
    "PayloadTooLargeError",
    "PreconditionFailedError",
    "ProtocolError",
    "RateLimitedError",
    "ReadTimeoutError",
    "RemoteProtocolError",
    "ScimError",
    "ScimNinjioError",
    "SensitiveError",
    "ServerError",
    "TLSError",
    "ThresholdExceededError",
    "TooManyError",
    "TransportError",
    "UnauthorizedError",
    "UniquenessError",
    "ValidationError",
    "error_for_status",
]


class ScimNinjioError(Exception):
    """
    The root of every error that scim_ninjio raises.

    Subclasses keep their context as keyword attributes; ``str()`` gives one
    line that says what was wrong, where, and what to do about it.
    """

    #: The names of the keyword attributes that :meth:`__reduce__` keeps.
    _context: ClassVar[tuple[str, ...]] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword context would be lost by the default BaseException pickling,
        # which only replays ``self.args``.
        kwargs = {name: getattr(self, name) for name in self._context}
        return (_rebuild, (type(self), self.args, kwargs))


def _rebuild(
    cls: type[ScimNinjioError], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> ScimNinjioError:
    return cls(*args, **kwargs)


# --- Input that does not fit ----------------------------------------------


@attrs.frozen
class FieldError:
    """
    One bad value inside a document.

    Attributes:
        path: Where the value is, as a JSON path (``$.emails[0].value``).
        reason: What is wrong with it.
    """

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class ValidationError(ScimNinjioError, ValueError):
    """
    A document or record does not fit its model.

    Raised by the codec for SCIM JSON and by the JumpCloud loaders for
    directory records; never a bare :class:`KeyError` or :class:`TypeError`.

    Attributes:
        errors: Every bad value found, each with its path and reason.
        subject: What was being read (``"User"``, ``"directory.json"``).
    """

    _context: ClassVar[tuple[str, ...]] = ("errors", "subject")

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: Iterable[FieldError] = (),
        subject: str = "document",
    ) -> None:
        self.errors = tuple(errors)
        self.subject = subject
        if message is None:
            message = self._summarise()
        super().__init__(message)

    def _summarise(self) -> str:
        shown = "; ".join(str(e) for e in self.errors[:5])
        more = len(self.errors) - 5
        if more > 0:
            shown += f"; and {more} more"

        return (
            f"invalid {self.subject}: {shown}" if shown else f"invalid {self.subject}"
        )


class ConfigurationError(ScimNinjioError, ValueError):
    """A setting is wrong; the message says which one and what to set instead."""


class ClientClosedError(ScimNinjioError, RuntimeError):
    """
    The client was used after it was closed; make a new one.

    See :meth:`scim_ninjio.client.NinjioClient.close`.
    """


class OperationNotAllowedError(ScimNinjioError):
    """
    The server profile forbids an operation, so nothing was sent.

    NINJIO does not support deleting users; its profile refuses a user DELETE
    before any request leaves the process (rule U5).

    Attributes:
        operation: What was refused (``"DELETE /Users/2819c223"``).
        profile: The name of the profile that refused it.
    """

    _context: ClassVar[tuple[str, ...]] = ("operation", "profile")

    def __init__(self, message: str, *, operation: str, profile: str) -> None:
        self.operation = operation
        self.profile = profile
        super().__init__(message)


class IntegrationStateError(ScimNinjioError):
    """
    The integration's lifecycle forbids what was asked (rules I2 and I3).

    For example: changing the token while the integration is active, or
    syncing while it is deactivated.
    """


class ActivationError(IntegrationStateError):
    """
    Activation could not verify the connection to NINJIO (rule I1).

    The integration stays deactivated.

    Attributes:
        failure: Which way it failed: ``"bad_token"``, ``"wrong_url"``,
            ``"tls"``, ``"unreachable"`` or ``"server"``.
    """

    _context: ClassVar[tuple[str, ...]] = ("failure",)

    def __init__(self, message: str, *, failure: str) -> None:
        self.failure = failure
        super().__init__(message)


class LedgerError(ScimNinjioError):
    """The ledger cannot be opened, read, migrated or written."""


class ThresholdExceededError(ScimNinjioError):
    """
    A sync would deactivate more users than the threshold allows.

    Raised before the first write, so nothing was changed.

    Attributes:
        deactivations: How many users the plan would deactivate.
        managed: How many users the integration manages.
        limit: The largest number of deactivations allowed for this run.
    """

    _context: ClassVar[tuple[str, ...]] = ("deactivations", "managed", "limit")

    def __init__(
        self, message: str, *, deactivations: int, managed: int, limit: int
    ) -> None:
        self.deactivations = deactivations
        self.managed = managed
        self.limit = limit
        super().__init__(message)


# --- No HTTP answer ---------------------------------------------------------


class TransportError(ScimNinjioError):
    """
    The request did not get an HTTP answer.

    Attributes:
        method: The HTTP method of the request.
        url: The URL of the request (it never holds the token).
    """

    _context: ClassVar[tuple[str, ...]] = ("method", "url")

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = url
        super().__init__(message)


class ConnectError(TransportError):
    """The server could not be reached: wrong host or port, DNS, or refused."""


class TLSError(TransportError):
    """The TLS handshake failed or the server's certificate was not trusted."""


class ReadTimeoutError(TransportError, TimeoutError):
    """The server did not answer within the read timeout."""


class ConnectionDroppedError(TransportError):
    """The connection closed before the whole answer arrived."""


# --- Not the protocol -------------------------------------------------------


class ProtocolError(ScimNinjioError):
    """Either side broke the SCIM protocol."""


class LocalProtocolError(ProtocolError, ValueError):
    """scim_ninjio was asked to build a request that SCIM does not allow."""


class FilterSyntaxError(LocalProtocolError):
    """
    A SCIM filter or PATCH path does not parse (:rfc:`7644#section-3.4.2.2`).

    Attributes:
        text: The text that was being parsed.
        position: The 0-based offset where parsing failed.
    """

    _context: ClassVar[tuple[str, ...]] = ("text", "position")

    def __init__(self, message: str, *, text: str = "", position: int = 0) -> None:
        self.text = text
        self.position = position
        super().__init__(message)


class RemoteProtocolError(ProtocolError):
    """
    The server's answer is not valid SCIM.

    Raised for an HTML error page, truncated JSON, a wrong content type or a
    body that does not fit its model.

    Attributes:
        status: The HTTP status of the answer.
        method: The HTTP method of the request.
        url: The URL of the request.
        body_start: The first characters of the answer's body.
    """

    _context: ClassVar[tuple[str, ...]] = ("status", "method", "url", "body_start")

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        method: str = "",
        url: str = "",
        body_start: str = "",
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.body_start = body_start
        super().__init__(message)


# --- HTTP errors ------------------------------------------------------------


class ScimError(ScimNinjioError):
    """
    The server answered with an HTTP error (:rfc:`7644#section-3.12`).

    Attributes:
        status: The HTTP status code.
        scim_type: The SCIM error type (``"uniqueness"``), if the server gave
            one.
        detail: The server's human-readable explanation, if any.
        method: The HTTP method of the request.
        url: The URL of the request.
    """

    #: The HTTP status this class stands for (0 for "any").
    status_code: ClassVar[int] = 0
    #: The ``scimType`` this class stands for, if it stands for one.
    scim_type_code: ClassVar[str | None] = None

    _context: ClassVar[tuple[str, ...]] = (
        "status",
        "scim_type",
        "detail",
        "method",
        "url",
    )

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        scim_type: str | None = None,
        detail: str | None = None,
        method: str = "",
        url: str = "",
    ) -> None:
        self.status = status if status is not None else self.status_code
        self.scim_type = scim_type if scim_type is not None else self.scim_type_code
        self.detail = detail
        self.method = method
        self.url = url
        if message is None:
            message = self._summarise()
        super().__init__(message)

    def _summarise(self) -> str:
        where = f"{self.method} {self.url}".strip() or "request"
        kind = f" ({self.scim_type})" if self.scim_type else ""
        said = f": {self.detail}" if self.detail else ""

        return f"{where} failed with HTTP {self.status}{kind}{said}"


class BadRequestError(ScimError):
    """400: the server refused the request as malformed or not allowed."""

    status_code = 400


class InvalidFilterError(BadRequestError):
    """400 invalidFilter: the filter syntax is invalid or not supported."""

    scim_type_code = "invalidFilter"


class TooManyError(BadRequestError):
    """400 tooMany: the filter matches more resources than the server returns."""

    scim_type_code = "tooMany"


class MutabilityError(BadRequestError):
    """400 mutability: the request changes a read-only or immutable attribute."""

    scim_type_code = "mutability"


class InvalidSyntaxError(BadRequestError):
    """400 invalidSyntax: the request body does not parse or fit its schema."""

    scim_type_code = "invalidSyntax"


class InvalidPathError(BadRequestError):
    """400 invalidPath: a PATCH path is invalid or names no attribute."""

    scim_type_code = "invalidPath"


class NoTargetError(BadRequestError):
    """400 noTarget: a PATCH path or value filter matched nothing."""

    scim_type_code = "noTarget"


class InvalidValueError(BadRequestError):
    """400 invalidValue: a required value is missing or a value is wrong."""

    scim_type_code = "invalidValue"


class InvalidVersionError(BadRequestError):
    """400 invalidVers: the SCIM protocol version is not supported."""

    scim_type_code = "invalidVers"


class SensitiveError(BadRequestError):
    """400 sensitive: the request put sensitive data where it may not go."""

    scim_type_code = "sensitive"


class InvalidCursorError(BadRequestError):
    """400 invalidCursor: the paging cursor is not valid (:rfc:`9865`)."""

    scim_type_code = "invalidCursor"


class ExpiredCursorError(BadRequestError):
    """400 expiredCursor: the paging cursor has expired (:rfc:`9865`)."""

    scim_type_code = "expiredCursor"


class InvalidCountError(BadRequestError):
    """400 invalidCount: the page size is not acceptable (:rfc:`9865`)."""

    scim_type_code = "invalidCount"


class UnauthorizedError(ScimError):
    """401: the token is missing, wrong, expired or revoked."""

    status_code = 401


class ForbiddenError(ScimError):
    """403: the token is valid but may not do this."""

    status_code = 403


class NotFoundError(ScimError):
    """404: the resource or endpoint does not exist."""

    status_code = 404


class MethodNotAllowedError(ScimError):
    """405: the endpoint does not support this HTTP method."""

    status_code = 405


class ConflictError(ScimError):
    """409: the request conflicts with the server's current state."""

    status_code = 409


class UniquenessError(ConflictError):
    """409 uniqueness: a resource with the same unique value already exists."""

    scim_type_code = "uniqueness"


class PreconditionFailedError(ScimError):
    """412: the resource changed since it was read (its ETag no longer matches)."""

    status_code = 412


class PayloadTooLargeError(ScimError):
    """413: the request body is larger than the server accepts."""

    status_code = 413


class RateLimitedError(ScimError):
    """
    429: the server is rate limiting this client.

    Attributes:
        retry_after: The seconds the server asked to wait, if it said.
    """

    status_code = 429
    _context: ClassVar[tuple[str, ...]] = (
        "status",
        "scim_type",
        "detail",
        "method",
        "url",
        "retry_after",
    )

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        **kwargs: Any,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(ScimError):
    """5xx: the server failed to handle a valid request."""

    status_code = 500


class NotImplementedByServerError(ServerError):
    """501: the server does not implement this operation."""

    status_code = 501


_BY_SCIM_TYPE: Mapping[str, type[ScimError]] = {
    str(cls.scim_type_code).lower(): cls
    for cls in (
        InvalidFilterError,
        TooManyError,
        MutabilityError,
        InvalidSyntaxError,
        InvalidPathError,
        NoTargetError,
        InvalidValueError,
        InvalidVersionError,
        SensitiveError,
        InvalidCursorError,
        ExpiredCursorError,
        InvalidCountError,
        UniquenessError,
    )
}

_BY_STATUS: Mapping[int, type[ScimError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    429: RateLimitedError,
    501: NotImplementedByServerError,
}


def error_for_status(status: int, scim_type: str | None = None) -> type[ScimError]:
    """
    Return the error class for an HTTP status and an optional ``scimType``.

    The ``scimType`` wins when the server gave one that fits the status (a
    ``uniqueness`` 409 becomes :class:`UniquenessError`); otherwise the status
    decides, and any 5xx without its own class is a :class:`ServerError`.

    >>> error_for_status(409, "uniqueness").__name__
    'UniquenessError'
    >>> error_for_status(503).__name__
    'ServerError'
    """
    if scim_type:
        by_type = _BY_SCIM_TYPE.get(scim_type.lower())
        if by_type is not None and by_type.status_code == status:
            return by_type
    cls = _BY_STATUS.get(status)
    if cls is not None:
        return cls
    if status >= 500:
        return ServerError

    return ScimError
