import json

import pytest

from scim_ninjio import Request
from scim_ninjio._constants import ENTERPRISE_USER, GROUP, USER
from scim_ninjio.exceptions import NotFoundError, UniquenessError
from scim_ninjio.models import Group, Member, User
from scim_ninjio.testing.emulator import (
    DEFAULT_TOKEN,
    GENERIC_PROFILE,
    Emulator,
    EmulatorProfile,
)


class TestAuthentication:
    """The bearer-token check (401)."""

    def test_missing_token(self, emulator):
        """A request without a token gets 401, a SCIM Error and a challenge."""
        answer = emulator.handle(Request("GET", "/Users"))

        assert answer.status == 401
        body = json.loads(answer.body)
        assert body["status"] == "401"
        assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        assert answer.header("www-authenticate") == 'Bearer realm="SCIM"'

    def test_wrong_token(self, caller_for, emulator):
        """A wrong token is answered 401 and says the token is invalid."""
        answer = caller_for(emulator, token="nope")("GET", "/Users")

        assert answer.status == 401
        assert "invalid_token" in answer.header("www-authenticate")
        assert "not valid" in answer.json["detail"]

    @pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Token x"])
    def test_other_schemes(self, emulator, header):
        """Only the Bearer scheme with the right token passes."""
        answer = emulator.handle(Request("GET", "/Users", {"authorization": header}))

        assert answer.status == 401

    def test_scheme_without_case(self, emulator):
        """The scheme name is compared without case (RFC 9110 section 11.1)."""
        headers = {"authorization": f"bearer  {DEFAULT_TOKEN}"}

        assert emulator.handle(Request("GET", "/Users", headers)).status == 200

    @pytest.mark.parametrize("token", ["\udcff\udcfe", "\ud800"])
    def test_token_that_is_not_text(self, emulator, token):
        """A header whose bytes were not UTF-8 is a wrong token, not a crash."""
        headers = {"authorization": f"Bearer {token}"}

        assert emulator.handle(Request("GET", "/Users", headers)).status == 401

    def test_discovery_needs_the_token(self, emulator):
        """Even /ServiceProviderConfig needs the token: a pre-flight sees a bad one."""
        answer = emulator.handle(Request("GET", "/ServiceProviderConfig"))

        assert answer.status == 401

    def test_no_token_configured(self):
        """An emulator built with token=None checks no token."""
        emulator = Emulator(token=None)

        answer = emulator.handle(Request("GET", "/Users"))

        assert answer.status == 200
        assert emulator.requests[-1].credentials == "unchecked"
        assert emulator.requests[-1].authorized

    def test_token_is_kept_nowhere(self):
        """The emulator keeps no copy of its token: not in its state, repr or log."""
        token = "a-very-secret-token-value"
        emulator = Emulator(token=token)
        emulator.handle(Request("GET", "/Users", {"authorization": f"Bearer {token}"}))
        emulator.handle(Request("GET", "/Users", {"authorization": "Bearer wrong"}))

        state = repr(vars(emulator)) + repr(emulator) + repr(emulator.requests)
        assert token not in state
        assert "wrong" not in state
        assert [r.credentials for r in emulator.requests] == ["valid", "invalid"]


class TestRequestLog:
    """The request log: everything received, never the token."""

    def test_records_every_request(self, call, emulator, clock):
        """Each request is logged with its method, target, body, status and time."""
        call("POST", "/Users", {"userName": "alice"})
        call("GET", "/Users/nope")

        first, second = emulator.requests
        assert (first.seq, first.method, first.target, first.status) == (
            1,
            "POST",
            "/Users",
            201,
        )
        assert first.json() == {"userName": "alice"}
        assert first.headers["content-type"] == "application/scim+json"
        assert "authorization" not in first.headers
        assert first.received == clock.now
        assert (second.path, second.status) == ("/Users/nope", 404)

    def test_json_of_a_bodiless_request(self, call, emulator):
        """Asking for the body of a GET says there is none."""
        call("GET", "/Users")

        with pytest.raises(ValueError, match="no body"):
            emulator.requests[0].json()

    def test_unauthorized_requests_are_logged(self, emulator):
        """Requests refused for their token are in the log too, marked missing."""
        emulator.handle(Request("GET", "/Users"))

        assert emulator.requests[0].credentials == "missing"
        assert not emulator.requests[0].authorized

    def test_bounded(self, caller_for):
        """The log keeps the most recent requests up to its size."""
        emulator = Emulator(log_size=2)
        call = caller_for(emulator)
        for _ in range(3):
            call("GET", "/Users")

        assert [r.seq for r in emulator.requests] == [2, 3]

    def test_reset(self, call, emulator):
        """reset() forgets users, groups and the log."""
        call.create_user("alice")

        emulator.reset()

        assert emulator.users == ()
        assert emulator.groups == ()
        assert emulator.requests == ()


