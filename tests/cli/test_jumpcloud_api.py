"""Reading a directory from JumpCloud's API, against a stand-in on loopback."""

from __future__ import annotations

import json
import logging
import socket

import pytest

from scim_ninjio._http import Request, Response
from scim_ninjio._retry import RetryPolicy
from scim_ninjio._sample import sample_directory
from scim_ninjio.client import NinjioClient
from scim_ninjio.engine import Engine
from scim_ninjio.exceptions import (
    ConfigurationError,
    ConnectError,
    NotFoundError,
    RemoteProtocolError,
    UnauthorizedError,
)
from scim_ninjio.jumpcloud import Directory, JumpCloudReader, read_jumpcloud
from scim_ninjio.ledger import MemoryLedger
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator, LiveServer
from scim_ninjio.testing.jumpcloud import STAND_IN_API_KEY, JumpCloudStandIn
from scim_ninjio.transports import (
    ApiKey,
    MemoryTransport,
    RequestsTransport,
    Urllib3Transport,
)


FAST = RetryPolicy(attempts=2, wait=False)
APP = "5f0c1a2b3c4d5e6f7a8b9c0d"


@pytest.fixture(scope="module")
def directory() -> Directory:
    """A sample directory big enough for three pages of users."""
    return sample_directory(users=230, groups=10, seed=3)


@pytest.fixture
def stand_in(directory: Directory) -> JumpCloudStandIn:
    """A stand-in holding the sample directory."""
    return JumpCloudStandIn(directory, app_id=APP)


@pytest.fixture
def server(stand_in: JumpCloudStandIn):
    """The stand-in served over HTTP on loopback."""
    with LiveServer(stand_in.handle, base_path="/api") as live:
        yield live


def _read(stand_in: JumpCloudStandIn, **kwargs) -> Directory:
    return read_jumpcloud(
        stand_in.api_key,
        app_id=APP,
        transport=MemoryTransport(stand_in.handle, authorize=True),
        retry=kwargs.pop("retry", FAST),
        **kwargs,
    )


def _same_as_source(read: Directory, source: Directory) -> None:
    assert read.users == source.users
    assert read.bound_group_ids == source.bound_group_ids
    assert [g.name for g in read.groups] == [g.name for g in source.groups]
    for group in source.bound_groups:
        assert read.find_group(group.id) == group


