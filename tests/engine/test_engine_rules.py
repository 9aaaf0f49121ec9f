"""The engine against the emulator, one test per rule (users and groups)."""

from __future__ import annotations

import attrs
import pytest

from engine_helpers import (
    BY_DEPARTMENT,
    assert_converged,
    directory,
    person,
    team,
)

from scim_ninjio.engine import (
    Engine,
    GroupRenamed,
    MembershipAdded,
    MembershipRemoved,
)
from scim_ninjio.ledger import MemoryLedger
from scim_ninjio.models import Email
from scim_ninjio.policy import SyncSettings
from scim_ninjio.testing.emulator import NINJIO_PROFILE


ALICE = person("u1", "alice")
BOB = person("u2", "bob")
CAROL = person("u3", "carol")


def patches_to(requests, resource_id):
    """The PATCH bodies sent to one resource."""
    return [r.json() for r in requests if r.method == "PATCH" and resource_id in r.path]


def operations(bodies):
    """The operations of PATCH bodies, as (op, path) pairs."""
    return [(op["op"], op.get("path")) for body in bodies for op in body["Operations"]]


# --- Users ----------------------------------------------------------------------


@pytest.mark.rule("U1")
def test_u1_only_members_of_bound_groups_are_pushed(rig):
    """U1: a member of a bound group is created; a member of an unbound one is not."""
    snapshot = directory(
        [ALICE, BOB], [team("g1", "Sales", "u1"), team("g2", "Other", "u2")], ["g1"]
    )

    rig.sync(snapshot)

    assert rig.user_names() == {"alice"}
    posts = [r for r in rig.emulator.requests if r.method == "POST"]
    assert [r.json().get("userName") for r in posts if r.path == "/Users"] == ["alice"]
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("U2")
def test_u2_create_maps_every_attribute(rig):
    """U2: an in-scope user without an account is created with the mapped values."""
    rig.sync(directory([ALICE], [team("g1", "Sales", "u1")]))

    account = rig.account("u1")
    assert account.user_name == "alice"
    assert account.active is True
    assert account.emails == (
        Email(value="alice@example.com", type="work", primary=True),
    )
    assert account.external_id == "E-u1"
    assert (account.name.given_name, account.name.family_name) == ("Alice", "Example")
    assert account.title == "Analyst"
    assert rig.ledger.user("u1").origin == "created"