class TestCreateUser:
    """POST /Users."""

    def test_created(self, call, clock):
        """POST /Users answers 201 with the user, its id, meta, Location and ETag."""
        answer = call("POST", "/Users", {"schemas": [USER], "userName": "alice"})

        body = answer.json
        assert answer.status == 201
        assert body["userName"] == "alice"
        assert body["schemas"] == [USER]
        location = f"http://127.0.0.1/scim/v2/Users/{body['id']}"
        assert answer.header("location") == location
        assert body["meta"] == {
            "resourceType": "User",
            "created": "2025-01-02T03:04:05.000Z",
            "lastModified": "2025-01-02T03:04:05.000Z",
            "location": location,
            "version": answer.header("etag"),
        }
        assert answer.header("etag").startswith('W/"')

    def test_unknown_attributes_survive(self, call, emulator):
        """Attributes and extensions no model knows are stored and served back."""
        body = call.create_user(
            "alice",
            favouriteColour="green",
            **{
                "urn:example:ext:1.0": {"badge": 7},
                ENTERPRISE_USER: {"costCenter": "x"},
            },
        )

        stored = emulator.document(body["id"])
        assert stored["favouriteColour"] == "green"
        assert stored["urn:example:ext:1.0"] == {"badge": 7}
        assert stored[ENTERPRISE_USER] == {"costCenter": "x"}
        assert "urn:example:ext:1.0" in stored["schemas"]

    def test_attribute_names_are_canonical(self, call):
        """Attribute names in any case are stored under their canonical name."""
        body = call.create_user("alice", DISPLAYNAME="Alice", Name={"GivenName": "A"})

        assert body["displayName"] == "Alice"
        assert body["name"] == {"givenName": "A"}

    def test_read_only_input_is_ignored(self, call):
        """A client's id, meta and groups are ignored (RFC 7643 section 2.2)."""
        body = call.create_user(
            "alice",
            id="mine",
            meta={"version": 'W/"x"'},
            groups=[{"value": "g"}],
        )

        assert body["id"] != "mine"
        assert body["meta"]["version"] != 'W/"x"'
        assert "groups" not in body or body["groups"][0]["value"] != "g"

    def test_password_never_returned(self, call, emulator):
        """A password is accepted and never served back (returned: never)."""
        body = call.create_user("alice", password="hunter2")

        assert "password" not in body
        assert "hunter2" not in json.dumps(emulator.document(body["id"]))

    @pytest.mark.parametrize("user_name", ["ALICE", "Alice", "alice"])
    def test_user_name_unique_without_case(self, call, user_name):
        """A userName that differs from another only in case: 409 uniqueness."""
        call.create_user("alice")

        answer = call("POST", "/Users", {"userName": user_name})

        assert answer.status == 409
        assert answer.json["scimType"] == "uniqueness"
        assert "alice" in answer.json["detail"].lower()

    @pytest.mark.parametrize(
        "body",
        [{}, {"userName": ""}, {"userName": "  "}, {"userName": None}],
    )
    def test_user_name_required(self, call, body):
        """A user without a userName is refused: 400 invalidValue."""
        answer = call("POST", "/Users", body)

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidValue"
        assert "userName" in answer.json["detail"]

    def test_wrong_type(self, call):
        """A value of the wrong type is refused with its path."""
        answer = call("POST", "/Users", {"userName": "a", "emails": "a@example.com"})

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidValue"
        assert "emails" in answer.json["detail"]

    @pytest.mark.parametrize(
        ("body", "detail"),
        [
            (None, "needs a JSON body"),
            (b"{not json", "not valid JSON"),
            (b"[1, 2]", "must be a JSON object"),
        ],
    )
    def test_bad_body(self, call, body, detail):
        """A missing, unparseable or non-object body is refused: 400 invalidSyntax."""
        answer = call("POST", "/Users", body)

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidSyntax"
        assert detail in answer.json["detail"]


