"""mapping, serve, --jumpcloud, the entry points and unexpected errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import time

import pytest

from conftest import TOKEN
from scim_ninjio import cli as cli_package
from scim_ninjio.__main__ import _run
from scim_ninjio._sample import sample_directory
from scim_ninjio.cli import _commands, _demo, cli, main
from scim_ninjio.client import NinjioClient
from scim_ninjio.engine import Engine
from scim_ninjio.mapping import ATTRIBUTE_MAPPING, GROUP_MAPPING
from scim_ninjio.testing import LiveServer
from scim_ninjio.testing.jumpcloud import JumpCloudStandIn


class TestMapping:
    """mapping prints the attribute table from mapping.py, never retyped."""

    def test_table(self, runner):
        """The table holds every JumpCloud property and SCIM path."""
        result = runner.invoke(cli, ["mapping"])

        assert result.exit_code == 0
        for row in (*ATTRIBUTE_MAPPING, *GROUP_MAPPING):
            assert row.jumpcloud_property in result.stdout

    def test_json(self, runner):
        """--json lists users and groups with every column."""
        data = json.loads(runner.invoke(cli, ["mapping", "--json"]).stdout)

        assert len(data["users"]) == len(ATTRIBUTE_MAPPING)
        assert data["groups"][0]["scim_path"] == "displayName"
        assert set(data["users"][0]) == {
            "jumpcloud_property",
            "ui_field",
            "scim_path",
            "ninjio_field",
            "note",
        }

    @pytest.mark.parametrize(
        ("fmt", "start"), [("markdown", "| JumpCloud"), ("rst", ".. list-table::")]
    )
    def test_formats(self, runner, fmt, start):
        """Markdown and reStructuredText tables come from render_table."""
        result = runner.invoke(cli, ["mapping", "--format", fmt, "--no-notes"])

        assert result.stdout.startswith(start)
        assert "Note" not in result.stdout


class TestJumpCloudSource:
    """--jumpcloud reads the directory from JumpCloud's API."""

    @pytest.fixture
    def jumpcloud(self, monkeypatch):
        """A JumpCloud stand-in on loopback, its key in JUMPCLOUD_API_KEY."""
        stand_in = JumpCloudStandIn(sample_directory(users=40, groups=4), app_id="a1")
        monkeypatch.setenv("JUMPCLOUD_API_KEY", stand_in.api_key)
        with LiveServer(stand_in.handle, base_path="/api") as server:
            yield server.url

    def test_plan_from_the_api(self, runner, live, jumpcloud):
        """plan --jumpcloud plans from the API's users and groups."""
        result = runner.invoke(
            cli,
            [
                "plan",
                "--url",
                live.url,
                "--jumpcloud",
                "--app-id",
                "a1",
                "--jumpcloud-url",
                jumpcloud,
                "--group-management",
                "--json",
            ],
        )

        assert result.exit_code == 0, result.output
        counts = json.loads(result.stdout)
        assert counts["group_management"] is True
        assert any(s["action"] == "group.create" for s in counts["steps"])

    def test_a_wrong_app_id(self, runner, live, jumpcloud):
        """An unknown application exits 1 in one line naming the fix."""
        result = runner.invoke(
            cli,
            [
                "plan",
                "--url",
                live.url,
                "--jumpcloud",
                "--app-id",
                "nope",
                "--jumpcloud-url",
                jumpcloud,
            ],
        )

        assert result.exit_code == 1
        assert result.stderr.startswith(
            "error: cannot read the directory from JumpCloud: GET"
        )
        assert "check the application id" in result.stderr

    def test_no_key(self, runner, live, monkeypatch):
        """Without JUMPCLOUD_API_KEY, --jumpcloud exits 2."""
        monkeypatch.delenv("JUMPCLOUD_API_KEY", raising=False)

        result = runner.invoke(
            cli, ["plan", "--url", live.url, "--jumpcloud", "--app-id", "a1"]
        )

        assert result.exit_code == 2
        assert "set JUMPCLOUD_API_KEY" in result.stderr

    def test_no_app_id(self, runner, live, monkeypatch):
        """Without --app-id, --jumpcloud exits 2."""
        monkeypatch.setenv("JUMPCLOUD_API_KEY", "k")

        result = runner.invoke(cli, ["plan", "--url", live.url, "--jumpcloud"])

        assert result.exit_code == 2
        assert "--app-id" in result.stderr


