"""The emulator's quirks checklist: what real identity providers send."""

import urllib.parse

import attrs
import pytest

from scim_ninjio._constants import ENTERPRISE_USER, GROUP, PATCH_OP, USER
from scim_ninjio.client import NinjioClient
from scim_ninjio.exceptions import NotFoundError
from scim_ninjio.testing import DEFAULT_TOKEN
from scim_ninjio.testing.emulator import GENERIC_PROFILE, Emulator, EmulatorProfile
from scim_ninjio.transports import MemoryTransport


@pytest.fixture(params=[False, True], ids=["lenient", "strict"])
def mode(request):
    """Lenient, then strict."""
    return request.param


@pytest.fixture
def server(caller_for, mode):
    """A generic emulator (no placement noise), lenient or strict, and a caller."""
    emulator = Emulator(profile=GENERIC_PROFILE, strict=mode)
    return emulator, caller_for(emulator), mode


@pytest.fixture
def alice(server):
    """A user created by POST."""
    _, call, _ = server
    return call(
        "POST",
        "/Users",
        {"schemas": [USER], "userName": "alice", "active": True, "title": "A"},
    ).json


@pytest.fixture
def group(server, alice):
    """A group holding alice, created by POST."""
    _, call, _ = server
    return call(
        "POST",
        "/Groups",
        {
            "schemas": [GROUP],
            "displayName": "Sales",
            "members": [{"value": alice["id"]}],
        },
    ).json


def patch(call, path, *operations):
    """Send a PatchOp with these operations."""
    return call("PATCH", path, {"schemas": [PATCH_OP], "Operations": list(operations)})


def expect(answer, strict, *, status=200, scim_type="invalidValue"):
    """Lenient mode accepts (status); strict mode refuses with 400 scim_type."""
    if strict:
        assert answer.status == 400, answer.json
        assert answer.json["scimType"] == scim_type
        return None
    assert answer.status == status, answer.json
    return answer.json if answer.response.body else None


class TestCase:
    """Names in any case."""

    def test_capitalised_ops(self, server, alice):
        """Entra's "Replace"/"Add"/"Remove" are accepted; strict mode refuses them."""
        _, call, strict = server

        answer = patch(
            call,
            f"/Users/{alice['id']}",
            {"op": "Replace", "path": "title", "value": "B"},
            {"op": "Add", "path": "nickName", "value": "Al"},
            {"op": "Remove", "path": "displayName"},
        )

        body = expect(answer, strict, scim_type="invalidSyntax")
        if body is not None:
            assert (body["title"], body["nickName"]) == ("B", "Al")

    def test_attribute_names_any_case(self, server, alice):
        """Attribute names match without case, in bodies and paths (RFC 7643 2.1)."""
        _, call, _ = server

        answer = patch(
            call,
            f"/Users/{alice['id']}",
            {"op": "replace", "path": "TITLE", "value": "C"},
        )

        assert answer.status == 200
        assert answer.json["title"] == "C"


class TestBooleans:
    """Booleans written as strings."""

    @pytest.mark.parametrize(("text", "value"), [("False", False), ("true", True)])
    def test_string_boolean_in_patch(self, server, alice, text, value):
        """Entra's "False" for active is read as a boolean; strict mode refuses it."""
        _, call, strict = server

        answer = patch(
            call,
            f"/Users/{alice['id']}",
            {"op": "replace", "path": "active", "value": text},
        )

        body = expect(answer, strict)
        if body is not None:
            assert body["active"] is value

    def test_string_boolean_in_patch_without_path(self, server, alice):
        """A string boolean inside a value without path is read too."""
        _, call, strict = server

        answer = patch(
            call,
            f"/Users/{alice['id']}",
            {"op": "replace", "value": {"active": "False"}},
        )

        body = expect(answer, strict)
        if body is not None:
            assert body["active"] is False

    def test_string_boolean_in_post(self, server):
        """A string boolean in a POST body is stored as a boolean; strict refuses."""
        _, call, strict = server

        answer = call(
            "POST",
            "/Users",
            {
                "schemas": [USER],
                "userName": "bob",
                "active": "True",
                "emails": [{"value": "b@example.com", "primary": "true"}],
            },
        )

        body = expect(answer, strict, status=201)
        if body is not None:
            assert body["active"] is True
            assert body["emails"][0]["primary"] is True


