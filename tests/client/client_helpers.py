"""Canned responses, a generator driver and a small HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import http.server
import json
import re
import socket
import ssl
import threading

from collections.abc import Callable, Generator, Iterable
from typing import Any, Self

import attrs

from scim_ninjio._http import Request, Response, Sleep
from scim_ninjio._ops import Emit, Session
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.profiles import NINJIO, ServerProfile


TOKEN = "tok-7f3a9c-SECRET-e41b"
BASE = "https://scim.example.com/scim/v2"
SCIM = {"content-type": "application/scim+json"}


def scim(status: int = 200, body: Any = None, **headers: str) -> Response:
    """Return a SCIM JSON response."""
    data = b"" if body is None else json.dumps(body).encode()
    return Response(
        status, {**SCIM, **{k.replace("_", "-"): v for k, v in headers.items()}}, data
    )


def error(
    status: int, scim_type: str | None = None, detail: str = "", **headers: str
) -> Response:
    """Return a SCIM Error response."""
    body: dict[str, Any] = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": str(status),
    }
    if scim_type:
        body["scimType"] = scim_type
    if detail:
        body["detail"] = detail
    return scim(status, body, **headers)


def user_json(uid: str, user_name: str | None = None, **extra: Any) -> dict[str, Any]:
    """Return a user's SCIM JSON."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": uid,
        "userName": user_name or f"user-{uid}",
        **extra,
    }


