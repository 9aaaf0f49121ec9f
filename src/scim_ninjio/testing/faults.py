"""
Fault injection: what goes wrong with real servers, on demand and reproducibly.

The failures a SCIM server and the network before it produce: rate limits,
errors, slowness, dropped connections, silence and broken bodies.
A :class:`FaultPlan` lists :class:`Fault` rules: which requests (a route
pattern, methods, the Nth matching request or a probability) and what goes
wrong. A :class:`FaultInjector` wraps a handler (usually an
:class:`~scim_ninjio.testing.emulator.Emulator`) and applies the plan:

- in process, as the handler of the in-memory transport, a dropped connection
  raises :class:`~scim_ninjio.exceptions.ConnectionDroppedError` and a hang
  raises :class:`~scim_ninjio.exceptions.ReadTimeoutError`;
- served by :class:`~scim_ninjio.testing.server.LiveServer`, the same plan
  really closes the socket, really never answers, and really sends a body
  shorter than its ``Content-Length``.

>>> from scim_ninjio import Request
>>> from scim_ninjio.testing.emulator import Emulator
>>> plan = FaultPlan([Fault(kind="rate_limited", method="POST", nth=1)])
>>> injector = FaultInjector(Emulator(token=None), plan)
>>> injector.handle(Request("POST", "/Users", body=b'{"userName": "a"}')).status
429
>>> injector.handle(Request("POST", "/Users", body=b'{"userName": "a"}')).status
201
>>> [fault.kind.value for fault in injector.injected]
['rate_limited']

Every injected fault is recorded (:attr:`FaultInjector.injected`), for
assertions and for the figures of chaos experiments.
"""

from __future__ import annotations

import enum
import fnmatch
import math
import random
import threading
import time

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from scim_ninjio import _constants
from scim_ninjio._http import Request, Response
from scim_ninjio.exceptions import (
    ConfigurationError,
    ConnectionDroppedError,
    ReadTimeoutError,
)
from scim_ninjio.testing._emulator._responses import error_body


__all__ = [
    "Fault",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "InjectedFault",
    "fault_response",
    "truncate",
]


class FaultKind(enum.Enum):
    """What goes wrong."""

    #: 429 with ``Retry-After``; the request is not processed.
    RATE_LIMITED = "rate_limited"
    #: 500 with a SCIM Error body; processed or not, as the fault says.
    SERVER_ERROR = "server_error"
    #: 503, with ``Retry-After`` if the fault gives one; not processed.
    UNAVAILABLE = "unavailable"
    #: The real answer, after a delay.
    LATENCY = "latency"
    #: The connection closes without an answer, before or after processing.
    DROP = "drop"
    #: No answer at all until the client gives up (or the server stops).
    HANG = "hang"
    #: The real answer cut short, with fewer bytes than ``Content-Length`` says.
    TRUNCATED = "truncated"
    #: The real status and headers, with a body that is not JSON.
    MALFORMED = "malformed"
    #: An HTML error page, as a proxy or load balancer sends; not processed.
    HTML = "html"


# Whether the handler sees the request, for the kinds that decide it alone.
_FIXED_PROCESSING = {
    FaultKind.RATE_LIMITED: False,
    FaultKind.UNAVAILABLE: False,
    FaultKind.LATENCY: True,
    FaultKind.TRUNCATED: True,
    FaultKind.MALFORMED: True,
}


def _kind(value: FaultKind | str) -> FaultKind:
    try:
        return FaultKind(value)
    except ValueError:
        known = ", ".join(kind.value for kind in FaultKind)
        raise ConfigurationError(
            f"{value!r} is not a kind of fault; use one of {known}"
        ) from None


