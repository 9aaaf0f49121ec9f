"""
What every transport shares: settings, the token, redirects, TLS and proxies.

A transport turns a :class:`~scim_ninjio._http.Request` (a target relative to
the base URL, without the token) into a :class:`~scim_ninjio._http.Response`.
It adds ``authorization: Bearer ...`` on the wire and nowhere else, and it
raises :class:`~scim_ninjio.exceptions.TransportError` subclasses when there is
no answer. Retries are not its business: the operations decide them, the
same way for every transport.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import pathlib
import ssl
import urllib.request

from collections.abc import Awaitable, Generator
from typing import ClassVar, NoReturn, Protocol, runtime_checkable
from urllib.parse import unquote, urljoin, urlsplit

import attrs

from scim_ninjio._http import Request, Response
from scim_ninjio.exceptions import ConfigurationError


__all__ = [
    "ApiKey",
    "AsyncTransport",
    "BearerToken",
    "SyncTransport",
    "Timeout",
    "TransportSettings",
    "Wire",
    "is_loopback",
    "masked_url",
    "proxy_credentials",
    "redirect_target",
    "settings_for",
    "wire_steps",
]

log = logging.getLogger(__name__)

#: The most redirects one request follows; a loop is cut there.
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value <= 0:
        raise ConfigurationError(
            f"Timeout.{attribute.name} must be more than 0 seconds, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class Timeout:
    """
    How long a transport waits, in seconds.

    Attributes:
        connect: For a TCP connection and TLS handshake.
        read: For the server's answer, between two chunks of it.
    """

    connect: float = attrs.field(default=5.0, validator=_non_negative)
    read: float = attrs.field(default=30.0, validator=_non_negative)


class BearerToken:
    """
    A bearer token that keeps itself out of reprs, logs and tracebacks.

    Only :meth:`header` and :meth:`reveal` give the secret out; the transports
    call them when they write a request on the wire.

    >>> token = BearerToken("s3cr3t")
    >>> token
    BearerToken('********')
    >>> f"{token}"
    '********'
    """

    __slots__ = ("__value",)

    #: The request header that carries the secret on the wire.
    header_name: ClassVar[str] = "authorization"

    def __init__(self, value: str | BearerToken) -> None:
        if isinstance(value, BearerToken):
            value = value.reveal()
        # A None from a missing setting must fail here, with this message.
        if not str(value or "").strip():
            raise ConfigurationError(
                "the token is empty; pass the SCIM token from the server's "
                "settings page"
            )
        if any(c in value for c in "\r\n\0") or value != value.strip():
            # Named without its content: the message must not leak it.
            raise ConfigurationError(
                "the token contains white space or control characters at its "
                "ends or inside it; copy it again without line breaks"
            )
        self.__value = value

    def reveal(self) -> str:
        """Return the secret itself."""
        return self.__value

    def header(self) -> str:
        """Return the value of the header named by :attr:`header_name`."""
        return "Bearer " + self.__value

    def __repr__(self) -> str:
        return f"{type(self).__name__}('********')"

    def __str__(self) -> str:
        return "********"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BearerToken):
            return NotImplemented
        return hmac.compare_digest(self.__value, other.reveal())

    def __hash__(self) -> int:
        return hash(BearerToken)

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            f"a {type(self).__name__} is not pickled, so that it is never stored"
        )


class ApiKey(BearerToken):
    """
    An API key sent in its own header, such as JumpCloud's ``x-api-key``.

    It keeps itself out of reprs, logs and tracebacks as a
    :class:`BearerToken` does; only the header differs.

    >>> key = ApiKey("k3y")
    >>> key, key.header_name, key.header()
    (ApiKey('********'), 'x-api-key', 'k3y')
    """

    __slots__ = ()

    header_name: ClassVar[str] = "x-api-key"

    def __init__(self, value: str | BearerToken) -> None:
        if isinstance(value, BearerToken):
            value = value.reveal()
        if not str(value or "").strip():
            raise ConfigurationError(
                "the API key is empty; pass the key from the service's settings"
            )
        super().__init__(value)

    def header(self) -> str:
        """Return the key itself: the header carries it bare."""
        return self.reveal()


@attrs.frozen(kw_only=True)
class TransportSettings:
    """
    Everything a transport needs to know about the service it talks to.

    Attributes:
        base_url: The service's base URL, without a trailing slash
            (``https://scim.goninjio.com/scim/v2``).
        token: The bearer token.
        timeout: Connect and read timeouts.
        verify: Whether the server's TLS certificate is checked.
        ca_bundle: A CA bundle file (or directory) to trust instead of the
            system's.
        proxy: The proxy URL for the base URL, read once from the
            environment; None for a direct connection. It keeps its
            ``user:password@`` for the transports, but the repr shows
            ``***`` for the password.
        pool_size: The most connections kept open to the server.
    """

    base_url: str
    token: BearerToken
    timeout: Timeout = Timeout()
    verify: bool = True
    ca_bundle: str | None = None
    proxy: str | None = attrs.field(
        default=None, repr=lambda url: repr(None if url is None else masked_url(url))
    )
    pool_size: int = 10

    @property
    def origin(self) -> tuple[str, str, int | None]:
        """The scheme, host and port that the token may be sent to."""
        return _origin(self.base_url)


def is_loopback(host: str) -> bool:
    """
    Whether a host name or address is this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("example.com")
    (True, True, False)
    """
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _userinfo(url: str) -> tuple[str | None, str]:
    """Return a URL's user information (None without an ``@``) and the rest."""
    # Without a scheme, urlsplit would read "bob:" as one and miss the rest.
    bare = "://" not in url
    parts = urlsplit("//" + url if bare else url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return None, url
    rest = parts._replace(netloc=host).geturl()

    return userinfo, rest.removeprefix("//") if bare else rest


def masked_url(url: str) -> str:
    """
    Return a URL with its password, if it holds one, replaced by ``***``.

    Use it wherever a proxy URL is shown: in a repr, a log line or an error.

    >>> masked_url("http://bob:s3cr%40t@proxy.example:3128")
    'http://bob:***@proxy.example:3128'
    >>> masked_url("http://proxy.example:3128")
    'http://proxy.example:3128'
    """
    userinfo, rest = _userinfo(url)
    if userinfo is None or ":" not in userinfo:
        return url
    user = userinfo.partition(":")[0]
    scheme, sep, after = rest.partition("://")
    if not sep:
        return f"{user}:***@{rest}"

    return f"{scheme}://{user}:***@{after}"


def proxy_credentials(url: str) -> tuple[str, str | None]:
    """
    Split a proxy URL into the URL without credentials and its credentials.

    The credentials come back as ``user:password``, percent-decoded, as a
    Basic ``Proxy-Authorization`` header carries them; None when the URL
    names no user.

    >>> proxy_credentials("http://bob:p%40ss@proxy.example:3128")
    ('http://proxy.example:3128', 'bob:p@ss')
    >>> proxy_credentials("http://proxy.example:3128")
    ('http://proxy.example:3128', None)
    """
    userinfo, rest = _userinfo(url)
    if not userinfo or userinfo.startswith(":"):
        # As requests does: no user name, no header.
        return rest, None
    user, _, password = userinfo.partition(":")

    return rest, f"{unquote(user)}:{unquote(password)}"


def _checked_proxy(proxy: str) -> str:
    proxy = proxy.strip()
    if "://" not in proxy:
        # A bare host:port, as HTTP_PROXY often holds, is an http proxy to
        # curl and requests; urllib3 and aiohttp would take "host" for a scheme.
        proxy = "http://" + proxy
    _, credentials = proxy_credentials(proxy)
    if credentials is not None:
        try:
            credentials.encode("latin-1")
        except UnicodeEncodeError:
            # Named without the credentials: the message must not leak them.
            raise ConfigurationError(
                f"the proxy URL {masked_url(proxy)!r} holds a user name or "
                "password with characters outside Latin-1, which Basic proxy "
                "authentication cannot carry; use credentials in ASCII"
            ) from None

    return proxy


def log_route(transport: object, base_url: str, proxy: str | None) -> None:
    """Log at DEBUG how a transport reaches the service, the proxy masked."""
    shown = masked_url(proxy) if proxy else None
    log.debug(
        "%s reaches %s %s",
        type(transport).__name__,
        base_url,
        f"through the proxy {shown}" if shown else "directly",
        extra={"scim_ninjio.base_url": base_url, "scim_ninjio.proxy": shown},
    )


def settings_for(
    base_url: str,
    token: str | BearerToken,
    *,
    timeout: Timeout | None = None,
    verify: bool = True,
    ca_bundle: str | os.PathLike[str] | None = None,
    allow_insecure_http: bool = False,
    pool_size: int = 10,
) -> TransportSettings:
    """
    Check a base URL and build the settings of a transport.

    Proxies are read from the environment (``HTTPS_PROXY``, ``NO_PROXY``...)
    here, once, rather than on every request. Loopback hosts never go through
    a proxy. A proxy URL's ``user:password@`` goes to the proxy in a Basic
    ``Proxy-Authorization`` header, percent-decoded, and shows as
    ``user:***@`` wherever the URL is shown.

    Raises:
        ConfigurationError: The URL is not an absolute http(s) URL, holds
            credentials, a query or a fragment; or it is plain ``http://`` to
            another host without ``allow_insecure_http``; or the CA bundle
            does not exist; or ``verify`` or ``allow_insecure_http`` is not
            a bool; or the proxy's credentials are not in Latin-1.

    Limitations:
        Proxies are authenticated with Basic only, from the proxy URL's
        credentials: a proxy that asks for NTLM, Negotiate (Kerberos) or
        Digest answers 407, which is raised as a
        :class:`~scim_ninjio.exceptions.ConnectError` over https, and as a
        :class:`~scim_ninjio.exceptions.ScimError` of status 407 over plain
        http.
    """
    # A value read from a setting ("false", None, 0) must not turn TLS
    # checking off, or plain http on, by being falsy or truthy by accident.
    flags: dict[str, object] = {
        "verify": verify,
        "allow_insecure_http": allow_insecure_http,
    }
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise ConfigurationError(
                f"{name} must be True or False, not {flag!r}; convert the setting "
                "to a bool first"
            )
    parts = urlsplit(base_url.strip())
    shown = f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(
            f"the base URL {base_url!r} must be an absolute http(s) URL such as "
            "'https://scim.goninjio.com/scim/v2'"
        )
    if parts.username or parts.password:
        raise ConfigurationError(
            f"the base URL {shown!r} must not hold credentials; pass the token "
            "separately"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"the base URL {shown!r} must not have a query or fragment"
        )
    if (
        parts.scheme == "http"
        and not is_loopback(parts.hostname)
        and not allow_insecure_http
    ):
        raise ConfigurationError(
            f"the base URL {shown!r} is plain http, which would send the token "
            "unencrypted; use https, or pass allow_insecure_http=True if this "
            "network is trusted"
        )
    if pool_size < 1:
        raise ConfigurationError(f"pool_size must be 1 or more, got {pool_size}")
    bundle = os.fspath(ca_bundle) if ca_bundle is not None else None
    if bundle is not None and not pathlib.Path(bundle).exists():
        raise ConfigurationError(f"the CA bundle {bundle!r} does not exist")
    proxy = None
    if not is_loopback(parts.hostname):
        proxies = urllib.request.getproxies()
        if not urllib.request.proxy_bypass(parts.hostname):
            proxy = proxies.get(parts.scheme)
    if proxy:
        proxy = _checked_proxy(proxy)

    return TransportSettings(
        base_url=base_url.strip().rstrip("/"),
        token=token if isinstance(token, BearerToken) else BearerToken(token),
        timeout=timeout or Timeout(),
        verify=verify,
        ca_bundle=bundle,
        proxy=proxy,
        pool_size=pool_size,
    )


def ssl_context(settings: TransportSettings) -> ssl.SSLContext:
    """
    Build the TLS context of a transport: verification on unless turned off.

    Raises:
        ConfigurationError: The CA bundle cannot be read.
    """
    if not settings.verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    bundle = settings.ca_bundle
    try:
        if bundle is not None and pathlib.Path(bundle).is_dir():
            return ssl.create_default_context(capath=bundle)
        return ssl.create_default_context(cafile=bundle)
    except (OSError, ssl.SSLError) as error:
        raise ConfigurationError(
            f"the CA bundle {bundle!r} cannot be read as PEM certificates: {error}"
        ) from error


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)

    return parts.scheme, (parts.hostname or "").lower(), port


def same_origin(url: str, settings: TransportSettings) -> bool:
    """Whether a URL is on the base URL's scheme, host and port."""
    return _origin(url) == settings.origin


def redirect_target(method: str, url: str, response: Response) -> str | None:
    """
    Return where a redirect leads, or None when it is not to be followed.

    307 and 308 keep the method and body and are followed. 301, 302 and 303
    are followed for GET and HEAD only: turning a POST or PATCH into a GET, as
    browsers do, would report a change that never happened.

    Limitations:
        A 301, 302 or 303 answer to a POST, PUT, PATCH or DELETE is returned,
        and the operation raises; the base URL must be the final one.
    """
    if response.status not in _REDIRECTS:
        return None
    location = response.headers.get("location")
    if not location:
        return None
    if response.status in {301, 302, 303} and method not in {"GET", "HEAD"}:
        return None

    return urljoin(url, location)


@runtime_checkable
class SyncTransport(Protocol):
    """What :class:`~scim_ninjio.client.NinjioClient` needs of a transport."""

    def configure(self, settings: TransportSettings) -> None:
        """Take the service's settings; called once, by the client."""

    def send(self, request: Request) -> Response:
        """
        Send a request and return the answer, whatever its status.

        Raises:
            TransportError: There was no answer.
        """

    def close(self) -> None:
        """Release connections; the transport is not used again."""


@runtime_checkable
class AsyncTransport(Protocol):
    """What :class:`~scim_ninjio.client.AsyncNinjioClient` needs of a transport."""

    def configure(self, settings: TransportSettings) -> None:
        """Take the service's settings; called once, by the client."""

    def send(self, request: Request) -> Awaitable[Response]:
        """
        Send a request and return the answer, whatever its status.

        Raises:
            TransportError: There was no answer.
        """

    async def close(self) -> None:
        """Release connections; the transport is not used again."""


@attrs.frozen
class Wire:
    """
    One request as it goes on the wire, token included (never logged).

    Attributes:
        method: The HTTP method.
        url: The absolute URL.
        path: The path and query when the URL is on the base URL's origin,
            else None.
        headers: The headers, ``authorization`` included while on the origin.
        body: The body, or None.
    """

    method: str
    url: str
    path: str | None
    headers: dict[str, str] = attrs.field(repr=False)
    body: bytes | None = attrs.field(repr=False)


def wire_steps(
    settings: TransportSettings, base_path: str, request: Request
) -> Generator[Wire, Response, Response]:
    """
    Yield each exchange of one request on the wire, redirects followed.

    Written once for the sync and the async transports. The token goes only
    to the base URL's origin: a redirect to another host, port or scheme is
    followed without it.
    """
    headers = dict(request.headers)
    secret = settings.token.header_name
    headers[secret] = settings.token.header()
    method, body = request.method, request.body
    url = settings.base_url + request.target
    path: str | None = base_path + request.target
    for _ in range(MAX_REDIRECTS):
        response = yield Wire(method, url, path, headers, body)
        following = redirect_target(method, url, response)
        if following is None:
            return response
        url = following
        path = None
        if same_origin(url, settings):
            path = urlsplit(url)._replace(scheme="", netloc="").geturl()
        else:
            headers.pop(secret, None)

    return (yield Wire(method, url, path, headers, body))


class _Configured:
    """Holds a transport's settings, given once by the client."""

    _settings: TransportSettings | None = None
    _base_path: str = ""

    def configure(self, settings: TransportSettings) -> None:
        """
        Take the service's settings; called once, by the client.

        Raises:
            ConfigurationError: The transport already serves another service.
        """
        if self._settings is not None and self._settings != settings:
            raise ConfigurationError(
                f"this {type(self).__name__} already serves "
                f"{self._settings.base_url}; give each client its own transport"
            )
        self._settings = settings
        self._base_path = urlsplit(settings.base_url).path
        self._configured(settings)

    def _configured(self, settings: TransportSettings) -> None:
        """Set up what depends on the settings (pools, TLS); for subclasses."""

    def _require(self) -> TransportSettings:
        if self._settings is None:
            raise ConfigurationError(
                f"this {type(self).__name__} has no settings yet; pass it to "
                "NinjioClient(transport=...), which configures it"
            )
        return self._settings

    def __repr__(self) -> str:
        base = self._settings.base_url if self._settings is not None else None
        return f"{type(self).__name__}(base_url={base!r})"


class HTTPTransport(_Configured):
    """
    The base of the sync HTTP transports: URLs, the token and redirects.

    Subclasses implement :meth:`_exchange`: one request on the wire.
    """

    def send(self, request: Request) -> Response:
        """
        Send a request and return the answer, following safe redirects.

        Raises:
            TransportError: There was no answer.
        """
        steps = wire_steps(self._require(), self._base_path, request)
        wire = next(steps)
        while True:
            response = self._exchange(wire)
            try:
                wire = steps.send(response)
            except StopIteration as stop:
                result: Response = stop.value
                return result

    def _exchange(self, wire: Wire) -> Response:
        raise NotImplementedError


class AsyncHTTPTransport(_Configured):
    """
    The base of the async HTTP transports: URLs, the token and redirects.

    Subclasses implement :meth:`_exchange`: one request on the wire.
    """

    async def send(self, request: Request) -> Response:
        """
        Send a request and return the answer, following safe redirects.

        Raises:
            TransportError: There was no answer.
        """
        steps = wire_steps(self._require(), self._base_path, request)
        wire = next(steps)
        while True:
            response = await self._exchange(wire)
            try:
                wire = steps.send(response)
            except StopIteration as stop:
                result: Response = stop.value
                return result

    async def _exchange(self, wire: Wire) -> Response:
        raise NotImplementedError
