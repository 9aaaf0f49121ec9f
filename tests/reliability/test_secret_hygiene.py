"""
Secret hygiene over whole syncs: logs, reports, ledgers, errors, TLS, redirects.

The per-call checks of the client live in tests/client/test_client_token.py;
these run the engine end to end, with faults and failures, and the conftest
of this directory checks every test here for leaks as well.
"""

import asyncio
import contextlib
import http.server
import json
import logging
import pickle
import ssl
import threading
import traceback

import pytest
import trustme

from chaos_kit import FAST_RETRY, SHORT_TIMEOUT, chaos_plan

from conftest import SECRET, holds_token
from scim_ninjio import Response
from scim_ninjio._sample import sample_directory
from scim_ninjio.client import AsyncNinjioClient, NinjioClient
from scim_ninjio.engine import AsyncEngine, Engine, Integration
from scim_ninjio.exceptions import (
    ConfigurationError,
    ScimNinjioError,
    TLSError,
    UnauthorizedError,
)
from scim_ninjio.ledger import SqliteLedger
from scim_ninjio.testing import Emulator
from scim_ninjio.testing.faults import FaultInjector
from scim_ninjio.testing.server import LiveServer
from scim_ninjio.transports import (
    AiohttpTransport,
    RequestsTransport,
    Urllib3Transport,
)


SYNC_TRANSPORTS = {"urllib3": Urllib3Transport, "requests": RequestsTransport}

#: A token NINJIO refuses: it must not get out either, though it opens nothing.
WRONG_TOKEN = "another-token"


def leaks(text: str) -> bool:
    """Whether some text holds a token, the refused one included."""
    return holds_token(text) or WRONG_TOKEN in text


def shown(error: BaseException) -> str:
    """Everything an error shows: text, repr, traceback, causes, pickle."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    cause = error.__cause__ or error.__context__
    while cause is not None:
        parts += [str(cause), repr(cause)]
        cause = cause.__cause__ or cause.__context__
    with contextlib.suppress(TypeError, pickle.PicklingError):
        parts.append(pickle.dumps(error).decode("latin-1"))
    return "\n".join(parts)


@pytest.fixture
def directory():
    """A small sample directory."""
    return sample_directory(users=60, groups=4, seed=2)


class TestWholeSync:
    """A full sync with faults, logged at DEBUG with bodies, shows no token."""

    @pytest.mark.parametrize("name", sorted(SYNC_TRANSPORTS))
    def test_sync_client(self, name, directory, tmp_path, no_token_gets_out):
        """Logs, report JSON, reprs and the ledger file of a faulty run: clean."""
        injector = FaultInjector(Emulator(token=SECRET), chaos_plan(0.2, seed=4))
        with (
            LiveServer(injector) as server,
            NinjioClient(
                server.url,
                SECRET,
                transport=SYNC_TRANSPORTS[name](),
                retry=FAST_RETRY,
                timeout=SHORT_TIMEOUT,
                log_bodies=True,
            ) as client,
            SqliteLedger(tmp_path / "ledger.sqlite3") as ledger,
        ):
            engine = Engine(client, ledger)
            plan = engine.plan(directory)
            report = engine.apply(plan)
            texts = [
                json.dumps(report.to_json()),
                repr(report),
                repr(plan),
                repr(engine),
                repr(client),
                repr(vars(client)),
                repr(ledger),
                repr(server),
            ]

        assert injector.injected
        assert not any(holds_token(t) for t in texts)
        assert not holds_token((tmp_path / "ledger.sqlite3").read_bytes())
        assert any("/Users" in line for line in no_token_gets_out.lines)

    def test_async_client(self, directory, tmp_path, no_token_gets_out):
        """The async client and engine, faults and bodies logged: no token."""
        injector = FaultInjector(Emulator(token=SECRET), chaos_plan(0.2, seed=5))

        async def run(url):
            async with AsyncNinjioClient(
                url,
                SECRET,
                transport=AiohttpTransport(),
                retry=FAST_RETRY,
                timeout=SHORT_TIMEOUT,
                log_bodies=True,
            ) as client:
                with SqliteLedger(tmp_path / "ledger.sqlite3") as ledger:
                    engine = AsyncEngine(client, ledger)
                    report = await engine.sync(directory)
                    return [json.dumps(report.to_json()), repr(engine), repr(client)]

        with LiveServer(injector) as server:
            texts = asyncio.run(run(server.url))

        assert injector.injected
        assert not any(holds_token(t) for t in texts)
        assert any("/Users" in line for line in no_token_gets_out.lines)

    def test_failed_steps_and_errors(self, directory, capsys, no_token_gets_out):
        """A run whose every write fails: records, errors and traces hold no token."""
        emulator = Emulator(token=SECRET)
        with (
            LiveServer(emulator) as server,
            NinjioClient(server.url, SECRET, retry=FAST_RETRY) as good,
            NinjioClient(server.url, WRONG_TOKEN, retry=FAST_RETRY) as bad,
        ):
            plan = Engine(good, SqliteLedger(":memory:")).plan(directory)
            report = Engine(bad, SqliteLedger(":memory:")).apply(plan)
            with pytest.raises(UnauthorizedError) as caught:
                Engine(bad, SqliteLedger(":memory:")).plan(directory)
        printed = capsys.readouterr()

        assert report.failures
        assert all(r.error_type == "UnauthorizedError" for r in report.failures)
        assert not leaks(json.dumps(report.to_json()))
        assert not leaks(shown(caught.value))
        assert not leaks(printed.out + printed.err)
        assert no_token_gets_out.lines
        assert not any(WRONG_TOKEN in line for line in no_token_gets_out.lines)


class TestIntegrationLedger:
    """The integration keeps its state in the ledger, never the token."""

    def test_activation_leaves_no_token_in_the_file(self, tmp_path):
        """I2: activate, deactivate, change the token: the file never holds one."""
        path = tmp_path / "integration.sqlite3"
        with (
            LiveServer(Emulator(token=SECRET)) as server,
            SqliteLedger(path) as ledger,
        ):
            integration = Integration(ledger, base_url=server.url)
            integration.activate(SECRET)
            integration.deactivate()
            integration.change_token(SECRET)
            integration.activate()
            state = [repr(integration), repr(ledger), repr(vars(integration))]
            active = integration.active
            integration.close()

        files = [path, *tmp_path.glob("integration.sqlite3-*")]
        assert active
        assert not any(holds_token(f.read_bytes()) for f in files)
        assert not any(holds_token(text) for text in state)


class _TLSServer:
    """An HTTPS server on loopback whose certificate no system store trusts."""

    def __init__(self) -> None:
        self.ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1").configure_cert(context)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b'{"schemas": [], "Resources": [], "totalResults": 0}'
                self.send_response(200)
                self.send_header("content-type", "application/scim+json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                del args

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}/scim/v2"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class TestTLS:
    """TLS verification cannot be turned off by accident."""

    @pytest.mark.parametrize("value", [None, 0, "", "false", "no", "0", 1])
    @pytest.mark.parametrize("option", ["verify", "allow_insecure_http"])
    def test_only_a_real_bool_is_accepted(self, option, value):
        """A setting read as text or None is refused, not taken as True or False."""
        with pytest.raises(ConfigurationError, match=option):
            NinjioClient("https://scim.example.com/v2", SECRET, **{option: value})
        with pytest.raises(ConfigurationError, match=option):
            AsyncNinjioClient("https://scim.example.com/v2", SECRET, **{option: value})

    @pytest.mark.parametrize(
        "environment",
        [
            {"CURL_CA_BUNDLE": ""},
            {"REQUESTS_CA_BUNDLE": ""},
            {"PYTHONHTTPSVERIFY": "0"},
            {"SSL_CERT_FILE": "/nonexistent"},
        ],
        ids=lambda e: next(iter(e)),
    )
    @pytest.mark.parametrize("name", sorted(SYNC_TRANSPORTS))
    def test_environment_does_not_turn_it_off(self, name, environment, monkeypatch):
        """Variables that turn checks off elsewhere leave an untrusted cert refused."""
        for key, value in environment.items():
            monkeypatch.setenv(key, value)
        with (
            _TLSServer() as server,
            NinjioClient(
                server.url,
                SECRET,
                transport=SYNC_TRANSPORTS[name](),
                retry=FAST_RETRY,
            ) as client,
            pytest.raises(TLSError) as caught,
        ):
            client.get_user("1")

        assert not holds_token(shown(caught.value))

    def test_async_transport_refuses_an_untrusted_certificate(self):
        """The aiohttp transport checks certificates by default too."""

        async def run(url):
            async with AsyncNinjioClient(url, SECRET, retry=FAST_RETRY) as client:
                await client.get_user("1")

        with _TLSServer() as server, pytest.raises(TLSError):
            asyncio.run(run(server.url))

    def test_trusting_the_ca_is_the_way_in(self, tmp_path):
        """With the server's CA given as ca_bundle, the same server is reached."""
        with _TLSServer() as server:
            bundle = tmp_path / "ca.pem"
            server.ca.cert_pem.write_to_path(str(bundle))
            with NinjioClient(server.url, SECRET, ca_bundle=bundle) as client:
                users = list(client.iter_users())

        assert users == []


