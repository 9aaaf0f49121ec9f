import asyncio
import http.client
import json
import os
import signal
import socket
import threading

import pytest

from scim_ninjio import Response
from scim_ninjio.exceptions import ConfigurationError
from scim_ninjio.testing.emulator import DEFAULT_TOKEN, Emulator
from scim_ninjio.testing.faults import Fault, FaultInjector, FaultPlan
from scim_ninjio.testing.server import LiveServer, serve


AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


@pytest.fixture
def emulator():
    """A NINJIO emulator."""
    return Emulator()


@pytest.fixture
def server(emulator):
    """A live server for the emulator, stopped after the test."""
    with LiveServer(emulator) as running:
        yield running


_OPEN = []


def connect(server, timeout=5.0):
    """Open a client connection, closed after the test."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    _OPEN.append(connection)
    return connection


@pytest.fixture(autouse=True)
def close_connections():
    """Close every client connection a test opened, even when it fails."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def exchange(connection, method, path, body=None, headers=None):
    """Send one request with the token; return the response and its body."""
    data = None if body is None else json.dumps(body).encode()
    all_headers = {**AUTH, "Content-Type": "application/scim+json", **(headers or {})}
    connection.request(method, path, body=data, headers=all_headers)
    response = connection.getresponse()
    return response, response.read()


def free_port():
    """Return a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_threads():
    """Return the live servers' threads still running."""
    return [t for t in threading.enumerate() if t.name == "scim-ninjio-live-server"]


class TestLifecycle:
    """Starting and stopping a LiveServer."""

    def test_url_and_port(self, server):
        """The server gives its SCIM base URL on a free loopback port."""
        assert server.running
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}/scim/v2"
        assert repr(server) == f"<LiveServer url={server.url!r}>"

    def test_stop_leaves_nothing_behind(self, emulator):
        """Stopping joins the thread and closes the socket; the port is free again."""
        server = LiveServer(emulator).start()
        port = server.port
        connection = connect(server)
        exchange(connection, "GET", "/scim/v2/Users")

        server.stop()
        connection.close()

        assert not server.running
        assert server_threads() == []
        assert repr(server) == "<LiveServer stopped>"
        with socket.socket() as again:
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            again.bind(("127.0.0.1", port))

    def test_restart(self, emulator):
        """A stopped server starts again."""
        server = LiveServer(emulator)
        server.start()
        server.stop()

        with server:
            response, _ = exchange(connect(server), "GET", "/scim/v2/Users")

        assert response.status == 200

    def test_given_port(self, emulator):
        """A given port is used."""
        port = free_port()

        with LiveServer(emulator, port=port) as server:
            assert server.port == port

    def test_port_taken(self, emulator):
        """A port in use fails the start with OSError, and leaves no thread."""
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            server = LiveServer(emulator, port=taken.getsockname()[1])

            with pytest.raises(OSError):
                server.start()

        assert not server.running
        assert server_threads() == []

    def test_start_twice(self, server):
        """Starting a running server is refused."""
        with pytest.raises(RuntimeError, match="already"):
            server.start()

    def test_not_started(self, emulator):
        """Before start there is no port, and stop does nothing."""
        server = LiveServer(emulator)

        server.stop()

        with pytest.raises(RuntimeError, match="not running"):
            _ = server.url

    def test_bad_base_path(self, emulator):
        """The base path must be absolute."""
        with pytest.raises(ConfigurationError, match="base_path"):
            LiveServer(emulator, base_path="scim")