@pytest.mark.rule("U2")
@pytest.mark.parametrize(
    "existing",
    [
        {"userName": "ALICE"},
        {
            "userName": "a.smith",
            "emails": [{"value": "Alice@Example.COM", "type": "work"}],
        },
    ],
    ids=["same-username-other-case", "same-email-other-case"],
)
def test_u2_adopts_an_existing_account_never_duplicates(rig, existing):
    """U2: an account with the same userName or email is adopted and updated."""
    seeded = rig.emulator.add_user(existing)
    snapshot = directory([ALICE], [team("g1", "Sales", "u1")])

    report = rig.sync(snapshot)

    assert len(rig.emulator.users) == 1
    assert report.counts()["user.adopt"] == 1
    assert not [
        r for r in rig.emulator.requests if r.method == "POST" and r.path == "/Users"
    ]
    assert patches_to(rig.emulator.requests, seeded.id), (
        "the adopted account was not updated"
    )
    account = rig.emulator.get_user(seeded.id)
    # userNames compare without case, as NINJIO compares them (U2).
    assert account.user_name.casefold() == "alice"
    assert account.emails[0].value == "alice@example.com"
    link = rig.ledger.user("u1")
    assert (link.ninjio_id, link.origin) == (seeded.id, "adopted")
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("U3")
def test_u3_sends_exactly_the_changed_attributes(rig):
    """U3: one changed attribute is one PATCH operation, for that attribute only."""
    rig.sync(directory([ALICE, BOB], [team("g1", "Sales", "u1", "u2")]))
    before = rig.account("u2")
    mark = rig.mark()

    changed = person("u1", "alice", job_title="Director", lastname=None)
    snapshot = directory([changed, BOB], [team("g1", "Sales", "u1", "u2")])
    report = rig.sync(snapshot)

    writes = rig.writes_since(mark)
    assert [(r.method, r.path) for r in writes] == [
        ("PATCH", f"/Users/{rig.account('u1').id}")
    ]
    assert sorted(operations([writes[0].json()])) == [
        ("remove", "name.familyName"),
        ("replace", "title"),
    ]
    assert report.records[0].rule == "U3"
    account = rig.account("u1")
    assert account.title == "Director"
    assert account.name.family_name is None
    assert rig.account("u2") == before
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("U3")
def test_u3_puts_the_whole_user_where_patch_is_not_supported(new_rig):
    """U3: a server without PATCH gets the changed user as one PUT, nothing lost."""
    rig = new_rig(profile=attrs.evolve(NINJIO_PROFILE, patch=False))
    rig.sync(directory([ALICE, BOB], [team("g1", "Sales", "u1", "u2")]))
    before = rig.account("u2")
    mark = rig.mark()

    changed = person("u1", "alice", job_title="Director", lastname=None)
    snapshot = directory([changed, BOB], [team("g1", "Sales", "u1", "u2")])
    report = rig.sync(snapshot)

    writes = rig.writes_since(mark)
    assert [(r.method, r.path) for r in writes] == [
        ("PUT", f"/Users/{rig.account('u1').id}")
    ]
    assert report.records[0].rule == "U3"
    assert report.records[0].status == "done"
    account = rig.account("u1")
    assert account.title == "Director"
    assert account.name.family_name is None
    assert account.name.given_name == ALICE.firstname
    assert [e.value for e in account.emails] == [ALICE.email]
    assert rig.account("u2") == before
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("U4")
def test_u4_status_follows_jumpcloud_and_staged_users_are_not_pushed(rig):
    """U4: suspended means active=false; staged users are not created."""
    suspended = person("u2", "bob", suspended=True)
    waiting = person("u3", "carol", activated=False, state="STAGED")
    snapshot = directory(
        [ALICE, suspended, waiting], [team("g1", "S", "u1", "u2", "u3")]
    )

    rig.sync(snapshot)

    assert rig.user_names() == {"alice", "bob"}
    assert rig.account("u1").active is True
    assert rig.account("u2").active is False
    assert rig.ledger.user("u3") is None
    assert_converged(rig.engine, snapshot)

    mark = rig.mark()
    back = directory([ALICE, BOB, waiting], [team("g1", "S", "u1", "u2", "u3")])
    report = rig.sync(back)

    assert rig.account("u2").active is True
    assert operations(patches_to(rig.since(mark), rig.account("u2").id)) == [
        ("replace", "active")
    ]
    assert [r.action for r in report.records] == ["user.update"]
    assert_converged(rig.engine, back)


@pytest.mark.rule("U5")
def test_u5_leaving_scope_deactivates_never_deletes(rig):
    """U5: removed from every bound group, or deleted: active=false, no DELETE."""
    rig.sync(directory([ALICE, BOB, CAROL], [team("g1", "Sales", "u1", "u2", "u3")]))
    ids = {jc: rig.account(jc).id for jc in ("u1", "u2", "u3")}
    mark = rig.mark()

    snapshot = directory(
        [ALICE, BOB], [team("g1", "Sales", "u1")]
    )  # bob out, carol gone
    report = rig.sync(snapshot)

    assert {
        r.subject: r.rule for r in report.records if r.action == "user.deactivate"
    } == {
        "bob": "U5",
        "carol": "U5",
    }
    assert rig.emulator.get_user(ids["u2"]).active is False
    assert rig.emulator.get_user(ids["u3"]).active is False
    assert rig.emulator.get_user(ids["u1"]).active is True
    assert len(rig.emulator.users) == 3
    assert not [r for r in rig.since(mark) if r.method == "DELETE"]
    sales = rig.group("g1")
    assert rig.member_names(sales) == {"alice"}
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("U6")
def test_u6_unmanaged_users_and_groups_are_never_changed(rig):
    """U6: NINJIO's own users and groups are neither written nor moved."""
    outsider = rig.emulator.add_user(
        {
            "userName": "zed",
            "active": True,
            "title": "Boss",
            "emails": [{"value": "zed@example.com", "type": "work", "primary": True}],
        }
    )
    club = rig.emulator.add_group(
        {"displayName": "Club", "members": [{"value": outsider.id}]}
    )
    # A NINJIO user in the group the integration takes over stays there (G3).
    rig.emulator.add_group(
        {"displayName": "Sales", "members": [{"value": outsider.id}]}
    )
    first = directory([ALICE, BOB], [team("g1", "Sales", "u1", "u2")])
    rig.sync(first)
    second = directory([ALICE], [team("g1", "Sales", "u1")])
    rig.sync(second)

    assert rig.emulator.get_user(outsider.id).title == "Boss"
    assert rig.emulator.get_user(outsider.id).active is True
    assert rig.emulator.get_group(club.id).members == club.members
    assert outsider.id in {m.value for m in rig.group("g1").members}
    touched = [
        r
        for r in rig.emulator.requests
        if r.method in {"POST", "PUT", "PATCH", "DELETE"}
        and (outsider.id in r.path or club.id in r.path)
    ]
    assert not touched
    assert rig.member_names(rig.group("g1")) == {"alice", "zed"}
    assert_converged(rig.engine, second)


