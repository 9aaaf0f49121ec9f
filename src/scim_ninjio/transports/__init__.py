"""
Transports: what carries requests to the server and answers back.

:class:`Urllib3Transport` is the sync client's default, :class:`AiohttpTransport`
the async client's. :class:`RequestsTransport` takes a caller's own
:class:`requests.Session`. :class:`MemoryTransport` and
:class:`AsyncMemoryTransport` call a function instead of a server, for tests.
Write another by following :class:`SyncTransport` or :class:`AsyncTransport`.

The aiohttp transport is imported when first asked for, so that the sync
client works without aiohttp installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scim_ninjio.transports._base import (
    ApiKey,
    AsyncTransport,
    BearerToken,
    SyncTransport,
    Timeout,
    TransportSettings,
    settings_for,
)
from scim_ninjio.transports._memory import AsyncMemoryTransport, MemoryTransport
from scim_ninjio.transports._requests import RequestsTransport
from scim_ninjio.transports._urllib3 import Urllib3Transport


if TYPE_CHECKING:
    from scim_ninjio.transports._aiohttp import AiohttpTransport


__all__ = [
    "AiohttpTransport",
    "ApiKey",
    "AsyncMemoryTransport",
    "AsyncTransport",
    "BearerToken",
    "MemoryTransport",
    "RequestsTransport",
    "SyncTransport",
    "Timeout",
    "TransportSettings",
    "Urllib3Transport",
    "settings_for",
]


def __getattr__(name: str) -> Any:
    if name == "AiohttpTransport":
        from scim_ninjio.transports._aiohttp import (  # noqa: PLC0415 -- optional extra
            AiohttpTransport,
        )

        return AiohttpTransport

    raise AttributeError(f"module 'scim_ninjio.transports' has no attribute {name!r}")
