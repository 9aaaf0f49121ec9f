"""Tests for the planner: pure decisions over snapshots, rule by rule."""

from __future__ import annotations

import json

import pytest

from hypothesis import given
from hypothesis import strategies as st

from scim_ninjio import _constants
from scim_ninjio._plan import (
    AddMembers,
    AdoptUser,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    NinjioState,
    Plan,
    RemoveMembers,
    RenameGroup,
    TakeOverGroup,
    Targets,
    UpdateUser,
    make_plan,
)
from scim_ninjio.exceptions import ThresholdExceededError, ValidationError
from scim_ninjio.jumpcloud import Directory, SystemUser, UserGroup
from scim_ninjio.ledger import GroupLink, LedgerState, UserLink
from scim_ninjio.models import Email, EnterpriseUser, Group, Member, Name, User
from scim_ninjio.policy import (
    DeactivationThreshold,
    NinjioSettings,
    SyncSettings,
    check_threshold,
)
from scim_ninjio.testing import strategies as sst


SETTINGS = SyncSettings()


def person(uid, name, **extra):
    """An active JumpCloud user."""
    fields = {
        "username": name,
        "email": f"{name}@example.com",
        "firstname": name.title(),
        "lastname": "Example",
        "activated": True,
    }
    fields.update(extra)
    return SystemUser(id=uid, **fields)


def account(nid, name, **extra):
    """The NINJIO account the integration would have made for ``person``."""
    fields = {
        "user_name": name,
        "active": True,
        "emails": (Email(value=f"{name}@example.com", type="work", primary=True),),
        "name": Name(given_name=name.title(), family_name="Example"),
    }
    fields.update(extra)
    return User(id=nid, **fields)


def directory(users, groups=(), bound=None, *, management=True, complete=True):
    """A JumpCloud snapshot; every group is bound unless ``bound`` says."""
    groups = list(groups)
    return Directory(
        users=users,
        groups=groups,
        bound_group_ids=[g.id for g in groups] if bound is None else bound,
        group_management=management,
        complete=complete,
    )


def link(uid, nid, name, **extra):
    """A ledger link for a user."""
    return UserLink(
        jumpcloud_id=uid, ninjio_id=nid, user_name=name, origin="created", **extra
    )


def glink(gid, nid, name, **extra):
    """A ledger link for a group."""
    return GroupLink(
        jumpcloud_id=gid, ninjio_id=nid, display_name=name, origin="created", **extra
    )


EMPTY = NinjioState()
NOTHING = LedgerState()


def plan(directory, ninjio=EMPTY, ledger=NOTHING, settings=SETTINGS, **kw):
    """Plan with the defaults of a first sync."""
    return make_plan(directory, ninjio, ledger, settings, **kw)


def kinds(plan):
    """The step classes of a plan, in order."""
    return [type(s).__name__ for s in plan.steps]


ALICE = person("u1", "alice")
BOB = person("u2", "bob")
SALES = UserGroup(id="g1", name="Sales", member_ids=["u1", "u2"])
SALES_ALICE = UserGroup(id="g1", name="Sales", member_ids=["u1"])