class TestNulls:
    """null for multi-valued attributes."""

    def test_put_with_null_emails(self, server, alice):
        """JumpCloud's PUT with "emails": null clears them (RFC 7643 2.5)."""
        _, call, _ = server
        call(
            "PUT",
            f"/Users/{alice['id']}",
            {"schemas": [USER], "userName": "alice", "emails": [{"value": "a@x.org"}]},
        )

        answer = call(
            "PUT",
            f"/Users/{alice['id']}",
            {"schemas": [USER], "userName": "alice", "emails": None},
        )

        assert answer.status == 200
        assert "emails" not in answer.json

    def test_patch_replace_with_null(self, server, alice):
        """A replace with null for a multi-valued attribute clears it, in both modes."""
        _, call, _ = server
        patch(
            call,
            f"/Users/{alice['id']}",
            {"op": "add", "path": "emails", "value": [{"value": "a@x.org"}]},
        )

        answer = patch(
            call,
            f"/Users/{alice['id']}",
            {"op": "replace", "path": "emails", "value": None},
        )

        assert answer.status == 200
        assert "emails" not in answer.json


class TestKeysWithoutPath:
    """Dotted and URN keys in a PATCH value without path."""

    def test_dotted_keys(self, server, alice):
        """Entra's dotted keys in a value without path work; strict refuses."""
        _, call, strict = server

        answer = patch(
            call,
            f"/Users/{alice['id']}",
            {
                "op": "replace",
                "value": {"name.givenName": "Alice", "name.familyName": "A"},
            },
        )

        body = expect(answer, strict)
        if body is not None:
            assert body["name"] == {"givenName": "Alice", "familyName": "A"}

    def test_urn_qualified_keys(self, server, alice):
        """A full-URN key in a value without path writes the extension attribute."""
        _, call, strict = server

        answer = patch(
            call,
            f"/Users/{alice['id']}",
            {"op": "replace", "value": {f"{ENTERPRISE_USER}:department": "Ops"}},
        )

        body = expect(answer, strict)
        if body is not None:
            assert body[ENTERPRISE_USER] == {"department": "Ops"}

    def test_extension_object_key(self, server, alice):
        """An extension URN key with an object value is plain RFC: both modes."""
        _, call, _ = server

        answer = patch(
            call,
            f"/Users/{alice['id']}",
            {"op": "add", "value": {ENTERPRISE_USER: {"department": "Ops"}}},
        )

        assert answer.status == 200
        assert answer.json[ENTERPRISE_USER] == {"department": "Ops"}

    def test_dotted_key_in_post(self, server):
        """A dotted key in a POST body is kept as given; strict refuses it."""
        _, call, strict = server

        answer = call(
            "POST",
            "/Users",
            {"schemas": [USER], "userName": "bob", "name.givenName": "Bob"},
        )

        body = expect(answer, strict, status=201, scim_type="invalidSyntax")
        if body is not None:
            assert body["name.givenName"] == "Bob"


