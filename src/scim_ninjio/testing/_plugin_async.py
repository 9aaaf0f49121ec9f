"""
The plugin's async fixture, registered only where pytest-asyncio is installed.

Kept apart from :mod:`scim_ninjio.testing.plugin` so that the plugin loads
without pytest-asyncio; the client itself (and aiohttp) is imported only when
a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from scim_ninjio.testing.plugin import client_arguments, options_of


if TYPE_CHECKING:
    from scim_ninjio.client import AsyncNinjioClient
    from scim_ninjio.testing.server import LiveServer


__all__ = ["ninjio_async_client"]


@pytest_asyncio.fixture
async def ninjio_async_client(
    ninjio_server: LiveServer, request: pytest.FixtureRequest
) -> AsyncIterator[AsyncNinjioClient]:
    """An async client bound to the live server, closed after the test."""
    from scim_ninjio.client import AsyncNinjioClient  # noqa: PLC0415

    options = options_of(request)
    async with AsyncNinjioClient(
        ninjio_server.url, options.token, **client_arguments(options)
    ) as client:
        yield client