class TestUsers:
    """Users: scope, create, adopt, update, status."""

    @pytest.mark.rule("U1")
    def test_only_members_of_bound_groups_are_in_scope(self):
        """U1: a user in no bound group is not pushed."""
        other = UserGroup(id="g2", name="Unbound", member_ids=["u2"])

        result = plan(directory([ALICE, BOB], [SALES, other], bound=["g1"]))

        created = [s.user_name for s in result.steps if isinstance(s, CreateUser)]
        assert created == ["alice", "bob"]
        result = plan(directory([ALICE, BOB], [other], bound=[]))
        assert result.empty

    @pytest.mark.rule("U2")
    def test_create(self):
        """U2: an in-scope user with no account is created, mapped."""
        result = plan(
            directory([ALICE], [UserGroup(id="g1", name="S", member_ids=["u1"])])
        )

        (step,) = [s for s in result.steps if isinstance(s, CreateUser)]
        assert step.rule == "U2"
        assert step.user.user_name == "alice"
        assert step.user.emails == (
            Email(value="alice@example.com", type="work", primary=True),
        )
        assert step.user.active is True

    @pytest.mark.rule("U2")
    @pytest.mark.parametrize(
        "existing",
        [
            account("n9", "ALICE", emails=()),
            account("n9", "someone-else", emails=(Email(value="Alice@Example.com"),)),
        ],
        ids=["same userName without case", "same email without case"],
    )
    def test_adopt_never_duplicate(self, existing):
        """U2: an account with the same userName or email is adopted, not duplicated."""
        result = plan(
            directory([ALICE], [UserGroup(id="g1", name="S", member_ids=["u1"])]),
            NinjioState(users=(existing,)),
        )

        (step,) = [s for s in result.steps if isinstance(s, AdoptUser | CreateUser)]
        assert isinstance(step, AdoptUser)
        assert step.ninjio_id == "n9"
        assert step.operations  # Brought in line with JumpCloud.

    @pytest.mark.rule("U2")
    def test_account_owned_by_another_user_is_not_adopted(self):
        """U2: an account linked to another JumpCloud user is not adopted."""
        result = plan(
            directory([ALICE], [UserGroup(id="g1", name="S", member_ids=["u1"])]),
            NinjioState(users=(account("n9", "alice"),)),
            LedgerState(users={"u7": link("u7", "n9", "alice")}),
        )

        assert not [s for s in result.steps if isinstance(s, AdoptUser | CreateUser)]
        assert [(p.jumpcloud_id, p.rule) for p in result.problems] == [("u1", "U2")]

    @pytest.mark.rule("U3")
    def test_update_sends_exactly_the_changed_attributes(self):
        """U3: only the changed mapped attributes are sent."""
        changed = person("u1", "alice", job_title="CFO", department="Finance")
        result = plan(
            directory([changed], [UserGroup(id="g1", name="S", member_ids=["u1"])]),
            NinjioState(users=(account("n1", "alice", title="Analyst"),)),
            LedgerState(users={"u1": link("u1", "n1", "alice")}),
        )

        (step,) = [s for s in result.steps if isinstance(s, UpdateUser)]
        assert step.rule == "U3"
        assert [(o.op, o.path, o.value) for o in step.operations] == [
            ("replace", "title", "CFO"),
            ("replace", f"{_constants.ENTERPRISE_USER}:department", "Finance"),
        ]

    @pytest.mark.rule("U3")
    def test_cleared_attribute_is_removed(self):
        """U3: a value cleared in JumpCloud is removed in NINJIO."""
        result = plan(
            directory([ALICE], [UserGroup(id="g1", name="S", member_ids=["u1"])]),
            NinjioState(
                users=(
                    account(
                        "n1",
                        "alice",
                        title="Analyst",
                        enterprise=EnterpriseUser(department="X"),
                    ),
                )
            ),
            LedgerState(users={"u1": link("u1", "n1", "alice")}),
        )

        (step,) = [s for s in result.steps if isinstance(s, UpdateUser)]
        assert [(o.op, o.path) for o in step.operations] == [
            ("remove", "title"),
            ("remove", f"{_constants.ENTERPRISE_USER}:department"),
        ]

    @pytest.mark.rule("U3")
    def test_case_of_username_and_email_is_not_a_change(self):
        """U3: a server that folds case does not look changed on every run."""
        result = plan(
            directory(
                [person("u1", "Alice", email="Alice@Example.com")], [SALES_ALICE]
            ),
            NinjioState(users=(account("n1", "alice"),)),
            LedgerState(users={"u1": link("u1", "n1", "alice")}),
        )

        assert not [s for s in result.steps if isinstance(s, UpdateUser)]

    @pytest.mark.rule("U4")
    @pytest.mark.parametrize(
        ("status", "active"),
        [
            ({"suspended": True}, False),
            ({"state": "SUSPENDED"}, False),
            ({"state": "ACTIVATED", "suspended": True}, True),
        ],
    )
    def test_status(self, status, active):
        """U4: active follows activated-and-not-suspended (or the state)."""
        user = person("u1", "alice", **status)
        result = plan(
            directory([user], [UserGroup(id="g1", name="S", member_ids=["u1"])])
        )

        (step,) = [s for s in result.steps if isinstance(s, CreateUser)]
        assert step.user.active is active

    @pytest.mark.rule("U4")
    def test_suspension_is_a_status_update(self):
        """U4: suspending a managed user sends active=false, naming U4."""
        result = plan(
            directory([person("u1", "alice", suspended=True)], [SALES_ALICE]),
            NinjioState(users=(account("n1", "alice"),)),
            LedgerState(users={"u1": link("u1", "n1", "alice")}),
        )

        (step,) = [s for s in result.steps if isinstance(s, UpdateUser)]
        assert step.rule == "U4"
        assert [(o.path, o.value) for o in step.operations] == [("active", False)]

    @pytest.mark.rule("U4")
    def test_staged_users_are_not_pushed(self):
        """U4: a staged user in a bound group is not created."""
        staged = person("u1", "alice", activated=False, state="STAGED")

        result = plan(
            directory([staged], [UserGroup(id="g1", name="S", member_ids=["u1"])])
        )

        assert not [s for s in result.steps if isinstance(s, CreateUser)]

    @pytest.mark.rule("U1")
    def test_reactivation_names_the_return_to_scope(self):
        """U1: a deactivated user back in a bound group is reactivated."""
        result = plan(
            directory([ALICE], [SALES_ALICE]),
            NinjioState(users=(account("n1", "alice", active=False),)),
            LedgerState(users={"u1": link("u1", "n1", "alice", active=False)}),
        )

        (step,) = [s for s in result.steps if isinstance(s, UpdateUser)]
        assert step.rule == "U1"
        assert [(o.path, o.value) for o in step.operations] == [("active", True)]

    @pytest.mark.rule("U7")
    def test_bad_records_are_reported_and_skipped(self):
        """U7: unmappable users are problems; the rest of the plan goes on."""
        bad = [
            SystemUser(id="u3", email="x@example.com", activated=True),
            person("u4", "dave", email="not an email"),
            person("u5", "Eve"),
            person("u6", "eve"),
        ]
        group = UserGroup(id="g1", name="S", member_ids=["u1", "u3", "u4", "u5", "u6"])

        result = plan(directory([ALICE, *bad], [group]))

        assert {p.jumpcloud_id for p in result.problems} == {"u3", "u4", "u5", "u6"}
        assert all(p.rule == "U7" for p in result.problems)
        assert [s.user_name for s in result.steps if isinstance(s, CreateUser)] == [
            "alice"
        ]
        (add,) = [s for s in result.steps if isinstance(s, AddMembers)]
        assert add.member_jumpcloud_ids == ("u1",)

    @pytest.mark.rule("U7")
    def test_bad_record_of_a_managed_user_is_left_alone(self):
        """U7: a managed user who became unmappable is left as is."""
        broken = person("u1", "alice", email="broken")
        result = plan(
            directory([broken], [SALES_ALICE]),
            NinjioState(
                users=(account("n1", "alice"),),
                groups=(
                    Group(
                        id="ng1", display_name="Sales", members=(Member(value="n1"),)
                    ),
                ),
            ),
            LedgerState(
                users={"u1": link("u1", "n1", "alice")},
                groups={"g1": glink("g1", "ng1", "Sales")},
            ),
        )

        assert result.empty
        assert [p.rule for p in result.problems] == ["U7"]


