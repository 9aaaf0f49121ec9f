"""The demo, end to end: two syncs into an emulated NINJIO, in seconds."""

from __future__ import annotations

import json

import pytest

from scim_ninjio._http import Request, Response
from scim_ninjio._sample import sample_directory
from scim_ninjio.cli import _demo, cli
from scim_ninjio.jumpcloud import Directory
from scim_ninjio.testing import Emulator


class TestDemo:
    """scim-ninjio demo runs the whole story without a network."""

    @pytest.mark.rule("G4")
    @pytest.mark.rule("G5")
    @pytest.mark.rule("G6")
    def test_plain_output_end_to_end(self, runner):
        """Off a terminal the demo prints plain tables and the whole story."""
        result = runner.invoke(cli, ["demo"])

        assert result.exit_code == 0, result.output
        out = result.stdout
        assert "\x1b[" not in out
        for part in (
            "== First sync ==",
            "user.create",
            "U7:",
            "== Meanwhile, in JumpCloud ==",
            "renamed to",
            "left the company",
            "unbound from the NINJIO application",
            "deleted in JumpCloud",
            "== Second sync ==",
            "stopped: the plan would deactivate",
            "group.delete",
            "none deleted",
            "A third sync has nothing to do.",
        ):
            assert part in out, part

    @pytest.mark.rule("U5")
    def test_json(self, runner):
        """--json gives both reports, the changes, NINJIO's holdings."""
        result = runner.invoke(cli, ["demo", "--json", "--users", "60"])
        data = json.loads(result.stdout)

        assert result.exit_code == 0
        assert data["converged"] is True
        assert len(data["changes"]) == 5
        assert data["first_sync"]["ok"]
        assert data["second_sync"]["ok"]
        second = data["second_sync"]["counts"]
        assert second["group.rename"] == 1
        assert second["group.delete"] == 1
        assert second["user.deactivate"] >= 1
        assert data["ninjio"]["users"] == data["first_sync"]["counts"]["user.create"]

    def test_over_http(self, runner):
        """--http serves the emulator on 127.0.0.1 and syncs through it."""
        result = runner.invoke(cli, ["demo", "--http", "--json", "--users", "40"])

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["converged"] is True

    def test_failed_steps_exit_1(self, runner, monkeypatch):
        """When NINJIO refuses steps, the demo reports them and exits 1."""

        class Refusing(Emulator):
            def handle(self, request: Request) -> Response:
                if request.method == "POST" and request.path == "/Groups":
                    return Response(500, {}, b"")
                return super().handle(request)

        monkeypatch.setattr(_demo, "Emulator", Refusing)

        result = runner.invoke(cli, ["demo", "--users", "40"])

        assert result.exit_code == 1
        assert "failed: group.create" in result.stdout

    def test_a_sample_without_changes_to_make(self, runner, monkeypatch):
        """A sample the changes cannot be scripted on exits 2 in one line."""
        monkeypatch.setattr(
            _demo, "sample_directory", lambda **_: sample_directory(users=10, groups=0)
        )

        result = runner.invoke(cli, ["demo"])

        assert result.exit_code == 2
        assert result.stderr.startswith("error: cannot script the demo's changes")


class TestScriptedChanges:
    """The demo's JumpCloud changes are made on a copy of the directory."""

    def test_five_changes(self):
        """Three bound groups change, one user leaves, one moves."""
        directory = sample_directory(users=60, groups=5)

        changed, said = _demo.scripted_changes(directory)

        assert len(said) == 5
        assert len(changed.users) == len(directory.users) - 1
        assert len(changed.groups) == len(directory.groups) - 1
        assert len(changed.bound_groups) == len(directory.bound_groups) - 2

    def test_a_group_without_active_members(self):
        """A first group with no active, mappable member cannot be scripted."""
        directory = Directory.from_json(
            {
                "format": "scim-ninjio.directory/1",
                "users": [{"_id": "u1", "username": "a", "activated": False}],
                "groups": [
                    {"id": f"g{i}", "name": f"G{i}", "members": ["u1"]}
                    for i in range(3)
                ],
                "bound_groups": ["g0", "g1", "g2"],
            }
        )

        with pytest.raises(ValueError, match="no active, mappable member"):
            _demo.scripted_changes(directory)
