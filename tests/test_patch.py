"""Tests for PATCH: the applier, the differ and membership chunks."""

from __future__ import annotations

import copy
import json

from typing import Any

import pytest

from hypothesis import assume, given
from hypothesis import strategies as st

from samples import load_sample
from scim_ninjio import _constants, decode, encode
from scim_ninjio._filter import parse_path
from scim_ninjio._patch import apply, diff, member_operations
from scim_ninjio._schema import resource_schema
from scim_ninjio.exceptions import (
    ConfigurationError,
    InvalidPathError,
    InvalidSyntaxError,
    InvalidValueError,
    MutabilityError,
    NoTargetError,
    ScimError,
)
from scim_ninjio.models import PatchOp, PatchOperation
from scim_ninjio.testing import strategies as sst


USER = resource_schema("User")
GROUP = resource_schema("Group")
CORE = _constants.USER
ENTERPRISE = _constants.ENTERPRISE_USER
BABS = "2819c223-7f76-453a-919d-413861904646"
MANDY = "902c246b-6245-4190-8e05-00816be7344a"


def op(name: str, path: str | None = None, value: Any = None) -> PatchOperation:
    """Build one operation."""
    return PatchOperation(op=name, path=path, value=value)  # type: ignore[arg-type] # any name, on purpose


def rfc_operations(name: str) -> tuple[PatchOperation, ...]:
    """Decode an RFC 7644 PATCH example into its operations."""
    return decode(load_sample(name), PatchOp).operations


@pytest.fixture
def bjensen() -> dict[str, Any]:
    """The full User of RFC 7643 section 8.2."""
    return load_sample("rfc7643-8.2-user-full")  # type: ignore[no-any-return] # JSON


@pytest.fixture
def enterprise() -> dict[str, Any]:
    """The enterprise User of RFC 7643 section 8.3."""
    return load_sample("rfc7643-8.3-enterprise_user")  # type: ignore[no-any-return] # JSON


@pytest.fixture
def group() -> dict[str, Any]:
    """The Group of RFC 7643 section 8.4."""
    return load_sample("rfc7643-8.4-group")  # type: ignore[no-any-return] # JSON


def member_ids(doc: dict[str, Any]) -> list[str]:
    """Return the ids of a group's members, in order."""
    return [m["value"] for m in doc.get("members", [])]


class TestRfcExamples:
    """Every PATCH example of RFC 7644 section 3.5.2 gives the RFC's result."""

    def test_add_emails(self):
        """3.5.2.1: add without path appends emails and sets nickName."""
        user = load_sample("rfc7643-8.1-user-minimal")

        found = apply(user, rfc_operations("rfc7644-3.5.2.1-patch_op-add_emails"), USER)

        assert found["emails"] == [{"value": "babs@jensen.org", "type": "home"}]
        assert found["nickName"] == "Babs"
        assert "nickname" not in found
        assert found["userName"] == user["userName"]

    def test_add_emails_already_there(self, bjensen):
        """3.5.2.1: adding a value that is already there changes nothing."""
        found = apply(
            bjensen, rfc_operations("rfc7644-3.5.2.1-patch_op-add_emails"), USER
        )

        assert found == bjensen

    def test_add_members(self, group):
        """3.5.2.1: add with path members appends the new member."""
        empty = {k: v for k, v in group.items() if k != "members"}

        found = apply(
            empty, rfc_operations("rfc7644-3.5.2.1-patch_op-add_members"), GROUP
        )

        assert found["members"] == [
            {
                "display": "Babs Jensen",
                "$ref": "https://example.com/v2/Users/2819c223...413861904646",
                "value": BABS,
            }
        ]

    def test_add_member_already_there(self, group):
        """3.5.2.1: a member already in the group is not added again."""
        found = apply(
            group, rfc_operations("rfc7644-3.5.2.1-patch_op-add_members"), GROUP
        )

        assert found == group

    def test_remove_one_member(self, group):
        """3.5.2.2: remove members[value eq "id"] removes that member."""
        group["members"][0]["value"] = "2819c223-7f76-...413861904646"

        found = apply(
            group, rfc_operations("rfc7644-3.5.2.2-patch_op-remove_one_member"), GROUP
        )

        assert member_ids(found) == [MANDY]

    def test_remove_all_members(self, group):
        """3.5.2.2: remove members removes them all."""
        found = apply(
            group, rfc_operations("rfc7644-3.5.2.2-patch_op-remove_all_members"), GROUP
        )

        assert "members" not in found
        assert found["displayName"] == "Tour Guides"

    def test_remove_multi_complex_value(self, enterprise):
        """3.5.2.2: a filter on sub-attributes removes the matching emails."""
        found = apply(
            enterprise,
            rfc_operations("rfc7644-3.5.2.2-patch_op-remove_multi_complex_value"),
            USER,
        )

        assert found["emails"] == [{"value": "babs@jensen.org", "type": "home"}]

    def test_remove_and_add_one_member(self, group):
        """3.5.2.2: remove one member (filter without a space) and add another."""
        group["members"][0]["value"] = "2819c223...919d-413861904646"

        found = apply(
            group,
            rfc_operations("rfc7644-3.5.2.2-patch_op-remove_and_add_one_member"),
            GROUP,
        )

        assert member_ids(found) == [MANDY, "08e1d05d...473d93df9210"]

    def test_replace_all_members(self, group):
        """3.5.2.3: remove members then add gives exactly the new members."""
        found = apply(
            group, rfc_operations("rfc7644-3.5.2.3-patch_op-replace_all_members"), GROUP
        )

        assert member_ids(found) == [BABS, "08e1d05d-121c-4561-8b96-473d93df9210"]
        assert found["members"][1]["display"] == "James Smith"

    def test_replace_all_email_values(self, bjensen):
        """3.5.2.3: replace without path replaces emails whole."""
        bjensen["emails"] = [{"value": "old@example.com", "type": "other"}]
        bjensen["nickName"] = "Barb"

        found = apply(
            bjensen,
            rfc_operations("rfc7644-3.5.2.3-patch_op-replace_all_email_values"),
            USER,
        )

        assert found["emails"] == [
            {"value": "bjensen@example.com", "type": "work", "primary": True},
            {"value": "babs@jensen.org", "type": "home"},
        ]
        assert found["nickName"] == "Babs"

    def test_replace_user_work_address(self, bjensen):
        """3.5.2.3: replace addresses[type eq "work"] replaces that address."""
        operations = rfc_operations(
            "rfc7644-3.5.2.3-patch_op-replace_user_work_address"
        )

        found = apply(bjensen, operations, USER)

        assert found["addresses"][0] == operations[0].value
        assert found["addresses"][1] == bjensen["addresses"][1]

    def test_replace_street_address(self, bjensen):
        """3.5.2.3: replace addresses[type eq "work"].streetAddress sets it alone."""
        found = apply(
            bjensen,
            rfc_operations("rfc7644-3.5.2.3-patch_op-replace_street_address"),
            USER,
        )

        expected = dict(bjensen["addresses"][0], streetAddress="1010 Broadway Ave")
        assert found["addresses"] == [expected, bjensen["addresses"][1]]


