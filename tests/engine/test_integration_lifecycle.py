"""The integration's lifecycle over real HTTP (I1-I3), and the import list (M1)."""

from __future__ import annotations

import socket

import pytest

from engine_helpers import assert_no_user_deleted, directory, person, team

from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client import NinjioClient
from scim_ninjio.engine import Integration
from scim_ninjio.exceptions import ActivationError, IntegrationStateError
from scim_ninjio.ledger import MemoryLedger, SqliteLedger
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator, LiveServer
from scim_ninjio.transports import Timeout


SNAPSHOT = directory(
    [person("u1", "alice"), person("u2", "bob")], [team("g1", "Sales", "u1", "u2")]
)


def quick(url, token):
    """A client that neither retries nor waits long."""
    return NinjioClient(
        url, token, retry=RetryPolicy(wait=False), timeout=Timeout(connect=1, read=2)
    )


@pytest.fixture
def live():
    """A live emulator on loopback."""
    emulator = Emulator(log_size=None)
    with LiveServer(emulator) as server:
        yield emulator, server
    assert_no_user_deleted(emulator)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.rule("I1")
def test_i1_activate_verifies_and_says_what_failed(live, tmp_path):
    """I1: a good token activates; a bad token, a wrong URL, no server: each named."""
    emulator, server = live
    ledger = SqliteLedger(tmp_path / "ledger.sqlite")
    integration = Integration(ledger, base_url=server.url, client_factory=quick)

    with pytest.raises(ActivationError) as bad:
        integration.activate("not-the-token")
    assert bad.value.failure == "bad_token"
    assert not integration.active
    assert [r.credentials for r in emulator.requests] == ["invalid"] * len(
        emulator.requests
    )

    wrong = Integration(ledger, base_url=server.url + "/nope", client_factory=quick)
    with pytest.raises(ActivationError) as url:
        wrong.activate(DEFAULT_TOKEN)
    assert url.value.failure == "wrong_url"

    gone = Integration(
        ledger,
        base_url=f"http://127.0.0.1:{_free_port()}/scim/v2",
        client_factory=quick,
    )
    with pytest.raises(ActivationError) as down:
        gone.activate(DEFAULT_TOKEN)
    assert down.value.failure == "unreachable"
    assert not integration.active
    assert emulator.users == ()

    verification = integration.activate(DEFAULT_TOKEN)

    assert verification.ok
    assert integration.active
    report = integration.engine().sync(SNAPSHOT)
    assert report.ok
    assert {u.user_name for u in emulator.users} == {"alice", "bob"}
    assert DEFAULT_TOKEN.encode() not in (tmp_path / "ledger.sqlite").read_bytes()
    assert DEFAULT_TOKEN not in repr(integration)
    integration.close()
    ledger.close()


@pytest.mark.rule("I2")
def test_i2_the_token_changes_only_while_deactivated(live):
    """I2: refused while active; after deactivating, the new token is verified."""
    _, server = live
    integration = Integration(MemoryLedger(), base_url=server.url, client_factory=quick)
    with pytest.raises(IntegrationStateError, match="no token"):
        integration.activate()
    integration.activate(DEFAULT_TOKEN)

    with pytest.raises(IntegrationStateError, match="I2"):
        integration.change_token("another")
    with pytest.raises(IntegrationStateError, match="I2"):
        integration.activate("another")
    integration.activate(DEFAULT_TOKEN)  # the same token again is fine
    assert integration.active

    integration.deactivate()
    integration.change_token("wrong-token")
    with pytest.raises(ActivationError) as caught:
        integration.activate()
    assert caught.value.failure == "bad_token"
    assert not integration.active

    integration.change_token(DEFAULT_TOKEN)
    assert integration.activate().ok
    assert integration.engine().sync(SNAPSHOT).ok
    assert "wrong-token" not in str(caught.value)
    integration.close()


@pytest.mark.rule("I3")
def test_i3_deactivate_stops_every_push_and_changes_nothing(live):
    """I3: no request at all once deactivated; NINJIO is left exactly as it was."""
    emulator, server = live
    ledger = MemoryLedger()
    integration = Integration(ledger, base_url=server.url, client_factory=quick)
    integration.activate(DEFAULT_TOKEN)
    integration.engine().sync(SNAPSHOT)
    users, groups = emulator.users, emulator.groups
    sent = len(emulator.requests)

    integration.deactivate()

    with pytest.raises(IntegrationStateError, match="I3"):
        integration.engine()
    assert len(emulator.requests) == sent
    assert (emulator.users, emulator.groups) == (users, groups)

    # Another process sees the state, but has no verified connection of its own.
    other = Integration(ledger, base_url=server.url, client_factory=quick)
    assert not other.active
    integration.activate()
    assert other.active
    with pytest.raises(IntegrationStateError, match="activate"):
        other.engine()
    integration.close()
    integration.close()


@pytest.mark.rule("M1")
def test_m1_import_lists_new_users_first(rig):
    """M1: matched by email without case is Imported; managed only when in scope."""
    rig.emulator.add_user({"userName": "zed"})
    rig.emulator.add_user(
        {"userName": "a.l", "emails": [{"value": "ALICE@example.com", "type": "work"}]}
    )
    rig.emulator.add_user(
        {"userName": "b", "emails": [{"value": "bob@EXAMPLE.com", "type": "work"}]}
    )
    rig.emulator.add_user({"userName": "yan"})
    snapshot = directory(
        [person("u1", "alice"), person("u2", "bob")],
        [team("g1", "Sales", "u1"), team("g2", "Later", "u2")],
        ["g1"],
    )
    mark = rig.mark()

    candidates = rig.engine.import_candidates(snapshot)

    assert [(c.user.user_name, c.status) for c in candidates] == [
        ("zed", "New"),
        ("yan", "New"),
        ("a.l", "Imported"),
        ("b", "Imported"),
    ]
    assert [(c.jumpcloud_id, c.managed) for c in candidates[2:]] == [
        ("u1", True),
        ("u2", False),
    ]
    assert not rig.writes_since(mark)
