import json
import logging
import ssl

import pytest
import requests
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
    BearerToken,
    MemoryTransport,
    RequestsTransport,
    SyncTransport,
    Timeout,
    Urllib3Transport,
    settings_for,
)
from scim_ninjio.transports._base import redirect_target


def ok(request: Request) -> Response:
    """Echo the request as JSON."""
    body = json.dumps({"method": request.method, "target": request.target}).encode()
    return Response(200, {"Content-Type": "application/scim+json", "X-Seen": "1"}, body)


def urllib3_transport(**_: object) -> SyncTransport:
    """Return a new urllib3 transport."""
    return Urllib3Transport()


def requests_transport(**_: object) -> SyncTransport:
    """Return a new requests transport."""
    return RequestsTransport()


TRANSPORTS = pytest.mark.parametrize(
    "make", [urllib3_transport, requests_transport], ids=["urllib3", "requests"]
)


def configured(make, url: str, **kwargs) -> SyncTransport:
    """Return a transport configured for a URL with the test token."""
    transport = make()
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
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def ca_file(ca, tmp_path) -> str:
    """The test CA as a PEM bundle file."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@TRANSPORTS
class TestWire:
    """What goes on the wire and comes back."""

    def test_bearer_token_on_the_wire_only(self, make):
        """The transport adds the bearer header; the Request never held it."""
        request = Request("GET", "/Users?count=1")
        with LocalServer(ok) as server:
            transport = configured(make, server.url)
            response = transport.send(request)
            transport.close()

        assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
        assert "authorization" not in request.headers
        assert server.seen[0].path == "/scim/v2/Users?count=1"
        assert response.status == 200
        assert response.headers["x-seen"] == "1"
        assert json.loads(response.body)["target"] == "/scim/v2/Users?count=1"

    def test_body_and_headers_are_sent(self, make):
        """Method, body and request headers arrive as given."""
        request = Request(
            "PATCH", "/Users/1", {"Content-Type": "application/scim+json"}, b'{"a":1}'
        )
        with LocalServer(ok) as server:
            transport = configured(make, server.url)
            transport.send(request)
            transport.close()

        seen = server.seen[0]
        assert seen.method == "PATCH"
        assert seen.body == b'{"a":1}'
        assert seen.headers["content-type"] == "application/scim+json"

    def test_error_status_is_returned_not_raised(self, make):
        """A 500 is an answer: the transport returns it."""
        with LocalServer(lambda r: Response(500, {}, b"boom")) as server:
            transport = configured(make, server.url)
            response = transport.send(Request("GET", "/Users"))
            transport.close()

        assert response.status == 500
        assert response.body == b"boom"

    def test_same_origin_redirect_keeps_the_token(self, make):
        """A 307 on the same origin is followed with the token and the body."""

        def handler(request):
            if request.path == "/scim/v2/Users":
                return Response(307, {"location": "/scim/v2/Users2"})
            return ok(request)

        with LocalServer(handler) as server:
            transport = configured(make, server.url)
            response = transport.send(Request("POST", "/Users", body=b"{}"))
            transport.close()

        assert response.status == 200
        assert [s.path for s in server.seen] == ["/scim/v2/Users", "/scim/v2/Users2"]
        assert server.seen[1].method == "POST"
        assert server.seen[1].body == b"{}"
        assert server.seen[1].headers["authorization"] == f"Bearer {TOKEN}"

    def test_redirect_to_another_host_drops_the_token(self, make):
        """A redirect to another origin is followed without Authorization."""
        with LocalServer(ok) as other:
            redirect = Response(302, {"location": other.url + "/elsewhere"})
            with LocalServer(lambda r: redirect) as server:
                transport = configured(make, server.url)
                response = transport.send(Request("GET", "/Users"))
                transport.close()

        assert response.status == 200
        assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
        assert other.seen[0].path == "/scim/v2/elsewhere"
        assert "authorization" not in other.seen[0].headers

    def test_post_is_not_turned_into_get(self, make):
        """A 302 answer to a POST is returned, not followed as a GET."""
        with LocalServer(lambda r: Response(302, {"location": "/x"})) as server:
            transport = configured(make, server.url)
            response = transport.send(Request("POST", "/Users", body=b"{}"))
            transport.close()

        assert response.status == 302
        assert len(server.seen) == 1

    def test_redirect_loop_is_cut(self, make):
        """A redirect loop stops after a bounded number of hops."""
        with LocalServer(
            lambda r: Response(307, {"location": "/scim/v2/Users"})
        ) as server:
            transport = configured(make, server.url)
            response = transport.send(Request("GET", "/Users"))
            transport.close()

        assert response.status == 307
        assert len(server.seen) == 6


@TRANSPORTS
class TestFailures:
    """Network failures become the transport errors the retry policy knows."""

    def test_connection_refused(self, make):
        """Nothing listening is a ConnectError naming the method and URL."""
        url = f"http://127.0.0.1:{free_port()}/scim/v2"
        transport = configured(make, url)

        with pytest.raises(ex.ConnectError) as info:
            transport.send(Request("GET", "/Users"))
        transport.close()

        assert info.value.method == "GET"
        assert info.value.url == url + "/Users"

    def test_read_timeout(self, make):
        """A server that does not answer in time is a ReadTimeoutError."""
        with LocalServer(lambda r: HANG) as server:
            transport = configured(make, server.url, timeout=Timeout(read=0.2))
            with pytest.raises(ex.ReadTimeoutError):
                transport.send(Request("GET", "/Users"))
            transport.close()

    def test_dropped_connection(self, make):
        """A connection closed before the answer is a ConnectionDroppedError."""
        with LocalServer(lambda r: DROP) as server:
            transport = configured(make, server.url)
            with pytest.raises(ex.ConnectionDroppedError):
                transport.send(Request("GET", "/Users"))
            transport.close()


@TRANSPORTS
class TestTLS:
    """TLS: verification on by default, custom CA bundles, opt-out."""

    def test_untrusted_certificate_fails(self, make, tls_server_context):
        """Verification is on by default: an unknown CA is a TLSError."""
        with LocalServer(ok, ssl_context=tls_server_context) as server:
            transport = configured(make, server.url)
            with pytest.raises(ex.TLSError):
                transport.send(Request("GET", "/Users"))
            transport.close()

    def test_custom_ca_bundle(self, make, tls_server_context, ca_file):
        """A CA bundle that signs the server's certificate makes it trusted."""
        with LocalServer(ok, ssl_context=tls_server_context) as server:
            transport = configured(make, server.url, ca_bundle=ca_file)
            response = transport.send(Request("GET", "/Users"))
            transport.close()

        assert response.status == 200
        assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"

    def test_ca_directory(self, make, tls_server_context, ca, tmp_path):
        """A directory of hashed CA files works as a bundle too."""
        directory = tmp_path / "cas"
        directory.mkdir()
        ca.cert_pem.write_to_path(str(directory / "ca.pem"))

        settings = settings_for("https://127.0.0.1/x", TOKEN, ca_bundle=directory)

        assert settings.ca_bundle == str(directory)

    @pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
    def test_verification_can_be_turned_off(self, make, tls_server_context):
        """verify=False accepts any certificate."""
        with LocalServer(ok, ssl_context=tls_server_context) as server:
            transport = configured(make, server.url, verify=False)
            response = transport.send(Request("GET", "/Users"))
            transport.close()

        assert response.status == 200


