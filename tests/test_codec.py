"""Tests for the codec: SCIM JSON to models and back."""

from __future__ import annotations

import datetime as dt
import json
import pickle

from typing import Any

import pytest

from hypothesis import given
from hypothesis import strategies as st

import scim_ninjio

from samples import SAMPLES, load_sample
from scim_ninjio import _constants, decode, dumps, encode, loads
from scim_ninjio._codec._classes import _codec
from scim_ninjio._codec._values import (
    _TIMESTAMP,
    _dec_datetime,
    _enc_datetime,
    _InvalidError,
)
from scim_ninjio.exceptions import FieldError, ValidationError
from scim_ninjio.models import (
    Email,
    EnterpriseUser,
    Error,
    Group,
    ListResponse,
    Manager,
    Member,
    Meta,
    Name,
    PatchOp,
    PatchOperation,
    ResourceType,
    Schema,
    SchemaAttribute,
    SearchRequest,
    ServiceProviderConfig,
    User,
)
from scim_ninjio.testing import strategies as sst


MODEL_FOR_SCHEMA: dict[str, Any] = {
    _constants.USER: User,
    _constants.GROUP: Group,
    _constants.SERVICE_PROVIDER_CONFIG: ServiceProviderConfig,
    _constants.RESOURCE_TYPE: ResourceType,
    _constants.SCHEMA: Schema,
    _constants.ERROR: Error,
    _constants.LIST_RESPONSE: ListResponse[Any],
    _constants.PATCH_OP: PatchOp,
    _constants.SEARCH_REQUEST: SearchRequest,
}

#: Every RFC sample with a model (bulk messages have none, see limitations).
RFC_SAMPLES = sorted(
    p.stem
    for p in SAMPLES.glob("*.json")
    if json.loads(p.read_text())["schemas"][0] in MODEL_FOR_SCHEMA
)


def normalise(value: Any) -> Any:
    """
    Fold what SCIM does not distinguish, to compare documents by meaning.

    Timestamps compare as instants (RFC 3339 allows many spellings of one),
    empty lists and nulls mean "absent".
    """
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if (
        isinstance(value, str)
        and len(value) >= 20
        and value[4:5] == "-"
        and "T" in value
    ):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value

    return value


#: The resources and messages a server sends at the top of a body.
TOP_LEVEL = (User, Group, Error, PatchOp, ListResponse[User], ServiceProviderConfig)