class TestAdd:
    """add, with and without path (RFC 7644, 3.5.2.1)."""

    def test_single_valued(self):
        """add sets a single-valued attribute, replacing its value."""
        found = apply({"title": "a"}, [op("add", "title", "b")], USER)

        assert found == {"title": "b"}

    def test_canonical_name(self):
        """An attribute named in another case is written in the schema's case."""
        found = apply({"displayName": "a"}, [op("add", "DisplayName", "b")], USER)

        assert found == {"displayName": "b"}

    def test_complex_merges(self):
        """add to a complex attribute sets the sub-attributes given, keeps others."""
        doc = {"name": {"givenName": "B", "familyName": "J"}}

        found = apply(doc, [op("add", "name", {"GivenName": "Babs"})], USER)

        assert found["name"] == {"givenName": "Babs", "familyName": "J"}

    def test_sub_attribute(self):
        """add name.givenName creates name when absent."""
        found = apply({}, [op("add", "name.givenName", "Babs")], USER)

        assert found == {"name": {"givenName": "Babs"}}

    def test_single_object_for_multi_valued(self):
        """One object given for a multi-valued attribute is one value."""
        found = apply({}, [op("add", "emails", {"value": "a@x.com"})], USER)

        assert found["emails"] == [{"value": "a@x.com"}]

    def test_new_primary_demotes_the_old(self):
        """Adding a primary value makes the other values not primary."""
        doc = {"emails": [{"value": "a@x.com", "primary": True}]}

        found = apply(
            doc, [op("add", "emails", [{"value": "b@x.com", "primary": True}])], USER
        )

        assert found["emails"] == [
            {"value": "a@x.com", "primary": False},
            {"value": "b@x.com", "primary": True},
        ]

    def test_nulls_in_values_are_dropped(self):
        """A sub-attribute given as null is left out."""
        found = apply({}, [op("add", "emails", [{"value": "a", "type": None}])], USER)

        assert found["emails"] == [{"value": "a"}]

    def test_through_filter(self):
        """add through a value filter sets the sub-attribute of matching values."""
        doc = {"emails": [{"value": "a", "type": "work"}, {"value": "b"}]}

        found = apply(doc, [op("add", 'emails[type eq "work"].display', "A")], USER)

        assert found["emails"][0] == {"value": "a", "type": "work", "display": "A"}

    def test_through_filter_merges(self):
        """add through a value filter without sub-attribute merges the object."""
        doc = {"emails": [{"value": "a", "type": "work"}]}

        found = apply(
            doc, [op("add", 'emails[type eq "work"]', {"display": "A"})], USER
        )

        assert found["emails"] == [{"value": "a", "type": "work", "display": "A"}]

    def test_through_unmatched_filter_creates(self):
        """add emails[type eq "work"].value with no work email adds one (Entra)."""
        found = apply({}, [op("add", 'emails[type eq "work"].value', "w@x.com")], USER)

        assert found["emails"] == [{"type": "work", "value": "w@x.com"}]

    def test_through_unmatched_filter_with_object(self):
        """An unmatched add filter with an object value adds the merged value."""
        found = apply(
            {"emails": [{"value": "h", "type": "home"}]},
            [op("add", 'emails[type eq "work" and primary eq true]', {"value": "w"})],
            USER,
        )

        assert found["emails"][1] == {"type": "work", "primary": True, "value": "w"}

    def test_unmatched_filter_that_pins_nothing(self):
        """An unmatched add filter that is not eq terms matches no target."""
        with pytest.raises(NoTargetError, match="matched no value of emails"):
            apply({}, [op("add", 'emails[type co "w"].value', "x")], USER)

    def test_unknown_attribute_kept(self):
        """An attribute the schema does not know is kept as given."""
        found = apply({"badges": ["a"]}, [op("add", "badges", ["a", "b"])], USER)

        assert found == {"badges": ["a", "b"]}

    def test_unknown_sub_attribute_kept(self):
        """A sub-attribute the schema does not know is kept as given."""
        found = apply({"name": {"givenName": "B"}}, [op("add", "name.nick", "x")], USER)

        assert found == {"name": {"givenName": "B", "nick": "x"}}

    def test_unknown_attribute_sub_path(self):
        """An unknown attribute takes a sub-attribute path as an object."""
        found = apply({}, [op("add", "badge.level", 3)], USER)

        assert found == {"badge": {"level": 3}}

    def test_unknown_scalar_has_no_sub_attribute(self):
        """A sub-attribute of an unknown scalar is an invalid value."""
        with pytest.raises(InvalidValueError, match="badge is not complex"):
            apply({"badge": "gold"}, [op("add", "badge.level", 3)], USER)

    def test_unknown_attribute_list_sub_path(self):
        """A sub-attribute path into an unknown list sets it in every object."""
        found = apply(
            {"badges": [{"a": 1}, {"a": 2}]}, [op("add", "badges.b", 0)], USER
        )

        assert found == {"badges": [{"a": 1, "b": 0}, {"a": 2, "b": 0}]}

    def test_sub_attribute_of_every_value(self):
        """A sub-attribute path into a multi-valued attribute sets every value."""
        doc = {"emails": [{"value": "a"}, {"value": "b"}]}

        found = apply(doc, [op("replace", "emails.type", "work")], USER)

        assert [e["type"] for e in found["emails"]] == ["work", "work"]

    def test_sub_attribute_of_no_value(self):
        """A sub-attribute path into an empty multi-valued attribute has no target."""
        with pytest.raises(NoTargetError, match="emails has no value"):
            apply({}, [op("replace", "emails.type", "work")], USER)


