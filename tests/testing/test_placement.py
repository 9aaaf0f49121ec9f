import pytest

from scim_ninjio._constants import ENTERPRISE_USER
from scim_ninjio.models import User
from scim_ninjio.policy import NinjioSettings
from scim_ninjio.testing.emulator import GENERIC_PROFILE, Emulator


def group_names(emulator, user_id):
    """Return the names of a user's groups, sorted."""
    return sorted(g.display for g in emulator.get_user(user_id).groups)


def department(name):
    """Return the enterprise extension with a department."""
    return {ENTERPRISE_USER: {"department": name}}


@pytest.fixture
def by_department(caller_for):
    """An emulator with the default group off (departments decide)."""
    emulator = Emulator(placement=NinjioSettings(default_group=False))
    return emulator, caller_for(emulator)


class TestDefaultGroup:
    """Rule N1: the default group."""

    @pytest.mark.rule("N1")
    def test_every_user_in_the_default_group(self, call, emulator):
        """N1: with the default group on, every provisioned user lands in it."""
        alice = call.create_user("alice", **department("Sales"))
        bob = call.create_user("bob")

        assert group_names(emulator, alice["id"]) == ["Default Group"]
        assert group_names(emulator, bob["id"]) == ["Default Group"]
        (default,) = emulator.system_groups
        assert default.display_name == "Default Group"
        assert {m.value for m in default.members} == {alice["id"], bob["id"]}
        assert emulator.placement_of(alice["id"]).rule == "N1"

    @pytest.mark.rule("N1")
    def test_default_group_name_configurable(self, caller_for):
        """N1: the default group's name comes from the settings."""
        emulator = Emulator(placement=NinjioSettings(default_group_name="Everyone"))
        alice = caller_for(emulator).create_user("alice")

        assert group_names(emulator, alice["id"]) == ["Everyone"]

    @pytest.mark.rule("N1")
    def test_default_group_visible_in_groups(self, call):
        """N1: NINJIO's default group is listed by /Groups like any other."""
        call.create_user("alice")

        listed = call("GET", "/Groups").json

        assert [g["displayName"] for g in listed["Resources"]] == ["Default Group"]

    @pytest.mark.rule("N1")
    def test_pushed_groups_do_not_move_the_user(self, call, emulator):
        """N1: a pushed group adds to, and does not replace, the default group."""
        alice = call.create_user("alice")

        call.create_group("Engineering", (alice["id"],))

        assert group_names(emulator, alice["id"]) == ["Default Group", "Engineering"]


class TestDepartments:
    """Rule N2: department groups."""

    @pytest.mark.rule("N2")
    def test_department_group(self, by_department):
        """N2: with the default group off, a user lands in their department's group."""
        emulator, call = by_department
        alice = call.create_user("alice", **department("Sales"))
        bob = call.create_user("bob", **department("Sales"))

        assert group_names(emulator, alice["id"]) == ["Sales"]
        (sales,) = emulator.system_groups
        assert {m.value for m in sales.members} == {alice["id"], bob["id"]}
        assert emulator.placement_of(bob["id"]).rule == "N2"

    @pytest.mark.rule("N2")
    def test_department_change_moves_the_user(self, by_department):
        """N2: a new department moves the user out of the old group into the new one."""
        emulator, call = by_department
        alice = call.create_user("alice", **department("Sales"))

        call(
            "PUT",
            f"/Users/{alice['id']}",
            {"userName": "alice", **department("Engineering")},
        )

        assert group_names(emulator, alice["id"]) == ["Engineering"]
        sales = emulator.find_group("Sales")
        assert sales.members == ()

    @pytest.mark.rule("N2")
    def test_department_joins_a_pushed_group_of_that_name(self, by_department):
        """N2: a department named like a pushed group places the user in that group."""
        emulator, call = by_department
        pushed = call.create_group("Sales")

        alice = call.create_user("alice", **department("Sales"))

        assert [g.value for g in emulator.get_user(alice["id"]).groups] == [
            pushed["id"]
        ]
        assert emulator.system_groups == ()

    @pytest.mark.rule("N2")
    def test_blank_department_is_none(self, by_department):
        """N2: a blank department counts as none (N4 applies)."""
        emulator, call = by_department
        alice = call.create_user("alice", **department("  "))

        assert group_names(emulator, alice["id"]) == ["Undefined"]


class TestNoDepartment:
    """Rule N3: the administrator's pushed groups."""

    @pytest.mark.rule("N3")
    def test_pushed_group_places_the_user(self, by_department):
        """N3: a user without department is placed in the pushed group holding them."""
        emulator, call = by_department
        alice = call.create_user("alice")

        call.create_group("Engineering", (alice["id"],))

        assert group_names(emulator, alice["id"]) == ["Engineering"]
        assert emulator.placement_of(alice["id"]).rule == "N3"
        undefined = emulator.find_group("Undefined")
        assert undefined.members == ()

    @pytest.mark.rule("N3")
    def test_several_pushed_groups(self, by_department):
        """N3: every pushed group holding the user counts."""
        emulator, call = by_department
        alice = call.create_user("alice")
        call.create_group("B", (alice["id"],))
        call.create_group("A", (alice["id"],))

        assert emulator.placement_of(alice["id"]).groups == ("A", "B")


