import urllib.parse

import pytest

from scim_ninjio._constants import ENTERPRISE_USER, USER
from scim_ninjio.testing.emulator import GENERIC_PROFILE, Emulator


@pytest.fixture
def listing(caller_for, clock):
    """Users with names, emails and departments to sort and cut down."""
    emulator = Emulator(profile=GENERIC_PROFILE, max_page_size=2, clock=clock)
    call = caller_for(emulator)
    call.create_user(
        "carol",
        name={"givenName": "Carol", "familyName": "Adams"},
        externalId="b",
        emails=[
            {"value": "z@example.com", "type": "home"},
            {"value": "c@example.com", "type": "work", "primary": True},
        ],
        **{ENTERPRISE_USER: {"department": "Sales", "costCenter": "7"}},
    )
    clock.advance(1)
    call.create_user(
        "Alice",
        name={"givenName": "Alice", "familyName": "brown"},
        externalId="B",
        emails=[{"value": "a@example.com"}],
    )
    clock.advance(1)
    call.create_user("bob", externalId="a", **{ENTERPRISE_USER: {"department": "ops"}})
    return emulator, call


def names(call, query):
    """Return every userName of a listing, page by page."""
    pages, start = [], 1
    while True:
        body = call("GET", f"/Users?{query}&startIndex={start}").json
        pages.extend(r.get("userName") for r in body["Resources"])
        start += body["itemsPerPage"]
        if not body["Resources"] or start > body["totalResults"]:
            return pages


class TestSorting:
    """sortBy and sortOrder (RFC 7644 section 3.4.2.3)."""

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("sortBy=userName", ["Alice", "bob", "carol"]),
            ("sortBy=userName&sortOrder=descending", ["carol", "bob", "Alice"]),
            ("sortBy=USERNAME&sortOrder=Ascending", ["Alice", "bob", "carol"]),
            ("sortBy=name.familyName", ["carol", "Alice", "bob"]),
            ("sortBy=name.familyName&sortOrder=descending", ["Alice", "carol", "bob"]),
            ("sortBy=emails", ["Alice", "carol", "bob"]),
            ("sortBy=emails.value", ["Alice", "carol", "bob"]),
            (f"sortBy={ENTERPRISE_USER}:department", ["bob", "carol", "Alice"]),
            ("sortBy=department", ["bob", "carol", "Alice"]),
            ("sortBy=externalId", ["Alice", "bob", "carol"]),
            ("sortBy=meta.created&sortOrder=descending", ["bob", "Alice", "carol"]),
            ("sortBy=name", ["carol", "Alice", "bob"]),
            (f"sortBy={USER}:userName", ["Alice", "bob", "carol"]),
            ("sortBy=favourite", ["carol", "Alice", "bob"]),
        ],
    )
    def test_sort(self, listing, sort, expected):
        """sortBy follows the case rule and primary values; gaps come last."""
        _, call = listing

        assert names(call, sort) == expected

    def test_unknown_attribute_with_mixed_values(self, listing):
        """An attribute no schema knows sorts too, numbers before strings."""
        emulator, call = listing
        for user, value in zip(emulator.users, ["x", 2, None], strict=True):
            body = {"userName": user.user_name}
            if value is not None:
                body["rank"] = value
            call("PUT", f"/Users/{user.id}", body)

        assert names(call, "sortBy=rank") == ["Alice", "carol", "bob"]

    def test_sort_with_cursor_paging(self, listing):
        """Sorted results page by cursor too."""
        _, call = listing
        first = call("GET", "/Users?sortBy=userName&cursor=").json
        second = call(
            "GET", f"/Users?sortBy=userName&cursor={first['nextCursor']}"
        ).json

        assert [r["userName"] for r in first["Resources"]] == ["Alice", "bob"]
        assert [r["userName"] for r in second["Resources"]] == ["carol"]
        assert "nextCursor" not in second

    @pytest.mark.parametrize(
        "sort_by", ['emails[type eq "work"].value', "name..x", "a b"]
    )
    def test_bad_sort_by(self, listing, sort_by):
        """A sortBy that is not a plain attribute path is refused: 400 invalidValue."""
        _, call = listing

        answer = call("GET", f"/Users?{urllib.parse.urlencode({'sortBy': sort_by})}")

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidValue"
        assert "sortBy" in answer.json["detail"]

    def test_search_sorts(self, listing):
        """A SearchRequest sorts too."""
        _, call = listing

        body = call(
            "POST", "/Users/.search", {"sortBy": "userName", "sortOrder": "descending"}
        ).json

        assert [r["userName"] for r in body["Resources"]] == ["carol", "bob"]


