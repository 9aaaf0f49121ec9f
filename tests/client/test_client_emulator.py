import pytest

from scim_ninjio import exceptions as ex
from scim_ninjio import filters
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client import AsyncNinjioClient, NinjioClient
from scim_ninjio.models import Email, Group, PatchOperation, User
from scim_ninjio.profiles import GENERIC, ServerProfile
from scim_ninjio.testing.emulator import GENERIC_PROFILE, Emulator
from scim_ninjio.testing.faults import Fault, FaultInjector, FaultPlan
from scim_ninjio.testing.server import LiveServer
from scim_ninjio.transports import AsyncMemoryTransport, MemoryTransport


TOKEN = "emulator-token-0042"
BASE = "https://ninjio.example/scim/v2"
NO_WAIT = RetryPolicy(wait=False)


def person(n: int) -> User:
    """Return a user to provision."""
    return User(
        user_name=f"person{n}@example.com",
        active=True,
        emails=(Email(value=f"person{n}@example.com", type="work", primary=True),),
    )


@pytest.fixture(params=["memory", "http"])
def connect(request):
    """Open a sync client on an emulator, in memory or over a live server."""
    opened = []

    def open_client(handler, **kwargs):
        if request.param == "memory":
            client = NinjioClient(
                BASE,
                TOKEN,
                transport=MemoryTransport(handler, authorize=True),
                **kwargs,
            )
        else:
            server = LiveServer(handler).start()
            opened.append(server)
            client = NinjioClient(server.url, TOKEN, **kwargs)
        opened.append(client)
        return client

    yield open_client
    for thing in reversed(opened):
        thing.close() if isinstance(thing, NinjioClient) else thing.stop()