class TestDeprovision:
    """Users who leave scope (U5, U6, G5, G6)."""

    def managed(self, *, groups=(SALES,), bound=None, users=(ALICE, BOB)):
        """A snapshot where alice and bob are managed members of Sales."""
        return dict(  # noqa: C408 -- keyword names read as the planner's
            ninjio=NinjioState(
                users=(account("n1", "alice"), account("n2", "bob")),
                groups=(
                    Group(
                        id="ng1",
                        display_name="Sales",
                        members=(Member(value="n1"), Member(value="n2")),
                    ),
                ),
            ),
            ledger=LedgerState(
                users={"u1": link("u1", "n1", "alice"), "u2": link("u2", "n2", "bob")},
                groups={"g1": glink("g1", "ng1", "Sales")},
            ),
            directory=directory(list(users), list(groups), bound=bound),
        )

    @pytest.mark.rule("U5")
    def test_removed_from_every_bound_group(self):
        """U5: a user removed from every bound group is deactivated."""
        snap = self.managed(
            groups=(UserGroup(id="g1", name="Sales", member_ids=["u1"]),)
        )

        result = plan(**snap)

        (step,) = [s for s in result.steps if isinstance(s, DeactivateUser)]
        assert step.describe() == (
            "deactivate bob (U5: removed from every bound group (was in 'Sales'))"
        )
        (removal,) = [s for s in result.steps if isinstance(s, RemoveMembers)]
        assert removal.member_ids == ("n2",)
        assert kinds(result)[-1] == "DeactivateUser"  # Deactivations run last.

    @pytest.mark.rule("U5")
    def test_deleted_in_jumpcloud(self):
        """U5: a managed user deleted in JumpCloud is deactivated."""
        snap = self.managed(
            users=(ALICE,),
            groups=(UserGroup(id="g1", name="Sales", member_ids=["u1"]),),
        )

        (step,) = [s for s in plan(**snap).steps if isinstance(s, DeactivateUser)]

        assert step.reason == "deleted in JumpCloud"

    @pytest.mark.rule("U5")
    def test_already_inactive_is_left(self):
        """U5: an account already inactive needs no step."""
        snap = self.managed(
            groups=(UserGroup(id="g1", name="Sales", member_ids=["u1"]),)
        )
        snap["ninjio"] = NinjioState(
            users=(account("n1", "alice"), account("n2", "bob", active=False)),
            groups=snap["ninjio"].groups,
        )

        assert not [s for s in plan(**snap).steps if isinstance(s, DeactivateUser)]

    @pytest.mark.rule("U5")
    def test_incomplete_source_never_deactivates(self):
        """U5: an incomplete source only creates and updates, and says so."""
        snap = self.managed(
            groups=(UserGroup(id="g1", name="Sales", member_ids=["u1"]),)
        )
        snap["directory"] = Directory(
            users=[ALICE],
            groups=[UserGroup(id="g1", name="Sales", member_ids=["u1"])],
            bound_group_ids=["g1"],
            group_management=True,
            complete=False,
        )

        result = plan(**snap)

        assert result.empty
        assert "not read completely" in result.notes[0]
        assert result.complete is False

    @pytest.mark.rule("U6")
    def test_unmanaged_accounts_are_never_changed(self):
        """U6: accounts the integration did not create or adopt are untouched."""
        snap = self.managed()
        outsider = account("n7", "zed", active=True)
        group = snap["ninjio"].groups[0]
        snap["ninjio"] = NinjioState(
            users=(*snap["ninjio"].users, outsider),
            groups=(
                Group(
                    id=group.id,
                    display_name=group.display_name,
                    members=(*group.members, Member(value="n7")),
                ),
            ),
        )

        result = plan(**snap)

        assert result.empty

    @pytest.mark.rule("G5")
    def test_unbound_group(self):
        """G5: unbinding releases the group as it is and deactivates its members."""
        snap = self.managed(bound=[])

        result = plan(**snap)

        assert kinds(result) == ["ReleaseGroup", "DeactivateUser", "DeactivateUser"]
        assert {s.rule for s in result.steps} == {"G5"}
        assert "was unbound" in result.steps[1].reason

    @pytest.mark.rule("G5")
    def test_another_bound_group_keeps_members_in_scope(self):
        """G5: a member of another bound group stays active."""
        keep = UserGroup(id="g2", name="Ops", member_ids=["u1"])
        snap = self.managed(groups=(SALES, keep), bound=["g2"])

        result = plan(**snap)

        deactivated = [
            s.user_name for s in result.steps if isinstance(s, DeactivateUser)
        ]
        assert deactivated == ["bob"]

    @pytest.mark.rule("G6")
    def test_deleted_group(self):
        """G6: a deleted group is deleted; its members deactivated."""
        snap = self.managed(groups=())

        result = plan(**snap)

        assert kinds(result) == ["DeleteGroup", "DeactivateUser", "DeactivateUser"]
        assert [s.rule for s in result.steps] == ["G6", "G6", "G6"]


