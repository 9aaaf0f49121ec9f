import json

import pytest

from client_helpers import drive, error, group_json, page, scim, session, spc, user_json

from scim_ninjio import exceptions as ex
from scim_ninjio._http import Response
from scim_ninjio._ops import (
    change_members,
    create,
    deactivate_user,
    delete,
    eq,
    find_group,
    find_user,
    find_user_by_email,
    get,
    patch,
    rename_group,
    replace,
    search,
)
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.models import Group, Meta, PatchOperation, User
from scim_ninjio.profiles import GENERIC, NINJIO, ServerProfile


BJENSEN = User(user_name="bjensen", active=True)


class TestFilterEscaping:
    """Filter values can never widen a search."""

    def test_value_is_a_json_string(self):
        """eq() writes the value as a JSON string."""
        assert eq("userName", "bjensen") == 'userName eq "bjensen"'

    def test_injection_cannot_widen_the_search(self):
        """A userName crafted to close the string stays inside it."""
        crafted = 'x" or userName pr "'

        text = eq("userName", crafted)

        assert text == 'userName eq "x\\" or userName pr \\""'
        assert json.loads(text[len("userName eq ") :]) == crafted

    def test_backslashes_and_unicode(self):
        """Backslashes are escaped and non-ASCII is kept as is."""
        assert eq("displayName", "a\\b é") == 'displayName eq "a\\\\b é"'

    def test_find_user_sends_escaped_filter(self):
        """find_user puts the escaped value in the filter query."""
        crafted = 'x" or userName pr "'

        run = drive(find_user(session(), crafted), [page([], 0)])

        assert run.requests[0].query["filter"] == eq("userName", crafted)
        assert run.result is None


class TestCreate:
    """Idempotent creates."""

    @pytest.mark.rule("U2")
    def test_created(self):
        """A 201 gives the new resource, not adopted (U2)."""
        run = drive(create(session(), BJENSEN), [scim(201, user_json("1", "bjensen"))])

        assert run.result.resource.id == "1"
        assert run.result.adopted is False
        request = run.requests[0]
        assert request.method == "POST"
        assert request.target == "/Users"
        assert json.loads(request.body)["userName"] == "bjensen"
        assert request.header("content-type") == "application/scim+json"

    def test_read_only_attributes_are_not_sent(self):
        """id and meta are left out of the create body."""
        user = User(id="x", user_name="b", meta=Meta(version="W/1"))

        run = drive(create(session(), user), [scim(201, user_json("1", "b"))])

        body = json.loads(run.requests[0].body)
        assert "id" not in body
        assert "meta" not in body

    @pytest.mark.rule("U2")
    def test_conflict_adopts_existing(self):
        """A 409 uniqueness is followed by a lookup; the user is adopted (U2)."""
        answers = [error(409, "uniqueness"), page([user_json("7", "BJensen")], 1)]

        run = drive(create(session(), BJENSEN), answers)

        assert run.result.resource.id == "7"
        assert run.result.adopted is True
        assert run.requests[1].query["filter"] == 'userName eq "bjensen"'

    def test_conflict_without_match_raises(self):
        """A 409 whose lookup finds nothing raises the conflict."""
        with pytest.raises(ex.UniquenessError):
            drive(create(session(), BJENSEN), [error(409, "uniqueness"), page([], 0)])

    @pytest.mark.parametrize(
        "lost", [ex.ReadTimeoutError("t"), ex.ConnectionDroppedError("d")]
    )
    def test_lost_answer_reads_state_and_adopts(self, lost):
        """After a timeout or drop, the user is looked up and adopted."""
        answers = [lost, page([user_json("9", "bjensen")], 1)]

        run = drive(create(session(), BJENSEN), answers)

        assert run.result.adopted is True
        assert run.result.resource.id == "9"
        assert [r.method for r in run.requests] == ["POST", "GET"]

    def test_lost_answer_with_nothing_found_sends_again(self):
        """When the lookup after a lost answer finds nothing, it is sent again."""
        answers = [
            ex.ReadTimeoutError("t"),
            page([], 0),
            scim(201, user_json("1", "bjensen")),
        ]

        run = drive(create(session(), BJENSEN), answers)

        assert run.result.adopted is False
        assert [r.method for r in run.requests] == ["POST", "GET", "POST"]

    def test_lost_answers_are_bounded(self):
        """Lost answers past the policy's attempts are raised."""
        policy = RetryPolicy(attempts=2, wait=False)
        answers = [ex.ReadTimeoutError("t"), page([], 0)] * 2

        with pytest.raises(ex.ReadTimeoutError):
            drive(create(session(policy=policy), BJENSEN), answers)

    def test_rate_limited_create_is_retried(self):
        """A 429 on create is retried after the server's Retry-After."""
        policy = RetryPolicy()
        answers = [error(429, retry_after="2"), scim(201, user_json("1", "bjensen"))]

        run = drive(create(session(policy=policy), BJENSEN), answers)

        assert [s.seconds for s in run.sleeps] == [2.0]
        assert run.result.resource.id == "1"

    def test_server_error_on_create_is_not_retried(self):
        """A 500 on create raises ServerError without a second POST."""
        with pytest.raises(ex.ServerError):
            drive(create(session(), BJENSEN), [error(500)])

    @pytest.mark.rule("G2")
    def test_group_conflict_takes_over_by_display_name(self):
        """A conflicting group create takes over the group by name (G2)."""
        answers = [error(409, "uniqueness"), page([group_json("g1", "Sales")], 1)]

        run = drive(create(session(), Group(display_name="Sales")), answers)

        assert run.result.adopted
        assert run.requests[1].path == "/Groups"
        assert run.requests[1].query["filter"] == 'displayName eq "Sales"'

    def test_nameless_resources_cannot_be_looked_up(self):
        """Without a name to look up, the conflict is raised."""
        with pytest.raises(ex.ConflictError):
            drive(create(session(), User()), [error(409)])
        with pytest.raises(ex.ConflictError):
            drive(create(session(), Group()), [error(409)])


