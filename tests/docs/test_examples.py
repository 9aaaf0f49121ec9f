"""The docs' example files run, against the emulator over real HTTP."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import subprocess
import sys

import pytest

from scim_ninjio.testing import DEFAULT_TOKEN, Emulator, LiveServer


EXAMPLES = pathlib.Path(__file__).parents[2] / "docs" / "examples"


def load(name: str):
    """Import an example file as a module."""
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    return module


def directory_document(users: int) -> dict[str, object]:
    """Return a directory document with ``users`` users, all in one bound group."""
    return {
        "format": "scim-ninjio.directory/1",
        "group_management": True,
        "bound_groups": ["g-eng"],
        "users": [
            {
                "_id": f"u{i}",
                "username": f"user{i}",
                "email": f"user{i}@example.com",
                "activated": True,
            }
            for i in range(users)
        ],
        "groups": [
            {
                "id": "g-eng",
                "name": "Engineering",
                "members": [f"u{i}" for i in range(users)],
            }
        ],
    }


@pytest.fixture
def live(monkeypatch):
    """Serve an emulator on loopback and point the examples' environment at it."""
    emulator = Emulator()
    with LiveServer(emulator) as server:
        monkeypatch.setenv("NINJIO_SCIM_URL", server.url)
        monkeypatch.setenv("NINJIO_TOKEN", DEFAULT_TOKEN)
        yield emulator


@pytest.fixture
def directory_file(tmp_path):
    """Write a directory document of a given size; return its path."""

    def write(users: int) -> str:
        path = tmp_path / "directory.json"
        path.write_text(json.dumps(directory_document(users)))
        return str(path)

    return write


class TestSyncFromExport:
    """docs/examples/sync_from_export.py previews, then applies."""

    def test_preview_changes_nothing(self, live, directory_file, tmp_path, capsys):
        """Without --apply the plan is printed and NINJIO is left as it was."""
        status = load("sync_from_export").main(
            [directory_file(3), str(tmp_path / "ledger.sqlite3")]
        )

        assert status == 0
        assert "plan: create user0" in capsys.readouterr().out
        assert live.users == ()

    def test_apply_then_converged(self, live, directory_file, tmp_path, capsys):
        """--apply provisions; a second preview has nothing to plan."""
        example = load("sync_from_export")
        args = [directory_file(3), str(tmp_path / "ledger.sqlite3")]

        assert example.main([*args, "--apply"]) == 0
        assert sorted(u.user_name for u in live.users) == ["user0", "user1", "user2"]
        capsys.readouterr()
        assert example.main(args) == 0
        assert "plan:" not in capsys.readouterr().out

    def test_threshold_stops_the_run(self, live, directory_file, tmp_path, capsys):
        """Deactivating too many users at once stops before any write."""
        example = load("sync_from_export")
        ledger = str(tmp_path / "ledger.sqlite3")
        assert example.main([directory_file(30), ledger, "--apply"]) == 0

        status = example.main([directory_file(0), ledger, "--apply"])

        assert status == 3
        assert "nothing was changed" in capsys.readouterr().out
        assert all(u.active for u in live.users)


class TestLargeDirectory:
    """docs/examples/large_directory.py syncs through the async engine."""

    def test_sync(self, live, directory_file, tmp_path, capsys):
        """Every user is created over aiohttp, and the run reports success."""
        status = load("large_directory").main(
            [directory_file(120), str(tmp_path / "ledger.sqlite3")]
        )

        assert status == 0
        assert len(live.users) == 120
        assert "0 failed" in capsys.readouterr().out


def test_test_kit_example_passes():
    """docs/examples/test_kit_example.py passes under pytest, with the plugin."""
    result = subprocess.run(  # noqa: S603 -- this interpreter, a file of ours
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            str(EXAMPLES / "test_kit_example.py"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=EXAMPLES.parents[1],
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