class TestRFCExamples:
    """The example documents of RFC 7643 and RFC 7644."""

    @pytest.mark.parametrize("name", RFC_SAMPLES)
    def test_round_trip_without_loss(self, name):
        """Every RFC example with a model decodes and re-encodes to the same meaning."""
        document = load_sample(name)
        cls = MODEL_FOR_SCHEMA[document["schemas"][0]]

        again = encode(decode(document, cls))

        assert normalise(again) == normalise(document)

    def test_full_user_attributes(self):
        """RFC 7643 §8.2's full user decodes into typed attributes."""
        user = decode(load_sample("rfc7643-8.2-user-full"), User)

        assert user.user_name == "bjensen@example.com"
        assert user.name == Name(
            formatted="Ms. Barbara J Jensen, III",
            family_name="Jensen",
            given_name="Barbara",
            middle_name="Jane",
            honorific_prefix="Ms.",
            honorific_suffix="III",
        )
        assert user.emails[0] == Email(
            value="bjensen@example.com", type="work", primary=True
        )
        assert user.primary_email == "bjensen@example.com"
        assert user.addresses[0].postal_code == "91608"
        assert user.groups[0].ref is not None
        assert user.x509_certificates[0].value is not None
        assert user.meta is not None
        assert user.meta.created == dt.datetime(2010, 1, 23, 4, 56, 22, tzinfo=dt.UTC)
        assert user.password == "t1meMa$heen"

    def test_enterprise_extension(self):
        """RFC 7643 §8.3's enterprise user keys the extension by its URN."""
        user = decode(load_sample("rfc7643-8.3-enterprise_user"), User)

        assert user.enterprise is not None
        assert user.enterprise.department == "Tour Operations"
        assert user.enterprise.manager == Manager(
            value="26118915-6090-4610-87e4-49d8ca9f808d",
            ref="https://example.com/v2/Users/26118915-6090-4610-87e4-49d8ca9f808d",
            display_name="John Smith",
        )

    def test_group_members(self):
        """RFC 7643 §8.4's group has its members with $ref."""
        group = decode(load_sample("rfc7643-8.4-group"), Group)

        assert group.display_name == "Tour Guides"
        assert [m.display for m in group.members] == ["Babs Jensen", "Mandy Pepperidge"]
        assert all(m.ref and m.ref.startswith("https://") for m in group.members)

    def test_list_response_of_users(self):
        """A ListResponse[User] decodes its Resources as users."""
        page = decode(
            load_sample("rfc7644-3.4.2-list_response-partial_attributes"),
            ListResponse[User],
        )

        assert page.total_results == 2
        assert [u.user_name for u in page.resources] == ["bjensen", "jsmith"]
        assert all(isinstance(u, User) for u in page.resources)

    def test_patch_operations(self):
        """PatchOp bodies decode their operations."""
        body = decode(
            load_sample("rfc7644-3.5.2.2-patch_op-remove_and_add_one_member"), PatchOp
        )

        assert [op.op for op in body.operations] == ["remove", "add"]
        # The RFC prints this path without a space after eq; it is kept as sent.
        assert (
            body.operations[0].path == 'members[value eq"2819c223...919d-413861904646"]'
        )
        assert body.operations[1].value == [
            {
                "display": "James Smith",
                "$ref": "https://example.com/v2/Users/08e1d05d...473d93df9210",
                "value": "08e1d05d...473d93df9210",
            }
        ]

    def test_error_status_is_a_string_on_the_wire(self):
        """An Error's status is read from a string and written back as one."""
        error = decode(load_sample("rfc7644-3.12-error-bad_request"), Error)

        assert error.status == 400
        assert error.scim_type == "mutability"
        assert encode(error)["status"] == "400"

    def test_schema_attributes_nest(self):
        """Schema attributes contain sub-attributes of the same model."""
        schema = decode(load_sample("rfc7643-8.7.1-schema-user"), Schema)
        name = next(a for a in schema.attributes if a.name == "name")

        assert isinstance(name.sub_attributes[0], SchemaAttribute)
        assert {a.name for a in name.sub_attributes} >= {"givenName", "familyName"}


class TestCaseInsensitiveNames:
    """Attribute names match without regard to case (RFC 7643 §2.1)."""

    def test_any_case(self):
        """userName, USERNAME and UserName are one attribute."""
        user = decode(
            {"USERNAME": "a", "Name": {"GIVENNAME": "b"}, "EMAILS": [{"VALUE": "c"}]},
            User,
        )

        assert user.user_name == "a"
        assert user.name == Name(given_name="b")
        assert user.emails == (Email(value="c"),)

    def test_extension_urn_in_any_case(self):
        """The enterprise URN key matches without regard to case."""
        user = decode(
            {_constants.ENTERPRISE_USER.upper(): {"Department": "Sales"}}, User
        )

        assert user.enterprise == EnterpriseUser(department="Sales")

    def test_same_attribute_twice(self):
        """An attribute given twice in different cases is reported, not guessed."""
        with pytest.raises(ValidationError) as info:
            decode({"userName": "a", "username": "b"}, User)

        assert info.value.errors == (
            FieldError("$.username", "given twice, as 'userName' and 'username'"),
        )

    def test_encode_writes_canonical_names(self):
        """Whatever case came in, the canonical names go out."""
        user = decode({"USERNAME": "a", "NickName": "b"}, User)

        assert encode(user) == {
            "schemas": [_constants.USER],
            "userName": "a",
            "nickName": "b",
        }


class TestNothingLost:
    """What the models do not know survives a decode and an encode."""

    def test_unknown_attributes(self):
        """Unknown core attributes land in extra and are written back."""
        document = {
            "schemas": [_constants.USER],
            "userName": "a",
            "favouriteColour": "teal",
            "name": {"givenName": "b", "phonetic": "bee"},
        }

        user = decode(document, User)

        assert user.extra == {"favouriteColour": "teal"}
        assert user.name is not None
        assert user.name.extra == {"phonetic": "bee"}
        assert encode(user) == document

    def test_unknown_extension(self):
        """An extension no model knows is kept by its URN, with its schema entry."""
        urn = "urn:example:params:scim:schemas:extension:acme:2.0:User"
        document = {
            "schemas": [_constants.USER, urn],
            "userName": "a",
            urn: {"badge": "1234", "clearance": {"level": 3}},
        }

        user = decode(document, User)

        assert user.extensions == {urn: {"badge": "1234", "clearance": {"level": 3}}}
        assert encode(user) == document

    def test_listed_schema_without_body(self):
        """A schema URN listed without attributes stays listed."""
        urn = "urn:example:empty"
        document = {"schemas": [_constants.USER, urn, _constants.ENTERPRISE_USER]}

        user = decode(document, User)

        assert user.extensions == {urn: {}}
        assert user.enterprise == EnterpriseUser()
        assert sorted(encode(user)["schemas"]) == sorted(document["schemas"])

    def test_schemas_inside_a_complex_attribute(self):
        """A key named schemas inside a complex attribute is just an unknown key."""
        user = decode({"name": {"schemas": ["x"]}}, User)

        assert user.name == Name(extra={"schemas": ["x"]})


