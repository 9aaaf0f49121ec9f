"""
The scim_ninjio pytest plugin: NINJIO emulator fixtures for your tests.

pytest loads this module through the ``pytest11`` entry point whenever
scim_ninjio is installed, so it must cost nothing when unused: it imports no
part of the test kit at load time and starts nothing; each fixture builds what
it needs when a test asks for it.
"""

from __future__ import annotations

import pytest


__all__ = ["pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``ninjio`` marker, so that ``--strict-markers`` accepts it."""
    config.addinivalue_line(
        "markers",
        "ninjio(**options): options for the scim_ninjio emulator fixtures "
        "(profile, token, placement, strict, max_page_size)",
    )
