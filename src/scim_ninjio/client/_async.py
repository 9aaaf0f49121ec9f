"""The async client, :class:`AsyncNinjioClient`: a driver over the operations."""

from __future__ import annotations

import asyncio
import os

from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Literal, Self, TypeVar

from scim_ninjio import _ops
from scim_ninjio._filter import Filter
from scim_ninjio._http import Request, Response
from scim_ninjio._ops import Capabilities, Created, Emit, Op, Stream, Verification
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client._base import ClientBase
from scim_ninjio.exceptions import ConfigurationError, TransportError
from scim_ninjio.models import (
    Group,
    ListResponse,
    PatchOperation,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    User,
)
from scim_ninjio.profiles import NINJIO, ServerProfile
from scim_ninjio.transports import AsyncTransport, BearerToken, Timeout


__all__ = ["AsyncNinjioClient"]

T = TypeVar("T")

SortOrder = Literal["ascending", "descending"]
SearchMethod = Literal["GET", "POST"]


class AsyncNinjioClient(ClientBase):
    """
    An async SCIM 2.0 client: the same operations as :class:`NinjioClient`.

    Each method is a coroutine (the ``iter_*`` methods are async iterators).
    Run many at once with :func:`asyncio.gather` or a task group: at most
    ``max_concurrency`` requests are in flight at any time.

    Args:
        base_url: The SCIM base URL.
        token: The bearer token.
        profile: What the server needs.
        transport: How requests travel; an
            :class:`~scim_ninjio.transports.AiohttpTransport` by default.
        retry: When and how patiently to retry.
        timeout: Connect and read timeouts.
        verify: Check the server's TLS certificate (on by default).
        ca_bundle: A CA bundle to trust instead of the system's.
        allow_insecure_http: Allow plain ``http://`` to another host.
        page_size: The page size for iterating; by default the server's.
        rate_limit: The most requests started per second, if any.
        log_bodies: Log bodies at DEBUG (personal data: debug only).
        max_concurrency: The most requests in flight at once; also the
            connection limit of the default transport.

    Raises:
        ConfigurationError: A setting is wrong.
    """

    def __init__(
        self,
        base_url: str,
        token: str | BearerToken,
        *,
        profile: ServerProfile = NINJIO,
        transport: AsyncTransport | None = None,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 -- a frozen value
        timeout: Timeout = Timeout(),  # noqa: B008 -- a frozen value
        verify: bool = True,
        ca_bundle: str | os.PathLike[str] | None = None,
        allow_insecure_http: bool = False,
        page_size: int | None = None,
        rate_limit: float | None = None,
        log_bodies: bool = False,
        max_concurrency: int = 32,
    ) -> None:
        if max_concurrency < 1:
            raise ConfigurationError(
                f"max_concurrency must be 1 or more, got {max_concurrency}"
            )
        if transport is None:
            from scim_ninjio.transports import AiohttpTransport  # noqa: PLC0415

            transport = AiohttpTransport()
        self._transport: AsyncTransport = transport
        self._limit = asyncio.Semaphore(max_concurrency)
        self.max_concurrency = max_concurrency
        super().__init__(
            base_url,
            token,
            transport=transport,
            profile=profile,
            retry=retry,
            timeout=timeout,
            verify=verify,
            ca_bundle=ca_bundle,
            allow_insecure_http=allow_insecure_http,
            page_size=page_size,
            rate_limit=rate_limit,
            log_bodies=log_bodies,
            pool_size=max_concurrency,
        )

    # --- Driving the operations ------------------------------------------------

    async def _run(self, op: Op[T]) -> T:
        self._check_open()
        send = self._transport.send
        limit = self._limit
        try:
            step = next(op)
            while True:
                if isinstance(step, Request):
                    try:
                        async with limit:
                            response: Response | None = await send(step)
                    except TransportError as error:
                        step = op.throw(error)
                        continue
                    step = op.send(response)
                else:
                    await _async_sleep(step.seconds)
                    step = op.send(None)
        except StopIteration as stop:
            result: T = stop.value
            return result

    async def _stream(self, op: Stream[T]) -> AsyncIterator[T]:
        self._check_open()
        send = self._transport.send
        limit = self._limit
        try:
            step = next(op)
            while True:
                if isinstance(step, Request):
                    try:
                        async with limit:
                            response: Response | None = await send(step)
                    except TransportError as error:
                        step = op.throw(error)
                        continue
                    step = op.send(response)
                elif isinstance(step, Emit):
                    for item in step.items:
                        yield item
                    step = op.send(None)
                else:
                    await _async_sleep(step.seconds)
                    step = op.send(None)
        except StopIteration:
            return
        finally:
            op.close()

    # --- Users -----------------------------------------------------------------

    async def create_user(self, user: User) -> Created[User]:
        """Create a user, or adopt the one with its ``userName`` (rule U2)."""
        return await self._run(_ops.create(self._session, user))

    async def get_user(
        self,
        id: str,  # noqa: A002 -- SCIM's own name for it
        *,
        attributes: Sequence[str] = (),
        excluded_attributes: Sequence[str] = (),
    ) -> User:
        """
        Read a user by id.

        Raises:
            NotFoundError: There is no such user.
        """
        return await self._run(
            _ops.get(
                self._session,
                User,
                id,
                attributes=attributes,
                excluded_attributes=excluded_attributes,
            )
        )

    async def find_user(self, user_name: str) -> User | None:
        """Return the user with this ``userName`` (without case), or None."""
        return await self._run(_ops.find_user(self._session, user_name))

    async def find_user_by_email(self, email: str) -> User | None:
        """Return a user with this email address (without case), or None."""
        return await self._run(_ops.find_user_by_email(self._session, email))

    async def replace_user(self, user: User) -> User:
        """Replace a user whole (PUT), with ``If-Match`` when ETags are on."""
        return await self._run(_ops.replace(self._session, user))

    async def patch_user(
        self,
        id: str,  # noqa: A002 -- SCIM's own name for it
        operations: Sequence[PatchOperation],
        *,
        version: str | None = None,
    ) -> User | None:
        """
        Change a user with PATCH operations (rule U3); None on a 204.

        On a server without PATCH support, the user is read, changed here and
        written back with PUT.
        """
        return await self._run(
            _ops.patch(self._session, User, id, operations, version=version)
        )

    async def deactivate_user(
        self,
        id: str,  # noqa: A002 -- SCIM's own name for it
        *,
        version: str | None = None,
    ) -> User | None:
        """
        Deactivate a user (rule U5): ``active=false`` the profile's way.

        ``version``, the user's ``meta.version``, is sent as ``If-Match`` when
        the server supports ETags: the change is refused
        (:class:`~scim_ninjio.exceptions.PreconditionFailedError`) if the user
        changed since it was read.
        """
        return await self._run(_ops.deactivate_user(self._session, id, version=version))

    async def delete_user(self, id: str) -> None:  # noqa: A002
        """Delete a user where the profile allows it (NINJIO never does)."""
        await self._run(_ops.delete(self._session, User, id))

    def iter_users(
        self,
        *,
        filter: str | Filter | None = None,  # noqa: A002 -- SCIM's own name for it
        attributes: Sequence[str] = (),
        excluded_attributes: Sequence[str] = (),
        sort_by: str | None = None,
        sort_order: SortOrder | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[User]:
        """Iterate over every user matching ``filter``, one page at a time."""
        return self._stream(
            _ops.iterate(
                self._session,
                User,
                filter=filter,
                attributes=attributes,
                excluded_attributes=excluded_attributes,
                sort_by=sort_by,
                sort_order=sort_order,
                page_size=page_size,
            )
        )

    async def search_users(
        self,
        *,
        filter: str | Filter | None = None,  # noqa: A002 -- SCIM's own name for it
        start_index: int | None = None,
        count: int | None = None,
        cursor: str | None = None,
        sort_by: str | None = None,
        sort_order: SortOrder | None = None,
        attributes: Sequence[str] = (),
        excluded_attributes: Sequence[str] = (),
        method: SearchMethod = "GET",
    ) -> ListResponse[User]:
        """Read one page of users, by GET or by ``POST /Users/.search``."""
        return await self._run(
            _ops.search(
                self._session,
                User,
                filter=filter,
                start_index=start_index,
                count=count,
                cursor=cursor,
                sort_by=sort_by,
                sort_order=sort_order,
                attributes=attributes,
                excluded_attributes=excluded_attributes,
                method=method,
            )
        )

    # --- Groups ----------------------------------------------------------------

    async def create_group(self, group: Group) -> Created[Group]:
        """Create a group, or take over the one with its ``displayName`` (G2)."""
        return await self._run(_ops.create(self._session, group))

    async def get_group(
        self,
        id: str,  # noqa: A002 -- SCIM's own name for it
        *,
        attributes: Sequence[str] = (),
        excluded_attributes: Sequence[str] = (),
    ) -> Group:
        """
        Read a group by id.

        Raises:
            NotFoundError: There is no such group.
        """
        return await self._run(
            _ops.get(
                self._session,
                Group,
                id,
                attributes=attributes,
                excluded_attributes=excluded_attributes,
            )
        )

    async def find_group(self, display_name: str) -> Group | None:
        """Return the group with this ``displayName`` (without case), or None."""
        return await self._run(_ops.find_group(self._session, display_name))

    async def replace_group(self, group: Group) -> Group:
        """Replace a group whole (PUT), with ``If-Match`` when ETags are on."""
        return await self._run(_ops.replace(self._session, group))

    async def rename_group(
        self,
        id: str,  # noqa: A002 -- SCIM's own name for it
        display_name: str,
        *,
        version: str | None = None,
    ) -> Group | None:
        """
        Rename a group (rule G4).

        ``version``, the group's ``meta.version``, is sent as ``If-Match`` when
        the server supports ETags.
        """
        return await self._run(
            _ops.rename_group(self._session, id, display_name, version=version)
        )

    async def add_members(self, id: str, member_ids: Iterable[str]) -> None:  # noqa: A002
        """Add users to a group, in the profile's chunks (rule G3)."""
        await self._run(_ops.change_members(self._session, id, add=member_ids))

    async def remove_members(self, id: str, member_ids: Iterable[str]) -> None:  # noqa: A002
        """Remove users from a group, in the profile's chunks and form (G3)."""
        await self._run(_ops.change_members(self._session, id, remove=member_ids))

    async def patch_group(
        self,
        id: str,  # noqa: A002 -- SCIM's own name for it
        operations: Sequence[PatchOperation],
        *,
        version: str | None = None,
    ) -> Group | None:
        """Change a group with PATCH operations; None when the server sent 204."""
        return await self._run(
            _ops.patch(self._session, Group, id, operations, version=version)
        )

    async def delete_group(self, id: str) -> None:  # noqa: A002
        """Delete a group (rule G6)."""
        await self._run(_ops.delete(self._session, Group, id))

    def iter_groups(
        self,
        *,
        filter: str | Filter | None = None,  # noqa: A002 -- SCIM's own name for it
        attributes: Sequence[str] = (),
        excluded_attributes: Sequence[str] = (),
        sort_by: str | None = None,
        sort_order: SortOrder | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Group]:
        """Iterate over every group matching ``filter``, one page at a time."""
        return self._stream(
            _ops.iterate(
                self._session,
                Group,
                filter=filter,
                attributes=attributes,
                excluded_attributes=excluded_attributes,
                sort_by=sort_by,
                sort_order=sort_order,
                page_size=page_size,
            )
        )

    async def search_groups(
        self,
        *,
        filter: str | Filter | None = None,  # noqa: A002 -- SCIM's own name for it
        start_index: int | None = None,
        count: int | None = None,
        cursor: str | None = None,
        sort_by: str | None = None,
        sort_order: SortOrder | None = None,
        attributes: Sequence[str] = (),
        excluded_attributes: Sequence[str] = (),
        method: SearchMethod = "GET",
    ) -> ListResponse[Group]:
        """Read one page of groups, by GET or by ``POST /Groups/.search``."""
        return await self._run(
            _ops.search(
                self._session,
                Group,
                filter=filter,
                start_index=start_index,
                count=count,
                cursor=cursor,
                sort_by=sort_by,
                sort_order=sort_order,
                attributes=attributes,
                excluded_attributes=excluded_attributes,
                method=method,
            )
        )

    # --- Discovery -------------------------------------------------------------

    async def service_provider_config(self) -> ServiceProviderConfig:
        """Read ``/ServiceProviderConfig``."""
        return await self._run(_ops.service_provider_config(self._session))

    async def capabilities(self) -> Capabilities:
        """Return what the server supports, as the client uses it (cached)."""
        return await self._run(_ops.capabilities(self._session))

    async def resource_types(self) -> tuple[ResourceType, ...]:
        """Read ``/ResourceTypes``."""
        return await self._run(_ops.resource_types(self._session))

    async def schemas(self) -> tuple[Schema, ...]:
        """Read ``/Schemas``."""
        return await self._run(_ops.schemas(self._session))

    async def verify(self) -> Verification:
        """Check the connection with an authenticated request (rule I1)."""
        return await self._run(_ops.verify(self._session))

    # --- Lifecycle -------------------------------------------------------------

    async def close(self) -> None:
        """Close the transport; the client cannot be used again."""
        if not self._closed:
            self._closed = True
            await self._transport.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


async def _async_sleep(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
