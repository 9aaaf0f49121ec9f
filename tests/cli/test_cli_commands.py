"""plan, sync, import and verify against a live NINJIO emulator on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import TOKEN
from scim_ninjio._http import Request, Response
from scim_ninjio._plan import Plan
from scim_ninjio._sample import sample_directory
from scim_ninjio.cli import cli
from scim_ninjio.ledger import SqliteLedger
from scim_ninjio.testing import LiveServer


def _run(runner, *args):
    return runner.invoke(cli, [str(a) for a in args])


def _one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert TOKEN not in result.output
    return lines[0]


class TestVerify:
    """verify runs the pre-flight (I1) and says what NINJIO supports."""

    @pytest.mark.rule("I1")
    def test_a_good_connection_lists_capabilities(self, runner, live):
        """A working URL and token exit 0 with the capability table."""
        result = _run(runner, "verify", "--url", live.url)

        assert result.exit_code == 0, result.output
        assert "patch" in result.stdout
        assert "\x1b[" not in result.stdout

    @pytest.mark.rule("I1")
    def test_json_shape(self, runner, live):
        """--json gives ok, failure, message and capabilities."""
        result = _run(runner, "verify", "--url", live.url, "--json")
        data = json.loads(result.stdout)

        assert result.exit_code == 0
        assert set(data) == {"ok", "failure", "message", "capabilities"}
        assert data["ok"] is True
        assert data["capabilities"]["patch"] is True

    @pytest.mark.rule("I1")
    def test_a_bad_token_fails_in_one_line(self, runner, live, monkeypatch):
        """A token NINJIO refuses exits 1 and says it is the token."""
        monkeypatch.setenv("NINJIO_TOKEN", "not-the-token")

        result = _run(runner, "verify", "--url", live.url)

        assert result.exit_code == 1
        line = _one_error_line(result)
        assert "token" in line
        assert "not-the-token" not in result.output

    @pytest.mark.rule("I1")
    def test_a_bad_token_in_json(self, runner, live, monkeypatch):
        """With --json a failed check is a JSON document with the failure."""
        monkeypatch.setenv("NINJIO_TOKEN", "not-the-token")

        result = _run(runner, "verify", "--url", live.url, "--json")

        assert result.exit_code == 1
        assert json.loads(result.stdout)["failure"] == "bad_token"

    @pytest.mark.rule("I1")
    def test_an_unreachable_url_fails_in_one_line(self, runner, closed_port):
        """A closed port on 127.0.0.1 exits 1 and says it is unreachable."""
        url = f"http://127.0.0.1:{closed_port}/scim/v2"

        result = _run(runner, "verify", "--url", url, "--retries", 1)

        assert result.exit_code == 1
        line = _one_error_line(result)
        assert f"127.0.0.1:{closed_port}" in line

    def test_retries_print_nothing_but_the_error(self, closed_port):
        """A real process, retrying as by default, prints one line and no warnings."""
        url = f"http://127.0.0.1:{closed_port}/scim/v2"
        command = [sys.executable, "-m", "scim_ninjio", "verify", "--url", url]
        env = {**os.environ, "NINJIO_TOKEN": TOKEN}

        done = subprocess.run(  # noqa: S603 -- our own command
            command, capture_output=True, text=True, env=env, timeout=120, check=False
        )

        assert done.returncode == 1
        assert done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith("error: ")
        assert TOKEN not in done.stdout + done.stderr

    def test_a_missing_token_is_a_usage_error(self, runner, live, monkeypatch):
        """Without NINJIO_TOKEN or --token-file, exit 2 says how to give one."""
        monkeypatch.delenv("NINJIO_TOKEN")

        result = _run(runner, "verify", "--url", live.url)

        assert result.exit_code == 2
        assert "set NINJIO_TOKEN or pass --token-file" in _one_error_line(result)

    def test_the_token_file_wins(self, runner, live, tmp_path, monkeypatch):
        """--token-file is read, and preferred over NINJIO_TOKEN."""
        monkeypatch.setenv("NINJIO_TOKEN", "stale")
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN + "\n")

        result = _run(runner, "verify", "--url", live.url, "--token-file", token_file)

        assert result.exit_code == 0, result.output

    @pytest.mark.parametrize(
        ("content", "message"),
        [(None, "cannot read the token file"), ("  \n", "is empty")],
    )
    def test_a_bad_token_file_is_a_usage_error(
        self, runner, live, tmp_path, content, message
    ):
        """A missing or empty token file exits 2 with what to do."""
        token_file = tmp_path / "token"
        if content is not None:
            token_file.write_text(content)

        result = _run(runner, "verify", "--url", live.url, "--token-file", token_file)

        assert result.exit_code == 2
        assert message in _one_error_line(result)

    def test_a_token_with_a_line_break_inside_is_refused(
        self, runner, live, monkeypatch
    ):
        """A token with a control character inside exits 2 without showing it."""
        monkeypatch.setenv("NINJIO_TOKEN", "abc\ndef")

        result = _run(runner, "verify", "--url", live.url)

        assert result.exit_code == 2
        line = _one_error_line(result)
        assert "NINJIO_TOKEN" in line
        assert "abc" not in line

    def test_a_bad_url_is_a_usage_error(self, runner):
        """A URL that is not http(s) exits 2 with an example of a good one."""
        result = _run(runner, "verify", "--url", "ftp://ninjio.example/scim")

        assert result.exit_code == 2
        assert "absolute http(s) URL" in _one_error_line(result)


class TestPlan:
    """plan shows the dry run as a table or as JSON; nothing changes."""

    def test_table(self, runner, live, directory_file, emulator):
        """The plan lists counts and steps, and NINJIO is left untouched."""
        result = _run(runner, "plan", "--url", live.url, "--directory", directory_file)

        assert result.exit_code == 0, result.output
        assert "user.create" in result.stdout
        assert "U2" in result.stdout
        assert emulator.users == ()

    def test_json_is_a_plan_document(self, runner, live, directory_file):
        """--json prints a plan document that Plan.from_json reads back."""
        result = _run(
            runner, "plan", "--url", live.url, "--directory", directory_file, "--json"
        )

        plan = Plan.from_json(json.loads(result.stdout))
        assert plan.counts()["user.create"] > 20

    @pytest.mark.rule("G7")
    def test_notes_are_shown(self, runner, live, tmp_path):
        """The plan's notes follow the steps (here: group management is off)."""
        document = sample_directory(users=20, groups=3).to_json()
        document["group_management"] = False
        path = tmp_path / "no-groups.json"
        path.write_text(json.dumps(document))

        result = _run(runner, "plan", "--url", live.url, "--directory", path)

        assert "note: group management is off" in result.stdout

    def test_a_missing_ledger_is_not_created(
        self, runner, live, directory_file, tmp_path
    ):
        """A dry run with a ledger that does not exist yet writes no file."""
        ledger = tmp_path / "ledger.sqlite3"

        result = _run(
            runner,
            "plan",
            "--url",
            live.url,
            "--directory",
            directory_file,
            "--ledger",
            ledger,
        )

        assert result.exit_code == 0
        assert not ledger.exists()

    @pytest.mark.rule("U7")
    def test_a_malformed_directory_file_fails_in_one_line(self, runner, live, tmp_path):
        """A directory file that is not JSON exits 2 and names the file."""
        bad = tmp_path / "broken.json"
        bad.write_text('{"format": "scim-ninjio.directory/1", "users": [')

        result = _run(runner, "plan", "--url", live.url, "--directory", bad)

        assert result.exit_code == 2
        line = _one_error_line(result)
        assert "cannot load the directory" in line
        assert "not valid JSON" in line

    def test_a_wrong_document_fails_in_one_line(self, runner, live, tmp_path):
        """A JSON file that is no directory document exits 2 with the path."""
        bad = tmp_path / "other.json"
        bad.write_text('{"users": "everyone"}')

        result = _run(runner, "plan", "--url", live.url, "--directory", bad)

        assert result.exit_code == 2
        assert "$.format" in _one_error_line(result)

    def test_debug_shows_the_traceback(self, runner, live, tmp_path):
        """--debug adds the traceback to the one-line error."""
        bad = tmp_path / "broken.json"
        bad.write_text("[")

        result = _run(runner, "--debug", "plan", "--url", live.url, "--directory", bad)

        assert result.exit_code == 2
        assert "Traceback" in result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("error: ")

    @pytest.mark.parametrize(
        "args",
        [[], ["--directory", "x.json", "--jumpcloud"]],
        ids=["neither", "both"],
    )
    def test_one_source_is_required(self, runner, live, args):
        """Exactly one of --directory and --jumpcloud must be given."""
        result = _run(runner, "plan", "--url", live.url, *args)

        assert result.exit_code == 2
        assert "--directory FILE" in _one_error_line(result)

    def test_a_missing_directory_file(self, runner, live, tmp_path):
        """A directory file that does not exist exits 2."""
        result = _run(
            runner, "plan", "--url", live.url, "--directory", tmp_path / "none.json"
        )

        assert result.exit_code == 2
        assert "does not exist" in _one_error_line(result)

    def test_an_unreachable_ninjio(self, runner, directory_file, closed_port):
        """A closed port exits 1 with what failed and what to check."""
        url = f"http://127.0.0.1:{closed_port}/scim/v2"

        result = _run(
            runner,
            "plan",
            "--url",
            url,
            "--directory",
            directory_file,
            "--retries",
            1,
        )

        assert result.exit_code == 1
        line = _one_error_line(result)
        assert line.startswith(f"error: cannot read NINJIO at {url}")
        assert "check --url" in line


