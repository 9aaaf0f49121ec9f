"""
Bad directories: every bad record is reported with its reason, the rest syncs.

The documents are real files, read with ``load_directory``, synced through
the sync client over HTTP into a live emulator with a SQLite ledger.
"""

import json

import pytest

from chaos_kit import SIZES, expected_state, ledger_problems, state_problems

from scim_ninjio._retry import RetryPolicy
from scim_ninjio._sample import sample_directory
from scim_ninjio.client import NinjioClient
from scim_ninjio.engine import Engine
from scim_ninjio.jumpcloud import load_directory
from scim_ninjio.ledger import SqliteLedger
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator
from scim_ninjio.testing.server import LiveServer


UNKNOWN = "ffffffffffffffffffffffff"
#: How many extra users the huge group holds.
HUGE = 5000 if SIZES.users > 1000 else 1200


def user(number, **fields):
    """A valid, active JumpCloud user record."""
    record = {
        "_id": f"{number:024x}",
        "username": f"extra.{number}",
        "email": f"extra.{number}@example.com",
        "activated": True,
        "state": "ACTIVATED",
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def bad_document():
    """A sample directory with every kind of bad record added to bound groups."""
    document = sample_directory(users=200, groups=8, seed=21).to_json()
    bound = document["bound_groups"]
    groups = {g["id"]: g for g in document["groups"]}
    first, second = groups[bound[0]], groups[bound[1]]
    taken = next(u for u in document["users"] if u["_id"] in first["members"])
    bad = [
        user(1, username=None),
        user(2, username="   "),
        user(3, email="dora at example.com"),
        user(4, email="eve@example"),
        user(5, email="two@@example.com"),
        user(6, username=taken["username"].upper()),
        user(7, username="tab\tinside"),
    ]
    document["users"] += bad
    first["members"] += [u["_id"] for u in bad] + [UNKNOWN]
    # A cycle: each group names the other as a member, which JumpCloud's
    # user groups cannot hold; both are skipped as unknown members.
    first["members"].append(second["id"])
    second["members"].append(first["id"])
    huge = [user(100 + n) for n in range(HUGE)]
    document["users"] += huge
    document["groups"].append(
        {
            "id": f"{99:024x}",
            "name": "Everyone",
            "members": [u["_id"] for u in document["users"]],
        }
    )
    document["bound_groups"].append(f"{99:024x}")
    # Records that cannot be read at all.
    document["users"].append({"username": "no.id"})
    document["groups"].append({"id": f"{98:024x}", "members": []})
    document["bound_groups"].append(f"{97:024x}")

    return document, taken, first, second


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """The bad document synced once, and the plan that follows it."""
    tmp = tmp_path_factory.mktemp("bad")
    document, taken, first, second = bad_document()
    path = tmp / "directory.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    directory = load_directory(path)
    emulator = Emulator(log_size=None)
    with (
        LiveServer(emulator) as server,
        NinjioClient(
            server.url, DEFAULT_TOKEN, retry=RetryPolicy(wait=False)
        ) as client,
        SqliteLedger(tmp / "ledger.sqlite3") as ledger,
    ):
        engine = Engine(client, ledger)
        report = engine.sync(directory)
        after = engine.plan(directory)
        ledger_faults = ledger_problems(ledger, emulator)

    return {
        "directory": directory,
        "report": report,
        "after": after,
        "emulator": emulator,
        "ledger_faults": ledger_faults,
        "taken": taken,
        "first": first,
        "second": second,
    }


class TestBadRecords:
    """Each bad record is reported with why; the rest of the sync goes on."""

    @pytest.mark.rule("U7")
    def test_each_bad_user_is_reported_with_its_reason(self, synced):
        """U7: no username, a bad email, a duplicate userName: each reported."""
        reasons = {
            p.jumpcloud_id: p.reason.lower()
            for p in synced["report"].problems
            if p.rule == "U7"
        }

        assert "username" in reasons[f"{1:024x}"]
        assert "username" in reasons[f"{2:024x}"]
        for number in (3, 4, 5):
            assert "email" in reasons[f"{number:024x}"]
        assert "also used by" in reasons[f"{6:024x}"]
        assert "also used by" in reasons[synced["taken"]["_id"]]
        assert "control" in reasons[f"{7:024x}"]

    @pytest.mark.rule("U7")
    def test_the_rest_is_synced(self, synced):
        """U7: every good user and group is in NINJIO as desired; no step failed."""
        report, emulator = synced["report"], synced["emulator"]
        want = expected_state(synced["directory"])

        assert report.ok, report.failures[:3]
        assert len(emulator.users) == len(want.users)
        assert state_problems(emulator, synced["directory"]) == []
        assert synced["ledger_faults"] == []
        assert synced["after"].empty

    @pytest.mark.rule("U7")
    def test_no_bad_user_reached_ninjio(self, synced):
        """U7: none of the bad records was sent, not even partly."""
        names = {u.user_name.casefold() for u in synced["emulator"].users}

        assert synced["taken"]["username"].casefold() not in names
        assert not any(n.startswith("tab") for n in names)
        sent = [
            r.json().get("userName")
            for r in synced["emulator"].requests
            if r.method == "POST" and r.path == "/Users"
        ]
        assert synced["taken"]["username"].upper() not in sent

    def test_unknown_members_and_cycles_are_reported(self, synced):
        """A group naming an unknown member or another group: that member skipped."""
        directory = synced["directory"]
        first, second = synced["first"], synced["second"]
        shown = [str(p) for p in directory.problems]

        assert any(UNKNOWN in s and first["id"] in s for s in shown)
        assert any(second["id"] in s and first["id"] in s for s in shown)
        group = directory.find_group(first["id"])
        assert UNKNOWN not in group.member_ids
        assert second["id"] not in group.member_ids

    def test_unreadable_records_are_reported(self, synced):
        """A user without an id, a group without a name, a binding to nothing."""
        shown = " ".join(str(p) for p in synced["directory"].problems).lower()

        assert "_id" in shown
        assert f"{98:024x}" in shown
        assert f"{97:024x}" in shown

    @pytest.mark.rule("G3")
    def test_huge_group_goes_in_chunks(self, synced):
        """G3: a group of thousands is filled by PATCHes the server accepts."""
        emulator = synced["emulator"]
        everyone = next(g for g in emulator.groups if g.display_name == "Everyone")
        patches = [
            r
            for r in emulator.requests
            if r.method == "PATCH" and r.path == f"/Groups/{everyone.id}"
        ]

        assert len(everyone.members) >= HUGE
        assert len(patches) >= HUGE // 100
        assert all(r.status in {200, 204} for r in patches)