class TestOverHTTP:
    """The reader pages through every listing over a real loopback server."""

    @pytest.mark.parametrize("transport", [Urllib3Transport, RequestsTransport])
    def test_reads_the_whole_directory(self, stand_in, server, directory, transport):
        """Every user, group, binding and bound member is read, page by page."""
        read = read_jumpcloud(
            stand_in.api_key,
            app_id=APP,
            base_url=server.url,
            transport=transport(),
            group_management=True,
        )

        _same_as_source(read, directory)
        assert read.complete
        assert read.group_management
        assert not read.problems
        user_pages = [r for r in stand_in.requests if r.path == "/systemusers"]
        assert [r.query["skip"] for r in user_pages] == ["0", "100", "200"]
        assert all(r.query["limit"] == "100" for r in user_pages)

    def test_the_key_goes_in_x_api_key_and_the_org_in_x_org_id(self, directory, caplog):
        """The key travels as x-api-key, the org as x-org-id, and is never logged."""
        stand_in = JumpCloudStandIn(directory, app_id=APP, org_id="org-7")
        seen: list[Request] = []

        def spy(request: Request) -> Response:
            seen.append(request)
            return stand_in.handle(request)

        caplog.set_level(logging.DEBUG)
        with LiveServer(spy, base_path="/api") as live:
            read = read_jumpcloud(
                STAND_IN_API_KEY, app_id=APP, org_id="org-7", base_url=live.url
            )

        assert read.complete
        assert {r.header("x-api-key") for r in seen} == {STAND_IN_API_KEY}
        assert {r.header("x-org-id") for r in seen} == {"org-7"}
        assert all(r.header("authorization") is None for r in seen)
        assert STAND_IN_API_KEY not in caplog.text

    def test_an_unreachable_api_raises_connect_error(self):
        """A closed port raises ConnectError naming the address."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]

        with pytest.raises(ConnectError, match=f"127.0.0.1:{port}"):
            read_jumpcloud(
                "key", app_id=APP, base_url=f"http://127.0.0.1:{port}/api", retry=FAST
            )


class TestRefusals:
    """A refused key or a wrong application stops the read with a clear error."""

    def test_a_wrong_key_is_unauthorized_and_never_shown(self, stand_in):
        """A refused key raises UnauthorizedError whose message does not hold it."""
        secret = "wrong-key-4f9a"
        with pytest.raises(UnauthorizedError) as caught:
            read_jumpcloud(
                secret,
                app_id=APP,
                transport=MemoryTransport(stand_in.handle, authorize=True),
            )

        message = str(caught.value)
        assert "HTTP 401" in message
        assert "check the key" in message
        assert secret not in message
        assert secret not in repr(caught.value.__reduce__())

    def test_a_missing_org_id_is_unauthorized(self, directory):
        """A multi-tenant key without its org id is refused, and the message says so."""
        stand_in = JumpCloudStandIn(directory, app_id=APP, org_id="org-7")

        with pytest.raises(UnauthorizedError, match="organisation id"):
            _read(stand_in)

    def test_an_unknown_application_is_not_found(self, stand_in):
        """A wrong application id raises NotFoundError that names the fix."""
        with pytest.raises(NotFoundError, match="check the application id"):
            read_jumpcloud(
                stand_in.api_key,
                app_id="nope",
                transport=MemoryTransport(stand_in.handle, authorize=True),
            )

    def test_the_reader_repr_hides_the_key(self):
        """The reader's repr shows the URL and org, never the key."""
        reader = JumpCloudReader(ApiKey("s3cret-key"), org_id="o1")

        assert "s3cret" not in repr(reader)
        assert "console.jumpcloud.com" in repr(reader)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"api_key": " "}, "API key is empty"),
            ({"api_key": "k", "page_size": 101}, "between 1 and 100"),
            ({"api_key": "k", "base_url": "http://jc.example/api"}, "plain http"),
        ],
    )
    def test_bad_settings_are_refused(self, kwargs, message):
        """An empty key, an oversized page or plain http is refused at once."""
        with pytest.raises(ConfigurationError, match=message):
            JumpCloudReader(**kwargs)

    def test_an_empty_application_id_is_refused(self, stand_in):
        """A blank application id is refused before any request."""
        with pytest.raises(ConfigurationError, match="application id is empty"):
            read_jumpcloud(stand_in.api_key, app_id=" ")


