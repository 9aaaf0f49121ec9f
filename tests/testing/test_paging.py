import base64

import pytest

from scim_ninjio.testing.emulator import GENERIC_PROFILE, Emulator, EmulatorProfile


@pytest.fixture
def five(caller_for, clock):
    """An emulator with five users (no placement, so no groups) and a caller."""
    emulator = Emulator(profile=GENERIC_PROFILE, max_page_size=3, clock=clock)
    call = caller_for(emulator)
    names = [call.create_user(f"user{i}")["userName"] for i in range(5)]
    return emulator, call, names


def user_names(body):
    """Return the userNames of a ListResponse."""
    return [r["userName"] for r in body["Resources"]]


class TestIndexPaging:
    """startIndex and count (RFC 7644 section 3.4.2.4)."""

    def test_first_page_by_default(self, five):
        """Without parameters the first page holds the default (largest) page size."""
        _, call, names = five

        body = call("GET", "/Users").json

        assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
        assert body["totalResults"] == 5
        assert body["startIndex"] == 1
        assert body["itemsPerPage"] == 3
        assert user_names(body) == names[:3]

    def test_start_index_and_count(self, five):
        """startIndex is 1-based and count sets the page size."""
        _, call, names = five

        body = call("GET", "/Users?startIndex=2&count=2").json

        assert user_names(body) == names[1:3]
        assert (body["startIndex"], body["itemsPerPage"]) == (2, 2)

    def test_count_capped(self, five):
        """A count above the largest page gives the largest page."""
        _, call, _ = five

        assert call("GET", "/Users?count=1000").json["itemsPerPage"] == 3

    @pytest.mark.parametrize("count", ["0", "-4"])
    def test_count_zero_or_negative(self, five, count):
        """count 0 (or negative, read as 0) gives the total and no resources."""
        _, call, _ = five

        body = call("GET", f"/Users?count={count}").json

        assert body["totalResults"] == 5
        assert body["Resources"] == []
        assert body["itemsPerPage"] == 0

    @pytest.mark.parametrize("start", ["0", "-3"])
    def test_start_index_below_one(self, five, start):
        """A startIndex below 1 is read as 1 (RFC 7644 section 3.4.2.4)."""
        _, call, names = five

        body = call("GET", f"/Users?startIndex={start}&count=1").json

        assert body["startIndex"] == 1
        assert user_names(body) == names[:1]

    def test_past_the_end(self, five):
        """A startIndex past the last result gives an empty page with the total."""
        _, call, _ = five

        body = call("GET", "/Users?startIndex=9").json

        assert body["totalResults"] == 5
        assert body["Resources"] == []

    @pytest.mark.parametrize("query", ["count=x", "startIndex=1.5", "count=inf"])
    def test_bad_numbers(self, five, query):
        """A number that is not an integer is refused: 400 invalidValue."""
        _, call, _ = five

        answer = call("GET", f"/Users?{query}")

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidValue"
        assert "integer" in answer.json["detail"]

    def test_parameter_names_without_case(self, five):
        """Query parameter names are matched without case."""
        _, call, names = five

        body = call("GET", "/Users?STARTINDEX=5&Count=1").json

        assert user_names(body) == names[4:]

    def test_empty_list(self, caller_for):
        """An empty server answers 200, an empty ListResponse (JumpCloud's check)."""
        call = caller_for(Emulator(profile=GENERIC_PROFILE))

        body = call("GET", "/Users").json

        assert body["totalResults"] == 0
        assert body["Resources"] == []

    def test_default_page_size(self, caller_for):
        """default_page_size sets the page size when a request names none."""
        emulator = Emulator(profile=GENERIC_PROFILE, default_page_size=2)
        call = caller_for(emulator)
        for i in range(3):
            call.create_user(f"u{i}")

        assert call("GET", "/Users").json["itemsPerPage"] == 2


