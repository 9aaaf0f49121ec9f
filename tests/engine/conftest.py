"""Fixtures for the engine's tests: rigs whose request logs are checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine_helpers import Rig, assert_no_user_deleted, make_rig


@pytest.fixture
def new_rig() -> Iterator[Callable[..., Rig]]:
    """Build rigs; after the test, check that none of them deleted a user."""
    made: list[Rig] = []

    def build(**options: Any) -> Rig:
        rig = make_rig(**options)
        made.append(rig)
        return rig

    yield build
    for rig in made:
        assert_no_user_deleted(rig.emulator)
        rig.client.close()


@pytest.fixture
def rig(new_rig: Callable[..., Rig]) -> Rig:
    """An emulator (default group on) and an engine with a memory ledger."""
    return new_rig()
