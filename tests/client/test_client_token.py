import contextlib
import logging
import pickle
import ssl
import traceback

import pytest
import trustme

from client_helpers import DROP, TOKEN, FakeScim, LocalServer, free_port

from scim_ninjio import exceptions as ex
from scim_ninjio._http import Response
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client import AsyncNinjioClient, NinjioClient
from scim_ninjio.models import Group, User
from scim_ninjio.transports import (
    AiohttpTransport,
    MemoryTransport,
    RequestsTransport,
    Urllib3Transport,
    settings_for,
)


FAST = RetryPolicy(wait=False, attempts=2)


def leaks(error: BaseException) -> bool:
    """Whether an error's text, repr, traceback or pickle shows the token."""
    shown = [str(error), repr(error), "".join(traceback.format_exception(error))]
    cause = error.__cause__
    while cause is not None:
        shown += [str(cause), repr(cause)]
        cause = cause.__cause__
    with contextlib.suppress(TypeError, pickle.PicklingError):
        shown.append(pickle.dumps(error).decode("latin-1"))
    return any(TOKEN in text for text in shown)


@pytest.mark.parametrize(
    "make", [Urllib3Transport, RequestsTransport], ids=["urllib3", "requests"]
)
class TestSyncHygiene:
    """The token never shows in logs, errors, reprs or tracebacks (sync)."""

    def test_logs_at_debug_with_bodies(self, make, caplog):
        """A full run logged at DEBUG, bodies included, never shows the token."""
        caplog.set_level(logging.DEBUG)
        fake = FakeScim(prefix="/scim/v2")
        with (
            LocalServer(fake) as server,
            NinjioClient(
                server.url, TOKEN, transport=make(), retry=FAST, log_bodies=True
            ) as client,
        ):
            user = client.create_user(User(user_name="bjensen")).resource
            client.create_user(User(user_name="bjensen"))
            group = client.create_group(Group(display_name="G")).resource
            client.add_members(group.id, [user.id])
            list(client.iter_users())
            client.verify()
            with pytest.raises(ex.NotFoundError):
                client.get_user("missing")

        assert "bjensen" in caplog.text
        assert TOKEN not in caplog.text
        for record in caplog.records:
            assert TOKEN not in repr(record.__dict__)
        assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"

    def test_errors_do_not_carry_it(self, make):
        """HTTP errors, transport errors and protocol errors never show the token."""
        errors: list[BaseException] = []
        answers = {
            "/scim/v2/Users/401": Response(401, {}, b""),
            "/scim/v2/Users/html": Response(
                502, {"content-type": "text/html"}, b"<h1>"
            ),
        }
        with LocalServer(lambda r: answers.get(r.path, DROP)) as server:
            client = NinjioClient(server.url, TOKEN, transport=make(), retry=FAST)
            for target in ("401", "html", "drop"):
                with pytest.raises(ex.ScimNinjioError) as info:
                    client.get_user(target)
                errors.append(info.value)
            client.close()
        refused = NinjioClient(
            f"http://127.0.0.1:{free_port()}", TOKEN, transport=make(), retry=FAST
        )
        with pytest.raises(ex.ConnectError) as info:
            refused.get_user("1")
        errors.append(info.value)
        refused.close()

        assert [type(e) for e in errors] == [
            ex.UnauthorizedError,
            ex.RemoteProtocolError,
            ex.ConnectionDroppedError,
            ex.ConnectError,
        ]
        assert not any(leaks(e) for e in errors)

    def test_tls_error_does_not_carry_it(self, make):
        """A TLS failure's message and traceback never show the token."""
        ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        with LocalServer(lambda r: Response(200), ssl_context=context) as server:
            client = NinjioClient(server.url, TOKEN, transport=make(), retry=FAST)
            with pytest.raises(ex.TLSError) as info:
                client.get_user("1")
            client.close()

        assert not leaks(info.value)

    def test_reprs(self, make):
        """Client, transport and settings reprs never show the token."""
        transport = make()
        client = NinjioClient("https://scim.example.com/v2", TOKEN, transport=transport)
        settings = settings_for("https://scim.example.com/v2", TOKEN)

        shown = [
            repr(client),
            str(client),
            repr(transport),
            repr(settings),
            repr(vars(client)),
        ]
        client.close()

        assert not any(TOKEN in text for text in shown)


class TestOtherHygiene:
    """The async client, the in-memory transport and refused operations."""

    @pytest.mark.asyncio
    async def test_async_logs_and_errors(self, caplog):
        """The async client's logs and errors never show the token."""
        caplog.set_level(logging.DEBUG)
        fake = FakeScim(prefix="/scim/v2")
        with LocalServer(fake) as server:
            async with AsyncNinjioClient(
                server.url, TOKEN, retry=FAST, log_bodies=True
            ) as client:
                await client.create_user(User(user_name="bjensen"))
                with pytest.raises(ex.NotFoundError) as info:
                    await client.get_user("missing")
                shown = repr(client) + repr(client._transport)

        assert TOKEN not in caplog.text
        assert not leaks(info.value)
        assert TOKEN not in shown
        assert isinstance(client._transport, AiohttpTransport)

    def test_memory_transport_never_hands_it_out(self):
        """The handler of the in-memory transport never sees the token."""
        seen = []

        def handler(request):
            seen.append(repr(request) + repr(request.headers) + repr(request.body))
            return Response(404)

        with (
            NinjioClient(
                "https://x.example", TOKEN, transport=MemoryTransport(handler)
            ) as client,
            pytest.raises(ex.NotFoundError) as info,
        ):
            client.get_user("1")

        assert seen
        assert not any(TOKEN in text for text in seen)
        assert not leaks(info.value)

    def test_refused_delete_does_not_carry_it(self):
        """The error of a refused user DELETE never shows the token."""
        with (
            NinjioClient(
                "https://x.example",
                TOKEN,
                transport=MemoryTransport(lambda r: Response(204)),
            ) as client,
            pytest.raises(ex.OperationNotAllowedError) as info,
        ):
            client.delete_user("1")

        assert not leaks(info.value)

    def test_configuration_errors_do_not_echo_it(self):
        """A refused setting's message never shows the token."""
        with pytest.raises(ex.ConfigurationError) as info:
            NinjioClient("http://scim.example.com", TOKEN)

        assert not leaks(info.value)