class TestQuirks:
    """What real identity providers send."""

    @pytest.mark.parametrize(
        ("sent", "read"),
        [("True", True), ("False", False), ("true", True), ("FALSE", False)],
    )
    def test_boolean_strings(self, sent, read):
        """Booleans sent as strings (Entra) are read as booleans."""
        assert decode({"active": sent}, User).active is read

    def test_status_as_number_or_string(self):
        """An Error's status may be a number or a string."""
        assert decode({"status": 409}, Error).status == 409
        assert decode({"status": "409"}, Error).status == 409

    def test_null_multi_valued(self):
        """null for a multi-valued attribute means no values (JumpCloud's PUT)."""
        assert decode({"userName": "a", "emails": None}, User).emails == ()

    def test_no_resources_when_empty(self):
        """A ListResponse without Resources has an empty page."""
        page = decode(
            {"schemas": [_constants.LIST_RESPONSE], "totalResults": 0},
            ListResponse[User],
        )

        assert page.resources == ()
        assert page.total_results == 0

    def test_patch_op_name_in_any_case(self):
        """Entra's capitalised op names are read and kept in lower case."""
        body = decode(
            {"Operations": [{"op": "Replace", "path": "active", "value": False}]},
            PatchOp,
        )

        assert body.operations == (
            PatchOperation(op="replace", path="active", value=False),
        )

    def test_timestamps_in_many_spellings(self):
        """RFC 3339 timestamps with offsets and fractions are read as instants."""
        meta = decode(
            {
                "created": "2011-08-01T21:32:44.882Z",
                "lastModified": "2011-08-01T23:32:44+02:00",
            },
            Meta,
        )

        assert meta.created == dt.datetime(
            2011, 8, 1, 21, 32, 44, 882000, tzinfo=dt.UTC
        )
        assert meta.last_modified == meta.created.replace(microsecond=0)
        assert encode(meta)["created"] == "2011-08-01T21:32:44.882000Z"

    @pytest.mark.parametrize(
        ("text", "instant"),
        [
            (
                "2011-08-01t21:32:44z",
                dt.datetime(2011, 8, 1, 21, 32, 44, tzinfo=dt.UTC),
            ),
            (
                "2011-08-01T21:32:44.8820000Z",
                dt.datetime(2011, 8, 1, 21, 32, 44, 882000, tzinfo=dt.UTC),
            ),
            ("2011-08-01 21:32:44", dt.datetime(2011, 8, 1, 21, 32, 44, tzinfo=dt.UTC)),
        ],
    )
    def test_timestamp_spellings_servers_send(self, text, instant):
        """Lowercase t and z, seven fraction digits, no offset (read as UTC)."""
        assert decode({"created": text}, Meta).created == instant

    @pytest.mark.parametrize(
        "text",
        [
            "2024-01-01",
            "2024-W01-1T00:00:00Z",
            "20240101T000000Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T25:00:00Z",
            "2024-01-01T00:00Z",
            "yesterday",
        ],
    )
    def test_not_rfc3339_is_refused(self, text):
        """ISO 8601 forms that RFC 3339 does not allow are refused, with the path."""
        with pytest.raises(ValidationError) as info:
            decode({"created": text}, Meta)

        [error] = info.value.errors
        assert error.path == "$.created"
        assert error.reason.startswith("expected an RFC 3339 timestamp")

    def test_timestamp_without_zone_is_written_as_utc(self):
        """A model given a naive datetime encodes it as UTC, as decode reads one."""
        meta = Meta(created=dt.datetime(2024, 5, 1, 12, 0))  # noqa: DTZ001 -- naive on purpose

        assert encode(meta)["created"] == "2024-05-01T12:00:00Z"

    @given(data=st.data(), user=sst.users())
    def test_quirky_spelling_means_the_same(self, data, user):
        """A user spelled as IdPs spell it decodes to the same user."""
        quirky = data.draw(sst.with_quirks(encode(user), User))

        assert decode(quirky, User) == user