class TestServing:
    """Requests over real HTTP."""

    def test_create_and_read(self, server, emulator):
        """A user created over HTTP has a Location on the server's own URL."""
        connection = connect(server)

        created, body = exchange(
            connection, "POST", "/scim/v2/Users", {"userName": "alice"}
        )
        user = json.loads(body)
        fetched, again = exchange(connection, "GET", f"/scim/v2/Users/{user['id']}")

        assert created.status == 201
        assert created.getheader("Location") == f"{server.url}/Users/{user['id']}"
        assert created.getheader("Content-Type") == "application/scim+json"
        assert fetched.status == 200
        assert json.loads(again)["userName"] == "alice"
        assert emulator.requests[0].headers["content-type"] == "application/scim+json"

    def test_keep_alive(self, server):
        """Several requests share one connection (HTTP/1.1 keep-alive)."""
        connection = connect(server)
        exchange(connection, "GET", "/scim/v2/Users")
        first_socket = connection.sock

        exchange(connection, "GET", "/scim/v2/Groups")

        assert connection.sock is first_socket
        connection.close()

    def test_query_reaches_the_emulator(self, server, emulator):
        """The query string reaches the emulator, relative to the base path."""
        exchange(connect(server), "GET", "/scim/v2/Users?count=1&startIndex=1")

        assert emulator.requests[-1].target == "/Users?count=1&startIndex=1"

    def test_token_never_logged(self, server, emulator):
        """The request log over HTTP keeps no authorization header."""
        exchange(connect(server), "GET", "/scim/v2/Users")

        assert "authorization" not in emulator.requests[-1].headers
        assert DEFAULT_TOKEN not in repr(emulator.requests)

    @pytest.mark.parametrize("path", ["/", "/scim", "/scim/v2x/Users", "/other"])
    def test_outside_the_base_path(self, server, path):
        """A path outside the base path is answered 404 with a SCIM Error."""
        response, body = exchange(connect(server), "GET", path)

        assert response.status == 404
        assert "/scim/v2" in json.loads(body)["detail"]

    def test_base_path_itself(self, server):
        """The base path itself reaches the emulator (which has no endpoint there)."""
        response, body = exchange(connect(server), "GET", "/scim/v2")

        assert response.status == 404
        assert "no SCIM endpoint" in json.loads(body)["detail"]

    def test_body_too_large(self, server, emulator):
        """A body over 1 MiB is answered 413 before the emulator sees it."""
        big = {"userName": "x", "title": "y" * (1024 * 1024)}

        response, body = exchange(connect(server), "POST", "/scim/v2/Users", big)

        assert response.status == 413
        assert json.loads(body)["status"] == "413"
        assert emulator.requests == ()

    def test_304_without_body(self, server):
        """A 304 goes out with no body."""
        connection = connect(server)
        _, body = exchange(connection, "POST", "/scim/v2/Users", {"userName": "a"})
        user = json.loads(body)

        response, again = exchange(
            connection,
            "GET",
            f"/scim/v2/Users/{user['id']}",
            headers={"If-None-Match": user["meta"]["version"]},
        )

        assert response.status == 304
        assert again == b""

    def test_any_handler(self):
        """Any function from Request to Response can be served."""
        seen = []

        def handler(request):
            seen.append(request)
            return Response(418, {"content-type": "text/plain"}, b"teapot")

        with LiveServer(handler, base_path="/api") as server:
            response, body = exchange(connect(server), "PATCH", "/api/x?y=1", {"a": 1})

        assert (response.status, body) == (418, b"teapot")
        assert (seen[0].method, seen[0].target) == ("PATCH", "/x?y=1")
        assert seen[0].body == b'{"a": 1}'

    def test_concurrent_clients(self, server, emulator):
        """Many threads with their own connections are all served."""
        statuses = []

        def client(index):
            connection = connect(server)
            for request in range(5):
                response, _ = exchange(
                    connection,
                    "POST",
                    "/scim/v2/Users",
                    {"userName": f"user-{index}-{request}"},
                )
                statuses.append(response.status)
            connection.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert statuses == [201] * 40
        assert len(emulator.users) == 40

    @pytest.mark.asyncio
    async def test_many_concurrent_async_clients(self, server):
        """A hundred requests in flight at once are all answered."""
        import aiohttp

        async with aiohttp.ClientSession(headers=AUTH) as session:

            async def get(index):
                async with session.get(f"{server.url}/Users?count={index}") as answer:
                    await answer.read()
                    return answer.status

            statuses = await asyncio.gather(*(get(i) for i in range(100)))

        assert statuses == [200] * 100


