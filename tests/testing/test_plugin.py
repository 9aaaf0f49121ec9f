import pytest


pytest_plugins = ["pytester"]


INI = """
[pytest]
asyncio_mode = strict
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""


def run(pytester, source, *args):
    """Run pytest on one test module, with the project's warning rules."""
    pytester.makeini(INI)
    pytester.makepyfile(test_it=source)
    return pytester.runpytest("-p", "no:cacheprovider", *args)


class TestHarmless:
    """The plugin in runs that do not use it."""

    def test_loading_imports_nothing_heavy(self, pytester):
        """The plugin loads in every run but imports no aiohttp and no emulator."""
        pytester.makeini(INI)
        result = pytester.runpytest_subprocess(
            "-p",
            "no:cacheprovider",
            pytester.makepyfile(
                test_it="""
                import sys
                import threading

                def test_nothing_loaded():
                    assert "scim_ninjio.testing.plugin" in sys.modules
                    assert "aiohttp" not in sys.modules
                    assert "hypothesis" not in sys.modules
                    assert "scim_ninjio.testing.emulator" not in sys.modules
                    assert "scim_ninjio.testing.server" not in sys.modules
                    assert threading.active_count() == 1
                """
            ),
        )

        result.assert_outcomes(passed=1)

    def test_marker_registered(self, pytester):
        """The ninjio marker passes --strict-markers."""
        result = run(
            pytester,
            """
            import pytest

            @pytest.mark.ninjio(strict=True)
            def test_marked():
                pass
            """,
            "--strict-markers",
        )

        result.assert_outcomes(passed=1)


class TestWithoutPytestAsyncio:
    """The plugin where pytest-asyncio is not installed."""

    def test_async_fixture_left_out(self, monkeypatch):
        """Without pytest-asyncio the plugin registers the marker and nothing else."""
        from scim_ninjio.testing import plugin

        class Manager:
            def __init__(self):
                self.registered = []

            def register(self, module, name):
                self.registered.append(name)

        class Config:
            def __init__(self):
                self.lines = []
                self.pluginmanager = Manager()

            def addinivalue_line(self, name, line):
                self.lines.append((name, line))

        monkeypatch.setattr(plugin.importlib.util, "find_spec", lambda name: None)
        config = Config()

        plugin.pytest_configure(config)

        assert config.lines[0][0] == "markers"
        assert config.pluginmanager.registered == []


class TestEmulatorFixtures:
    """ninjio_emulator and the ninjio marker."""

    def test_emulator(self, pytester):
        """ninjio_emulator is a NINJIO emulator unless the marker says otherwise."""
        result = run(
            pytester,
            """
            import pytest
            from scim_ninjio.policy import NinjioSettings

            def test_default(ninjio_emulator):
                assert ninjio_emulator.profile.name == "ninjio"
                assert not ninjio_emulator.strict

            @pytest.mark.ninjio(profile="generic", strict=True, max_page_size=5,
                                placement=NinjioSettings(default_group=False))
            def test_marked(ninjio_emulator):
                assert ninjio_emulator.profile.name == "generic"
                assert ninjio_emulator.strict
                assert not ninjio_emulator.placement.default_group

            @pytest.mark.ninjio(profile="generic")
            class TestClass:
                def test_inherits(self, ninjio_emulator):
                    assert ninjio_emulator.profile.name == "generic"
            """,
        )

        result.assert_outcomes(passed=3)

    def test_fresh_per_test(self, pytester):
        """Each test gets its own emulator."""
        result = run(
            pytester,
            """
            from scim_ninjio.models import User

            def test_one(ninjio_emulator):
                ninjio_emulator.add_user(User(user_name="alice"))

            def test_two(ninjio_emulator):
                assert ninjio_emulator.users == ()
            """,
        )

        result.assert_outcomes(passed=2)

    @pytest.mark.parametrize(
        ("marker", "message"),
        [
            ('"generic"', "keyword options only"),
            ('profile="okta"', "use 'ninjio', 'generic'"),
            ("colour=1", "@pytest.mark.ninjio: "),
        ],
    )
    def test_bad_marker(self, pytester, marker, message):
        """A wrong marker fails the test's setup with a message naming the marker."""
        result = run(
            pytester,
            f"""
            import pytest

            @pytest.mark.ninjio({marker})
            def test_marked(ninjio_emulator):
                pass
            """,
        )

        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines([f"*{message}*"])


