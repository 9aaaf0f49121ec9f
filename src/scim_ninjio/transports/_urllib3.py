"""
The default sync transport, on urllib3 directly.

One :class:`urllib3.PoolManager` (or :class:`urllib3.ProxyManager` when the
environment names a proxy), and the connection pool of the base URL's origin
taken from it once, so that a request on the origin costs no URL parsing and
no pool lookup. urllib3's own retries and redirects are off: the operations
retry and :func:`~scim_ninjio.transports._base.wire_steps` redirects, the
same way for every transport.
"""

from __future__ import annotations

import urllib3
import urllib3.exceptions as u3

from scim_ninjio._http import Response
from scim_ninjio.exceptions import (
    ConnectError,
    ConnectionDroppedError,
    ReadTimeoutError,
    TLSError,
    TransportError,
)
from scim_ninjio.transports._base import (
    HTTPTransport,
    TransportSettings,
    Wire,
    log_route,
    proxy_credentials,
    ssl_context,
)


__all__ = ["Urllib3Transport"]


class Urllib3Transport(HTTPTransport):
    """
    Send requests with urllib3: the default transport of the sync client.

    Args:
        pool_size: The most connections kept open to the server; None takes
            the client's ``pool_size``. Size it to the number of threads that
            share the client.

    >>> Urllib3Transport()
    Urllib3Transport(base_url=None)
    """

    def __init__(self, *, pool_size: int | None = None) -> None:
        self._pool_size = pool_size
        self._manager: urllib3.PoolManager | None = None
        self._pool: urllib3.HTTPConnectionPool | None = None

    def _configured(self, settings: TransportSettings) -> None:
        size = self._pool_size or settings.pool_size
        https = settings.base_url.startswith("https:")
        options: dict[str, object] = {"num_pools": 4, "maxsize": size, "block": False}
        if https:
            options["ssl_context"] = ssl_context(settings)
            options["cert_reqs"] = "CERT_REQUIRED" if settings.verify else "CERT_NONE"
            if not settings.verify:
                options["assert_hostname"] = False
        self._timeout = urllib3.Timeout(
            connect=settings.timeout.connect, read=settings.timeout.read
        )
        log_route(self, settings.base_url, settings.proxy)
        if settings.proxy:
            # urllib3 sends no Proxy-Authorization for a user:password@ in the
            # proxy URL: the credentials go in that header, and the URL that
            # urllib3 keeps (and may show) holds none.
            proxy, credentials = proxy_credentials(settings.proxy)
            if credentials is not None:
                options["proxy_headers"] = urllib3.make_headers(
                    proxy_basic_auth=credentials
                )
            self._manager = urllib3.ProxyManager(proxy, **options)  # type: ignore[arg-type] # options are typed per key
            # Through a proxy, the manager decides how each URL is sent.
            self._pool = None
        else:
            self._manager = urllib3.PoolManager(**options)  # type: ignore[arg-type] # idem
            self._pool = self._manager.connection_from_url(settings.base_url)

    def _exchange(self, wire: Wire) -> Response:
        try:
            if wire.path is not None and self._pool is not None:
                raw = self._pool.urlopen(
                    wire.method,
                    wire.path,
                    body=wire.body,
                    headers=wire.headers,
                    retries=False,
                    redirect=False,
                    assert_same_host=False,
                    timeout=self._timeout,
                )
            else:
                assert self._manager is not None  # noqa: S101 -- set by configure
                raw = self._manager.urlopen(
                    wire.method,
                    wire.url,
                    body=wire.body,
                    headers=wire.headers,
                    retries=False,
                    redirect=False,
                    timeout=self._timeout,
                )
        except (u3.HTTPError, OSError) as error:
            raise _translate(error, wire, self._timeout) from error

        return Response(raw.status, dict(raw.headers.items()), raw.data)

    def close(self) -> None:
        """Close every pooled connection."""
        if self._manager is not None:
            self._manager.clear()


def _translate(
    error: Exception, wire: Wire, timeout: urllib3.Timeout
) -> TransportError:
    where = f"{wire.method} {wire.url}"
    kwargs = {"method": wire.method, "url": wire.url}
    if isinstance(error, u3.SSLError):
        return TLSError(f"{where}: the TLS handshake failed: {error}", **kwargs)
    if isinstance(error, u3.ProxyError):
        return ConnectError(f"{where}: the proxy failed: {error}", **kwargs)
    if isinstance(error, u3.ConnectTimeoutError):
        # Also NewConnectionError and NameResolutionError: nothing was sent.
        return ConnectError(f"{where}: could not connect: {error}", **kwargs)
    if isinstance(error, u3.ReadTimeoutError):
        return ReadTimeoutError(
            f"{where}: no answer within {timeout.read_timeout} s", **kwargs
        )
    if isinstance(error, u3.ProtocolError | OSError):
        return ConnectionDroppedError(
            f"{where}: the connection closed before the answer: {error}", **kwargs
        )

    return TransportError(f"{where}: {error}", **kwargs)