@TRANSPORTS
class TestProxy:
    """A proxy from the environment, credentials in its URL."""

    def test_credentials_reach_the_proxy(self, make, proxy_env):
        """A plain http request carries them, percent-decoded, to the proxy."""
        with LocalServer(ok) as proxy:
            proxy_env.setenv("http_proxy", f"http://bob:p%40ss@127.0.0.1:{proxy.port}")
            transport = configured(
                make, "http://scim.example.com/scim/v2", allow_insecure_http=True
            )
            response = transport.send(Request("GET", "/Users"))
            transport.close()

        seen = proxy.seen[0]
        assert response.status == 200
        assert seen.path == "http://scim.example.com/scim/v2/Users"
        assert seen.headers["proxy-authorization"] == basic("bob:p@ss")
        assert seen.headers["authorization"] == f"Bearer {TOKEN}"

    def test_credentials_open_the_tunnel(self, make, proxy_env):
        """An https request's CONNECT carries them; a 407 hides the password."""
        with RefusingProxy() as proxy:
            proxy_env.setenv(
                "https_proxy", f"http://bob:{SECRET}@127.0.0.1:{proxy.port}"
            )
            transport = configured(make, "https://scim.example.com/scim/v2")
            with pytest.raises(ex.ConnectError) as info:
                transport.send(Request("GET", "/Users"))
            transport.close()

        target, headers = proxy.seen[0]
        assert target == "scim.example.com:443"
        assert headers["proxy-authorization"] == basic(f"bob:{SECRET}")
        assert "407" in str(info.value)
        assert hidden(info.value)

    def test_unreachable_proxy_hides_the_password(self, make, proxy_env, caplog):
        """Errors and DEBUG log records show the proxy with its password masked."""
        port = free_port()
        proxy_env.setenv("https_proxy", f"http://bob:{SECRET}@127.0.0.1:{port}")
        caplog.set_level(logging.DEBUG)
        transport = configured(make, "https://scim.example.com/scim/v2")
        with pytest.raises(ex.ConnectError) as info:
            transport.send(Request("GET", "/Users"))
        transport.close()

        logged = "\n".join(
            f"{record.getMessage()} {vars(record)}" for record in caplog.records
        )
        assert f"through the proxy http://bob:***@127.0.0.1:{port}" in logged
        assert SECRET not in logged
        assert hidden(info.value)


