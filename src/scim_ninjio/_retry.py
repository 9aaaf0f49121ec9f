"""
The one retry policy: which failures are retried, and how long to wait.

Every transport, sync or async, goes through the same decision, because the
operations in :mod:`scim_ninjio._ops` ask this module and nothing else:

- An idempotent request (GET, PUT, DELETE, a search) is retried on a 5xx
  other than 501 and 505, on 408 and 429, on a dropped connection and on a
  read timeout.
- A POST or PATCH is retried only on 429 and 503, the two answers by which a
  server says it did not process the request. After a read timeout or a
  dropped connection its outcome is unknown; the operation re-reads the
  state instead of sending it again blindly.
- A request that never reached the server (connection refused, DNS failure,
  connect timeout) is retried whatever its method.
- TLS failures are never retried: they do not heal by waiting.

Waits grow exponentially with full jitter (a uniform draw between zero and the
exponential ceiling), which spreads a fleet of clients that failed together.
A ``Retry-After`` header, in seconds or as an HTTP date, replaces the computed
wait, capped so that a server cannot park the client for an hour.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils

from collections.abc import Iterator
from random import Random

import attrs

from scim_ninjio._http import Request, Response
from scim_ninjio.exceptions import (
    ConfigurationError,
    ConnectError,
    ConnectionDroppedError,
    ReadTimeoutError,
    TransportError,
)


__all__ = ["RetryPolicy", "no_waiting", "parse_retry_after"]

#: Statuses on which an idempotent request is sent again. 501 (not
#: implemented) and 505 (HTTP version) are 5xx that waiting does not change.
_IDEMPOTENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 507, 509, 511})
#: Statuses by which a server says it did not process a request
#: (:rfc:`9110#section-15.6.4`, :rfc:`6585#section-4`).
_UNPROCESSED_STATUSES = frozenset({429, 503})

_waiting_disabled = 0


@contextlib.contextmanager
def no_waiting() -> Iterator[None]:
    """
    Turn every back-off wait into zero seconds while the block runs.

    Retries still happen, in the same number, so tests exercise them without
    spending time. The switch is process-wide; it nests.

    >>> with no_waiting():
    ...     RetryPolicy().backoff(3, Random(1))
    0.0
    """
    global _waiting_disabled  # noqa: PLW0603 -- a process-wide test switch
    _waiting_disabled += 1
    try:
        yield
    finally:
        _waiting_disabled -= 1


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ConfigurationError(
            f"RetryPolicy.{attribute.name} must be zero or more, got {value!r}"
        )


def _at_least_one(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ConfigurationError(
            f"RetryPolicy.{attribute.name} must be 1 or more (1 means no retry), "
            f"got {value!r}"
        )


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """
    How often and how patiently a request is tried.

    One value serves every transport. The defaults suit a nightly sync against
    a SaaS server: five tries within a minute, waits from 0.25 s up to 10 s,
    and a ``Retry-After`` honoured up to 60 s.

    Attributes:
        attempts: The most times one request is sent, the first included;
            1 turns retries off.
        timeout: The most seconds one request may take, every try and wait
            included; no retry is scheduled past it.
        initial_wait: The ceiling of the first back-off wait, in seconds.
        max_wait: The largest back-off wait, in seconds.
        exp_base: The factor by which the ceiling grows per try.
        jitter: Draw each wait uniformly between zero and the ceiling (full
            jitter); without it, the ceiling itself is waited.
        max_retry_after: The largest ``Retry-After`` honoured, in seconds; a
            longer one is cut to this.
        seed: Seed of the jitter's random draws, for reproducible runs; None
            draws from the process-wide generator.
        wait: Whether to wait at all; ``RetryPolicy(wait=False)`` retries at
            once, for tests (see also :func:`no_waiting`).

    >>> policy = RetryPolicy(jitter=False)
    >>> [policy.backoff(n, Random()) for n in (1, 2, 3)]
    [0.25, 0.5, 1.0]
    """

    attempts: int = attrs.field(default=5, validator=_at_least_one)
    timeout: float = attrs.field(default=60.0, validator=_positive)
    initial_wait: float = attrs.field(default=0.25, validator=_positive)
    max_wait: float = attrs.field(default=10.0, validator=_positive)
    exp_base: float = attrs.field(default=2.0, validator=_positive)
    jitter: bool = True
    max_retry_after: float = attrs.field(default=60.0, validator=_positive)
    seed: int | None = None
    wait: bool = True

    @property
    def waits(self) -> bool:
        """Whether waits are real (neither ``wait=False`` nor :func:`no_waiting`)."""
        return self.wait and not _waiting_disabled

    def rng(self) -> Random:
        """Return the generator to draw one request's jitter from."""
        if self.seed is None:
            return _shared_random

        return Random(self.seed)  # noqa: S311 -- jitter, not secrecy

    def backoff(self, attempt: int, rng: Random) -> float:
        """
        Return the wait after the ``attempt``-th try failed (1-based).

        Args:
            attempt: How many tries have failed so far.
            rng: Where the jitter is drawn from (see :meth:`rng`).
        """
        if not self.waits:
            return 0.0
        ceiling = min(self.max_wait, self.initial_wait * self.exp_base ** (attempt - 1))
        if not self.jitter:
            return ceiling

        wait: float = rng.uniform(0.0, ceiling)

        return wait

    def delay(self, attempt: int, response: Response | None, rng: Random) -> float:
        """
        Return the wait before the next try, honouring ``Retry-After``.

        Args:
            attempt: How many tries have failed so far.
            response: The answer that failed, if there was one.
            rng: Where the jitter is drawn from.
        """
        if response is not None:
            after = parse_retry_after(response.header("retry-after"))
            if after is not None:
                return min(after, self.max_retry_after) if self.waits else 0.0

        return self.backoff(attempt, rng)

    def retries_status(self, request: Request, status: int) -> bool:
        """Whether an answer with this status may be tried again."""
        if request.idempotent:
            return status in _IDEMPOTENT_STATUSES

        return status in _UNPROCESSED_STATUSES

    def retries_error(self, request: Request, error: TransportError) -> bool:
        """Whether a request that failed with this transport error may be resent."""
        if isinstance(error, ConnectError):
            # The request never left: sending it again cannot do it twice.
            return True
        if isinstance(error, ReadTimeoutError | ConnectionDroppedError):
            return request.idempotent

        return False


_shared_random = Random()  # noqa: S311 -- jitter, not secrecy


def parse_retry_after(
    value: str | None, *, now: dt.datetime | None = None
) -> float | None:
    """
    Read a ``Retry-After`` header (:rfc:`9110#section-10.2.3`) as seconds.

    Both forms are understood: a number of seconds and an HTTP date. A date in
    the past gives 0; anything unreadable gives None, so that the computed
    back-off applies.

    Args:
        value: The header's value, or None.
        now: The current time, for tests; defaults to the clock.

    >>> parse_retry_after("7")
    7.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT",
    ...     now=dt.datetime(2015, 10, 21, 7, 28, tzinfo=dt.UTC))
    10.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    current = now if now is not None else dt.datetime.now(dt.UTC)

    return max(0.0, (when - current).total_seconds())