class TestGetReplacePatch:
    """Reading and changing one resource."""

    def test_get_escapes_the_id(self):
        """An id with reserved characters is one escaped path segment."""
        run = drive(get(session(), User, "a/b c"), [scim(200, user_json("a/b c"))])

        assert run.requests[0].target == "/Users/a%2Fb%20c"

    def test_get_with_projection(self):
        """get() sends attributes as a query."""
        run = drive(
            get(session(), User, "1", attributes=("userName",)),
            [scim(200, user_json("1"))],
        )

        assert run.requests[0].target == "/Users/1?attributes=userName"

    @pytest.mark.parametrize("bad", ["", None, 5])
    def test_bad_id(self, bad):
        """An empty or non-string id raises LocalProtocolError before sending."""
        with pytest.raises(ex.LocalProtocolError, match="non-empty string"):
            drive(get(session(), User, bad), [])

    def test_get_not_found(self):
        """A 404 raises NotFoundError."""
        with pytest.raises(ex.NotFoundError):
            drive(get(session(), User, "1"), [error(404)])

    def test_etag_header_fills_meta_version(self):
        """An ETag header fills meta.version when the body leaves it out."""
        run = drive(
            get(session(), User, "1"), [scim(200, user_json("1"), etag='W/"3"')]
        )

        assert run.result.meta.version == 'W/"3"'

    def test_etag_header_keeps_body_version(self):
        """A version in the body wins over the header."""
        body = user_json("1", meta={"version": 'W/"body"', "resourceType": "User"})

        run = drive(get(session(), User, "1"), [scim(200, body, etag='W/"hdr"')])

        assert run.result.meta.version == 'W/"body"'
        assert run.result.meta.resource_type == "User"

    def test_etag_header_with_meta_without_version(self):
        """meta without a version takes the header's."""
        body = user_json("1", meta={"resourceType": "User"})

        run = drive(get(session(), User, "1"), [scim(200, body, etag='"7"')])

        assert run.result.meta.version == '"7"'
        assert run.result.meta.resource_type == "User"

    def test_replace_sends_if_match_when_etags_supported(self):
        """PUT carries If-Match with meta.version when the server supports ETags."""
        user = User(id="1", user_name="b", meta=Meta(version='W/"2"'))

        run = drive(
            replace(session(), user), [spc(etag=True), scim(200, user_json("1", "b"))]
        )

        put = run.requests[1]
        assert put.method == "PUT"
        assert put.target == "/Users/1"
        assert put.header("if-match") == 'W/"2"'

    @pytest.mark.parametrize("etag", [True, False])
    def test_deactivate_and_rename_send_if_match_with_a_version(self, etag):
        """A version given to deactivate or rename goes out as If-Match (ETags on)."""
        deactivated = drive(
            deactivate_user(session(), "1", version='W/"4"'),
            [spc(etag=etag), scim(200, user_json("1", active=False))],
        )
        renamed = drive(
            rename_group(session(), "g", "Ops", version='W/"9"'),
            [spc(etag=etag), scim(200, group_json("g", "Ops"))],
        )

        sent = [deactivated.requests[1], renamed.requests[1]]
        assert [r.method for r in sent] == ["PATCH", "PATCH"]
        expected = ['W/"4"', 'W/"9"'] if etag else [None, None]
        assert [r.header("if-match") for r in sent] == expected

    def test_replace_without_etag_support_sends_no_if_match(self):
        """Without ETag support, no If-Match is sent."""
        user = User(id="1", user_name="b", meta=Meta(version='W/"2"'))

        run = drive(
            replace(session(), user), [spc(etag=False), scim(200, user_json("1", "b"))]
        )

        assert run.requests[1].header("if-match") is None

    def test_replace_needs_an_id(self):
        """Replacing a resource without an id raises LocalProtocolError."""
        with pytest.raises(ex.LocalProtocolError):
            drive(replace(session(), User(user_name="b")), [])

    def test_replace_precondition_failed(self):
        """A 412 raises PreconditionFailedError."""
        user = User(id="1", meta=Meta(version="v"))

        with pytest.raises(ex.PreconditionFailedError):
            drive(replace(session(), user), [spc(etag=True), error(412)])

    def test_patch_body_and_if_match(self):
        """PATCH sends a PatchOp body and If-Match with the given version."""
        ops = [PatchOperation(op="replace", path="title", value="CEO")]

        run = drive(
            patch(session(), User, "1", ops, version='W/"5"'),
            [spc(etag=True), scim(200, user_json("1", title="CEO"))],
        )

        request = run.requests[1]
        body = json.loads(request.body)
        assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
        assert body["Operations"] == [
            {"op": "replace", "path": "title", "value": "CEO"}
        ]
        assert request.header("if-match") == 'W/"5"'
        assert run.result.title == "CEO"

    @pytest.mark.parametrize("answer", [Response(204), Response(200)])
    def test_patch_without_body_returns_none(self, answer):
        """A 204, or a 200 without a body, gives None."""
        ops = [PatchOperation(op="replace", path="title", value="CEO")]

        run = drive(patch(session(), User, "1", ops), [spc(), answer])

        assert run.result is None

    def test_patch_needs_operations(self):
        """A PATCH without operations is refused before sending."""
        with pytest.raises(ex.LocalProtocolError, match="at least one operation"):
            drive(patch(session(), User, "1", []), [])

    @pytest.mark.rule("U3")
    def test_patch_becomes_put_when_server_has_no_patch(self):
        """U3: without PATCH support, the operations are applied here and PUT."""
        ops = [
            PatchOperation(op="replace", path="title", value="Tour Guide"),
            PatchOperation(op="remove", path="nickName"),
        ]
        answers = [
            spc(patch=False, etag=True),
            scim(200, user_json("1", "b", nickName="Babs", meta={"version": "v1"})),
            scim(200, user_json("1", "b", title="Tour Guide")),
        ]

        run = drive(patch(session(), User, "1", ops), answers)

        assert [r.method for r in run.requests] == ["GET", "GET", "PUT"]
        sent = json.loads(run.requests[2].body)
        assert sent["title"] == "Tour Guide"
        assert "nickName" not in sent
        assert sent["userName"] == "b"
        assert run.requests[2].header("if-match") == "v1"
        assert run.result.title == "Tour Guide"

    def test_patch_that_cannot_apply_sends_no_put(self):
        """Operations that do not apply to the resource as read: nothing written."""
        ops = [PatchOperation(op="replace", path='emails[type eq "home"].value')]
        answers = [spc(patch=False), scim(200, user_json("1", "b"))]

        with pytest.raises(ex.LocalProtocolError, match="PUT /Users/1 was not sent"):
            drive(patch(session(), User, "1", ops), answers)

    def test_patch_lost_answer_without_check_is_raised(self):
        """A lost PATCH answer with no way to check it is raised, not resent."""
        ops = [PatchOperation(op="replace", path="title", value="x")]

        with pytest.raises(ex.ReadTimeoutError):
            drive(patch(session(), User, "1", ops), [spc(), ex.ReadTimeoutError("t")])

    def test_patch_is_not_retried_on_500(self):
        """PATCH meets a 500 once: ServerError, no second PATCH."""
        ops = [PatchOperation(op="replace", path="title", value="x")]

        with pytest.raises(ex.ServerError):
            drive(patch(session(), User, "1", ops), [spc(), error(500)])