class TestReplace:
    """replace, with and without path (RFC 7644, 3.5.2.3)."""

    def test_missing_attribute_is_added(self):
        """replace of a missing attribute behaves as add."""
        found = apply({}, [op("replace", "title", "Boss")], USER)

        assert found == {"title": "Boss"}

    def test_multi_valued_replaced_whole(self):
        """replace of a multi-valued attribute replaces all its values."""
        doc = {"emails": [{"value": "a"}, {"value": "b"}]}

        found = apply(doc, [op("replace", "emails", [{"value": "c"}])], USER)

        assert found["emails"] == [{"value": "c"}]

    def test_complex_merges(self):
        """replace of a complex attribute leaves unnamed sub-attributes (3.5.2.3)."""
        doc = {"name": {"givenName": "B", "familyName": "J"}}

        found = apply(doc, [op("replace", "name", {"givenName": "Babs"})], USER)

        assert found["name"] == {"givenName": "Babs", "familyName": "J"}

    def test_null_removes(self):
        """replace with null removes the attribute."""
        found = apply(
            {"title": "a", "emails": [{"value": "x"}]}, [op("replace", "title")], USER
        )

        assert found == {"emails": [{"value": "x"}]}

    def test_empty_list_removes(self):
        """replace members [] removes every member (Okta's push of an empty group)."""
        found = apply(
            {"members": [{"value": "a"}]}, [op("replace", "members", [])], GROUP
        )

        assert found == {}

    def test_without_path(self):
        """replace without path replaces each attribute of the value."""
        doc = {"userName": "a", "title": "t"}

        found = apply(
            doc, [op("replace", None, {"USERNAME": "b", "active": False})], USER
        )

        assert found == {"userName": "b", "title": "t", "active": False}

    def test_filter_matching_nothing(self):
        """replace through a filter that matches nothing has no target."""
        doc = {"emails": [{"value": "a", "type": "home"}]}

        with pytest.raises(NoTargetError) as caught:
            apply(doc, [op("replace", 'emails[type eq "work"].value', "b")], USER)

        assert caught.value.detail == (
            "Operations[0] (replace 'emails[type eq \"work\"].value'): the value "
            'filter [type eq "work"] matched no value of emails'
        )

    def test_filter_replaces_matching_values(self):
        """replace through a filter replaces every matching value whole."""
        doc = {
            "emails": [{"value": "a", "type": "work"}, {"value": "b", "type": "home"}]
        }

        found = apply(
            doc, [op("replace", 'emails[type eq "work"]', {"value": "c"})], USER
        )

        assert found["emails"] == [{"value": "c"}, {"value": "b", "type": "home"}]

    def test_filter_sets_primary(self):
        """Setting primary through a filter demotes the other values."""
        doc = {"emails": [{"value": "a", "primary": True}, {"value": "b"}]}

        found = apply(doc, [op("replace", 'emails[value eq "b"].primary', True)], USER)

        assert found["emails"] == [
            {"value": "a", "primary": False},
            {"value": "b", "primary": True},
        ]

    def test_filter_value_made_primary(self):
        """A value replaced as primary through a filter demotes the others."""
        doc = {"emails": [{"value": "a", "primary": True}, {"value": "b"}]}

        found = apply(
            doc,
            [op("replace", 'emails[value eq "b"]', {"value": "b", "primary": True})],
            USER,
        )

        assert found["emails"][0] == {"value": "a", "primary": False}

    def test_two_primaries_through_filter(self):
        """A filter matching two values cannot make both primary."""
        doc = {"emails": [{"value": "a"}, {"value": "b"}]}

        with pytest.raises(InvalidValueError, match="at most one value of emails"):
            apply(doc, [op("replace", "emails[value pr].primary", True)], USER)
        with pytest.raises(InvalidValueError, match="at most one value of emails"):
            apply(doc, [op("replace", "emails[value pr]", {"primary": True})], USER)

    def test_two_primaries_in_a_value(self):
        """A value with two primary values is invalid."""
        values = [{"value": "a", "primary": True}, {"value": "b", "primary": True}]

        with pytest.raises(InvalidValueError, match="at most one value"):
            apply({}, [op("replace", "emails", values)], USER)

    def test_filter_on_single_complex(self):
        """A value filter on a single-valued complex attribute tests it."""
        doc = {"name": {"givenName": "B"}}

        found = apply(
            doc, [op("replace", 'name[givenName eq "b"].familyName', "J")], USER
        )

        assert found["name"] == {"givenName": "B", "familyName": "J"}

    def test_id_unchanged_is_accepted(self):
        """An unchanged id in a replace without path is accepted (Okta)."""
        doc = {"id": "1", "displayName": "a"}

        found = apply(
            doc, [op("replace", None, {"id": "1", "displayName": "b"})], GROUP
        )

        assert found == {"id": "1", "displayName": "b"}


class TestRemove:
    """remove (RFC 7644, 3.5.2.2)."""

    def test_without_path(self):
        """remove without path has no target."""
        with pytest.raises(NoTargetError, match="remove needs a path"):
            apply({"title": "a"}, [op("remove")], USER)

    def test_single_valued(self):
        """remove drops the attribute; removing an absent one changes nothing."""
        found = apply({"title": "a", "nickName": "n"}, [op("remove", "TITLE")], USER)

        assert found == {"nickName": "n"}
        assert apply(found, [op("remove", "title")], USER) == found

    def test_sub_attribute(self):
        """remove name.givenName drops it; an empty name goes with it."""
        doc = {"name": {"givenName": "B", "familyName": "J"}}

        once = apply(doc, [op("remove", "name.givenName")], USER)
        twice = apply(once, [op("remove", "name.familyName")], USER)

        assert once == {"name": {"familyName": "J"}}
        assert twice == {}

    def test_sub_attribute_of_every_value(self):
        """remove emails.type drops it from every value."""
        doc = {"emails": [{"value": "a", "type": "w"}, {"type": "h"}, "odd"]}

        found = apply(doc, [op("remove", "emails.type")], USER)

        assert found == {"emails": [{"value": "a"}, "odd"]}

    def test_sub_attribute_through_filter(self):
        """remove emails[...].type drops it from matching values only."""
        doc = {"emails": [{"value": "a", "type": "w"}, {"value": "b", "type": "h"}]}

        found = apply(doc, [op("remove", 'emails[value eq "a"].type')], USER)

        assert found["emails"] == [{"value": "a"}, {"value": "b", "type": "h"}]

    def test_last_sub_attribute_through_filter(self):
        """A value left empty by a filtered remove goes away."""
        doc = {"emails": [{"type": "w"}]}

        found = apply(doc, [op("remove", 'emails[type eq "w"].type')], USER)

        assert found == {}

    def test_filter_on_single_complex(self):
        """A filtered remove on a single complex attribute removes it."""
        found = apply(
            {"name": {"givenName": "B"}}, [op("remove", "name[givenName pr]")], USER
        )

        assert found == {}

    def test_filter_matching_nothing(self):
        """A filtered remove that matches nothing has no target."""
        with pytest.raises(NoTargetError, match="matched no value of members"):
            apply(
                {"members": [{"value": "a"}]},
                [op("remove", 'members[value eq "x"]')],
                GROUP,
            )

    def test_required(self):
        """Removing userName, which is required, is an invalid value."""
        with pytest.raises(InvalidValueError, match="userName is required"):
            apply({"userName": "a"}, [op("remove", "userName")], USER)

    def test_members_with_value_list(self):
        """remove members with a value list removes just those (Entra, JumpCloud)."""
        doc = {"members": [{"value": "a"}, {"value": "B"}, {"value": "c"}]}

        found = apply(
            doc, [op("Remove", "members", [{"value": "b"}, {"value": "x"}, "a"])], GROUP
        )

        assert member_ids(found) == ["c"]

    def test_values_of_other_attributes(self):
        """remove with a value removes the values it describes."""
        doc = {"emails": [{"value": "a", "type": "w"}, {"value": "b", "type": "h"}]}

        found = apply(doc, [op("remove", "emails", {"type": "h"})], USER)

        assert found["emails"] == [{"value": "a", "type": "w"}]

    def test_values_of_an_unknown_attribute(self):
        """remove with a value removes equal values of an unknown list."""
        found = apply({"tags": ["a", "b"]}, [op("remove", "tags", ["a"])], USER)

        assert found == {"tags": ["b"]}

    def test_value_ignored_for_single_valued(self):
        """A value given to remove a single-valued attribute is ignored."""
        found = apply({"title": "a"}, [op("remove", "title", "zzz")], USER)

        assert found == {}


