"""Tests for the JumpCloud records, the directory snapshot and its loader."""

import json
import logging
import pathlib
import pickle

from typing import Any

import attrs
import pytest

from hypothesis import given
from hypothesis import strategies as st

from scim_ninjio._sample import ascii_name, sample_directory
from scim_ninjio.exceptions import ValidationError
from scim_ninjio.jumpcloud import (
    DIRECTORY_FORMAT,
    Directory,
    RecordProblem,
    SystemUser,
    UserGroup,
    load_directory,
)
from scim_ninjio.mapping import is_active, is_staged, unmappable_users
from scim_ninjio.testing._directory_strategies import (
    directories,
    directory_documents,
    documents_for,
)


FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def doc(**parts: Any) -> dict[str, Any]:
    """A directory document with defaults for what a test does not set."""
    return {"format": DIRECTORY_FORMAT, "users": [], **parts}


def user(user_id: str = "u1", **fields: Any) -> dict[str, Any]:
    """A user record with a username, plus the given fields."""
    return {"_id": user_id, "username": f"user-{user_id}", **fields}


def group(group_id: str = "g1", *members: str, **fields: Any) -> dict[str, Any]:
    """A group record with a name and the given members and fields."""
    return {
        "id": group_id,
        "name": f"Group {group_id}",
        "members": list(members),
        **fields,
    }


def ids(records: Any) -> list[Any]:
    """The ids of records, in order."""
    return [r.id for r in records]


def paths(error: ValidationError) -> list[str]:
    """The paths of a ValidationError's errors, in order."""
    return [e.path for e in error.errors]


class TestSystemUser:
    """System users."""

    def test_blank_strings_are_absent(self):
        """An empty or blank string for a property means the property is absent."""
        u = SystemUser(id="u1", username="", email="  ", department="\t")

        assert (u.username, u.email, u.department) == (None, None, None)

    def test_blank_id_is_refused(self):
        """A user needs a non-blank id; the error names the field."""
        with pytest.raises(ValueError, match="id must not be blank"):
            SystemUser(id=" ")

    def test_non_string_id_is_refused(self):
        """An id that is not a string is refused with a ValueError, not a TypeError."""
        with pytest.raises(ValueError, match="id must not be blank"):
            SystemUser(id=5)

    def test_to_json_uses_jumpcloud_keys_and_leaves_out_absent_values(self):
        """to_json writes v1 keys (_id, employeeIdentifier) and only set values."""
        u = SystemUser(
            id="u1", employee_identifier="E1", job_title="CTO", suspended=False
        )

        assert u.to_json() == {
            "_id": "u1",
            "employeeIdentifier": "E1",
            "jobTitle": "CTO",
            "suspended": False,
        }


class TestUserGroup:
    """User groups."""

    def test_members_are_sorted_and_unique(self):
        """Member ids are kept sorted, each once."""
        g = UserGroup(id="g1", name="Sales", member_ids=["u3", "u1", "u3"])

        assert g.member_ids == ("u1", "u3")

    def test_members_as_one_string_are_refused(self):
        """A single string for member_ids is refused rather than split into letters."""
        with pytest.raises(TypeError, match="collection of user ids"):
            UserGroup(id="g1", name="Sales", member_ids="u1")

    def test_blank_name_is_refused(self):
        """A group needs a name."""
        with pytest.raises(ValueError, match="name must not be blank"):
            UserGroup(id="g1", name="")


class TestRecordProblem:
    """Record problems."""

    @pytest.mark.parametrize(
        ("kind", "field", "expected"),
        [
            ("user", "$.activated", "$.users[4].activated"),
            ("group", "$.members[1]", "$.groups[4].members[1]"),
            ("binding", "$", "$.bound_groups[4]"),
        ],
    )
    def test_path_locates_the_fault_in_the_document(self, kind, field, expected):
        """The document path joins the record's list, position and field."""
        problem = RecordProblem(kind=kind, record="x", field=field, reason="r", index=4)

        assert problem.path == expected

    def test_str_names_the_record_path_and_reason(self):
        """str() gives the kind, record, path and reason on one line."""
        problem = RecordProblem(
            kind="user", record="u1", field="$._id", reason="is bad", index=0
        )

        assert str(problem) == "user 'u1' at $.users[0]._id: is bad"