class TestDelete:
    """Deleting, where the profile allows it."""

    @pytest.mark.rule("U5")
    def test_ninjio_never_deletes_users(self):
        """The NINJIO profile refuses DELETE /Users before anything is sent (U5)."""
        op = delete(session(profile=NINJIO), User, "1")

        with pytest.raises(
            ex.OperationNotAllowedError, match="never deletes users"
        ) as info:
            next(op)

        assert info.value.operation == "DELETE /Users/1"
        assert info.value.profile == "NINJIO"
        assert "deactivate" in str(info.value)

    def test_generic_deletes_users(self):
        """The generic profile sends DELETE /Users/{id}."""
        run = drive(delete(session(profile=GENERIC), User, "1"), [Response(204)])

        assert run.requests[0].method == "DELETE"
        assert run.requests[0].target == "/Users/1"

    def test_groups_are_deleted_under_ninjio(self):
        """Groups may be deleted under the NINJIO profile (G6)."""
        run = drive(delete(session(), Group, "g"), [Response(204)])

        assert run.requests[0].target == "/Groups/g"

    def test_delete_not_found(self):
        """A DELETE of something missing raises NotFoundError."""
        with pytest.raises(ex.NotFoundError):
            drive(delete(session(), Group, "g"), [error(404)])

    def test_retried_delete_that_finds_nothing_is_done(self):
        """A 404 after a retried DELETE means the first one got through."""
        run = drive(
            delete(session(), Group, "g"), [ex.ConnectionDroppedError("x"), error(404)]
        )

        assert run.result is None
        assert len(run.requests) == 2