class TestBadInput:
    """Bad input raises ValidationError naming every bad path and why."""

    @pytest.mark.parametrize(
        ("document", "path", "reason"),
        [
            ({"userName": 5}, "$.userName", "expected a string, got 5 (number)"),
            (
                {"active": "maybe"},
                "$.active",
                'expected a boolean, got "maybe" (string)',
            ),
            ({"emails": {"value": "a"}}, "$.emails", "expected an array, got"),
            (
                {"emails": [{"value": 3}]},
                "$.emails[0].value",
                "expected a string, got 3",
            ),
            ({"emails": ["a@b"]}, "$.emails[0]", 'expected an object, got "a@b"'),
            ({"name": "Barbara"}, "$.name", "expected an object"),
            (
                {"meta": {"created": "yesterday"}},
                "$.meta.created",
                "expected an RFC 3339 timestamp",
            ),
            (
                {"meta": {"created": 5}},
                "$.meta.created",
                "expected an RFC 3339 timestamp",
            ),
            ({"schemas": "urn:x"}, "$.schemas", "expected an array of schema URNs"),
            ({"urn:example:ext": 5}, '$["urn:example:ext"]', "expected an object"),
            (
                {_constants.ENTERPRISE_USER: {"department": 7}},
                f'$["{_constants.ENTERPRISE_USER}"].department',
                "expected a string",
            ),
        ],
    )
    def test_user(self, document, path, reason):
        """Each bad value of a user is reported with its path and reason."""
        with pytest.raises(ValidationError) as info:
            decode(document, User)

        (error,) = info.value.errors
        assert error.path == path
        assert error.reason.startswith(reason)
        assert info.value.subject == "User"
        assert path in str(info.value)

    def test_every_bad_value_is_reported(self):
        """Errors do not stop at the first one."""
        with pytest.raises(ValidationError) as info:
            decode(
                {
                    "userName": 1,
                    "emails": [{"value": "a"}, {"value": 2, "primary": "x"}],
                },
                User,
            )

        assert [e.path for e in info.value.errors] == [
            "$.userName",
            "$.emails[1].value",
            "$.emails[1].primary",
        ]

    def test_message_is_bounded(self):
        """A document with many bad values gets a readable one-line message."""
        with pytest.raises(ValidationError) as info:
            decode({"emails": [{"value": i} for i in range(20)]}, User)

        assert len(info.value.errors) == 20
        assert str(info.value).endswith("; and 15 more")

    @pytest.mark.parametrize(
        ("document", "path", "reason"),
        [
            ({}, "$.status", "is required but missing"),
            ({"status": None}, "$.status", "is required but null"),
            ({"status": "teapot"}, "$.status", "expected an integer"),
            ({"status": True}, "$.status", "expected an integer"),
        ],
    )
    def test_required(self, document, path, reason):
        """A missing or null required attribute is named."""
        with pytest.raises(ValidationError) as info:
            decode(document, Error)

        assert info.value.errors[0].path == path
        assert info.value.errors[0].reason.startswith(reason)

    def test_bad_op(self):
        """An unknown PATCH op lists the allowed ones."""
        with pytest.raises(ValidationError) as info:
            decode({"Operations": [{"op": "merge"}]}, PatchOp)

        assert info.value.errors == (
            FieldError(
                "$.Operations[0].op",
                'expected one of "add", "remove", "replace", got "merge" (string)',
            ),
        )

    @pytest.mark.parametrize("document", [[], "user", 3, None, True])
    def test_not_an_object(self, document):
        """A document that is not a JSON object is refused at $."""
        with pytest.raises(ValidationError) as info:
            decode(document, User)

        assert info.value.errors[0].path == "$"

    def test_not_json(self):
        """loads names a body that is not JSON."""
        with pytest.raises(ValidationError, match=r"\$: not valid JSON"):
            loads(b"<html>oops</html>", User)

    @pytest.mark.parametrize(
        "body",
        [b'{"userName": "\\ud800"}', b'{"userName": "a\xed\xa0\x80"}', '"\ud800"'],
    )
    def test_lone_surrogate(self, body):
        """loads refuses a lone surrogate, which no UTF-8 body could carry on."""
        with pytest.raises(ValidationError, match=r"\$: it holds a lone UTF-16"):
            loads(body, User)

    def test_surrogate_pair(self):
        """An escaped surrogate pair is one character: loads keeps it."""
        user = loads(b'{"userName": "a\\ud83d\\ude00"}', User)

        assert user.user_name == "a\N{GRINNING FACE}"

    def test_validation_error_pickles(self):
        """ValidationError keeps its context through pickling."""
        with pytest.raises(ValidationError) as info:
            decode({"userName": 1}, User)

        again = pickle.loads(pickle.dumps(info.value))  # noqa: S301 -- our own bytes

        assert again.errors == info.value.errors
        assert str(again) == str(info.value)

    @given(sst.json_values(max_leaves=20))
    def test_arbitrary_json_raises_only_validation_errors(self, data):
        """Any JSON given to the decoder ends in a model or a ValidationError."""
        for cls in TOP_LEVEL:
            try:
                decode(data, cls)
            except ValidationError as e:
                errors = e.errors
            else:
                errors = ("decoded",)

            assert errors

    @given(
        st.dictionaries(
            st.sampled_from(["userName", "emails", "active", "meta", "name", "groups"]),
            sst.json_values(max_leaves=6),
        )
    )
    def test_arbitrary_values_under_known_names(self, data):
        """Arbitrary values under known attribute names never crash the decoder."""
        try:
            decode(data, User)
        except ValidationError as e:
            paths = [err.path for err in e.errors]
        else:
            paths = []

        assert all(path.startswith("$.") for path in paths)