class TestRedirectToAnotherHost:
    """A sync redirected to another host (another port) sends it no token."""

    @staticmethod
    def redirector(target_url):
        """A handler that sends every request to the same path elsewhere."""
        seen = []

        def handle(request):
            seen.append("authorization" in request.headers)
            return Response(307, {"location": target_url + request.target})

        return handle, seen

    def run(self, name, directory):
        """Sync through a redirecting server; return the two servers' views."""
        emulator = Emulator(token=SECRET)
        with LiveServer(emulator) as other:
            handler, seen = self.redirector(other.url)
            with LiveServer(handler) as front:
                if name == "aiohttp":

                    async def go():
                        async with AsyncNinjioClient(
                            front.url, SECRET, retry=FAST_RETRY
                        ) as client:
                            await AsyncEngine(client, SqliteLedger(":memory:")).sync(
                                directory
                            )

                    with pytest.raises(ScimNinjioError) as caught:
                        asyncio.run(go())
                else:
                    with (
                        NinjioClient(
                            front.url,
                            SECRET,
                            transport=SYNC_TRANSPORTS[name](),
                            retry=FAST_RETRY,
                        ) as client,
                        pytest.raises(ScimNinjioError) as caught,
                    ):
                        Engine(client, SqliteLedger(":memory:")).sync(directory)

        return emulator, seen, caught.value

    @pytest.mark.parametrize("name", ["aiohttp", "requests", "urllib3"])
    def test_no_authorization_reaches_the_other_host(self, name, directory):
        """The first host gets the token; the other never does, and says 401."""
        emulator, seen, error = self.run(name, directory)

        assert seen
        assert all(seen)
        assert emulator.requests
        assert {r.credentials for r in emulator.requests} == {"missing"}
        assert isinstance(error, UnauthorizedError)
        assert not holds_token(shown(error))


@pytest.fixture(autouse=True)
def _urllib3_at_debug():
    """Keep urllib3's own DEBUG lines too: they must be clean as well."""
    logging.getLogger("urllib3").setLevel(logging.DEBUG)
    yield
    logging.getLogger("urllib3").setLevel(logging.NOTSET)
