# ruff: noqa: INP001, ANN001, ANN201, S101 -- an example test module, run by path
"""Tests of an integration built on scim_ninjio, using its test kit."""

from __future__ import annotations

import pytest

from hypothesis import given, settings

from scim_ninjio.client import NinjioClient
from scim_ninjio.engine import Engine
from scim_ninjio.jumpcloud import Directory, SystemUser, UserGroup
from scim_ninjio.ledger import MemoryLedger
from scim_ninjio.models import User
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator, Fault, FaultKind
from scim_ninjio.testing.strategies import directories
from scim_ninjio.transports import MemoryTransport


def one_group(*users: SystemUser) -> Directory:
    """Return a snapshot with one bound group holding ``users``."""
    group = UserGroup(id="g1", name="Sales", member_ids=[u.id for u in users])
    return Directory(
        users=list(users), groups=[group], bound_group_ids=["g1"], group_management=True
    )


ADA = SystemUser(id="u1", username="ada", email="ada@example.com", activated=True)


def test_sync_creates_the_user(ninjio_memory_client, ninjio_emulator):
    """The fixtures give a client wired to a fresh emulator, in memory."""
    Engine(ninjio_memory_client, MemoryLedger()).sync(one_group(ADA))

    assert ninjio_emulator.find_user("ada") is not None


def test_existing_accounts_are_adopted(ninjio_memory_client, ninjio_emulator):
    """Seed NINJIO's own users with add_user, as a tenant that already has them."""
    ninjio_emulator.add_user(User(user_name="ADA"))

    report = Engine(ninjio_memory_client, MemoryLedger()).sync(one_group(ADA))

    assert report.counts()["user.adopt"] == 1
    assert len(ninjio_emulator.users) == 1


@pytest.mark.ninjio(faults=[Fault(kind=FaultKind.UNAVAILABLE, route="/Users", nth=1)])
def test_a_503_is_retried(ninjio_client, ninjio_faults, ninjio_emulator):
    """The marker injects faults; ninjio_client talks HTTP to a live server."""
    report = Engine(ninjio_client, MemoryLedger()).sync(one_group(ADA))

    assert report.ok
    assert ninjio_faults.counts()[FaultKind.UNAVAILABLE] == 1
    assert ninjio_emulator.find_user("ada") is not None


@settings(max_examples=20, deadline=None)
@given(directory=directories(max_users=8, max_groups=3))
def test_a_second_sync_has_nothing_to_do(directory):
    """Any snapshot converges in one run (the emulator is built per example)."""
    emulator = Emulator()
    transport = MemoryTransport(emulator.handle, authorize=True)
    with NinjioClient(
        "https://ninjio.test/scim/v2", DEFAULT_TOKEN, transport=transport
    ) as client:
        engine = Engine(client, MemoryLedger())
        engine.sync(directory)

        assert engine.plan(directory).empty