def group_json(gid: str, name: str, members: Iterable[str] = ()) -> dict[str, Any]:
    """Return a group's SCIM JSON."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": gid,
        "displayName": name,
        "members": [{"value": m} for m in members],
    }


def page(
    resources: list[dict[str, Any]], total: int | None = None, **extra: Any
) -> Response:
    """Return a ListResponse."""
    body: dict[str, Any] = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "Resources": resources,
        **extra,
    }
    if total is not None:
        body["totalResults"] = total
    return scim(200, body)


def spc(
    *,
    patch: bool = True,
    etag: bool = False,
    sort: bool = False,
    pagination: dict[str, Any] | None = None,
    max_results: int | None = None,
) -> Response:
    """Return a ServiceProviderConfig response."""
    body: dict[str, Any] = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": patch},
        "bulk": {"supported": False},
        "filter": {"supported": True, "maxResults": max_results or 200},
        "changePassword": {"supported": False},
        "sort": {"supported": sort},
        "etag": {"supported": etag},
        "authenticationSchemes": [],
    }
    if pagination is not None:
        body["pagination"] = pagination
    return scim(200, body)


def session(
    *,
    profile: ServerProfile = NINJIO,
    policy: RetryPolicy | None = None,
    page_size: int | None = None,
    rate_limit: float | None = None,
    log_bodies: bool = False,
    clock: Callable[[], float] | None = None,
) -> Session:
    """Return an operations session that never waits."""
    kwargs: dict[str, Any] = {}
    if clock is not None:
        kwargs["clock"] = clock
    return Session(
        base_url=BASE,
        profile=profile,
        policy=policy or RetryPolicy(wait=False),
        page_size=page_size,
        rate_limit=rate_limit,
        log_bodies=log_bodies,
        **kwargs,
    )


@attrs.define
class Run:
    """What driving an operation by hand produced."""

    result: Any = None
    requests: list[Request] = attrs.Factory(list)
    sleeps: list[Sleep] = attrs.Factory(list)
    emitted: list[Any] = attrs.Factory(list)


Answer = Response | BaseException | Callable[[Request], "Response | BaseException"]


def drive(op: Generator[Any, Any, Any], answers: Iterable[Answer]) -> Run:
    """
    Drive an operation with canned answers, one per request, in order.

    An exception among the answers is thrown into the generator, as a client
    does with a transport error. Running out of answers fails the test.
    """
    queue = list(answers)
    run = Run()
    try:
        step = next(op)
        while True:
            if isinstance(step, Request):
                run.requests.append(step)
                assert queue, f"no answer left for {step.method} {step.target}"
                answer = queue.pop(0)
                if callable(answer) and not isinstance(answer, Response):
                    answer = answer(step)
                if isinstance(answer, BaseException):
                    step = op.throw(answer)
                else:
                    step = op.send(answer)
            elif isinstance(step, Sleep):
                run.sleeps.append(step)
                step = op.send(None)
            else:
                assert isinstance(step, Emit)
                run.emitted.extend(step.items)
                step = op.send(None)
    except StopIteration as stop:
        run.result = stop.value
    assert not queue, f"{len(queue)} answers were not used"
    return run


# --- A small HTTP server on 127.0.0.1 ----------------------------------------------

#: A handler's answer that closes the connection without a response.
DROP = object()
#: A handler's answer that never answers (until the server stops).
HANG = object()


@attrs.define
class Seen:
    """A request as the server received it, headers with their real values."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Served:
    """A threaded HTTP server on 127.0.0.1, serving for the length of a with block."""

    def _listen(
        self,
        handler: type[http.server.BaseHTTPRequestHandler],
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(
                self.httpd.socket, server_side=True
            )
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class LocalServer(_Served):
    """
    A threaded HTTP(S) server on 127.0.0.1 that answers with a function.

    The function takes a :class:`Request` built from what arrived and returns
    a :class:`Response`, :data:`DROP` or :data:`HANG`.
    """

    def __init__(
        self,
        handler: Callable[[Request], Any],
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.handler = handler
        self.seen: list[Seen] = []
        self.release = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.seen.append(Seen(self.command, self.path, headers, body))
                request = Request(
                    self.command,
                    self.path,
                    {k: v for k, v in headers.items() if k != "authorization"},
                    body or None,
                )
                answer = outer.handler(request)
                if answer is DROP:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if answer is HANG:
                    outer.release.wait(5)
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815

        self._listen(Handler, ssl_context)
        scheme = "https" if ssl_context is not None else "http"
        self.origin = f"{scheme}://127.0.0.1:{self.port}"
        self.url = self.origin + "/scim/v2"

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        super().__exit__(*exc)


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- A small SCIM server in memory, for the clients' tests ---------------------------

_EQ = re.compile(r'^(?P<attr>[\w.]+|emails\[value) eq (?P<value>".*")\]?$')


class FakeScim:
    """
    Just enough of a SCIM server to drive both clients end to end.

    Users and groups by id; filters ``attr eq "value"``; index paging;
    PATCH of ``active``, ``displayName``, ``title`` and members; ETags.
    """

    def __init__(
        self, *, prefix: str = "", patch: bool = True, etag: bool = True
    ) -> None:
        self.prefix = prefix
        self.patch = patch
        self.etag = etag
        self.users: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.log: list[Request] = []
        self._next = 0
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        """Answer one request, as a transport handler does."""
        with self.lock:
            self.log.append(request)
            return self._handle(request)

    def _handle(self, request: Request) -> Response:
        path = request.path[len(self.prefix) :]
        if path == "/ServiceProviderConfig":
            return spc(patch=self.patch, etag=self.etag)
        if path == "/ResourceTypes":
            return page([{"id": "User", "name": "User", "endpoint": "/Users"}], 1)
        if path == "/Schemas":
            return scim(200, [{"id": "urn:x", "name": "X", "attributes": []}])
        kind, _, rid = path.strip("/").partition("/")
        store = {"Users": self.users, "Groups": self.groups}.get(kind)
        if store is None:
            return error(404, detail=f"no endpoint {path}")
        method = request.method
        if method == "GET" and not rid:
            return self._list(store, request.query)
        if method == "POST" and rid == ".search":
            body = json.loads(request.body or b"{}")
            return self._list(store, {k: str(v) for k, v in body.items()})
        if method == "POST" and not rid:
            return self._create(kind, store, json.loads(request.body or b"{}"))
        if rid not in store:
            return error(404, detail=f"{kind}/{rid} not found")
        if method == "GET":
            return self._one(store[rid])
        if method == "DELETE":
            del store[rid]
            return Response(204)
        version = request.header("if-match")
        if version is not None and version != store[rid]["meta"]["version"]:
            return error(412, detail="version mismatch")
        if method == "PUT":
            body = json.loads(request.body or b"{}")
            body.update(id=rid, meta=store[rid]["meta"])
            store[rid] = body
        elif method == "PATCH":
            self._apply(store[rid], json.loads(request.body or b"{}")["Operations"])
        self._bump(store[rid])
        return self._one(store[rid])

    def _one(self, resource: dict[str, Any], status: int = 200) -> Response:
        return scim(status, resource, etag=resource["meta"]["version"])

    def _bump(self, resource: dict[str, Any]) -> None:
        self._next += 1
        resource["meta"]["version"] = f'W/"{self._next}"'

    def _create(
        self, kind: str, store: dict[str, Any], body: dict[str, Any]
    ) -> Response:
        key = "userName" if kind == "Users" else "displayName"
        wanted = str(body.get(key, "")).lower()
        if any(str(r.get(key, "")).lower() == wanted for r in store.values()):
            return error(409, "uniqueness", detail=f"{key} taken")
        self._next += 1
        rid = f"{kind[0].lower()}{self._next}"
        body.update(id=rid, meta={"resourceType": kind[:-1], "version": ""})
        store[rid] = body
        self._bump(body)
        return self._one(body, 201)

    def _list(self, store: dict[str, Any], query: dict[str, str]) -> Response:
        found = list(store.values())
        text = query.get("filter")
        if text:
            match = _EQ.match(text)
            if match is None:
                return error(400, "invalidFilter", detail=text)
            attr, value = match["attr"], json.loads(match["value"]).lower()
            found = [r for r in found if value in _values(r, attr)]
        start = int(query.get("startIndex", "1"))
        count = int(query.get("count", "1000"))
        return page(found[start - 1 : start - 1 + count], len(found))

    def _apply(
        self, resource: dict[str, Any], operations: list[dict[str, Any]]
    ) -> None:
        for operation in operations:
            op, target = operation["op"], operation.get("path", "")
            if target == "members" and op == "add":
                have = {m["value"] for m in resource.setdefault("members", [])}
                resource["members"] += [
                    v for v in operation["value"] if v["value"] not in have
                ]
            elif target == "members":
                gone = {v["value"] for v in operation["value"]}
                resource["members"] = [
                    m for m in resource.get("members", []) if m["value"] not in gone
                ]
            elif target.startswith("members[value eq "):
                gone = json.loads(target[len("members[value eq ") : -1])
                resource["members"] = [
                    m for m in resource.get("members", []) if m["value"] != gone
                ]
            else:
                resource[target] = operation["value"]


def _values(resource: dict[str, Any], attr: str) -> list[str]:
    if attr in {"emails.value", "emails[value"}:
        return [str(e.get("value", "")).lower() for e in resource.get("emails", [])]
    return [str(resource.get(attr, "")).lower()]


# --- Proxies ---------------------------------------------------------------


#: The proxy password of the tests; it must never be shown.
SECRET = "s3cr-et"


def basic(credentials: str) -> str:
    """Return the Basic header value of ``user:password``."""
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def hidden(error: BaseException) -> bool:
    """Whether an error, and the str of every error behind it, hide the password."""
    texts = [repr(error)]
    seen: BaseException | None = error
    while seen is not None:
        texts.append(str(seen))
        seen = seen.__cause__ or seen.__context__
    shown = "\n".join(texts)

    return SECRET not in shown and basic(f"bob:{SECRET}")[6:] not in shown


class RefusingProxy(_Served):
    """A proxy on 127.0.0.1 that records each CONNECT and answers it 407."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_CONNECT(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.seen.append((self.path, headers))
                self.send_response(407)
                self.send_header("Proxy-Authenticate", 'Basic realm="test"')
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True

        self._listen(Handler)
