"""The values that operations return: created resources, capabilities, checks."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

import attrs

from scim_ninjio.exceptions import ScimNinjioError
from scim_ninjio.models import ServiceProviderConfig
from scim_ninjio.profiles import ServerProfile


__all__ = ["Capabilities", "Created", "FailureKind", "Verification"]

R = TypeVar("R")


@attrs.frozen(kw_only=True)
class Created(Generic[R]):
    """
    The result of an idempotent create.

    Attributes:
        resource: The resource as the server holds it.
        adopted: True when the server already had it (a 409 ``uniqueness``, or
            a create whose answer was lost and that a lookup found), so the
            existing resource was returned instead of a new one (rule U2).
    """

    resource: R
    adopted: bool = False


#: How the client pages through results: by 1-based index or by cursor
#: (:rfc:`9865`).
PagingMode = Literal["index", "cursor"]


@attrs.frozen(kw_only=True)
class Capabilities:
    """
    What the server supports, as the client uses it.

    Read once per client from ``/ServiceProviderConfig`` and cached. A server
    that does not serve that endpoint is assumed to support what
    :rfc:`7644` requires of every server: index paging, filters, PATCH.

    Attributes:
        patch: Whether PATCH is supported; without it, changes go as PUT.
        etag: Whether ETags are supported; with them, replace and patch send
            ``If-Match``.
        filter: Whether the ``filter`` parameter is supported.
        sort: Whether ``sortBy`` is supported.
        bulk: Whether ``POST /Bulk`` is supported (the client never uses it).
        paging: How :meth:`~scim_ninjio.client.NinjioClient.iter_users` and
            :meth:`~scim_ninjio.client.NinjioClient.iter_groups` page.
        page_size: The page size the client asks for.
        max_page_size: The largest page the server returns, if it said.
        max_results: The most results one filter returns, if it said.
        config_found: Whether the server served ``/ServiceProviderConfig``;
            when False the other fields are assumptions.
    """

    patch: bool = True
    etag: bool = False
    filter: bool = True
    sort: bool = False
    bulk: bool = False
    paging: PagingMode = "index"
    page_size: int = 100
    max_page_size: int | None = None
    max_results: int | None = None
    config_found: bool = False

    @classmethod
    def from_config(
        cls,
        config: ServiceProviderConfig | None,
        *,
        profile: ServerProfile,
        page_size: int | None = None,
    ) -> Capabilities:
        """
        Derive the capabilities from a server's configuration.

        Args:
            config: The server's ``/ServiceProviderConfig``, or None when it
                serves none.
            profile: The server profile, for its default page size.
            page_size: The page size the caller asked for, if any.
        """
        if config is None:
            return cls(page_size=page_size or profile.default_page_size)
        pagination = config.pagination
        paging: PagingMode = "index"
        default_size = max_size = None
        if pagination is not None:
            default_size = pagination.default_page_size
            max_size = pagination.max_page_size
            if pagination.cursor and (
                not pagination.index
                or (pagination.default_pagination_method or "").lower() == "cursor"
            ):
                paging = "cursor"
        max_results = config.filter.max_results
        size = page_size or default_size or profile.default_page_size
        for cap in (max_size, max_results):
            if cap is not None and cap > 0:
                size = min(size, cap)

        return cls(
            patch=config.patch.supported,
            etag=config.etag.supported,
            filter=config.filter.supported,
            sort=config.sort.supported,
            bulk=config.bulk.supported,
            paging=paging,
            page_size=max(1, size),
            max_page_size=max_size,
            max_results=max_results,
            config_found=True,
        )


#: Why a connection check failed (rule I1).
FailureKind = Literal["bad_token", "wrong_url", "tls", "unreachable", "server"]


@attrs.frozen(kw_only=True)
class Verification:
    """
    The outcome of :meth:`~scim_ninjio.client.NinjioClient.verify` (rule I1).

    Attributes:
        ok: Whether the server answered an authenticated request as SCIM.
        failure: Why not, when ``ok`` is False: ``"bad_token"`` (401 or
            403), ``"wrong_url"`` (404, 405 or an answer that is not SCIM),
            ``"tls"`` (certificate or handshake), ``"unreachable"`` (DNS,
            refused, timeout) or ``"server"`` (a 5xx or another error).
        message: One sentence for the administrator: what was found, or what
            failed and what to check.
        capabilities: What the server supports, when ``ok``.
        error: The error behind a failure, for logs.
    """

    ok: bool
    message: str
    failure: FailureKind | None = None
    capabilities: Capabilities | None = None
    error: ScimNinjioError | None = attrs.field(default=None, eq=False)
