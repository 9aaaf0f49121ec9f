"""Fixtures for the command line's tests: a live NINJIO and directory files."""

from __future__ import annotations

import json
import socket

import pytest

from click.testing import CliRunner

from scim_ninjio._sample import sample_directory
from scim_ninjio.testing import Emulator, LiveServer


TOKEN = "cli-test-token-7Qx"


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    """A CliRunner with the token in NINJIO_TOKEN and no other settings."""
    for name in ("NINJIO_URL", "JUMPCLOUD_API_KEY", "JUMPCLOUD_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NINJIO_TOKEN", TOKEN)
    return CliRunner()


@pytest.fixture
def emulator() -> Emulator:
    """A NINJIO emulator that wants the test token."""
    return Emulator(token=TOKEN)


@pytest.fixture
def live(emulator):
    """The emulator served on 127.0.0.1."""
    with LiveServer(emulator) as server:
        yield server


@pytest.fixture
def directory_file(tmp_path):
    """A directory document of 60 users and 5 groups."""
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(sample_directory(users=60, groups=5).to_json()))
    return path


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
