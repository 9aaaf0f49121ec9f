import json
import logging
import ssl

import pytest
import trustme

from client_helpers import (
    DROP,
    HANG,
    SECRET,
    TOKEN,
    LocalServer,
    RefusingProxy,
    basic,
    free_port,
    hidden,
)

from scim_ninjio import exceptions as ex
from scim_ninjio._http import Request, Response
from scim_ninjio.transports import (
    AiohttpTransport,
    AsyncMemoryTransport,
    Timeout,
    settings_for,
)


def ok(request: Request) -> Response:
    """Echo the request's target."""
    return Response(
        200,
        {"Content-Type": "application/scim+json"},
        json.dumps({"t": request.target}).encode(),
    )


def configured(url: str, **kwargs) -> AiohttpTransport:
    """Return an aiohttp transport configured for a URL."""
    transport = AiohttpTransport()
    transport.configure(settings_for(url, TOKEN, **kwargs))
    return transport


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A certificate authority for the test servers."""
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_server_context(ca) -> ssl.SSLContext:
    """The TLS context of a server for 127.0.0.1, signed by the test CA."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


class TestAiohttpTransport:
    """The async transport on aiohttp, over real HTTP on 127.0.0.1."""

    @pytest.mark.asyncio
    async def test_token_on_the_wire(self):
        """The bearer header is added on the wire; body and headers come back."""
        with LocalServer(ok) as server:
            transport = configured(server.url)
            response = await transport.send(Request("POST", "/Users", body=b"{}"))
            await transport.close()

        assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
        assert server.seen[0].body == b"{}"
        assert response.status == 200
        assert response.headers["content-type"] == "application/scim+json"

    @pytest.mark.asyncio
    async def test_redirect_to_other_host_drops_token(self):
        """A redirect to another origin is followed without Authorization."""
        with LocalServer(ok) as other:
            redirect = Response(307, {"location": other.url + "/x"})
            with LocalServer(lambda r: redirect) as server:
                transport = configured(server.url)
                response = await transport.send(Request("GET", "/Users"))
                await transport.close()

        assert response.status == 200
        assert "authorization" not in other.seen[0].headers

    @pytest.mark.asyncio
    async def test_connection_refused(self):
        """Nothing listening is a ConnectError."""
        transport = configured(f"http://127.0.0.1:{free_port()}/v2")

        with pytest.raises(ex.ConnectError) as info:
            await transport.send(Request("GET", "/Users"))
        await transport.close()

        assert info.value.method == "GET"

    @pytest.mark.asyncio
    async def test_read_timeout(self):
        """A server that does not answer in time is a ReadTimeoutError."""
        with LocalServer(lambda r: HANG) as server:
            transport = configured(server.url, timeout=Timeout(read=0.2))
            with pytest.raises(ex.ReadTimeoutError):
                await transport.send(Request("GET", "/Users"))
            await transport.close()

    @pytest.mark.asyncio
    async def test_dropped(self):
        """A connection closed before the answer is a ConnectionDroppedError."""
        with LocalServer(lambda r: DROP) as server:
            transport = configured(server.url)
            with pytest.raises(ex.ConnectionDroppedError):
                await transport.send(Request("GET", "/Users"))
            await transport.close()

    @pytest.mark.asyncio
    async def test_untrusted_certificate(self, tls_server_context):
        """Verification is on by default: an unknown CA is a TLSError."""
        with LocalServer(ok, ssl_context=tls_server_context) as server:
            transport = configured(server.url)
            with pytest.raises(ex.TLSError):
                await transport.send(Request("GET", "/Users"))
            await transport.close()

    @pytest.mark.asyncio
    async def test_custom_ca_bundle(self, tls_server_context, ca, tmp_path):
        """A CA bundle that signs the certificate makes it trusted."""
        bundle = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        with LocalServer(ok, ssl_context=tls_server_context) as server:
            transport = configured(server.url, ca_bundle=bundle)
            response = await transport.send(Request("GET", "/Users"))
            await transport.close()

        assert response.status == 200

    @pytest.mark.asyncio
    async def test_callers_session_stays_open(self):
        """A caller's ClientSession is used and left open on close()."""
        import aiohttp

        async with aiohttp.ClientSession() as session:
            with LocalServer(ok) as server:
                transport = AiohttpTransport(session=session)
                transport.configure(settings_for(server.url, TOKEN))
                response = await transport.send(Request("GET", "/Users"))
                await transport.close()

                assert not session.closed
        assert response.status == 200

    @pytest.mark.asyncio
    async def test_callers_session_gets_our_timeouts(self):
        """A caller's session without timeouts still gives up at our read timeout."""
        import aiohttp

        no_limit = aiohttp.ClientTimeout(total=None, sock_read=None)
        async with aiohttp.ClientSession(timeout=no_limit) as session:
            with LocalServer(lambda r: HANG) as server:
                transport = AiohttpTransport(session=session)
                transport.configure(
                    settings_for(server.url, TOKEN, timeout=Timeout(read=0.2))
                )
                with pytest.raises(ex.ReadTimeoutError):
                    await transport.send(Request("GET", "/Users"))
                await transport.close()

    @pytest.mark.asyncio
    async def test_close_without_use(self):
        """Closing a transport that never sent does nothing."""
        transport = configured("https://a.example/v2")

        await transport.close()
        await transport.close()

        assert repr(transport) == "AiohttpTransport(base_url='https://a.example/v2')"