@pytest.mark.rule("U7")
def test_u7_bad_records_are_reported_and_skipped_the_rest_goes_on(rig):
    """U7: no username, a bad email, a duplicate userName: reported, skipped."""
    nameless = person("u3", "x", username=None)
    bad_mail = person("u4", "dora", email="dora at example.com")
    twin_a = person("u5", "eve")
    twin_b = person("u6", "EVE", email="eve2@example.com")
    users = [ALICE, BOB, nameless, bad_mail, twin_a, twin_b]
    snapshot = directory(users, [team("g1", "Sales", *(u.id for u in users))])

    report = rig.sync(snapshot)

    assert rig.user_names() == {"alice", "bob"}
    problems = {p.jumpcloud_id: p for p in report.problems}
    assert set(problems) == {"u3", "u4", "u5", "u6"}
    assert all(p.rule == "U7" and p.reason for p in problems.values())
    assert "email" in problems["u4"].reason.lower()
    assert report.ok
    assert rig.member_names(rig.group("g1")) == {"alice", "bob"}
    assert_converged(rig.engine, snapshot)


# --- Groups -----------------------------------------------------------------------


@pytest.mark.rule("G1")
def test_g1_bound_groups_with_members_are_pushed_empty_ones_are_not(rig):
    """G1: displayName is the group's name; empty and unbound groups stay out."""
    staged_only = person("u3", "carol", activated=False, state="STAGED")
    snapshot = directory(
        [ALICE, BOB, staged_only],
        [
            team("g1", "Sales", "u1", "u2"),
            team("g2", "Empty"),
            team("g3", "Only staged", "u3"),
            team("g4", "Unbound", "u1"),
        ],
        ["g1", "g2", "g3"],
    )

    rig.sync(snapshot)

    pushed = [
        r.json()["displayName"]
        for r in rig.emulator.requests
        if r.method == "POST" and r.path == "/Groups"
    ]
    assert pushed == ["Sales"]
    assert rig.group("g1").display_name == "Sales"
    assert rig.member_names(rig.group("g1")) == {"alice", "bob"}
    assert rig.emulator.find_group("Empty") is None
    assert rig.emulator.find_group("Unbound") is None
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("G2")
def test_g2_takes_over_a_group_of_the_same_name(rig):
    """G2: NINJIO's existing "sales" is managed instead of making a second one."""
    existing = rig.emulator.add_group({"displayName": "SALES"})
    snapshot = directory([ALICE], [team("g1", "Sales", "u1")])

    report = rig.sync(snapshot)

    assert report.counts()["group.take_over"] == 1
    assert rig.emulator.get_group(existing.id).display_name == "Sales"
    assert not [
        r for r in rig.emulator.requests if r.method == "POST" and r.path == "/Groups"
    ]
    assert rig.ledger.group("g1").ninjio_id == existing.id
    assert rig.ledger.group("g1").origin == "taken_over"
    assert rig.member_names(rig.emulator.get_group(existing.id)) == {"alice"}
    assert [g.display_name for g in rig.emulator.groups if not _system(rig, g)] == [
        "Sales"
    ]
    assert_converged(rig.engine, snapshot)


def _system(rig, group):
    return group.id in {g.id for g in rig.emulator.system_groups}


