"""Tests for the attribute characteristics of the User and Group schemas."""

from __future__ import annotations

import pytest

from samples import load_sample
from scim_ninjio import _constants
from scim_ninjio._schema import (
    AttributeInfo,
    AttrPath,
    resource_schema,
    schema_documents,
)
from scim_ninjio.exceptions import ConfigurationError


ENTERPRISE = _constants.ENTERPRISE_USER


class TestAttrPath:
    """AttrPath: an attribute path as a value."""

    @pytest.mark.parametrize(
        ("path", "text"),
        [
            (AttrPath(None, "userName"), "userName"),
            (AttrPath(None, "name", "givenName"), "name.givenName"),
            (AttrPath(ENTERPRISE, "manager", "value"), f"{ENTERPRISE}:manager.value"),
        ],
    )
    def test_str(self, path, text):
        """str() writes the path as SCIM spells it."""
        assert str(path) == text


class TestResourceSchema:
    """resource_schema: the User and Group schemas."""

    def test_user(self):
        """The User schema has the core URN and the enterprise extension."""
        user = resource_schema("User")

        assert user.name == "User"
        assert user.core_urn == _constants.USER
        assert user.extension_urns == (ENTERPRISE,)

    def test_group(self):
        """The Group schema has no extension."""
        group = resource_schema("Group")

        assert group.core_urn == _constants.GROUP
        assert group.extension_urns == ()

    def test_any_case_and_shared(self):
        """The resource name is read in any case and one instance is shared."""
        lower = resource_schema("user")  # type: ignore[arg-type] # any case on purpose

        assert lower is resource_schema("User")

    def test_unknown_resource(self):
        """Another resource type is a ConfigurationError that names the choices."""
        with pytest.raises(ConfigurationError, match="'User' or 'Group'"):
            resource_schema("Device")  # type: ignore[arg-type] # wrong on purpose


class TestCharacteristics:
    """The characteristics come from the RFC 7643 documents, not guesses."""

    @pytest.mark.parametrize(
        ("resource", "name", "case_exact"),
        [
            ("User", "userName", False),
            ("User", "id", True),
            ("User", "externalId", True),
            ("Group", "externalId", True),
            ("Group", "displayName", False),
        ],
    )
    def test_case_exact(self, resource, name, case_exact):
        """userName compares without case; id and externalId with case."""
        info = resource_schema(resource).attribute(AttrPath(None, name))

        assert info is not None
        assert info.case_exact is case_exact

    def test_password(self):
        """password is writeOnly and never returned."""
        info = resource_schema("User").attribute(AttrPath(None, "password"))

        assert info is not None
        assert (info.mutability, info.returned) == ("writeOnly", "never")

    @pytest.mark.parametrize("name", ["id", "meta", "groups", "schemas"])
    def test_read_only(self, name):
        """id, meta, groups and schemas are readOnly."""
        info = resource_schema("User").attribute(AttrPath(None, name))

        assert info is not None
        assert info.mutability == "readOnly"

    def test_members_value_immutable(self):
        """A member's value is immutable; members itself can be written."""
        group = resource_schema("Group")
        members = group.attribute(AttrPath(None, "members"))
        value = group.attribute(AttrPath(None, "members", "value"))

        assert members is not None
        assert value is not None
        assert (members.multi_valued, members.type, members.mutability) == (
            True,
            "complex",
            "readWrite",
        )
        assert value.mutability == "immutable"

    def test_user_name_unique_and_required(self):
        """userName is required and unique on the server."""
        info = resource_schema("User").attribute(AttrPath(None, "userName"))

        assert info is not None
        assert (info.required, info.uniqueness) == (True, "server")

    def test_meta_dates(self):
        """meta.lastModified is a readOnly dateTime."""
        info = resource_schema("User").attribute(AttrPath(None, "meta", "lastModified"))

        assert info == AttributeInfo(
            name="lastModified",
            urn=_constants.USER,
            type="dateTime",
            mutability="readOnly",
        )

    def test_defaults_fill_omitted_characteristics(self):
        """A complex attribute without caseExact reads as caseExact=false."""
        info = resource_schema("User").attribute(AttrPath(None, "name"))

        assert info is not None
        assert info.case_exact is False
        assert sorted(s.name for s in info.sub_attributes.values()) == [
            "familyName",
            "formatted",
            "givenName",
            "honorificPrefix",
            "honorificSuffix",
            "middleName",
        ]

    def test_sub_attribute(self):
        """sub_attribute finds a sub-attribute in any case, or None."""
        emails = resource_schema("User").attribute(AttrPath(None, "emails"))

        assert emails is not None
        assert emails.sub_attribute("PRIMARY") == emails.sub_attributes["primary"]
        assert emails.sub_attribute("nope") is None


