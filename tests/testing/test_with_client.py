"""The test kit as its users use it: the plugin's fixtures with the real clients."""

import asyncio

import pytest

from scim_ninjio.exceptions import (
    OperationNotAllowedError,
    RemoteProtocolError,
    UnauthorizedError,
)
from scim_ninjio.models import Group, Member, User
from scim_ninjio.policy import NinjioSettings
from scim_ninjio.testing.faults import Fault, FaultKind
from scim_ninjio.transports import Timeout


class TestSyncClient:
    """NinjioClient against the emulator over HTTP."""

    @pytest.mark.rule("U5")
    def test_round_trip(self, ninjio_client, ninjio_emulator):
        """U5: create, find, deactivate; the client never sends a user DELETE."""
        created = ninjio_client.create_user(User(user_name="alice", active=True))
        found = ninjio_client.find_user("ALICE")
        ninjio_client.deactivate_user(created.resource.id)

        with pytest.raises(OperationNotAllowedError):
            ninjio_client.delete_user(created.resource.id)

        assert found.id == created.resource.id
        assert ninjio_emulator.get_user(created.resource.id).active is False
        assert all(r.method != "DELETE" for r in ninjio_emulator.requests)

    @pytest.mark.rule("U2")
    def test_adopts_an_existing_user(self, ninjio_client, ninjio_emulator):
        """U2: a create that meets 409 uniqueness adopts the existing user."""
        existing = ninjio_emulator.add_user(User(user_name="Alice"))

        created = ninjio_client.create_user(User(user_name="alice"))

        assert created.adopted
        assert created.resource.id == existing.id

    @pytest.mark.ninjio(placement=NinjioSettings(default_group=False))
    @pytest.mark.rule("N3")
    def test_groups_and_placement(self, ninjio_client, ninjio_emulator):
        """N3: a pushed group takes a user without department out of Undefined."""
        alice = ninjio_client.create_user(User(user_name="alice")).resource
        group = ninjio_client.create_group(Group(display_name="Engineering")).resource

        ninjio_client.add_members(group.id, [alice.id])

        assert [g.display for g in ninjio_emulator.get_user(alice.id).groups] == [
            "Engineering"
        ]

    @pytest.mark.ninjio(max_page_size=3)
    def test_paging(self, ninjio_client, ninjio_emulator):
        """The client pages through more users than one page holds."""
        for i in range(8):
            ninjio_emulator.add_user(User(user_name=f"u{i}"))

        names = [u.user_name for u in ninjio_client.iter_users()]

        assert names == [f"u{i}" for i in range(8)]

    @pytest.mark.ninjio(token="right")
    def test_bad_token(self, ninjio_server):
        """A client with the wrong token gets 401, and the log holds neither token."""
        from scim_ninjio.client import NinjioClient

        with (
            NinjioClient(ninjio_server.url, "wrong") as client,
            pytest.raises(UnauthorizedError),
        ):
            client.get_user("x")


class TestFaultsWithTheClient:
    """The client meeting injected faults."""

    @pytest.mark.ninjio(faults=[Fault(kind="rate_limited", method="POST", nth=1)])
    def test_rate_limited_create_is_retried(self, ninjio_client, ninjio_faults):
        """A 429 on a create is retried: the user is created once."""
        ninjio_client.create_user(User(user_name="alice"))

        assert ninjio_faults.counts() == {FaultKind.RATE_LIMITED: 1}
        assert [f.processed for f in ninjio_faults.injected] == [False]

    @pytest.mark.ninjio(
        faults=[Fault(kind="drop", processed=True, method="POST", nth=1)]
    )
    def test_lost_create_is_adopted(self, ninjio_client, ninjio_emulator):
        """A create whose answer was lost is found again, not sent twice."""
        created = ninjio_client.create_user(User(user_name="alice"))

        assert created.adopted
        assert len(ninjio_emulator.users) == 1
        assert [r.method for r in ninjio_emulator.requests].count("POST") == 1

    @pytest.mark.ninjio(
        faults=[Fault(kind="hang", method="GET", nth=1)],
        client={"timeout": Timeout(connect=1.0, read=0.2)},
    )
    def test_hang_then_retry(self, ninjio_client, ninjio_emulator):
        """A GET that hangs times out on the client and is tried again."""
        user = ninjio_emulator.add_user(User(user_name="alice"))

        assert ninjio_client.get_user(user.id).user_name == "alice"

    @pytest.mark.ninjio(faults=[Fault(kind="html", status=502)])
    def test_html_page(self, ninjio_memory_client):
        """An HTML error page every time ends in a clear protocol error."""
        with pytest.raises(RemoteProtocolError, match="502"):
            ninjio_memory_client.get_user("x")

    @pytest.mark.ninjio(faults=[Fault(kind="truncated", method="GET", nth=1)])
    def test_truncated_then_retry(self, ninjio_client, ninjio_emulator):
        """A truncated answer to a GET is tried again."""
        user = ninjio_emulator.add_user(User(user_name="alice"))

        assert ninjio_client.get_user(user.id).id == user.id
        assert ninjio_emulator.requests[-1].status == 200


class TestAsyncClient:
    """AsyncNinjioClient against the emulator over HTTP."""

    @pytest.mark.asyncio
    async def test_concurrent_creates(self, ninjio_async_client, ninjio_emulator):
        """Many creates at once over HTTP all land, with their groups."""
        users = await asyncio.gather(
            *(
                ninjio_async_client.create_user(User(user_name=f"u{i}"))
                for i in range(20)
            )
        )
        group = await ninjio_async_client.create_group(
            Group(
                display_name="All",
                members=tuple(Member(value=u.resource.id) for u in users),
            )
        )

        assert len(ninjio_emulator.users) == 20
        assert len(ninjio_emulator.get_group(group.resource.id).members) == 20
