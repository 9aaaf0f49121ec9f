"""Fixtures of the client tests."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Clear the proxy variables, so that a test sees only the ones it sets."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    return monkeypatch
