"""The sync client, :class:`NinjioClient`: a driver over the operations."""

from __future__ import annotations

import os
import time

from collections.abc import Iterable, Iterator, Sequence
from typing import Literal, Self, TypeVar

from scim_ninjio import _ops
from scim_ninjio._filter import Filter
from scim_ninjio._http import Request, Response
from scim_ninjio._ops import Capabilities, Created, Emit, Op, Stream, Verification
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client._base import ClientBase
from scim_ninjio.exceptions import TransportError
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
from scim_ninjio.transports import BearerToken, SyncTransport, Timeout


__all__ = ["NinjioClient"]

T = TypeVar("T")

SortOrder = Literal["ascending", "descending"]
SearchMethod = Literal["GET", "POST"]


class NinjioClient(ClientBase):
    """
    A sync SCIM 2.0 client, tuned for NINJIO and usable with any SCIM server.

    Args:
        base_url: The SCIM base URL (``https://scim.goninjio.com/scim/v2``).
        token: The bearer token; kept out of every repr, log and error.
        profile: What the server needs (:data:`~scim_ninjio.profiles.NINJIO`
            never deletes users; :data:`~scim_ninjio.profiles.GENERIC` does).
        transport: How requests travel; a
            :class:`~scim_ninjio.transports.Urllib3Transport` by default.
        retry: When and how patiently to retry.
        timeout: Connect and read timeouts.
        verify: Check the server's TLS certificate (on by default).
        ca_bundle: A CA bundle to trust instead of the system's.
        allow_insecure_http: Allow plain ``http://`` to a host other than
            this machine.
        page_size: The page size for iterating; by default the server's.
        rate_limit: The most requests started per second, if any.
        log_bodies: Log request and response bodies at DEBUG. They hold
            personal data: turn this on only to debug.
        pool_size: The most connections kept open; size it to the threads
            that share the client.

    Raises:
        ConfigurationError: A setting is wrong (plain http, an empty token, a
            missing CA bundle...).
    """

    def __init__(
        self,
        base_url: str,
        token: str | BearerToken,
        *,
        profile: ServerProfile = NINJIO,
        transport: SyncTransport | None = None,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 -- a frozen value
        timeout: Timeout = Timeout(),  # noqa: B008 -- a frozen value
        verify: bool = True,
        ca_bundle: str | os.PathLike[str] | None = None,
        allow_insecure_http: bool = False,
        page_size: int | None = None,
        rate_limit: float | None = None,
        log_bodies: bool = False,
        pool_size: int = 10,
    ) -> None:
        if transport is None:
            from scim_ninjio.transports import Urllib3Transport  # noqa: PLC0415

            transport = Urllib3Transport()
        self._transport: SyncTransport = transport
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
            pool_size=pool_size,
        )

    # --- Driving the operations ------------------------------------------------

    def _run(self, op: Op[T]) -> T:
        self._check_open()
        send = self._transport.send
        try:
            step = next(op)
            while True:
                if isinstance(step, Request):
                    try:
                        response: Response | None = send(step)
                    except TransportError as error:
                        step = op.throw(error)
                        continue
                    step = op.send(response)
                else:
                    _sleep(step.seconds)
                    step = op.send(None)
        except StopIteration as stop:
            result: T = stop.value
            return result

    def _stream(self, op: Stream[T]) -> Iterator[T]:
        self._check_open()
        send = self._transport.send
        try:
            step = next(op)
            while True:
                if isinstance(step, Request):
                    try:
                        response: Response | None = send(step)
                    except TransportError as error:
                        step = op.throw(error)
                        continue
                    step = op.send(response)
                elif isinstance(step, Emit):
                    yield from step.items
                    step = op.send(None)
                else:
                    _sleep(step.seconds)
                    step = op.send(None)
        except StopIteration:
            return
        finally:
            op.close()

    # --- Users -----------------------------------------------------------------

    def create_user(self, user: User) -> Created[User]:
        """
        Create a user, or adopt the existing one with the same ``userName``.

        Returns:
            The user as the server holds it; ``adopted`` is True when it
            already existed (a 409, or a create whose answer was lost).
        """
        return self._run(_ops.create(self._session, user))

    def get_user(
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
        return self._run(
            _ops.get(
                self._session,
                User,
                id,
                attributes=attributes,
                excluded_attributes=excluded_attributes,
            )
        )

    def find_user(self, user_name: str) -> User | None:
        """Return the user with this ``userName`` (without case), or None."""
        return self._run(_ops.find_user(self._session, user_name))

    def find_user_by_email(self, email: str) -> User | None:
        """Return a user with this email address (without case), or None."""
        return self._run(_ops.find_user_by_email(self._session, email))

    def replace_user(self, user: User) -> User:
        """Replace a user whole (PUT), with ``If-Match`` when ETags are on."""
        return self._run(_ops.replace(self._session, user))

    def patch_user(
        self,
        id: str,  # noqa: A002 -- SCIM's own name for it
        operations: Sequence[PatchOperation],
        *,
        version: str | None = None,
    ) -> User | None:
        """
        Change a user with PATCH operations (rule U3).

        On a server without PATCH support, the user is read, changed here and
        written back with PUT.

        Returns:
            The changed user, or None when the server answered 204.
        """
        return self._run(
            _ops.patch(self._session, User, id, operations, version=version)
        )

    def deactivate_user(
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
        return self._run(_ops.deactivate_user(self._session, id, version=version))

    def delete_user(self, id: str) -> None:  # noqa: A002
        """
        Delete a user, where the profile allows it.

        Raises:
            OperationNotAllowedError: The profile (NINJIO) never deletes
                users; nothing was sent.
        """
        self._run(_ops.delete(self._session, User, id))

    def iter_users(
        self,
        *,
        filter: str | Filter | None = None,  # noqa: A002 -- SCIM's own name for it
        attributes: Sequence[str] = (),
        excluded_attributes: Sequence[str] = (),
        sort_by: str | None = None,
        sort_order: SortOrder | None = None,
        page_size: int | None = None,
    ) -> Iterator[User]:
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

    def search_users(
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
        return self._run(
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

    def create_group(self, group: Group) -> Created[Group]:
        """Create a group, or take over the one with its ``displayName`` (G2)."""
        return self._run(_ops.create(self._session, group))

    def get_group(
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
        return self._run(
            _ops.get(
                self._session,
                Group,
                id,
                attributes=attributes,
                excluded_attributes=excluded_attributes,
            )
        )

    def find_group(self, display_name: str) -> Group | None:
        """Return the group with this ``displayName`` (without case), or None."""
        return self._run(_ops.find_group(self._session, display_name))

    def replace_group(self, group: Group) -> Group:
        """Replace a group whole (PUT), with ``If-Match`` when ETags are on."""
        return self._run(_ops.replace(self._session, group))

    def rename_group(
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
        return self._run(
            _ops.rename_group(self._session, id, display_name, version=version)
        )

    def add_members(self, id: str, member_ids: Iterable[str]) -> None:  # noqa: A002
        """Add users to a group, in the profile's chunks (rule G3)."""
        self._run(_ops.change_members(self._session, id, add=member_ids))

    def remove_members(self, id: str, member_ids: Iterable[str]) -> None:  # noqa: A002
        """Remove users from a group, in the profile's chunks and form (G3)."""
        self._run(_ops.change_members(self._session, id, remove=member_ids))

    def patch_group(
        self,
        id: str,  # noqa: A002 -- SCIM's own name for it
        operations: Sequence[PatchOperation],
        *,
        version: str | None = None,
    ) -> Group | None:
        """Change a group with PATCH operations; None when the server sent 204."""
        return self._run(
            _ops.patch(self._session, Group, id, operations, version=version)
        )

    def delete_group(self, id: str) -> None:  # noqa: A002
        """Delete a group (rule G6)."""
        self._run(_ops.delete(self._session, Group, id))

    def iter_groups(
        self,
        *,
        filter: str | Filter | None = None,  # noqa: A002 -- SCIM's own name for it
        attributes: Sequence[str] = (),
        excluded_attributes: Sequence[str] = (),
        sort_by: str | None = None,
        sort_order: SortOrder | None = None,
        page_size: int | None = None,
    ) -> Iterator[Group]:
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

    def search_groups(
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
        return self._run(
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

    def service_provider_config(self) -> ServiceProviderConfig:
        """Read ``/ServiceProviderConfig``."""
        return self._run(_ops.service_provider_config(self._session))

    def capabilities(self) -> Capabilities:
        """Return what the server supports, as the client uses it (cached)."""
        return self._run(_ops.capabilities(self._session))

    def resource_types(self) -> tuple[ResourceType, ...]:
        """Read ``/ResourceTypes``."""
        return self._run(_ops.resource_types(self._session))

    def schemas(self) -> tuple[Schema, ...]:
        """Read ``/Schemas``."""
        return self._run(_ops.schemas(self._session))

    def verify(self) -> Verification:
        """
        Check the connection with an authenticated request (rule I1).

        Never raises for a failure it can name: the result says whether the
        token, the URL, TLS or the network is at fault, or what the server
        supports.
        """
        return self._run(_ops.verify(self._session))

    # --- Lifecycle -------------------------------------------------------------

    def close(self) -> None:
        """Close the transport; the client cannot be used again."""
        if not self._closed:
            self._closed = True
            self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _sleep(seconds: float) -> None:
    if seconds > 0:
        time.sleep(seconds)
