"""
The emulator's speed: in process through ``handle``, and served over HTTP.

In process, 100,000 users are seeded and requests go through
``Emulator.handle`` exactly as the in-memory transport sends them: the
request's query is parsed, the filter parsed (or found in the parse cache),
the index consulted, the user rendered and the answer encoded as JSON. The
figures are microseconds per request: the median of many single requests,
and the 99th percentile.

Over HTTP, a :class:`~scim_ninjio.testing.server.LiveServer` serves 10,000
users from this process while another process (so that the two do not share
one interpreter lock) runs many concurrent aiohttp clients for a few seconds,
alternating ``GET /Users/{id}`` and a userName filter. The figure is the
requests per second the server answered, with the clients' latency
percentiles; it is the load the client benchmarks can put on the server
before the server becomes their bottleneck.

Run: ``nox -s bench -- emulator`` or ``python benchmarks/bench_emulator.py``
(``--quick`` for a smaller run).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import statistics
import sys
import time
import urllib.parse

from typing import Any

from scim_ninjio import Request, Response
from scim_ninjio.testing.emulator import DEFAULT_TOKEN, GENERIC_PROFILE, Emulator
from scim_ninjio.testing.server import LiveServer


ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
AUTH = {"authorization": f"Bearer {DEFAULT_TOKEN}"}


def seed(emulator: Emulator, n: int) -> list[str]:
    """Seed n users as NINJIO would hold them; return their ids."""
    ids = []
    for i in range(n):
        user = emulator.add_user(
            {
                "userName": f"user{i}@example.com",
                "externalId": f"E{i:06d}",
                "name": {"givenName": f"Given{i}", "familyName": f"Family{i}"},
                "title": "Account Executive",
                "active": True,
                "emails": [
                    {"value": f"user{i}@example.com", "type": "work", "primary": True}
                ],
                ENTERPRISE: {"department": f"Department {i % 12}"},
            }
        )
        ids.append(str(user.id))

    return ids


def lookup_target(i: int) -> str:
    query = urllib.parse.urlencode({"filter": f'userName eq "USER{i}@example.com"'})
    return f"/Users?{query}"


def per_request(emulator: Emulator, targets: list[str]) -> list[float]:
    """Send each target once through handle; return microseconds per request."""
    times = []
    for target in targets:
        start = time.perf_counter()
        answer = emulator.handle(Request("GET", target, AUTH))
        times.append((time.perf_counter() - start) * 1e6)
        if answer.status != 200:
            raise SystemExit(f"GET {target} answered {answer.status}")

    return times


def in_process(n: int, samples: int) -> None:
    print(f"In process, through Emulator.handle, {n:,} users")
    emulator = Emulator(profile=GENERIC_PROFILE, log_size=1)
    start = time.perf_counter()
    ids = seed(emulator, n)
    print(f"  seeding: {(time.perf_counter() - start) / n * 1e6:,.1f} us per user")
    rng = random.Random(1)
    picks = [rng.randrange(n) for _ in range(samples)]
    cases = {
        "userName eq (index)": [lookup_target(i) for i in picks],
        "externalId eq (index)": [
            "/Users?" + urllib.parse.urlencode({"filter": f'externalId eq "E{i:06d}"'})
            for i in picks
        ],
        "GET /Users/{id}": [f"/Users/{ids[i]}" for i in picks],
    }
    print(f"  {'request':<26}{'median us':>12}{'p99 us':>10}")
    for label, targets in cases.items():
        per_request(emulator, targets[:200])  # warm-up: parse cache, branches
        times = per_request(emulator, targets)
        p99 = statistics.quantiles(times, n=100)[98]
        print(f"  {label:<26}{statistics.median(times):>12,.1f}{p99:>10,.1f}")
    scan = "/Users?" + urllib.parse.urlencode({"filter": 'title co "Nothing"'})
    start = time.perf_counter()
    emulator.handle(Request("GET", scan, AUTH))
    elapsed = (time.perf_counter() - start) * 1e3
    print(f"  a scan (title co ...) over every user: {elapsed:,.0f} ms")


async def load(
    url: str, ids: list[str], workers: int, seconds: float
) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=workers)
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            while time.perf_counter() < deadline:
                i = rng.randrange(len(ids))
                if rng.random() < 0.5:
                    target = f"{url}/Users/{ids[i]}"
                else:
                    target = url + lookup_target(i)
                start = time.perf_counter()
                async with session.get(target) as answer:
                    await answer.read()
                    if answer.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - start)

        started = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(workers)))
        elapsed = time.perf_counter() - started

    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "errors": errors,
        "p50": latencies[len(latencies) // 2] * 1e3,
        "p99": latencies[int(len(latencies) * 0.99)] * 1e3,
    }


def client_process(
    url: str, ids: list[str], workers: int, seconds: float, out: Any
) -> None:
    out.put(asyncio.run(load(url, ids, workers, seconds)))


CANNED = b'{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"]}'


def canned(_: Request) -> Response:
    """A handler that does no work: the floor of the server's own cost."""
    return Response(200, {"content-type": "application/scim+json"}, CANNED)


def measure(handler: Any, ids: list[str], seconds: float) -> None:
    context = multiprocessing.get_context("spawn")
    print(f"  {'clients':>8}{'requests/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    with LiveServer(handler) as server:
        for workers in (1, 16, 64, 256):
            out = context.Queue()
            process = context.Process(
                target=client_process, args=(server.url, ids, workers, seconds, out)
            )
            process.start()
            result = out.get()
            process.join()
            rate = result["requests"] / result["seconds"]
            print(
                f"  {workers:>8}{rate:>12,.0f}{result['p50']:>9.2f}"
                f"{result['p99']:>9.2f}{result['errors']:>8}"
            )


def over_http(n: int, seconds: float) -> None:
    print(f"\nOver HTTP, a LiveServer with {n:,} users, clients in another process")
    emulator = Emulator(profile=GENERIC_PROFILE, log_size=1)
    ids = seed(emulator, n)
    measure(emulator, ids, seconds)
    print("\nThe same LiveServer with a handler that does no work (the floor)")
    measure(canned, ids, seconds)


def main() -> None:
    quick = "--quick" in sys.argv
    print(
        f"Python {sys.version.split()[0]}; machine: {multiprocessing.cpu_count()} cores"
    )
    in_process(10_000 if quick else 100_000, 2_000 if quick else 20_000)
    over_http(2_000 if quick else 10_000, 1.0 if quick else 4.0)


if __name__ == "__main__":
    main()