class TestGetUser:
    """GET /Users/{id}."""

    def test_found(self, call):
        """GET /Users/{id} answers the user with its ETag."""
        created = call.create_user("alice")

        answer = call("GET", f"/Users/{created['id']}")

        assert answer.status == 200
        assert answer.json == created
        assert answer.header("etag") == created["meta"]["version"]

    def test_not_found(self, call):
        """An unknown id is answered 404 with a SCIM Error naming the id."""
        answer = call("GET", "/Users/nobody")

        assert answer.status == 404
        assert answer.json["status"] == "404"
        assert "nobody" in answer.json["detail"]

    def test_group_id_is_not_a_user(self, call):
        """A group's id under /Users is not found."""
        group = call.create_group("g")

        assert call("GET", f"/Users/{group['id']}").status == 404

    def test_if_none_match(self, call):
        """If-None-Match with the current version gives 304 (RFC 7644 3.14)."""
        created = call.create_user("alice")
        version = created["meta"]["version"]

        same = call(
            "GET", f"/Users/{created['id']}", headers={"if-none-match": version}
        )
        other = call("GET", f"/Users/{created['id']}", headers={"if-none-match": '"0"'})

        assert same.status == 304
        assert same.response.body == b""
        assert same.header("etag") == version
        assert other.status == 200


class TestReplaceUser:
    """PUT /Users/{id}."""

    def test_replaces_everything(self, call, clock):
        """PUT replaces every writable attribute; those left out are cleared."""
        created = call.create_user("alice", title="Engineer", displayName="Alice")
        clock.advance(60)

        answer = call(
            "PUT", f"/Users/{created['id']}", {"userName": "alice", "title": "Boss"}
        )

        body = answer.json
        assert answer.status == 200
        assert body["title"] == "Boss"
        assert "displayName" not in body
        assert body["meta"]["created"] == created["meta"]["created"]
        assert body["meta"]["lastModified"] == "2025-01-02T03:05:05.000Z"
        assert body["meta"]["version"] != created["meta"]["version"]
        assert answer.header("etag") == body["meta"]["version"]

    def test_id_in_body_is_ignored(self, call):
        """An id in a PUT body is read-only and ignored (Okta sends it)."""
        created = call.create_user("alice")

        answer = call(
            "PUT", f"/Users/{created['id']}", {"id": "other", "userName": "alice"}
        )

        assert answer.json["id"] == created["id"]

    def test_rename_to_taken_user_name(self, call):
        """Renaming onto another user's userName is refused: 409 uniqueness."""
        call.create_user("alice")
        bob = call.create_user("bob")

        answer = call("PUT", f"/Users/{bob['id']}", {"userName": "ALICE"})

        assert answer.status == 409
        assert answer.json["scimType"] == "uniqueness"

    def test_rename_own_case(self, call, emulator):
        """A user may change the case of its own userName."""
        alice = call.create_user("alice")

        answer = call("PUT", f"/Users/{alice['id']}", {"userName": "Alice"})

        assert answer.status == 200
        assert emulator.find_user("ALICE").user_name == "Alice"

    def test_if_match(self, call):
        """If-Match with the current version lets a PUT through; an old one: 412."""
        created = call.create_user("alice")
        path = f"/Users/{created['id']}"
        old = created["meta"]["version"]

        first = call("PUT", path, {"userName": "alice"}, {"if-match": old})
        second = call("PUT", path, {"userName": "alice"}, {"if-match": old})
        star = call("PUT", path, {"userName": "alice"}, {"if-match": "*"})

        assert first.status == 200
        assert second.status == 412
        assert "current version" in second.json["detail"]
        assert star.status == 200

    def test_not_found(self, call):
        """PUT on an unknown id is answered 404."""
        assert call("PUT", "/Users/nobody", {"userName": "x"}).status == 404


