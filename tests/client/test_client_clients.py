import asyncio
import gc
import json

import pytest
import pytest_asyncio

from client_helpers import TOKEN, FakeScim, LocalServer

from scim_ninjio import exceptions as ex
from scim_ninjio._http import Request, Response
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client import AsyncNinjioClient, Created, NinjioClient, Verification
from scim_ninjio.models import Email, Group, Member, PatchOperation, User
from scim_ninjio.profiles import GENERIC, ServerProfile
from scim_ninjio.transports import (
    AsyncMemoryTransport,
    MemoryTransport,
    Urllib3Transport,
)


NO_WAIT = RetryPolicy(wait=False)
BASE = "https://scim.example.com/scim/v2"


@pytest.fixture(params=["memory", "http"])
def sync_client(request):
    """A sync client over the in-memory transport, then over real HTTP."""
    fake = FakeScim()
    if request.param == "memory":
        with NinjioClient(
            BASE, TOKEN, transport=MemoryTransport(fake), retry=NO_WAIT
        ) as client:
            yield client, fake
        return
    fake.prefix = "/scim/v2"
    with (
        LocalServer(fake) as server,
        NinjioClient(server.url, TOKEN, retry=NO_WAIT) as client,
    ):
        yield client, fake


@pytest_asyncio.fixture(params=["memory", "http"])
async def async_client(request):
    """An async client over the in-memory transport, then over real HTTP."""
    fake = FakeScim()
    if request.param == "memory":
        async with AsyncNinjioClient(
            BASE, TOKEN, transport=AsyncMemoryTransport(fake), retry=NO_WAIT
        ) as client:
            yield client, fake
        return
    fake.prefix = "/scim/v2"
    with LocalServer(fake) as server:
        async with AsyncNinjioClient(server.url, TOKEN, retry=NO_WAIT) as client:
            yield client, fake


def alice(n: int = 0) -> User:
    """Return a user to create."""
    return User(
        user_name=f"alice{n}",
        active=True,
        emails=(Email(value=f"alice{n}@example.com", type="work", primary=True),),
    )


class TestSyncClient:
    """NinjioClient end to end, in memory and over HTTP."""

    @pytest.mark.rule("U2")
    def test_user_lifecycle(self, sync_client):
        """Create, adopt, find, read, patch, replace, deactivate a user (U2, U3, U5)."""
        client, fake = sync_client

        created = client.create_user(alice())
        again = client.create_user(User(user_name="ALICE0"))
        found = client.find_user("Alice0")
        by_email = client.find_user_by_email("ALICE0@example.com")
        read = client.get_user(created.resource.id)
        patched = client.patch_user(
            read.id,
            [PatchOperation(op="replace", path="title", value="CFO")],
            version=read.meta.version,
        )
        replaced = client.replace_user(
            User(id=read.id, user_name="alice0", title="CEO", meta=patched.meta)
        )
        deactivated = client.deactivate_user(read.id)

        assert isinstance(created, Created)
        assert not created.adopted
        assert again.adopted
        assert again.resource.id == created.resource.id
        assert found.id == by_email.id == created.resource.id
        assert patched.title == "CFO"
        assert replaced.title == "CEO"
        assert deactivated.active is False
        assert fake.users[read.id]["active"] is False

    @pytest.mark.rule("U5")
    def test_ninjio_user_delete_refused_before_sending(self, sync_client):
        """delete_user under NINJIO raises and sends nothing (U5)."""
        client, fake = sync_client
        sent = len(fake.log)

        with pytest.raises(ex.OperationNotAllowedError):
            client.delete_user("u1")

        assert len(fake.log) == sent

    def test_group_lifecycle(self, sync_client):
        """Create, find, rename, add and remove members, iterate and delete a group."""
        client, fake = sync_client
        ids = [client.create_user(alice(n)).resource.id for n in range(5)]

        group = client.create_group(Group(display_name="Sales")).resource
        client.add_members(group.id, ids)
        client.remove_members(group.id, ids[:2])
        renamed = client.rename_group(group.id, "Sales EMEA")
        found = client.find_group("sales emea")
        read = client.get_group(group.id)
        listed = list(client.iter_groups())
        client.delete_group(group.id)

        assert renamed.display_name == "Sales EMEA"
        assert found.id == group.id
        assert [m.value for m in read.members] == ids[2:]
        assert [g.id for g in listed] == [group.id]
        assert group.id not in fake.groups
        with pytest.raises(ex.NotFoundError):
            client.get_group(group.id)

    def test_iterate_and_search(self, sync_client):
        """iter_users pages through every user; search_users reads one page."""
        client, _ = sync_client
        for n in range(7):
            client.create_user(alice(n))

        names = [u.user_name for u in client.iter_users(page_size=3)]
        first = client.search_users(start_index=1, count=2)
        filtered = client.search_users(filter='userName eq "alice3"')
        groups = client.search_groups(count=1)

        assert names == [f"alice{n}" for n in range(7)]
        assert first.total_results == 7
        assert len(first.resources) == 2
        assert [u.user_name for u in filtered.resources] == ["alice3"]
        assert groups.total_results == 0

    def test_discovery_and_verify(self, sync_client):
        """Discovery reads the configuration; verify() reports support (I1)."""
        client, _ = sync_client

        config = client.service_provider_config()
        found = client.capabilities()
        check = client.verify()

        assert config.etag.supported
        assert found.etag
        assert isinstance(check, Verification)
        assert check.ok
        assert client.resource_types()[0].endpoint == "/Users"
        assert client.schemas()[0].id == "urn:x"

    def test_replace_and_patch_group(self, sync_client):
        """Groups can be replaced whole and patched."""
        client, _ = sync_client
        group = client.create_group(Group(display_name="G")).resource

        replaced = client.replace_group(Group(id=group.id, display_name="H"))
        patched = client.patch_group(
            group.id, [PatchOperation(op="replace", path="displayName", value="I")]
        )

        assert replaced.display_name == "H"
        assert patched.display_name == "I"

    def test_precondition_failed_on_stale_version(self, sync_client):
        """A stale version sent as If-Match raises PreconditionFailedError."""
        client, _ = sync_client
        user = client.create_user(alice()).resource

        with pytest.raises(ex.PreconditionFailedError):
            client.patch_user(
                user.id,
                [PatchOperation(op="replace", path="title", value="x")],
                version='W/"0"',
            )


