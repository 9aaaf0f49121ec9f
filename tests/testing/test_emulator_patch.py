import pytest

from scim_ninjio._constants import ENTERPRISE_USER, PATCH_OP
from scim_ninjio.policy import NinjioSettings
from scim_ninjio.testing.emulator import GENERIC_PROFILE, Emulator, EmulatorProfile


BJENSEN = "2819c223-7f76-453a-919d-413861904646"
MANDY = "902c246b-6245-4190-8e05-00816be7344a"
JAMES = "08e1d05d-121c-4561-8b96-473d93df9210"
# Ids as some RFC examples print them, shortened with "...": seeded as they
# are, so that the examples apply unchanged.
SHORT_IDS = (
    "2819c223...919d-413861904646",
    "08e1d05d...473d93df9210",
    "2819c223-7f76-...413861904646",
)


@pytest.fixture
def rfc(caller_for, sample):
    """The RFC 7643 section 8 resources, seeded in a generic emulator."""
    emulator = Emulator(profile=GENERIC_PROFILE)
    emulator.add_user(sample("rfc7643-8.2-user-full"), user_id=BJENSEN)
    emulator.add_user({"userName": "mandy"}, user_id=MANDY)
    emulator.add_user({"userName": "james"}, user_id=JAMES)
    for index, short in enumerate(SHORT_IDS):
        emulator.add_user({"userName": f"short{index}"}, user_id=short)
    minimal = emulator.add_user({"userName": "minimal"})
    group = emulator.add_group(sample("rfc7643-8.4-group"), group_id="tour-guides")
    empty = emulator.add_group({"displayName": "Empty"})
    return (
        emulator,
        caller_for(emulator),
        {
            "user": f"/Users/{BJENSEN}",
            "minimal": f"/Users/{minimal.id}",
            "group": f"/Groups/{group.id}",
            "empty": f"/Groups/{empty.id}",
        },
    )


def patch(call, path, operations, **extra):
    """Send a PatchOp with these operations."""
    body = {"schemas": [PATCH_OP], "Operations": operations, **extra}
    return call("PATCH", path, body)


def member_ids(document):
    """Return the member ids of a group document."""
    return [m["value"] for m in document.get("members", [])]