class TestDeleteUser:
    """DELETE /Users/{id}, refused by NINJIO, allowed by the generic profile."""

    @pytest.mark.rule("U5")
    def test_ninjio_never_deletes_users(self, call, emulator):
        """U5: NINJIO answers a user DELETE with 405 and keeps the user."""
        created = call.create_user("alice")

        answer = call("DELETE", f"/Users/{created['id']}")

        assert answer.status == 405
        assert answer.json["status"] == "405"
        assert "active" in answer.json["detail"]
        assert "DELETE" not in answer.header("allow")
        assert emulator.get_user(created["id"]).user_name == "alice"

    def test_generic_profile_deletes(self, caller_for):
        """The generic profile deletes a user (204) and takes it out of its groups."""
        emulator = Emulator(profile=GENERIC_PROFILE)
        call = caller_for(emulator)
        alice = call.create_user("alice")
        group = call.create_group("g", (alice["id"],))

        answer = call("DELETE", f"/Users/{alice['id']}")

        assert answer.status == 204
        assert call("GET", f"/Users/{alice['id']}").status == 404
        assert "members" not in call("GET", f"/Groups/{group['id']}").json
        assert emulator.find_user("alice") is None

    def test_if_match_on_delete(self, caller_for):
        """A DELETE with a stale If-Match is refused with 412."""
        call = caller_for(Emulator(profile=GENERIC_PROFILE))
        alice = call.create_user("alice")

        answer = call("DELETE", f"/Users/{alice['id']}", headers={"if-match": '"0"'})

        assert answer.status == 412


class TestGroups:
    """POST, PUT and DELETE on /Groups, and the members they hold."""

    def test_create_with_members(self, call, emulator):
        """POST /Groups stores the members and each user's groups show the group."""
        alice = call.create_user("alice")

        group = call.create_group("Sales", (alice["id"],))

        assert group["members"] == [
            {
                "value": alice["id"],
                "$ref": f"http://127.0.0.1/scim/v2/Users/{alice['id']}",
                "type": "User",
            }
        ]
        memberships = emulator.get_user(alice["id"]).groups
        assert (group["id"], "Sales", "direct") in {
            (g.value, g.display, g.type) for g in memberships
        }

    def test_member_display_kept(self, call):
        """A member's display is kept as the client sent it."""
        alice = call.create_user("alice")

        group = call(
            "POST",
            "/Groups",
            {"displayName": "g", "members": [{"value": alice["id"], "display": "A"}]},
        ).json

        assert group["members"][0]["display"] == "A"

    def test_unknown_member(self, call):
        """A member that names no user or group is refused: 400 invalidValue."""
        answer = call(
            "POST", "/Groups", {"displayName": "g", "members": [{"value": "ghost"}]}
        )

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidValue"
        assert "ghost" in answer.json["detail"]

    def test_member_without_value(self, call):
        """A member without a value is refused: 400 invalidValue."""
        answer = call(
            "POST", "/Groups", {"displayName": "g", "members": [{"display": "x"}]}
        )

        assert answer.status == 400
        assert "members[0]" in answer.json["detail"]

    def test_nested_group_member(self, call):
        """A group may hold another group; its type says so."""
        inner = call.create_group("inner")

        outer = call.create_group("outer", (inner["id"],))

        assert outer["members"][0]["type"] == "Group"
        assert outer["members"][0]["$ref"].endswith(f"/Groups/{inner['id']}")

    def test_display_name_required(self, call):
        """A group without a displayName is refused: 400 invalidValue."""
        answer = call("POST", "/Groups", {"schemas": [GROUP]})

        assert answer.status == 400
        assert "displayName" in answer.json["detail"]

    @pytest.mark.rule("G2")
    def test_ninjio_group_names_unique(self, call):
        """G2: NINJIO refuses a second group of one name; a client must take it over."""
        call.create_group("Sales")

        answer = call("POST", "/Groups", {"displayName": "SALES"})

        assert answer.status == 409
        assert answer.json["scimType"] == "uniqueness"
        assert "displayName" in answer.json["detail"]

    def test_generic_group_names_not_unique(self, caller_for):
        """The generic profile allows two groups of the same name."""
        call = caller_for(Emulator(profile=GENERIC_PROFILE))
        call.create_group("Sales")

        assert call("POST", "/Groups", {"displayName": "Sales"}).status == 201

    def test_replace_members(self, call, emulator):
        """PUT replaces a group's members, and users' groups follow."""
        alice = call.create_user("alice")
        bob = call.create_user("bob")
        group = call.create_group("g", (alice["id"],))

        answer = call(
            "PUT",
            f"/Groups/{group['id']}",
            {"displayName": "g2", "members": [{"value": bob["id"]}]},
        )

        assert [m["value"] for m in answer.json["members"]] == [bob["id"]]
        assert answer.json["displayName"] == "g2"
        assert group["id"] not in {
            g.value for g in emulator.get_user(alice["id"]).groups
        }
        assert group["id"] in {g.value for g in emulator.get_user(bob["id"]).groups}

    def test_delete(self, call, emulator):
        """DELETE /Groups/{id} answers 204; the group is gone from its members."""
        alice = call.create_user("alice")
        group = call.create_group("g", (alice["id"],))

        answer = call("DELETE", f"/Groups/{group['id']}")

        assert answer.status == 204
        assert call("GET", f"/Groups/{group['id']}").status == 404
        assert group["id"] not in {
            g.value for g in emulator.get_user(alice["id"]).groups
        }

    def test_deleted_group_leaves_parent(self, call):
        """Deleting a group removes it from the groups that held it."""
        inner = call.create_group("inner")
        outer = call.create_group("outer", (inner["id"],))

        call("DELETE", f"/Groups/{inner['id']}")

        assert "members" not in call("GET", f"/Groups/{outer['id']}").json

    def test_duplicate_members_kept_once(self, call):
        """A member listed twice is kept once."""
        alice = call.create_user("alice")

        group = call.create_group("g", (alice["id"], alice["id"]))

        assert len(group["members"]) == 1

    def test_put_takes_a_new_version(self, call):
        """A PUT that changes nothing still gives a new version (it was a write)."""
        group = call.create_group("g")

        answer = call("PUT", f"/Groups/{group['id']}", {"displayName": "g"})

        assert answer.json["meta"]["version"] != group["meta"]["version"]