class TestAsyncClient:
    """AsyncNinjioClient end to end, in memory and over HTTP."""

    @pytest.mark.asyncio
    async def test_user_lifecycle(self, async_client):
        """The async client offers the same user operations (U2, U3, U5)."""
        client, _ = async_client

        created = await client.create_user(alice())
        again = await client.create_user(User(user_name="alice0"))
        found = await client.find_user("ALICE0")
        by_email = await client.find_user_by_email("alice0@example.com")
        read = await client.get_user(created.resource.id, attributes=("userName",))
        patched = await client.patch_user(
            read.id, [PatchOperation(op="replace", path="title", value="CFO")]
        )
        replaced = await client.replace_user(
            User(id=read.id, user_name="alice0", title="CEO")
        )
        deactivated = await client.deactivate_user(read.id)

        assert again.adopted
        assert found.id == by_email.id == read.id
        assert patched.title == "CFO"
        assert replaced.title == "CEO"
        assert deactivated.active is False
        with pytest.raises(ex.OperationNotAllowedError):
            await client.delete_user(read.id)

    @pytest.mark.asyncio
    async def test_groups_and_iteration(self, async_client):
        """Groups, members, iteration and search through the async client."""
        client, fake = async_client
        users = await asyncio.gather(*(client.create_user(alice(n)) for n in range(6)))
        ids = [c.resource.id for c in users]

        group = (await client.create_group(Group(display_name="Ops"))).resource
        await client.add_members(group.id, ids)
        await client.remove_members(group.id, ids[:1])
        renamed = await client.rename_group(group.id, "Ops2")
        found = await client.find_group("OPS2")
        read = await client.get_group(group.id)
        names = sorted([u.user_name async for u in client.iter_users(page_size=4)])
        groups = [g.id async for g in client.iter_groups()]
        page = await client.search_users(count=2, method="POST")
        group_page = await client.search_groups(filter='displayName eq "Ops2"')
        patched = await client.patch_group(
            group.id, [PatchOperation(op="replace", path="displayName", value="Ops3")]
        )
        await client.delete_group(group.id)

        assert renamed.display_name == "Ops2"
        assert found.id == group.id
        assert sorted(m.value for m in read.members) == sorted(ids[1:])
        assert names == sorted(f"alice{n}" for n in range(6))
        assert groups == [group.id]
        assert page.total_results is not None
        assert group_page.resources[0].id == group.id
        assert patched.display_name == "Ops3"
        assert group.id not in fake.groups

    @pytest.mark.asyncio
    async def test_discovery(self, async_client):
        """Discovery and verify through the async client."""
        client, _ = async_client

        config = await client.service_provider_config()
        found = await client.capabilities()
        check = await client.verify()

        assert config.patch.supported
        assert found.patch
        assert check.ok
        assert (await client.resource_types())[0].name == "User"
        assert (await client.schemas())[0].name == "X"
        group = (await client.create_group(Group(display_name="G"))).resource
        replaced = await client.replace_group(Group(id=group.id, display_name="H"))
        assert replaced.display_name == "H"