class TestRequestsSession:
    """A caller's own requests.Session."""

    def test_session_settings_are_used_and_it_stays_open(self):
        """The session's headers go out; close() leaves a caller's session open."""
        session = requests.Session()
        session.headers["X-Company"] = "acme"
        with LocalServer(ok) as server:
            transport = configured(lambda: RequestsTransport(session), server.url)
            transport.send(Request("GET", "/Users"))
            transport.close()
            again = session.get(server.url + "/ping", timeout=5)

        assert server.seen[0].headers["x-company"] == "acme"
        assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
        assert again.status_code == 200
        session.close()

    def test_session_auth_is_honoured(self):
        """A session's auth plugin runs (it may replace the header)."""
        session = requests.Session()
        session.auth = lambda r: (r.headers.__setitem__("X-Signed", "yes"), r)[1]
        with LocalServer(ok) as server:
            transport = configured(lambda: RequestsTransport(session), server.url)
            transport.send(Request("GET", "/Users"))
            transport.close()
        session.close()

        assert server.seen[0].headers["x-signed"] == "yes"

    def test_session_auth_stays_on_the_origin(self):
        """A session's auth, like the token, is not sent to a redirect's host."""
        session = requests.Session()
        session.auth = lambda r: (r.headers.__setitem__("X-Signed", "yes"), r)[1]
        with LocalServer(ok) as other:
            redirect = Response(302, {"location": other.url + "/elsewhere"})
            with LocalServer(lambda r: redirect) as server:
                transport = configured(lambda: RequestsTransport(session), server.url)
                response = transport.send(Request("GET", "/Users"))
                transport.close()
        session.close()

        assert response.status == 200
        assert server.seen[0].headers["x-signed"] == "yes"
        assert "x-signed" not in other.seen[0].headers

    def test_environment_is_read_once(self, monkeypatch):
        """Proxies and CA variables are read when configured, not per request."""
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/company-ca.pem")
        transport = RequestsTransport()
        transport.configure(settings_for("https://scim.example.com/v2", TOKEN))
        monkeypatch.delenv("HTTPS_PROXY")

        assert transport._proxies["https"] == "http://proxy.invalid:3128"
        assert transport._verify == "/etc/company-ca.pem"
        transport.close()

    def test_no_proxy_for_loopback(self, monkeypatch):
        """A loopback base URL goes direct even with a proxy in the environment."""
        monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
        transport = RequestsTransport()
        transport.configure(settings_for("http://127.0.0.1:9/v2", TOKEN))

        assert transport._proxies == {}
        transport.close()

    def test_session_without_trust_env(self, monkeypatch):
        """A session that does not trust the environment gets only its own proxies."""
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
        session = requests.Session()
        session.trust_env = False
        session.proxies = {"https": "http://company-proxy:8080"}
        transport = RequestsTransport(session)
        transport.configure(settings_for("https://scim.example.com/v2", TOKEN))

        assert transport._proxies == {"https": "http://company-proxy:8080"}
        assert transport._verify is True
        session.close()

    def test_session_verify_false_still_verifies(self, tls_server_context, caplog):
        """A session's verify=False leaves TLS checks on, and a warning says so."""
        session = requests.Session()
        session.verify = False
        with LocalServer(ok, ssl_context=tls_server_context) as server:
            transport = configured(lambda: RequestsTransport(session), server.url)
            with pytest.raises(ex.TLSError):
                transport.send(Request("GET", "/Users"))
            transport.close()
        session.close()

        assert server.seen == []
        assert "verify=False, which is ignored" in caplog.text

    @pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
    @pytest.mark.parametrize("session_verify", [True, False])
    def test_client_verify_false_opts_out(self, tls_server_context, session_verify):
        """The client's verify=False turns the checks off, whatever the session says."""
        session = requests.Session()
        session.verify = session_verify
        with LocalServer(ok, ssl_context=tls_server_context) as server:
            transport = configured(
                lambda: RequestsTransport(session), server.url, verify=False
            )
            response = transport.send(Request("GET", "/Users"))
            transport.close()
        session.close()

        assert response.status == 200

    def test_verify_false_and_session_verify(self, tmp_path):
        """verify=False wins; otherwise a session's own verify path is kept."""
        session = requests.Session()
        session.verify = str(tmp_path)
        kept = RequestsTransport(session)
        kept.configure(settings_for("https://scim.example.com/v2", TOKEN))
        off = RequestsTransport()
        off.configure(settings_for("https://scim.example.com/v2", TOKEN, verify=False))

        assert kept._verify == str(tmp_path)
        assert off._verify is False
        session.close()
        off.close()


