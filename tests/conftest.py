"""Shared test configuration: hypothesis profiles and the RFC samples."""

from __future__ import annotations

import os

from typing import Any

import pytest

from hypothesis import HealthCheck, settings

from samples import load_sample


# CI is a gate: the same examples on every run, so that a red run means a
# regression and never bad luck. Exploration happens under "dev" (random
# seeds, the example database) and "thorough".
settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def sample() -> Any:
    """Load an RFC example document by name."""
    return load_sample