class TestPartialReads:
    """A read that stops part way gives an incomplete directory (rule U5)."""

    def test_a_retried_failure_is_no_problem(self, stand_in, directory):
        """A 503 that a retry overcomes leaves the directory complete."""
        stand_in.fail("/systemusers", 503)

        read = _read(stand_in, retry=RetryPolicy(initial_wait=0.01, jitter=False))

        assert read.complete
        _same_as_source(read, directory)

    def test_a_failed_first_page_raises(self, stand_in):
        """When the first page of groups cannot be read, the read raises."""
        stand_in.fail("/v2/usergroups", 500, times=2)

        with pytest.raises(Exception, match=r"HTTP 500.*try again later"):
            _read(stand_in)

    @pytest.mark.rule("U5")
    def test_failed_members_make_the_directory_incomplete(self, stand_in, directory):
        """A group whose members cannot be read makes the directory incomplete."""
        group = directory.bound_groups[0]
        stand_in.fail(f"/v2/usergroups/{group.id}/members", 500, times=2)

        read = _read(stand_in)

        assert not read.complete
        (problem,) = read.problems
        assert (problem.kind, problem.record, problem.field) == (
            "group",
            group.id,
            "$.members",
        )
        assert "HTTP 500" in problem.reason
        assert "incomplete" in problem.reason
        assert read.find_group(group.id).member_ids == ()

    @pytest.mark.rule("U5")
    def test_a_failed_later_page_of_users_keeps_the_first(self, stand_in):
        """A failed second page keeps the first and marks the directory incomplete."""
        original = stand_in.handle

        def second_page_fails(request: Request) -> Response:
            if request.path == "/systemusers" and request.query["skip"] == "100":
                return Response(502, {"content-type": "text/html"}, b"<html>bad")
            return original(request)

        read = read_jumpcloud(
            stand_in.api_key,
            app_id=APP,
            transport=MemoryTransport(second_page_fails, authorize=True),
            retry=FAST,
        )

        assert not read.complete
        assert len(read.users) == 100
        (problem,) = (p for p in read.problems if p.kind == "user")
        assert problem.record == "skip=100"
        assert "HTTP 502" in problem.reason

    @pytest.mark.rule("U5")
    def test_a_user_deleted_between_pages_is_noticed(self, stand_in, directory):
        """A totalCount that moves between pages marks the directory incomplete."""
        victim = directory.users[0].id

        def delete_once(request: Request) -> None:
            if request.query.get("skip") == "100" and request.path == "/systemusers":
                stand_in.remove_user(victim)
                stand_in.before_each = None

        stand_in.before_each = delete_once
        read = _read(stand_in)

        assert not read.complete
        assert any("totalCount went from 230 to 229" in p.reason for p in read.problems)

    def test_a_later_page_that_is_not_an_array_is_a_problem(self, stand_in):
        """A later page of the wrong shape is a problem, not a crash."""
        original = stand_in.handle

        def odd(request: Request) -> Response:
            if request.path == "/v2/usergroups" and request.query["skip"] == "2":
                return Response(200, {"content-type": "application/json"}, b"{}")
            return original(request)

        with JumpCloudReader(
            stand_in.api_key,
            transport=MemoryTransport(odd, authorize=True),
            retry=FAST,
            page_size=2,
        ) as reader:
            read = reader.read(APP)

        assert not read.complete
        (problem,) = (p for p in read.problems if p.kind == "group")
        assert problem.record == "skip=2"
        assert "not the shape JumpCloud documents" in problem.reason
        assert [g.id for g in read.groups] == sorted(
            g["id"] for g in stand_in.groups[:2]
        )

    def test_a_body_that_is_not_json_raises(self, stand_in):
        """An HTML page instead of JSON raises RemoteProtocolError."""

        def html(request: Request) -> Response:
            return Response(200, {"content-type": "text/html"}, b"<html>login</html>")

        with pytest.raises(RemoteProtocolError, match="not JSON"):
            read_jumpcloud("k", app_id=APP, transport=MemoryTransport(html), retry=FAST)

    def test_a_users_answer_of_the_wrong_shape_raises(self):
        """A users answer that is an array, not an object, raises."""

        def wrong(request: Request) -> Response:
            return Response(200, {}, json.dumps([{"_id": "u1"}]).encode())

        with pytest.raises(RemoteProtocolError, match="other than an object"):
            read_jumpcloud("k", app_id=APP, transport=MemoryTransport(wrong))

    def test_a_users_object_without_results_raises(self):
        """A users answer without results raises."""

        def wrong(request: Request) -> Response:
            return Response(200, {}, b'{"totalCount": 1}')

        with pytest.raises(RemoteProtocolError, match="without results"):
            read_jumpcloud("k", app_id=APP, transport=MemoryTransport(wrong))


class TestWithTheEngine:
    """A directory read from the API provisions NINJIO like a document does."""

    @pytest.mark.rule("U5")
    def test_sync_from_the_api_then_no_deactivation_from_a_partial_read(
        self, stand_in, server, directory
    ):
        """A read directory syncs; a partial one deactivates no one."""
        emulator = Emulator()
        client = NinjioClient(
            "https://ninjio.example/scim/v2",
            DEFAULT_TOKEN,
            transport=MemoryTransport(emulator.handle, authorize=True),
        )
        engine = Engine(client, MemoryLedger())
        first = read_jumpcloud(
            stand_in.api_key, app_id=APP, base_url=server.url, group_management=True
        )

        report = engine.sync(first)

        assert report.ok
        assert report.counts()["user.create"] > 100
        assert engine.plan(first).empty

        group = directory.bound_groups[0]
        stand_in.bound.remove(group.id)
        stand_in.fail(
            f"/v2/usergroups/{directory.bound_groups[1].id}/members", 500, times=5
        )
        partial = read_jumpcloud(
            stand_in.api_key,
            app_id=APP,
            base_url=server.url,
            group_management=True,
            retry=FAST,
        )
        plan = engine.plan(partial)

        assert not partial.complete
        assert plan.deactivations == 0
        assert any("not read completely" in note for note in plan.notes)
        client.close()