class TestSettings:
    """Base URL checks and what is read once."""

    @pytest.mark.parametrize(
        "url",
        [
            "http://scim.example.com/v2",
            "http://10.0.0.5/scim",
        ],
    )
    def test_plain_http_is_refused(self, url):
        """Plain http to another host is refused: the token would go unencrypted."""
        with pytest.raises(ex.ConfigurationError, match="allow_insecure_http"):
            settings_for(url, TOKEN)

    @pytest.mark.parametrize(
        "url",
        ["http://127.0.0.1:8080/scim/v2", "http://localhost/v2", "http://[::1]:9/v2"],
    )
    def test_plain_http_to_loopback_is_allowed(self, url):
        """Plain http to this machine is allowed."""
        assert settings_for(url, TOKEN).base_url == url

    def test_opt_in_allows_plain_http(self):
        """allow_insecure_http=True allows plain http to another host."""
        settings = settings_for(
            "http://scim.internal/v2/", TOKEN, allow_insecure_http=True
        )

        assert settings.base_url == "http://scim.internal/v2"

    @pytest.mark.parametrize(
        ("url", "match"),
        [
            ("scim.example.com/v2", "absolute"),
            ("ftp://scim.example.com", "absolute"),
            ("https://user:pw@scim.example.com/v2", "credentials"),
            ("https://scim.example.com/v2?x=1", "query"),
        ],
    )
    def test_bad_urls(self, url, match):
        """Relative, non-http, credential or query URLs are refused."""
        with pytest.raises(ex.ConfigurationError, match=match) as info:
            settings_for(url, TOKEN)

        assert "pw" not in str(info.value)

    def test_missing_ca_bundle(self, tmp_path):
        """A CA bundle that does not exist is refused up front."""
        with pytest.raises(ex.ConfigurationError, match="does not exist"):
            settings_for("https://x.example", TOKEN, ca_bundle=tmp_path / "nope.pem")

    def test_unreadable_ca_bundle(self, tmp_path):
        """A CA bundle that is not PEM is a ConfigurationError when configured."""
        bad = tmp_path / "bad.pem"
        bad.write_text("not a certificate")
        transport = Urllib3Transport()

        with pytest.raises(ex.ConfigurationError, match="PEM"):
            transport.configure(settings_for("https://x.example", TOKEN, ca_bundle=bad))

    def test_bad_pool_size_and_timeout(self):
        """A pool size below 1 and a zero timeout are refused."""
        with pytest.raises(ex.ConfigurationError, match="pool_size"):
            settings_for("https://x.example", TOKEN, pool_size=0)
        with pytest.raises(ex.ConfigurationError, match=r"Timeout\.read"):
            Timeout(read=0)

    def test_proxy_from_environment(self, monkeypatch):
        """The proxy is read once from the environment; NO_PROXY counts."""
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
        monkeypatch.setenv("NO_PROXY", "direct.example")

        proxied = settings_for("https://scim.example.com/v2", TOKEN)
        direct = settings_for("https://direct.example/v2", TOKEN)

        assert proxied.proxy == "http://proxy.example:3128"
        assert direct.proxy is None

    def test_proxy_password_is_masked(self, proxy_env):
        """The settings' repr masks the proxy's password; the field keeps it."""
        proxy = f"http://bob:{SECRET}@proxy.example:3128"
        proxy_env.setenv("HTTPS_PROXY", proxy)

        settings = settings_for("https://scim.example.com/v2", TOKEN)

        assert "proxy='http://bob:***@proxy.example:3128'" in repr(settings)
        assert SECRET not in repr(settings)
        assert SECRET not in str(settings)
        assert settings.proxy == proxy

    def test_bare_proxy_is_http(self, proxy_env):
        """A proxy without a scheme, as HTTPS_PROXY often holds, is an http proxy."""
        proxy_env.setenv("HTTPS_PROXY", f"bob:{SECRET}@proxy.example:3128")

        settings = settings_for("https://scim.example.com/v2", TOKEN)

        assert settings.proxy == f"http://bob:{SECRET}@proxy.example:3128"
        assert SECRET not in repr(settings)

    def test_proxy_credentials_outside_latin1(self, proxy_env):
        """Credentials that Basic cannot carry are refused without being shown."""
        proxy_env.setenv("HTTPS_PROXY", "http://bob:%E2%82%ACuro@proxy.example:3128")

        with pytest.raises(ex.ConfigurationError, match="Latin-1") as info:
            settings_for("https://scim.example.com/v2", TOKEN)

        assert "bob:***@proxy.example" in str(info.value)
        assert "uro" not in str(info.value)

    def test_urllib3_through_proxy(self, monkeypatch):
        """Through a proxy, the urllib3 transport uses a ProxyManager."""
        import urllib3

        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
        transport = Urllib3Transport()
        transport.configure(settings_for("https://scim.example.com/v2", TOKEN))

        assert isinstance(transport._manager, urllib3.ProxyManager)
        transport.close()

    def test_transport_serves_one_service(self):
        """A transport configured for one service refuses another."""
        transport = Urllib3Transport()
        transport.configure(settings_for("https://a.example/v2", TOKEN))
        transport.configure(settings_for("https://a.example/v2", TOKEN))

        with pytest.raises(ex.ConfigurationError, match="already serves"):
            transport.configure(settings_for("https://b.example/v2", TOKEN))
        transport.close()

    def test_transport_needs_settings(self):
        """Sending before configure() says how to use the transport."""
        with pytest.raises(ex.ConfigurationError, match="no settings"):
            Urllib3Transport().send(Request("GET", "/Users"))

    def test_close_before_configure(self):
        """Closing a transport never configured does nothing."""
        Urllib3Transport().close()
        RequestsTransport().close()