class TestMembers:
    """Both member-removal forms, display, duplicate adds."""

    def test_remove_by_filter(self, server, group, alice):
        """The RFC form, members[value eq "id"], removes that member."""
        _, call, _ = server

        answer = patch(
            call,
            f"/Groups/{group['id']}",
            {"op": "remove", "path": f'members[value eq "{alice["id"]}"]'},
        )

        assert answer.status == 200
        assert "members" not in answer.json

    def test_remove_by_value_list(self, server, group, alice):
        """Entra's and JumpCloud's form (members and a value list); strict refuses."""
        _, call, strict = server
        bob = call("POST", "/Users", {"schemas": [USER], "userName": "bob"}).json
        patch(
            call,
            f"/Groups/{group['id']}",
            {"op": "add", "path": "members", "value": [{"value": bob["id"]}]},
        )

        answer = patch(
            call,
            f"/Groups/{group['id']}",
            {"op": "remove", "path": "members", "value": [{"value": alice["id"]}]},
        )

        body = expect(answer, strict, scim_type="invalidSyntax")
        if body is not None:
            assert [m["value"] for m in body["members"]] == [bob["id"]]

    def test_display_in_members(self, server, alice):
        """A member's display, which the schema lacks but clients send, is kept."""
        _, call, _ = server
        group = call("POST", "/Groups", {"schemas": [GROUP], "displayName": "G"}).json

        answer = patch(
            call,
            f"/Groups/{group['id']}",
            {
                "op": "add",
                "path": "members",
                "value": [{"value": alice["id"], "display": "Alice"}],
            },
        )

        assert answer.json["members"][0]["display"] == "Alice"

    def test_duplicate_add(self, server, group, alice):
        """Adding a member already there changes nothing (RFC 7644 3.5.2.1)."""
        _, call, _ = server

        answer = patch(
            call,
            f"/Groups/{group['id']}",
            {"op": "add", "path": "members", "value": [{"value": alice["id"]}]},
        )

        assert [m["value"] for m in answer.json["members"]] == [alice["id"]]

    def test_okta_empty_replace(self, server, group):
        """Okta's "push now" on an empty group sends replace members []: no members."""
        _, call, _ = server

        answer = patch(
            call,
            f"/Groups/{group['id']}",
            {"op": "replace", "path": "members", "value": []},
        )

        assert answer.status == 200
        assert "members" not in answer.json

    def test_okta_rename_with_id(self, server, group):
        """Okta renames with a replace without path that repeats the group's id."""
        _, call, _ = server

        answer = patch(
            call,
            f"/Groups/{group['id']}",
            {"op": "replace", "value": {"id": group["id"], "displayName": "Renamed"}},
        )

        assert answer.status == 200
        assert answer.json["displayName"] == "Renamed"


class TestFilters:
    """Filters as identity providers send them."""

    def test_quoted_values(self, server, alice):
        """Filter values are JSON strings in double quotes."""
        _, call, _ = server

        body = call("GET", "/Users?filter=userName%20eq%20%22alice%22").json

        assert [r["id"] for r in body["Resources"]] == [alice["id"]]

    def test_unquoted_values_refused(self, server, alice):
        """An unquoted string gives 400 invalidFilter (tolerating it is optional)."""
        _, call, _ = server

        answer = call("GET", "/Users?filter=userName%20eq%20alice")

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidFilter"

    def test_okta_lookup(self, server, alice):
        """Okta's lookup: a userName filter with startIndex=1&count=100."""
        _, call, _ = server
        query = urllib.parse.urlencode(
            {"filter": 'userName eq "ALICE"', "startIndex": 1, "count": 100}
        )

        body = call("GET", f"/Users?{query}").json

        assert body["totalResults"] == 1
        assert body["Resources"][0]["id"] == alice["id"]

    def test_email_filter(self, server):
        """A value filter finds users by work email, without regard to case."""
        _, call, _ = server
        bob = call(
            "POST",
            "/Users",
            {
                "schemas": [USER],
                "userName": "bob",
                "emails": [{"value": "Bob@Example.com", "type": "work"}],
            },
        ).json
        query = urllib.parse.urlencode(
            {"filter": 'emails[type eq "work" and value eq "bob@example.com"]'}
        )

        body = call("GET", f"/Users?{query}").json

        assert [r["id"] for r in body["Resources"]] == [bob["id"]]

    def test_entra_sub_attribute_after_filter(self, server):
        """Entra's emails[...].value eq "x" is not RFC grammar: 400 invalidFilter."""
        _, call, _ = server
        query = urllib.parse.urlencode(
            {"filter": 'emails[type eq "work"].value eq "bob@example.com"'}
        )

        answer = call("GET", f"/Users?{query}")

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidFilter"