class TestAiohttpProxy:
    """A proxy from the environment, credentials in its URL."""

    @pytest.mark.asyncio
    async def test_credentials_reach_the_proxy(self, proxy_env):
        """A plain http request carries them, percent-decoded, to the proxy."""
        with LocalServer(ok) as proxy:
            proxy_env.setenv("http_proxy", f"http://bob:p%40ss@127.0.0.1:{proxy.port}")
            transport = configured(
                "http://scim.example.com/scim/v2", allow_insecure_http=True
            )
            response = await transport.send(Request("GET", "/Users"))
            await transport.close()

        seen = proxy.seen[0]
        assert response.status == 200
        assert seen.path == "http://scim.example.com/scim/v2/Users"
        assert seen.headers["proxy-authorization"] == basic("bob:p@ss")
        assert seen.headers["authorization"] == f"Bearer {TOKEN}"

    @pytest.mark.asyncio
    async def test_credentials_open_the_tunnel(self, proxy_env):
        """An https request's CONNECT carries them; a 407 hides the password."""
        with RefusingProxy() as proxy:
            proxy_env.setenv(
                "https_proxy", f"http://bob:{SECRET}@127.0.0.1:{proxy.port}"
            )
            transport = configured("https://scim.example.com/scim/v2")
            with pytest.raises(ex.ConnectError) as info:
                await transport.send(Request("GET", "/Users"))
            await transport.close()

        target, headers = proxy.seen[0]
        assert target == "scim.example.com:443"
        assert headers["proxy-authorization"] == basic(f"bob:{SECRET}")
        assert "407" in str(info.value)
        assert "check the user and password" in str(info.value)
        assert hidden(info.value)

    @pytest.mark.asyncio
    async def test_unreachable_proxy_hides_the_password(self, proxy_env, caplog):
        """Errors and DEBUG log records show the proxy with its password masked."""
        port = free_port()
        proxy_env.setenv("https_proxy", f"http://bob:{SECRET}@127.0.0.1:{port}")
        caplog.set_level(logging.DEBUG)
        transport = configured("https://scim.example.com/scim/v2")
        with pytest.raises(ex.ConnectError) as info:
            await transport.send(Request("GET", "/Users"))
        await transport.close()

        logged = "\n".join(
            f"{record.getMessage()} {vars(record)}" for record in caplog.records
        )
        assert f"through the proxy http://bob:***@127.0.0.1:{port}" in logged
        assert SECRET not in logged
        assert hidden(info.value)


class TestTranslation:
    """aiohttp failures become scim_ninjio's transport errors."""

    @pytest.mark.parametrize(
        ("name", "cls"),
        [
            ("ssl", ex.TLSError),
            ("connector", ex.ConnectError),
            ("timeout", ex.ReadTimeoutError),
            ("disconnected", ex.ConnectionDroppedError),
            ("payload", ex.ConnectionDroppedError),
            ("other", ex.TransportError),
        ],
    )
    def test_mapping(self, name, cls):
        """Each aiohttp failure maps to the error the retry policy expects."""
        import aiohttp

        from scim_ninjio.transports._aiohttp import _translate
        from scim_ninjio.transports._base import Wire

        error = {
            "ssl": lambda: ssl.SSLError("bad"),
            "connector": lambda: aiohttp.ConnectionTimeoutError("c"),
            "timeout": TimeoutError,
            "disconnected": aiohttp.ServerDisconnectedError,
            "payload": lambda: aiohttp.ClientPayloadError("cut"),
            "other": lambda: aiohttp.InvalidURL("x"),
        }[name]()
        wire = Wire("GET", "https://a.example/v2/Users", None, {}, None)

        translated = _translate(error, wire, 3.0)

        assert type(translated) is cls
        assert translated.url == "https://a.example/v2/Users"


class TestAsyncMemoryTransport:
    """The async in-memory transport."""

    @pytest.mark.asyncio
    async def test_sync_and_async_handlers(self):
        """A handler may return a response or an awaitable of one."""

        async def later(request):
            return Response(202)

        assert (
            await AsyncMemoryTransport(lambda r: Response(201)).send(
                Request("GET", "/")
            )
        ).status == 201
        assert (
            await AsyncMemoryTransport(later).send(Request("GET", "/"))
        ).status == 202

    @pytest.mark.asyncio
    async def test_authorize(self):
        """With authorize=True the async handler gets the authorization header."""
        seen = []

        def handler(request):
            seen.append(request.header("authorization"))
            return Response(204)

        transport = AsyncMemoryTransport(handler, authorize=True)
        transport.configure(settings_for("https://a.example/v2", TOKEN))
        await transport.send(Request("GET", "/Users"))

        assert seen == [f"Bearer {TOKEN}"]

    @pytest.mark.asyncio
    async def test_faults_pass_through(self):
        """A fault raised by the handler reaches the caller, located."""

        def handler(request):
            raise ex.ConnectionDroppedError("simulated")

        transport = AsyncMemoryTransport(handler)
        transport.configure(settings_for("https://a.example/v2", TOKEN))

        with pytest.raises(ex.ConnectionDroppedError) as info:
            await transport.send(Request("PATCH", "/Groups/1"))
        await transport.close()

        assert info.value.url == "https://a.example/v2/Groups/1"
        assert "AsyncMemoryTransport" in repr(transport)