class TestSync:
    """sync applies the plan, keeps the ledger and exits by the outcome."""

    def _sync(self, runner, url, directory_file, ledger, *extra):
        return _run(
            runner,
            "sync",
            "--url",
            url,
            "--directory",
            directory_file,
            "--ledger",
            ledger,
            *extra,
        )

    def test_sync_then_nothing_to_do(self, runner, live, directory_file, tmp_path):
        """A sync exits 0, fills the ledger, and a second plan is empty."""
        ledger = tmp_path / "ledger.sqlite3"

        result = self._sync(runner, live.url, directory_file, ledger)

        assert result.exit_code == 0, result.output
        assert "steps done, 0 failed" in result.stdout
        with SqliteLedger(ledger) as store:
            assert len(store.state().users) > 20
        again = _run(
            runner,
            "plan",
            "--url",
            live.url,
            "--directory",
            directory_file,
            "--ledger",
            ledger,
        )
        assert "Nothing to do" in again.stdout
        idle = self._sync(runner, live.url, directory_file, ledger)
        assert idle.exit_code == 0
        assert "0 steps done, 0 failed" in idle.stdout
        assert "Report" not in idle.stdout

    def test_json_report_shape(self, runner, live, directory_file, tmp_path):
        """--json prints the report with its documented keys."""
        result = self._sync(
            runner, live.url, directory_file, tmp_path / "l.sqlite3", "--json"
        )
        report = json.loads(result.stdout)

        assert result.exit_code == 0
        assert report["ok"] is True
        assert {"counts", "failures", "records", "problems", "notes"} <= set(report)

    def test_the_ledger_is_required(self, runner, live, directory_file):
        """Without --ledger, sync is a usage error."""
        result = _run(runner, "sync", "--url", live.url, "--directory", directory_file)

        assert result.exit_code == 2
        assert _one_error_line(result) == (
            "error: missing option '--ledger'; run scim-ninjio sync --help"
        )

    def test_a_ledger_that_is_not_sqlite(self, runner, live, directory_file, tmp_path):
        """A ledger file that is not a ledger exits 2 in one line."""
        ledger = tmp_path / "ledger.sqlite3"
        ledger.write_text("this is not a database " * 100)

        result = self._sync(runner, live.url, directory_file, ledger)

        assert result.exit_code == 2
        assert "ledger" in _one_error_line(result)

    @pytest.mark.rule("U5")
    def test_the_threshold_stops_with_exit_3(
        self, runner, live, directory_file, tmp_path, emulator
    ):
        """Unbinding every group stops at the threshold; --force goes on."""
        ledger = tmp_path / "ledger.sqlite3"
        assert self._sync(runner, live.url, directory_file, ledger).exit_code == 0
        active = sum(bool(u.active) for u in emulator.users)
        unbound = sample_directory(users=60, groups=5).to_json()
        unbound["bound_groups"] = []
        gone = tmp_path / "unbound.json"
        gone.write_text(json.dumps(unbound))

        stopped = self._sync(runner, live.url, gone, ledger)

        assert stopped.exit_code == 3
        line = _one_error_line(stopped)
        assert "the sync was stopped: the plan would deactivate" in line
        assert sum(bool(u.active) for u in emulator.users) == active

        forced = self._sync(runner, live.url, gone, ledger, "--force")
        assert forced.exit_code == 0
        assert not any(u.active for u in emulator.users)

    def test_a_raised_limit_lets_it_through(
        self, runner, live, directory_file, tmp_path
    ):
        """--max-deactivations raises the limit of one run."""
        ledger = tmp_path / "ledger.sqlite3"
        self._sync(runner, live.url, directory_file, ledger)
        unbound = sample_directory(users=60, groups=5).to_json()
        unbound["bound_groups"] = []
        gone = tmp_path / "unbound.json"
        gone.write_text(json.dumps(unbound))

        result = self._sync(runner, live.url, gone, ledger, "--max-deactivations", 1000)

        assert result.exit_code == 0, result.output

    def test_failed_steps_exit_1(self, runner, emulator, directory_file, tmp_path):
        """Steps NINJIO refuses are reported, and the exit status is 1."""

        def no_groups(request: Request) -> Response:
            if request.method == "POST" and request.path == "/Groups":
                return Response(500, {}, b"")
            return emulator.handle(request)

        with LiveServer(no_groups) as server:
            result = self._sync(
                runner, server.url, directory_file, tmp_path / "l.sqlite3"
            )

        assert result.exit_code == 1
        assert "failed: group.create" in result.stdout
        assert "skipped: group.add_members" in result.stdout