class TestDirectory:
    """The directory snapshot built in code."""

    def make(self) -> Directory:
        """Three users and three groups, two bound, given out of order."""
        return Directory(
            users=[SystemUser(id="u2"), SystemUser(id="u1"), SystemUser(id="u3")],
            groups=[
                UserGroup(id="g2", name="B", member_ids=["u1", "u2"]),
                UserGroup(id="g1", name="A", member_ids=["u1"]),
                UserGroup(id="g3", name="C", member_ids=["u3"]),
            ],
            bound_group_ids=["g1", "g2"],
            group_management=True,
        )

    def test_records_are_sorted_by_id(self):
        """Users and groups are kept in id order, whatever order they came in."""
        d = self.make()

        assert ids(d.users) == ["u1", "u2", "u3"]
        assert ids(d.groups) == ["g1", "g2", "g3"]

    def test_equal_whatever_the_order(self):
        """Two snapshots of the same records in another order compare equal."""
        d = self.make()
        shuffled = Directory(
            users=reversed(d.users),
            groups=reversed(d.groups),
            bound_group_ids=d.bound_group_ids,
            group_management=True,
        )

        assert shuffled == d
        assert hash(shuffled) == hash(d)

    def test_lookups(self):
        """Users, groups, a user's groups and a group's members are found by id."""
        d = self.make()

        assert d.find_user("u2") == SystemUser(id="u2")
        assert d.find_group("g3") == UserGroup(id="g3", name="C", member_ids=["u3"])
        assert ids(d.groups_of("u1")) == ["g1", "g2"]
        assert ids(d.members_of("g2")) == ["u1", "u2"]

    def test_lookups_of_unknown_ids(self):
        """An unknown id finds nothing and has no groups or members."""
        d = self.make()

        assert d.find_user("nobody") is None
        assert d.find_group("nothing") is None
        assert d.groups_of("nobody") == ()
        assert d.members_of("nothing") == ()

    @pytest.mark.rule("U1")
    def test_bound_groups_and_their_members(self):
        """U1: bound_groups are the bound ones; bound_member_ids their members."""
        d = self.make()

        assert ids(d.bound_groups) == ["g1", "g2"]
        assert d.bound_member_ids == {"u1", "u2"}

    def test_repeated_ids_are_refused(self):
        """Two users or two groups with one id make an inconsistent directory."""
        with pytest.raises(ValidationError) as info:
            Directory(
                users=[SystemUser(id="u1"), SystemUser(id="u1", username="x")],
                groups=[UserGroup(id="g", name="A"), UserGroup(id="g", name="B")],
            )

        assert info.value.subject == "Directory"
        assert paths(info.value) == ["$.users[1].id", "$.groups[1].id"]

    def test_unknown_member_and_binding_are_refused(self):
        """A member or bound id that names nothing makes it inconsistent."""
        with pytest.raises(ValidationError) as info:
            Directory(
                groups=[UserGroup(id="g1", name="A", member_ids=["ghost"])],
                bound_group_ids=["g9"],
            )

        assert paths(info.value) == ["$.groups[0].member_ids", "$.bound_group_ids"]
        assert "'ghost'" in str(info.value)
        assert "'g9' names no group" in str(info.value)

    def test_bound_ids_as_one_string_are_refused(self):
        """A single string for bound_group_ids is refused with a clear message."""
        with pytest.raises(TypeError, match="collection of group ids"):
            Directory(bound_group_ids="g1")

    def test_pickles(self):
        """A directory pickles with its lookups."""
        d = self.make()

        copy = pickle.loads(pickle.dumps(d))  # noqa: S301 -- our own bytes

        assert copy == d
        assert ids(copy.groups_of("u1")) == ["g1", "g2"]

    def test_evolve_rebuilds_lookups(self):
        """attrs.evolve gives a directory whose lookups see the new records."""
        d = attrs.evolve(
            self.make(),
            bound_group_ids=[],
            users=[SystemUser(id="u1"), SystemUser(id="u9")],
            groups=[],
        )

        assert d.find_user("u9") is not None
        assert d.groups_of("u1") == ()


