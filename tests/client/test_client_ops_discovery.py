import pytest

from client_helpers import BASE, drive, error, page, scim, session, spc

from scim_ninjio import exceptions as ex
from scim_ninjio._http import Response
from scim_ninjio._ops import (
    Capabilities,
    capabilities,
    resource_types,
    schemas,
    service_provider_config,
    verify,
)
from scim_ninjio.models import (
    FilterConfig,
    PaginationConfig,
    ServiceProviderConfig,
    Supported,
)
from scim_ninjio.profiles import NINJIO, ServerProfile


RT = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    "id": "User",
    "name": "User",
    "endpoint": "/Users",
    "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
}


class TestCapabilities:
    """What the server supports, read once."""

    def test_from_config(self):
        """The configuration's PATCH, ETag, sort and filter support are kept."""
        config = ServiceProviderConfig(
            patch=Supported(supported=False),
            etag=Supported(supported=True),
            sort=Supported(supported=True),
            filter=FilterConfig(supported=True, max_results=50),
        )

        found = Capabilities.from_config(config, profile=NINJIO)

        assert found.patch is False
        assert found.etag is True
        assert found.sort is True
        assert found.page_size == 50
        assert found.paging == "index"
        assert found.config_found

    def test_page_size_choice(self):
        """The caller's page size wins, capped by maxPageSize and maxResults."""
        config = ServiceProviderConfig(
            pagination=PaginationConfig(
                index=True, default_page_size=20, max_page_size=30
            ),
        )

        assert Capabilities.from_config(config, profile=NINJIO).page_size == 20
        assert (
            Capabilities.from_config(config, profile=NINJIO, page_size=500).page_size
            == 30
        )
        assert (
            Capabilities.from_config(config, profile=NINJIO, page_size=5).page_size == 5
        )

    def test_cursor_only_server(self):
        """A server that pages only by cursor gets cursor paging."""
        config = ServiceProviderConfig(
            pagination=PaginationConfig(cursor=True, index=False)
        )

        assert Capabilities.from_config(config, profile=NINJIO).paging == "cursor"

    def test_no_config(self):
        """Without a configuration, PATCH and index paging are assumed."""
        profile = ServerProfile(name="x", default_page_size=42)

        found = Capabilities.from_config(None, profile=profile)

        assert found == Capabilities(page_size=42)
        assert not found.config_found

    def test_read_once_and_cached(self):
        """The configuration is read once per session."""
        s = session()

        first = drive(capabilities(s), [spc(etag=True)])
        second = drive(capabilities(s), [])

        assert first.result is second.result
        assert first.requests[0].target == "/ServiceProviderConfig"

    def test_refresh_reads_again(self):
        """refresh=True reads the configuration again."""
        s = session()
        drive(capabilities(s), [spc(etag=True)])

        run = drive(capabilities(s, refresh=True), [spc(etag=False)])

        assert run.result.etag is False

    @pytest.mark.parametrize("status", [404, 405, 501])
    def test_not_served_assumes_defaults(self, status):
        """A server without /ServiceProviderConfig gets the RFC's defaults."""
        run = drive(
            capabilities(session()),
            [Response(status, {"content-type": "text/html"}, b"<html>")],
        )

        assert run.result.patch
        assert not run.result.config_found

    def test_unauthorized_raises(self):
        """A 401 on the configuration raises."""
        with pytest.raises(ex.UnauthorizedError):
            drive(capabilities(session()), [error(401)])


class TestDiscovery:
    """The discovery endpoints."""

    def test_service_provider_config(self):
        """/ServiceProviderConfig is read into its model."""
        run = drive(service_provider_config(session()), [spc(patch=True)])

        assert run.result.patch.supported

    def test_resource_types_list_response(self):
        """/ResourceTypes as a ListResponse is read."""
        run = drive(resource_types(session()), [page([RT], 1)])

        assert run.result[0].endpoint == "/Users"

    def test_resource_types_bare_list(self):
        """/ResourceTypes as a bare JSON array is read too."""
        run = drive(resource_types(session()), [scim(200, [RT])])

        assert run.result[0].name == "User"

    def test_schemas(self):
        """/Schemas is read into Schema models."""
        schema = {
            "id": "urn:x",
            "name": "X",
            "attributes": [{"name": "a", "type": "string"}],
        }

        run = drive(schemas(session()), [page([schema], 1)])

        assert run.result[0].attributes[0].name == "a"

    def test_listing_of_a_scalar_is_a_protocol_error(self):
        """A body neither a list nor a ListResponse raises RemoteProtocolError."""
        with pytest.raises(ex.RemoteProtocolError, match="neither a list"):
            drive(resource_types(session()), [scim(200, {"Resources": 5})])

    def test_listing_of_bad_items_is_a_protocol_error(self):
        """Items that do not fit their model raise RemoteProtocolError."""
        with pytest.raises(ex.RemoteProtocolError, match="does not fit"):
            drive(schemas(session()), [scim(200, [{"attributes": 3}])])


class TestVerify:
    """The connection check of rule I1."""

    @pytest.mark.rule("I1")
    def test_ok(self):
        """A server that answers both requests verifies, with what it supports (I1)."""
        run = drive(verify(session()), [spc(etag=True), page([], 0)])

        assert run.result.ok
        assert run.result.failure is None
        assert run.result.capabilities.etag
        assert "PATCH supported" in run.result.message
        assert run.requests[1].target == "/Users?startIndex=1&count=1"

    def test_ok_without_config(self):
        """Verification says when capabilities were assumed."""
        run = drive(verify(session()), [error(404), page([], 0)])

        assert run.result.ok
        assert "assumed" in run.result.message

    def test_ok_with_cursor_and_no_patch(self):
        """The message names cursor paging and the PUT fallback."""
        config = spc(patch=False, pagination={"cursor": True, "index": False})

        run = drive(verify(session()), [config, page([])])

        assert "cursor paging" in run.result.message
        assert "changes go as PUT" in run.result.message

    @pytest.mark.rule("I1")
    @pytest.mark.parametrize(
        ("answers", "failure", "words"),
        [
            ([spc(), error(401)], "bad_token", "refused the token"),
            ([error(401)], "bad_token", "refused the token"),
            ([spc(), error(403)], "bad_token", "refused access"),
            (
                [spc(), Response(404, {"content-type": "text/html"}, b"<html>")],
                "wrong_url",
                "base URL",
            ),
            ([spc(), error(404)], "wrong_url", "base URL"),
            (
                [Response(200, {"content-type": "text/html"}, b"<html>")],
                "wrong_url",
                "SCIM service",
            ),
            ([spc(), error(501)], "server", "failed the check"),
        ],
    )
    def test_failures_are_named(self, answers, failure, words):
        """Each failure is named: bad token, wrong URL, or server (I1)."""
        run = drive(verify(session()), answers)

        assert not run.result.ok
        assert run.result.failure == failure
        assert words in run.result.message
        assert run.result.error is not None

    @pytest.mark.rule("I1")
    @pytest.mark.parametrize(
        ("error_", "failure"),
        [
            (ex.TLSError("certificate verify failed"), "tls"),
            (ex.ConnectError("refused"), "unreachable"),
            (ex.ReadTimeoutError("slow"), "unreachable"),
            (ex.TransportError("odd"), "unreachable"),
        ],
    )
    def test_transport_failures_are_named(self, error_, failure):
        """TLS and network failures are named tls and unreachable (I1)."""
        from scim_ninjio._retry import RetryPolicy

        run = drive(verify(session(policy=RetryPolicy(attempts=1))), [error_])

        assert run.result.failure == failure
        assert BASE in run.result.message
