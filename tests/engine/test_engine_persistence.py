"""The SQLite ledger: a run stopped part way resumes from the file and converges."""

from __future__ import annotations

import attrs

from engine_helpers import (
    assert_converged,
    check_rules,
    delete_group,
    directory,
    person,
    remove_member,
    team,
)

from scim_ninjio._sample import sample_directory
from scim_ninjio.engine import Engine
from scim_ninjio.ledger import SqliteLedger


def test_a_second_engine_on_the_same_file_resumes(new_rig, tmp_path):
    """Half a plan applied, the process gone: a new engine finishes, no duplicates."""
    path = tmp_path / "ledger.sqlite"
    snapshot = sample_directory(users=60, groups=5)
    first = new_rig(ledger=SqliteLedger(path))
    plan = first.engine.plan(snapshot)
    half = attrs.evolve(plan, steps=plan.steps[: len(plan.steps) // 2])
    first.engine.apply(half)
    first.ledger.close()
    created = len(first.emulator.users)
    assert 0 < created < plan.counts()["user.create"]

    ledger = SqliteLedger(path)
    second = Engine(first.client, ledger, first.engine.settings)
    rest = second.plan(snapshot)

    assert rest.counts().get("user.create", 0) == plan.counts()["user.create"] - created
    assert "user.adopt" not in rest.counts()
    assert second.apply(rest).ok
    assert_converged(second, snapshot)
    first.ledger = ledger
    check_rules(first, snapshot, {})
    ledger.close()


def test_the_ledger_file_remembers_groups_and_deactivations(new_rig, tmp_path):
    """Deletes and deactivations found through the file, after a restart."""
    path = tmp_path / "ledger.sqlite"
    users = [person("u1", "alice"), person("u2", "bob")]
    before = directory(users, [team("g1", "Sales", "u1"), team("g2", "Ops", "u2")])
    rig = new_rig(ledger=SqliteLedger(path))
    rig.sync(before)
    sales = rig.group("g1").id
    rig.ledger.close()

    rig.ledger = SqliteLedger(path)
    rig.engine = Engine(rig.client, rig.ledger, rig.engine.settings)
    after = remove_member(delete_group(before, "g1"), "g2", "u2")
    report = rig.sync(after)

    assert report.counts() == {
        "group.delete": 1,
        "group.remove_members": 1,
        "user.deactivate": 2,
    }
    assert rig.group("g2").members == ()
    assert all(g.id != sales for g in rig.emulator.groups)
    assert rig.ledger.user("u1").active is False
    assert_converged(rig.engine, after)
    rig.ledger.close()
    assert path.stat().st_size > 0
