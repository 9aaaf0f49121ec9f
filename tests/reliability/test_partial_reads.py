"""
Partial reads and the deactivation threshold: nobody is lost by a bad read.

A baseline directory is synced into a live emulator with a SQLite ledger;
then a source read that failed halfway, or a change that would deactivate
more users than the threshold allows, is synced, and the emulator's request
log shows what was (not) sent.
"""

import asyncio
import json
import pathlib

import attrs
import pytest

from scim_ninjio._retry import RetryPolicy
from scim_ninjio._sample import sample_directory
from scim_ninjio.client import AsyncNinjioClient, NinjioClient
from scim_ninjio.engine import AsyncEngine, Engine, GroupUnbound
from scim_ninjio.exceptions import ThresholdExceededError, ValidationError
from scim_ninjio.jumpcloud import Directory, load_directory
from scim_ninjio.ledger import SqliteLedger
from scim_ninjio.policy import DeactivationThreshold, SyncSettings
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator
from scim_ninjio.testing.server import LiveServer


NO_WAIT = RetryPolicy(wait=False)
READS = {"GET"}


@attrs.define
class Rig:
    """A live emulator already synced from a baseline directory."""

    emulator: Emulator
    server: LiveServer
    ledger: SqliteLedger
    baseline: Directory
    tmp: pathlib.Path
    mark: int = 0

    def engine(self, client, settings=None):
        """An engine over the rig's ledger."""
        return Engine(client, self.ledger, settings)

    def client(self):
        """A sync client bound to the live server."""
        return NinjioClient(self.server.url, DEFAULT_TOKEN, retry=NO_WAIT)

    def since(self):
        """The requests received after the baseline sync."""
        return [r for r in self.emulator.requests if r.seq > self.mark]

    def writes(self):
        """The requests after the baseline that could change something."""
        return [
            r
            for r in self.since()
            if r.method not in READS and not r.path.endswith("/.search")
        ]

    def deactivations(self):
        """The writes after the baseline that set a user inactive."""
        found = []
        for r in self.writes():
            if r.path.startswith("/Users/") and r.body and b"active" in r.body:
                body = r.json()
                values = [op.get("value") for op in body.get("Operations", [])]
                if (
                    body.get("active") is False
                    or False in values
                    or any(
                        isinstance(v, dict) and v.get("active") is False for v in values
                    )
                ):
                    found.append(r)
        return found

    def removals(self):
        """The writes after the baseline that remove members or delete groups."""
        return [
            r
            for r in self.writes()
            if r.method == "DELETE"
            or (
                r.method == "PATCH"
                and any(
                    str(op.get("op")).lower() == "remove"
                    for op in r.json().get("Operations", [])
                )
            )
        ]

    def write_document(self, document, name="directory.json"):
        """Write a directory document to a real file; return its path."""
        path = self.tmp / name
        path.write_text(json.dumps(document), encoding="utf-8")
        return path


@pytest.fixture
def rig(tmp_path):
    """The baseline synced: 150 users in 6 groups, all active ones managed."""
    baseline = sample_directory(users=150, groups=6, seed=8)
    emulator = Emulator(log_size=None)
    with LiveServer(emulator) as server, SqliteLedger(tmp_path / "l.db") as ledger:
        rig = Rig(emulator, server, ledger, baseline, tmp_path)
        with rig.client() as client:
            report = rig.engine(client).sync(baseline)
        assert report.ok
        rig.mark = emulator.requests[-1].seq
        yield rig


def shrunk(document, keep):
    """The document with only the first ``keep`` share of users in it."""
    users = document["users"]
    kept = users[: int(len(users) * keep)]
    ids = {u["_id"] for u in kept}
    document["users"] = kept
    for group in document["groups"]:
        group["members"] = [m for m in group["members"] if m in ids]
    return document