class TestAnswers:
    """What clients must accept in answers: status strings, 200 or 204."""

    def test_error_status_is_a_string(self, server):
        """Error bodies carry status as a JSON string, as RFC 7644 3.12 says."""
        _, call, _ = server

        body = call("GET", "/Users/nobody").json

        assert body["status"] == "404"

    def test_error_status_as_an_integer(self, caller_for):
        """A profile can write status as a number, for clients to be tested on it."""
        profile = attrs.evolve(GENERIC_PROFILE, error_status="integer")
        call = caller_for(Emulator(profile=profile))

        missing = call("GET", "/Users/nobody")

        assert missing.json["status"] == 404
        assert missing.json["detail"]

    def test_clients_read_an_integer_status(self):
        """The client reads such an error into the same typed exception."""
        profile = attrs.evolve(GENERIC_PROFILE, error_status="integer")
        emulator = Emulator(profile=profile)
        transport = MemoryTransport(emulator.handle, authorize=True)
        with (
            NinjioClient(
                "https://ninjio.example/scim/v2", DEFAULT_TOKEN, transport=transport
            ) as client,
            pytest.raises(NotFoundError) as info,
        ):
            client.get_user("nobody")

        assert info.value.status == 404

    @pytest.mark.parametrize("status", [200, 204])
    def test_patch_answer(self, caller_for, status):
        """A PATCH is answered 200 with the resource or 204, as the profile says."""
        profile = EmulatorProfile(
            name="x",
            user_delete=True,
            placement=False,
            unique_group_names=False,
            patch_status=status,
        )
        call = caller_for(Emulator(profile=profile))
        user = call.create_user("a")

        answer = patch(
            call,
            f"/Users/{user['id']}",
            {"op": "replace", "path": "active", "value": False},
        )

        assert answer.status == status
        assert bool(answer.response.body) is (status == 200)


class TestStrictBodies:
    """What only strict mode refuses in bodies."""

    def test_post_without_schemas(self, server):
        """A POST body without schemas is accepted leniently; strict mode refuses it."""
        _, call, strict = server

        answer = call("POST", "/Users", {"userName": "bob"})

        expect(answer, strict, status=201, scim_type="invalidSyntax")

    def test_patch_without_schemas(self, server, alice):
        """A PATCH body without its schema URN is accepted leniently; strict refuses."""
        _, call, strict = server

        answer = call(
            "PATCH",
            f"/Users/{alice['id']}",
            {"Operations": [{"op": "replace", "path": "title", "value": "X"}]},
        )

        expect(answer, strict, scim_type="invalidSyntax")

    def test_enterprise_extension_in_post(self, server):
        """Both modes take an enterprise extension with well-typed values."""
        _, call, _ = server

        answer = call(
            "POST",
            "/Users",
            {
                "schemas": [USER, ENTERPRISE_USER],
                "userName": "bob",
                ENTERPRISE_USER: {"department": "Ops", "manager": {"value": "x"}},
            },
        )

        assert answer.status == 201
        assert answer.json[ENTERPRISE_USER]["department"] == "Ops"

    def test_unknown_extension_in_strict_post(self, server):
        """Both modes keep an extension no schema describes, as given."""
        _, call, _ = server

        answer = call(
            "POST",
            "/Users",
            {
                "schemas": [USER, "urn:example:badge"],
                "userName": "bob",
                "urn:example:badge": {"level": 3},
            },
        )

        assert answer.status == 201
        assert answer.json["urn:example:badge"] == {"level": 3}
