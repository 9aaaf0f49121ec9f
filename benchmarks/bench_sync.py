"""
A first full sync: 10,000 users and 100 groups into a live NINJIO emulator.

The emulator runs as a :class:`~scim_ninjio.testing.server.LiveServer` in a
child process (so that server and client do not share one interpreter lock);
this process builds a sample JumpCloud directory and syncs it through the
async client (aiohttp) with the :class:`~scim_ninjio.engine.AsyncEngine`,
then through the sync client (urllib3) with the
:class:`~scim_ninjio.engine.Engine` into a fresh emulator, side by side.
For each it reports the time to read NINJIO and plan, the time to apply, the
users provisioned per second, the requests the server received, and the
steps a second plan finds (it must find none: the sync converged).

Run: ``nox -s bench -- sync`` or ``python benchmarks/bench_sync.py``
(``--users N --groups M`` for another size).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time

from multiprocessing.connection import Connection
from typing import Any, Self


TOKEN = "bench-sync-token-7f3a"


def serve(conn: Connection) -> None:
    """Serve an emulator until told to stop; then send its request counts."""
    from scim_ninjio.testing.emulator import Emulator
    from scim_ninjio.testing.server import LiveServer

    emulator = Emulator(token=TOKEN, log_size=None, max_page_size=1000)
    with LiveServer(emulator.handle) as server:
        conn.send(server.url)
        conn.recv()
    counts: dict[str, int] = {}
    for logged in emulator.requests:
        counts[logged.method] = counts.get(logged.method, 0) + 1
    conn.send({"requests": counts, "users": len(emulator.users)})


class Server:
    """A LiveServer in a child process."""

    def __enter__(self) -> Self:
        self.conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=serve, args=(child,))
        self.process.start()
        self.url: str = self.conn.recv()
        return self

    def stats(self) -> dict[str, Any]:
        """Stop the server and return what it counted."""
        self.conn.send("stop")
        stats: dict[str, Any] = self.conn.recv()
        return stats

    def __exit__(self, *exc_info: object) -> None:
        self.process.join(timeout=30)


def run_async(url: str, directory: Any, concurrency: int) -> dict[str, Any]:
    """Sync with the async engine; return the figures."""
    from scim_ninjio.client import AsyncNinjioClient
    from scim_ninjio.engine import AsyncEngine
    from scim_ninjio.ledger import MemoryLedger

    async def main() -> dict[str, Any]:
        async with AsyncNinjioClient(
            url,
            TOKEN,
            allow_insecure_http=True,
            page_size=1000,
            max_concurrency=concurrency,
        ) as client:
            engine = AsyncEngine(client, MemoryLedger(), max_concurrency=concurrency)
            start = time.perf_counter()
            plan = await engine.plan(directory)
            planned = time.perf_counter()
            report = await engine.apply(plan)
            applied = time.perf_counter()
            again = await engine.plan(directory)
            return _figures(start, planned, applied, plan, report, again)

    return asyncio.run(main())


def run_sync(url: str, directory: Any) -> dict[str, Any]:
    """Sync with the sync engine; return the figures."""
    from scim_ninjio.client import NinjioClient
    from scim_ninjio.engine import Engine
    from scim_ninjio.ledger import MemoryLedger

    with NinjioClient(url, TOKEN, allow_insecure_http=True, page_size=1000) as client:
        engine = Engine(client, MemoryLedger())
        start = time.perf_counter()
        plan = engine.plan(directory)
        planned = time.perf_counter()
        report = engine.apply(plan)
        applied = time.perf_counter()
        again = engine.plan(directory)
        return _figures(start, planned, applied, plan, report, again)


def _figures(
    start: float,
    planned: float,
    applied: float,
    *results: Any,
) -> dict[str, Any]:
    plan, report, again = results
    created = sum(1 for r in report.records if r.action == "user.create")
    failed = sum(1 for r in report.records if r.status != "done")
    return {
        "plan_s": planned - start,
        "apply_s": applied - planned,
        "steps": len(plan.steps),
        "users_created": created,
        "failed": failed,
        "users_per_s": created / (applied - planned),
        "second_plan_steps": len(again.steps),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    from scim_ninjio._sample import sample_directory

    directory = sample_directory(users=args.users, groups=args.groups)
    in_scope = len(directory.bound_member_ids)
    print(
        f"First sync of {args.users:,} JumpCloud users ({in_scope:,} in bound "
        f"groups) and {args.groups} groups into a live emulator"
    )
    rows = []
    with Server() as server:
        figures = run_async(server.url, directory, args.concurrency)
        figures.update(server.stats())
    rows.append((f"async (aiohttp), {args.concurrency} at once", figures))
    with Server() as server:
        figures = run_sync(server.url, directory)
        figures.update(server.stats())
    rows.append(("sync (urllib3)", figures))

    print(
        f"{'engine':<30}{'plan s':>8}{'apply s':>9}{'steps':>8}{'users/s':>9}"
        f"{'failed':>8}{'requests':>10}{'2nd plan':>10}"
    )
    for name, f in rows:
        print(
            f"{name:<30}{f['plan_s']:>8.2f}{f['apply_s']:>9.2f}{f['steps']:>8,}"
            f"{f['users_per_s']:>9,.0f}{f['failed']:>8}"
            f"{sum(f['requests'].values()):>10,}{f['second_plan_steps']:>10}"
        )
    (_, fast), (_, slow) = rows
    print(
        f"async users/s are {fast['users_per_s'] / slow['users_per_s']:.1f}x the "
        "sync engine's; a second plan must find 0 steps (converged)"
    )


if __name__ == "__main__":
    main()
