"""
In-memory transports: a client wired straight to a handler, for tests.

The handler takes a :class:`~scim_ninjio._http.Request` and returns a
:class:`~scim_ninjio._http.Response`, as the emulator's ``handle`` does. It may
raise :class:`~scim_ninjio.exceptions.ConnectionDroppedError`,
:class:`~scim_ninjio.exceptions.ReadTimeoutError` or another
:class:`~scim_ninjio.exceptions.TransportError` to play a network fault; the
transport lets it through to the retry logic. Unless asked, the handler
never sees the token: with ``authorize=True`` it gets the ``authorization``
header a server would get on the wire, so that the emulator can check it.
"""

from __future__ import annotations

import inspect

from collections.abc import Awaitable, Callable

import attrs

from scim_ninjio._http import Request, Response
from scim_ninjio.exceptions import TransportError
from scim_ninjio.transports._base import TransportSettings


__all__ = ["AsyncMemoryTransport", "MemoryTransport"]

Handler = Callable[[Request], Response]
AsyncHandler = Callable[[Request], "Response | Awaitable[Response]"]


class MemoryTransport:
    """
    Answer requests by calling a function, without a network.

    Args:
        handler: Answers each request (the emulator's ``handle``).
        authorize: Hand the handler each request with the ``authorization``
            header, as a server receives it on the wire. Off by default, so
            that the token stays out of the handler's reach unless it checks
            tokens (the emulator does).

    >>> from scim_ninjio._http import Response
    >>> MemoryTransport(lambda request: Response(204)).send(Request("GET", "/"))
    Response(status=204, body=0 bytes)
    """

    def __init__(self, handler: Handler, *, authorize: bool = False) -> None:
        self.handler = handler
        self.authorize = authorize
        self.settings: TransportSettings | None = None

    def configure(self, settings: TransportSettings) -> None:
        """Keep the settings; nothing else depends on them here."""
        self.settings = settings

    def send(self, request: Request) -> Response:
        """
        Return the handler's answer.

        Raises:
            TransportError: The handler raised one.
        """
        try:
            return self.handler(_on_the_wire(request, self.settings, self.authorize))
        except TransportError as error:
            _locate(error, request, self.settings)
            raise

    def close(self) -> None:
        """Do nothing: there is nothing to release."""

    def __repr__(self) -> str:
        return f"MemoryTransport(handler={self.handler!r})"


class AsyncMemoryTransport:
    """
    Answer requests by calling a function, for the async client.

    Args:
        handler: Answers each request; it may be sync or return an awaitable.
        authorize: Hand the handler the ``authorization`` header, as
            :class:`MemoryTransport` does.
    """

    def __init__(self, handler: AsyncHandler, *, authorize: bool = False) -> None:
        self.handler = handler
        self.authorize = authorize
        self.settings: TransportSettings | None = None

    def configure(self, settings: TransportSettings) -> None:
        """Keep the settings; nothing else depends on them here."""
        self.settings = settings

    async def send(self, request: Request) -> Response:
        """
        Return the handler's answer.

        Raises:
            TransportError: The handler raised one.
        """
        try:
            answer = self.handler(_on_the_wire(request, self.settings, self.authorize))
            if inspect.isawaitable(answer):
                answer = await answer
        except TransportError as error:
            _locate(error, request, self.settings)
            raise

        return answer

    async def close(self) -> None:
        """Do nothing: there is nothing to release."""

    def __repr__(self) -> str:
        return f"AsyncMemoryTransport(handler={self.handler!r})"


def _on_the_wire(
    request: Request, settings: TransportSettings | None, authorize: bool
) -> Request:
    """Return the request as a server would receive it."""
    if not authorize or settings is None:
        return request
    token = settings.token
    headers = {**request.headers, token.header_name: token.header()}

    return attrs.evolve(request, headers=headers)


def _locate(
    error: TransportError, request: Request, settings: TransportSettings | None
) -> None:
    """Fill in where a simulated fault happened, if the handler left it out."""
    if not error.method:
        error.method = request.method
    if not error.url:
        base = settings.base_url if settings is not None else ""
        error.url = base + request.target