@pytest.mark.rule("G3")
def test_g3_membership_in_chunks_only_managed_members_removed(new_rig):
    """G3: adds and removes go as PATCHes of at most member_chunk_size members."""
    rig = new_rig(settings=SyncSettings(member_chunk_size=2))
    users = [person(f"u{i}", f"user{i}") for i in range(1, 6)]
    outsider = rig.emulator.add_user({"userName": "zed"})
    rig.emulator.add_group(
        {"displayName": "Sales", "members": [{"value": outsider.id}]}
    )
    snapshot = directory(users, [team("g1", "Sales", "u1", "u2", "u3", "u4", "u5")])

    rig.sync(snapshot)

    group = rig.group("g1")
    adds = patches_to(rig.emulator.requests, group.id)
    assert len(adds) == 3
    assert [len(op["value"]) for body in adds for op in body["Operations"]] == [2, 2, 1]
    assert rig.member_names(group) == {
        "user1",
        "user2",
        "user3",
        "user4",
        "user5",
        "zed",
    }

    mark = rig.mark()
    smaller = directory(users, [team("g1", "Sales", "u1", "u2")])
    report = rig.sync(smaller)

    removes = patches_to(rig.since(mark), group.id)
    assert len(removes) == 2  # three members, two to a PATCH
    assert {op for op, _ in operations(removes)} == {"remove"}
    assert rig.member_names(rig.group("g1")) == {"user1", "user2", "zed"}
    assert {r.rule for r in report.records if r.action.startswith("group.")} == {"G3"}
    assert_converged(rig.engine, smaller)


@pytest.mark.rule("G4")
def test_g4_rename_follows_the_ledger_not_the_name(rig):
    """G4: the same NINJIO group is renamed; no group is created or taken over."""
    rig.sync(directory([ALICE], [team("g1", "Sales", "u1")]))
    group_id = rig.group("g1").id
    mark = rig.mark()

    snapshot = directory([ALICE], [team("g1", "Sales EMEA", "u1")])
    report = rig.sync(snapshot)

    assert [(r.action, r.rule) for r in report.records] == [("group.rename", "G4")]
    assert rig.group("g1").id == group_id
    assert rig.emulator.get_group(group_id).display_name == "Sales EMEA"
    writes = rig.writes_since(mark)
    assert [r.path for r in writes] == [f"/Groups/{group_id}"]
    assert rig.emulator.find_group("Sales") is None
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("G4")
def test_g4_a_name_another_ninjio_group_holds_is_reported_not_sent(rig):
    """G4: renaming onto the name of a group NINJIO keeps apart is a problem."""
    rig.sync(directory([ALICE], [team("g1", "Sales", "u1")]))
    theirs = rig.emulator.add_group({"displayName": "EMEA"})
    mark = rig.mark()

    snapshot = directory([ALICE], [team("g1", "Emea", "u1")])
    report = rig.sync(snapshot)

    assert report.ok
    assert not [r for r in rig.writes_since(mark) if r.path.startswith("/Groups")]
    (problem,) = report.problems
    assert (problem.rule, problem.jumpcloud_id) == ("G4", "g1")
    assert "NINJIO already has another group named 'EMEA'" in problem.reason
    assert rig.group("g1").display_name == "Sales"
    assert rig.emulator.get_group(theirs.id) == theirs