class TestEncode:
    """Encoding models as SCIM JSON."""

    def test_absent_values_are_left_out(self):
        """None and empty tuples are not written; False is."""
        assert encode(User(user_name="a", active=False)) == {
            "schemas": [_constants.USER],
            "userName": "a",
            "active": False,
        }

    def test_schemas_follow_the_extensions(self):
        """The enterprise URN is listed only when the extension is present."""
        user = User(user_name="a", enterprise=EnterpriseUser(department="Sales"))

        assert encode(user)["schemas"] == [_constants.USER, _constants.ENTERPRISE_USER]
        assert encode(user)[_constants.ENTERPRISE_USER] == {"department": "Sales"}

    def test_request_leaves_out_read_only(self):
        """A request body has no id, meta or groups."""
        user = decode(load_sample("rfc7643-8.2-user-full"), User)

        body = encode(user, request=True)

        assert {"id", "meta", "groups"}.isdisjoint(body)
        assert body["userName"] == "bjensen@example.com"
        assert "password" in body

    def test_password_never_in_repr(self):
        """repr shows neither the password nor that one is set."""
        user = User(user_name="a", password="hunter2-secret")

        assert "hunter2-secret" not in repr(user)
        assert "password" not in repr(user)

    @pytest.mark.parametrize(
        ("user", "path"),
        [
            (User(user_name="a\ud800"), "$.userName"),
            (
                User(user_name="a", emails=(Email(value="\udfff@x"),)),
                "$.emails[0].value",
            ),
            (User(user_name="a", extra={"n\ud800": 1}), '$["n\\ud800"]'),
        ],
    )
    def test_dumps_names_a_lone_surrogate(self, user, path):
        """A value no UTF-8 body can carry raises a ValidationError with its path."""
        with pytest.raises(ValidationError) as info:
            dumps(user)

        assert [e.path for e in info.value.errors] == [path]

    def test_dumps_and_loads(self):
        """dumps writes compact UTF-8 JSON that loads reads back."""
        group = Group(display_name="Ventes à l'étranger", members=(Member(value="1"),))

        body = dumps(group)

        assert b"\\u" not in body
        assert loads(body, Group) == group

    def test_converter_is_cattrs(self):
        """The public cattrs converter structures and unstructures models."""
        user = User(user_name="a")

        assert (
            scim_ninjio.converter.structure(
                scim_ninjio.converter.unstructure(user), User
            )
            == user
        )

    def test_list_response_encodes_its_resources(self):
        """A ListResponse writes its resources as JSON objects."""
        page = ListResponse(total_results=1, resources=(User(user_name="a"),))

        assert encode(page)["Resources"] == [
            {"schemas": [_constants.USER], "userName": "a"}
        ]