class TestAgainstTheEmulator:
    """Both transports against the NINJIO emulator."""

    @pytest.mark.rule("I1")
    def test_verify(self, connect):
        """verify() passes with the right token and names a bad one (I1)."""
        emulator = Emulator(token=TOKEN)

        good = connect(emulator).verify()
        bad = connect(Emulator(token="another")).verify()

        assert good.ok
        assert good.capabilities.etag
        assert not bad.ok
        assert bad.failure == "bad_token"

    @pytest.mark.rule("U2")
    @pytest.mark.rule("U5")
    def test_user_lifecycle(self, connect):
        """Create, adopt, find, patch, deactivate; never DELETE (U2, U3, U5)."""
        emulator = Emulator(token=TOKEN)
        client = connect(emulator, retry=NO_WAIT)

        created = client.create_user(person(1))
        again = client.create_user(User(user_name="PERSON1@example.com"))
        by_email = client.find_user_by_email("Person1@Example.com")
        patched = client.patch_user(
            created.resource.id,
            [PatchOperation(op="replace", path="title", value="CFO")],
            version=created.resource.meta.version,
        )
        deactivated = client.deactivate_user(created.resource.id)
        with pytest.raises(ex.OperationNotAllowedError):
            client.delete_user(created.resource.id)

        assert again.adopted
        assert again.resource.id == by_email.id == created.resource.id
        assert patched.title == "CFO"
        assert deactivated.active is False
        assert emulator.get_user(created.resource.id).active is False
        assert not any(r.method == "DELETE" for r in emulator.requests)

    @pytest.mark.rule("G3")
    @pytest.mark.parametrize("removal", ["filter", "value"])
    def test_groups_and_members(self, connect, removal):
        """Members go in chunks, both removal forms work, groups rename and go (G3)."""
        emulator = Emulator(token=TOKEN, profile=GENERIC_PROFILE)
        profile = ServerProfile(
            name="test", member_chunk_size=3, member_removal=removal
        )
        client = connect(emulator, profile=profile, retry=NO_WAIT)
        ids = [client.create_user(person(n)).resource.id for n in range(7)]

        group = client.create_group(Group(display_name="Sales")).resource
        client.add_members(group.id, ids)
        client.remove_members(group.id, ids[:4])
        client.rename_group(group.id, "Sales EMEA")
        found = client.find_group("sales emea")
        members = {m.value for m in emulator.get_group(group.id).members}
        client.delete_group(group.id)

        assert found.id == group.id
        assert members == set(ids[4:])
        patches = [r for r in emulator.requests if r.method == "PATCH"]
        assert len(patches) == 3 + 2 + 1
        assert emulator.groups == ()

    def test_versions_guard_deactivation_and_renames(self, connect):
        """With a stale version the change is refused (412); the current one works."""
        emulator = Emulator(token=TOKEN)
        client = connect(emulator, retry=NO_WAIT)
        user = client.create_user(person(7)).resource
        group = client.create_group(Group(display_name="Ops")).resource
        client.patch_user(
            user.id, [PatchOperation(op="replace", path="title", value="Lead")]
        )
        client.add_members(group.id, [user.id])

        with pytest.raises(ex.PreconditionFailedError):
            client.deactivate_user(user.id, version=user.meta.version)
        with pytest.raises(ex.PreconditionFailedError):
            client.rename_group(group.id, "Ops EU", version=group.meta.version)
        current_user = client.get_user(user.id)
        current_group = client.get_group(group.id)
        deactivated = client.deactivate_user(user.id, version=current_user.meta.version)
        renamed = client.rename_group(
            group.id, "Ops EU", version=current_group.meta.version
        )

        assert deactivated.active is False
        assert renamed.display_name == "Ops EU"

    def test_paging_small_pages(self, connect):
        """Iteration walks the emulator's capped pages, index and cursor alike."""
        emulator = Emulator(token=TOKEN, profile=GENERIC_PROFILE, max_page_size=4)
        for n in range(11):
            emulator.add_user(person(n))
        client = connect(emulator, retry=NO_WAIT, page_size=50)

        names = [u.user_name for u in client.iter_users()]
        page = client.search_users(start_index=5, count=3)

        assert sorted(names) == sorted(f"person{n}@example.com" for n in range(11))
        assert len(page.resources) == 3
        assert page.total_results == 11

    @pytest.mark.parametrize("method", ["GET", "POST"])
    def test_filter_tree_cannot_widen_a_search(self, connect, method):
        """A filter built from hostile text finds only an exact match, GET or POST."""
        emulator = Emulator(token=TOKEN, profile=GENERIC_PROFILE)
        for n in range(3):
            emulator.add_user(person(n))
        client = connect(emulator, retry=NO_WAIT)
        hostile = filters.eq("userName", 'x" or userName pr "')
        exact = filters.and_(
            filters.eq("userName", "PERSON1@example.com"), filters.present("active")
        )

        widened = client.search_users(filter=hostile, method=method)
        found = client.search_users(filter=exact, method=method)
        listed = [u.user_name for u in client.iter_users(filter=exact)]

        assert widened.total_results == 0
        assert [u.user_name for u in found.resources] == ["person1@example.com"]
        assert listed == ["person1@example.com"]
        sent = emulator.requests[-3]
        assert sent.method == method

    @pytest.mark.rule("U2")
    def test_create_whose_answer_is_lost_is_adopted(self, connect):
        """A create processed but whose connection dropped is found and adopted (U2)."""
        emulator = Emulator(token=TOKEN)
        plan = FaultPlan(
            faults=(
                Fault(
                    kind="drop", route="/Users", method="POST", nth=1, processed=True
                ),
            )
        )
        client = connect(FaultInjector(emulator, plan), retry=NO_WAIT)

        created = client.create_user(person(1))

        assert created.adopted
        assert len(emulator.users) == 1
        assert sum(r.method == "POST" for r in emulator.requests) == 1

    def test_rate_limits_and_outages_are_retried(self, connect):
        """429 and 503 answers are waited out and retried, POST included."""
        emulator = Emulator(token=TOKEN)
        plan = FaultPlan(
            faults=(
                Fault(kind="rate_limited", method="POST", nth={1}),
                Fault(kind="unavailable", method="GET", nth={1, 2}),
            )
        )
        client = connect(FaultInjector(emulator, plan), retry=NO_WAIT)

        created = client.create_user(person(1))
        read = client.get_user(created.resource.id)

        assert read.id == created.resource.id
        assert len(emulator.users) == 1

    def test_html_error_page(self, connect):
        """A proxy's HTML page is a RemoteProtocolError with the status."""
        emulator = Emulator(token=TOKEN)
        plan = FaultPlan(faults=(Fault(kind="html", status=404),))
        client = connect(FaultInjector(emulator, plan), retry=NO_WAIT)

        with pytest.raises(ex.RemoteProtocolError) as info:
            client.find_user("person1@example.com")

        assert info.value.status == 404


class TestAsyncAgainstTheEmulator:
    """The async client against the emulator, in memory and over HTTP."""

    @pytest.mark.asyncio
    @pytest.mark.parametrize("over", ["memory", "http"])
    async def test_many_at_once(self, over):
        """Fifty creates at once all land, under the concurrency bound."""
        import asyncio

        emulator = Emulator(token=TOKEN, profile=GENERIC_PROFILE)
        server = None
        if over == "memory":
            client = AsyncNinjioClient(
                BASE,
                TOKEN,
                transport=AsyncMemoryTransport(emulator, authorize=True),
                max_concurrency=8,
                profile=GENERIC,
            )
        else:
            server = LiveServer(emulator).start()
            client = AsyncNinjioClient(
                server.url, TOKEN, max_concurrency=8, profile=GENERIC
            )
        async with client:
            created = await asyncio.gather(
                *(client.create_user(person(n)) for n in range(50))
            )
            listed = [u async for u in client.iter_users(page_size=20)]
            check = await client.verify()
            await client.delete_user(created[0].resource.id)
        if server is not None:
            server.stop()

        assert len({c.resource.id for c in created}) == 50
        assert len(listed) == 50
        assert check.ok
        assert len(emulator.users) == 49