class TestDocumentFaults:
    """Faults of the whole document."""

    @pytest.mark.parametrize(
        ("data", "fragment"),
        [
            ([], "expected a JSON object, got [] (array)"),
            ("directory", 'got "directory" (string)'),
            (None, "got null"),
        ],
    )
    def test_not_an_object(self, data, fragment):
        """A document that is not a JSON object is refused at $."""
        with pytest.raises(ValidationError) as info:
            Directory.from_json(data, source="dir.json")

        assert info.value.subject == "dir.json"
        assert paths(info.value) == ["$"]
        assert fragment in str(info.value)

    @pytest.mark.parametrize(
        ("value", "fragment"),
        [
            (None, "is missing"),
            ("scim-ninjio.directory/2", "upgrade scim_ninjio"),
            ("jumpcloud", "not a directory document"),
            (1, "1 (number), not a directory document"),
        ],
    )
    def test_wrong_or_missing_format(self, value, fragment):
        """A missing or other format is refused at $.format, saying what to do."""
        data = doc() | ({"format": value} if value is not None else {})
        if value is None:
            del data["format"]

        with pytest.raises(ValidationError) as info:
            Directory.from_json(data)

        assert paths(info.value) == ["$.format"]
        assert fragment in str(info.value)

    @pytest.mark.parametrize(
        ("users", "fragment"),
        [
            ({"_id": "u1"}, "expected an array of system users"),
            ("u1", "expected an array of system users"),
        ],
    )
    def test_users_not_a_list(self, users, fragment):
        """users that is not a list is a document fault."""
        with pytest.raises(ValidationError) as info:
            Directory.from_json(doc(users=users))

        assert paths(info.value) == ["$.users"]
        assert fragment in str(info.value)

    def test_users_missing(self):
        """A document without users is refused, since [] would mean nobody."""
        with pytest.raises(ValidationError, match=r"\$\.users: is missing"):
            Directory.from_json({"format": DIRECTORY_FORMAT})

    def test_every_document_fault_is_listed(self):
        """All top-level faults are reported together, each with its path."""
        data = {
            "format": DIRECTORY_FORMAT,
            "users": [],
            "groups": {},
            "bound_groups": "g1",
            "group_management": "yes",
            "complete": 0,
        }

        with pytest.raises(ValidationError) as info:
            Directory.from_json(data)

        assert paths(info.value) == [
            "$.group_management",
            "$.complete",
            "$.groups",
            "$.bound_groups",
        ]


class TestUsersPage:
    """users given as a whole v1 answer."""

    def test_whole_v1_answer_is_read(self):
        """users may be the whole answer of GET /api/systemusers."""
        page = {"totalCount": 2, "results": [user("u1"), user("u2")]}

        d = Directory.from_json(doc(users=page))

        assert ids(d.users) == ["u1", "u2"]

    def test_page_without_total_is_read(self):
        """Without totalCount, results are read as they are."""
        d = Directory.from_json(doc(users={"results": [user("u1")]}))

        assert ids(d.users) == ["u1"]

    def test_one_page_of_many_is_refused(self):
        """A totalCount above the results means a partial export: refused."""
        page = {"totalCount": 500, "results": [user("u1")]}

        with pytest.raises(ValidationError) as info:
            Directory.from_json(doc(users=page))

        assert paths(info.value) == ["$.users.totalCount"]
        assert "export every page" in str(info.value)

    def test_total_that_is_not_a_number_is_refused(self):
        """A totalCount that is not an integer cannot vouch for the results."""
        page = {"totalCount": "1", "results": [user("u1")]}

        with pytest.raises(ValidationError, match="totalCount"):
            Directory.from_json(doc(users=page))

    def test_results_not_a_list(self):
        """results that is not a list is a document fault."""
        with pytest.raises(ValidationError) as info:
            Directory.from_json(doc(users={"results": {}}))

        assert paths(info.value) == ["$.users.results"]