@pytest.mark.rule("G4")
def test_g4_a_name_freed_in_the_same_sync_is_taken_after(rig):
    """G4: when one group takes the name another leaves, it renames second."""
    rig.sync(directory([ALICE], [team("g1", "Alpha", "u1"), team("g2", "Beta", "u1")]))
    snapshot = directory([ALICE], [team("g1", "Beta", "u1"), team("g2", "Gamma", "u1")])

    plan = rig.engine.plan(snapshot)
    report = rig.engine.apply(plan)

    renames = [s for s in plan.steps if s.action == "group.rename"]
    assert [s.id for s in renames] == ["group.rename:g2", "group.rename:g1"]
    assert renames[1].depends_on == ("group.rename:g2",)
    assert report.ok
    assert rig.group("g1").display_name == "Beta"
    assert rig.group("g2").display_name == "Gamma"
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("G5")
def test_g5_unbind_leaves_the_group_and_deactivates_unless_kept(rig):
    """G5: the unbound group is left as it is; only users it alone kept go."""
    groups = [team("g1", "Sales", "u1", "u2"), team("g2", "Support", "u2")]
    rig.sync(directory([ALICE, BOB], groups))
    sales = rig.group("g1")
    mark = rig.mark()

    snapshot = directory([ALICE, BOB], groups, ["g2"])
    report = rig.sync(snapshot)

    assert rig.emulator.get_group(sales.id).members == sales.members
    assert not [r for r in rig.writes_since(mark) if sales.id in r.path]
    assert rig.account("u1").active is False  # only Sales kept alice in scope
    assert rig.account("u2").active is True  # Support keeps bob
    deactivated = [r for r in report.records if r.action == "user.deactivate"]
    assert [(r.subject, r.rule) for r in deactivated] == [("alice", "G5")]
    assert rig.ledger.group("g1").managed is False
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("G6")
def test_g6_deleted_group_is_deleted_members_deactivated_unless_kept(rig):
    """G6: DELETE /Groups/{id}; members no other bound group keeps are deactivated."""
    rig.sync(
        directory(
            [ALICE, BOB], [team("g1", "Sales", "u1", "u2"), team("g2", "Support", "u2")]
        )
    )
    sales_id = rig.group("g1").id
    mark = rig.mark()

    snapshot = directory([ALICE, BOB], [team("g2", "Support", "u2")])
    report = rig.sync(snapshot)

    deletes = [r for r in rig.since(mark) if r.method == "DELETE"]
    assert [r.path for r in deletes] == [f"/Groups/{sales_id}"]
    assert all(g.id != sales_id for g in rig.emulator.groups)
    assert rig.ledger.group("g1") is None
    assert rig.account("u1").active is False
    assert rig.account("u2").active is True
    rules = {r.subject: r.rule for r in report.records if r.action == "user.deactivate"}
    assert rules == {"alice": "G6"}
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("G7")
def test_g7_management_off_sends_no_group_request_users_still_move(rig):
    """G7: off, no /Groups request at all; users still created, updated, deactivated."""
    groups = [team("g1", "Sales", "u1", "u2")]
    rig.sync(directory([ALICE, BOB], groups))
    sales = rig.group("g1")
    mark = rig.mark()

    off = directory(
        [person("u1", "alice", job_title="Lead"), BOB, CAROL],
        [team("g1", "Sales Team", "u1", "u3")],
        management=False,
    )
    report = rig.sync(off)

    writes = rig.writes_since(mark)
    assert writes, "users were not pushed"
    assert not [r for r in rig.since(mark) if r.path.startswith("/Groups")]
    assert rig.emulator.get_group(sales.id) == sales
    assert rig.account("u1").title == "Lead"
    assert rig.account("u2").active is False
    assert rig.account("u3").active is True
    assert any("group management is off" in note for note in report.notes)
    assert_converged(rig.engine, off)

    # Turned on again: found through the ledger (renamed, not recreated) ...
    mark = rig.mark()
    on = directory(
        [person("u1", "alice", job_title="Lead"), BOB, CAROL],
        [team("g1", "Sales Team", "u1", "u3")],
    )
    report = rig.sync(on)
    assert rig.group("g1").id == sales.id
    assert not [
        r for r in rig.since(mark) if r.method == "POST" and r.path == "/Groups"
    ]
    assert rig.member_names(rig.group("g1")) == {"alice", "carol"}
    assert {"group.rename", "group.add_members", "group.remove_members"} <= set(
        report.counts()
    )
    assert_converged(rig.engine, on)


@pytest.mark.rule("G7")
def test_g7_events_with_management_off_read_no_group(rig):
    """G7: off, an event that leaves a user out deactivates them, reading no group."""
    rig.sync(directory([ALICE, BOB], [team("g1", "Sales", "u1", "u2")]))
    off = directory([ALICE, BOB], [team("g1", "Sales", "u1")], management=False)
    mark = rig.mark()

    report = rig.engine.handle_event(
        MembershipRemoved(group_id="g1", user_id="u2"), off
    )

    assert report.ok
    assert rig.account("u2").active is False
    assert not [r for r in rig.since(mark) if r.path.startswith("/Groups")]
    assert_converged(rig.engine, off)


