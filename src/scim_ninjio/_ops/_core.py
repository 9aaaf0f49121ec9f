"""
The core of every operation: one exchange with retries, and reading answers.

An operation is a generator. It yields a :class:`~scim_ninjio._http.Request`
and receives the :class:`~scim_ninjio._http.Response`; it yields a
:class:`~scim_ninjio._http.Sleep` and is resumed after the wait; a stream
also yields :class:`Emit` values whose items the driver hands to its caller.
When a transport fails, the driver throws the
:class:`~scim_ninjio.exceptions.TransportError` into the generator, so that
:func:`exchange` decides about retries for every transport in one place.
"""

from __future__ import annotations

import json
import logging
import threading
import time

from collections.abc import Callable, Generator
from typing import Any, Generic, TypeAlias, TypeVar

import attrs

from scim_ninjio._codec import loads
from scim_ninjio._http import Request, Response, Sleep
from scim_ninjio._ops._values import Capabilities
from scim_ninjio._retry import RetryPolicy, parse_retry_after
from scim_ninjio.exceptions import (
    LocalProtocolError,
    RateLimitedError,
    RemoteProtocolError,
    ScimError,
    TransportError,
    ValidationError,
    error_for_status,
)
from scim_ninjio.models import Error
from scim_ninjio.profiles import ServerProfile


__all__ = [
    "Emit",
    "Op",
    "Pacer",
    "Session",
    "Stream",
    "error_from",
    "exchange",
    "parse",
]

log = logging.getLogger(__name__)

T = TypeVar("T")


@attrs.frozen
class Emit(Generic[T]):
    """
    A stream's instruction to hand items to the caller.

    Attributes:
        items: The items, in order (one page of results).
    """

    items: tuple[T, ...]


#: An operation: yields requests and sleeps, receives responses, returns T.
Op: TypeAlias = Generator[Request | Sleep, Response | None, T]
#: A stream: an operation that also emits items and returns nothing.
Stream: TypeAlias = Generator[Request | Sleep | Emit[T], Response | None, None]

#: How much of a body an error message or a log line shows.
BODY_START = 200
_LOGGED_BODY = 4000


class Pacer:
    """
    Spaces requests so that no more than ``rate`` start per second.

    Each request reserves the next free slot; the wait until that slot is
    yielded as a :class:`~scim_ninjio._http.Sleep`. Reservations are taken
    under a lock, so threads and coroutines sharing one client share one pace.
    """

    __slots__ = ("_clock", "_interval", "_lock", "_next")

    def __init__(self, rate: float, *, clock: Callable[[], float]) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Reserve the next slot; return the seconds to wait for it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval

        return slot - now