class TestProxyUrls:
    """Masking a proxy URL and taking its credentials out."""

    @pytest.mark.parametrize(
        ("url", "masked", "bare", "credentials"),
        [
            (
                "http://bob:p%40ss@proxy:3128",
                "http://bob:***@proxy:3128",
                "http://proxy:3128",
                "bob:p@ss",
            ),
            (
                "http://bob:p@ss@[::1]:3128/",
                "http://bob:***@[::1]:3128/",
                "http://[::1]:3128/",
                "bob:p@ss",
            ),
            ("bob:pw@proxy:3128", "bob:***@proxy:3128", "proxy:3128", "bob:pw"),
            ("http://bob@proxy", "http://bob@proxy", "http://proxy", "bob:"),
            ("http://:pw@proxy", "http://:***@proxy", "http://proxy", None),
            ("http://proxy:3128", "http://proxy:3128", "http://proxy:3128", None),
        ],
    )
    def test_forms(self, url, masked, bare, credentials):
        """Each form of proxy URL is masked and split as requests would read it."""
        from scim_ninjio.transports._base import masked_url, proxy_credentials

        assert masked_url(url) == masked
        assert proxy_credentials(url) == (bare, credentials)


class TestRedirectTarget:
    """Which redirects are followed."""

    @pytest.mark.parametrize(
        ("method", "status", "followed"),
        [
            ("GET", 301, True),
            ("GET", 303, True),
            ("HEAD", 302, True),
            ("POST", 307, True),
            ("PATCH", 308, True),
            ("POST", 301, False),
            ("PATCH", 302, False),
            ("DELETE", 303, False),
            ("GET", 200, False),
        ],
    )
    def test_rules(self, method, status, followed):
        """307/308 always; 301/302/303 only for GET and HEAD."""
        response = Response(status, {"location": "/next"})

        target = redirect_target(method, "https://a.example/v2/Users", response)

        assert (target == "https://a.example/next") is followed

    def test_no_location(self):
        """A redirect without Location is not followed."""
        assert redirect_target("GET", "https://a.example/", Response(302)) is None