class TestRfcExamples:
    """Every PATCH example of RFC 7644 section 3.5.2, through the emulator."""

    def test_add_emails(self, rfc, sample):
        """3.5.2.1: add without a path appends emails and sets nickName."""
        _, call, at = rfc

        answer = call(
            "PATCH", at["minimal"], sample("rfc7644-3.5.2.1-patch_op-add_emails")
        )

        assert answer.status == 200
        assert answer.json["emails"] == [{"value": "babs@jensen.org", "type": "home"}]
        assert answer.json["nickName"] == "Babs"

    def test_add_emails_already_there(self, rfc, sample):
        """3.5.2.1: adding a value that exists changes nothing."""
        _, call, at = rfc
        before = call("GET", at["user"]).json

        answer = call(
            "PATCH", at["user"], sample("rfc7644-3.5.2.1-patch_op-add_emails")
        )

        assert answer.json["emails"] == before["emails"]

    def test_add_members(self, rfc, sample):
        """3.5.2.1: add with path members adds the member, with its display."""
        _, call, at = rfc

        answer = call(
            "PATCH", at["empty"], sample("rfc7644-3.5.2.1-patch_op-add_members")
        )

        assert answer.json["members"] == [
            {
                "value": BJENSEN,
                "$ref": f"http://127.0.0.1/scim/v2/Users/{BJENSEN}",
                "type": "User",
                "display": "Babs Jensen",
            }
        ]

    def test_remove_all_members(self, rfc, sample):
        """3.5.2.2: remove with path members empties the group."""
        emulator, call, at = rfc

        answer = call(
            "PATCH", at["group"], sample("rfc7644-3.5.2.2-patch_op-remove_all_members")
        )

        assert "members" not in answer.json
        assert emulator.get_user(BJENSEN).groups == ()

    def test_remove_one_member(self, rfc, sample):
        """3.5.2.2: remove with a value filter removes that member only."""
        _, call, at = rfc
        call(
            "PATCH",
            at["group"],
            {
                "Operations": [
                    {"op": "add", "path": "members", "value": [{"value": SHORT_IDS[2]}]}
                ]
            },
        )

        answer = call(
            "PATCH", at["group"], sample("rfc7644-3.5.2.2-patch_op-remove_one_member")
        )

        assert member_ids(answer.json) == [BJENSEN, MANDY]

    def test_remove_and_add_one_member(self, rfc, sample):
        """3.5.2.2: a remove and an add in one request, applied in order."""
        _, call, at = rfc
        call(
            "PATCH",
            at["empty"],
            {
                "Operations": [
                    {"op": "add", "path": "members", "value": [{"value": SHORT_IDS[0]}]}
                ]
            },
        )

        answer = call(
            "PATCH",
            at["empty"],
            sample("rfc7644-3.5.2.2-patch_op-remove_and_add_one_member"),
        )

        assert member_ids(answer.json) == [SHORT_IDS[1]]
        assert answer.json["members"][0]["display"] == "James Smith"

    def test_remove_multi_complex_value(self, rfc, sample):
        """3.5.2.2: remove with a filter removes the matching email only."""
        _, call, at = rfc

        answer = call(
            "PATCH",
            at["user"],
            sample("rfc7644-3.5.2.2-patch_op-remove_multi_complex_value"),
        )

        assert answer.json["emails"] == [{"value": "babs@jensen.org", "type": "home"}]

    def test_replace_all_email_values(self, rfc, sample):
        """3.5.2.3: replace without a path replaces emails whole."""
        _, call, at = rfc

        answer = call(
            "PATCH",
            at["user"],
            sample("rfc7644-3.5.2.3-patch_op-replace_all_email_values"),
        )

        assert answer.json["emails"] == [
            {"value": "bjensen@example.com", "type": "work", "primary": True},
            {"value": "babs@jensen.org", "type": "home"},
        ]
        assert answer.json["nickName"] == "Babs"

    def test_replace_all_members(self, rfc, sample):
        """3.5.2.3: remove all then add gives exactly the new members."""
        emulator, call, at = rfc

        answer = call(
            "PATCH", at["group"], sample("rfc7644-3.5.2.3-patch_op-replace_all_members")
        )

        assert member_ids(answer.json) == [BJENSEN, JAMES]
        assert emulator.get_user(MANDY).groups == ()
        assert [g.value for g in emulator.get_user(JAMES).groups] == ["tour-guides"]

    def test_replace_street_address(self, rfc, sample):
        """3.5.2.3: replace through a filter and a sub-attribute changes only it."""
        _, call, at = rfc
        before = call("GET", at["user"]).json

        answer = call(
            "PATCH",
            at["user"],
            sample("rfc7644-3.5.2.3-patch_op-replace_street_address"),
        )

        work, home = answer.json["addresses"]
        assert work == {**before["addresses"][0], "streetAddress": "1010 Broadway Ave"}
        assert home == before["addresses"][1]

    def test_replace_user_work_address(self, rfc, sample):
        """3.5.2.3: replace through a filter replaces the matching value whole."""
        _, call, at = rfc
        body = sample("rfc7644-3.5.2.3-patch_op-replace_user_work_address")

        answer = call("PATCH", at["user"], body)

        assert answer.json["addresses"][0] == body["Operations"][0]["value"]
        assert answer.json["addresses"][1]["type"] == "home"