class TestCursorPaging:
    """cursor and nextCursor (RFC 9865)."""

    def walk(self, call, first="/Users?cursor=&count=2"):
        """Follow nextCursor from the first page; return every page."""
        pages = [call("GET", first).json]
        while "nextCursor" in pages[-1]:
            pages.append(
                call("GET", f"/Users?cursor={pages[-1]['nextCursor']}&count=2").json
            )
        return pages

    def test_walks_every_result_once(self, five):
        """Following nextCursor from an empty cursor visits each user once."""
        _, call, names = five

        pages = self.walk(call)

        assert [user_names(p) for p in pages] == [names[:2], names[2:4], names[4:]]
        assert all(p["totalResults"] == 5 for p in pages)
        assert "startIndex" not in pages[0]
        assert "nextCursor" not in pages[-1]

    def test_creation_between_pages_skips_nothing(self, five):
        """Users created or deleted between pages neither skip nor repeat others."""
        _, call, names = five
        first = call("GET", "/Users?cursor=&count=2").json
        call("DELETE", f"/Users/{first['Resources'][0]['id']}")
        call.create_user("late")

        second = call("GET", f"/Users?cursor={first['nextCursor']}&count=3").json

        assert user_names(second) == [*names[2:5]]

    def test_cursor_with_another_filter(self, five):
        """A cursor sent with another query is refused: 400 invalidCursor."""
        _, call, _ = five
        first = call("GET", "/Users?cursor=&count=2").json

        answer = call("GET", f"/Users?cursor={first['nextCursor']}&sortBy=userName")

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidCursor"

    def test_cursor_for_another_resource_type(self, five):
        """A /Users cursor sent to /Groups is refused."""
        _, call, _ = five
        first = call("GET", "/Users?cursor=&count=2").json

        answer = call("GET", f"/Groups?cursor={first['nextCursor']}")

        assert answer.json["scimType"] == "invalidCursor"

    @pytest.mark.parametrize(
        "cursor",
        [
            "garbage!",
            base64.urlsafe_b64encode(b"k:x:y").decode(),
            base64.urlsafe_b64encode(b"\xff\xfe").decode(),
            base64.urlsafe_b64encode(b"z:1:abc:0").decode(),
        ],
    )
    def test_invalid_cursor(self, five, cursor):
        """A cursor the server never gave is refused: 400 invalidCursor."""
        _, call, _ = five

        answer = call("GET", f"/Users?cursor={cursor}")

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidCursor"
        assert "empty cursor" in answer.json["detail"]

    def test_expired_cursor(self, caller_for, clock):
        """A cursor older than the timeout is refused: 400 expiredCursor."""
        emulator = Emulator(
            profile=GENERIC_PROFILE, max_page_size=1, cursor_timeout=60, clock=clock
        )
        call = caller_for(emulator)
        call.create_user("a")
        call.create_user("b")
        first = call("GET", "/Users?cursor=").json
        clock.advance(61)

        answer = call("GET", f"/Users?cursor={first['nextCursor']}")

        assert answer.status == 400
        assert answer.json["scimType"] == "expiredCursor"

    @pytest.mark.parametrize("count", ["-1", "x"])
    def test_invalid_count(self, five, count):
        """A bad count with a cursor is refused: 400 invalidCount (RFC 9865)."""
        _, call, _ = five

        answer = call("GET", f"/Users?cursor=&count={count}")

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidCount"

    def test_count_above_the_largest_page(self, five):
        """Leniently, a cursor page's count above the largest page is capped."""
        _, call, _ = five

        assert call("GET", "/Users?cursor=&count=50").json["itemsPerPage"] == 3

    def test_strict_count_above_the_largest_page(self, caller_for):
        """Strictly, a cursor page's count above the largest page is refused."""
        call = caller_for(Emulator(strict=True, max_page_size=2))

        answer = call("GET", "/Users?cursor=&count=50")

        assert answer.json["scimType"] == "invalidCount"

    def test_without_cursor_support_cursor_is_ignored(self, caller_for):
        """Without cursor paging the cursor is ignored, as by an RFC 7644 server."""
        profile = EmulatorProfile(
            name="old",
            user_delete=True,
            placement=False,
            unique_group_names=False,
            cursor_paging=False,
        )
        call = caller_for(Emulator(profile=profile))
        call.create_user("a")

        body = call("GET", "/Users?cursor=").json

        assert body["startIndex"] == 1
        assert "nextCursor" not in body


class TestSearch:
    """POST /.search, per resource type and at the root."""

    def test_post_search(self, five):
        """POST /Users/.search takes the query in a SearchRequest body."""
        _, call, names = five

        body = call(
            "POST",
            "/Users/.search",
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "startIndex": 2,
                "count": 1,
            },
        ).json

        assert user_names(body) == names[1:2]

    def test_search_with_cursor(self, five):
        """A SearchRequest may page by cursor."""
        _, call, names = five

        first = call("POST", "/Users/.search", {"cursor": "", "count": 2}).json
        second = call(
            "POST", "/Users/.search", {"cursor": first["nextCursor"], "count": 2}
        ).json

        assert user_names(second) == names[2:4]

    def test_search_negative_count(self, five):
        """A negative count in a SearchRequest reads as 0; with a cursor, refused."""
        _, call, _ = five

        index = call("POST", "/Users/.search", {"count": -1}).json
        cursor = call("POST", "/Users/.search", {"cursor": "", "count": -1})

        assert index["Resources"] == []
        assert cursor.json["scimType"] == "invalidCount"

    def test_search_bad_body(self, five):
        """A body that is not a SearchRequest is refused: 400 invalidSyntax."""
        _, call, _ = five

        answer = call("POST", "/Users/.search", {"count": "many"})

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidSyntax"
        assert "count" in answer.json["detail"]

    def test_root_search(self, caller_for):
        """POST /.search searches users and groups together."""
        emulator = Emulator(profile=GENERIC_PROFILE)
        call = caller_for(emulator)
        call.create_user("alice")
        call.create_group("g")

        body = call("POST", "/.search", {}).json

        assert body["totalResults"] == 2
        assert [r["meta"]["resourceType"] for r in body["Resources"]] == [
            "User",
            "Group",
        ]

    def test_bad_sort_order(self, five):
        """An unknown sortOrder is refused: 400 invalidValue."""
        _, call, _ = five

        answer = call("GET", "/Users?sortOrder=sideways")

        assert answer.status == 400
        assert "sortOrder" in answer.json["detail"]