class TestUndefined:
    """Rule N4: the Undefined group."""

    @pytest.mark.rule("N4")
    def test_undefined_group(self, by_department):
        """N4: no department and no pushed group: NINJIO's "Undefined" group."""
        emulator, call = by_department
        alice = call.create_user("alice")

        assert group_names(emulator, alice["id"]) == ["Undefined"]
        assert [g.display_name for g in emulator.system_groups] == ["Undefined"]
        assert emulator.placement_of(alice["id"]).rule == "N4"

    @pytest.mark.rule("N4")
    def test_undefined_name_configurable(self, caller_for):
        """N4: the Undefined group's name comes from the settings."""
        emulator = Emulator(
            placement=NinjioSettings(default_group=False, undefined_group_name="Misc")
        )
        alice = caller_for(emulator).create_user("alice")

        assert group_names(emulator, alice["id"]) == ["Misc"]

    @pytest.mark.rule("N4")
    def test_back_to_undefined_when_the_group_goes(self, by_department):
        """N4: when their only pushed group is deleted, users go back to Undefined."""
        emulator, call = by_department
        alice = call.create_user("alice")
        group = call.create_group("Engineering", (alice["id"],))

        call("DELETE", f"/Groups/{group['id']}")

        assert group_names(emulator, alice["id"]) == ["Undefined"]

    @pytest.mark.rule("N4")
    def test_back_to_undefined_when_removed(self, by_department):
        """N4: taken out of their only pushed group by PUT, users go to Undefined."""
        emulator, call = by_department
        alice = call.create_user("alice")
        group = call.create_group("Engineering", (alice["id"],))

        call("PUT", f"/Groups/{group['id']}", {"displayName": "Engineering"})

        assert group_names(emulator, alice["id"]) == ["Undefined"]


class TestPlacementLimits:
    """Whom placement moves, and whom it leaves alone."""

    @pytest.mark.rule("U6")
    def test_seeded_users_are_not_placed(self, by_department):
        """U6: users NINJIO created itself (seeded) are never moved by placement."""
        emulator, call = by_department
        boss = emulator.add_user(User(user_name="boss"))

        call.create_group("Engineering", (boss.id,))

        assert group_names(emulator, boss.id) == ["Engineering"]
        assert emulator.placement_of(boss.id) is None

    def test_client_membership_of_a_system_group_is_kept(self, by_department):
        """Placement takes users out of the groups it put them in, not others."""
        emulator, call = by_department
        alice = call.create_user("alice", **department("Sales"))
        bob = call.create_user("bob", **department("Engineering"))
        sales = emulator.find_group("Sales")
        call(
            "PUT",
            f"/Groups/{sales.id}",
            {
                "displayName": "Sales",
                "members": [{"value": alice["id"]}, {"value": bob["id"]}],
            },
        )

        call("PUT", f"/Users/{bob['id']}", {"userName": "bob", **department("Ops")})

        assert group_names(emulator, bob["id"]) == ["Ops", "Sales"]

    @pytest.mark.rule("N2")
    def test_placement_wins_over_a_client(self, by_department):
        """N2: a client taking a user out of their department's group is undone."""
        emulator, call = by_department
        alice = call.create_user("alice", **department("Sales"))
        sales = emulator.find_group("Sales")

        call("PUT", f"/Groups/{sales.id}", {"displayName": "Sales"})

        assert group_names(emulator, alice["id"]) == ["Sales"]

    def test_deleted_system_group_is_made_again(self, call, emulator):
        """A deleted system group is made again for the users it held."""
        alice = call.create_user("alice")
        (default,) = emulator.system_groups

        call("DELETE", f"/Groups/{default.id}")

        (again,) = emulator.system_groups
        assert again.id != default.id
        assert group_names(emulator, alice["id"]) == ["Default Group"]

    def test_generic_profile_places_nobody(self, caller_for):
        """The generic profile has no placement and no system groups."""
        emulator = Emulator(profile=GENERIC_PROFILE)
        alice = caller_for(emulator).create_user("alice")

        assert emulator.system_groups == ()
        assert emulator.get_user(alice["id"]).groups == ()
        assert emulator.placement_of(alice["id"]) is None

    def test_settings_are_visible(self):
        """The emulator tells its placement settings."""
        settings = NinjioSettings(default_group=False)

        assert Emulator(placement=settings).placement is settings
