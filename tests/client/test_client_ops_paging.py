import json
import logging

import pytest

from client_helpers import drive, error, page, scim, session, spc, user_json

from scim_ninjio import exceptions as ex
from scim_ninjio._http import Request
from scim_ninjio._ops import iterate, search
from scim_ninjio._ops._paging import MAX_EMPTY_PAGES, projection
from scim_ninjio.models import Group, User


def users(start: int, n: int) -> list[dict]:
    """Return n users' JSON, ids counting from start."""
    return [user_json(str(i)) for i in range(start, start + n)]


def ids(run) -> list[str]:
    """Return the ids of what a run emitted."""
    return [u.id for u in run.emitted]


CURSOR_SPC = spc(pagination={"cursor": True, "index": False, "defaultPageSize": 2})


class TestSearch:
    """One page of a query, by GET or POST."""

    def test_get_query_parameters(self):
        """A GET search sends every parameter, percent-encoded, in the query string."""
        run = drive(
            search(
                session(),
                User,
                filter='userName eq "b j"',
                start_index=3,
                count=10,
                sort_by="userName",
                sort_order="descending",
                attributes=("userName", "emails"),
            ),
            [page([], 0)],
        )

        request = run.requests[0]
        assert request.method == "GET"
        assert request.query == {
            "filter": 'userName eq "b j"',
            "startIndex": "3",
            "count": "10",
            "sortBy": "userName",
            "sortOrder": "descending",
            "attributes": "userName,emails",
        }
        assert "%20" in request.target
        assert "+" not in request.target

    def test_cursor_and_excluded_attributes(self):
        """An empty cursor asks for the first page (RFC 9865)."""
        run = drive(
            search(
                session(), Group, cursor="", count=5, excluded_attributes=("members",)
            ),
            [page([], 0)],
        )

        assert run.requests[0].path == "/Groups"
        assert run.requests[0].query == {
            "cursor": "",
            "count": "5",
            "excludedAttributes": "members",
        }

    def test_no_parameters(self):
        """A search without parameters sends the bare endpoint."""
        run = drive(search(session(), User), [page([user_json("1")], 1)])

        assert run.requests[0].target == "/Users"
        assert run.result.resources[0].id == "1"

    def test_post_search(self):
        """method='POST' sends a SearchRequest to /.search, retried like a GET."""
        run = drive(
            search(session(), User, filter="active eq true", count=2, method="POST"),
            [error(503), page([], 0)],
        )

        request = run.requests[0]
        assert request.target == "/Users/.search"
        assert request.idempotent
        body = json.loads(request.body)
        assert body["schemas"] == [
            "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
        ]
        assert body["filter"] == "active eq true"
        assert body["count"] == 2
        assert len(run.requests) == 2

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"start_index": 0}, "1-based"),
            ({"count": -1}, "count"),
            ({"cursor": "a", "start_index": 1}, "not both"),
            ({"sort_order": "up"}, "sort_order"),
            ({"attributes": ("a",), "excluded_attributes": ("b",)}, "not both"),
            ({"method": "PUT"}, "method"),
        ],
    )
    def test_bad_arguments(self, kwargs, match):
        """Arguments of no valid query raise LocalProtocolError before sending."""
        with pytest.raises(ex.LocalProtocolError, match=match):
            drive(search(session(), User, **kwargs), [])

    def test_error_answer_raises(self):
        """A search answered with an error raises its typed error."""
        with pytest.raises(ex.InvalidFilterError):
            drive(search(session(), User, filter="x"), [error(400, "invalidFilter")])

    def test_projection(self):
        """projection() builds the attributes or excludedAttributes query."""
        assert projection((), ()) == ""
        assert (
            projection(("userName", "name.givenName"), ())
            == "?attributes=userName,name.givenName"
        )
        assert projection((), ("groups",)) == "?excludedAttributes=groups"


