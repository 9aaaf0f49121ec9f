import json
import os
import signal
import socket
import stat
import subprocess
import sys
import urllib.request

import pytest

from scim_ninjio.exceptions import ConfigurationError
from scim_ninjio.testing import __main__ as cli
from scim_ninjio.testing.emulator import Emulator
from scim_ninjio.testing.faults import FaultInjector, FaultKind
from scim_ninjio.testing.server import token_from_file


@pytest.fixture
def served(monkeypatch):
    """Run main() with serve() replaced: record what it would serve."""
    calls = []

    def fake_serve(handler, **kwargs):
        calls.append((handler, kwargs))

    monkeypatch.setattr("scim_ninjio.testing.server.serve", fake_serve)
    return calls


class TestTokenFile:
    """The token file: created when missing, refused when empty."""

    def test_creates_a_token(self, tmp_path):
        """A missing token file is created with a new token, for its owner only."""
        path = tmp_path / "token"

        token = token_from_file(path)

        assert path.read_text().strip() == token
        assert len(token) > 30
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert token_from_file(path) == token

    def test_empty_file(self, tmp_path):
        """An empty token file is refused, saying what to do."""
        path = tmp_path / "token"
        path.write_text("\n")

        with pytest.raises(ConfigurationError, match="empty"):
            token_from_file(path)

    def test_unreadable(self, tmp_path):
        """A path that cannot be read or created is refused."""
        with pytest.raises(ConfigurationError, match="cannot use token file"):
            token_from_file(tmp_path / "missing-dir" / "token")


class TestMain:
    """main(): options become an emulator, errors become exit statuses."""

    def test_serves_an_emulator(self, served, tmp_path, caplog):
        """serve builds the emulator from the options and serves it."""
        path = tmp_path / "token"
        path.write_text("s3cret\n")

        status = cli.main(
            [
                "serve",
                "--port",
                "0",
                "--token-file",
                str(path),
                "--profile",
                "generic",
                "--no-default-group",
                "--max-page-size",
                "7",
                "--strict",
            ]
        )

        ((handler, kwargs),) = served
        assert status == 0
        assert isinstance(handler, Emulator)
        assert handler.profile.name == "generic"
        assert handler.strict
        assert not handler.placement.default_group
        assert kwargs["port"] == 0
        assert "s3cret" not in caplog.text

    def test_tells_the_url(self, served, caplog):
        """When the server is ready, its URL is logged."""
        cli.main(["serve", "--no-auth"])
        ((_, kwargs),) = served

        class Ready:
            url = "http://127.0.0.1:1/scim/v2"

        with caplog.at_level("INFO"):
            kwargs["on_ready"](Ready())

        assert "http://127.0.0.1:1/scim/v2" in caplog.text

    def test_fault_plan(self, served, tmp_path):
        """--faults wraps the emulator in an injector with the file's plan."""
        plan = tmp_path / "plan.json"
        plan.write_text(json.dumps({"seed": 2, "faults": [{"kind": "unavailable"}]}))

        cli.main(["serve", "--no-auth", "--faults", str(plan)])

        ((handler, _),) = served
        assert isinstance(handler, FaultInjector)
        assert handler.plan.faults[0].kind is FaultKind.UNAVAILABLE
        assert handler.plan.seed == 2

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (None, "cannot read fault plan"),
            ("{not json", "cannot read fault plan"),
            ("[]", "must hold a JSON object"),
            ('{"faults": [{"kind": "nope"}]}', "not a kind of fault"),
        ],
    )
    def test_bad_fault_plan(self, served, tmp_path, caplog, content, message):
        """A bad fault plan ends with status 2 and says why."""
        plan = tmp_path / "plan.json"
        if content is not None:
            plan.write_text(content)

        status = cli.main(["serve", "--no-auth", "--faults", str(plan)])

        assert status == 2
        assert message in caplog.text
        assert served == []

    def test_port_taken(self, caplog):
        """A port in use ends with status 1 and says so."""
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]

            status = cli.main(["serve", "--no-auth", "--port", str(port)])

        assert status == 1
        assert f"cannot serve on 127.0.0.1:{port}" in caplog.text

    def test_token_or_no_auth_required(self, capsys):
        """serve needs --token-file or --no-auth."""
        with pytest.raises(SystemExit) as caught:
            cli.main(["serve"])

        assert caught.value.code == 2
        assert "--token-file" in capsys.readouterr().err


class TestCommandLine:
    """python -m scim_ninjio.testing, as a user runs it."""

    def test_python_m(self, tmp_path):
        """python -m scim_ninjio.testing serve answers with the file's token."""
        path = tmp_path / "token"
        process = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
            [
                sys.executable,
                "-m",
                "scim_ninjio.testing",
                "serve",
                "--port",
                "0",
                "--token-file",
                str(path),
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = None
            for line in process.stderr:
                if "serving" in line:
                    url = line.split(" at ")[1].split()[0]
                    break
            token = path.read_text().strip()
            request = urllib.request.Request(  # noqa: S310 -- an http URL we served
                f"{url}/Users", headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 -- idem
                body = json.load(answer)
        finally:
            os.kill(process.pid, signal.SIGTERM)
            rest = process.communicate(timeout=10)[1]

        assert body["totalResults"] == 0
        assert process.returncode == 0
        assert token not in rest