class TestServe:
    """serve runs the emulator on loopback until it is stopped."""

    def _serve(self, runner, monkeypatch, closed_port, *args):
        stop = threading.Event()
        monkeypatch.setattr(_commands, "_stop_event", lambda: stop)
        outcome = {}

        def run():
            outcome["result"] = runner.invoke(
                cli, ["serve", "--port", str(closed_port), *args]
            )

        thread = threading.Thread(target=run)
        thread.start()
        url = f"http://127.0.0.1:{closed_port}/scim/v2"
        return stop, thread, outcome, url

    def _verified(self, url, token):
        with NinjioClient(url, token) as client:
            for _ in range(100):
                verification = client.verify()
                if verification.failure != "unreachable":
                    return verification
                time.sleep(0.05)
        return verification

    @pytest.mark.rule("I1")
    def test_serves_with_the_token(self, runner, monkeypatch, closed_port):
        """The emulator answers over HTTP with NINJIO_TOKEN, then stops."""
        stop, thread, outcome, url = self._serve(runner, monkeypatch, closed_port)
        try:
            assert self._verified(url, TOKEN).ok
            assert self._verified(url, "wrong").failure == "bad_token"
        finally:
            stop.set()
            thread.join(10)

        result = outcome["result"]
        assert result.exit_code == 0, result.output
        assert f"Serving the NINJIO emulator at {url}" in result.stdout
        assert "Stopped." in result.stdout

    def test_token_file_is_created(self, runner, monkeypatch, closed_port, tmp_path):
        """A missing --token-file gets a new token that clients then use."""
        token_file = tmp_path / "token"
        stop, thread, _, url = self._serve(
            runner,
            monkeypatch,
            closed_port,
            "--token-file",
            str(token_file),
            "--profile",
            "generic",
            "--no-default-group",
        )
        try:
            for _ in range(100):
                if token_file.exists() and token_file.read_text().strip():
                    break
                time.sleep(0.05)
            verification = self._verified(url, token_file.read_text().strip())
            assert verification.ok
        finally:
            stop.set()
            thread.join(10)

    def test_no_auth(self, runner, monkeypatch, closed_port):
        """--no-auth accepts any token."""
        stop, thread, _, url = self._serve(
            runner, monkeypatch, closed_port, "--no-auth"
        )
        try:
            assert self._verified(url, "anything").ok
        finally:
            stop.set()
            thread.join(10)

    def test_a_taken_port(self, runner, live):
        """A port already in use exits 1 and suggests another."""
        result = runner.invoke(cli, ["serve", "--no-auth", "--port", str(live.port)])

        assert result.exit_code == 1
        assert "pick another --port" in result.stderr

    def test_an_empty_token_file(self, runner, tmp_path):
        """An empty token file is refused in one line."""
        token_file = tmp_path / "token"
        token_file.write_text("")

        result = runner.invoke(cli, ["serve", "--token-file", str(token_file)])

        assert result.exit_code == 2
        assert result.stderr.startswith("error: cannot use the token file: ")