class TestImport:
    """import lists NINJIO's users as New or Imported (M1)."""

    @pytest.fixture
    def seeded(self, emulator, directory_file):
        """A NINJIO user unknown to JumpCloud, and one JumpCloud knows."""
        directory = sample_directory(users=60, groups=5)
        known = directory.users[0]
        emulator.add_user(
            {"userName": "someone.else", "emails": [{"value": "x@elsewhere.example"}]}
        )
        emulator.add_user(
            {"userName": known.username, "emails": [{"value": known.email.upper()}]}
        )
        return known

    @pytest.mark.rule("M1")
    def test_table_new_first(self, runner, live, directory_file, seeded):
        """New users come first, and the count line sums them up."""
        result = _run(
            runner, "import", "--url", live.url, "--directory", directory_file
        )

        assert result.exit_code == 0, result.output
        assert result.stdout.index("someone.else") < result.stdout.index(
            seeded.username
        )
        assert "1 new, 1 imported" in result.stdout

    @pytest.mark.rule("M1")
    def test_json_and_new_only(self, runner, live, directory_file, seeded):
        """--json --new-only lists only the New users, in the documented shape."""
        result = _run(
            runner,
            "import",
            "--url",
            live.url,
            "--directory",
            directory_file,
            "--json",
            "--new-only",
        )
        data = json.loads(result.stdout)

        assert data["counts"] == {"New": 1, "Imported": 0}
        (candidate,) = data["candidates"]
        assert candidate["user_name"] == "someone.else"
        assert candidate["status"] == "New"
        assert set(candidate) == {
            "status",
            "user_name",
            "email",
            "ninjio_id",
            "active",
            "jumpcloud_id",
            "managed",
        }