class TestSemantics:
    """What PATCH does beyond the RFC's examples."""

    def test_replace_missing_attribute_adds_it(self, rfc):
        """Replacing an attribute that is not there adds it."""
        _, call, at = rfc

        answer = patch(
            call, at["minimal"], [{"op": "replace", "path": "title", "value": "Boss"}]
        )

        assert answer.json["title"] == "Boss"

    def test_remove_attribute(self, rfc):
        """Removing an attribute clears it."""
        _, call, at = rfc

        answer = patch(call, at["user"], [{"op": "remove", "path": "title"}])

        assert "title" not in answer.json

    def test_extension_attribute(self, rfc):
        """A URN-qualified path writes into the enterprise extension and lists it."""
        _, call, at = rfc

        answer = patch(
            call,
            at["minimal"],
            [{"op": "add", "path": f"{ENTERPRISE_USER}:department", "value": "Ops"}],
        )

        assert answer.json[ENTERPRISE_USER] == {"department": "Ops"}
        assert ENTERPRISE_USER in answer.json["schemas"]

    def test_no_target(self, rfc):
        """A replace through a filter that matches nothing is refused: 400 noTarget."""
        _, call, at = rfc

        answer = patch(
            call,
            at["user"],
            [{"op": "replace", "path": 'emails[type eq "other"].value', "value": "x"}],
        )

        assert answer.status == 400
        assert answer.json["scimType"] == "noTarget"

    def test_remove_without_path(self, rfc):
        """A remove without a path is refused: 400 noTarget."""
        _, call, at = rfc

        answer = patch(call, at["user"], [{"op": "remove"}])

        assert answer.json["scimType"] == "noTarget"

    def test_atomic(self, rfc):
        """When one operation fails, none applies and the version stays."""
        _, call, at = rfc
        before = call("GET", at["user"]).json

        answer = patch(
            call,
            at["user"],
            [
                {"op": "replace", "path": "title", "value": "Changed"},
                {"op": "remove", "path": 'emails[type eq "none"]'},
            ],
        )

        assert answer.status == 400
        assert call("GET", at["user"]).json == before

    @pytest.mark.parametrize(
        "operation",
        [
            {"op": "replace", "path": "id", "value": "other"},
            {"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"},
            {"op": "add", "path": "groups", "value": [{"value": "tour-guides"}]},
        ],
    )
    def test_read_only(self, rfc, operation):
        """Changing a read-only attribute is refused: 400 mutability."""
        _, call, at = rfc

        answer = patch(call, at["user"], [operation])

        assert answer.status == 400
        assert answer.json["scimType"] == "mutability"

    def test_unknown_member(self, rfc):
        """Adding a member that names nothing stored is refused: 400 invalidValue."""
        _, call, at = rfc

        answer = patch(
            call,
            at["group"],
            [{"op": "add", "path": "members", "value": [{"value": "ghost"}]}],
        )

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidValue"
        assert "ghost" in answer.json["detail"]

    def test_user_name_uniqueness(self, rfc):
        """Renaming onto a taken userName is refused: 409 uniqueness."""
        _, call, at = rfc

        answer = patch(
            call,
            at["minimal"],
            [{"op": "replace", "path": "userName", "value": "MANDY"}],
        )

        assert answer.status == 409
        assert answer.json["scimType"] == "uniqueness"

    def test_etags(self, rfc):
        """A PATCH takes a new version; a stale If-Match is refused with 412."""
        _, call, at = rfc
        old = call("GET", at["minimal"]).json["meta"]["version"]
        operations = [{"op": "replace", "path": "title", "value": "A"}]

        first = call(
            "PATCH", at["minimal"], {"Operations": operations}, {"if-match": old}
        )
        second = call(
            "PATCH", at["minimal"], {"Operations": operations}, {"if-match": old}
        )

        assert first.status == 200
        assert first.header("etag") == first.json["meta"]["version"] != old
        assert second.status == 412

    def test_projection(self, rfc):
        """A PATCH's answer honours attributes."""
        _, call, at = rfc

        answer = patch(
            call,
            f"{at['minimal']}?attributes=title",
            [{"op": "replace", "path": "title", "value": "A"}],
        )

        assert sorted(answer.json) == ["id", "schemas", "title"]