class TestGroups:
    """Groups: push, take over, rename, memberships (G1-G4, G7)."""

    @pytest.mark.rule("G1")
    def test_empty_groups_are_not_created(self):
        """G1: a bound group with no in-scope member is not created."""
        empty = UserGroup(id="g2", name="Empty", member_ids=[])
        staged = UserGroup(id="g3", name="Staged only", member_ids=["u9"])
        users = [ALICE, person("u9", "stan", activated=False, state="STAGED")]

        result = plan(
            directory(
                users,
                [
                    SALES.__class__(id="g1", name="Sales", member_ids=["u1"]),
                    empty,
                    staged,
                ],
            )
        )

        assert [s.display_name for s in result.steps if isinstance(s, CreateGroup)] == [
            "Sales"
        ]

    @pytest.mark.rule("G2")
    def test_take_over_by_name(self):
        """G2: a NINJIO group of the same name is taken over, not duplicated."""
        existing = Group(id="ng5", display_name="sales")

        result = plan(directory([ALICE, BOB], [SALES]), NinjioState(groups=(existing,)))

        assert "CreateGroup" not in kinds(result)
        (take,) = [s for s in result.steps if isinstance(s, TakeOverGroup)]
        assert take.ninjio_id == "ng5"
        (add,) = [s for s in result.steps if isinstance(s, AddMembers)]
        assert add.ninjio_id == "ng5"
        assert add.depends_on == (take.id,)

    @pytest.mark.rule("G2")
    def test_never_take_over_ninjio_placement_groups(self):
        """G2 with N1/N2: NINJIO's own placement groups are not taken over."""
        named_like_default = UserGroup(id="g1", name="Default Group", member_ids=["u1"])

        result = plan(
            directory([ALICE], [named_like_default]),
            NinjioState(groups=(Group(id="ngd", display_name="Default Group"),)),
        )

        assert not [
            s for s in result.steps if isinstance(s, TakeOverGroup | CreateGroup)
        ]
        assert [p.rule for p in result.problems] == ["G2"]

    @pytest.mark.rule("G4")
    @pytest.mark.parametrize("decoy", [False, True])
    def test_rename_through_the_ledger(self, decoy):
        """G4: a renamed group is renamed through the ledger, not found by name."""
        renamed = UserGroup(id="g1", name="Revenue", member_ids=["u1"])
        linked = Group(id="ng1", display_name="Sales", members=(Member(value="n1"),))
        others = (Group(id="ng9", display_name="Revenue"),) if decoy else ()

        result = plan(
            directory([ALICE], [renamed]),
            NinjioState(users=(account("n1", "alice"),), groups=(linked, *others)),
            LedgerState(
                users={"u1": link("u1", "n1", "alice")},
                groups={"g1": glink("g1", "ng1", "Sales")},
            ),
        )

        if decoy:
            # The group of that name is not taken over, nor its name taken.
            assert result.steps == ()
            assert [(p.rule, p.jumpcloud_id) for p in result.problems] == [("G4", "g1")]
            return
        (step,) = result.steps
        assert isinstance(step, RenameGroup)
        assert (step.ninjio_id, step.old_name, step.display_name) == (
            "ng1",
            "Sales",
            "Revenue",
        )

    @pytest.mark.rule("G3")
    def test_membership_chunks_and_hands_off_unmanaged_members(self):
        """G3: members go in chunks; members the integration does not manage stay."""
        users = [person(f"u{i}", f"user{i}") for i in range(5)]
        group = UserGroup(id="g1", name="Big", member_ids=[u.id for u in users])
        settings = SyncSettings(member_chunk_size=2)

        result = plan(
            directory(users, [group]),
            NinjioState(
                groups=(
                    Group(
                        id="ng1",
                        display_name="Big",
                        members=(Member(value="stranger"),),
                    ),
                )
            ),
            LedgerState(groups={"g1": glink("g1", "ng1", "Big")}),
            settings=settings,
        )

        adds = [s for s in result.steps if isinstance(s, AddMembers)]
        assert [len(s.member_jumpcloud_ids) for s in adds] == [2, 2, 1]
        assert not [s for s in result.steps if isinstance(s, RemoveMembers)]

    @pytest.mark.rule("G7")
    def test_management_off(self):
        """G7: with group management off, no group step; users still go."""
        result = plan(directory([ALICE, BOB], [SALES], management=False))

        assert set(kinds(result)) == {"CreateUser"}
        assert result.group_management is False
        assert "group management is off" in result.notes[0]

    @pytest.mark.rule("G7")
    def test_turned_on_again_relinks_by_ledger(self):
        """G7: a linked group that was released comes back through the ledger."""
        result = plan(
            directory([ALICE], [UserGroup(id="g1", name="Sales", member_ids=["u1"])]),
            NinjioState(
                users=(account("n1", "alice"),),
                groups=(Group(id="ng1", display_name="Sales"),),
            ),
            LedgerState(
                users={"u1": link("u1", "n1", "alice")},
                groups={"g1": glink("g1", "ng1", "Sales", bound=False, managed=False)},
            ),
        )

        assert kinds(result) == ["RelinkGroup", "AddMembers"]
        assert result.steps[1].depends_on == (result.steps[0].id,)