class TestRouting:
    """Endpoints and methods."""

    @pytest.mark.parametrize(
        "target", ["/Nope", "/", "/Users/a/b", "/ResourceTypes/User/x"]
    )
    def test_unknown_endpoint(self, call, target):
        """An unknown endpoint is answered 404 with a SCIM Error."""
        answer = call("GET", target)

        assert answer.status == 404
        assert answer.json["status"] == "404"

    @pytest.mark.parametrize(
        ("method", "target", "allow"),
        [
            ("PUT", "/Users", "GET, POST"),
            ("DELETE", "/Groups", "GET, POST"),
            ("GET", "/Users/.search", "POST"),
            ("GET", "/.search", "POST"),
            ("POST", "/ServiceProviderConfig", "GET"),
            ("POST", "/ResourceTypes", "GET"),
            ("POST", "/Users/x", "GET, PUT, PATCH, DELETE"),
        ],
    )
    def test_method_not_allowed(self, call, method, target, allow):
        """A method an endpoint does not take is answered 405 with an Allow header."""
        answer = call(method, target, {})

        assert answer.status == 405
        assert answer.header("allow") == allow

    def test_endpoint_names_without_case(self, call):
        """Endpoint names are matched without case, as many servers do."""
        assert call("GET", "/users").status == 200
        assert call("GET", "/GROUPS/").status == 200

    def test_bulk_not_implemented(self, call):
        """/Bulk is answered 501: bulk is not supported."""
        answer = call("POST", "/Bulk", {})

        assert answer.status == 501
        assert "bulk" in answer.json["detail"]

    def test_percent_encoded_id(self, call, emulator):
        """A percent-encoded id in the path is decoded."""
        emulator.add_user(User(user_name="odd"), user_id="a b")

        assert call("GET", "/Users/a%20b").json["userName"] == "odd"


