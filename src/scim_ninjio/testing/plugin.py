"""
The scim_ninjio pytest plugin: NINJIO emulator fixtures for your tests.

pytest loads this module through the ``pytest11`` entry point whenever
scim_ninjio is installed, so it must cost nothing when unused: it imports no
part of the test kit at load time and starts nothing; each fixture builds what
it needs when a test asks for it.

Fixtures (each new per test):

- ``ninjio_emulator``: an :class:`~scim_ninjio.testing.emulator.Emulator`;
- ``ninjio_faults``: a :class:`~scim_ninjio.testing.faults.FaultInjector`
  around it, with no faults until a test adds some (``ninjio_faults.add``) or
  the marker names them;
- ``ninjio_server``: a :class:`~scim_ninjio.testing.server.LiveServer`
  serving the injector on loopback, stopped after the test;
- ``ninjio_client``: a :class:`~scim_ninjio.client.NinjioClient` bound to the
  server, over real HTTP;
- ``ninjio_async_client``: an :class:`~scim_ninjio.client.AsyncNinjioClient`
  bound to the server (needs pytest-asyncio; mark the test
  ``@pytest.mark.asyncio``);
- ``ninjio_memory_client``: a :class:`~scim_ninjio.client.NinjioClient`
  wired to the injector in memory, without a socket: the fastest;
- ``ninjio_token``: the bearer token the emulator expects.

Configure them with the ``ninjio`` marker; its options go to the emulator,
except ``faults`` and ``seed`` (the fault plan) and ``client`` (keyword
arguments for the clients)::

    import pytest

    from scim_ninjio.models import User
    from scim_ninjio.testing.faults import Fault, FaultKind


    @pytest.mark.ninjio(
        profile="generic", strict=True, faults=[Fault(kind="unavailable", nth=1)]
    )
    def test_retries(ninjio_client, ninjio_faults):
        ninjio_client.create_user(User(user_name="alice"))
        assert ninjio_faults.counts()[FaultKind.UNAVAILABLE] == 1

The clients retry without waiting (``RetryPolicy(wait=False)``) and give up
reading after 5 seconds, so that faults cost a test no time.
"""

from __future__ import annotations

import importlib.util

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pytest


if TYPE_CHECKING:
    from scim_ninjio.client import NinjioClient
    from scim_ninjio.testing.emulator import Emulator
    from scim_ninjio.testing.faults import FaultInjector, FaultPlan
    from scim_ninjio.testing.server import LiveServer