class TestFind:
    """Lookups by userName, email and displayName."""

    def test_case_insensitive_match(self):
        """find_user matches userName without regard to case."""
        run = drive(
            find_user(session(), "BJensen"), [page([user_json("1", "bjensen")], 1)]
        )

        assert run.result.id == "1"

    def test_filter_ignored_by_server(self):
        """When a server ignores the filter, only a real match is returned."""
        everyone = page([user_json("1", "alice"), user_json("2", "bjensen")], 2)

        run = drive(find_user(session(), "bjensen"), [everyone])

        assert run.result.id == "2"

    def test_nothing_found(self):
        """No match gives None."""
        run = drive(find_user(session(), "x"), [page([user_json("1", "alice")], 1)])

        assert run.result is None

    def test_scim_404_is_none(self):
        """A SCIM 404 for a lookup means none."""
        run = drive(find_user(session(), "x"), [error(404)])

        assert run.result is None

    def test_html_404_is_not_none(self):
        """A non-SCIM 404 (a wrong URL) raises, never passes for "no such user"."""
        html = Response(404, {"content-type": "text/html"}, b"<html>Not Found</html>")

        with pytest.raises(ex.RemoteProtocolError):
            drive(find_user(session(), "x"), [html])

    @pytest.mark.rule("U2")
    def test_by_email(self):
        """find_user_by_email filters on emails.value and matches without case (U2)."""
        found = user_json("1", emails=[{"value": "B@Example.com", "type": "work"}])

        run = drive(find_user_by_email(session(), "b@example.com"), [page([found], 1)])

        assert run.requests[0].query["filter"] == 'emails.value eq "b@example.com"'
        assert run.result.id == "1"

    def test_by_email_falls_back_to_value_filter(self):
        """A server that refuses emails.value is asked with emails[value eq ...]."""
        found = user_json("1", emails=[{"value": "b@example.com"}])
        answers = [error(400, "invalidFilter"), page([found], 1)]

        run = drive(find_user_by_email(session(), "b@example.com"), answers)

        assert run.requests[1].query["filter"] == 'emails[value eq "b@example.com"]'
        assert run.result.id == "1"

    def test_group_by_display_name(self):
        """find_group filters on displayName and matches without case."""
        run = drive(
            find_group(session(), "sales"), [page([group_json("g", "Sales")], 1)]
        )

        assert run.result.id == "g"
        assert run.requests[0].query["filter"] == 'displayName eq "sales"'

    def test_group_spelt_exactly_wins(self):
        """Of several groups equal without case, the exact spelling is found."""
        groups = [group_json("g1", "SALES"), group_json("g2", "Sales")]

        run = drive(find_group(session(), "Sales"), [page(groups, 2)])

        assert run.result.id == "g2"

    def test_first_group_equal_without_case_when_none_is_exact(self):
        """Without an exact spelling, the first match without case is found."""
        groups = [group_json("g1", "SALES"), group_json("g2", "sAles")]

        run = drive(find_group(session(), "Sales"), [page(groups, 2)])

        assert run.result.id == "g1"