class TestDiscovery:
    """/ServiceProviderConfig, /ResourceTypes and /Schemas."""

    def test_service_provider_config(self, call):
        """/ServiceProviderConfig tells the truth about this emulator."""
        body = call("GET", "/ServiceProviderConfig").json

        assert body["patch"] == {"supported": True}
        assert body["etag"] == {"supported": True}
        assert body["bulk"] == {"supported": False}
        assert body["filter"] == {"supported": True, "maxResults": 100}
        assert body["pagination"]["cursor"] is True
        assert body["pagination"]["maxPageSize"] == 100
        assert body["authenticationSchemes"][0]["type"] == "oauthbearertoken"

    def test_service_provider_config_follows_profile(self, caller_for):
        """A profile without PATCH, ETags or cursors says so."""
        profile = EmulatorProfile(
            name="old",
            user_delete=True,
            placement=False,
            unique_group_names=False,
            patch=False,
            etags=False,
            cursor_paging=False,
        )
        call = caller_for(Emulator(profile=profile, max_page_size=7, cursor_timeout=30))

        body = call("GET", "/ServiceProviderConfig").json

        assert body["patch"] == {"supported": False}
        assert body["etag"] == {"supported": False}
        assert body["pagination"]["cursor"] is False
        assert body["pagination"]["maxPageSize"] == 7
        assert body["pagination"]["cursorTimeout"] == 30

    def test_resource_types(self, call):
        """/ResourceTypes lists User and Group; each is found by id."""
        listed = call("GET", "/ResourceTypes").json
        user = call("GET", "/ResourceTypes/User").json

        assert [r["id"] for r in listed["Resources"]] == ["User", "Group"]
        assert listed["totalResults"] == 2
        assert user["endpoint"] == "/Users"
        assert user["schemaExtensions"][0]["schema"] == ENTERPRISE_USER
        assert call("GET", "/ResourceTypes/Nope").status == 404

    def test_schemas(self, call):
        """/Schemas serves the User, Group and enterprise User schemas, located here."""
        listed = call("GET", "/Schemas").json
        user = call("GET", f"/Schemas/{USER}").json

        assert [s["id"] for s in listed["Resources"]] == [USER, GROUP, ENTERPRISE_USER]
        assert user["name"] == "User"
        assert user["meta"]["location"] == f"http://127.0.0.1/scim/v2/Schemas/{USER}"
        names = {a["name"] for a in user["attributes"]}
        assert {"userName", "emails", "groups"} <= names
        assert call("GET", "/Schemas/urn:nope").status == 404


class TestWithoutEtags:
    """A profile without ETags."""

    def test_no_versions(self, caller_for):
        """Without ETags, resources carry no version and If-Match is ignored."""
        profile = EmulatorProfile(
            name="plain",
            user_delete=True,
            placement=False,
            unique_group_names=False,
            etags=False,
        )
        call = caller_for(Emulator(profile=profile))
        created = call("POST", "/Users", {"userName": "alice"})
        path = f"/Users/{created.json['id']}"

        put = call("PUT", path, {"userName": "alice"}, {"if-match": '"stale"'})
        get = call("GET", path, headers={"if-none-match": "*"})

        assert created.header("etag") is None
        assert "version" not in created.json["meta"]
        assert put.status == 200
        assert get.status == 200


class TestInspection:
    """The inspection API for tests: seeding and reading without HTTP."""

    def test_add_user_is_not_logged_or_placed(self, emulator):
        """add_user seeds a user without a request and without placement (U6)."""
        user = emulator.add_user(User(user_name="boss", active=True))

        assert emulator.requests == ()
        assert emulator.get_user(user.id).groups == ()
        assert emulator.placement_of(user.id) is None
        assert emulator.find_user("BOSS") == user

    def test_add_user_from_json_with_id(self, emulator):
        """add_user takes SCIM JSON and a chosen id."""
        user = emulator.add_user({"userName": "x", "title": "T"}, user_id="u-1")

        assert user.id == "u-1"
        assert emulator.get_user("u-1").title == "T"

    def test_add_user_taken_id(self, emulator):
        """Seeding a second resource with a taken id fails clearly."""
        emulator.add_user({"userName": "x"}, user_id="u-1")

        with pytest.raises(UniquenessError, match="u-1"):
            emulator.add_group({"displayName": "g"}, group_id="u-1")

    def test_add_group(self, emulator):
        """add_group seeds a group with members; system marks NINJIO's own."""
        alice = emulator.add_user(User(user_name="alice"))

        pushed = emulator.add_group(
            Group(display_name="Pushed", members=(Member(value=alice.id),))
        )
        own = emulator.add_group({"displayName": "Own"}, system=True)

        assert [g.display_name for g in emulator.groups] == ["Pushed", "Own"]
        assert emulator.system_groups == (own,)
        assert emulator.get_group(pushed.id).members[0].value == alice.id
        assert emulator.find_group("pushed") == emulator.get_group(pushed.id)

    def test_lookups_that_find_nothing(self, emulator):
        """Lookups of unknown ids raise NotFoundError; finds return None."""
        with pytest.raises(NotFoundError, match="nobody"):
            emulator.get_user("nobody")
        with pytest.raises(NotFoundError):
            emulator.get_group("nobody")
        with pytest.raises(NotFoundError):
            emulator.document("nobody")
        assert emulator.find_user("nobody") is None
        assert emulator.find_group("nobody") is None

    def test_users_are_models(self, call, emulator):
        """users lists models in creation order, with their meta."""
        call.create_user("b")
        call.create_user("a")

        assert [u.user_name for u in emulator.users] == ["b", "a"]
        assert all(u.meta.location for u in emulator.users)

    def test_repr(self, call, emulator):
        """The repr gives the profile and the counts."""
        call.create_user("a")

        assert repr(emulator) == "<Emulator profile='ninjio' users=1 groups=1>"