class TestPlacement:
    """The plan predicts where NINJIO places each user (N1-N4)."""

    @pytest.mark.rule("N1")
    def test_default_group(self):
        """N1: with the default group on, everyone lands in it."""
        result = plan(
            directory([ALICE], [UserGroup(id="g1", name="S", member_ids=["u1"])])
        )

        assert result.placements["u1"].groups == ("Default Group",)
        assert result.placements["u1"].rule == "N1"

    @pytest.mark.rule("N2")
    @pytest.mark.rule("N3")
    @pytest.mark.rule("N4")
    def test_departments_groups_undefined(self):
        """N2-N4: department group, else pushed groups, else Undefined."""
        settings = SyncSettings(ninjio=NinjioSettings(default_group=False))
        users = [
            person("u1", "alice", department="Finance"),
            person("u2", "bob"),
            person("u3", "carol"),
        ]
        groups = [
            UserGroup(id="g1", name="Sales", member_ids=["u1", "u2"]),
            UserGroup(id="g2", name="Other", member_ids=["u3"]),
        ]

        with_groups = plan(directory(users, groups), settings=settings)
        without = plan(directory(users, groups, management=False), settings=settings)

        assert with_groups.placements["u1"].groups == ("Finance",)
        assert with_groups.placements["u2"].groups == ("Sales",)
        assert with_groups.placements["u2"].rule == "N3"
        assert without.placements["u2"].groups == ("Undefined",)
        assert without.placements["u2"].rule == "N4"