class TestRecordFaults:
    """Faults of single records, members and bindings."""

    def load(self, **parts: Any) -> Directory:
        """Load a document made of the given parts."""
        return Directory.from_json(doc(**parts))

    def one_problem(self, d: Directory) -> RecordProblem:
        """The one problem of a directory."""
        assert len(d.problems) == 1, d.problems
        return d.problems[0]

    def test_user_that_is_not_an_object(self):
        """A user record that is not an object is skipped by its index."""
        d = self.load(users=[user("u1"), "u2", user("u3")])

        p = self.one_problem(d)
        assert ids(d.users) == ["u1", "u3"]
        assert (p.kind, p.record, p.field, p.path) == ("user", 1, "$", "$.users[1]")
        assert 'got "u2" (string)' in p.reason

    @pytest.mark.parametrize(
        ("record", "fragment"),
        [
            ({"username": "x"}, "is missing"),
            ({"_id": 7}, "got 7 (number)"),
            ({"_id": ""}, 'got "" (string)'),
            ({"_id": None}, "is missing"),
        ],
    )
    def test_user_without_usable_id(self, record, fragment):
        """A user whose _id is missing, blank or not a string is skipped."""
        d = self.load(users=[record, user("u2")])

        p = self.one_problem(d)
        assert ids(d.users) == ["u2"]
        assert (p.record, p.path) == (0, "$.users[0]._id")
        assert fragment in p.reason

    @pytest.mark.parametrize(
        ("field", "key", "value", "fragment"),
        [
            ("activated", "activated", "maybe", "expected true or false"),
            ("suspended", "suspended", 1, "expected true or false, got 1 (number)"),
            ("state", "state", "DELETED", "expected STAGED, ACTIVATED or SUSPENDED"),
            ("state", "state", True, "got True (boolean)"),
            ("username", "username", 42, "expected a string, got 42 (number)"),
            ("employee_identifier", "employeeIdentifier", {}, "got {} (object)"),
            ("job_title", "jobTitle", ["a"], "got ['a'] (array)"),
        ],
    )
    def test_user_property_of_wrong_type(self, field, key, value, fragment):
        """A property of the wrong type skips its record; others load."""
        d = self.load(users=[user("u1", **{key: value}), user("u2")])

        p = self.one_problem(d)
        assert ids(d.users) == ["u2"]
        assert (p.kind, p.record, p.field) == ("user", "u1", f"$.{key}")
        assert fragment in p.reason
        assert p.reason.endswith("the record was skipped")

    def test_all_faults_of_one_user_are_reported(self):
        """Every bad property of a record is reported, not only the first."""
        d = self.load(users=[user("u1", activated="x", state="x")])

        assert [p.field for p in d.problems] == ["$.activated", "$.state"]

    def test_repeated_user_id_keeps_the_first(self):
        """A second user with the same _id is skipped, naming the first."""
        d = self.load(users=[user("u1", email="a@x.org"), user("u1", email="b@x.org")])

        p = self.one_problem(d)
        assert d.find_user("u1").email == "a@x.org"
        assert (p.record, p.path) == ("u1", "$.users[1]._id")
        assert "users[0]" in p.reason

    def test_user_without_username_loads(self):
        """No username is a mapping problem (U7), not a load fault."""
        d = self.load(users=[{"_id": "u1", "username": ""}])

        assert d.problems == ()
        assert d.find_user("u1").username is None

    def test_group_that_is_not_an_object(self):
        """A group record that is not an object is skipped by its index."""
        d = self.load(groups=[["g1"], group("g2")])

        p = self.one_problem(d)
        assert ids(d.groups) == ["g2"]
        assert (p.kind, p.record, p.path) == ("group", 0, "$.groups[0]")

    @pytest.mark.parametrize("record", [{"name": "A"}, {"id": 3, "name": "A"}])
    def test_group_without_usable_id(self, record):
        """A group whose id is missing or not a string is skipped."""
        d = self.load(groups=[record])

        p = self.one_problem(d)
        assert d.groups == ()
        assert p.path == "$.groups[0].id"

    @pytest.mark.parametrize(
        ("name", "fragment"), [(None, "is missing"), ("  ", 'got "  "'), (5, "got 5")]
    )
    def test_group_without_usable_name(self, name, fragment):
        """A group whose name is missing, blank or not a string is skipped."""
        record = {"id": "g1", "members": []} | ({"name": name} if name else {})

        d = self.load(groups=[record, group("g2")])

        p = self.one_problem(d)
        assert ids(d.groups) == ["g2"]
        assert (p.record, p.path) == ("g1", "$.groups[0].name")
        assert fragment in p.reason

    def test_members_not_a_list(self):
        """A group whose members are not a list is skipped."""
        d = self.load(
            users=[user("u1")], groups=[{"id": "g1", "name": "A", "members": "u1"}]
        )

        p = self.one_problem(d)
        assert d.groups == ()
        assert p.path == "$.groups[0].members"

    def test_unknown_member_is_skipped(self):
        """A member naming no user is dropped; the group and others stay."""
        d = self.load(users=[user("u1")], groups=[group("g1", "u1", "ghost")])

        p = self.one_problem(d)
        assert d.find_group("g1").member_ids == ("u1",)
        assert (p.kind, p.record, p.path) == ("group", "g1", "$.groups[0].members[1]")
        assert "'ghost' is not in users" in p.reason
        assert p.reason.endswith("the member was skipped")

    def test_member_that_is_not_a_string(self):
        """A member that is not an id (an object, say) is dropped, not a crash."""
        d = self.load(users=[user("u1")], groups=[group("g1", {"id": "u1"}, "u1")])

        p = self.one_problem(d)
        assert d.find_group("g1").member_ids == ("u1",)
        assert "expected a user id (a string)" in p.reason

    def test_member_of_a_skipped_user_is_reported(self):
        """A member whose user record was skipped is reported too."""
        d = self.load(users=[user("u1", activated="x")], groups=[group("g1", "u1")])

        assert [p.path for p in d.problems] == [
            "$.users[0].activated",
            "$.groups[0].members[0]",
        ]
        assert d.find_group("g1").member_ids == ()

    def test_repeated_group_id_keeps_the_first(self):
        """A second group with the same id is skipped."""
        d = self.load(groups=[group("g1"), {"id": "g1", "name": "Other"}])

        p = self.one_problem(d)
        assert d.find_group("g1").name == "Group g1"
        assert p.path == "$.groups[1].id"

    @pytest.mark.parametrize(
        ("bound", "record", "fragment"),
        [("g9", "g9", "'g9' is not in groups"), (9, 0, "got 9 (number)")],
    )
    def test_binding_to_nothing_is_skipped(self, bound, record, fragment):
        """A bound id naming no group (or not an id) is dropped; others stay."""
        d = self.load(groups=[group("g1")], bound_groups=[bound, "g1"])

        p = self.one_problem(d)
        assert d.bound_group_ids == {"g1"}
        assert (p.kind, p.record, p.path) == ("binding", record, "$.bound_groups[0]")
        assert fragment in p.reason

    @pytest.mark.rule("U5")
    def test_problems_make_the_directory_incomplete(self, caplog):
        """U5: a skipped record marks the snapshot incomplete, and says so."""
        with caplog.at_level(logging.WARNING, logger="scim_ninjio.jumpcloud"):
            d = Directory.from_json(doc(users=[{}]), source="dir.json")

        assert d.complete is False
        assert caplog.messages == [
            (
                "dir.json: skipped 1 faulty records; the directory is incomplete, "
                "so no user will be deactivated until they are fixed"
            )
        ]

    def test_strict_raises_listing_every_problem(self):
        """With strict=True every record fault is raised, each with its path."""
        data = doc(
            users=[user("u1", activated="x"), "bad"],
            groups=[group("g1", "ghost")],
            bound_groups=["g9"],
        )

        with pytest.raises(ValidationError) as info:
            Directory.from_json(data, strict=True, source="dir.json")

        assert info.value.subject == "dir.json"
        assert paths(info.value) == [
            "$.users[0].activated",
            "$.users[1]",
            "$.groups[0].members[0]",
            "$.bound_groups[0]",
        ]
        assert "user 'u1': expected true or false" in info.value.errors[0].reason

    def test_strict_loads_a_clean_document(self):
        """strict=True changes nothing for a document without faults."""
        data = doc(users=[user("u1")])

        assert Directory.from_json(data, strict=True) == Directory.from_json(data)


