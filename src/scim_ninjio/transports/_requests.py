"""
A sync transport on a caller's own :class:`requests.Session`.

For companies that already configured a session: proxies, adapters, client
certificates, auth plugins for a gateway. The session's settings are read
once, when the client configures the transport; each request then goes
through ``Session.send`` rather than ``Session.request``, which would read
the environment (proxies, ``.netrc``, CA bundle variables) again every time.
"""

from __future__ import annotations

import logging
import os

import requests
import requests.exceptions as rx
import urllib3.exceptions as u3

from requests.utils import get_environ_proxies, select_proxy

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
    same_origin,
)


__all__ = ["RequestsTransport"]

log = logging.getLogger(__name__)


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    # Given as the request's auth, it keeps requests from looking the host up
    # in ~/.netrc on every request; the bearer header is already set.
    return request


class RequestsTransport(HTTPTransport):
    """
    Send requests through a :class:`requests.Session`.

    Args:
        session: The session to use; the transport then leaves it open on
            :meth:`close`, since its owner may still need it. Without one, the
            transport makes its own and closes it.

    The session's ``auth``, ``cert``, ``headers``, cookies, adapters and
    ``proxies`` are honoured, credentials in a proxy URL included. Its
    ``verify`` counts only when it names a CA bundle, and the client's
    ``ca_bundle`` wins over it: a session with ``verify=False`` still checks
    certificates, and only the client's ``verify=False`` turns that off.
    """

    def __init__(self, session: requests.Session | None = None) -> None:
        self._owned = session is None
        self._session = session if session is not None else requests.Session()

    def _configured(self, settings: TransportSettings) -> None:
        session = self._session
        self._verify = _verify(settings, session)
        proxies: dict[str, str] = {}
        if session.trust_env:
            proxies.update(get_environ_proxies(settings.base_url))
            if settings.proxy is None:
                # settings_for found nothing to proxy (a loopback host, or a
                # NO_PROXY match): keep requests from finding it again.
                proxies = {}
        proxies.update(session.proxies)
        self._proxies = proxies
        # requests turns a proxy URL's user:password@ into Proxy-Authorization
        # itself, and keeps it out of its errors.
        log_route(self, settings.base_url, select_proxy(settings.base_url, proxies))
        self._timeout = (settings.timeout.connect, settings.timeout.read)
        self._auth = None if session.auth is not None else _no_auth
        self._home = settings

    def _exchange(self, wire: Wire) -> Response:
        session = self._session
        # The session's own auth goes where the token goes: to the base URL's
        # origin only, never to a host a redirect points at.
        auth = self._auth if same_origin(wire.url, self._home) else _no_auth
        prepared = session.prepare_request(
            requests.Request(
                wire.method,
                wire.url,
                headers=wire.headers,
                data=wire.body,
                auth=auth,
            )
        )
        try:
            raw = session.send(
                prepared,
                timeout=self._timeout,
                verify=self._verify,
                proxies=self._proxies,
                cert=session.cert,
                allow_redirects=False,
                stream=False,
            )
        except (rx.RequestException, OSError) as error:
            raise _translate(error, wire) from error

        return Response(raw.status_code, dict(raw.headers.items()), raw.content)

    def close(self) -> None:
        """Close the session if the transport made it."""
        if self._owned:
            self._session.close()


def _verify(settings: TransportSettings, session: requests.Session) -> bool | str:
    """Return the ``verify`` of every request: the client's setting wins."""
    if settings.ca_bundle is not None:
        return settings.ca_bundle
    if not settings.verify:
        return False

    # Only a CA bundle is taken from the session: its verify=False, set for
    # some other use of it, must not turn the check off for the client.
    if session.verify is False:
        log.warning(
            "the requests.Session given to RequestsTransport for %s has "
            "verify=False, which is ignored: TLS certificates are checked; pass "
            "verify=False to the client to turn the check off",
            settings.base_url,
        )
    if isinstance(session.verify, str):
        return session.verify

    if session.trust_env:
        return (
            os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("CURL_CA_BUNDLE")
            or True
        )

    return True


def _translate(error: Exception, wire: Wire) -> TransportError:
    where = f"{wire.method} {wire.url}"
    kwargs = {"method": wire.method, "url": wire.url}
    if isinstance(error, rx.SSLError):
        return TLSError(f"{where}: the TLS handshake failed: {error}", **kwargs)
    if isinstance(error, rx.ProxyError | rx.ConnectTimeout):
        return ConnectError(f"{where}: could not connect: {error}", **kwargs)
    if isinstance(error, rx.ReadTimeout):
        return ReadTimeoutError(f"{where}: no answer in time: {error}", **kwargs)
    if isinstance(error, rx.ChunkedEncodingError | rx.ContentDecodingError):
        return ConnectionDroppedError(
            f"{where}: the connection closed before the answer: {error}", **kwargs
        )
    if isinstance(error, rx.ConnectionError):
        cause = error.args[0] if error.args else None
        if isinstance(cause, u3.ProtocolError | ConnectionResetError):
            return ConnectionDroppedError(
                f"{where}: the connection closed before the answer: {error}",
                **kwargs,
            )
        return ConnectError(f"{where}: could not connect: {error}", **kwargs)

    return TransportError(f"{where}: {error}", **kwargs)