class TestBodies:
    """PATCH bodies that are not PatchOps."""

    @pytest.mark.parametrize(
        ("body", "detail"),
        [
            ({"schemas": [PATCH_OP]}, "Operations"),
            ({"Operations": []}, "Operations"),
            ({"Operations": {"op": "add"}}, "Operations"),
            ({"Operations": ["add"]}, "Operations[0] must be an object"),
            ({"Operations": [{"op": "merge", "path": "title"}]}, "op must be"),
        ],
    )
    def test_bad_body(self, rfc, body, detail):
        """A body that is not a PatchOp is refused: 400 invalidSyntax."""
        _, call, at = rfc

        answer = call("PATCH", at["user"], body)

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidSyntax"
        assert detail in answer.json["detail"]

    def test_operations_key_without_case(self, rfc):
        """The Operations key is read without regard to case."""
        _, call, at = rfc

        answer = call(
            "PATCH",
            at["minimal"],
            {"operations": [{"op": "add", "path": "title", "value": "A"}]},
        )

        assert answer.json["title"] == "A"


class TestProfiles:
    """PATCH as the profile offers it: 200, 204 or not at all."""

    def test_204(self, caller_for):
        """A profile may answer PATCH with 204 and no body, with the new ETag."""
        profile = EmulatorProfile(
            name="terse",
            user_delete=True,
            placement=False,
            unique_group_names=False,
            patch_status=204,
        )
        call = caller_for(Emulator(profile=profile))
        user = call.create_user("a")

        answer = patch(
            call, f"/Users/{user['id']}", [{"op": "add", "path": "title", "value": "T"}]
        )
        asked = patch(
            call,
            f"/Users/{user['id']}?attributes=title",
            [{"op": "add", "path": "title", "value": "U"}],
        )

        assert answer.status == 204
        assert answer.response.body == b""
        assert answer.header("etag") is not None
        assert asked.status == 200
        assert asked.json["title"] == "U"

    def test_no_patch(self, caller_for):
        """A profile without PATCH answers 501 and says to use PUT."""
        profile = EmulatorProfile(
            name="old",
            user_delete=True,
            placement=False,
            unique_group_names=False,
            patch=False,
        )
        call = caller_for(Emulator(profile=profile))
        user = call.create_user("a")

        answer = patch(
            call, f"/Users/{user['id']}", [{"op": "add", "path": "title", "value": "T"}]
        )

        assert answer.status == 501
        assert "PUT" in answer.json["detail"]


class TestPlacementThroughPatch:
    """NINJIO's placement following PATCH requests."""

    @pytest.mark.rule("N2")
    def test_department_change(self, caller_for):
        """N2: a PATCH of the department moves the user to its group."""
        emulator = Emulator(placement=NinjioSettings(default_group=False))
        call = caller_for(emulator)
        user = call.create_user("alice", **{ENTERPRISE_USER: {"department": "Sales"}})

        patch(
            call,
            f"/Users/{user['id']}",
            [
                {
                    "op": "replace",
                    "path": f"{ENTERPRISE_USER}:department",
                    "value": "Ops",
                }
            ],
        )

        assert [g.display for g in emulator.get_user(user["id"]).groups] == ["Ops"]

    @pytest.mark.rule("N3")
    def test_membership_patch(self, caller_for):
        """N3/N4: members added and removed by PATCH leave and join Undefined."""
        emulator = Emulator(placement=NinjioSettings(default_group=False))
        call = caller_for(emulator)
        user = call.create_user("alice")
        group = call.create_group("Engineering")
        path = f"/Groups/{group['id']}"

        patch(
            call,
            path,
            [{"op": "add", "path": "members", "value": [{"value": user["id"]}]}],
        )
        placed = [g.display for g in emulator.get_user(user["id"]).groups]
        patch(
            call, path, [{"op": "remove", "path": f'members[value eq "{user["id"]}"]'}]
        )

        assert placed == ["Engineering"]
        assert [g.display for g in emulator.get_user(user["id"]).groups] == [
            "Undefined"
        ]