class TestMemoryTransport:
    """The in-memory transport."""

    def test_handler_answers(self):
        """The handler's response is returned as is."""
        transport = MemoryTransport(lambda r: Response(201))

        assert transport.send(Request("POST", "/Users")).status == 201

    def test_faults_pass_through_with_location(self):
        """A handler's fault reaches the caller with method and URL."""

        def handler(request):
            raise ex.ReadTimeoutError("simulated")

        transport = MemoryTransport(handler)
        transport.configure(settings_for("https://a.example/v2", TOKEN))

        with pytest.raises(ex.ReadTimeoutError) as info:
            transport.send(Request("GET", "/Users"))

        assert info.value.url == "https://a.example/v2/Users"
        assert info.value.method == "GET"
        assert "MemoryTransport(handler=" in repr(transport)

    def test_authorize_hands_the_header_over(self):
        """With authorize=True the handler gets the authorization header, else not."""
        seen = []

        def handler(request):
            seen.append(request.header("authorization"))
            return Response(204)

        for authorize in (True, False):
            transport = MemoryTransport(handler, authorize=authorize)
            transport.configure(settings_for("https://a.example/v2", TOKEN))
            transport.send(Request("GET", "/Users"))

        assert seen == [f"Bearer {TOKEN}", None]

    def test_faults_keep_their_own_location(self):
        """A fault that names its URL keeps it; without settings the target is used."""

        def handler(request):
            raise ex.ConnectError("x", method="PUT", url="https://elsewhere/")

        with pytest.raises(ex.ConnectError) as info:
            MemoryTransport(handler).send(Request("GET", "/Users"))

        assert info.value.url == "https://elsewhere/"
        assert info.value.method == "PUT"

        def bare(request):
            raise ex.ConnectError("x")

        with pytest.raises(ex.ConnectError) as info2:
            MemoryTransport(bare).send(Request("GET", "/Users"))
        assert info2.value.url == "/Users"


class TestBearerToken:
    """The token wrapper keeps the secret to itself."""

    def test_redacted(self):
        """repr, str and format never show the token."""
        token = BearerToken(TOKEN)

        assert TOKEN not in repr(token)
        assert TOKEN not in str(token)
        assert TOKEN not in f"{token!r} {token}"
        assert token.reveal() == TOKEN
        assert token.header() == f"Bearer {TOKEN}"

    def test_compares_and_wraps(self):
        """Tokens compare by value, wrap each other and hash alike."""
        assert BearerToken(TOKEN) == BearerToken(BearerToken(TOKEN))
        assert BearerToken("a") != BearerToken("b")
        assert BearerToken("a") != "a"
        assert hash(BearerToken("a")) == hash(BearerToken("b"))

    def test_not_pickled(self):
        """A token refuses to be pickled."""
        import pickle

        with pytest.raises(TypeError, match="not pickled"):
            pickle.dumps(BearerToken(TOKEN))

    @pytest.mark.parametrize("bad", ["", "   ", None, "abc\ndef", " abc", "abc\r\n"])
    def test_bad_tokens(self, bad):
        """Empty, padded or multi-line tokens are refused without echo."""
        with pytest.raises(ex.ConfigurationError) as info:
            BearerToken(bad)

        assert "abc" not in str(info.value)