class TestMutability:
    """readOnly and immutable attributes cannot change (MutabilityError)."""

    @pytest.mark.parametrize(
        "operation",
        [
            op("replace", "id", "2"),
            op("replace", None, {"id": "2"}),
            op("remove", "id"),
            op("add", "meta.version", "x"),
            op("add", "groups", [{"value": "h"}]),
            op("replace", "schemas", [CORE]),
            op("replace", 'groups[value eq "g"].display', "x"),
        ],
    )
    def test_read_only(self, operation):
        """id, meta, groups and schemas are readOnly."""
        doc = {"id": "1", "groups": [{"value": "g"}]}

        with pytest.raises(MutabilityError, match="is readOnly"):
            apply(doc, [operation], USER)

    def test_member_value_is_immutable(self):
        """An existing member's value cannot change, with or without filter."""
        doc = {"members": [{"value": "a"}]}

        with pytest.raises(MutabilityError, match=r"members\.value is immutable"):
            apply(doc, [op("replace", 'members[value eq "a"].value', "b")], GROUP)
        with pytest.raises(MutabilityError, match=r"members\.value is immutable"):
            apply(doc, [op("replace", 'members[value eq "a"]', {"value": "b"})], GROUP)
        with pytest.raises(MutabilityError, match="is immutable"):
            apply(doc, [op("replace", "members.value", "b")], GROUP)
        with pytest.raises(MutabilityError, match="is immutable"):
            apply(doc, [op("remove", "members.value")], GROUP)
        with pytest.raises(MutabilityError, match="is immutable"):
            apply(doc, [op("remove", 'members[value eq "a"].value')], GROUP)

    def test_member_value_unchanged(self):
        """A member replaced with its own value and a new display is accepted."""
        doc = {"members": [{"value": "a", "display": "A"}]}

        found = apply(
            doc, [op("add", 'members[value eq "a"]', {"display": "B"})], GROUP
        )

        assert found == {"members": [{"value": "a", "display": "B"}]}

    def test_immutable_can_be_set_once(self):
        """An immutable sub-attribute may be set where it had no value."""
        doc = {"members": [{"display": "A"}]}

        found = apply(doc, [op("add", 'members[display eq "A"].value', "a")], GROUP)

        assert found == {"members": [{"display": "A", "value": "a"}]}

    def test_read_only_sub_attribute(self):
        """The manager's displayName is readOnly."""
        doc = {ENTERPRISE: {"manager": {"value": "m", "displayName": "M"}}}

        with pytest.raises(MutabilityError, match="is readOnly"):
            apply(doc, [op("replace", f"{ENTERPRISE}:manager.displayName", "N")], USER)

    def test_read_only_sub_attribute_unchanged(self):
        """A readOnly sub-attribute given its own value is accepted."""
        doc = {
            "schemas": [CORE, ENTERPRISE],
            ENTERPRISE: {"manager": {"value": "m", "displayName": "M"}},
        }

        found = apply(
            doc, [op("replace", f"{ENTERPRISE}:manager.displayName", "M")], USER
        )

        assert found == doc

    def test_immutable_single_valued(self, monkeypatch):
        """An immutable single-valued attribute can be set once, never changed."""
        from scim_ninjio._schema import AttributeInfo, AttrPath

        info = AttributeInfo(name="badge", urn=CORE, mutability="immutable")
        original = USER.resolve
        monkeypatch.setattr(
            type(USER),
            "resolve",
            lambda self, path: (info, None) if path.attr == "badge" else original(path),
        )

        assert apply({}, [op("add", "badge", "a")], USER) == {"badge": "a"}
        assert apply({"badge": "a"}, [op("add", "badge", "a")], USER) == {"badge": "a"}
        with pytest.raises(MutabilityError, match="badge is immutable"):
            apply({"badge": "a"}, [op("add", "badge", "b")], USER)
        assert AttrPath(None, "badge").attr == "badge"


class TestExtensions:
    """Extension attributes, and the URN in schemas."""

    def test_urn_path_adds_urn(self):
        """Setting an extension attribute lists the extension in schemas."""
        doc = {"schemas": [CORE], "userName": "a"}

        found = apply(doc, [op("replace", f"{ENTERPRISE}:department", "Sales")], USER)

        assert found["schemas"] == [CORE, ENTERPRISE]
        assert found[ENTERPRISE] == {"department": "Sales"}
        assert doc == {"schemas": [CORE], "userName": "a"}

    def test_urn_path_any_case(self):
        """A URN path in another case writes the canonical URN."""
        found = apply({}, [op("add", f"{ENTERPRISE.lower()}:DEPARTMENT", "S")], USER)

        assert found == {ENTERPRISE: {"department": "S"}, "schemas": [CORE, ENTERPRISE]}

    def test_unqualified_extension_attribute(self):
        """An unqualified extension attribute is found in its extension."""
        found = apply({"schemas": [CORE]}, [op("add", "department", "S")], USER)

        assert found[ENTERPRISE] == {"department": "S"}

    def test_removing_last_attribute_drops_urn(self, enterprise):
        """When the extension becomes empty its URN leaves schemas."""
        enterprise[ENTERPRISE] = {"department": "Tour Operations"}

        found = apply(enterprise, [op("remove", f"{ENTERPRISE}:department")], USER)

        assert ENTERPRISE not in found
        assert found["schemas"] == [CORE]

    def test_remove_whole_extension(self, enterprise):
        """remove of the extension's URN drops it all."""
        found = apply(enterprise, [op("remove", ENTERPRISE)], USER)

        assert ENTERPRISE not in found
        assert found["schemas"] == [CORE]

    def test_add_whole_extension(self):
        """add with the extension's URN as path sets its attributes."""
        found = apply(
            {"schemas": [CORE]},
            [op("add", ENTERPRISE, {"department": "S", "manager.value": "m"})],
            USER,
        )

        assert found[ENTERPRISE] == {"department": "S", "manager": {"value": "m"}}

    def test_replace_whole_extension_with_null(self, enterprise):
        """replace of the extension with null removes it."""
        found = apply(enterprise, [op("replace", ENTERPRISE)], USER)

        assert ENTERPRISE not in found

    def test_whole_extension_needs_an_object(self):
        """The value for a whole extension must be an object."""
        with pytest.raises(
            InvalidValueError, match="needs an object of its attributes"
        ):
            apply({}, [op("add", ENTERPRISE, "x")], USER)

    def test_extension_object_without_path(self):
        """A value without path may hold the extension as an object (RFC form)."""
        value = {
            ENTERPRISE: {"department": "S"},
            CORE: {"title": "T"},
            "schemas": ["x"],
        }

        found = apply({"schemas": [CORE]}, [op("add", None, value)], USER)

        assert found == {
            "schemas": [CORE, ENTERPRISE],
            ENTERPRISE: {"department": "S"},
            "title": "T",
        }

    def test_no_schemas_yet(self):
        """A document without schemas gets the core and extension URNs."""
        found = apply({}, [op("add", f"{ENTERPRISE}:department", "S")], USER)

        assert found["schemas"] == [CORE, ENTERPRISE]

    def test_unknown_extension(self):
        """An unknown extension object is kept and listed in schemas."""
        found = apply({}, [op("add", None, {"urn:example:ext:1.0": {"a": 1}})], USER)

        assert found == {
            "urn:example:ext:1.0": {"a": 1},
            "schemas": [CORE, "urn:example:ext:1.0"],
        }

    def test_unknown_extension_attribute_path(self):
        """A path into an unknown extension keeps the attribute under its URN."""
        found = apply({}, [op("add", "urn:example:ext:1.0:badge", "gold")], USER)

        assert found["urn:example:ext:1.0"] == {"badge": "gold"}

    def test_extension_of_wrong_shape_is_replaced(self):
        """An extension stored as something other than an object is replaced."""
        found = apply(
            {ENTERPRISE: "junk"}, [op("add", f"{ENTERPRISE}:department", "S")], USER
        )

        assert found[ENTERPRISE] == {"department": "S"}

    def test_urn_listed_without_body_stays(self):
        """An untouched extension listed without attributes stays listed."""
        doc = {"schemas": [CORE, ENTERPRISE], "userName": "a"}

        found = apply(doc, [op("replace", "userName", "b")], USER)

        assert found["schemas"] == [CORE, ENTERPRISE]