class TestProjection:
    """attributes and excludedAttributes (RFC 7644 section 3.4.2.5)."""

    def test_rfc_7644_partial_response(self, caller_for, sample):
        """attributes=userName gives RFC 7644 3.9's answer: schemas, id, userName."""
        call = caller_for(Emulator(profile=GENERIC_PROFILE))
        user = call.create_user("bjensen", name={"givenName": "B"}, title="T")

        body = call("GET", f"/Users/{user['id']}?attributes=userName").json

        expected = sample("rfc7644-3.9-user-partial_response")
        assert body == {**expected, "id": user["id"]}

    @pytest.mark.parametrize(
        ("attributes", "expected"),
        [
            ("name.givenName", {"name": {"givenName": "Carol"}}),
            (
                "emails.value",
                {"emails": [{"value": "z@example.com"}, {"value": "c@example.com"}]},
            ),
            (
                f"{ENTERPRISE_USER}:department",
                {ENTERPRISE_USER: {"department": "Sales"}},
            ),
            (
                ENTERPRISE_USER,
                {ENTERPRISE_USER: {"department": "Sales", "costCenter": "7"}},
            ),
            (f"{USER}:externalId", {"externalId": "b"}),
            (
                "NAME.GIVENNAME, externalId",
                {"name": {"givenName": "Carol"}, "externalId": "b"},
            ),
            ("name.nickName", {}),
            ("nothing", {}),
            (
                "name, name.givenName",
                {"name": {"givenName": "Carol", "familyName": "Adams"}},
            ),
            (
                "name.givenName, name",
                {"name": {"givenName": "Carol", "familyName": "Adams"}},
            ),
            ("userName.first", {}),
        ],
    )
    def test_attributes(self, listing, attributes, expected):
        """attributes keeps only what it names, and what is always returned."""
        emulator, call = listing
        carol = emulator.find_user("carol")
        query = urllib.parse.urlencode({"attributes": attributes})

        body = call("GET", f"/Users/{carol.id}?{query}").json

        assert body.pop("id") == carol.id
        assert body.pop("schemas") == [USER, ENTERPRISE_USER]
        assert body == expected

    @pytest.mark.parametrize(
        ("excluded", "gone", "kept"),
        [
            ("emails", {"emails"}, {"name", "meta"}),
            ("emails,meta,name", {"emails", "meta", "name"}, {"userName"}),
            ("id,schemas", set(), {"id", "schemas"}),
            (ENTERPRISE_USER, {ENTERPRISE_USER}, {"userName"}),
            ("userName.first", set(), {"userName"}),
        ],
    )
    def test_excluded_attributes(self, listing, excluded, gone, kept):
        """excludedAttributes leaves out what it names, except what always goes."""
        emulator, call = listing
        carol = emulator.find_user("carol")
        query = urllib.parse.urlencode({"excludedAttributes": excluded})

        body = call("GET", f"/Users/{carol.id}?{query}").json

        assert not gone & body.keys()
        assert kept <= body.keys()

    def test_excluded_sub_attributes(self, listing):
        """Excluding sub-attributes keeps the rest of their attribute."""
        emulator, call = listing
        carol = emulator.find_user("carol")
        query = urllib.parse.urlencode(
            {
                "excludedAttributes": f"name.givenName,emails.type,emails.primary,"
                f"{ENTERPRISE_USER}:costCenter,name.familyName"
            }
        )

        body = call("GET", f"/Users/{carol.id}?{query}").json

        assert "name" not in body
        assert body["emails"] == [
            {"value": "z@example.com"},
            {"value": "c@example.com"},
        ]
        assert body[ENTERPRISE_USER] == {"department": "Sales"}

    def test_list_projection(self, listing):
        """A list applies the projection to every resource."""
        _, call = listing

        body = call("GET", "/Users?attributes=userName&count=5").json

        assert [sorted(r) for r in body["Resources"]] == [
            ["id", "schemas", "userName"]
        ] * 2

    def test_groups_without_members(self, caller_for):
        """excludedAttributes=members lists groups without their members."""
        call = caller_for(Emulator(profile=GENERIC_PROFILE))
        alice = call.create_user("alice")
        call.create_group("g", (alice["id"],))

        body = call("GET", "/Groups?excludedAttributes=members").json

        assert "members" not in body["Resources"][0]
        assert body["Resources"][0]["displayName"] == "g"

    def test_create_response_projection(self, caller_for):
        """A POST's answer honours attributes too."""
        call = caller_for(Emulator(profile=GENERIC_PROFILE))

        body = call(
            "POST", "/Users?attributes=userName", {"userName": "a", "title": "t"}
        ).json

        assert sorted(body) == ["id", "schemas", "userName"]

    def test_root_search_projection(self, caller_for):
        """A root search projects users and groups by their own schemas."""
        call = caller_for(Emulator(profile=GENERIC_PROFILE))
        call.create_user("alice", title="t")
        call.create_group("g")

        body = call(
            "POST", "/.search", {"attributes": ["userName", "displayName"]}
        ).json

        assert [sorted(r) for r in body["Resources"]] == [
            ["id", "schemas", "userName"],
            ["displayName", "id", "schemas"],
        ]
