"""
Random JumpCloud changes, a sync after each, and the rules checked every time.

The machine joins and removes members, changes departments, renames, deletes,
creates, binds and unbinds groups, toggles group management, and suspends,
stages and activates users. After each sync NINJIO (the emulator) must obey
the rules: in-scope users exist, active as JumpCloud says, with the mapped
attributes; managed users out of scope are inactive; no user is deleted;
NINJIO's own users and group are untouched, and a NINJIO group that a sync
takes over keeps its unmanaged member; every managed group holds exactly its
in-scope members; and a second plan is empty.
"""

from __future__ import annotations

import pytest

from engine_helpers import (
    add_member,
    assert_converged,
    assert_no_user_deleted,
    bind,
    change_user,
    check_rules,
    create_group,
    delete_group,
    directory,
    documents,
    make_rig,
    manage_groups,
    person,
    remove_member,
    rename_group,
    team,
)
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from scim_ninjio.policy import NinjioSettings, SyncSettings


USERS = [
    person(f"u{i}", f"user{i}", department=d)
    for i, d in enumerate(["Sales", None, "Legal", None, "Sales", None, None, "Ops"])
]
DEPARTMENTS = st.sampled_from([None, "Sales", "Legal", "Finance"])
NAMES = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta")
pick = st.integers(min_value=0, max_value=1000)


class Provisioning(RuleBasedStateMachine):
    """A JumpCloud directory that changes at random, synced after each change."""

    @initialize(
        members=st.lists(
            st.sets(st.sampled_from([u.id for u in USERS])), min_size=3, max_size=3
        ),
        bound=st.sets(st.integers(0, 2)),
        management=st.booleans(),
        by_department=st.booleans(),
    )
    def start(self, members, bound, management, by_department):
        """Three groups, some bound; NINJIO with a user and a group of its own."""
        placement = NinjioSettings(default_group=not by_department)
        self.rig = make_rig(
            placement=placement,
            settings=SyncSettings(
                ninjio=placement, threshold=None, member_chunk_size=3
            ),
        )
        outsider = self.rig.emulator.add_user(
            {"userName": "zed.outsider", "title": "Own"}
        )
        club = self.rig.emulator.add_group(
            {"displayName": "Club", "members": [{"value": outsider.id}]}
        )
        # A second outsider sits in a NINJIO group named as a JumpCloud group,
        # which a sync takes over (G2): the group becomes managed, its
        # unmanaged member stays (G3, U6).
        lodger = self.rig.emulator.add_user({"userName": "lodger", "title": "Own"})
        self.shared = self.rig.emulator.add_group(
            {"displayName": NAMES[2].upper(), "members": [{"value": lodger.id}]}
        ).id
        self.lodger = lodger.id
        self.untouched = documents(self.rig.emulator, [outsider.id, club.id, lodger.id])
        groups = [team(f"g{i}", NAMES[i], *sorted(m)) for i, m in enumerate(members)]
        self.next_group = len(groups)
        self.snapshot = directory(
            USERS, groups, [f"g{i}" for i in sorted(bound)], management=management
        )
        self.sync()

    def teardown(self):
        """Close the client."""
        if hasattr(self, "rig"):
            self.rig.client.close()

    def sync(self):
        """Sync, then check NINJIO against the rules."""
        report = self.rig.sync(self.snapshot)
        assert report.ok, report.failures
        check_rules(self.rig, self.snapshot, self.untouched)
        # G6 may delete the shared group with its JumpCloud group; while it
        # stands, its unmanaged member stays in it.
        shared = {g.id: g for g in self.rig.emulator.groups}.get(self.shared)
        if shared is not None:
            assert self.lodger in {m.value for m in shared.members}
        assert_converged(self.rig.engine, self.snapshot)
        assert_no_user_deleted(self.rig.emulator)

    def group_id(self, n):
        """The id of the n-th group (modulo their number), or None if none."""
        groups = self.snapshot.groups
        return groups[n % len(groups)].id if groups else None

    @rule(n=pick, user=st.sampled_from(USERS))
    def join(self, n, user):
        """A user joins a group."""
        gid = self.group_id(n)
        if gid is not None:
            self.snapshot = add_member(self.snapshot, gid, user.id)
        self.sync()

    @rule(n=pick, user=st.sampled_from(USERS))
    def leave(self, n, user):
        """A user leaves a group."""
        gid = self.group_id(n)
        if gid is not None:
            self.snapshot = remove_member(self.snapshot, gid, user.id)
        self.sync()

    @rule(user=st.sampled_from(USERS), department=DEPARTMENTS)
    def move(self, user, department):
        """A user changes department."""
        self.snapshot = change_user(self.snapshot, user.id, department=department)
        self.sync()

    @rule(
        user=st.sampled_from(USERS),
        status=st.sampled_from(["active", "suspended", "staged"]),
    )
    def status(self, user, status):
        """A user is activated, suspended or staged."""
        fields = {
            "active": {"activated": True, "suspended": False, "state": "ACTIVATED"},
            "suspended": {"activated": True, "suspended": True, "state": "SUSPENDED"},
            "staged": {"activated": False, "suspended": False, "state": "STAGED"},
        }[status]
        self.snapshot = change_user(self.snapshot, user.id, **fields)
        self.sync()

    @rule(n=pick, name=st.sampled_from(NAMES))
    def rename(self, n, name):
        """A group is renamed (to a name no other group has)."""
        gid = self.group_id(n)
        taken = {g.name.casefold() for g in self.snapshot.groups if g.id != gid}
        if gid is not None and name.casefold() not in taken:
            self.snapshot = rename_group(self.snapshot, gid, name)
        self.sync()

    @rule(n=pick)
    def delete(self, n):
        """A group is deleted."""
        gid = self.group_id(n)
        if gid is not None:
            self.snapshot = delete_group(self.snapshot, gid)
        self.sync()

    @rule(
        members=st.sets(st.sampled_from([u.id for u in USERS]), max_size=4),
        bound=st.booleans(),
    )
    def create(self, members, bound):
        """A group is created, with a name never used before."""
        gid = f"g{self.next_group}"
        self.next_group += 1
        group = team(gid, f"Team {gid}", *sorted(members))
        self.snapshot = create_group(self.snapshot, group, bound=bound)
        self.sync()

    @rule(n=pick, bound=st.booleans())
    def binding(self, n, bound):
        """A group is bound or unbound."""
        gid = self.group_id(n)
        if gid is not None:
            self.snapshot = bind(self.snapshot, gid, bound=bound)
        self.sync()

    @rule()
    def toggle(self):
        """Group management is turned off, or on."""
        self.snapshot = manage_groups(self.snapshot, not self.snapshot.group_management)
        self.sync()


Provisioning.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_provisioning = pytest.mark.rule("G3")(Provisioning.TestCase)