class TestTolerance:
    """What real identity providers send is accepted unless strict."""

    def test_op_in_any_case(self):
        """Entra's "Replace" is replace."""
        found = apply({}, [op("Replace", "title", "T")], USER)

        assert found == {"title": "T"}

    @pytest.mark.parametrize(("given", "expected"), [("False", False), ("TRUE", True)])
    def test_string_booleans(self, given, expected):
        """active given as the string "False" or "True" is a boolean."""
        found = apply(
            {"active": not expected}, [op("replace", None, {"active": given})], USER
        )

        assert found == {"active": expected}

    def test_dotted_and_urn_keys(self):
        """Dotted and full-URN keys in a value without path name their targets."""
        value = {"name.givenName": "B", f"{ENTERPRISE}:department": "S"}

        found = apply({"name": {"familyName": "J"}}, [op("replace", None, value)], USER)

        assert found["name"] == {"familyName": "J", "givenName": "B"}
        assert found[ENTERPRISE] == {"department": "S"}

    def test_filtered_key(self):
        """A key with a value filter (Entra's emails[type eq "work"].value) works."""
        doc = {"emails": [{"value": "a", "type": "work"}]}

        found = apply(
            doc, [op("replace", None, {'emails[type eq "work"].value': "b"})], USER
        )

        assert found["emails"] == [{"value": "b", "type": "work"}]

    def test_display_in_members(self):
        """Members may carry display, though the schema makes it readOnly."""
        found = apply(
            {}, [op("add", "members", [{"value": "a", "display": "A"}])], GROUP
        )

        assert found == {"members": [{"value": "a", "display": "A"}]}

    def test_duplicate_member_add(self):
        """Adding a member already present (any case of its id) changes nothing."""
        doc = {"members": [{"value": "abc"}]}

        found = apply(
            doc,
            [op("add", "members", [{"value": "ABC"}, {"value": "d"}, {"value": "d"}])],
            GROUP,
        )

        assert member_ids(found) == ["abc", "d"]

    def test_null_for_multi_valued(self):
        """null for a multi-valued attribute adds nothing and replaces all."""
        doc = {"emails": [{"value": "a"}]}

        assert apply(doc, [op("add", "emails", None)], USER) == doc
        assert apply(doc, [op("replace", None, {"emails": None})], USER) == {}

    def test_empty_path_means_no_path(self):
        """An empty path is read as no path."""
        found = apply({}, [op("add", " ", {"title": "T"})], USER)

        assert found == {"title": "T"}

    def test_dotted_key_inside_extension(self):
        """A dotted key inside an extension object names a sub-attribute."""
        found = apply({}, [op("add", None, {ENTERPRISE: {"manager.value": "m"}})], USER)

        assert found[ENTERPRISE] == {"manager": {"value": "m"}}

    def test_existing_value_that_is_not_a_list(self):
        """A multi-valued attribute stored as one object gets values appended."""
        found = apply(
            {"emails": {"value": "a"}}, [op("add", "emails", [{"value": "b"}])], USER
        )

        assert found["emails"] == [{"value": "a"}, {"value": "b"}]

    def test_keys_in_other_case_are_rewritten(self):
        """A key stored in another case is replaced by the canonical one."""
        found = apply({"TITLE": "a"}, [op("replace", "title", "b")], USER)

        assert found == {"title": "b"}

    def test_primary_as_string(self):
        """primary given as "true" is a boolean."""
        found = apply(
            {}, [op("add", "emails", [{"value": "a", "primary": "true"}])], USER
        )

        assert found["emails"] == [{"value": "a", "primary": True}]


class TestStrict:
    """strict=True refuses what RFC 7644 forbids."""

    @pytest.mark.parametrize(
        ("operation", "error", "message"),
        [
            (
                op("Replace", "title", "T"),
                InvalidSyntaxError,
                "op must be in lower case",
            ),
            (
                op("remove", "emails", [{"value": "a"}]),
                InvalidSyntaxError,
                "remove takes no value",
            ),
            (
                op("replace", "active", "False"),
                InvalidValueError,
                "not the string 'False'",
            ),
            (
                op("replace", None, {"name.givenName": "B"}),
                InvalidValueError,
                "nest sub-attributes",
            ),
            (op("add", "nope", 1), InvalidPathError, "names no attribute"),
            (op("add", "name.nope", 1), InvalidPathError, "names no attribute"),
            (
                op("add", 'emails[type eq "w"].nope', 1),
                InvalidPathError,
                "no sub-attribute 'nope'",
            ),
            (
                op("add", "emails", [{"value": "a", "nope": 1}]),
                InvalidValueError,
                "no sub-attribute 'nope'",
            ),
            (op("add", "title"), InvalidValueError, "add needs a value"),
            (op("add", "", 1), InvalidPathError, "not a valid SCIM PATCH path"),
            (
                op("add", 'emails[type eq "work"].value', "w"),
                NoTargetError,
                "matched no value",
            ),
            (
                op("add", None, {"urn:example:x": {"a": 1}}),
                InvalidPathError,
                "is not a schema",
            ),
        ],
    )
    def test_refused(self, operation, error, message):
        """Each tolerated form is refused with the matching error."""
        with pytest.raises(error, match=message):
            apply({}, [operation], USER, strict=True)

    def test_rfc_forms_pass(self, bjensen):
        """The RFC's own forms apply in strict mode."""
        operations = rfc_operations("rfc7644-3.5.2.3-patch_op-replace_street_address")

        found = apply(bjensen, operations, USER, strict=True)

        assert found["addresses"][0]["streetAddress"] == "1010 Broadway Ave"