class TestLifecycle:
    """Context managers, closing and the ResourceWarning."""

    def test_context_manager_closes_transport(self):
        """Leaving the with block closes the client and its transport."""
        closed = []
        transport = MemoryTransport(lambda r: Response(204))
        transport.close = lambda: closed.append(True)

        with NinjioClient(BASE, TOKEN, transport=transport) as client:
            pass
        client.close()

        assert closed == [True]
        assert "closed" in repr(client)

    def test_closed_client_refuses_work(self):
        """A closed client raises ClientClosedError naming the base URL."""
        client = NinjioClient(
            BASE, TOKEN, transport=MemoryTransport(lambda r: Response(204))
        )
        client.close()

        with pytest.raises(ex.ClientClosedError, match=r"scim\.example\.com"):
            client.get_user("1")
        with pytest.raises(ex.ClientClosedError):
            list(client.iter_users())

    def test_resource_warning_when_not_closed(self):
        """A client garbage-collected while open emits a ResourceWarning."""
        client = NinjioClient(
            BASE, TOKEN, transport=MemoryTransport(lambda r: Response(204))
        )

        with pytest.warns(ResourceWarning, match="was not closed"):
            del client

    def test_no_warning_for_half_built_client(self):
        """A client whose settings were refused does not warn."""
        with pytest.raises(ex.ConfigurationError):
            NinjioClient("http://scim.example.com", TOKEN)
        gc.collect()

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"page_size": 0}, "page_size"),
            ({"rate_limit": 0}, "rate_limit"),
        ],
    )
    def test_bad_settings(self, kwargs, match):
        """A page size or rate limit below the minimum is refused."""
        with pytest.raises(ex.ConfigurationError, match=match):
            NinjioClient(
                BASE,
                TOKEN,
                transport=MemoryTransport(lambda r: Response(204)),
                **kwargs,
            )

    def test_default_transport_is_urllib3(self):
        """Without a transport, the sync client uses urllib3."""
        with NinjioClient(BASE, TOKEN) as client:
            assert isinstance(client._transport, Urllib3Transport)

    @pytest.mark.asyncio
    async def test_async_context_manager_and_close(self):
        """The async client closes its transport and refuses work afterwards."""
        from scim_ninjio.transports import AiohttpTransport

        async with AsyncNinjioClient(BASE, TOKEN) as client:
            assert isinstance(client._transport, AiohttpTransport)
            assert client.max_concurrency == 32
        await client.close()

        with pytest.raises(ex.ClientClosedError):
            await client.get_user("1")

    def test_async_bad_concurrency(self):
        """max_concurrency below 1 is refused."""
        with pytest.raises(ex.ConfigurationError, match="max_concurrency"):
            AsyncNinjioClient(BASE, TOKEN, max_concurrency=0)

    @pytest.mark.asyncio
    async def test_async_resource_warning(self):
        """An async client garbage-collected while open warns."""
        client = AsyncNinjioClient(
            BASE, TOKEN, transport=AsyncMemoryTransport(lambda r: Response(204))
        )

        with pytest.warns(ResourceWarning):
            del client