class TestIndexPaging:
    """Index paging against servers that bend the rules."""

    def test_pages_until_total(self):
        """startIndex is 1-based, grows by what was received, ends at totalResults."""
        answers = [
            spc(),
            page(users(1, 2), 5),
            page(users(3, 2), 5),
            page(users(5, 1), 5),
        ]

        run = drive(iterate(session(page_size=2), User), answers)

        assert ids(run) == ["1", "2", "3", "4", "5"]
        assert [r.query.get("startIndex") for r in run.requests[1:]] == ["1", "3", "5"]
        assert {r.query.get("count") for r in run.requests[1:]} == {"2"}

    def test_streams_page_by_page(self):
        """Each page is emitted before the next one is asked for."""
        op = iterate(session(page_size=2), User)
        assert next(op).path == "/ServiceProviderConfig"
        first = op.send(spc())
        assert first.query["startIndex"] == "1"

        emitted = op.send(page(users(1, 2), 4))

        assert [u.id for u in emitted.items] == ["1", "2"]
        assert op.send(None).query["startIndex"] == "3"
        op.close()

    def test_server_caps_count(self):
        """A server that returns fewer than asked is paged by what it returned."""
        answers = [
            spc(),
            page(users(1, 3), 7),
            page(users(4, 3), 7),
            page(users(7, 1), 7),
        ]

        run = drive(iterate(session(page_size=100), User), answers)

        assert len(run.emitted) == 7
        assert [r.query["startIndex"] for r in run.requests[1:]] == ["1", "4", "7"]

    def test_server_ignores_count(self):
        """A server that returns everything at once ends the loop after one page."""
        run = drive(iterate(session(page_size=2), User), [spc(), page(users(1, 9), 9)])

        assert len(run.emitted) == 9
        assert len(run.requests) == 2

    def test_drifting_total(self):
        """The latest totalResults decides the end when it drifts between pages."""
        answers = [
            spc(),
            page(users(1, 2), 3),
            page(users(3, 2), 6),
            page(users(5, 2), 6),
        ]

        run = drive(iterate(session(page_size=2), User), answers)

        assert ids(run) == ["1", "2", "3", "4", "5", "6"]

    def test_shrinking_total(self):
        """A totalResults that shrinks below the next index ends the loop."""
        answers = [spc(), page(users(1, 2), 10), page(users(3, 2), 4)]

        run = drive(iterate(session(page_size=2), User), answers)

        assert len(run.emitted) == 4

    def test_missing_resources_ends_the_loop(self, caplog):
        """A page without Resources reads as empty and ends the loop, with a warning."""
        missing = scim(200, {"totalResults": 10})

        run = drive(
            iterate(session(page_size=2), User), [spc(), page(users(1, 2), 10), missing]
        )

        assert len(run.emitted) == 2
        assert "ended early" in caplog.text

    def test_missing_total_pages_until_empty(self):
        """Without totalResults, paging goes on until an empty page."""
        answers = [spc(), page(users(1, 2)), page(users(3, 1)), page([])]

        run = drive(iterate(session(page_size=2), User), answers)

        assert ids(run) == ["1", "2", "3"]

    def test_same_page_forever_raises(self):
        """A server that ignores startIndex and repeats its page raises, never loops."""
        same = page(users(1, 2))

        with pytest.raises(ex.RemoteProtocolError, match="ignores startIndex"):
            drive(iterate(session(page_size=2), User), [spc(), same, same])

    def test_shifted_result_is_not_emitted_twice(self):
        """A result that shifts to the next page after an insertion is emitted once."""
        answers = [
            spc(),
            page(users(1, 2), 4),
            page(users(2, 2), 5),
            page(users(4, 1), 5),
        ]

        run = drive(iterate(session(page_size=2), User), answers)

        assert ids(run) == ["1", "2", "3", "4"]

    def test_page_of_only_repeats_emits_nothing(self):
        """A page holding only results of the page before emits nothing new."""
        answers = [spc(), page(users(1, 2), 3), page(users(2, 1), 3)]

        run = drive(iterate(session(page_size=2), User), answers)

        assert ids(run) == ["1", "2"]

    def test_page_limit_stops_a_cycling_server(self, monkeypatch):
        """A server that cycles between pages hits the page limit and raises."""
        monkeypatch.setattr("scim_ninjio._ops._paging.MAX_PAGES", 4)
        a, b = page(users(1, 2)), page(users(3, 2))

        with pytest.raises(ex.RemoteProtocolError, match="more than 4 pages"):
            drive(iterate(session(page_size=2), User), [spc(), a, b, a, b])

    def test_query_is_kept_across_pages(self):
        """Filter, sorting and attributes are the same on every page."""
        answers = [spc(), page(users(1, 1), 2), page(users(2, 1), 2)]

        run = drive(
            iterate(
                session(),
                User,
                filter="active eq true",
                sort_by="userName",
                sort_order="ascending",
                attributes=("userName",),
                page_size=1,
            ),
            answers,
        )

        for request in run.requests[1:]:
            assert request.query["filter"] == "active eq true"
            assert request.query["sortBy"] == "userName"
            assert request.query["attributes"] == "userName"

    def test_page_size_comes_from_server(self):
        """Without a page size, the server's default page size is asked for."""
        config = spc(pagination={"index": True, "defaultPageSize": 25})

        run = drive(iterate(session(), User), [config, page([], 0)])

        assert run.requests[1].query["count"] == "25"