class TestEntryPoints:
    """main() and python -m scim_ninjio return the documented statuses."""

    def test_main_returns_zero(self, capsys):
        """A command that succeeds returns 0."""
        assert main(["mapping", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["users"]

    def test_main_usage_error(self, capsys):
        """An unknown command returns 2 with one line that points to --help."""
        assert main(["nope"]) == 2
        assert capsys.readouterr().err == (
            "error: no such command 'nope'; run scim-ninjio --help\n"
        )

    def test_main_failure_status(self, capsys, closed_port, monkeypatch):
        """A failed command returns its status and prints one error line."""
        monkeypatch.setenv("NINJIO_TOKEN", TOKEN)
        url = f"http://127.0.0.1:{closed_port}/scim/v2"

        assert main(["verify", "--url", url, "--retries", "1"]) == 1
        assert capsys.readouterr().err.startswith("error: the check of")

    def test_main_returns_a_commands_own_status(self, capsys, live, monkeypatch):
        """A command that ends with a status of its own returns that status."""
        monkeypatch.setenv("NINJIO_TOKEN", "wrong")

        assert main(["verify", "--url", live.url, "--json"]) == 1
        assert json.loads(capsys.readouterr().out)["failure"] == "bad_token"

    def test_main_on_streams_without_reconfigure(self, monkeypatch):
        """Output streams that cannot be reconfigured are used as they are."""
        out = io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)

        assert main(["mapping", "--format", "markdown"]) == 0
        assert out.getvalue().startswith("| JumpCloud")

    def test_main_help_exits_zero(self, capsys):
        """--help returns 0."""
        assert main(["--help"]) == 0
        assert "demo" in capsys.readouterr().out

    def test_main_interrupted(self, capsys, monkeypatch):
        """Ctrl-C returns 1 with a short message, not a traceback."""

        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(cli_package._output, "show_mapping", interrupted)

        assert main(["mapping"]) == 1
        assert capsys.readouterr().err.strip() == "Aborted."

    def test_python_dash_m(self, capsys, monkeypatch):
        """The module entry point runs the same command line."""
        monkeypatch.setattr(sys, "argv", ["scim-ninjio", "mapping", "--json"])

        assert _run() == 0

    def test_python_dash_m_without_the_extra(self, capsys, monkeypatch):
        """Without click, python -m scim_ninjio says which extra to install."""
        monkeypatch.setitem(sys.modules, "scim_ninjio.cli", None)

        assert _run() == 2
        assert "pip install 'scim-ninjio[cli]'" in capsys.readouterr().err

    def test_the_library_never_imports_click_or_rich(self):
        """Importing scim_ninjio and its engine loads neither click nor rich."""
        code = (
            "import sys, scim_ninjio, scim_ninjio.engine, scim_ninjio.jumpcloud;"
            "print(sorted(m for m in ('click', 'rich') if m in sys.modules))"
        )
        done = subprocess.run(  # noqa: S603 -- this interpreter, fixed arguments
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )

        assert done.stdout.strip() == "[]"

    def test_python_dash_m_in_a_subprocess(self):
        """python -m scim_ninjio mapping works from a shell."""
        done = subprocess.run(
            [sys.executable, "-m", "scim_ninjio", "mapping", "--format", "markdown"],
            capture_output=True,
            text=True,
            check=False,
        )

        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("| JumpCloud property")


class TestWithoutAiohttp:
    """serve and demo --http say which extra they need when aiohttp is missing."""

    @pytest.fixture
    def no_server(self, monkeypatch):
        """Make the live server module impossible to import."""
        import scim_ninjio.testing

        monkeypatch.delattr(scim_ninjio.testing, "server", raising=False)
        monkeypatch.setitem(sys.modules, "scim_ninjio.testing.server", None)

    def test_serve(self, runner, no_server):
        """serve exits 2 naming the testing extra."""
        result = runner.invoke(cli, ["serve", "--no-auth"])

        assert result.exit_code == 2
        assert "pip install 'scim-ninjio[cli,testing]'" in result.stderr

    def test_demo_http(self, runner, no_server):
        """demo --http exits 2, and says the demo runs without --http."""
        result = runner.invoke(cli, ["demo", "--http"])

        assert result.exit_code == 2
        assert "run the demo without --http" in result.stderr


class TestUnexpectedErrors:
    """A bug gives one line and a pointer to --debug; --debug gives the traceback."""

    @pytest.fixture
    def broken(self, monkeypatch):
        """An engine whose plan fails with a plain Python error."""

        def boom(self, directory):
            raise RuntimeError("boom")

        monkeypatch.setattr(Engine, "plan", boom)

    def test_one_line(self, runner, live, directory_file, broken):
        """Without --debug: exit 1, one line, no traceback."""
        result = runner.invoke(
            cli, ["plan", "--url", live.url, "--directory", str(directory_file)]
        )

        assert result.exit_code == 1
        assert result.stderr == (
            "error: unexpected RuntimeError: boom; run again with --debug for the "
            "traceback and report it\n"
        )

    def test_debug_raises(self, runner, live, directory_file, broken):
        """With --debug the error itself comes out, with its traceback."""
        result = runner.invoke(
            cli,
            ["--debug", "plan", "--url", live.url, "--directory", str(directory_file)],
        )

        assert isinstance(result.exception, RuntimeError)

    @pytest.fixture(
        params=[
            (["demo", "--users", "40"], _demo, "sample_directory"),
            (["mapping"], _commands._output, "show_mapping"),
            (["mapping", "--json"], _commands._output, "mapping_json"),
        ],
        ids=["demo", "mapping", "mapping-json"],
    )
    def broken_command(self, request, monkeypatch):
        """The arguments of a command that fails with a plain Python error."""
        args, module, name = request.param

        def boom(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(module, name, boom)
        return args

    def test_every_command_says_one_line(self, runner, broken_command):
        """demo and mapping, like the others, exit 1 with one line."""
        result = runner.invoke(cli, broken_command)

        assert result.exit_code == 1
        assert result.stderr == (
            "error: unexpected RuntimeError: boom; run again with --debug for the "
            "traceback and report it\n"
        )
        assert "Traceback" not in result.output

    def test_every_command_raises_under_debug(self, capsys, broken_command):
        """Under --debug, main() lets the error out, with its traceback."""
        with pytest.raises(RuntimeError, match="boom") as caught:
            main(["--debug", *broken_command])

        assert caught.traceback
        assert "error: unexpected" not in capsys.readouterr().err


class TestUsageErrors:
    """click's usage errors are one line that points to --help, with status 2."""

    @pytest.mark.parametrize(
        ("args", "line"),
        [
            (
                ["plan", "--bogus"],
                "no such option '--bogus'; run scim-ninjio plan --help",
            ),
            (
                ["mapping", "--jsn"],
                (
                    "no such option '--jsn' (did you mean '--json'?); "
                    "run scim-ninjio mapping --help"
                ),
            ),
            (
                ["sync", "--directory", "d.json", "--ledger", "l.sqlite3"],
                "missing option '--url' (or NINJIO_URL); run scim-ninjio sync --help",
            ),
            (
                ["mapping", "--format", "html"],
                (
                    "invalid value for '--format': 'html' is not one of 'table', "
                    "'markdown', 'rst'; run scim-ninjio mapping --help"
                ),
            ),
            (
                ["mapping", "extra"],
                "got unexpected extra argument (extra); run scim-ninjio mapping --help",
            ),
            (
                ["--bogus", "mapping"],
                "no such option '--bogus'; run scim-ninjio --help",
            ),
            (["nope"], "no such command 'nope'; run scim-ninjio --help"),
        ],
        ids=[
            "unknown-option",
            "misspelt-option",
            "missing-option",
            "bad-value",
            "extra-argument",
            "unknown-root-option",
            "unknown-command",
        ],
    )
    def test_one_line(self, runner, args, line):
        """Instead of click's Usage, Try and Error lines: error, what, what to do."""
        result = runner.invoke(cli, args)

        assert result.exit_code == 2
        assert result.stderr == f"error: {line}\n"
        assert result.stdout == ""

    def test_from_main(self, capsys):
        """main(), which runs click outside standalone mode, says the same."""
        assert main(["demo", "--users", "5"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert err.startswith("error: invalid value for '--users': 5 is not in the ")
        assert err.endswith("; run scim-ninjio demo --help\n")

    def test_a_bare_command_still_shows_the_help(self, runner):
        """scim-ninjio without a command prints its help, not an error line."""
        result = runner.invoke(cli, [])

        assert "Commands:" in result.output
        assert "error:" not in result.output