class TestServerAndClients:
    """ninjio_server and the client fixtures."""

    def test_sync_client_over_http(self, pytester):
        """ninjio_client talks to ninjio_server over HTTP; the server then stops."""
        result = run(
            pytester,
            """
            import threading
            from scim_ninjio.models import User

            def test_create(ninjio_client, ninjio_emulator, ninjio_server):
                created = ninjio_client.create_user(User(user_name="alice"))
                assert ninjio_emulator.find_user("alice").id == created.resource.id
                assert ninjio_emulator.requests[-1].credentials == "valid"
                assert ninjio_server.url.startswith("http://127.0.0.1:")

            def test_stopped():
                names = [t.name for t in threading.enumerate()]
                assert "scim-ninjio-live-server" not in names
            """,
        )

        result.assert_outcomes(passed=2)

    def test_async_client(self, pytester):
        """ninjio_async_client talks to the live server from an async test."""
        result = run(
            pytester,
            """
            import asyncio
            import pytest
            from scim_ninjio.models import User

            @pytest.mark.asyncio
            async def test_create(ninjio_async_client, ninjio_emulator):
                await asyncio.gather(*(
                    ninjio_async_client.create_user(User(user_name=f"u{i}"))
                    for i in range(10)
                ))
                assert len(ninjio_emulator.users) == 10
            """,
        )

        result.assert_outcomes(passed=1)

    def test_memory_client(self, pytester):
        """ninjio_memory_client reaches the emulator without a socket."""
        result = run(
            pytester,
            """
            import threading
            from scim_ninjio.models import User

            def test_create(ninjio_memory_client, ninjio_emulator):
                ninjio_memory_client.create_user(User(user_name="alice"))
                assert ninjio_emulator.find_user("alice") is not None
                names = [t.name for t in threading.enumerate()]
                assert "scim-ninjio-live-server" not in names
            """,
        )

        result.assert_outcomes(passed=1)

    def test_token_option(self, pytester):
        """The marker's token is the one the emulator checks and the clients send."""
        result = run(
            pytester,
            """
            import pytest

            @pytest.mark.ninjio(token="other-token")
            def test_token(ninjio_memory_client, ninjio_token, ninjio_emulator):
                assert ninjio_token == "other-token"
                ninjio_memory_client.iter_users()
                list(ninjio_memory_client.iter_users())
                assert ninjio_emulator.requests[-1].credentials == "valid"

            @pytest.mark.ninjio(token=None)
            def test_no_token(ninjio_memory_client, ninjio_emulator):
                list(ninjio_memory_client.iter_users())
                assert ninjio_emulator.requests[-1].credentials == "unchecked"
            """,
        )

        result.assert_outcomes(passed=2)


class TestFaults:
    """ninjio_faults, from the marker and during a test."""

    def test_marker_faults_in_memory(self, pytester):
        """Faults named in the marker reach the memory client, which retries."""
        result = run(
            pytester,
            """
            import pytest
            from scim_ninjio.models import User
            from scim_ninjio.testing.faults import Fault, FaultKind

            @pytest.mark.ninjio(faults=[Fault(kind="unavailable", nth=1)])
            def test_retried(ninjio_memory_client, ninjio_faults, ninjio_emulator):
                ninjio_memory_client.create_user(User(user_name="alice"))
                assert ninjio_faults.counts() == {FaultKind.UNAVAILABLE: 1}
                assert ninjio_emulator.find_user("alice") is not None
            """,
        )

        result.assert_outcomes(passed=1)

    def test_faults_added_during_a_test_over_http(self, pytester):
        """Faults added to ninjio_faults happen on the wire too."""
        result = run(
            pytester,
            """
            from scim_ninjio.testing.faults import Fault, FaultKind

            def test_dropped(ninjio_client, ninjio_faults):
                ninjio_faults.add(Fault(kind="drop", method="GET", nth=1))
                assert list(ninjio_client.iter_users()) == []
                assert ninjio_faults.counts() == {FaultKind.DROP: 1}
            """,
        )

        result.assert_outcomes(passed=1)

    def test_fault_plan_and_client_options(self, pytester):
        """The marker takes a whole FaultPlan, and client arguments."""
        result = run(
            pytester,
            """
            import pytest
            from scim_ninjio._retry import RetryPolicy
            from scim_ninjio.exceptions import ServerError
            from scim_ninjio.testing.faults import Fault, FaultPlan

            @pytest.mark.ninjio(
                faults=FaultPlan([Fault(kind="server_error")], seed=4),
                client={"retry": RetryPolicy(attempts=1)},
            )
            def test_no_retry(ninjio_memory_client, ninjio_faults):
                assert ninjio_faults.plan.seed == 4
                with pytest.raises(ServerError):
                    list(ninjio_memory_client.iter_users())
            """,
        )

        result.assert_outcomes(passed=1)