class TestOddAnswers:
    """Answers that JumpCloud may give under change are read with care."""

    @pytest.mark.rule("U5")
    def test_a_user_added_between_pages_is_read_once(self, stand_in, directory):
        """A user pushed onto a later page is read once; the read is incomplete."""

        def insert_once(request: Request) -> None:
            if request.query.get("skip") == "100" and request.path == "/systemusers":
                stand_in.users.insert(0, {"_id": "new-user", "username": "new"})
                stand_in.before_each = None

        stand_in.before_each = insert_once
        read = _read(stand_in)

        assert not read.complete
        assert len(read.users) == len(directory.users)
        reasons = " ".join(p.reason for p in read.problems)
        assert "totalCount went from 230 to 231" in reasons
        assert "read 230 users where JumpCloud counts 231" in reasons

    def test_a_failed_later_page_of_bindings_is_a_problem(self, stand_in):
        """A failed second page of bindings is a binding problem."""
        original = stand_in.handle

        def second_page_fails(request: Request) -> Response:
            if request.path.endswith("/associations") and request.query["skip"] == "2":
                return Response(500, {}, b'["not an object"]')  # no message
            return original(request)

        with JumpCloudReader(
            stand_in.api_key,
            transport=MemoryTransport(second_page_fails, authorize=True),
            retry=FAST,
            page_size=2,
        ) as reader:
            read = reader.read(APP)

        assert not read.complete
        (problem,) = (p for p in read.problems if p.kind == "binding")
        assert problem.record == APP
        assert "HTTP 500:" in problem.reason

    def test_connections_to_other_things_are_left_out(self, stand_in, directory):
        """Connections to systems, or without an id, are not members."""
        group = directory.bound_groups[0]
        original = stand_in.handle

        def mixed(request: Request) -> Response:
            answer = original(request)
            if request.path == f"/v2/usergroups/{group.id}/members":
                extra = [
                    {"to": {"id": "sys1", "type": "system"}},
                    {"to": {"type": "user"}},
                    "junk",
                ]
                body = json.loads(answer.body) + extra
                return Response(200, answer.headers, json.dumps(body).encode())
            return answer

        read = read_jumpcloud(
            stand_in.api_key,
            app_id=APP,
            transport=MemoryTransport(mixed, authorize=True),
        )

        assert read.complete
        assert read.find_group(group.id) == group

    @pytest.mark.rule("U7")
    def test_a_user_without_an_id_is_a_record_problem(self, stand_in):
        """A user record without _id is skipped as a problem; the rest loads."""
        stand_in.users.append({"username": "ghost"})

        read = _read(stand_in)

        assert not read.complete
        (problem,) = read.problems
        assert (problem.kind, problem.field) == ("user", "$._id")
        assert len(read.users) == 230


class TestStandIn:
    """The stand-in answers as JumpCloud documents, and refuses what it would."""

    def _get(self, stand_in, target, method="GET"):
        request = Request(method, target, {"x-api-key": stand_in.api_key})
        answer = stand_in.handle(request)
        return answer.status, json.loads(answer.body)

    def test_repr_counts_the_records(self, stand_in):
        """The repr says what the stand-in holds, not its key."""
        assert repr(stand_in) == (
            f"<JumpCloudStandIn 230 users, 10 groups, app {APP!r}>"
        )

    @pytest.mark.parametrize(
        ("target", "method", "status", "message"),
        [
            ("/systemusers", "POST", 405, "POST is not served"),
            ("/systemusers?limit=x", "GET", 400, "whole numbers"),
            ("/systemusers?limit=101", "GET", 400, "between 1 and 100"),
            ("/systemusers?skip=-1", "GET", 400, "between 1 and 100"),
            ("/v2/usergroups/nope/members", "GET", 404, "no user group"),
            (f"/v2/applications/{APP}/associations", "GET", 400, "targets"),
            ("/v2/systems", "GET", 404, "no route"),
        ],
    )
    def test_refusals(self, stand_in, target, method, status, message):
        """Wrong methods, paging, ids and routes get JumpCloud error bodies."""
        got, body = self._get(stand_in, target, method)

        assert got == status
        assert message in body["message"]

    def test_default_page_is_ten(self, stand_in):
        """Without limit, a page holds ten records, as JumpCloud's default."""
        status, body = self._get(stand_in, "/systemusers")

        assert status == 200
        assert len(body["results"]) == 10
        assert body["totalCount"] == 230
