"""The async engine over aiohttp against a live emulator: same outcome, bounded."""

from __future__ import annotations

import functools
import inspect

import pytest

from engine_helpers import (
    assert_no_user_deleted,
    check_rules,
    make_rig,
    mapped,
    remove_member,
)

from scim_ninjio._retry import RetryPolicy
from scim_ninjio._sample import sample_directory
from scim_ninjio.client import AsyncNinjioClient
from scim_ninjio.engine import AsyncEngine, MembershipRemoved
from scim_ninjio.ledger import MemoryLedger
from scim_ninjio.policy import SyncSettings
from scim_ninjio.testing import (
    DEFAULT_TOKEN,
    Emulator,
    Fault,
    FaultInjector,
    FaultPlan,
    LiveServer,
)


class Gauge:
    """Wraps an async client and counts the calls in flight at once."""

    def __init__(self, client: AsyncNinjioClient) -> None:
        self.client = client
        self.now = 0
        self.most = 0

    def __getattr__(self, name):
        method = getattr(self.client, name)
        if not inspect.iscoroutinefunction(method):
            return method

        @functools.wraps(method)
        async def counted(*args, **kwargs):
            self.now += 1
            self.most = max(self.most, self.now)
            try:
                return await method(*args, **kwargs)
            finally:
                self.now -= 1

        return counted


def outcome(emulator):
    """NINJIO's state without its random ids: accounts, groups and members."""
    names = {u.id: u.user_name for u in emulator.users}
    return (
        sorted(mapped(u) for u in emulator.users),
        sorted(
            (g.display_name, sorted(names[m.value] for m in g.members))
            for g in emulator.groups
        ),
    )


@pytest.fixture
def live():
    """A live emulator on loopback whose user creates take 20 ms each."""
    emulator = Emulator(log_size=None)
    slow = Fault(kind="latency", route="/Users", method="POST", delay=0.02)
    with LiveServer(FaultInjector(emulator, FaultPlan([slow]))) as server:
        yield emulator, server
    assert_no_user_deleted(emulator)


@pytest.mark.asyncio
async def test_async_engine_matches_the_sync_engine(live):
    """The same directory gives the same NINJIO through both engines."""
    emulator, server = live
    snapshot = sample_directory(users=80, groups=6)
    ledger = MemoryLedger()
    async with AsyncNinjioClient(
        server.url, DEFAULT_TOKEN, retry=RetryPolicy(wait=False)
    ) as client:
        gauge = Gauge(client)
        engine = AsyncEngine(gauge, ledger, max_concurrency=4)  # type: ignore[arg-type]

        report = await engine.sync(snapshot)

        assert report.ok, report.failures
        assert 1 < gauge.most <= 4
        assert (await engine.plan(snapshot)).empty

        # The second round, by event and by full reconcile.
        group = snapshot.bound_groups[0]
        leaver = group.member_ids[0]
        after = remove_member(snapshot, group.id, leaver)
        event = MembershipRemoved(group_id=group.id, user_id=leaver)
        assert (await engine.handle_event(event, after)).ok
        assert (await engine.plan(after)).empty
        assert (await engine.sync(after, dry_run=True)).records == ()
        candidates = await engine.import_candidates(after)
        assert {c.status for c in candidates} == {"Imported"}

    rig = make_rig()
    try:
        rig.sync(snapshot)
        rig.engine.handle_event(event, after)
        assert outcome(emulator) == outcome(rig.emulator)
        check_rules(rig, after, {})
    finally:
        rig.client.close()
    assert server.url.startswith("http://127.0.0.1:")


@pytest.mark.asyncio
async def test_async_engine_reports_failures_and_skips(live):
    """A failed group create skips its members, over real HTTP too."""
    emulator, server = live
    snapshot = sample_directory(users=20, groups=2)
    async with AsyncNinjioClient(
        server.url, DEFAULT_TOKEN, retry=RetryPolicy(wait=False)
    ) as client:
        engine = AsyncEngine(client, MemoryLedger(), SyncSettings(), max_concurrency=2)
        server_faults = server.handler
        server_faults.add(Fault(kind="server_error", route="/Groups", method="POST"))

        report = await engine.sync(snapshot)

        assert {r.action for r in report.failures} == {"group.create"}
        assert {r.action for r in report.skipped} == {"group.add_members"}
        assert report.counts()["user.create"] == len(emulator.users)
        server_faults.clear()
        assert (await engine.sync(snapshot)).ok
        assert (await engine.plan(snapshot)).empty