@pytest.mark.rule("G7")
def test_g7_turned_on_links_by_name_when_the_ledger_has_none(rig):
    """G7: a group never linked is found by name (G2) when management comes on."""
    existing = rig.emulator.add_group({"displayName": "Sales"})
    rig.sync(directory([ALICE], [team("g1", "Sales", "u1")], management=False))
    assert rig.ledger.group("g1") is None

    snapshot = directory([ALICE], [team("g1", "Sales", "u1")])
    rig.sync(snapshot)

    assert rig.ledger.group("g1").ninjio_id == existing.id
    assert rig.member_names(rig.emulator.get_group(existing.id)) == {"alice"}
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("G8")
def test_g8_an_event_reaches_the_state_of_a_full_reconcile(rig):
    """G8: a membership event is handled alone; a full plan then finds nothing."""
    rig.sync(directory([ALICE, BOB], [team("g1", "Sales", "u1")]))
    after = directory([ALICE, BOB], [team("g1", "Sales", "u1", "u2")])
    mark = rig.mark()

    report = rig.engine.handle_event(
        MembershipAdded(group_id="g1", user_id="u2"), after
    )

    assert report.ok
    # The event reads only what it needs: no full listing of users.
    listings = [
        r
        for r in rig.since(mark)
        if r.method == "GET"
        and r.path in {"/Users", "/Groups"}
        and "filter" not in r.target
    ]
    assert not listings
    assert rig.member_names(rig.group("g1")) == {"alice", "bob"}
    assert_converged(rig.engine, after)


# --- Placement (N1-N4): the plan's prediction is what NINJIO does -------------------


def _assert_placements_predicted(rig, snapshot):
    plan = rig.engine.plan(snapshot)
    rig.engine.apply(plan)
    assert plan.placements
    for jc_id, predicted in plan.placements.items():
        account = rig.account(jc_id)
        shown = rig.emulator.placement_of(account.id)
        assert shown is not None
        assert set(shown.groups) == set(predicted.groups), jc_id
        assert shown.rule == predicted.rule
        # The user's own `groups` and the groups' members in /Groups agree.
        own = {g.display for g in account.groups}
        assert set(predicted.groups) <= own, (jc_id, own)
        for name in predicted.groups:
            group = rig.emulator.find_group(name)
            assert account.id in {m.value for m in group.members}
    assert_converged(rig.engine, snapshot)
    return plan


@pytest.mark.rule("N1")
def test_n1_default_group_holds_everyone(rig):
    """N1: with the default group on, every user lands in it."""
    snapshot = directory(
        [ALICE, person("u2", "bob", department="Sales")],
        [team("g1", "Sales", "u1", "u2")],
    )
    plan = _assert_placements_predicted(rig, snapshot)
    assert {p.rule for p in plan.placements.values()} == {"N1"}
    default = rig.emulator.find_group("Default Group")
    assert rig.member_names(default) == {"alice", "bob"}


@pytest.mark.rule("N2")
def test_n2_departments_become_groups(new_rig):
    """N2: with it off, each department is a NINJIO group holding its people."""
    rig = new_rig(placement=BY_DEPARTMENT)
    snapshot = directory(
        [
            person("u1", "alice", department="Finance"),
            person("u2", "bob", department="Legal"),
        ],
        [team("g1", "Everyone", "u1", "u2")],
    )
    plan = _assert_placements_predicted(rig, snapshot)
    assert {p.rule for p in plan.placements.values()} == {"N2"}
    assert rig.member_names(rig.emulator.find_group("Finance")) == {"alice"}
    assert rig.member_names(rig.emulator.find_group("Legal")) == {"bob"}


@pytest.mark.rule("N3")
def test_n3_no_department_lands_in_the_pushed_groups(new_rig):
    """N3: without a department, a user is placed in the pushed groups holding them."""
    rig = new_rig(placement=BY_DEPARTMENT)
    snapshot = directory(
        [ALICE, BOB], [team("g1", "Sales", "u1", "u2"), team("g2", "Support", "u2")]
    )
    plan = _assert_placements_predicted(rig, snapshot)
    assert plan.placements["u1"].groups == ("Sales",)
    assert plan.placements["u2"].groups == ("Sales", "Support")
    assert {p.rule for p in plan.placements.values()} == {"N3"}