class TestDeactivate:
    """Deactivation, by PATCH or PUT."""

    @pytest.mark.rule("U5")
    def test_patch_active_false(self):
        """Deactivation under NINJIO is PATCH replace active=false (U5)."""
        answers = [spc(), scim(200, user_json("1", active=False))]

        run = drive(deactivate_user(session(), "1"), answers)

        body = json.loads(run.requests[1].body)
        assert run.requests[1].method == "PATCH"
        assert body["Operations"] == [
            {"op": "replace", "path": "active", "value": False}
        ]
        assert run.result.active is False

    def test_put_profile(self):
        """A PUT profile reads the user and writes it back inactive."""
        profile = ServerProfile(name="put", deactivation="put")
        answers = [
            spc(),
            scim(200, user_json("1", "b", active=True)),
            scim(200, user_json("1", "b", active=False)),
        ]

        run = drive(deactivate_user(session(profile=profile), "1"), answers)

        assert [r.method for r in run.requests] == ["GET", "GET", "PUT"]
        assert json.loads(run.requests[2].body)["active"] is False

    def test_no_patch_support_falls_back_to_put(self):
        """A server without PATCH gets a PUT with active=false."""
        answers = [
            spc(patch=False),
            scim(200, user_json("1", "b", active=True)),
            scim(200, user_json("1", "b")),
        ]

        run = drive(deactivate_user(session(), "1"), answers)

        assert run.requests[2].method == "PUT"

    def test_put_retried_when_changed_meanwhile(self):
        """A 412 on the PUT reads the user again and writes again."""
        answers = [
            spc(patch=False, etag=True),
            scim(200, user_json("1", "b", meta={"version": "v1"})),
            error(412),
            scim(200, user_json("1", "b", meta={"version": "v2"})),
            scim(200, user_json("1", "b")),
        ]

        run = drive(deactivate_user(session(), "1"), answers)

        assert [r.header("if-match") for r in run.requests if r.method == "PUT"] == [
            "v1",
            "v2",
        ]

    def test_put_gives_up_after_three_rounds(self):
        """Three 412 in a row raise PreconditionFailedError."""
        answers = [spc(patch=False, etag=True)] + [
            scim(200, user_json("1", "b")),
            error(412),
        ] * 3

        with pytest.raises(ex.PreconditionFailedError):
            drive(deactivate_user(session(), "1"), answers)

    def test_lost_patch_answer_checks_state(self):
        """A lost deactivation answer is checked by reading the user."""
        answers = [
            spc(),
            ex.ReadTimeoutError("t"),
            scim(200, user_json("1", active=False)),
        ]

        run = drive(deactivate_user(session(), "1"), answers)

        assert [r.method for r in run.requests] == ["GET", "PATCH", "GET"]
        assert run.result.active is False

    def test_lost_patch_answer_not_applied_is_resent(self):
        """When the read-back shows no change, the PATCH is sent once more."""
        answers = [
            spc(),
            ex.ConnectionDroppedError("d"),
            scim(200, user_json("1", active=True)),
            Response(204),
        ]

        run = drive(deactivate_user(session(), "1"), answers)

        assert [r.method for r in run.requests] == ["GET", "PATCH", "GET", "PATCH"]
        assert run.result is None


