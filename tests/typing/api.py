"""
The public API as a user writes it, checked by ``mypy --strict``.

Nothing here runs in the test suite; a wrong type or a missing name in the
public API fails the type check instead.
"""

from __future__ import annotations

import asyncio

from collections.abc import AsyncIterator, Iterator

import requests

from scim_ninjio import Request, Response
from scim_ninjio.client import (
    AsyncNinjioClient,
    Capabilities,
    Created,
    NinjioClient,
    RetryPolicy,
    Verification,
    no_waiting,
)
from scim_ninjio.exceptions import OperationNotAllowedError, RateLimitedError
from scim_ninjio.models import Group, ListResponse, PatchOperation, User
from scim_ninjio.profiles import GENERIC, NINJIO, ServerProfile
from scim_ninjio.transports import (
    AsyncMemoryTransport,
    MemoryTransport,
    RequestsTransport,
    Timeout,
)


def sync_usage() -> None:
    """Every sync operation, with the types a caller sees."""
    policy = RetryPolicy(attempts=3, timeout=20.0, seed=1)
    with NinjioClient(
        "https://scim.goninjio.com/scim/v2",
        "token",
        profile=NINJIO,
        retry=policy,
        timeout=Timeout(connect=2, read=10),
        page_size=200,
        rate_limit=20.0,
    ) as client:
        created: Created[User] = client.create_user(User(user_name="bjensen"))
        adopted: bool = created.adopted
        user: User = created.resource
        found: User | None = client.find_user("bjensen")
        by_email: User | None = client.find_user_by_email("b@example.com")
        changed: User | None = client.patch_user(
            user.id or "", [PatchOperation(op="replace", path="title", value="CEO")]
        )
        gone: User | None = client.deactivate_user(user.id or "")
        users: Iterator[User] = client.iter_users(filter='title eq "CEO"')
        one_page: ListResponse[User] = client.search_users(count=10, method="POST")
        group: Group = client.create_group(Group(display_name="Sales")).resource
        client.add_members(group.id or "", [user.id or ""])
        client.remove_members(group.id or "", [user.id or ""])
        renamed: Group | None = client.rename_group(group.id or "", "Sales EMEA")
        groups: Iterator[Group] = client.iter_groups()
        check: Verification = client.verify()
        supported: Capabilities = client.capabilities()
        try:
            client.delete_user(user.id or "")
        except OperationNotAllowedError as error:
            refused: str = error.operation
        except RateLimitedError as error:
            wait: float | None = error.retry_after
    del adopted, found, by_email, changed, gone, users, one_page, renamed, groups
    del check, supported, refused, wait


def transports_usage(session: requests.Session) -> None:
    """Transports, profiles and the test switch."""

    def handle(request: Request) -> Response:
        return Response(204)

    with no_waiting():
        NinjioClient(
            "https://x.example", "t", transport=MemoryTransport(handle)
        ).close()
    vendor = ServerProfile(name="vendor", member_removal="value", member_chunk_size=20)
    NinjioClient(
        "https://x.example",
        "t",
        profile=vendor if session.trust_env else GENERIC,
        transport=RequestsTransport(session),
    ).close()


async def async_usage() -> None:
    """The async client: gather, async iteration, verify."""

    def handle(request: Request) -> Response:
        return Response(204)

    async with AsyncNinjioClient(
        "https://x.example",
        "t",
        transport=AsyncMemoryTransport(handle),
        max_concurrency=8,
    ) as client:
        created = await asyncio.gather(
            *(client.create_user(User(user_name=f"u{n}")) for n in range(3))
        )
        first: Created[User] = created[0]
        users: AsyncIterator[User] = client.iter_users(page_size=50)
        names = [u.user_name async for u in users]
        check: Verification = await client.verify()
    del first, names, check