class TestLookups:
    """attribute, resolve and canonical ignore case and follow URNs."""

    def test_attribute_any_case(self):
        """Attribute and sub-attribute names are matched without case."""
        info = resource_schema("User").attribute(AttrPath(None, "NAME", "givenname"))

        assert info is not None
        assert info.name == "givenName"

    def test_urn_prefix(self):
        """A URN-qualified path finds the extension attribute, any case."""
        path = AttrPath(ENTERPRISE.upper(), "Department")
        info = resource_schema("User").attribute(path)

        assert info is not None
        assert (info.name, info.urn) == ("department", ENTERPRISE)

    def test_core_urn_prefix(self):
        """The core URN may qualify a core attribute."""
        info = resource_schema("User").attribute(AttrPath(_constants.USER, "userName"))

        assert info is not None
        assert info.urn == _constants.USER

    def test_unqualified_extension_attribute(self):
        """An unqualified name missing from the core is looked up in extensions."""
        info = resource_schema("User").attribute(AttrPath(None, "department"))

        assert info is not None
        assert info.urn == ENTERPRISE

    @pytest.mark.parametrize(
        "path",
        [
            AttrPath(None, "nickname", "x"),
            AttrPath(None, "nope"),
            AttrPath("urn:example:other", "userName"),
            AttrPath(None, "name", "nope"),
        ],
    )
    def test_unknown(self, path):
        """Unknown attributes, sub-attributes and URNs give None."""
        assert resource_schema("User").attribute(path) is None

    def test_resolve(self):
        """resolve gives the attribute and its sub-attribute."""
        found = resource_schema("User").resolve(
            AttrPath(ENTERPRISE, "manager", "value")
        )

        assert found is not None
        assert (found[0].name, found[1] and found[1].name) == ("manager", "value")

    def test_resolve_without_sub(self):
        """resolve gives None as the sub-attribute when the path names none."""
        found = resource_schema("Group").resolve(AttrPath(None, "members"))

        assert found is not None
        assert found[1] is None

    @pytest.mark.parametrize(
        ("name", "urn", "expected"),
        [
            ("displayname", None, "displayName"),
            ("emails.VALUE", None, "emails.value"),
            ("COSTCENTER", ENTERPRISE, "costCenter"),
            ("nope", None, None),
            ("emails.nope", None, None),
        ],
    )
    def test_canonical(self, name, urn, expected):
        """canonical returns the schema's spelling, or None."""
        assert resource_schema("User").canonical(name, urn) == expected

    def test_canonical_urn(self):
        """canonical_urn and is_extension know the resource's schema URNs."""
        user = resource_schema("User")

        assert user.canonical_urn(ENTERPRISE.lower()) == ENTERPRISE
        assert user.canonical_urn("urn:example") is None
        assert user.is_extension(ENTERPRISE.upper())
        assert not user.is_extension(_constants.USER)
        assert not user.is_extension("urn:example")

    def test_attributes_in_order(self):
        """attributes lists the common attributes, then the schema's, in order."""
        names = [a.name for a in resource_schema("Group").attributes()]

        assert names == [
            "id",
            "externalId",
            "meta",
            "schemas",
            "displayName",
            "members",
        ]

    def test_attributes_of_extension(self):
        """attributes lists an extension's attributes; an unknown URN none."""
        user = resource_schema("User")

        assert [a.name for a in user.attributes(ENTERPRISE)][:2] == [
            "employeeNumber",
            "costCenter",
        ]
        assert user.attributes("urn:example") == ()


class TestSchemaDocuments:
    """schema_documents: the documents /Schemas serves."""

    def test_same_as_rfc(self):
        """The documents are those RFC 7643 section 8.7.1 prints."""
        expected = [
            load_sample(f"rfc7643-8.7.1-schema-{name}")
            for name in ("user", "group", "enterprise_user")
        ]

        assert schema_documents() == expected

    def test_fresh_copies(self):
        """Changing a returned document changes no later answer."""
        schema_documents()[0]["attributes"].clear()

        assert schema_documents()[0]["attributes"]
