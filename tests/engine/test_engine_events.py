"""Events (rule G8): a targeted plan leaves NINJIO as a full reconcile would."""

from __future__ import annotations

import attrs
import pytest

from engine_helpers import (
    BY_DEPARTMENT,
    add_member,
    add_user,
    assert_no_user_deleted,
    bind,
    change_user,
    check_rules,
    create_group,
    delete_group,
    delete_user,
    directory,
    make_rig,
    manage_groups,
    person,
    remove_member,
    rename_group,
    team,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scim_ninjio.engine import (
    GroupBound,
    GroupCreated,
    GroupDeleted,
    GroupManagementChanged,
    GroupRenamed,
    GroupUnbound,
    MembershipAdded,
    MembershipRemoved,
    UserChanged,
    targets_of,
)
from scim_ninjio.policy import NinjioSettings, SyncSettings


def base():
    """Four users; Sales and Support bound, Ops not."""
    return directory(
        [
            person("u1", "alice"),
            person("u2", "bob", department="Sales"),
            person("u3", "carol"),
            person("u4", "dave"),
        ],
        [
            team("g1", "Sales", "u1", "u2"),
            team("g2", "Support", "u2", "u3"),
            team("g3", "Ops", "u4"),
        ],
        ["g1", "g2"],
    )


#: Each event, with the change that JumpCloud made.
CASES = {
    "membership-added": (
        lambda d: add_member(d, "g1", "u3"),
        MembershipAdded(group_id="g1", user_id="u3"),
    ),
    "membership-added-new-user": (
        lambda d: add_member(d, "g1", "u4"),
        MembershipAdded(group_id="g1", user_id="u4"),
    ),
    "membership-removed-last-group": (
        lambda d: remove_member(d, "g1", "u1"),
        MembershipRemoved(group_id="g1", user_id="u1"),
    ),
    "membership-removed-kept": (
        lambda d: remove_member(d, "g2", "u2"),
        MembershipRemoved(group_id="g2", user_id="u2"),
    ),
    "group-created": (
        lambda d: create_group(d, team("g5", "Projects", "u1", "u4")),
        GroupCreated(group_id="g5"),
    ),
    "group-created-unbound": (
        lambda d: create_group(d, team("g5", "Projects", "u4"), bound=False),
        GroupCreated(group_id="g5"),
    ),
    "group-renamed": (
        lambda d: rename_group(d, "g1", "Sales EMEA"),
        GroupRenamed(group_id="g1"),
    ),
    "group-deleted": (lambda d: delete_group(d, "g1"), GroupDeleted(group_id="g1")),
    "group-bound": (lambda d: bind(d, "g3"), GroupBound(group_id="g3")),
    "group-unbound": (
        lambda d: bind(d, "g2", bound=False),
        GroupUnbound(group_id="g2"),
    ),
    "user-changed": (
        lambda d: change_user(d, "u1", job_title="Director", department="Legal"),
        UserChanged(user_id="u1"),
    ),
    "user-suspended": (
        lambda d: change_user(d, "u2", suspended=True),
        UserChanged(user_id="u2"),
    ),
    "user-staged": (
        lambda d: change_user(d, "u3", activated=False, state="STAGED"),
        UserChanged(user_id="u3"),
    ),
    "user-deleted": (lambda d: delete_user(d, "u3"), UserChanged(user_id="u3")),
    "user-created": (
        lambda d: add_member(add_user(d, person("u9", "erin")), "g2", "u9"),
        UserChanged(user_id="u9"),
    ),
    "management-off": (
        lambda d: manage_groups(d, enabled=False),
        GroupManagementChanged(enabled=False),
    ),
}


@pytest.mark.rule("G8")
@pytest.mark.parametrize("placement", [None, BY_DEPARTMENT], ids=["N1", "N2"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_g8_each_event_reaches_the_full_reconcile(new_rig, case, placement):
    """G8: after the event's plan, a full reconcile has nothing left to do."""
    rig = new_rig(placement=placement)
    before = base()
    rig.sync(before)
    change, event = CASES[case]
    after = change(before)

    plan = rig.engine.plan_event(event, after)
    report = rig.engine.apply(plan)

    assert report.ok, report.failures
    assert plan.targeted is (targets_of(event, after) is not None)
    leftover = rig.engine.plan(after)
    assert leftover.empty, leftover.explain()
    check_rules(rig, after, {})


@pytest.mark.rule("G8")
def test_g8_management_back_on_relinks_by_event(rig):
    """G8 and G7: switching management on by event re-links and resyncs groups."""
    off = manage_groups(base(), enabled=False)
    rig.sync(base())
    rig.sync(off)
    on = remove_member(off, "g1", "u1")
    on = manage_groups(on, enabled=True)

    rig.engine.handle_event(GroupManagementChanged(enabled=True), on)

    assert rig.engine.plan(on).empty
    assert rig.member_names(rig.group("g1")) == {"bob"}


@pytest.mark.rule("G8")
@pytest.mark.parametrize(
    ("change", "event"),
    [
        (delete_group, GroupDeleted),
        (lambda d, g: bind(d, g, bound=False), GroupUnbound),
    ],
    ids=["deleted", "unbound"],
)
def test_g8_members_of_a_group_never_pushed_still_leave(rig, change, event):
    """G8 with G7 off: NINJIO holds no group, yet the group's members leave scope."""
    before = manage_groups(base(), enabled=False)
    rig.sync(before)
    after = change(before, "g1")

    report = rig.engine.handle_event(event(group_id="g1"), after)

    assert [(r.subject, r.action) for r in report.records] == [
        ("alice", "user.deactivate")
    ]
    assert rig.account("u1").active is False
    assert rig.engine.plan(after).empty


@pytest.mark.rule("G8")
def test_g8_an_event_plans_only_its_records(rig):
    """G8: unrelated drift waits for the next full reconcile."""
    rig.sync(base())
    after = change_user(base(), "u3", job_title="Elsewhere")

    plan = rig.engine.plan_event(MembershipAdded(group_id="g1", user_id="u1"), after)

    assert plan.targeted
    assert plan.empty  # alice was already in Sales; carol is not named


# --- The same, as a property ---------------------------------

_USERS = [
    person(f"u{i}", f"user{i}", department=d)
    for i, d in enumerate(["Sales", None, "Legal", None, None, "Sales"])
]
_NAMES = ["Alpha", "Beta", "Gamma", "Delta"]


@st.composite
def snapshots(draw):
    """A small directory: six users, up to four groups, some bound."""
    groups = []
    for index in range(draw(st.integers(1, 4))):
        members = draw(st.sets(st.sampled_from([u.id for u in _USERS]), max_size=4))
        groups.append(team(f"g{index}", _NAMES[index], *sorted(members)))
    bound = draw(st.sets(st.sampled_from([g.id for g in groups])))
    suspended = draw(st.sets(st.sampled_from([u.id for u in _USERS]), max_size=2))
    users = [attrs.evolve(u, suspended=u.id in suspended) for u in _USERS]
    return directory(users, groups, sorted(bound), management=draw(st.booleans()))


@st.composite
def changes(draw, snapshot):
    """One change in JumpCloud, and the event that tells of it."""
    users = [u.id for u in snapshot.users]
    groups = [g.id for g in snapshot.groups]
    kind = draw(st.sampled_from(sorted(_KINDS)))
    return _KINDS[kind](draw, snapshot, users, groups)


def _added(draw, d, users, groups):
    gid, uid = draw(st.sampled_from(groups)), draw(st.sampled_from(users))
    return add_member(d, gid, uid), MembershipAdded(group_id=gid, user_id=uid)


def _removed(draw, d, users, groups):
    gid, uid = draw(st.sampled_from(groups)), draw(st.sampled_from(users))
    return remove_member(d, gid, uid), MembershipRemoved(group_id=gid, user_id=uid)


def _renamed(draw, d, users, groups):
    gid = draw(st.sampled_from(groups))
    taken = {g.name.casefold() for g in d.groups if g.id != gid}
    name = draw(
        st.sampled_from(["Epsilon", "Zeta", "ALPHA"]).filter(
            lambda n: n.casefold() not in taken
        )
    )
    return rename_group(d, gid, name), GroupRenamed(group_id=gid)


def _deleted(draw, d, users, groups):
    gid = draw(st.sampled_from(groups))
    return delete_group(d, gid), GroupDeleted(group_id=gid)


def _bound(draw, d, users, groups):
    gid = draw(st.sampled_from(groups))
    return bind(d, gid), GroupBound(group_id=gid)


def _unbound(draw, d, users, groups):
    gid = draw(st.sampled_from(groups))
    return bind(d, gid, bound=False), GroupUnbound(group_id=gid)


def _created(draw, d, users, groups):
    members = draw(st.sets(st.sampled_from(users), max_size=3))
    new = team("g9", "Omega", *sorted(members))
    return create_group(d, new, bound=draw(st.booleans())), GroupCreated(group_id="g9")


def _user_changed(draw, d, users, groups):
    uid = draw(st.sampled_from(users))
    fields = draw(
        st.sampled_from(
            [
                {"job_title": "Director"},
                {"department": "Finance"},
                {"department": None},
                {"suspended": True},
                {"suspended": False},
                {"activated": False, "state": "STAGED"},
                {"email": f"new.{uid}@example.com"},
            ]
        )
    )
    if draw(st.booleans()) and len(users) > 1:
        return delete_user(d, uid), UserChanged(user_id=uid)
    return change_user(d, uid, **fields), UserChanged(user_id=uid)


def _management(draw, d, users, groups):
    enabled = not d.group_management
    return manage_groups(d, enabled), GroupManagementChanged(enabled=enabled)


_KINDS = {
    "added": _added,
    "removed": _removed,
    "renamed": _renamed,
    "deleted": _deleted,
    "bound": _bound,
    "unbound": _unbound,
    "created": _created,
    "user": _user_changed,
    "management": _management,
}


@pytest.mark.rule("G8")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), by_department=st.booleans())
def test_g8_property_event_outcome_equals_full_reconcile(data, by_department):
    """G8, for any small directory and any one change: nothing is left to plan."""
    placement = BY_DEPARTMENT if by_department else NinjioSettings()
    rig = make_rig(
        placement=placement, settings=SyncSettings(ninjio=placement, threshold=None)
    )
    try:
        _event_reaches_full_reconcile(rig, data)
    finally:
        rig.client.close()


def _event_reaches_full_reconcile(rig, data):
    before = data.draw(snapshots(), label="before")
    first = rig.sync(before)
    assert first.ok, first.failures
    after, event = data.draw(changes(before), label="change")

    report = rig.engine.handle_event(event, after)

    assert report.ok, report.failures
    leftover = rig.engine.plan(after)
    assert leftover.empty, (event, leftover.explain())
    check_rules(rig, after, {})
    assert_no_user_deleted(rig.emulator)
