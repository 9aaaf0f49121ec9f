"""
The emulator over real HTTP: a live SCIM server on loopback.

:class:`LiveServer` serves any handler (an
:class:`~scim_ninjio.testing.emulator.Emulator`, a
:class:`~scim_ninjio.testing.faults.FaultInjector` around one, or a function
of your own) with aiohttp's low-level HTTP/1.1 server, on its own event loop
in a background thread. Connections are kept alive, many clients are served
at once, and stopping closes every socket and joins the thread::

    from scim_ninjio.client import NinjioClient
    from scim_ninjio.testing import DEFAULT_TOKEN, Emulator
    from scim_ninjio.testing.server import LiveServer

    with LiveServer(Emulator()) as server:
        with NinjioClient(server.url, DEFAULT_TOKEN) as client:
            print(client.verify().ok)

When the handler is a fault injector, its faults happen on the wire: a drop
closes the connection without an answer, a hang never answers (until the
client gives up or the server stops), a truncated answer sends fewer bytes
than its ``Content-Length`` and closes.

:func:`serve` runs a server in the foreground until interrupted; it is what
``python -m scim_ninjio.testing serve`` and ``scim-ninjio serve`` run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pathlib
import secrets
import signal
import threading

from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

from aiohttp import web

from scim_ninjio import _constants
from scim_ninjio._http import Request, Response
from scim_ninjio.exceptions import ConfigurationError
from scim_ninjio.testing._emulator._responses import error_body
from scim_ninjio.testing.emulator import Emulator
from scim_ninjio.testing.faults import (
    FaultInjector,
    FaultKind,
    fault_response,
    truncate,
)


__all__ = ["LiveServer", "serve", "token_from_file"]

logger = logging.getLogger(__name__)

#: Response headers aiohttp writes itself.
_OWN_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


class LiveServer:
    """
    Serves a SCIM handler over HTTP/1.1 on a background thread.

    Start it with ``with`` (or :meth:`start` and :meth:`stop`). When the
    handler is an emulator (or a fault injector around one), the emulator's
    ``base_url`` is set to the server's :attr:`url`, so that ``Location``
    headers and ``meta.location`` point at the server.

    Args:
        handler: What answers each request.
        host: The address to listen on; loopback by default.
        port: The port to listen on; 0 picks a free one.
        base_path: The path the SCIM endpoints live under.
        shutdown_timeout: The most seconds :meth:`stop` waits for requests
            in progress.

    Raises:
        ConfigurationError: ``base_path`` does not start with ``/``.

    A request body over 1 MiB is answered 413 with a SCIM Error, as a
    server protecting itself does (:rfc:`7644#section-3.12`).

    Limitations:
        Plain HTTP only: there is no TLS, so clients must allow ``http://``
        (they do for loopback).
    """

    def __init__(
        self,
        handler: Callable[[Request], Response],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        base_path: str = "/scim/v2",
        shutdown_timeout: float = 5.0,
    ) -> None:
        if not base_path.startswith("/"):
            raise ConfigurationError(
                f"base_path must start with '/', not {base_path!r}"
            )
        self.handler = handler
        self.host = host
        self._port = port
        self.base_path = base_path.rstrip("/")
        self._shutdown_timeout = shutdown_timeout
        self._injector = handler if isinstance(handler, FaultInjector) else None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.ServerRunner | None = None
        self._stopping = asyncio.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        state = f"url={self.url!r}" if self.running else "stopped"
        return f"<LiveServer {state}>"

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._thread is not None and self._runner is not None

    @property
    def port(self) -> int:
        """
        The port the server listens on.

        Raises:
            RuntimeError: The server is not running.
        """
        if not self.running:
            raise RuntimeError("the server is not running; start it first")

        return self._port

    @property
    def url(self) -> str:
        """
        The SCIM base URL (``http://127.0.0.1:<port>/scim/v2``).

        Raises:
            RuntimeError: The server is not running.
        """
        host = f"[{self.host}]" if ":" in self.host else self.host

        return f"http://{host}:{self.port}{self.base_path}"

    def start(self) -> Self:
        """
        Start listening; return once the server accepts connections.

        Raises:
            RuntimeError: The server is running already.
            OSError: The address cannot be bound (the port is taken).
        """
        if self._thread is not None:
            raise RuntimeError("the server is running already")
        self._ready.clear()
        self._error = None
        # A fresh event per run: an event binds to the loop that first waits.
        self._stopping = asyncio.Event()
        thread = threading.Thread(
            target=self._run, name="scim-ninjio-live-server", daemon=True
        )
        self._thread = thread
        thread.start()
        self._ready.wait()
        error = self._startup_error()
        if error is not None:
            thread.join()
            self._thread = None
            raise error
        emulator = _emulator_of(self.handler)
        if emulator is not None:
            emulator.base_url = self.url
        logger.debug("live server: listening at %s", self.url)

        return self

    def _startup_error(self) -> BaseException | None:
        # Set by the server thread before it signals readiness.
        return self._error

    def stop(self) -> None:
        """Stop: end requests in progress, close every connection, join the thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(self._begin_stop)
        thread.join()
        self._thread = None
        logger.debug("live server: stopped")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- The event loop thread ----------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            runner = loop.run_until_complete(self._open())
        except BaseException as e:  # noqa: BLE001 -- handed to start(), which raises it
            self._error = e
            loop.close()
            self._loop = None
            self._ready.set()
            return
        self._runner = runner
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._close(runner))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._loop = None

    async def _open(self) -> web.ServerRunner:
        server = web.Server(self._serve, access_log=None)
        runner = web.ServerRunner(server, shutdown_timeout=self._shutdown_timeout)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._port = runner.addresses[0][1]

        return runner

    def _begin_stop(self) -> None:
        self._stopping.set()
        asyncio.get_running_loop().stop()

    async def _close(self, runner: web.ServerRunner) -> None:
        # Hanging and slow requests wait on _stopping: setting it lets them
        # end before the runner waits for every request in progress.
        self._runner = None
        self._stopping.set()
        await runner.cleanup()

    async def _serve(self, http: web.BaseRequest) -> web.StreamResponse:
        raw = http.raw_path
        if raw != self.base_path and not raw.startswith(
            (self.base_path + "/", self.base_path + "?")
        ):
            return _scim_error(
                404,
                f"no SCIM endpoint at {raw!r}; the SCIM base path is "
                f"{self.base_path!r}",
            )
        try:
            body = await http.read()
        except web.HTTPRequestEntityTooLarge:
            return _scim_error(
                413, "the request body is larger than 1 MiB; send smaller requests"
            )
        request = Request(
            http.method,
            raw[len(self.base_path) :] or "/",
            {k.lower(): v for k, v in http.headers.items()},
            body or None,
        )
        injector = self._injector
        if injector is None:
            return _to_aiohttp(self.handler(request))
        injected = injector.decide(request)
        handler = injector.handler
        if injected is None:
            return _to_aiohttp(handler(request))
        fault = injected.fault
        if fault.kind is FaultKind.LATENCY:
            # A stop cuts the wait short, so that stopping never waits out a delay.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), fault.delay)
            return _to_aiohttp(handler(request))
        answer = handler(request) if injected.processed else None
        if fault.kind is FaultKind.HANG:
            await self._stopping.wait()
            return _hang_up(http)
        if fault.kind is FaultKind.DROP:
            return _hang_up(http)
        if fault.kind is FaultKind.TRUNCATED and answer is not None:
            return await _truncated(http, answer)

        return _to_aiohttp(fault_response(fault, answer))


