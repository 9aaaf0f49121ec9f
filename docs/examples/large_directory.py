# ruff: noqa: INP001, T201 -- a script run by path that reports on stdout
"""
Sync a large directory with the async engine, tuned for a big tenant.

Usage::

    NINJIO_SCIM_URL=https://... NINJIO_TOKEN=... \
        python large_directory.py directory.json ledger.sqlite3
"""

from __future__ import annotations

import asyncio
import os
import sys

from scim_ninjio.client import AsyncNinjioClient, RetryPolicy
from scim_ninjio.engine import AsyncEngine, Report
from scim_ninjio.jumpcloud import Directory, load_directory
from scim_ninjio.ledger import SqliteLedger
from scim_ninjio.policy import DeactivationThreshold, SyncSettings
from scim_ninjio.transports import Timeout


#: Patient retries for a long run: more tries, a longer budget per request,
#: and Retry-After honoured up to two minutes when NINJIO asks to slow down.
RETRY = RetryPolicy(attempts=8, timeout=300.0, max_wait=30.0, max_retry_after=120.0)

#: A larger absolute cap on deactivations: 10 % of 20,000 users is 2,000,
#: which the default cap of 100 would stop.
SETTINGS = SyncSettings(
    threshold=DeactivationThreshold(max_count=500, max_share=0.05),
    member_chunk_size=200,
)


async def sync(
    directory: Directory, ledger_path: str, *, url: str, token: str
) -> Report:
    """Read NINJIO, plan and apply, with bounded concurrency."""
    async with AsyncNinjioClient(
        url,
        token,
        retry=RETRY,
        timeout=Timeout(connect=10.0, read=60.0),
        page_size=100,  # users per listing page; NINJIO caps it at its maximum
        max_concurrency=16,  # requests in flight (and connections) at once
        rate_limit=50.0,  # requests started per second, at most
    ) as client:
        with SqliteLedger(ledger_path) as ledger:
            engine = AsyncEngine(client, ledger, SETTINGS, max_concurrency=16)
            return await engine.sync(directory)


def main(argv: list[str]) -> int:
    """Run one sync of a directory document."""
    directory_path, ledger_path = argv
    report = asyncio.run(
        sync(
            load_directory(directory_path),
            ledger_path,
            url=os.environ["NINJIO_SCIM_URL"],
            token=os.environ["NINJIO_TOKEN"],
        )
    )
    print(report.summary())

    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