class Session:
    """
    What every operation of one client shares: settings, pace and cache.

    Attributes:
        base_url: The service's base URL, for messages (never sent as such).
        profile: The server profile.
        policy: The retry policy.
        page_size: The page size the caller asked for, if any.
        log_bodies: Whether request and response bodies are logged at DEBUG.
        pacer: The client-side pace, if a rate limit was set.
        capabilities: What the server supports, once read.
        clock: A monotonic clock in seconds.
    """

    __slots__ = (
        "base_url",
        "capabilities",
        "clock",
        "log_bodies",
        "pacer",
        "page_size",
        "policy",
        "profile",
    )

    def __init__(
        self,
        *,
        base_url: str,
        profile: ServerProfile,
        policy: RetryPolicy,
        page_size: int | None = None,
        rate_limit: float | None = None,
        log_bodies: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url
        self.profile = profile
        self.policy = policy
        self.page_size = page_size
        self.log_bodies = log_bodies
        self.clock = clock
        self.pacer = Pacer(rate_limit, clock=clock) if rate_limit else None
        self.capabilities: Capabilities | None = None

    def url(self, request: Request) -> str:
        """Return the full URL of a request, for messages."""
        return self.base_url + request.target


def exchange(
    session: Session, request: Request, *, tries: list[int] | None = None
) -> Op[Response]:
    """
    Send one request, retrying as the policy allows; return the last answer.

    An answer with an error status is returned, not raised, once no retry is
    left: the caller decides what it means (a 404 may mean "no such user").
    A transport error that may not be retried is raised.

    Args:
        session: The client's session.
        request: The request to send.
        tries: A list to which the number of tries is appended on return.
    """
    policy = session.policy
    started = session.clock()
    attempt = 0
    rng = None
    while True:
        attempt += 1
        if session.pacer is not None:
            pause = session.pacer.reserve()
            if pause > 0:
                yield Sleep(pause, "client-side rate limit")
        sent = time.perf_counter()
        try:
            response = yield request
        except TransportError as error:
            _log_exchange(
                session,
                request=request,
                response=None,
                sent=sent,
                attempt=attempt,
                error=error,
            )
            if not policy.retries_error(request, error) or attempt >= policy.attempts:
                raise
            rng = rng or policy.rng()
            wait = policy.delay(attempt, None, rng)
            if session.clock() - started + wait > policy.timeout:
                raise
            reason = f"{type(error).__name__} on {request.method} {request.path}"
            _log_retry(request, reason, wait, attempt, policy)
            yield Sleep(wait, f"{reason}, attempt {attempt}")
            continue
        if response is None:  # pragma: no cover -- a driver bug, not a server's
            raise LocalProtocolError("the driver resumed a request without a response")
        _log_exchange(
            session,
            request=request,
            response=response,
            sent=sent,
            attempt=attempt,
            error=None,
        )
        status = response.status
        if (
            status < 400
            or attempt >= policy.attempts
            or not policy.retries_status(request, status)
        ):
            if tries is not None:
                tries.append(attempt)
            return response
        rng = rng or policy.rng()
        wait = policy.delay(attempt, response, rng)
        if session.clock() - started + wait > policy.timeout:
            if tries is not None:
                tries.append(attempt)
            return response
        reason = f"HTTP {status} from {request.method} {request.path}"
        _log_retry(request, reason, wait, attempt, policy)
        yield Sleep(wait, f"{reason}, attempt {attempt}")


def _log_exchange(
    session: Session,
    *,
    request: Request,
    response: Response | None,
    sent: float,
    attempt: int,
    error: TransportError | None,
) -> None:
    if not log.isEnabledFor(logging.DEBUG):
        return
    ms = (time.perf_counter() - sent) * 1000
    # The path only: the query may hold a userName or an email address.
    outcome = str(response.status) if response is not None else type(error).__name__
    log.debug(
        "%s %s -> %s in %.1f ms (attempt %d)",
        request.method,
        request.path,
        outcome,
        ms,
        attempt,
        extra={
            "scim_ninjio.method": request.method,
            "scim_ninjio.path": request.path,
            "scim_ninjio.status": response.status if response is not None else None,
            "scim_ninjio.ms": ms,
            "scim_ninjio.attempt": attempt,
        },
    )
    if session.log_bodies:
        log.debug(
            "%s %s request body: %s; response body: %s",
            request.method,
            request.path,
            _shown(request.body),
            _shown(response.body if response is not None else None),
        )


def _shown(body: bytes | None) -> str:
    if not body:
        return "(none)"

    return body[:_LOGGED_BODY].decode("utf-8", "replace")


def _log_retry(
    request: Request, reason: str, wait: float, attempt: int, policy: RetryPolicy
) -> None:
    log.warning(
        "Retrying %s %s in %.2f s (attempt %d of %d failed: %s)",
        request.method,
        request.path,
        wait,
        attempt,
        policy.attempts,
        reason,
        extra={
            "scim_ninjio.method": request.method,
            "scim_ninjio.path": request.path,
            "scim_ninjio.wait": wait,
            "scim_ninjio.attempt": attempt,
        },
    )


def _is_json(content_type: str) -> bool:
    return content_type in {
        "application/scim+json",
        "application/json",
    } or content_type.endswith("+json")


def body_start(response: Response) -> str:
    """Return the first characters of a body, for an error message."""
    return response.body[:BODY_START].decode("utf-8", "replace")


def error_from(
    session: Session, request: Request, response: Response
) -> ScimError | RemoteProtocolError:
    """
    Return the error that an unsuccessful answer stands for.

    A SCIM Error body gives its typed :class:`~scim_ninjio.exceptions.ScimError`
    (one class per status and ``scimType``); an empty body gives the status's
    class. A body that is not SCIM (an HTML page from a proxy, truncated JSON)
    gives a :class:`~scim_ninjio.exceptions.RemoteProtocolError` with the
    status and the start of the body: a gateway's 404 must not pass for "no
    such user".
    """
    url = session.url(request)
    status = response.status
    if 300 <= status < 400:
        return RemoteProtocolError(
            f"{request.method} {url} answered with a redirect ({status}) to "
            f"{response.header('location', 'nowhere')!r} that scim_ninjio does "
            "not follow; check the base URL",
            status=status,
            method=request.method,
            url=url,
            body_start=body_start(response),
        )
    scim_type = detail = None
    if response.body.strip():
        error = _read_error(response)
        if error is None:
            content_type = response.content_type or "no content type"
            return RemoteProtocolError(
                f"{request.method} {url} answered HTTP {status} with a body that "
                f"is not a SCIM error ({content_type}): {body_start(response)!r}; "
                "check the base URL and any proxy in between",
                status=status,
                method=request.method,
                url=url,
                body_start=body_start(response),
            )
        scim_type, detail = error.scim_type, error.detail
    cls = error_for_status(status, scim_type)
    kwargs: dict[str, Any] = {
        "status": status,
        "scim_type": scim_type,
        "detail": detail,
        "method": request.method,
        "url": url,
    }
    if cls is RateLimitedError:
        return RateLimitedError(
            retry_after=parse_retry_after(response.header("retry-after")), **kwargs
        )
    exc: ScimError = cls(**kwargs)

    return exc


def _read_error(response: Response) -> Error | None:
    content_type = response.content_type
    if content_type and not _is_json(content_type):
        return None
    try:
        return loads(response.body, Error)
    except ValidationError:
        return None


def parse(session: Session, request: Request, response: Response, cls: type[T]) -> T:
    """
    Read a successful answer's body as a model; raise for anything else.

    Raises:
        ScimError: The answer is an HTTP error (see :func:`error_from`).
        RemoteProtocolError: The body is missing, not JSON, or does not fit.
    """
    if response.status >= 300:
        raise error_from(session, request, response)
    content_type = response.content_type
    if content_type and not _is_json(content_type):
        raise _not_scim(
            session, request, response, f"a {content_type} body instead of SCIM JSON"
        )
    try:
        return loads(response.body, cls)
    except ValidationError as error:
        raise _not_scim(session, request, response, str(error)) from error


def parse_json(session: Session, request: Request, response: Response) -> Any:
    """Read a successful answer's body as plain JSON; raise for anything else."""
    if response.status >= 300:
        raise error_from(session, request, response)
    try:
        return json.loads(response.body)
    except ValueError as error:
        raise _not_scim(
            session, request, response, "a body that is not JSON"
        ) from error


def _not_scim(
    session: Session, request: Request, response: Response, what: str
) -> RemoteProtocolError:
    url = session.url(request)
    start = body_start(response)

    return RemoteProtocolError(
        f"{request.method} {url} answered HTTP {response.status} with {what}; "
        f"the body starts {start!r}",
        status=response.status,
        method=request.method,
        url=url,
        body_start=start,
    )