class TestErrors:
    """Bad operations raise the ScimError a server would answer with."""

    @pytest.mark.parametrize(
        ("operation", "error", "message"),
        [
            (
                op("move", "title", "T"),
                InvalidSyntaxError,
                "op must be add, remove or replace, not 'move'",
            ),
            (op(3, "title", "T"), InvalidSyntaxError, "not 3"),  # type: ignore[arg-type] # wrong on purpose
            (op("add", 5, "T"), InvalidSyntaxError, "path must be a string"),  # type: ignore[arg-type] # wrong on purpose
            (op("add", "title[", "T"), InvalidPathError, "not a valid SCIM PATCH path"),
            (
                op("add", "userName[value pr]", "T"),
                InvalidPathError,
                "userName is not complex",
            ),
            (op("add", "userName.x", "T"), InvalidPathError, "names no attribute"),
            (
                op("add", "emails[type gt true]", "T"),
                InvalidPathError,
                "compare it with a string",
            ),
            (
                op("add", 'nope[type eq "x"]', "T"),
                InvalidPathError,
                "names no attribute",
            ),
            (op("add", None, "T"), InvalidValueError, "needs an object of attributes"),
            (
                op("add", None, {1: "T"}),
                InvalidValueError,
                "1 is not an attribute name",
            ),
            (
                op("add", None, {"a.b.c": "T"}),
                InvalidPathError,
                "'a.b.c' is not an attribute name",
            ),
            (
                op("add", None, {CORE: "T"}),
                InvalidValueError,
                "needs an object of attributes",
            ),
            (
                op("add", "title", 5),
                InvalidValueError,
                "title is a string, not an integer (5)",
            ),
            (op("add", "active", "yes"), InvalidValueError, "active is a boolean"),
            (op("add", "name", "Babs"), InvalidValueError, "name is complex"),
            (op("add", "emails", ["a@x.com"]), InvalidValueError, "emails is complex"),
            (op("remove", "members", [["x"]]), InvalidValueError, "members to remove"),
        ],
    )
    def test_error(self, operation, error, message):
        """The error's detail names the operation and what is wrong."""
        with pytest.raises(error) as caught:
            apply(
                {"emails": [{"value": "a", "type": "w"}]},
                [operation],
                GROUP if "members" in str(operation.path) else USER,
            )

        assert message in caught.value.detail
        assert caught.value.detail.startswith("Operations[0]")
        assert caught.value.status == 400

    def test_second_operation_named(self):
        """The detail names the operation that failed by its index and path."""
        with pytest.raises(NoTargetError) as caught:
            apply(
                {},
                [op("add", "title", "a"), op("remove", 'emails[value eq "x"]')],
                USER,
            )

        assert caught.value.detail.startswith(
            "Operations[1] (remove 'emails[value eq \"x\"]')"
        )
        assert str(caught.value).startswith("PATCH failed: Operations[1]")

    @pytest.mark.parametrize(
        ("kind", "value", "message"),
        [
            ("integer", True, "n is an integer, not a boolean"),
            ("integer", 1.5, "n is an integer, not a number"),
            ("decimal", "1", "n is a decimal, not a string"),
        ],
    )
    def test_numbers(self, monkeypatch, kind, value, message):
        """Integers and decimals take numbers, never booleans."""
        from scim_ninjio._schema import AttributeInfo

        info = AttributeInfo(name="n", urn=CORE, type=kind)
        original = USER.resolve
        monkeypatch.setattr(
            type(USER),
            "resolve",
            lambda self, path: (info, None) if path.attr == "n" else original(path),
        )

        assert apply({}, [op("add", "n", 2)], USER) == {"n": 2}
        with pytest.raises(InvalidValueError, match=message):
            apply({}, [op("add", "n", value)], USER)


class TestAtomic:
    """apply never changes its input and fails as a whole."""

    def test_input_unchanged(self, enterprise):
        """Nothing in the input changes, however deep the operation reaches."""
        before = copy.deepcopy(enterprise)
        operations = [
            op("replace", f"{ENTERPRISE}:manager.value", "m"),
            op("replace", 'emails[type eq "work"].value', "w"),
            op("remove", 'addresses[type eq "home"]'),
            op("add", "name.givenName", "Babs"),
            op("remove", ENTERPRISE),
        ]

        found = apply(enterprise, operations, USER)

        assert enterprise == before
        assert found["emails"][0]["value"] == "w"

    def test_failure_changes_nothing(self, enterprise):
        """A failing operation after good ones leaves the input as it was."""
        before = copy.deepcopy(enterprise)
        operations = [
            op("replace", "title", "x"),
            op("remove", "emails.type"),
            op("remove"),
        ]

        with pytest.raises(NoTargetError):
            apply(enterprise, operations, USER)

        assert enterprise == before

    def test_values_are_copied(self):
        """The result shares nothing with the operation's value."""
        value = [{"value": "a"}]

        found = apply({}, [op("add", "emails", value)], USER)
        value[0]["value"] = "changed"

        assert found["emails"] == [{"value": "a"}]

    def test_untouched_branches_are_shared(self, enterprise):
        """Branches no operation touched are shared, not copied."""
        found = apply(enterprise, [op("replace", "title", "x")], USER)

        assert found["emails"] is enterprise["emails"]
        assert found is not enterprise


#: JSON values for arbitrary operations.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["value", "type", "primary", "display", "givenName", "x"])
            | st.text(max_size=5),
            children,
            max_size=3,
        )
    ),
    max_leaves=6,
)
paths = (
    st.none()
    | st.sampled_from(
        [
            "title",
            "active",
            "name",
            "name.givenName",
            "emails",
            'emails[type eq "work"]',
            'emails[type eq "work"].value',
            "emails.primary",
            "members",
            'members[value eq "a"]',
            'members[value eq "a"].value',
            "id",
            "meta.created",
            ENTERPRISE,
            f"{ENTERPRISE}:department",
            f"{ENTERPRISE}:manager.value",
            "urn:example:x:1.0:thing",
            "x.y",
            "",
        ]
    )
    | st.text(max_size=12)
)
operations = st.builds(
    PatchOperation,
    op=st.sampled_from(["add", "remove", "replace", "Add", "REPLACE", "nope"]),
    path=paths,
    value=json_values,
)
DOCUMENTED = (
    NoTargetError,
    InvalidPathError,
    InvalidValueError,
    InvalidSyntaxError,
    MutabilityError,
)


class TestApplyProperties:
    """apply raises only the documented errors, on any operations."""

    @given(
        st.sampled_from(["rfc7643-8.3-enterprise_user", "rfc7643-8.4-group"]),
        st.lists(operations, max_size=4),
        st.booleans(),
    )
    def test_only_documented_errors(self, sample, ops, strict):
        """Any operations end in a document or a documented ScimError."""
        doc = load_sample(sample)
        schema = GROUP if "group" in sample else USER
        before = copy.deepcopy(doc)

        try:
            found: Any = apply(doc, ops, schema, strict=strict)
        except ScimError as e:
            found = e

        if isinstance(found, ScimError):
            assert isinstance(found, DOCUMENTED), repr(found)
            assert found.detail
        else:
            assert isinstance(found, dict)
            json.dumps(found)
        assert doc == before


READ_ONLY = {"id", "meta", "groups", "schemas"}