class TestConfiguration:
    """The emulator's settings."""

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"max_page_size": 0}, "max_page_size"),
            ({"default_page_size": 0}, "default_page_size"),
            ({"max_page_size": 5, "default_page_size": 6}, "default_page_size"),
        ],
    )
    def test_bad_page_sizes(self, kwargs, message):
        """Page sizes must be positive and the default at most the largest."""
        from scim_ninjio.exceptions import ConfigurationError

        with pytest.raises(ConfigurationError, match=message):
            Emulator(**kwargs)

    def test_id_factory(self, caller_for):
        """Resource ids come from the id factory."""
        ids = iter(["u1", "u2"])
        call = caller_for(
            Emulator(id_factory=lambda: next(ids), profile=GENERIC_PROFILE)
        )

        assert call.create_user("a")["id"] == "u1"
        assert call.create_group("g")["id"] == "u2"

    def test_base_url(self, caller_for):
        """Locations are built on the base URL, without a trailing slash."""
        emulator = Emulator(base_url="https://scim.example.com/v2/")
        call = caller_for(emulator)

        created = call("POST", "/Users", {"userName": "a"})
        emulator.base_url = "https://other.example.com/scim/"

        assert created.header("location").startswith(
            "https://scim.example.com/v2/Users/"
        )
        assert emulator.base_url == "https://other.example.com/scim"
        assert emulator.users[0].meta.location.startswith(emulator.base_url)

    def test_naive_clock(self, caller_for):
        """A clock without a time zone is read as UTC."""
        import datetime as dt

        call = caller_for(
            Emulator(clock=lambda: dt.datetime(2024, 5, 1, 12, 0, 0, 250000))  # noqa: DTZ001 -- naive on purpose
        )

        created = call.create_user("a")

        assert created["meta"]["created"] == "2024-05-01T12:00:00.250Z"

    def test_error_without_detail(self):
        """An error body without a detail leaves it out."""
        from scim_ninjio.testing._emulator._responses import error_body

        assert json.loads(error_body(500, None, None)) == {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "500",
        }

    @pytest.mark.parametrize(
        "body", [b'{"userName": "\\ud800"}', b'{"userName": "a\xed\xa0\x80"}']
    )
    def test_lone_surrogate_in_a_body(self, emulator, body):
        """A body with a lone surrogate is invalidSyntax, and stores nothing."""
        headers = {"authorization": f"Bearer {DEFAULT_TOKEN}"}
        before = list(emulator.users)
        answer = emulator.handle(Request("POST", "/Users", headers, body))

        assert answer.status == 400
        assert json.loads(answer.body)["scimType"] == "invalidSyntax"
        assert "lone UTF-16 surrogate" in json.loads(answer.body)["detail"]
        assert list(emulator.users) == before

    def test_surrogate_pair_is_a_character(self, emulator):
        """An escaped surrogate pair is one character, and is kept."""
        headers = {"authorization": f"Bearer {DEFAULT_TOKEN}"}
        body = b'{"userName": "ada\\ud83d\\ude00"}'
        answer = emulator.handle(Request("POST", "/Users", headers, body))

        assert answer.status == 201
        assert json.loads(answer.body)["userName"] == "ada\N{GRINNING FACE}"

    def test_error_detail_with_a_surrogate(self):
        """A detail quoting a lone surrogate is shown escaped, not refused."""
        from scim_ninjio.testing._emulator._responses import error_body

        body = json.loads(error_body(400, "invalidValue", "bad \ud800"))

        assert body["detail"] == "bad \\ud800"


class TestThreads:
    """One emulator shared by threads."""

    def test_concurrent_creates(self, caller_for):
        """Threads creating users at once: every distinct name once, duplicates 409."""
        import threading

        emulator = Emulator(profile=GENERIC_PROFILE)
        call = caller_for(emulator)
        statuses = []

        def create(index):
            names = (f"user{index}", "shared")
            statuses.extend(
                call("POST", "/Users", {"userName": n}).status for n in names
            )

        threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(statuses) == [201] * 9 + [409] * 7
        assert len(emulator.users) == 9
        assert len({r.seq for r in emulator.requests}) == 16