__all__ = [
    "ninjio_client",
    "ninjio_emulator",
    "ninjio_faults",
    "ninjio_memory_client",
    "ninjio_server",
    "ninjio_token",
    "pytest_configure",
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``ninjio`` marker, and the async fixture if it can run."""
    config.addinivalue_line(
        "markers",
        "ninjio(**options): options for the scim_ninjio fixtures: emulator "
        "arguments (profile, token, placement, strict, max_page_size, ...), "
        "faults and seed (the fault plan), client (client arguments)",
    )
    if importlib.util.find_spec("pytest_asyncio") is not None:
        from scim_ninjio.testing import _plugin_async  # noqa: PLC0415 -- optional

        config.pluginmanager.register(_plugin_async, "scim_ninjio.async_fixtures")


@attrs.frozen(kw_only=True)
class Options:
    """
    What the ``ninjio`` marker of a test asks for.

    Attributes:
        emulator: Keyword arguments for the emulator.
        plan: The fault plan the injector starts with.
        client: Keyword arguments for the clients.
    """

    emulator: Mapping[str, Any]
    plan: FaultPlan
    client: Mapping[str, Any]

    @property
    def token(self) -> str:
        """The token clients send: the emulator's, or a placeholder if it has none."""
        from scim_ninjio.testing.emulator import DEFAULT_TOKEN  # noqa: PLC0415

        token = self.emulator.get("token", DEFAULT_TOKEN)

        return "unchecked" if token is None else str(token)


def options_of(request: pytest.FixtureRequest) -> Options:
    """
    Read the ``ninjio`` marker closest to a test.

    Raises:
        pytest.UsageError: The marker has positional arguments, or an option
            is wrong.
    """
    from scim_ninjio.testing.emulator import (  # noqa: PLC0415 -- lazy by design
        GENERIC_PROFILE,
        NINJIO_PROFILE,
    )
    from scim_ninjio.testing.faults import FaultPlan  # noqa: PLC0415

    marker = request.node.get_closest_marker("ninjio")
    if marker is None:
        return Options(emulator={}, plan=FaultPlan(), client={})
    if marker.args:
        raise pytest.UsageError(
            "@pytest.mark.ninjio takes keyword options only, such as "
            f"profile='generic'; got {marker.args!r}"
        )
    emulator = dict(marker.kwargs)
    faults = emulator.pop("faults", ())
    seed = emulator.pop("seed", 0)
    client = emulator.pop("client", {})
    profile = emulator.get("profile")
    if isinstance(profile, str):
        profiles = {"ninjio": NINJIO_PROFILE, "generic": GENERIC_PROFILE}
        if profile not in profiles:
            raise pytest.UsageError(
                f"@pytest.mark.ninjio(profile={profile!r}): use 'ninjio', "
                "'generic' or an EmulatorProfile"
            )
        emulator["profile"] = profiles[profile]
    plan = faults if isinstance(faults, FaultPlan) else FaultPlan(faults, seed)

    return Options(emulator=emulator, plan=plan, client=dict(client))


def client_arguments(options: Options) -> dict[str, Any]:
    """Return a fixture client's keyword arguments: fast retries, then the marker's."""
    from scim_ninjio._retry import RetryPolicy  # noqa: PLC0415
    from scim_ninjio.profiles import GENERIC, NINJIO  # noqa: PLC0415
    from scim_ninjio.testing.emulator import NINJIO_PROFILE  # noqa: PLC0415
    from scim_ninjio.transports import Timeout  # noqa: PLC0415

    profile = options.emulator.get("profile", NINJIO_PROFILE)

    return {
        "profile": GENERIC if profile.user_delete else NINJIO,
        "retry": RetryPolicy(wait=False),
        "timeout": Timeout(connect=5.0, read=5.0),
        **options.client,
    }


@pytest.fixture
def ninjio_emulator(request: pytest.FixtureRequest) -> Emulator:
    """A NINJIO emulator, configured by the test's ``ninjio`` marker."""
    from scim_ninjio.testing.emulator import Emulator  # noqa: PLC0415

    options = options_of(request)
    try:
        return Emulator(**options.emulator)
    except TypeError as e:
        raise pytest.UsageError(f"@pytest.mark.ninjio: {e}") from None


@pytest.fixture
def ninjio_faults(
    ninjio_emulator: Emulator, request: pytest.FixtureRequest
) -> FaultInjector:
    """A fault injector around the emulator; no faults unless the marker names some."""
    from scim_ninjio.testing.faults import FaultInjector  # noqa: PLC0415

    return FaultInjector(ninjio_emulator, options_of(request).plan)


@pytest.fixture
def ninjio_token(request: pytest.FixtureRequest) -> str:
    """The bearer token the emulator expects."""
    return options_of(request).token


@pytest.fixture
def ninjio_server(ninjio_faults: FaultInjector) -> Iterator[LiveServer]:
    """The emulator (through the fault injector) over HTTP on loopback."""
    from scim_ninjio.testing.server import LiveServer  # noqa: PLC0415

    with LiveServer(ninjio_faults) as server:
        yield server


@pytest.fixture
def ninjio_client(
    ninjio_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[NinjioClient]:
    """A sync client bound to the live server."""
    from scim_ninjio.client import NinjioClient  # noqa: PLC0415

    options = options_of(request)
    with NinjioClient(
        ninjio_server.url, options.token, **client_arguments(options)
    ) as client:
        yield client


@pytest.fixture
def ninjio_memory_client(
    ninjio_faults: FaultInjector, request: pytest.FixtureRequest
) -> Iterator[NinjioClient]:
    """A sync client wired to the emulator in memory: no socket, no thread."""
    from scim_ninjio.client import NinjioClient  # noqa: PLC0415
    from scim_ninjio.testing.emulator import DEFAULT_BASE_URL  # noqa: PLC0415
    from scim_ninjio.transports import MemoryTransport  # noqa: PLC0415

    options = options_of(request)
    with NinjioClient(
        DEFAULT_BASE_URL,
        options.token,
        # The emulator checks the token, so the transport hands it over as
        # the wire would.
        transport=MemoryTransport(ninjio_faults, authorize=True),
        **client_arguments(options),
    ) as client:
        yield client