def norm(value: Any) -> Any:
    """Fold what SCIM does not tell apart: key case, nulls, empties, repeats."""
    if isinstance(value, dict):
        out = {k.lower(): n for k, v in value.items() if (n := norm(v)) is not None}
        return out or None
    if isinstance(value, list):
        out_list: list[Any] = []
        for item in value:
            found = norm(item)
            if found is not None and found not in out_list:
                out_list.append(found)
        return out_list or None

    return value


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """Normalise a document for comparison, without what a diff leaves alone."""
    out = norm({k: v for k, v in doc.items() if k.lower() not in READ_ONLY}) or {}
    extension = out.get(ENTERPRISE.lower(), {})
    if isinstance(extension.get("manager"), dict):
        extension["manager"].pop("displayname", None)
        if not extension["manager"]:
            del extension["manager"]
        if not extension:
            del out[ENTERPRISE.lower()]
    if "members" in out:
        out["members"].sort(key=lambda m: json.dumps(m, sort_keys=True))

    return out


def one_primary(doc: dict[str, Any]) -> bool:
    """Whether no multi-valued attribute has two primary values."""
    return all(
        sum(
            1
            for item in value
            if isinstance(item, dict) and item.get("primary") is True
        )
        <= 1
        for value in doc.values()
        if isinstance(value, list)
    )


def distinct_members(doc: dict[str, Any]) -> bool:
    """Whether no two members share an id (without case)."""
    ids = [
        str(m.get("value")).casefold()
        for m in doc.get("members", [])
        if isinstance(m, dict)
    ]
    return len(ids) == len(set(ids))


texts = st.text(max_size=8)
json_users = st.fixed_dictionaries(
    {"schemas": st.just([CORE]), "id": st.just("1"), "userName": texts},
    optional={
        "name": st.fixed_dictionaries(
            {},
            optional={"givenName": texts, "familyName": texts, "formatted": st.none()},
        ),
        "displayName": texts,
        "title": st.none() | texts,
        "active": st.booleans(),
        "externalId": texts,
        "emails": st.lists(
            st.fixed_dictionaries(
                {"value": texts},
                optional={
                    "type": st.sampled_from(["work", "home"]),
                    "primary": st.booleans(),
                },
            ),
            max_size=3,
        ),
        "phoneNumbers": st.lists(st.fixed_dictionaries({"value": texts}), max_size=2),
        ENTERPRISE: st.fixed_dictionaries(
            {},
            optional={
                "department": texts,
                "costCenter": texts,
                "manager": st.fixed_dictionaries(
                    {}, optional={"value": texts, "displayName": texts}
                ),
            },
        ),
        "urn:example:ext:1.0": st.fixed_dictionaries({}, optional={"badge": texts}),
        "nickname": texts,
        "extraThing": st.none() | st.integers() | st.lists(st.integers(), max_size=2),
    },
)
json_groups = st.fixed_dictionaries(
    {"schemas": st.just([_constants.GROUP]), "displayName": texts},
    optional={
        "members": st.lists(
            st.fixed_dictionaries(
                {"value": st.text(min_size=1, max_size=6)},
                optional={"display": texts, "type": st.just("User")},
            ),
            max_size=4,
        ),
        "externalId": texts,
    },
)


