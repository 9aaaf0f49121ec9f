"""
The SCIM clients: :class:`NinjioClient` (sync) and :class:`AsyncNinjioClient`.

Both are thin drivers. Every operation is a generator in
:mod:`scim_ninjio._ops` that yields requests and sleeps; a client sends the
requests over its transport, sleeps the sleeps, and throws transport errors
back in, so that retries, paging, idempotent creates and error translation
behave the same on both.

>>> from scim_ninjio._http import Response
>>> from scim_ninjio.transports import MemoryTransport
>>> def handle(request):
...     return Response(200, {"content-type": "application/scim+json"},
...                     b'{"id": "2819c223", "userName": "bjensen"}')
>>> with NinjioClient("https://scim.example.com/v2", "token",
...                   transport=MemoryTransport(handle)) as client:
...     client.get_user("2819c223").user_name
'bjensen'
"""

from __future__ import annotations

from scim_ninjio._ops import Capabilities, Created, FailureKind, Verification
from scim_ninjio._retry import RetryPolicy, no_waiting
from scim_ninjio.client._async import AsyncNinjioClient
from scim_ninjio.client._sync import NinjioClient


__all__ = [
    "AsyncNinjioClient",
    "Capabilities",
    "Created",
    "FailureKind",
    "NinjioClient",
    "RetryPolicy",
    "Verification",
    "no_waiting",
]
