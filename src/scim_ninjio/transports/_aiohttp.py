"""
The async transport, on aiohttp.

One :class:`aiohttp.ClientSession` with a connector whose limit matches the
client's concurrency, made in the running event loop on first use. aiohttp's
redirects and environment lookups are off: redirects go through
:func:`~scim_ninjio.transports._base.wire_steps`, and the proxy was read once
when the client was built.
"""

from __future__ import annotations

import base64
import ssl

import aiohttp
import yarl

from scim_ninjio._http import Response
from scim_ninjio.exceptions import (
    ConnectError,
    ConnectionDroppedError,
    ReadTimeoutError,
    TLSError,
    TransportError,
)
from scim_ninjio.transports._base import (
    AsyncHTTPTransport,
    TransportSettings,
    Wire,
    log_route,
    proxy_credentials,
    ssl_context,
)


__all__ = ["AiohttpTransport"]


class AiohttpTransport(AsyncHTTPTransport):
    """
    Send requests with aiohttp: the default transport of the async client.

    Args:
        limit: The most connections open at once; None takes the client's
            ``max_concurrency``.
        session: A session to use instead of the transport's own; it is left
            open on :meth:`close`. Its connector's TLS settings then apply.

    Limitations:
        With ``session``, TLS is the session connector's business, so that a
        client certificate set there still applies: a connector made with
        ``ssl=False`` checks no certificate, whatever the client's ``verify``.
    """

    def __init__(
        self, *, limit: int | None = None, session: aiohttp.ClientSession | None = None
    ) -> None:
        self._limit = limit
        self._session = session
        self._owned = session is None

    def _configured(self, settings: TransportSettings) -> None:
        self._ssl: ssl.SSLContext | bool = (
            ssl_context(settings) if settings.base_url.startswith("https:") else True
        )
        log_route(self, settings.base_url, settings.proxy)
        # aiohttp would put a user:password@ of the proxy URL in its errors
        # (a 407 names the URL): the URL it is given holds none, and the
        # credentials go in the Proxy-Authorization header.
        self._proxy: str | None = None
        self._proxy_headers: dict[str, str] | None = None
        if settings.proxy:
            self._proxy, credentials = proxy_credentials(settings.proxy)
            if credentials is not None:
                self._proxy_headers = {
                    "Proxy-Authorization": _basic(credentials),
                }
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=settings.timeout.connect,
            sock_read=settings.timeout.read,
        )
        self._read_timeout = settings.timeout.read
        self._size = self._limit or settings.pool_size

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._size, ssl=self._ssl)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                trust_env=False,
                auto_decompress=True,
            )
        return self._session

    async def _exchange(self, wire: Wire) -> Response:
        session = self._client()
        headers = wire.headers
        if self._proxy_headers and wire.url.startswith("http:"):
            # aiohttp sends proxy_headers on a CONNECT only; a plain http
            # request goes to the proxy itself, so it carries them. Never on
            # https, where they would reach the server through the tunnel.
            headers = {**headers, **self._proxy_headers}
        try:
            # The TLS context sits on the transport's own connector; a
            # caller's session keeps its connector's settings.
            async with session.request(
                wire.method,
                yarl.URL(wire.url, encoded=True),
                data=wire.body,
                headers=headers,
                allow_redirects=False,
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
                # A caller's session has timeouts of its own; ours apply.
                timeout=self._timeout,
            ) as raw:
                body = await raw.read()
                return Response(raw.status, dict(raw.headers.items()), body)
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise _translate(error, wire, self._read_timeout) from error

    async def close(self) -> None:
        """Close the session if the transport made it."""
        if self._session is not None and self._owned:
            await self._session.close()
        self._session = None if self._owned else self._session


def _basic(credentials: str) -> str:
    # Latin-1, as urllib3 and requests encode them; settings_for refuses
    # credentials that it cannot carry.
    return "Basic " + base64.b64encode(credentials.encode("latin-1")).decode("ascii")


def _translate(error: Exception, wire: Wire, read_timeout: float) -> TransportError:
    where = f"{wire.method} {wire.url}"
    kwargs = {"method": wire.method, "url": wire.url}
    if isinstance(error, aiohttp.ClientSSLError | ssl.SSLError):
        return TLSError(f"{where}: the TLS handshake failed: {error}", **kwargs)
    if isinstance(error, aiohttp.ClientHttpProxyError):
        # Nothing reached the server. Built from the status alone: the
        # error's own text names the proxy URL.
        hint = ""
        if error.status == 407:
            hint = "; check the user and password in the proxy URL"
        return ConnectError(
            f"{where}: the proxy refused to connect: {error.status} "
            f"{error.message}{hint}",
            **kwargs,
        )
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return ConnectError(f"{where}: could not connect: {error}", **kwargs)
    if isinstance(error, TimeoutError):
        return ReadTimeoutError(f"{where}: no answer within {read_timeout} s", **kwargs)
    if isinstance(
        error,
        aiohttp.ServerDisconnectedError
        | aiohttp.ClientPayloadError
        | aiohttp.ClientOSError
        | OSError,
    ):
        return ConnectionDroppedError(
            f"{where}: the connection closed before the answer: {error}", **kwargs
        )

    return TransportError(f"{where}: {error}", **kwargs)