class TestPartialReads:
    """A source read that fails halfway never deactivates anyone."""

    def test_a_file_cut_halfway_is_refused_before_any_request(self, rig):
        """A document cut in half fails to load, naming the file; nothing is sent."""
        text = json.dumps(rig.baseline.to_json())
        path = rig.tmp / "cut.json"
        path.write_text(text[: len(text) // 2], encoding="utf-8")

        with pytest.raises(ValidationError, match=r"cut\.json"):
            load_directory(path)
        assert rig.since() == []

    def test_one_page_of_many_is_refused(self, rig):
        """A v1 answer holding one page of users, not all, is refused whole."""
        document = rig.baseline.to_json()
        users = document["users"]
        document["users"] = {"results": users[:10], "totalCount": len(users)}
        path = rig.write_document(document)

        with pytest.raises(ValidationError, match="every page"):
            load_directory(path)
        assert rig.since() == []

    @pytest.mark.rule("U5")
    def test_a_read_marked_incomplete_deactivates_no_one(self, rig):
        """U5: half the users missing, marked incomplete: nobody deactivated."""
        document = shrunk(rig.baseline.to_json(), keep=0.5)
        document["complete"] = False
        directory = load_directory(rig.write_document(document))

        with rig.client() as client:
            engine = rig.engine(client)
            had_it_been_complete = engine.plan(attrs.evolve(directory, complete=True))
            report = engine.sync(directory)

        assert had_it_been_complete.deactivations > 0
        assert not report.failures
        assert rig.deactivations() == []
        assert rig.removals() == []
        assert all(u.active is not False for u in self.pushed(rig))

    @pytest.mark.rule("U5")
    def test_unreadable_records_deactivate_no_one(self, rig):
        """U5: half the users' records lost their ids: skipped, nobody deactivated."""
        document = rig.baseline.to_json()
        for record in document["users"][::2]:
            del record["_id"]
        directory = load_directory(rig.write_document(document))

        with rig.client() as client:
            report = rig.engine(client).sync(directory)

        assert directory.complete is False
        assert len(directory.problems) >= len(document["users"]) // 2
        assert not report.failures
        assert rig.deactivations() == []
        assert rig.removals() == []

    @pytest.mark.rule("U5")
    def test_incomplete_read_through_the_async_engine(self, rig):
        """U5: the async engine deactivates no one from a partial read either."""
        directory = attrs.evolve(
            Directory.from_json(shrunk(rig.baseline.to_json(), keep=0.3)),
            complete=False,
        )

        async def run():
            async with AsyncNinjioClient(
                rig.server.url, DEFAULT_TOKEN, retry=NO_WAIT
            ) as client:
                return await AsyncEngine(client, rig.ledger).sync(directory)

        report = asyncio.run(run())

        assert not report.failures
        assert rig.deactivations() == []
        assert rig.removals() == []

    @staticmethod
    def pushed(rig):
        """The users the baseline sync pushed and left active."""
        active = {
            link.ninjio_id for link in rig.ledger.state().users.values() if link.active
        }
        return [u for u in rig.emulator.users if u.id in active]


class TestThreshold:
    """A change that would deactivate more than the threshold stops before writing."""

    def unbound_all_but_one(self, rig):
        """The baseline with every bound group but the smallest unbound."""
        bound = sorted(rig.baseline.bound_groups, key=lambda g: len(g.member_ids))
        return attrs.evolve(rig.baseline, bound_group_ids=frozenset({bound[0].id}))

    @pytest.mark.rule("U5")
    def test_full_sync_stops_before_any_write(self, rig):
        """U5: too many would leave: ThresholdExceededError, and only reads sent."""
        directory = self.unbound_all_but_one(rig)

        with rig.client() as client, pytest.raises(ThresholdExceededError) as caught:
            rig.engine(client).sync(directory)

        assert caught.value.deactivations > caught.value.limit
        assert "nothing was changed" in str(caught.value)
        assert rig.since()
        assert rig.writes() == []

    @pytest.mark.rule("G5")
    def test_event_stops_before_any_write(self, rig):
        """G5: an unbinding event that would deactivate too many sends no write."""
        directory = self.unbound_all_but_one(rig)
        biggest = max(rig.baseline.bound_groups, key=lambda g: len(g.member_ids))
        limit = SyncSettings(threshold=DeactivationThreshold(max_count=2, min_count=0))

        with rig.client() as client, pytest.raises(ThresholdExceededError):
            rig.engine(client, limit).handle_event(
                GroupUnbound(group_id=biggest.id), directory
            )

        assert rig.writes() == []

    @pytest.mark.rule("G6")
    def test_async_engine_stops_before_any_write(self, rig):
        """G6: groups deleted in bulk through the async engine: no write at all."""
        gone = {g.id for g in rig.baseline.bound_groups[1:]}
        directory = attrs.evolve(
            rig.baseline,
            groups=[g for g in rig.baseline.groups if g.id not in gone],
            bound_group_ids=rig.baseline.bound_group_ids - gone,
        )

        async def run():
            async with AsyncNinjioClient(
                rig.server.url, DEFAULT_TOKEN, retry=NO_WAIT
            ) as client:
                return await AsyncEngine(client, rig.ledger).sync(directory)

        with pytest.raises(ThresholdExceededError):
            asyncio.run(run())
        assert rig.writes() == []

    @pytest.mark.rule("U5")
    def test_forced_after_review_goes_through(self, rig):
        """U5: forced, the same plan deactivates and still deletes no user."""
        directory = self.unbound_all_but_one(rig)

        with rig.client() as client:
            engine = rig.engine(client)
            plan = engine.plan(directory)
            report = engine.apply(plan, force=True)

        assert report.ok
        assert len(rig.deactivations()) == plan.deactivations > 0
        assert not [
            r for r in rig.since() if r.method == "DELETE" and "/Users" in r.path
        ]