class TestRoundTrip:
    """decode(encode(x)) == x for every model (hypothesis)."""

    @pytest.mark.parametrize(
        "strategy",
        [
            sst.users(),
            sst.groups(),
            sst.list_responses(),
            sst.patch_ops(),
            sst.search_requests(),
            sst.errors(),
            sst.service_provider_configs(),
            sst.resource_types(),
            sst.schemas(),
        ],
        ids=lambda s: repr(s).split("(")[0],
    )
    @given(data=st.data())
    def test_models(self, strategy, data):
        """Every model survives an encode and a decode unchanged."""
        value = data.draw(strategy)
        cls = type(value)
        if cls is ListResponse:
            cls = ListResponse[User]

        assert decode(encode(value), cls) == value
        assert decode(json.loads(dumps(value)), cls) == value


class TestEdges:
    """Smaller promises of the codec."""

    @pytest.mark.parametrize(
        "text", ["--1", "\N{SUPERSCRIPT TWO}", "1" * 5000, "1 2", "0x10", ""]
    )
    def test_integer_text_that_is_no_integer(self, text):
        """Text that is not a plain integer is a ValidationError, never ValueError."""
        with pytest.raises(ValidationError) as info:
            decode({"totalResults": text}, ListResponse[User])

        assert info.value.errors[0].path == "$.totalResults"

    def test_integral_float_is_an_integer(self):
        """2.0 is an integer in JSON's eyes."""
        assert decode({"totalResults": 2.0}, ListResponse[User]).total_results == 2

    def test_literal_must_be_a_string(self):
        """A PATCH op that is not a string is refused."""
        with pytest.raises(ValidationError, match="expected one of"):
            decode({"Operations": [{"op": 5}]}, PatchOp)

    def test_null_extension_is_absent(self):
        """An extension given as null is simply absent."""
        assert decode({"urn:example:x": None}, User).extensions == {}

    def test_list_response_of_raw_documents(self):
        """ListResponse without a type argument keeps raw JSON resources."""
        document = {"schemas": [_constants.LIST_RESPONSE], "Resources": [{"id": "1"}]}

        page = decode(document, ListResponse[Any])

        assert page.resources == ({"id": "1"},)
        assert encode(page) == document

    def test_primary_email(self):
        """primary_email prefers primary, then work, then the first address."""
        assert User().primary_email is None
        assert (
            User(
                emails=(Email(value="a"), Email(value="b", primary=True))
            ).primary_email
            == "b"
        )
        assert (
            User(emails=(Email(value="a"), Email(value="b", type="work"))).primary_email
            == "b"
        )
        assert User(emails=(Email(value="a"), Email(value="b"))).primary_email == "a"

    def test_attrs_class_without_extra(self):
        """The converter also handles attrs classes that keep no extras."""
        import attrs

        @attrs.frozen
        class Badge:
            number: str | None = None

        assert encode(Badge(number="7")) == {"number": "7"}
        assert decode({"number": "7", "colour": "red"}, Badge) == Badge(number="7")

    def test_attrs_classes_that_need_their_init(self):
        """Classes with converters, hooks or no slots are built by __init__."""
        import attrs

        @attrs.frozen
        class Shouting:
            word: str = attrs.field(converter=str.upper)

        @attrs.frozen
        class Counted:
            word: str
            size: int = attrs.field(init=False, default=0)

            def __attrs_post_init__(self):
                object.__setattr__(self, "size", len(self.word))

        @attrs.frozen(slots=False)
        class Plain:
            word: str

        @attrs.frozen
        class Fixed:
            word: str
            kind: str = attrs.field(init=False, default="noun")

        assert decode({"word": "hi"}, Shouting).word == "HI"
        assert decode({"word": "four"}, Counted).size == 4
        assert decode({"word": "hi"}, Plain) == Plain(word="hi")
        assert decode({"word": "hi"}, Fixed).kind == "noun"

    def test_request_mode_reaches_list_resources(self):
        """request=True also leaves read-only attributes out of listed resources."""
        page = ListResponse(resources=(User(id="1", user_name="a"), {"id": "2"}))

        assert encode(page, request=True)["Resources"] == [
            {"schemas": [_constants.USER], "userName": "a"},
            {"id": "2"},
        ]