def _emulator_of(handler: Callable[[Request], Response]) -> Emulator | None:
    if isinstance(handler, FaultInjector):
        handler = handler.handler

    return handler if isinstance(handler, Emulator) else None


def _to_aiohttp(response: Response) -> web.Response:
    headers = {k: v for k, v in response.headers.items() if k not in _OWN_HEADERS}

    return web.Response(
        status=response.status, headers=headers, body=response.body or None
    )


def _hang_up(http: web.BaseRequest) -> web.Response:
    # Closing the transport makes the response that aiohttp then tries to
    # write fail quietly, as a client that went away would: nothing is sent.
    _close_connection(http)

    return web.Response(status=204)


def _close_connection(http: web.BaseRequest) -> None:
    # close(), not abort(): bytes already written must still reach the
    # client. The transport is gone if the client left first.
    transport = http.transport
    if transport is not None:
        transport.close()


async def _truncated(http: web.BaseRequest, answer: Response) -> web.StreamResponse:
    headers = {k: v for k, v in answer.headers.items() if k not in _OWN_HEADERS}
    stream = web.StreamResponse(status=answer.status, headers=headers)
    stream.content_length = len(answer.body)
    await stream.prepare(http)
    await stream.write(truncate(answer.body))
    _close_connection(http)

    return stream


def _scim_error(status: int, detail: str) -> web.Response:
    return web.Response(
        status=status,
        headers={"content-type": _constants.SCIM_JSON},
        body=error_body(status, None, detail),
    )


def serve(
    handler: Callable[[Request], Response],
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    base_path: str = "/scim/v2",
    on_ready: Callable[[LiveServer], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """
    Serve a handler in the foreground until interrupted.

    Returns after Ctrl-C (SIGINT), SIGTERM, or ``stop`` being set, once the
    server has stopped cleanly.

    Args:
        handler: What answers each request, usually an emulator.
        host: The address to listen on.
        port: The port to listen on; 0 picks a free one.
        base_path: The path the SCIM endpoints live under.
        on_ready: Called with the running server once it accepts
            connections, for example to tell the user its URL.
        stop: An event that stops the server when set; a new one by default.

    Raises:
        OSError: The address cannot be bound.
    """
    stop = stop or threading.Event()
    with (
        LiveServer(handler, host=host, port=port, base_path=base_path) as server,
        _stop_on_signals(stop),
    ):
        try:
            if on_ready is not None:
                on_ready(server)
            # A signal interrupts the wait: Ctrl-C raises KeyboardInterrupt
            # here, SIGTERM's handler sets the event.
            stop.wait()
        except KeyboardInterrupt:
            logger.debug("live server: interrupted")


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def token_from_file(path: pathlib.Path) -> str:
    """
    Read a bearer token from a file, creating the file with a new token if absent.

    Raises:
        ConfigurationError: The file exists but holds no token, or cannot be
            read or created.
    """
    try:
        if not path.exists():
            token = secrets.token_urlsafe(32)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(token + "\n")
            logger.info("wrote a new token to %s", path)
            return token
        token = path.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise ConfigurationError(f"cannot use token file {path}: {e}") from None
    if not token:
        raise ConfigurationError(
            f"token file {path} is empty; put the bearer token in it, or remove "
            "it to have a new token written there"
        )

    return token