class TestFaultsOnTheWire:
    """Faults carried out on real sockets."""

    def serve_with(self, emulator, *faults):
        """Return a live server for the emulator with these faults."""
        return LiveServer(FaultInjector(emulator, FaultPlan(faults)))

    def test_drop_closes_the_connection(self, emulator):
        """A drop closes the connection without a byte of answer."""
        with self.serve_with(emulator, Fault(kind="drop", nth=1)) as server:
            connection = connect(server)
            with pytest.raises(http.client.RemoteDisconnected):
                exchange(connection, "POST", "/scim/v2/Users", {"userName": "a"})
            connection.close()

        assert emulator.users == ()

    def test_drop_after_processing(self, emulator):
        """A drop after processing: no answer, but the user exists."""
        fault = Fault(kind="drop", processed=True, nth=1)
        with self.serve_with(emulator, fault) as server:
            connection = connect(server)
            with pytest.raises(http.client.RemoteDisconnected):
                exchange(connection, "POST", "/scim/v2/Users", {"userName": "a"})
            connection.close()

        assert [u.user_name for u in emulator.users] == ["a"]

    def test_hang_until_the_client_gives_up(self, emulator):
        """A hang sends nothing; the client's read timeout ends the wait."""
        with self.serve_with(emulator, Fault(kind="hang", nth=1)) as server:
            connection = connect(server, timeout=0.2)
            with pytest.raises(TimeoutError):
                exchange(connection, "GET", "/scim/v2/Users")
            connection.close()

    def test_hang_until_the_server_stops(self, emulator):
        """A hang ends when the server stops: the connection closes unanswered."""
        outcome = []
        server = self.serve_with(emulator, Fault(kind="hang")).start()
        connection = connect(server, timeout=30)
        connection.request("GET", "/scim/v2/Users", headers=AUTH)

        def read():
            try:
                connection.getresponse()
            except http.client.RemoteDisconnected as e:
                outcome.append(e)

        reader = threading.Thread(target=read)
        reader.start()
        server.stop()
        reader.join()
        connection.close()

        assert len(outcome) == 1
        assert server_threads() == []

    def test_truncated(self, emulator):
        """A truncated answer sends fewer bytes than its Content-Length, then closes."""
        with self.serve_with(emulator, Fault(kind="truncated", nth=1)) as server:
            connection = connect(server)
            with pytest.raises(http.client.IncompleteRead):
                exchange(connection, "POST", "/scim/v2/Users", {"userName": "a"})
            connection.close()

        assert len(emulator.users) == 1

    def test_answers_made_by_faults(self, emulator):
        """429, 500, 503, malformed and HTML answers go out as the injector made."""
        faults = [
            Fault(kind="rate_limited", nth=1, retry_after=3),
            Fault(kind="server_error", nth=2),
            Fault(kind="unavailable", nth=3),
            Fault(kind="malformed", nth=4),
            Fault(kind="html", nth=5),
            Fault(kind="latency", nth=6, delay=0.01),
        ]
        with self.serve_with(emulator, *faults) as server:
            connection = connect(server)
            answers = [exchange(connection, "GET", "/scim/v2/Users") for _ in range(7)]

        statuses = [response.status for response, _ in answers]
        assert statuses == [429, 500, 503, 200, 502, 200, 200]
        assert answers[0][0].getheader("Retry-After") == "3"
        assert answers[4][0].getheader("Content-Type") == "text/html"
        with pytest.raises(ValueError, match="Expecting"):
            json.loads(answers[3][1])
        assert json.loads(answers[5][1])["totalResults"] == 0


class TestStopping:
    """Stopping with requests in progress."""

    def test_stop_cuts_latency_short(self, emulator):
        """A request held by a latency fault is answered when the server stops."""
        fault = Fault(kind="latency", delay=60)
        server = LiveServer(FaultInjector(emulator, FaultPlan([fault]))).start()
        connection = connect(server, timeout=30)
        connection.request("GET", "/scim/v2/Users", headers=AUTH)
        statuses = []

        def read():
            try:
                statuses.append(connection.getresponse().status)
            except http.client.HTTPException as e:
                statuses.append(e)

        reader = threading.Thread(target=read)
        reader.start()
        while not emulator.requests and not server._injector.injected:
            threading.Event().wait(0.01)
        server.stop()
        reader.join()

        assert len(statuses) == 1
        assert server_threads() == []

    def test_close_when_the_client_left(self):
        """Closing a connection the client already closed does nothing."""
        from types import SimpleNamespace

        from scim_ninjio.testing.server import _close_connection

        closed = []
        transport = SimpleNamespace(close=lambda: closed.append(True))

        _close_connection(SimpleNamespace(transport=None))
        _close_connection(SimpleNamespace(transport=transport))

        assert closed == [True]


class TestServe:
    """serve(), the foreground server."""

    def test_without_on_ready(self, emulator):
        """serve() needs no on_ready callback."""
        stop = threading.Event()
        stop.set()

        serve(emulator, port=0, stop=stop)

        assert server_threads() == []

    def test_until_stopped(self, emulator):
        """serve() runs until its stop event is set, telling on_ready the server."""
        stop = threading.Event()
        ready = []

        def on_ready(server):
            response, _ = exchange(connect(server), "GET", "/scim/v2/Users")
            ready.append(response.status)
            stop.set()

        serve(emulator, port=0, on_ready=on_ready, stop=stop)

        assert ready == [200]
        assert server_threads() == []

    def test_in_another_thread(self, emulator):
        """serve() may run outside the main thread (no signal handlers then)."""
        stop = threading.Event()
        urls = []

        def on_ready(server):
            urls.append(server.url)

        runner = threading.Thread(
            target=serve,
            args=(emulator,),
            kwargs={"port": 0, "on_ready": on_ready, "stop": stop},
        )
        runner.start()
        while not urls:
            stop.wait(0.01)
        stop.set()
        runner.join()

        assert urls[0].startswith("http://127.0.0.1:")

    def test_sigterm_stops(self, emulator):
        """SIGTERM stops a server served from the main thread."""
        previous = signal.getsignal(signal.SIGTERM)

        def on_ready(server):
            os.kill(os.getpid(), signal.SIGTERM)

        serve(emulator, port=0, on_ready=on_ready)

        assert signal.getsignal(signal.SIGTERM) is previous

    def test_ctrl_c_stops(self, emulator):
        """Ctrl-C (KeyboardInterrupt) stops the server cleanly."""

        def on_ready(server):
            os.kill(os.getpid(), signal.SIGINT)

        serve(emulator, port=0, on_ready=on_ready)

        assert server_threads() == []