class TestDrivers:
    """The drivers: sleeps, transport errors thrown in, streams closed early."""

    def test_sync_driver_sleeps_and_retries(self, monkeypatch):
        """The sync driver sleeps, and throws transport errors into the operation."""
        slept = []
        monkeypatch.setattr("scim_ninjio.client._sync.time.sleep", slept.append)
        answers = [
            ex.ConnectionDroppedError("x"),
            Response(503, {"retry-after": "2"}),
            None,
        ]

        def handler(request):
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer or Response(200, {}, b'{"id": "1", "userName": "a"}')

        policy = RetryPolicy(jitter=False, initial_wait=0.5)
        with NinjioClient(
            BASE, TOKEN, transport=MemoryTransport(handler), retry=policy
        ) as client:
            user = client.get_user("1")

        assert user.id == "1"
        assert slept == [0.5, 2.0]

    def test_stream_sleeps_and_stops_early(self, monkeypatch):
        """A stream sleeps between retries and closes its operation when abandoned."""
        slept = []
        monkeypatch.setattr("scim_ninjio.client._sync.time.sleep", slept.append)
        calls = []

        def handler(request):
            calls.append(request.target)
            if request.path == "/ServiceProviderConfig":
                return Response(404)
            if len(calls) == 2:
                raise ex.ConnectError("refused")
            users = [{"id": str(i), "userName": f"u{i}"} for i in range(2)]
            return Response(
                200, {}, json.dumps({"totalResults": 100, "Resources": users}).encode()
            )

        policy = RetryPolicy(jitter=False, initial_wait=0.5)
        with NinjioClient(
            BASE, TOKEN, transport=MemoryTransport(handler), retry=policy
        ) as client:
            stream = client.iter_users(page_size=2)
            first = next(stream)
            stream.close()

        assert first.id == "0"
        assert slept == [0.5]

    @pytest.mark.asyncio
    async def test_async_driver_sleeps(self, monkeypatch):
        """The async driver awaits each Sleep, in operations and in streams."""
        slept = []

        async def fake_sleep(seconds):
            slept.append(seconds)

        monkeypatch.setattr("scim_ninjio.client._async.asyncio.sleep", fake_sleep)
        failures = [ex.ConnectError("x"), ex.ConnectError("y")]

        def handler(request):
            if failures:
                raise failures.pop(0)
            if request.path == "/ServiceProviderConfig":
                return Response(404)
            if request.path == "/Users":
                return Response(
                    200, {}, b'{"totalResults": 1, "Resources": [{"id": "1"}]}'
                )
            return Response(200, {}, b'{"id": "1"}')

        policy = RetryPolicy(jitter=False, initial_wait=0.5)
        async with AsyncNinjioClient(
            BASE, TOKEN, transport=AsyncMemoryTransport(handler), retry=policy
        ) as client:
            user = await client.get_user("1")
            failures.append(ex.ConnectError("z"))
            users = [u async for u in client.iter_users()]

        assert user.id == "1"
        assert [u.id for u in users] == ["1"]
        assert slept == [0.5, 1.0, 0.5]

    @pytest.mark.asyncio
    async def test_async_concurrency_is_bounded(self):
        """No more than max_concurrency requests are in flight at once."""
        in_flight = 0
        peak = 0

        async def handler(request):
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return Response(200, {}, b'{"id": "1"}')

        async with AsyncNinjioClient(
            BASE, TOKEN, transport=AsyncMemoryTransport(handler), max_concurrency=4
        ) as client:
            users = await asyncio.gather(*(client.get_user("1") for _ in range(20)))

        assert len(users) == 20
        assert peak == 4

    def test_rate_limit_paces_requests(self, monkeypatch):
        """rate_limit turns into sleeps between requests."""
        slept = []
        monkeypatch.setattr("scim_ninjio.client._sync.time.sleep", slept.append)

        with NinjioClient(
            BASE,
            TOKEN,
            transport=MemoryTransport(lambda r: Response(200, {}, b'{"id": "1"}')),
            rate_limit=1000.0,
        ) as client:
            for _ in range(3):
                client.get_user("1")

        assert len(slept) == 2
        assert all(0 < s <= 0.002 for s in slept)