class TestPlan:
    """The plan as a value."""

    def test_order_is_phases_then_names(self):
        """Users, then groups, then memberships; deterministic within each."""
        result = plan(directory([BOB, ALICE], [SALES]))

        assert kinds(result) == [
            "CreateUser",
            "CreateUser",
            "CreateGroup",
            "AddMembers",
        ]
        assert [s.user_name for s in result.steps[:2]] == ["alice", "bob"]
        assert plan(directory([ALICE, BOB], [SALES])).steps == result.steps

    def test_json_round_trip(self):
        """A plan survives JSON, steps, problems and placements included."""
        snap = TestDeprovision().managed(
            groups=(UserGroup(id="g1", name="Sales", member_ids=["u1"]),)
        )
        snap["directory"] = directory(
            [ALICE, BOB, SystemUser(id="u3", activated=True)],
            [UserGroup(id="g1", name="Sales", member_ids=["u1", "u3"])],
        )
        result = plan(**snap)

        again = Plan.from_json(json.loads(json.dumps(result.to_json())))

        assert again == result
        assert again.explain() == result.explain()

    @pytest.mark.parametrize(
        "document",
        [
            None,
            {},
            {"format": "other"},
            {"format": "scim-ninjio.plan/1", "steps": [{"action": "user.teleport"}]},
        ],
    )
    def test_bad_plan_document(self, document):
        """A document that is not a plan gets a ValidationError."""
        with pytest.raises(ValidationError, match="plan"):
            Plan.from_json(document)

    def test_counts_and_deactivations(self):
        """counts() tallies actions; deactivations counts DeactivateUser steps."""
        snap = TestDeprovision().managed(bound=[])
        result = plan(**snap)

        assert result.counts() == {"group.release": 1, "user.deactivate": 2}
        assert result.deactivations == 2

    @given(sst.directories(max_users=15))
    def test_any_directory_plans_and_round_trips(self, source):
        """Any directory gives a deterministic plan that survives JSON."""
        first = plan(source)

        assert plan(source).steps == first.steps
        assert Plan.from_json(json.loads(json.dumps(first.to_json()))) == first