class TestCursorPaging:
    """RFC 9865 cursor paging and its loops."""

    def test_follows_next_cursor(self):
        """Cursor paging starts with an empty cursor and follows nextCursor."""
        answers = [
            CURSOR_SPC,
            page(users(1, 2), nextCursor="c2"),
            page(users(3, 2), nextCursor="c3"),
            page(users(5, 1)),
        ]

        run = drive(iterate(session(), User), answers)

        assert ids(run) == ["1", "2", "3", "4", "5"]
        assert [r.query["cursor"] for r in run.requests[1:]] == ["", "c2", "c3"]
        assert all("startIndex" not in r.query for r in run.requests[1:])

    def test_repeated_cursor_raises(self):
        """A nextCursor seen before raises instead of looping."""
        answers = [
            CURSOR_SPC,
            page(users(1, 1), nextCursor="a"),
            page(users(2, 1), nextCursor="b"),
            page(users(3, 1), nextCursor="a"),
        ]

        with pytest.raises(ex.RemoteProtocolError, match="'a' came back"):
            drive(iterate(session(), User), answers)

    def test_same_cursor_again_raises(self):
        """A nextCursor equal to the cursor just sent raises."""
        answers = [
            CURSOR_SPC,
            page(users(1, 1), nextCursor="a"),
            page(users(2, 1), nextCursor="a"),
        ]

        with pytest.raises(ex.RemoteProtocolError, match="came back"):
            drive(iterate(session(), User), answers)

    def test_empty_pages_with_cursors_are_bounded(self):
        """A run of empty pages that keep handing out cursors raises."""
        answers = [CURSOR_SPC] + [
            page([], nextCursor=f"c{i}") for i in range(MAX_EMPTY_PAGES)
        ]

        with pytest.raises(ex.RemoteProtocolError, match="empty pages"):
            drive(iterate(session(), User), answers)

    def test_an_empty_page_in_between_is_fine(self):
        """An empty page followed by results goes on."""
        answers = [CURSOR_SPC, page([], nextCursor="x"), page(users(1, 1))]

        run = drive(iterate(session(), User), answers)

        assert ids(run) == ["1"]

    def test_page_limit(self, monkeypatch):
        """Cursor paging also stops at the page limit."""
        monkeypatch.setattr("scim_ninjio._ops._paging.MAX_PAGES", 2)
        answers = [
            CURSOR_SPC,
            page(users(1, 1), nextCursor="a"),
            page(users(2, 1), nextCursor="b"),
        ]

        with pytest.raises(ex.RemoteProtocolError, match="more than 2 pages"):
            drive(iterate(session(), User), answers)

    def test_cursor_chosen_when_default(self):
        """With both modes, defaultPaginationMethod 'cursor' picks cursors."""
        config = spc(
            pagination={
                "cursor": True,
                "index": True,
                "defaultPaginationMethod": "cursor",
            }
        )

        run = drive(iterate(session(), Group), [config, page([])])

        assert run.requests[1].query["cursor"] == ""

    def test_index_chosen_when_both_and_no_default(self):
        """With both modes and no default, index paging is used."""
        config = spc(pagination={"cursor": True, "index": True})

        run = drive(iterate(session(), Group), [config, page([], 0)])

        assert run.requests[1].query["startIndex"] == "1"

    def test_expired_cursor_raises_typed_error(self):
        """An expired cursor mid-way raises ExpiredCursorError."""
        answers = [
            CURSOR_SPC,
            page(users(1, 1), nextCursor="a"),
            error(400, "expiredCursor"),
        ]

        with pytest.raises(ex.ExpiredCursorError):
            drive(iterate(session(), User), answers)

    def test_bad_page_size(self):
        """A negative page size is refused before anything is sent."""
        with pytest.raises(ex.LocalProtocolError):
            drive(iterate(session(), User, page_size=-1), [])


def test_request_without_page_size_uses_profile_default():
    """A server without a ServiceProviderConfig gets the profile's page size."""
    run = drive(iterate(session(), User), [error(404), page([], 0)])

    assert isinstance(run.requests[1], Request)
    assert run.requests[1].query["count"] == "100"


def test_warning_is_logged_once(caplog):
    """An early end is logged once at WARNING."""
    caplog.set_level(logging.WARNING)

    drive(iterate(session(page_size=2), User), [spc(), page([], 3)])

    assert len(caplog.records) == 1
