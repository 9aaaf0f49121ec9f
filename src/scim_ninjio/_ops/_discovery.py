"""
Discovery (:rfc:`7644#section-4`) and the connection check of rule I1.

The client reads ``/ServiceProviderConfig`` once, lazily, and keeps what it
says as :class:`~scim_ninjio._ops._values.Capabilities`: PATCH or PUT, index or
cursor paging, ETags, the page size. :func:`verify` reads it again and adds an
authenticated request, so that a bad token, a wrong URL, a TLS problem and an
unreachable server each get their own answer.
"""

from __future__ import annotations

import logging

from typing import Any, TypeVar

from scim_ninjio._codec import decode
from scim_ninjio._http import Request, Response
from scim_ninjio._ops._core import (
    Op,
    Session,
    body_start,
    exchange,
    parse,
    parse_json,
)
from scim_ninjio._ops._values import Capabilities, FailureKind, Verification
from scim_ninjio.exceptions import (
    ConnectError,
    ConnectionDroppedError,
    ForbiddenError,
    ReadTimeoutError,
    RemoteProtocolError,
    ScimNinjioError,
    TLSError,
    TransportError,
    UnauthorizedError,
    ValidationError,
)
from scim_ninjio.models import (
    ListResponse,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    User,
)


__all__ = [
    "capabilities",
    "resource_types",
    "schemas",
    "service_provider_config",
    "verify",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

_ACCEPT = {"accept": "application/scim+json, application/json"}

#: Answers to ``GET /ServiceProviderConfig`` that mean "not served here":
#: the client then assumes what every SCIM server must support.
_NOT_SERVED = frozenset({404, 405, 501})


def service_provider_config(session: Session) -> Op[ServiceProviderConfig]:
    """Read ``/ServiceProviderConfig`` (:rfc:`7644#section-4`)."""
    request = Request("GET", "/ServiceProviderConfig", _ACCEPT)
    response = yield from exchange(session, request)

    return parse(session, request, response, ServiceProviderConfig)


def capabilities(session: Session, *, refresh: bool = False) -> Op[Capabilities]:
    """
    Return what the server supports, read once per client and cached.

    A server that does not serve ``/ServiceProviderConfig`` (404, 405, 501)
    is assumed to support what every SCIM server must.

    Limitations:
        The configuration is kept for the client's life; a server that
        changes it is seen again only after :func:`verify` or with a new
        client.
    """
    if session.capabilities is not None and not refresh:
        return session.capabilities
    request = Request("GET", "/ServiceProviderConfig", _ACCEPT)
    response = yield from exchange(session, request)
    config: ServiceProviderConfig | None = None
    if response.status in _NOT_SERVED:
        log.debug(
            "The server has no /ServiceProviderConfig (HTTP %d); assuming PATCH, "
            "filters and index paging",
            response.status,
        )
    else:
        config = parse(session, request, response, ServiceProviderConfig)
    found = Capabilities.from_config(
        config, profile=session.profile, page_size=session.page_size
    )
    session.capabilities = found

    return found


def resource_types(session: Session) -> Op[tuple[ResourceType, ...]]:
    """Read ``/ResourceTypes``: the resources the server serves."""
    return (yield from _listing(session, "/ResourceTypes", ResourceType))


def schemas(session: Session) -> Op[tuple[Schema, ...]]:
    """Read ``/Schemas``: the schemas the server uses."""
    return (yield from _listing(session, "/Schemas", Schema))


def _listing(session: Session, target: str, cls: type[T]) -> Op[tuple[T, ...]]:
    request = Request("GET", target, _ACCEPT)
    response = yield from exchange(session, request)
    data = parse_json(session, request, response)
    # RFC 7644 section 4 serves these as a ListResponse; some servers send a
    # bare JSON array instead.
    items: Any = data
    if isinstance(data, dict):
        items = next((v for k, v in data.items() if k.lower() == "resources"), [])
    url = session.url(request)
    if not isinstance(items, list):
        raise RemoteProtocolError(
            f"GET {url} answered with neither a list nor a ListResponse",
            status=response.status,
            method="GET",
            url=url,
            body_start=body_start(response),
        )
    try:
        return tuple(decode(item, cls) for item in items)
    except ValidationError as error:
        raise RemoteProtocolError(
            f"GET {url} answered with a {cls.__name__} that does not fit its "
            f"model: {error}",
            status=response.status,
            method="GET",
            url=url,
            body_start=body_start(response),
        ) from error


def verify(session: Session) -> Op[Verification]:
    """
    Check the connection with an authenticated request (rule I1).

    Reads ``/ServiceProviderConfig`` afresh, then ``GET /Users?count=1``, which
    every server guards with the token. Never raises for a failure it can
    name; the :class:`~scim_ninjio._ops._values.Verification` says which.
    """
    try:
        found = yield from capabilities(session, refresh=True)
        request = Request("GET", "/Users?startIndex=1&count=1", _ACCEPT)
        response = yield from exchange(session, request)
        _check_listing(session, request, response)
    except ScimNinjioError as error:
        failure, message = _diagnose(session, error)
        return Verification(ok=False, failure=failure, message=message, error=error)
    paging = "cursor" if found.paging == "cursor" else "index"
    message = (
        f"Connected to {session.base_url}: PATCH "
        f"{'supported' if found.patch else 'not supported, changes go as PUT'}, "
        f"{paging} paging by {found.page_size}, ETags "
        f"{'used' if found.etag else 'not supported'}"
    )
    if not found.config_found:
        message += " (no /ServiceProviderConfig; assumed)"

    return Verification(ok=True, message=message, capabilities=found)


def _check_listing(session: Session, request: Request, response: Response) -> None:
    parse(session, request, response, ListResponse[User])


def _diagnose(session: Session, error: ScimNinjioError) -> tuple[FailureKind, str]:
    """Name the failure of a connection check and what to do about it."""
    url = session.base_url
    if isinstance(error, UnauthorizedError):
        return "bad_token", (
            f"{url} refused the token (HTTP 401): check that it is the current "
            "token from the server's SCIM settings"
        )
    if isinstance(error, ForbiddenError):
        return "bad_token", (
            f"{url} accepted the token but refused access (HTTP 403): the token "
            "lacks the permission to manage users"
        )
    if isinstance(error, TLSError):
        return "tls", (
            f"the TLS connection to {url} failed ({error}): check the URL's host "
            "name, the server's certificate, or pass the CA bundle that signs it"
        )
    if isinstance(error, ConnectError | ReadTimeoutError | ConnectionDroppedError):
        return "unreachable", (
            f"{url} could not be reached ({error}): check the host name, the port, "
            "the network and any proxy"
        )
    if isinstance(error, TransportError):
        return "unreachable", f"{url} could not be reached: {error}"
    status = getattr(error, "status", 0)
    if isinstance(error, RemoteProtocolError) or status in {404, 405}:
        return "wrong_url", (
            f"{url} does not answer as a SCIM service ({error}): check the base "
            "URL; it usually ends in /scim/v2"
        )

    return "server", f"{url} failed the check: {error}"