class TestTranslation:
    """Library exceptions become scim_ninjio's transport errors."""

    @pytest.fixture
    def wire(self):
        """One request on the wire."""
        from scim_ninjio.transports._base import Wire

        return Wire("GET", "https://a.example/v2/Users", "/v2/Users", {}, None)

    @pytest.mark.parametrize(
        ("error", "cls"),
        [
            ("SSLError", ex.TLSError),
            ("ProxyError", ex.ConnectError),
            ("NewConnectionError", ex.ConnectError),
            ("ReadTimeoutError", ex.ReadTimeoutError),
            ("ProtocolError", ex.ConnectionDroppedError),
            ("OSError", ex.ConnectionDroppedError),
            ("DecodeError", ex.TransportError),
        ],
    )
    def test_urllib3(self, wire, error, cls):
        """Each urllib3 failure maps to the error the retry policy expects."""
        import urllib3
        import urllib3.exceptions as u3

        from scim_ninjio.transports._urllib3 import _translate

        made = {
            "SSLError": lambda: u3.SSLError("bad cert"),
            "ProxyError": lambda: u3.ProxyError("proxy down", OSError()),
            "NewConnectionError": lambda: u3.NewConnectionError(None, "refused"),
            "ReadTimeoutError": lambda: u3.ReadTimeoutError(None, "/", "slow"),
            "ProtocolError": lambda: u3.ProtocolError("aborted"),
            "OSError": lambda: ConnectionResetError("reset"),
            "DecodeError": lambda: u3.DecodeError("gzip"),
        }[error]()

        translated = _translate(made, wire, urllib3.Timeout(read=3))

        assert type(translated) is cls
        assert translated.url == "https://a.example/v2/Users"
        assert translated.method == "GET"
        assert str(translated).startswith("GET https://a.example/v2/Users: ")

    @pytest.mark.parametrize(
        ("error", "cls"),
        [
            (requests.exceptions.SSLError("bad"), ex.TLSError),
            (requests.exceptions.ProxyError("p"), ex.ConnectError),
            (requests.exceptions.ConnectTimeout("c"), ex.ConnectError),
            (requests.exceptions.ReadTimeout("r"), ex.ReadTimeoutError),
            (requests.exceptions.ChunkedEncodingError("c"), ex.ConnectionDroppedError),
            (
                requests.exceptions.ConnectionError(ConnectionResetError()),
                ex.ConnectionDroppedError,
            ),
            (requests.exceptions.ConnectionError("refused"), ex.ConnectError),
            (requests.exceptions.ConnectionError(), ex.ConnectError),
            (requests.exceptions.InvalidHeader("h"), ex.TransportError),
        ],
    )
    def test_requests(self, wire, error, cls):
        """Each requests failure maps to the error the retry policy expects."""
        from scim_ninjio.transports._requests import _translate

        translated = _translate(error, wire)

        assert type(translated) is cls
        assert translated.method == "GET"


def test_ca_directory_builds_a_context(ca, tmp_path):
    """A CA directory is loaded as a capath, with verification on."""
    from scim_ninjio.transports._base import ssl_context

    directory = tmp_path / "cas"
    directory.mkdir()
    ca.cert_pem.write_to_path(str(directory / "ca.pem"))

    context = ssl_context(settings_for("https://a.example", TOKEN, ca_bundle=directory))

    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_transport_repr_names_only_the_url():
    """A transport's repr shows its base URL and nothing else."""
    transport = Urllib3Transport()
    before = repr(transport)
    transport.configure(settings_for("https://a.example/v2", TOKEN))

    assert before == "Urllib3Transport(base_url=None)"
    assert repr(transport) == "Urllib3Transport(base_url='https://a.example/v2')"
    transport.close()