@pytest.mark.rule("N4")
def test_n4_no_department_no_group_is_undefined(new_rig):
    """N4: no department and no pushed group: NINJIO's "Undefined" group."""
    rig = new_rig(placement=BY_DEPARTMENT)
    snapshot = directory([ALICE], [team("g1", "Sales", "u1")], management=False)
    plan = _assert_placements_predicted(rig, snapshot)
    assert plan.placements["u1"].rule == "N4"
    undefined = rig.emulator.find_group("Undefined")
    assert rig.member_names(undefined) == {"alice"}


def test_the_placement_check_sees_a_wrong_prediction(new_rig):
    """The placement check above fails when NINJIO places users elsewhere."""
    rig = new_rig(placement=BY_DEPARTMENT, settings=SyncSettings())  # predicts N1
    with pytest.raises(AssertionError):
        _assert_placements_predicted(rig, directory([ALICE], [team("g1", "S", "u1")]))


@pytest.mark.rule("G5")
def test_g5_bound_again_relinks_through_the_ledger(rig):
    """G5 then G1: a group bound again is found through the ledger, not recreated."""
    groups = [team("g1", "Sales", "u1", "u2")]
    rig.sync(directory([ALICE, BOB], groups))
    sales = rig.group("g1").id
    rig.sync(directory([ALICE, BOB], groups, []))
    mark = rig.mark()

    snapshot = directory([ALICE, BOB], groups)
    report = rig.sync(snapshot)

    assert report.counts().get("group.relink") == 1
    assert not [
        r for r in rig.since(mark) if r.method == "POST" and r.path == "/Groups"
    ]
    assert rig.group("g1").id == sales
    assert rig.account("u1").active is True
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("U2")
def test_u2_an_account_made_between_plan_and_apply_is_adopted(rig):
    """U2: a create that meets an account made meanwhile adopts it and updates it."""
    snapshot = directory([ALICE], [team("g1", "Sales", "u1")])
    plan = rig.engine.plan(snapshot)
    racer = rig.emulator.add_user({"userName": "alice", "title": "Temp"})

    report = rig.engine.apply(plan)

    (created,) = [r for r in report.records if r.action == "user.create"]
    assert (created.event, created.adopted) == ("user.adopted", True)
    assert len(rig.emulator.users) == 1
    assert rig.emulator.get_user(racer.id).title == "Analyst"
    assert rig.ledger.user("u1").origin == "adopted"
    assert_converged(rig.engine, snapshot)


@pytest.mark.rule("G8")
def test_g8_a_managed_group_removed_in_ninjio_is_made_again_by_event(rig):
    """G8: the event finds the linked group gone (404) and creates it again."""
    outsider = rig.emulator.add_user({"userName": "zed"})
    rig.emulator.add_group({"displayName": "Club", "members": [{"value": outsider.id}]})
    rig.sync(directory([ALICE], [team("g1", "Sales", "u1")]))
    rig.client.delete_group(rig.group("g1").id)
    after = directory([ALICE], [team("g1", "Sales Team", "u1")])

    report = rig.engine.handle_event(GroupRenamed(group_id="g1"), after)

    assert report.counts() == {"group.create": 1, "group.add_members": 1}
    assert rig.member_names(rig.group("g1")) == {"alice"}
    assert_converged(rig.engine, after)


@pytest.mark.rule("U5")
def test_a_stored_plan_applied_without_the_links_still_acts(rig):
    """Updates and deactivations of a plan run even when the ledger lost the links."""
    rig.sync(directory([ALICE, BOB], [team("g1", "Sales", "u1", "u2")]))
    changed = person("u1", "alice", job_title="Lead")
    plan = rig.engine.plan(directory([changed, BOB], [team("g1", "Sales", "u1")]))
    forgetful = Engine(rig.client, MemoryLedger(), rig.engine.settings)

    report = forgetful.apply(plan)

    assert report.counts() == {
        "user.update": 1,
        "group.remove_members": 1,
        "user.deactivate": 1,
    }
    assert rig.account("u1").title == "Lead"
    assert rig.account("u2").active is False
    assert forgetful.ledger.state().users == {}