class TestTargets:
    """Targeted plans (G8) cover only what an event names."""

    @pytest.mark.rule("G8")
    def test_only_targeted_users(self):
        """G8: users outside the targets get no steps."""
        result = plan(
            directory([ALICE, BOB], [SALES]),
            targets=Targets(user_ids=frozenset({"u2"})),
        )

        assert [s.user_name for s in result.steps if isinstance(s, CreateUser)] == [
            "bob"
        ]
        assert result.targeted


class TestThreshold:
    """The deactivation threshold (safety)."""

    @pytest.mark.parametrize(
        ("managed", "limit"), [(0, 5), (10, 5), (100, 10), (10_000, 100)]
    )
    def test_limit(self, managed, limit):
        """The limit is a share of managed users, between a floor and a cap."""
        assert DeactivationThreshold().limit(managed) == limit

    def test_exceeded(self):
        """Too many deactivations raise, with the counts."""
        with pytest.raises(ThresholdExceededError) as info:
            check_threshold(11, 100, DeactivationThreshold())

        assert (info.value.deactivations, info.value.managed, info.value.limit) == (
            11,
            100,
            10,
        )
        assert "nothing was changed" in str(info.value)

    def test_off(self):
        """None turns the threshold off."""
        check_threshold(10**6, 1, None)

    @pytest.mark.parametrize(
        "kwargs", [{"max_count": -1}, {"min_count": -1}, {"max_share": 1.5}]
    )
    def test_bad_settings(self, kwargs):
        """Nonsense thresholds are refused with the setting named."""
        with pytest.raises(ValueError, match="DeactivationThreshold"):
            DeactivationThreshold(**kwargs)

    def test_bad_chunk_size(self):
        """A chunk size below one is refused."""
        with pytest.raises(ValueError, match="member_chunk_size"):
            SyncSettings(member_chunk_size=0)


@given(st.data())
def test_projection_agrees_with_the_mapping(data):
    """The planner's projection of a user equals the mapping's SCIM user."""
    from scim_ninjio._plan._projection import actual_row, desired_row
    from scim_ninjio.mapping import to_scim_user, user_problems

    user = data.draw(sst.system_users())
    if user_problems(user):
        return

    assert actual_row(to_scim_user(user)) == desired_row(user)