def _outcome(decoder, data):
    try:
        return ("decoded", decoder(data))
    except _InvalidError as e:
        return ("invalid", e.errors)


FAST_PATH_CLASSES = [*TOP_LEVEL, Meta, Name, Email, EnterpriseUser, Schema]


class TestFastPath:
    """The compiled fast path answers exactly what the general decoder does."""

    @staticmethod
    def _both(model):
        compiled = _codec.decoder_for(model)
        return compiled, _codec.slow_decoders[model]

    @pytest.mark.parametrize("cls", FAST_PATH_CLASSES, ids=str)
    @given(data=sst.json_values(max_leaves=20))
    def test_arbitrary_json(self, cls, data):
        """On any JSON, both give the same model or the same errors."""
        fast, slow = self._both(cls)

        assert _outcome(fast, data) == _outcome(slow, data)

    @pytest.mark.parametrize(
        ("strategy", "cls"),
        [
            (sst.users(), User),
            (sst.groups(), Group),
            (sst.list_responses(), ListResponse[User]),
            (sst.patch_ops(), PatchOp),
            (sst.errors(), Error),
            (sst.service_provider_configs(), ServiceProviderConfig),
            (sst.schemas(), Schema),
        ],
        ids=lambda v: getattr(v, "__name__", repr(v).split("(")[0]),
    )
    @given(data=st.data())
    def test_models_and_their_quirky_spellings(self, strategy, cls, data):
        """Documents of valid models, plain or quirky, decode the same both ways."""
        document = encode(data.draw(strategy))
        if data.draw(st.booleans()):
            document = data.draw(sst.with_quirks(document, cls))
        fast, slow = self._both(cls)

        assert _outcome(fast, document) == _outcome(slow, document)

    @given(data=st.data(), user=sst.users())
    def test_a_value_spoilt_under_a_known_name(self, data, user):
        """A document with one value replaced by arbitrary JSON decodes alike."""
        document = encode(user)
        names = {spec.wire for spec in _codec._fields(User)[0]} | {"schemas"}
        key = data.draw(st.sampled_from(sorted(names | set(document))))
        document[key] = data.draw(
            st.one_of(
                st.none(),
                st.booleans(),
                st.integers(),
                st.floats(),
                st.sampled_from(["True", "false", "7", "2026-01-23T04:56:22Z"]),
                st.lists(st.integers(), max_size=2),
                st.dictionaries(st.sampled_from(["value", "givenName"]), st.text()),
                sst.json_values(max_leaves=6),
            )
        )
        fast, slow = self._both(User)

        assert _outcome(fast, document) == _outcome(slow, document)

    def test_canonical_documents_take_the_fast_path(self, sample, monkeypatch):
        """A document spelt as the model spells it never reaches the general loop."""
        fast, slow = self._both(User)
        taken = []
        for cls, general in list(_codec.slow_decoders.items()):
            compiled = _codec.decoder_for(cls)
            if compiled is not general:
                monkeypatch.setitem(
                    compiled.__globals__,
                    "slow",
                    lambda data, general=general, cls=cls: (
                        taken.append(cls) or general(data)
                    ),
                )
        document = sample("rfc7643-8.3-enterprise_user")

        user = fast(document)

        assert taken == []
        assert user == slow(document)
        assert user.name.given_name == "Barbara"

    def test_a_quirk_takes_the_general_loop(self):
        """A boolean sent as a string is read by the general decoder."""
        fast, _ = self._both(User)

        assert fast({"userName": "bjensen", "active": "False"}).active is False
        assert fast({"userName": "bjensen", "active": None}).active is None


class TestTimestampText:
    """UTC timestamps are written as isoformat() writes them, with a Z."""

    @given(st.datetimes(timezones=st.just(dt.UTC)))
    def test_utc_as_isoformat(self, value):
        """The fast form equals isoformat() with +00:00 written as Z."""
        expected = value.isoformat().removesuffix("+00:00") + "Z"

        assert _enc_datetime(value) == expected
        assert _dec_datetime(expected) == value

    @given(st.datetimes(timezones=st.timezones() | st.none()))
    def test_any_zone_reads_back_as_the_same_instant(self, value):
        """Any zone, or none (UTC), is written as RFC 3339 and reads back alike."""
        text = _enc_datetime(value)

        assert _TIMESTAMP.fullmatch(text), text
        assert _dec_datetime(text) == (
            value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        )