class TestQuirks:
    """JumpCloud's spellings."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("true", True), ("False", False), (" TRUE ", True), (True, True), ("", None)],
    )
    def test_booleans_as_strings(self, value, expected):
        """Booleans may come as "true"/"false" in any case; blank is absent."""
        d = Directory.from_json(doc(users=[user("u1", activated=value)]))

        assert d.find_user("u1").activated is expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("activated", "ACTIVATED"), ("Staged", "STAGED"), ("", None), (None, None)],
    )
    def test_state_in_any_case(self, value, expected):
        """state is read in any case; blank or null is absent."""
        d = Directory.from_json(doc(users=[user("u1", state=value)]))

        assert d.find_user("u1").state == expected

    def test_blank_and_null_values_are_absent(self):
        """Empty strings and null both mean that a property was not set."""
        d = Directory.from_json(
            doc(users=[user("u1", email="", department=None, jobTitle=" ")])
        )

        u = d.find_user("u1")
        assert (u.email, u.department, u.job_title) == (None, None, None)

    def test_unknown_keys_are_ignored(self):
        """Keys scim_ninjio does not read are ignored at every level."""
        data = doc(
            users=[user("u1", mfa={"configured": True}, created="2024-01-01")],
            groups=[group("g1", "u1", type="user_group")],
            note="exported by hand",
        )

        d = Directory.from_json(data)

        assert d.problems == ()
        assert d.find_user("u1") == SystemUser(id="u1", username="user-u1")

    def test_repeats_in_members_and_bindings_count_once(self):
        """A member or a bound id listed twice counts once, without a problem."""
        data = doc(
            users=[user("u1")],
            groups=[group("g1", "u1", "u1")],
            bound_groups=["g1", "g1"],
        )

        d = Directory.from_json(data)

        assert d.problems == ()
        assert d.find_group("g1").member_ids == ("u1",)
        assert d.bound_group_ids == {"g1"}

    def test_null_members_and_defaults(self):
        """members null is none; absent groups, bindings and flags take defaults."""
        d = Directory.from_json(
            doc(groups=[{"id": "g1", "name": "A", "members": None}])
        )

        assert d.find_group("g1").member_ids == ()
        assert (d.group_management, d.complete, d.bound_group_ids) == (
            False,
            True,
            frozenset(),
        )

    def test_document_may_say_it_is_incomplete(self):
        """complete: false is kept, even without problems."""
        d = Directory.from_json(doc(complete="false", group_management=True))

        assert (d.complete, d.group_management) == (False, True)


class TestLoadDirectory:
    """Loading from files, including the fixtures."""

    def test_good_fixture(self):
        """A JumpCloud-shaped export loads whole, with its statuses and bindings."""
        d = load_directory(FIXTURES / "directory-good.json")

        assert d.problems == ()
        assert d.complete is True
        assert d.group_management is True
        assert len(d.users) == 8
        assert [g.name for g in d.bound_groups] == [
            "Research Team",
            "Engineering Team",
            "Sales EMEA",
        ]
        assert [u.username for u in d.users if not is_active(u)] == [
            "margaret.hamilton",
            "edsger.dijkstra",
        ]
        assert [u.username for u in d.users if is_staged(u)] == ["edsger.dijkstra"]
        assert d.find_user("5f1b2c3d4e5f6a7b8c9d0e04").department is None
        assert d.find_user("5f1b2c3d4e5f6a7b8c9d0e07").lastname == "Müller"

    def test_bad_records_fixture(self):
        """Each bad record is reported, and every good record around it loads."""
        d = load_directory(str(FIXTURES / "directory-bad-records.json"))

        assert [p.path for p in d.problems] == [
            "$.users[1]",
            "$.users[2]._id",
            "$.users[3]._id",
            "$.users[4].activated",
            "$.users[6]._id",
            "$.users[8].state",
            "$.groups[0].members[1]",
            "$.groups[0].members[2]",
            "$.groups[1].name",
            "$.groups[2].members",
            "$.groups[4].id",
            "$.bound_groups[1]",
            "$.bound_groups[3]",
        ]
        assert [u.id[-2:] for u in d.users] == ["01", "06", "07"]
        assert d.find_user("5f1b2c3d4e5f6a7b8c9d0e06").state == "ACTIVATED"
        assert d.find_user("5f1b2c3d4e5f6a7b8c9d0e07").username is None
        assert [(g.name, len(g.member_ids)) for g in d.groups] == [
            ("Research Team", 2),
            ("Contractors", 1),
        ]
        assert [g.name for g in d.bound_groups] == ["Research Team", "Contractors"]
        assert d.group_management is True
        assert d.complete is False

    def test_v1_page_fixture(self):
        """A document whose users are a v1 answer loads."""
        d = load_directory(FIXTURES / "directory-v1-page.json")

        assert len(d.users) == 2
        assert d.bound_member_ids == {u.id for u in d.users}

    def test_not_json(self, tmp_path):
        """A file that is not JSON is a ValidationError naming the file and where."""
        path = tmp_path / "dir.json"
        path.write_text('{"format": ')

        with pytest.raises(ValidationError) as info:
            load_directory(path)

        assert info.value.subject == str(path)
        assert paths(info.value) == ["$"]
        assert "not valid JSON: Expecting value: line 1 column 12" in str(info.value)

    def test_not_utf8(self, tmp_path):
        """Bytes that are not UTF-8 are a ValidationError, not a UnicodeDecodeError."""
        path = tmp_path / "dir.json"
        path.write_bytes(b'{"format": "\xff"}')

        with pytest.raises(ValidationError, match="not valid JSON"):
            load_directory(path)

    def test_missing_file(self, tmp_path):
        """A missing file raises FileNotFoundError, which names it."""
        with pytest.raises(FileNotFoundError, match=r"nothing\.json"):
            load_directory(tmp_path / "nothing.json")

    def test_strict(self):
        """load_directory passes strict on."""
        with pytest.raises(ValidationError) as info:
            load_directory(FIXTURES / "directory-bad-records.json", strict=True)

        assert len(info.value.errors) == 13
        assert info.value.subject.endswith("directory-bad-records.json")


class TestRoundTrip:
    """Writing and reading back."""

    @given(directories(max_users=12, max_bad_batches=2))
    def test_to_json_then_from_json(self, d):
        """from_json(d.to_json()) gives back d, through real JSON text."""
        text = json.dumps(d.to_json())

        assert Directory.from_json(json.loads(text)) == d

    @given(st.data())
    def test_jumpcloud_spellings_read_back(self, data):
        """A document spelled as JumpCloud exports spell it reads back as d."""
        d = data.draw(directories(max_users=12))
        document = data.draw(documents_for(d))

        assert Directory.from_json(document) == d

    @given(directory_documents(max_users=5))
    def test_generated_documents_load_cleanly(self, document):
        """Generated documents load with no problems, complete."""
        d = Directory.from_json(document)

        assert d.problems == ()
        assert d.complete is True

    def test_incomplete_directory_stays_incomplete(self):
        """A directory loaded with problems writes complete: false."""
        d = Directory.from_json(doc(users=[user("u1"), {}]))

        again = Directory.from_json(d.to_json())

        assert again.complete is False
        assert again.users == d.users
        assert again.problems == ()


_json_leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
_json = st.recursive(
    _json_leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_user_keys = st.sampled_from(
    ["_id", "username", "email", "activated", "suspended", "state", "jobTitle"]
)
_ids = st.sampled_from(["u1", "u2", "g1", "g2"])
_records = st.dictionaries(
    _user_keys | st.sampled_from(["id", "name", "members"]),
    _ids | _json_leaves | st.lists(_ids | _json_leaves, max_size=3),
    max_size=5,
)
_documents = st.fixed_dictionaries(
    {},
    optional={
        "format": st.just(DIRECTORY_FORMAT) | _json,
        "users": st.lists(_records | _json, max_size=4) | _json,
        "groups": st.lists(_records | _json, max_size=4) | _json,
        "bound_groups": st.lists(_ids | _json_leaves, max_size=3) | _json,
        "group_management": st.booleans() | _json,
        "complete": st.booleans() | _json,
    },
)


class TestArbitraryInput:
    """Robustness against any JSON."""

    @given(_documents | _json)
    def test_any_json_gives_a_directory_or_a_validation_error(self, data):
        """Any JSON loads as a Directory or raises ValidationError, nothing else."""
        outcome: Directory | ValidationError
        try:
            outcome = Directory.from_json(data)
        except ValidationError as e:
            outcome = e

        if isinstance(outcome, ValidationError):
            assert outcome.errors
            assert all(error.path.startswith("$") for error in outcome.errors)
        else:
            assert outcome.complete is False or not outcome.problems
            again = Directory.from_json(outcome.to_json())
            assert again == attrs.evolve(outcome, problems=())


class TestSample:
    """The sample directory."""

    def test_same_arguments_same_directory(self):
        """The sample directory is the same for the same arguments."""
        assert sample_directory() == sample_directory()
        assert sample_directory(seed=1) != sample_directory()

    def test_default_shape(self):
        """200 users, 10 groups, 8 bound, group management on."""
        d = sample_directory()

        assert (len(d.users), len(d.groups), len(d.bound_groups)) == (200, 10, 8)
        assert d.group_management is True
        assert d.problems == ()

    @pytest.mark.rule("U7")
    @pytest.mark.parametrize(
        ("users", "groups", "seed"), [(200, 10, 0), (50, 3, 7), (1, 1, 2)]
    )
    def test_exactly_one_bad_record_in_scope(self, users, groups, seed):
        """U7: exactly one user cannot be mapped, and they are in a bound group."""
        d = sample_directory(users=users, groups=groups, seed=seed)

        bad = unmappable_users(d.users)

        assert len(bad) == 1
        [bad_id] = bad
        assert bad_id in d.bound_member_ids
        assert is_active(d.find_user(bad_id))

    def test_variety(self):
        """Some users are suspended, some staged, some have no department."""
        d = sample_directory()

        states = [u.state for u in d.users]
        assert states.count("SUSPENDED") == 4
        assert states.count("STAGED") == 4
        assert 5 < sum(u.department is None for u in d.users) < 50
        assert len({u.department for u in d.users}) > 5
        assert all(d.groups_of(u.id) for u in d.users)

    def test_names_and_emails_are_realistic(self):
        """Usernames are first.last in ASCII, and emails follow them."""
        d = sample_directory(users=30)

        for u in d.users:
            assert u.username.startswith(
                f"{ascii_name(u.firstname)}.{ascii_name(u.lastname)}"
            )
        assert sum(u.email == f"{u.username}@example.com" for u in d.users) == 29

    def test_more_groups_than_names(self):
        """Beyond the pool of names, group names get a number."""
        d = sample_directory(users=5, groups=14)

        names = {g.name for g in d.groups}
        assert len(names) == 14
        assert {"All Staff", "All Staff 2", "Engineering Team 2"} <= names

    def test_empty(self):
        """No users or no groups make a small but valid directory."""
        assert sample_directory(users=0, groups=2).users == ()
        assert sample_directory(users=3, groups=0).groups == ()

    def test_negative_sizes_are_refused(self):
        """Negative sizes are refused, naming both."""
        with pytest.raises(ValueError, match="users=-1 and groups=0"):
            sample_directory(users=-1, groups=0)