class TestProfiles:
    """Profiles change what is sent, nothing else."""

    def test_generic_profile_deletes_users(self):
        """Under the generic profile, delete_user sends DELETE /Users/{id}."""
        fake = FakeScim()
        with NinjioClient(
            BASE, TOKEN, profile=GENERIC, transport=MemoryTransport(fake)
        ) as client:
            user = client.create_user(alice()).resource
            client.delete_user(user.id)

        assert fake.users == {}
        assert fake.log[-1].method == "DELETE"

    def test_value_removal_and_chunks(self):
        """A profile's chunk size and removal form shape the PATCH requests."""
        fake = FakeScim()
        profile = ServerProfile(
            name="vendor", member_chunk_size=2, member_removal="value"
        )
        with NinjioClient(
            BASE, TOKEN, profile=profile, transport=MemoryTransport(fake)
        ) as client:
            ids = [client.create_user(alice(n)).resource.id for n in range(3)]
            group = client.create_group(
                Group(display_name="G", members=(Member(value=ids[0]),))
            ).resource
            client.add_members(group.id, ids)
            client.remove_members(group.id, ids)

        patches = [
            json.loads(r.body)["Operations"] for r in fake.log if r.method == "PATCH"
        ]
        assert len(patches) == 4
        assert patches[-1] == [
            {"op": "remove", "path": "members", "value": [{"value": ids[2]}]}
        ]
        assert fake.groups[group.id]["members"] == []

    def test_put_fallback_when_server_has_no_patch(self):
        """A server without PATCH gets reads and PUTs for every change."""
        fake = FakeScim(patch=False)
        with NinjioClient(BASE, TOKEN, transport=MemoryTransport(fake)) as client:
            user = client.create_user(alice()).resource
            group = client.create_group(Group(display_name="G")).resource
            client.deactivate_user(user.id)
            client.add_members(group.id, [user.id])
            client.rename_group(group.id, "H")

        assert not any(r.method == "PATCH" for r in fake.log)
        assert fake.users[user.id]["active"] is False
        assert fake.groups[group.id]["displayName"] == "H"
        assert fake.groups[group.id]["members"] == [{"value": user.id}]


def test_requests_are_relative_and_tokenless():
    """Every Request a handler sees is relative to the base URL and carries no token."""
    seen: list[Request] = []

    def handler(request):
        seen.append(request)
        return Response(200, {}, b'{"id": "1"}')

    with NinjioClient(BASE, TOKEN, transport=MemoryTransport(handler)) as client:
        client.get_user("1")

    assert seen[0].target == "/Users/1"
    assert seen[0].header("authorization") is None


class TestZeroWaits:
    """With waiting off, retries happen at once."""

    def test_sync_retry_without_waiting(self):
        """RetryPolicy(wait=False) retries a 503 without sleeping."""
        answers = [Response(503), Response(200, {}, b'{"id": "1"}')]

        with NinjioClient(
            BASE,
            TOKEN,
            transport=MemoryTransport(lambda r: answers.pop(0)),
            retry=NO_WAIT,
        ) as client:
            user = client.get_user("1")

        assert user.id == "1"
        assert answers == []

    @pytest.mark.asyncio
    async def test_async_retry_without_waiting(self):
        """The async client retries at once too."""
        answers = [Response(503), Response(200, {}, b'{"id": "1"}')]

        async with AsyncNinjioClient(
            BASE,
            TOKEN,
            transport=AsyncMemoryTransport(lambda r: answers.pop(0)),
            retry=NO_WAIT,
        ) as client:
            user = await client.get_user("1")

        assert user.id == "1"


def test_transports_module_names():
    """The transports package names its lazy aiohttp transport and nothing more."""
    from scim_ninjio import transports

    assert transports.AiohttpTransport.__name__ == "AiohttpTransport"
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = transports.Nope


def test_sync_client_shared_by_threads():
    """One sync client serves many threads at once over one connection pool."""
    from concurrent.futures import ThreadPoolExecutor

    fake = FakeScim(prefix="/scim/v2")
    with (
        LocalServer(fake) as server,
        NinjioClient(server.url, TOKEN, pool_size=4) as client,
    ):
        # The codec compiles a model's coders on first use, in one thread.
        client.create_user(alice(40))
        with ThreadPoolExecutor(8) as pool:
            created = list(pool.map(lambda n: client.create_user(alice(n)), range(40)))
        names = sorted(u.user_name for u in client.iter_users(page_size=7))

    assert len({c.resource.id for c in created}) == 40
    assert names == sorted(f"alice{n}" for n in range(41))
