"""
Fuzzing: every input ends in a result or a documented error, quickly.

What the module tests already fuzz is left to them (decode over JSON values,
filter parsing over text, PATCH operations built from the grammar over the
RFC samples, emulator requests made of known segments). Here the inputs are
wilder: raw bytes and deep nesting for the codec and the directory loader,
parsed filters evaluated against arbitrary documents, PatchOp bodies of any
shape against arbitrary documents, requests with any method, target,
headers and body for the emulator, and raw bytes on the live server's socket.
Each example must also end within a deadline, so a hang fails the test.
"""

import datetime as dt
import json
import socket
import string

import pytest

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from filter_strategies import filters
from scim_ninjio import Request
from scim_ninjio._codec import decode, loads
from scim_ninjio._filter import compile_filter, parse
from scim_ninjio._patch import apply
from scim_ninjio._schema import resource_schema
from scim_ninjio.exceptions import FilterSyntaxError, ScimError, ValidationError
from scim_ninjio.jumpcloud import Directory, load_directory
from scim_ninjio.models import Group, ListResponse, PatchOp, User
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator
from scim_ninjio.testing.server import LiveServer


#: An example that takes longer than this is a hang.
QUICK = settings(
    deadline=dt.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DEEP = 100_000
USER_SCHEMA = resource_schema("User")
GROUP_SCHEMA = resource_schema("Group")
AUTH = f"Bearer {DEFAULT_TOKEN}"

#: Text of any code point, lone surrogates included (a header decoded with
#: surrogateescape holds them; on a raw socket they go out as invalid UTF-8).
any_text = st.text(st.characters(codec=None), max_size=30)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", "true", "False", "add", "remove", "members", "value"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "userName",
                    "displayName",
                    "members",
                    "emails",
                    "value",
                    "op",
                    "path",
                    "Operations",
                    "schemas",
                    "name",
                    "active",
                    "primary",
                    "type",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def deep_list(depth=DEEP):
    """A JSON text of lists nested ``depth`` deep."""
    return "[" * depth + "]" * depth


def deep_object(depth=DEEP):
    """A JSON text of objects nested ``depth`` deep, under userName."""
    return '{"userName": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


class TestCodec:
    """loads: any bytes end in a model or a ValidationError."""

    @QUICK
    @given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
    @example(deep_list().encode())
    @example(deep_object().encode())
    @example(b'{"userName": 1e999}')
    @example(b'{"userName": "\\ud800"}')
    @example(b"\xef\xbb\xbf{}")
    def test_any_bytes(self, body):
        """Every model's loads takes any bytes without another exception."""
        for cls in (User, Group, PatchOp, ListResponse[User]):
            try:
                found = loads(body, cls)
            except ValidationError as e:
                found = e.errors

            assert found

    @QUICK
    @given(st.integers(min_value=1, max_value=5000))
    def test_deep_values_decode_or_refuse(self, depth):
        """A deeply nested value under a known name never overflows the stack."""
        value = 1
        for _ in range(depth):
            value = {"a": [value]}
        try:
            decode({"userName": "a", "name": value, "emails": [value]}, User)
        except ValidationError as e:
            paths = [err.path for err in e.errors]
        else:
            paths = []

        assert all(path.startswith("$") for path in paths)


class TestFilters:
    """A parsed filter, evaluated against any document: a bool or invalidFilter."""

    @QUICK
    @given(filters, json_values)
    def test_evaluate_anything(self, f, document):
        """Compiling may refuse with InvalidFilterError; matching never raises."""
        for schema in (USER_SCHEMA, GROUP_SCHEMA):
            try:
                matcher = compile_filter(f, schema)
            except ScimError as e:
                refused = e.scim_type
            else:
                refused = "invalidFilter" if matcher(document) in {True, False} else ""

            assert refused == "invalidFilter"

    @QUICK
    @given(st.text(alphabet=string.printable, max_size=300))
    @example("(" * 10_000 + 'a eq "b"' + ")" * 10_000)
    @example("not (" * 5_000 + "a pr" + ")" * 5_000)
    @example('a[b[c[d eq "e"]]]')
    def test_long_and_deep_text(self, text):
        """Long or deeply nested text parses or raises a FilterSyntaxError, quickly."""
        try:
            parse(text)
        except FilterSyntaxError as e:
            position = e.position
        else:
            position = 0

        assert 0 <= position <= len(text)


class TestPatch:
    """PatchOp bodies of any shape, applied to any document."""

    @QUICK
    @given(json_values, json_values, st.booleans())
    @example(
        {"userName": "a"},
        {"Operations": [{"op": "add", "path": 'members[value eq "x"].display'}]},
        False,
    )
    @example({"members": [1, "x", None]}, {"Operations": [{"op": "remove"}]}, True)
    def test_decoded_then_applied(self, document, body, strict):
        """Decoding refuses with ValidationError; applying with a ScimError."""
        try:
            patch = decode(body, PatchOp)
        except ValidationError:
            return
        for schema in (USER_SCHEMA, GROUP_SCHEMA):
            target = document if isinstance(document, dict) else {"value": document}
            try:
                found = apply(target, patch.operations, schema, strict=strict)
            except ScimError as e:
                status = e.status
            else:
                status = 200 if isinstance(found, dict) else 0

            assert status in {200, 400}


methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]) | any_text
targets = (
    st.sampled_from(["/Users", "/Groups", "/Users/.search", "/.search", "/"])
    .flatmap(lambda base: st.tuples(st.just(base), any_text))
    .map(lambda pair: pair[0] + pair[1])
)
header_names = st.sampled_from(
    [
        "authorization",
        "content-type",
        "accept",
        "if-match",
        "if-none-match",
        "content-length",
        "x-http-method-override",
    ]
) | st.text(string.ascii_lowercase + "-", min_size=1, max_size=12)
headers = st.dictionaries(header_names, any_text, max_size=4).map(
    lambda h: {"authorization": AUTH, **h} if len(h) % 2 == 0 else h
)
bodies = (
    st.none()
    | st.binary(max_size=120)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.sampled_from([deep_list(5000).encode(), deep_object(5000).encode()])
)