class TestDiff:
    """diff returns the fewest operations that turn one document into another."""

    def test_unchanged(self, enterprise):
        """Equal documents, in any key case, give no operations."""
        recased = {
            k.upper() if k == "userName" else k: v for k, v in enterprise.items()
        }

        assert diff(enterprise, recased, USER) == ()
        assert diff(enterprise, copy.deepcopy(enterprise), USER) == ()

    @pytest.mark.rule("U3")
    def test_only_changed_attributes(self, enterprise):
        """U3: only the attributes that changed are sent, each with a path."""
        new = copy.deepcopy(enterprise)
        new["title"] = "Boss"
        new["name"]["givenName"] = "Babs"
        del new["nickName"]
        new["locale"] = "fr-FR"
        new[ENTERPRISE]["department"] = "Sales"
        new["emails"][0]["value"] = "babs@example.com"

        found = [(o.op, o.path, o.value) for o in diff(enterprise, new, USER)]

        assert found == [
            ("replace", "name.givenName", "Babs"),
            ("remove", "nickName", None),
            ("replace", "title", "Boss"),
            ("replace", "locale", "fr-FR"),
            ("replace", "emails", new["emails"]),
            ("replace", f"{ENTERPRISE}:department", "Sales"),
        ]

    def test_add_when_absent(self):
        """An attribute absent in old is added; a complex one whole."""
        found = diff(
            {},
            {"title": "T", "name": {"givenName": "B"}, "emails": [{"value": "a"}]},
            USER,
        )

        assert [(o.op, o.path, o.value) for o in found] == [
            ("add", "name", {"givenName": "B"}),
            ("add", "title", "T"),
            ("add", "emails", [{"value": "a"}]),
        ]

    def test_sub_attributes(self):
        """A complex attribute changes per sub-attribute: add, replace, remove."""
        old = {"name": {"givenName": "B", "familyName": "J"}}
        new = {"name": {"givenName": "C", "middleName": "M"}}

        found = [(o.op, o.path, o.value) for o in diff(old, new, USER)]

        assert found == [
            ("remove", "name.familyName", None),
            ("replace", "name.givenName", "C"),
            ("add", "name.middleName", "M"),
        ]

    def test_manager(self):
        """The enterprise manager changes per sub-attribute, not its displayName."""
        old = {ENTERPRISE: {"manager": {"value": "a", "displayName": "A"}}}
        new = {ENTERPRISE: {"manager": {"value": "b", "displayName": "B"}}}

        found = [(o.op, o.path) for o in diff(old, new, USER)]

        assert found == [("replace", f"{ENTERPRISE}:manager.value")]

    def test_whole_extension_removed(self, enterprise):
        """An extension absent in new is removed with one operation."""
        new = {k: v for k, v in enterprise.items() if k != ENTERPRISE}

        found = diff(enterprise, new, USER)

        assert [(o.op, o.path) for o in found] == [("remove", ENTERPRISE)]
        assert ENTERPRISE not in apply(enterprise, found, USER)

    def test_read_only_never(self, enterprise):
        """id, meta, groups and schemas are never in a diff."""
        new = copy.deepcopy(enterprise)
        new["id"] = "other"
        new["meta"] = {"version": "x"}
        new["groups"] = []
        new["schemas"] = [CORE]

        assert diff(enterprise, new, USER) == ()

    @pytest.mark.rule("G3")
    def test_members(self, group):
        """G3: members are added and removed one by one, just those that changed."""
        new = copy.deepcopy(group)
        new["members"] = [group["members"][0], {"value": "new-id", "display": "New"}]

        found = diff(group, new, GROUP)

        assert [(o.op, o.path, o.value) for o in found] == [
            ("remove", f'members[value eq "{MANDY}"]', None),
            ("add", "members", [{"value": "new-id", "display": "New"}]),
        ]
        assert normalise(apply(group, found, GROUP)) == normalise(new)

    def test_member_changed(self):
        """A member whose other sub-attributes changed is removed and added."""
        old = {"members": [{"value": "a", "display": "A"}]}
        new = {"members": [{"value": "a", "display": "B"}]}

        found = diff(old, new, GROUP)

        assert [(o.op, o.path) for o in found] == [
            ("remove", 'members[value eq "a"]'),
            ("add", "members"),
        ]

    def test_member_ids_are_escaped(self):
        """A member id holding quotes stays one id in the filter."""
        found = diff({"members": [{"value": 'a"b'}]}, {}, GROUP)

        assert [o.path for o in found] == ["members"]
        found = diff(
            {"members": [{"value": 'a"b'}, {"value": "c"}]},
            {"members": [{"value": "c"}]},
            GROUP,
        )
        assert parse_path(found[0].path or "").filter is not None
        assert apply({"members": [{"value": 'a"b'}, {"value": "c"}]}, found, GROUP) == {
            "members": [{"value": "c"}]
        }

    def test_members_without_ids(self):
        """Members without string ids are replaced whole."""
        found = diff(
            {"members": [{"display": "x"}]}, {"members": [{"value": "a"}]}, GROUP
        )

        assert [(o.op, o.path) for o in found] == [("replace", "members")]

    def test_unknown_attributes(self):
        """Unknown attributes change whole; odd names go in a value without path."""
        found = diff({"x": {"a": 1}}, {"x": {"a": 2}, "odd name": 1}, USER)

        assert [(o.op, o.path, o.value) for o in found] == [
            ("replace", "x", {"a": 2}),
            ("replace", None, {"odd name": 1}),
        ]
        assert apply({"x": {"a": 1}}, found, USER) == {"x": {"a": 2}, "odd name": 1}

    def test_unknown_extension(self):
        """An unknown extension changes per attribute under its URN."""
        old = {"urn:example:ext:1.0": {"a": 1, "b": 2}}
        new = {"urn:example:ext:1.0": {"a": 3}}

        found = [(o.op, o.path, o.value) for o in diff(old, new, USER)]

        assert found == [
            ("replace", "urn:example:ext:1.0:a", 3),
            ("remove", "urn:example:ext:1.0:b", None),
        ]

    def test_core_urn_key_ignored(self):
        """A core URN used as a key holds no attributes of its own."""
        assert diff({CORE: {"title": "a"}}, {}, USER) == ()

    def test_values_are_copies(self):
        """The operations share nothing with the new document."""
        new = {"emails": [{"value": "a"}]}

        found = diff({}, new, USER)
        new["emails"][0]["value"] = "changed"

        assert found[0].value == [{"value": "a"}]

    @given(json_users, json_users)
    def test_apply_diff_json_users(self, a, b):
        """apply(a, diff(a, b)) == b for users given as JSON."""
        assume(one_primary(b))

        assert normalise(apply(a, diff(a, b, USER), USER)) == normalise(b)

    @given(json_groups, json_groups)
    def test_apply_diff_json_groups(self, a, b):
        """apply(a, diff(a, b)) == b for groups given as JSON."""
        assume(distinct_members(a) and distinct_members(b))

        assert normalise(apply(a, diff(a, b, GROUP), GROUP)) == normalise(b)

    @given(sst.users(), sst.users())
    def test_apply_diff_model_users(self, a, b):
        """apply(a, diff(a, b)) == b for users encoded from the models."""
        old, new = encode(a, request=True), encode(b, request=True)
        assume(one_primary(new) and new.get("userName") is not None)

        assert normalise(apply(old, diff(old, new, USER), USER)) == normalise(new)

    @given(sst.groups(), sst.groups())
    def test_apply_diff_model_groups(self, a, b):
        """apply(a, diff(a, b)) == b for groups encoded from the models."""
        old, new = encode(a, request=True), encode(b, request=True)
        assume(distinct_members(old) and distinct_members(new))
        assume(new.get("displayName") is not None)

        assert normalise(apply(old, diff(old, new, GROUP), GROUP)) == normalise(new)


class TestMemberOperations:
    """member_operations writes membership changes in bounded chunks."""

    @pytest.mark.rule("G3")
    def test_chunks(self):
        """G3: no request carries more than chunk_size ids; removals first."""
        found = member_operations(
            [f"a{i}" for i in range(5)], ["r0", "r1"], chunk_size=3
        )

        assert [[(o.op, o.path, o.value) for o in p.operations] for p in found] == [
            [
                ("remove", 'members[value eq "r0"]', None),
                ("remove", 'members[value eq "r1"]', None),
                ("add", "members", [{"value": "a0"}]),
            ],
            [("add", "members", [{"value": "a1"}, {"value": "a2"}, {"value": "a3"}])],
            [("add", "members", [{"value": "a4"}])],
        ]

    def test_removal_by_value(self):
        """removal="value" removes with a value list (Entra, JumpCloud)."""
        found = member_operations([], ["r0", "r1", "r2"], chunk_size=2, removal="value")

        assert [[(o.op, o.path, o.value) for o in p.operations] for p in found] == [
            [("remove", "members", [{"value": "r0"}, {"value": "r1"}])],
            [("remove", "members", [{"value": "r2"}])],
        ]

    def test_escaped(self):
        """An id holding quotes is escaped and removes just that member."""
        evil = 'x"] or value pr or ["'
        doc = {"members": [{"value": evil}, {"value": "keep"}]}

        (patch,) = member_operations([], [evil])

        assert apply(doc, patch.operations, GROUP) == {"members": [{"value": "keep"}]}

    def test_empty(self):
        """Nothing to add or remove gives no requests."""
        assert member_operations([], []) == ()

    def test_repeated_ids_count_once(self):
        """An id listed twice is sent once."""
        (patch,) = member_operations(["a", "a"], [])

        assert patch.operations[0].value == [{"value": "a"}]

    def test_applies(self, group):
        """The requests, applied in order, give the wanted members."""
        for patch in member_operations(["n1", "n2", BABS], [MANDY], chunk_size=1):
            group = apply(group, patch.operations, GROUP)

        assert member_ids(group) == [BABS, "n1", "n2"]

    def test_encodes_as_patch_op(self):
        """Each request encodes as a PatchOp body."""
        (patch,) = member_operations(["a"], [])

        assert encode(patch) == {
            "schemas": [_constants.PATCH_OP],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": "a"}]}],
        }

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"chunk_size": 0}, "chunk_size must be a whole number of at least 1"),
            ({"chunk_size": True}, "chunk_size"),
            ({"chunk_size": 2.5}, "chunk_size"),
            ({"removal": "both"}, "removal must be 'filter' or 'value'"),
            ({"add": "abc"}, "add must be a list of member ids"),
            ({"remove": 5}, "remove must be a list of member ids"),
            ({"add": ["a", 1]}, "each id in add must be a non-empty string"),
            ({"add": [""]}, "each id in add"),
        ],
    )
    def test_bad_arguments(self, kwargs, message):
        """Bad arguments are a ConfigurationError that says which."""
        arguments = {"add": [], "remove": [], **kwargs}

        with pytest.raises(ConfigurationError, match=message):
            member_operations(**arguments)