def _methods(value: str | Iterable[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = value.split(",")

    return frozenset(m.strip().upper() for m in value if m.strip())


def _numbers(value: int | Iterable[int] | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    if isinstance(value, int):
        return frozenset({value})

    return frozenset(value)


@attrs.frozen(kw_only=True)
class Fault:
    """
    One fault rule: which requests, and what goes wrong with them.

    A request matches when its path matches ``route`` and its method is one
    of ``method``. Of the matching requests, the rule fires on the ``nth``
    ones if given, otherwise on each with ``probability``, and at most
    ``limit`` times.

    Attributes:
        kind: What goes wrong (a :class:`FaultKind` or its value).
        route: A shell-style pattern on the path, relative to the SCIM base
            (``"/Users*"``, ``"/Groups/*"``); ``"*"`` matches every path.
        method: The methods it applies to (``"POST"``, ``"POST,PATCH"`` or a
            list); empty for every method.
        nth: Fire on these matching requests, counted from 1 (``3`` or
            ``{1, 2}``); empty to use ``probability`` instead.
        probability: The chance that a matching request gets the fault.
        limit: The most times the rule fires, or None.
        processed: Whether the handler processes the request first: for a
            dropped connection, a hang, a 500 or an HTML page. The other
            kinds decide it themselves (a 429 is never processed, a truncated
            answer always is); None takes the kind's own choice, which is
            "not processed" for the four that allow both.
        retry_after: The ``Retry-After`` value of a 429 or 503, in seconds
            or as an HTTP date; None sends none.
        delay: The seconds a latency fault waits before answering.
        status: The status of an HTML error page.

    Raises:
        ConfigurationError: A value is out of range, or ``processed``
            contradicts the kind.
    """

    kind: FaultKind = attrs.field(converter=_kind)
    route: str = "*"
    method: frozenset[str] = attrs.field(default=None, converter=_methods)
    nth: frozenset[int] = attrs.field(default=None, converter=_numbers)
    probability: float = 1.0
    limit: int | None = None
    processed: bool | None = None
    retry_after: str | None = attrs.field(
        default="1", converter=attrs.converters.optional(str)
    )
    delay: float = 0.5
    status: int = 502

    def __attrs_post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ConfigurationError(
                f"probability must be between 0 and 1, not {self.probability}"
            )
        if any(n < 1 for n in self.nth):
            raise ConfigurationError(
                f"nth counts matching requests from 1; got {sorted(self.nth)}"
            )
        if self.limit is not None and self.limit < 0:
            raise ConfigurationError(f"limit must not be negative, not {self.limit}")
        if not (math.isfinite(self.delay) and self.delay >= 0):
            raise ConfigurationError(
                f"delay must be a finite number of seconds, not {self.delay}"
            )
        if not 400 <= self.status <= 599:
            raise ConfigurationError(
                f"an HTML error page needs a 4xx or 5xx status, not {self.status}"
            )
        fixed = _FIXED_PROCESSING.get(self.kind)
        if fixed is not None and self.processed not in {None, fixed}:
            verb = "is always" if fixed else "is never"
            raise ConfigurationError(
                f"a {self.kind.value} fault {verb} processed; leave processed unset"
            )

    @property
    def processes(self) -> bool:
        """Whether the handler processes a request this rule fires on."""
        fixed = _FIXED_PROCESSING.get(self.kind)
        if fixed is not None:
            return fixed

        return bool(self.processed)

    def matches(self, request: Request) -> bool:
        """Whether a request is one this rule applies to."""
        if self.method and request.method.upper() not in self.method:
            return False

        return fnmatch.fnmatchcase(request.path, self.route)


def _faults(value: Iterable[Fault]) -> tuple[Fault, ...]:
    return tuple(value)


@attrs.frozen
class FaultPlan:
    """
    The fault rules to apply, and the seed that makes them reproducible.

    The first rule that fires on a request decides its fault; every matching
    rule counts the request, so ``nth`` counts are independent of each other.
    Each rule draws from its own random stream, seeded from ``seed`` and its
    position, so that adding a rule does not change when the others fire.

    Attributes:
        faults: The rules, in order.
        seed: The seed of the random draws.
    """

    faults: tuple[Fault, ...] = attrs.field(default=(), converter=_faults)
    seed: int = 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultPlan:
        """
        Build a plan from JSON-like data, as a plan file holds it.

        >>> FaultPlan.from_dict({"seed": 7, "faults": [
        ...     {"kind": "unavailable", "route": "/Users*", "probability": 0.1}]}).seed
        7

        Raises:
            ConfigurationError: The data does not describe a plan; the
                message says which entry and what is wrong.
        """
        unknown = set(data) - {"faults", "seed"}
        if unknown:
            raise ConfigurationError(
                f"a fault plan has 'faults' and 'seed', not {sorted(unknown)}"
            )
        seed = data.get("seed", 0)
        entries = data.get("faults", [])
        if not isinstance(seed, int) or not isinstance(entries, list):
            raise ConfigurationError(
                "a fault plan needs an integer 'seed' and a list of 'faults'"
            )
        names = {field.name for field in attrs.fields(Fault)}
        faults = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or not set(entry) <= names:
                raise ConfigurationError(
                    f"faults[{index}] must be an object with keys among "
                    f"{sorted(names)}; got {entry!r}"
                )
            try:
                faults.append(Fault(**entry))
            except (TypeError, ValueError) as e:
                raise ConfigurationError(f"faults[{index}]: {e}") from None

        return cls(faults, seed)


@attrs.frozen(kw_only=True)
class InjectedFault:
    """
    A fault that was injected, as the injector records it.

    Attributes:
        seq: The number of the request among those the injector saw, from 1.
        kind: What went wrong.
        method: The request's method.
        target: The request's path and query.
        processed: Whether the handler processed the request.
        fault: The rule that fired.
    """

    seq: int
    kind: FaultKind
    method: str
    target: str
    processed: bool
    fault: Fault


class FaultInjector:
    """
    Wraps a handler and injects the faults of a plan into what it answers.

    Thread-safe. Use it wherever a handler goes (the in-memory transport, a
    :class:`~scim_ninjio.testing.server.LiveServer`).

    Args:
        handler: What answers requests that get no fault, or that a fault
            lets through to processing; usually an emulator.
        plan: The fault rules; none by default.
        sleep: How a latency fault waits in process; :func:`time.sleep` by
            default.

    Limitations:
        In process, a latency fault sleeps in the caller's thread, which
        blocks the event loop of an async client on the in-memory
        transport; a hang raises :class:`~scim_ninjio.exceptions.ReadTimeoutError`
        at once rather than after the client's timeout. Over a live server
        both take real time.
    """

    def __init__(
        self,
        handler: Callable[[Request], Response],
        plan: FaultPlan | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.handler = handler
        self._sleep = sleep
        self._lock = threading.Lock()
        self._injected: list[InjectedFault] = []
        self._seen = 0
        self.plan = plan or FaultPlan()

    def __repr__(self) -> str:
        return (
            f"<FaultInjector faults={len(self._plan.faults)} "
            f"injected={len(self._injected)}>"
        )

    @property
    def plan(self) -> FaultPlan:
        """The plan in force. Setting it starts every count and draw afresh."""
        return self._plan

    @plan.setter
    def plan(self, plan: FaultPlan) -> None:
        with self._lock:
            self._plan = plan
            self._matched = [0] * len(plan.faults)
            self._fired = [0] * len(plan.faults)
            self._random = [
                random.Random(f"{plan.seed}:{index}")  # noqa: S311 -- not for security
                for index in range(len(plan.faults))
            ]

    def add(self, *faults: Fault) -> None:
        """Append rules to the plan, keeping the counts of the rules in it."""
        with self._lock:
            start = len(self._plan.faults)
            self._plan = FaultPlan((*self._plan.faults, *faults), self._plan.seed)
            self._matched.extend([0] * len(faults))
            self._fired.extend([0] * len(faults))
            self._random.extend(
                random.Random(f"{self._plan.seed}:{index}")  # noqa: S311 -- not for security
                for index in range(start, start + len(faults))
            )

    def clear(self) -> None:
        """Remove every rule; requests go straight to the handler again."""
        self.plan = FaultPlan(seed=self._plan.seed)

    @property
    def injected(self) -> tuple[InjectedFault, ...]:
        """Every fault injected so far, in order."""
        with self._lock:
            return tuple(self._injected)

    @property
    def seen(self) -> int:
        """How many requests the injector has seen."""
        return self._seen

    def counts(self) -> Counter[FaultKind]:
        """Return how many faults of each kind were injected."""
        with self._lock:
            return Counter(fault.kind for fault in self._injected)

    def decide(self, request: Request) -> InjectedFault | None:
        """
        Decide and record the fault for one request, if any.

        Transports call :meth:`handle` instead; a server that carries faults
        out on real sockets calls this, then acts on the answer.
        """
        with self._lock:
            self._seen += 1
            chosen: int | None = None
            for index, fault in enumerate(self._plan.faults):
                if not fault.matches(request):
                    continue
                self._matched[index] += 1
                if chosen is None and self._fires(index, fault):
                    chosen = index
            if chosen is None:
                return None
            self._fired[chosen] += 1
            fault = self._plan.faults[chosen]
            injected = InjectedFault(
                seq=self._seen,
                kind=fault.kind,
                method=request.method,
                target=request.target,
                processed=fault.processes,
                fault=fault,
            )
            self._injected.append(injected)

            return injected

    def _fires(self, index: int, fault: Fault) -> bool:
        if fault.limit is not None and self._fired[index] >= fault.limit:
            return False
        if fault.nth:
            return self._matched[index] in fault.nth

        return self._random[index].random() < fault.probability

    def handle(self, request: Request) -> Response:
        """
        Answer a request in process, with its fault if it gets one.

        Raises:
            ConnectionDroppedError: A drop fault fired.
            ReadTimeoutError: A hang fault fired.
        """
        injected = self.decide(request)
        if injected is None:
            return self.handler(request)
        fault = injected.fault
        if fault.kind is FaultKind.LATENCY:
            self._sleep(fault.delay)
            return self.handler(request)
        answer = self.handler(request) if injected.processed else None
        if fault.kind is FaultKind.DROP:
            raise ConnectionDroppedError(
                "the connection closed before the answer (injected fault)",
                method=request.method,
                url=request.target,
            )
        if fault.kind is FaultKind.HANG:
            raise ReadTimeoutError(
                "no answer before the read timeout (injected fault)",
                method=request.method,
                url=request.target,
            )

        return fault_response(fault, answer)

    __call__ = handle


_HTML_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)

_REASONS = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def fault_response(fault: Fault, answer: Response | None) -> Response:
    """
    Return the answer a fault gives in place of (or made from) the real one.

    For the kinds that answer at all: 429, 500, 503, an HTML page, a
    malformed body, a truncated body. ``answer`` is the handler's own answer
    when the fault let it process the request.

    Raises:
        ConfigurationError: The fault's kind gives no answer (a drop, a hang,
            latency), or needs the real answer and got none.
    """
    kind = fault.kind
    scim = {"content-type": _constants.SCIM_JSON}
    if kind is FaultKind.RATE_LIMITED:
        headers = dict(scim)
        if fault.retry_after is not None:
            headers["retry-after"] = fault.retry_after
        return Response(
            429,
            headers,
            error_body(429, None, "too many requests; wait and try again"),
        )
    if kind is FaultKind.SERVER_ERROR:
        return Response(500, scim, error_body(500, None, "internal server error"))
    if kind is FaultKind.UNAVAILABLE:
        headers = dict(scim)
        if fault.retry_after is not None:
            headers["retry-after"] = fault.retry_after
        return Response(
            503, headers, error_body(503, None, "the service is unavailable")
        )
    if kind is FaultKind.HTML:
        reason = _REASONS.get(fault.status, "Error")
        page = _HTML_PAGE.format(status=fault.status, reason=reason)
        return Response(fault.status, {"content-type": "text/html"}, page.encode())
    if answer is None:
        raise ConfigurationError(
            f"a {kind.value} fault gives no answer of its own to send"
        )
    if kind is FaultKind.MALFORMED:
        return Response(answer.status, _without_length(answer.headers), _MALFORMED)
    if kind is FaultKind.TRUNCATED:
        return Response(
            answer.status,
            {
                **_without_length(answer.headers),
                "content-length": str(len(answer.body)),
            },
            truncate(answer.body),
        )
    raise ConfigurationError(f"a {kind.value} fault gives no answer of its own")


# Single quotes and a bare word: JSON in looks only, as a broken server or a
# proxy that rewrites bodies produces.
_MALFORMED = b"{'schemas': [urn:ietf:params:scim:api:messages:2.0:ListResponse], "


def truncate(body: bytes) -> bytes:
    """Return the part of a body a truncated answer delivers: its first half."""
    return body[: len(body) // 2]


def _without_length(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != "content-length"}