class TestGroups:
    """Renames and membership changes."""

    @pytest.mark.rule("G4")
    def test_rename_by_patch(self):
        """A rename is PATCH replace displayName (G4)."""
        run = drive(rename_group(session(), "g", "New"), [spc(), Response(204)])

        body = json.loads(run.requests[1].body)
        assert body["Operations"] == [
            {"op": "replace", "path": "displayName", "value": "New"}
        ]

    def test_rename_lost_answer_checks_name(self):
        """A lost rename answer is checked on the group's displayName."""
        answers = [spc(), ex.ReadTimeoutError("t"), scim(200, group_json("g", "New"))]

        run = drive(rename_group(session(), "g", "New"), answers)

        assert run.result.display_name == "New"

    def test_rename_by_put(self):
        """Without PATCH, a rename is a PUT of the whole group."""
        answers = [
            spc(patch=False),
            scim(200, group_json("g", "Old", ["u"])),
            scim(200, group_json("g", "New", ["u"])),
        ]

        run = drive(rename_group(session(), "g", "New"), answers)

        body = json.loads(run.requests[2].body)
        assert body["displayName"] == "New"
        assert body["members"] == [{"value": "u"}]

    @pytest.mark.rule("G3")
    def test_members_added_in_chunks(self):
        """Adds go out in chunks of the profile's size (G3)."""
        profile = ServerProfile(name="p", member_chunk_size=2)
        answers = [spc(), Response(204), Response(204), Response(204)]

        run = drive(
            change_members(
                session(profile=profile), "g", add=["a", "b", "c", "d", "e"]
            ),
            answers,
        )

        bodies = [json.loads(r.body)["Operations"] for r in run.requests[1:]]
        assert [len(b[0]["value"]) for b in bodies] == [2, 2, 1]
        assert bodies[0] == [
            {"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "b"}]}
        ]

    @pytest.mark.rule("G3")
    def test_members_removed_by_filter(self):
        """By default each member is removed with a value filter (G3)."""
        answers = [spc(), Response(204)]

        run = drive(change_members(session(), "g", remove=["a", 'b"c']), answers)

        ops = json.loads(run.requests[1].body)["Operations"]
        assert ops == [
            {"op": "remove", "path": 'members[value eq "a"]'},
            {"op": "remove", "path": 'members[value eq "b\\"c"]'},
        ]

    def test_members_removed_by_value_list(self):
        """The value form removes a chunk with one operation listing the values."""
        profile = ServerProfile(name="p", member_removal="value")

        run = drive(
            change_members(session(profile=profile), "g", remove=["a", "b"]),
            [spc(), Response(204)],
        )

        ops = json.loads(run.requests[1].body)["Operations"]
        assert ops == [
            {
                "op": "remove",
                "path": "members",
                "value": [{"value": "a"}, {"value": "b"}],
            }
        ]

    def test_nothing_to_change_sends_nothing(self):
        """Empty adds and removes send no request."""
        run = drive(change_members(session(), "g", add=[], remove=[]), [])

        assert run.requests == []

    def test_duplicates_are_sent_once(self):
        """A member id given twice is added once."""
        run = drive(
            change_members(session(), "g", add=["a", "a"]), [spc(), Response(204)]
        )

        assert json.loads(run.requests[1].body)["Operations"][0]["value"] == [
            {"value": "a"}
        ]

    def test_members_by_put_without_patch(self):
        """Without PATCH, members change by reading and writing the whole group."""
        answers = [
            spc(patch=False),
            scim(200, group_json("g", "G", ["a", "b"])),
            scim(200, group_json("g", "G")),
        ]

        run = drive(
            change_members(session(), "g", add=["c", "a"], remove=["b"]), answers
        )

        assert json.loads(run.requests[2].body)["members"] == [
            {"value": "a"},
            {"value": "c"},
        ]

    @pytest.mark.parametrize("removal", ["filter", "value"])
    def test_lost_membership_answer_checked_on_group(self, removal):
        """A lost membership answer is checked on the group's members."""
        profile = ServerProfile(name="p", member_removal=removal)
        answers = [
            spc(),
            ex.ReadTimeoutError("t"),
            scim(200, group_json("g", "G", ["a"])),
        ]

        run = drive(
            change_members(session(profile=profile), "g", add=["a"], remove=[]), answers
        )
        run2 = drive(
            change_members(session(profile=profile), "g", remove=["b"]),
            [
                spc(),
                ex.ReadTimeoutError("t"),
                scim(200, group_json("g", "G", ["b"])),
                Response(204),
            ],
        )

        assert len(run.requests) == 3
        assert [r.method for r in run2.requests] == ["GET", "PATCH", "GET", "PATCH"]

    def test_removals_go_first_in_chunks_of_the_profile(self):
        """change_members removes first, then adds, at most a chunk per PATCH."""
        profile = ServerProfile(name="x", member_chunk_size=2, member_removal="value")
        answers = [spc()] + [scim(204, None)] * 2

        run = drive(
            change_members(session(profile=profile), "g", add=["a"], remove=["b", "c"]),
            answers,
        )

        bodies = [json.loads(r.body)["Operations"] for r in run.requests[1:]]
        assert [[o["op"] for o in body] for body in bodies] == [
            ["remove"],
            ["add"],
        ]
        assert bodies[0][0]["value"] == [{"value": "b"}, {"value": "c"}]


def test_profile_validates_chunk_size():
    """A chunk size below 1 is a ConfigurationError."""
    with pytest.raises(ex.ConfigurationError, match="member_chunk_size"):
        ServerProfile(name="x", member_chunk_size=0)


def test_email_without_value_does_not_match():
    """An email entry without a value never matches a lookup by address."""
    valueless = user_json("1", "x", emails=[{"type": "work"}])

    run = drive(find_user_by_email(session(), "a@b"), [page([valueless], 1)])

    assert run.result is None


class TestLoneSurrogates:
    """A text no UTF-8 request can carry is refused before anything is sent."""

    @pytest.mark.parametrize(
        "op",
        [
            lambda: find_user(session(), "ada\ud800"),
            lambda: find_group(session(), "\udfffSales"),
            lambda: get(session(), User, "id\ud800"),
            lambda: get(session(), User, "1", attributes=["user\ud800Name"]),
            lambda: search(session(), User, filter='userName eq "\ud83d"'),
            lambda: search(session(), User, cursor="c\ud800", method="POST"),
        ],
        ids=["find_user", "find_group", "get", "attributes", "get-search", "cursor"],
    )
    def test_query_texts_and_ids(self, op):
        """Filters, ids and attribute names with a lone surrogate: one clear error."""
        with pytest.raises(ex.LocalProtocolError, match="lone UTF-16 surrogate"):
            drive(op(), [])

    def test_resource_values(self):
        """A model value with a lone surrogate fails with its path, nothing sent."""
        with pytest.raises(ex.ValidationError) as info:
            drive(create(session(), User(user_name="ada", title="x\udc80")), [])

        assert [e.path for e in info.value.errors] == ["$.title"]
        assert "lone UTF-16 surrogate" in str(info.value)