@pytest.fixture(scope="module")
def emulator():
    """An emulator with a user and a group in it, checking the token."""
    emulator = Emulator()
    user = emulator.add_user({"userName": "a"}, user_id="u1")
    emulator.add_group({"displayName": "g", "members": [{"value": user.id}]})
    return emulator


@pytest.fixture(scope="module")
def server():
    """A live emulator for the whole module."""
    with LiveServer(Emulator()) as server:
        yield server


class TestEmulator:
    """Any method, target, headers and body: a SCIM answer, never an exception."""

    @QUICK
    @given(methods, targets, headers, bodies)
    @example("GET", "/Users", {"authorization": "Bearer \udcff\udcfe"}, None)
    @example("GET", "/Users", {"authorization": "Bearer \ud800"}, None)
    @example("POST", "/Users", {"authorization": AUTH}, deep_list(DEEP).encode())
    @example("PATCH", "/Users/u1", {"authorization": AUTH, "if-match": "\x00"}, b"{}")
    def test_any_request(self, emulator, method, target, headers, body):
        """The emulator answers with a status and, unless empty, a SCIM body."""
        answer = emulator.handle(Request(method, target, headers, body))

        assert 200 <= answer.status <= 599
        if answer.body:
            document = json.loads(answer.body)
            assert isinstance(document.get("schemas"), list)


class TestLiveServerSocket:
    """Raw bytes on the live server's socket never take it down."""

    @staticmethod
    def exchange(port, raw, wait):
        """Send raw bytes; read what comes back until the server closes or waits."""
        # The sending side stays open: aiohttp takes a half-closed connection
        # for a client that left, and answers nothing.
        with socket.create_connection(("127.0.0.1", port), timeout=wait) as conn:
            conn.sendall(raw)
            received = b""
            try:
                while chunk := conn.recv(65536):
                    received += chunk
            except TimeoutError:
                pass
        return received

    @settings(QUICK, max_examples=25)
    @given(
        st.binary(max_size=300)
        | st.tuples(methods, any_text, st.binary(max_size=60)).map(
            lambda t: (
                f"{t[0]} /scim/v2{t[1]} HTTP/1.1\r\nHost: x\r\n".encode(
                    "utf-8", "surrogatepass"
                )
                + b"Authorization: Bearer "
                + t[2]
                + b"\r\nConnection: close\r\n\r\n"
            )
        )
    )
    @example(
        b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\r\n\r\n"
    )
    @example(b"POST /scim/v2/Users HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n{")
    def test_raw_bytes(self, server, raw):
        """No input gets a 500 from our handler, and the server answers after it."""
        answer = self.exchange(server.port, raw, wait=0.2)

        assert not answer.startswith(b"HTTP/1.1 500")
        after = self.exchange(
            server.port,
            f"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTH}\r\n"
            "Connection: close\r\n\r\n".encode(),
            wait=5,
        )
        assert after.startswith(b"HTTP/1.1 200")


def mutate(document, path, value):
    """Replace the node at ``path`` (a list of keys and indexes) with ``value``."""
    if not path:
        return value
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return document


def nodes(document, path=()):
    """Every path in a JSON document."""
    yield list(path)
    if isinstance(document, dict):
        for key, value in document.items():
            yield from nodes(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from nodes(value, (*path, index))


VALID = {
    "format": "scim-ninjio.directory/1",
    "group_management": True,
    "bound_groups": ["g1"],
    "users": [
        {
            "_id": "u1",
            "username": "ada",
            "email": "ada@example.com",
            "activated": True,
            "state": "ACTIVATED",
        },
        {"_id": "u2", "username": "bob", "suspended": "true"},
    ],
    "groups": [{"id": "g1", "name": "Team", "members": ["u1", "u2"]}],
}


class TestDirectoryLoader:
    """Any file, or any mutation of a valid document: a Directory or ValidationError."""

    @QUICK
    @given(
        st.binary(max_size=300)
        | json_values.map(lambda v: json.dumps(v).encode())
        | st.sampled_from([deep_list().encode(), b"\xff\xfe\x00", b""])
    )
    def test_any_file(self, tmp_path_factory, body):
        """load_directory reads any bytes into a Directory or a ValidationError."""
        path = tmp_path_factory.mktemp("fuzz") / "directory.json"
        path.write_bytes(body)
        try:
            found = load_directory(path)
        except ValidationError as e:
            shown = str(e)
        else:
            shown = str(path) if isinstance(found, Directory) else ""

        assert str(path) in shown

    @QUICK
    @given(st.data())
    def test_any_mutation(self, data):
        """One node of a valid document replaced by any value: loads or refuses."""
        document = json.loads(json.dumps(VALID))
        path = data.draw(st.sampled_from(list(nodes(document))))
        value = data.draw(json_values | st.floats())
        mutated = mutate(document, path, value)
        try:
            found = Directory.from_json(mutated)
        except ValidationError as e:
            reasons = [error.reason for error in e.errors]
        else:
            reasons = [str(problem) for problem in found.problems] or ["loaded"]

        assert all(reasons)
        assert reasons
