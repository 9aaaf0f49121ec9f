"""
Client-side CPU per SCIM request: scim_ninjio's clients against bare HTTP
libraries and scim2-client, and the async client's throughput.

A small SCIM server runs in a separate process on 127.0.0.1 (raw asyncio,
canned answers), so ``time.process_time()`` in this process measures the
client's CPU alone. Every figure is the median of several repetitions after
a warm-up.

1. CPU per request (create, get, patch, a page of 100 users) of the default
   sync client (urllib3) against a bare ``urllib3.PoolManager`` sending the
   same JSON and parsing the answer with ``json.loads``; of the requests
   transport against a bare ``requests.Session``. Bar: at most 1.25x.
2. Create 1,000 users, list them all, patch each: CPU per request against
   scim2-client 0.13 (httpx2). Bar: at most a third. Decoding one page of
   100 users against scim2-models. Bar: at most a tenth.
3. The async client at concurrency 32 against a server that answers after
   20 ms, against the sync client's sequential throughput (bar: at least
   20x, at no more CPU per request), with a bare aiohttp loop beside it.

Run: ``nox -s bench -- client`` or ``python benchmarks/bench_client.py``
(``--quick`` for fewer requests). scim2-client, httpx2 and scim2-models are
benchmark dependencies only.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
import warnings

from collections.abc import Callable
from typing import Any, Self


TOKEN = "bench-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
JSON = {"content-type": "application/scim+json", "accept": "application/scim+json"}
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USERS = 1000
PAGE = 100
DELAY = 0.02


# --- The server (runs in its own process) ---------------------------------------


def user_document(i: int) -> dict[str, Any]:
    """The i-th user as the server returns it."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "id": f"2819c223-7f76-453a-919d-{i:012d}",
        "externalId": f"E{i:06d}",
        "userName": f"user{i}@example.com",
        "name": {"givenName": f"Given{i}", "familyName": f"Family{i}"},
        "title": "Account Executive",
        "active": True,
        "emails": [{"value": f"user{i}@example.com", "type": "work", "primary": True}],
        ENTERPRISE: {"department": f"Department {i % 12}"},
        "meta": {
            "resourceType": "User",
            "created": "2026-01-23T04:56:22Z",
            "lastModified": "2026-05-13T04:42:34Z",
            "location": f"https://scim.example.com/scim/v2/Users/{i}",
            "version": f'W/"{i:08x}"',
        },
    }


def page_document(start: int) -> dict[str, Any]:
    """The page of users at a 1-based start index."""
    resources = [
        user_document(i) for i in range(start - 1, min(start - 1 + PAGE, USERS))
    ]
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": USERS,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


SPC = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    "patch": {"supported": True},
    "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
    "filter": {"supported": True, "maxResults": 1000},
    "changePassword": {"supported": False},
    "sort": {"supported": False},
    "etag": {"supported": False},
    "authenticationSchemes": [
        {"type": "oauthbearertoken", "name": "Bearer", "description": "token"}
    ],
}


def _answer(status: int, document: Any) -> bytes:
    body = json.dumps(document).encode()
    reason = {200: "OK", 201: "Created", 404: "Not Found"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/scim+json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def serve(port_out: Any, delay: float) -> None:
    """Serve canned SCIM answers on 127.0.0.1 until stdin closes."""
    user = _answer(200, user_document(0))
    created = _answer(201, user_document(0))
    pages = {
        str(s).encode(): _answer(200, page_document(s)) for s in range(1, USERS, PAGE)
    }
    config = _answer(200, SPC)
    missing = _answer(404, {"status": "404"})

    def route(method: bytes, target: bytes) -> bytes:
        path, _, query = target.partition(b"?")
        if method == b"POST":
            return created
        if path.endswith((b"/Users", b"/.search")):
            start = b"1"
            for pair in query.split(b"&"):
                if pair.startswith(b"startIndex="):
                    start = pair[11:]
            return pages.get(start, pages[b"1"])
        if path.endswith(b"/ServiceProviderConfig"):
            return config
        if b"/Users/" in path:
            return user
        return missing

    class Http(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while True:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.buffer[:end]
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(self.buffer) < end + 4 + length:
                    return
                method, target, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
                if method == b"POST" and target.endswith(b"/.search"):
                    body = json.loads(self.buffer[end + 4 : end + 4 + length])
                    target += b"?startIndex=" + str(body.get("startIndex", 1)).encode()
                    method = b"GET"
                self.buffer = self.buffer[end + 4 + length :]
                answer = route(method, target)
                if delay:
                    asyncio.get_running_loop().call_later(
                        delay, self.transport.write, answer
                    )
                else:
                    self.transport.write(answer)

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(
            Http, "127.0.0.1", 0, backlog=1024
        )
        port_out.write(f"{server.sockets[0].getsockname()[1]}\n")
        port_out.flush()
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(main())


class Server:
    """The server process, started and stopped around a block."""

    def __init__(self, delay: float = 0.0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(delay)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}/scim/v2"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(10)


# --- Measuring --------------------------------------------------------------------


def cpu_per_call(fn: Callable[[], Any], n: int, repeat: int) -> float:
    """Median client CPU per call in microseconds, after a warm-up."""
    for _ in range(max(20, n // 10)):
        fn()
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(n):
            fn()
        runs.append((time.process_time() - start) / n * 1e6)

    return statistics.median(runs)


def paired(
    bare: Callable[[], Any], ours: Callable[[], Any], n: int, rounds: int
) -> tuple[float, float, float]:
    """
    Median CPU per call of two contestants, measured in alternation.

    Each round times a batch of the bare loop, then a batch of ours, so that
    a busy spell on the shared machine weighs on both alike; the ratio is
    the median of the rounds' ratios.
    """
    for fn in (bare, ours):
        for _ in range(max(20, n // 10)):
            fn()
    pairs = []
    for _ in range(rounds):
        times = []
        for fn in (bare, ours):
            start = time.process_time()
            for _ in range(n):
                fn()
            times.append((time.process_time() - start) / n * 1e6)
        pairs.append(times)

    return (
        statistics.median(b for b, _ in pairs),
        statistics.median(o for _, o in pairs),
        statistics.median(o / b for b, o in pairs),
    )


def user_body(i: int) -> dict[str, Any]:
    """A create request body, as a client would send it."""
    doc = user_document(i)
    del doc["id"], doc["meta"]
    return doc


PATCH_BODY = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "replace", "path": "title", "value": "CEO"}],
}
USER_ID = "2819c223-7f76-453a-919d-000000000000"


def per_request_table(
    url: str, n: int, repeat: int
) -> list[tuple[str, float, float, float, float]]:
    """Rows of CPU per request for each contestant and operation."""
    import requests
    import urllib3

    from scim_ninjio import decode
    from scim_ninjio.client import NinjioClient
    from scim_ninjio.models import PatchOperation, User
    from scim_ninjio.transports import RequestsTransport

    headers = {**JSON, **AUTH}
    # Both sides send the same document: the bare loops as a dict they
    # serialise on each call, the clients as the model of it.
    body = user_body(1)
    user = decode(body, User)
    operations = [PatchOperation(op="replace", path="title", value="CEO")]
    rows = []

    pool = urllib3.PoolManager(maxsize=10)

    def bare_urllib3(
        method: str, target: str, data: dict[str, Any] | None
    ) -> Callable[[], Any]:
        full = url + target

        def call() -> Any:
            payload = None if data is None else json.dumps(data).encode()
            answer = pool.request(method, full, body=payload, headers=headers)
            return json.loads(answer.data)

        return call

    session = requests.Session()

    def bare_requests(
        method: str, target: str, data: dict[str, Any] | None
    ) -> Callable[[], Any]:
        full = url + target

        def call() -> Any:
            payload = None if data is None else json.dumps(data).encode()
            answer = session.request(method, full, data=payload, headers=headers)
            return json.loads(answer.content)

        return call

    listing = f"/Users?startIndex=1&count={PAGE}"
    client = NinjioClient(url, TOKEN)
    via_requests = NinjioClient(url, TOKEN, transport=RequestsTransport())
    page_decode = _page_decoder()
    for name, bare, ours in (
        ("urllib3", bare_urllib3, client),
        ("requests", bare_requests, via_requests),
    ):
        ours.capabilities()
        cases = (
            (
                "create",
                bare("POST", "/Users", body),
                lambda o=ours: o.create_user(user),
            ),
            (
                "get",
                bare("GET", f"/Users/{USER_ID}", None),
                lambda o=ours: o.get_user(USER_ID),
            ),
            (
                "patch",
                bare("PATCH", f"/Users/{USER_ID}", PATCH_BODY),
                lambda o=ours: o.patch_user(USER_ID, operations),
            ),
        )
        for op, bare_call, our_call in cases:
            b, o, ratio = paired(bare_call, our_call, n, repeat)
            rows.append((f"{name}: {op}", b, o, ratio, 1.25))
        listing_call = bare("GET", listing, None)

        def our_page(o: Any = ours) -> Any:
            return o.search_users(start_index=1, count=PAGE)

        b, o, ratio = paired(listing_call, our_page, max(20, n // 10), repeat)
        rows.append((f"{name}: page of 100", b, o, ratio, 1.25))

        # The bare loop stops at json.loads; ours goes on to typed models,
        # whose cost part 2 measures against scim2-models. The bare loop
        # decoding what it read the same way shows what the rest of the
        # client adds.
        def bare_and_decode(call: Callable[[], Any] = listing_call) -> Any:
            return page_decode(call())

        b, o, ratio = paired(bare_and_decode, our_page, max(20, n // 10), repeat)
        rows.append((f"{name}: page, both decode", b, o, ratio, 1.25))
    client.close()
    via_requests.close()
    session.close()
    pool.clear()

    return rows


def _page_decoder() -> Callable[[Any], Any]:
    """Decode a parsed page of users into models, as the client does."""
    from scim_ninjio._codec import decode
    from scim_ninjio.models import ListResponse, User

    model = ListResponse[User]

    return lambda data: decode(data, model)


def workload_ninjio(url: str, n: int) -> tuple[float, int]:
    """Create n users, list them all, patch each: CPU seconds and requests."""
    from scim_ninjio.client import NinjioClient
    from scim_ninjio.models import Email, Name, PatchOperation, User

    operations = [PatchOperation(op="replace", path="title", value="CEO")]
    with NinjioClient(url, TOKEN) as client:
        client.capabilities()
        start = time.process_time()
        ids = []
        for i in range(n):
            created = client.create_user(
                User(
                    user_name=f"user{i}@example.com",
                    external_id=f"E{i:06d}",
                    name=Name(given_name=f"Given{i}", family_name=f"Family{i}"),
                    emails=(
                        Email(value=f"user{i}@example.com", type="work", primary=True),
                    ),
                    active=True,
                )
            )
            ids.append(created.resource.id or "")
        listed = sum(1 for _ in client.iter_users(page_size=PAGE))
        for rid in ids:
            client.patch_user(rid, operations)
        spent = time.process_time() - start
    assert listed == USERS

    return spent, 2 * n + USERS // PAGE


def workload_scim2(url: str, n: int) -> tuple[float, int]:
    """The same workload through scim2-client 0.13 on httpx2."""
    import httpx2

    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_models import (
        Email,
        EnterpriseUser,
        Name,
        PatchOp,
        PatchOperation,
        SearchRequest,
        User,
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        http = httpx2.Client(base_url=url, headers=AUTH)
        client = SyncSCIMClient(http, resource_models=[User[EnterpriseUser]])
    model = User[EnterpriseUser]
    start = time.process_time()
    ids = []
    for i in range(n):
        created = client.create(
            model(
                user_name=f"user{i}@example.com",
                external_id=f"E{i:06d}",
                name=Name(given_name=f"Given{i}", family_name=f"Family{i}"),
                emails=[Email(value=f"user{i}@example.com", type="work", primary=True)],
                active=True,
            )
        )
        ids.append(created.id)
    listed = 0
    index = 1
    while True:
        page = client.query(
            model, query_parameters=SearchRequest(start_index=index, count=PAGE)
        )
        listed += len(page.resources or [])
        index += len(page.resources or [])
        if not page.resources or index > page.total_results:
            break
    patch = PatchOp[model](
        operations=[
            PatchOperation(op=PatchOperation.Op.replace_, path="title", value="CEO")
        ]
    )
    for rid in ids:
        client.modify(model, rid, patch)
    spent = time.process_time() - start
    http.close()
    assert listed == USERS

    return spent, 2 * n + USERS // PAGE


def decode_page(repeat: int) -> tuple[float, float, float]:
    """Microseconds to decode one page of 100 users: ours, scim2-models'."""
    from scim2_models import Context, EnterpriseUser
    from scim2_models import ListResponse as S2List
    from scim2_models import User as S2User

    from scim_ninjio import loads
    from scim_ninjio.models import ListResponse, User

    body = json.dumps(page_document(1)).encode()
    theirs_model = S2List[S2User[EnterpriseUser]]
    ours_model = ListResponse[User]

    def ours() -> Any:
        return loads(body, ours_model)

    def theirs() -> Any:
        return theirs_model.model_validate(
            json.loads(body), scim_ctx=Context.SEARCH_RESPONSE
        )

    assert len(ours().resources) == len(theirs().resources) == PAGE
    _, _, ratio = paired(theirs, ours, 10, repeat)

    return cpu_per_call(ours, 20, repeat), cpu_per_call(theirs, 10, repeat), ratio


def sync_sequential(url: str, n: int) -> tuple[float, float]:
    """Requests per second and CPU per request of sequential sync gets."""
    from scim_ninjio.client import NinjioClient

    with NinjioClient(url, TOKEN) as client:
        client.get_user(USER_ID)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            client.get_user(USER_ID)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    return n / wall, cpu / n * 1e6


def async_concurrent(url: str, n: int, concurrency: int) -> tuple[float, float]:
    """Requests per second and CPU per request of the async client."""
    from scim_ninjio.client import AsyncNinjioClient

    async def run() -> tuple[float, float]:
        async with AsyncNinjioClient(url, TOKEN, max_concurrency=concurrency) as client:
            await asyncio.gather(
                *(client.get_user(USER_ID) for _ in range(concurrency))
            )
            wall, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(client.get_user(USER_ID) for _ in range(n)))
            return time.perf_counter() - wall, time.process_time() - cpu

    wall, cpu = asyncio.run(run())

    return n / wall, cpu / n * 1e6


def bare_aiohttp(url: str, n: int, concurrency: int) -> tuple[float, float]:
    """Requests per second and CPU per request of a bare aiohttp loop."""
    import aiohttp

    async def run() -> tuple[float, float]:
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector, headers=AUTH) as session:
            target = f"{url}/Users/{USER_ID}"
            left = 0

            async def worker() -> None:
                nonlocal left
                while left > 0:
                    left -= 1
                    async with session.get(target) as response:
                        json.loads(await response.read())

            left = concurrency
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            left = n
            wall, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return time.perf_counter() - wall, time.process_time() - cpu

    wall, cpu = asyncio.run(run())

    return n / wall, cpu / n * 1e6


def verdict(ok: bool) -> str:
    """Say whether a bar was met."""
    return "ok" if ok else "MISSED"


def part_one(url: str, n: int, repeat: int) -> float:
    """Print CPU per request against the bare libraries; return ours for a get."""
    rows = per_request_table(url, n, repeat)
    print("1. Client CPU per request (us), default transports vs bare libraries")
    print(f"   {'operation':<26}{'bare':>9}{'ours':>9}{'ratio':>8}  bar")
    for label, bare, ours, ratio, bar in rows:
        print(
            f"   {label:<26}{bare:>9.1f}{ours:>9.1f}{ratio:>7.2f}x  "
            f"<= {bar}x {verdict(ratio <= bar)}"
        )

    return next(o for label, _, o, _, _ in rows if label == "urllib3: get")


def part_two(url: str, users: int, rounds: int, repeat: int) -> None:
    """Print the workload against scim2-client and the page decode."""
    ours_runs, theirs_runs = [], []
    for _ in range(rounds):
        spent, count = workload_ninjio(url, users)
        ours_runs.append(spent / count * 1e6)
        spent, count = workload_scim2(url, users)
        theirs_runs.append(spent / count * 1e6)
    ours_w, theirs_w = statistics.median(ours_runs), statistics.median(theirs_runs)
    ours_d, theirs_d, ratio_d = decode_page(repeat)
    print(
        f"\n2. Create {users} users, list all {USERS}, patch each: CPU per request (us)"
    )
    print(
        f"   scim_ninjio {ours_w:.1f}   scim2-client 0.13 {theirs_w:.1f}   "
        f"ratio {ours_w / theirs_w:.2f}  (bar <= 0.33) "
        f"{verdict(ours_w / theirs_w <= 1 / 3)}"
    )
    print(
        f"   decode a page of {PAGE} users: scim_ninjio {ours_d:.0f} us   "
        f"scim2-models {theirs_d:.0f} us   ratio {ratio_d:.3f}  "
        f"(bar <= 0.10) {verdict(ratio_d <= 0.1)}"
    )


def part_three(url: str, n: int, repeat: int, fast_cpu: float | None) -> None:
    """Print the async client's throughput and CPU against the sync client."""
    concurrency = 32
    seq_rate, seq_cpu = sync_sequential(url, max(30, n // 20))
    rates = [async_concurrent(url, n, concurrency) for _ in range(repeat)]
    bare_rates = [bare_aiohttp(url, n, concurrency) for _ in range(repeat)]
    a_rate = statistics.median(r for r, _ in rates)
    a_cpu = statistics.median(c for _, c in rates)
    b_rate = statistics.median(r for r, _ in bare_rates)
    b_cpu = statistics.median(c for _, c in bare_rates)
    print(
        f"\n3. Server answering after {DELAY * 1000:.0f} ms; "
        f"async at concurrency {concurrency}"
    )
    print(f"   sync sequential    {seq_rate:>8.0f} req/s  {seq_cpu:>7.1f} us CPU/req")
    print(
        f"   async client       {a_rate:>8.0f} req/s  {a_cpu:>7.1f} us CPU/req  "
        f"{a_rate / seq_rate:.1f}x (bar >= 20x) {verdict(a_rate / seq_rate >= 20)}"
    )
    print(f"   bare aiohttp loop  {b_rate:>8.0f} req/s  {b_cpu:>7.1f} us CPU/req")
    sync_cpu = seq_cpu if fast_cpu is None else min(seq_cpu, fast_cpu)
    where = "" if fast_cpu is None else f" ({fast_cpu:.1f} us without the delay)"
    print(
        f"   CPU per request: async {a_cpu:.1f} us, sync {seq_cpu:.1f} us{where}: "
        f"bar async <= sync {verdict(a_cpu <= sync_cpu)}"
    )


def main() -> None:
    """Run the parts asked for (all by default) and print their tables."""
    quick = "--quick" in sys.argv
    parts = {"1", "2", "3"}
    for arg in sys.argv[1:]:
        if arg.startswith("--only="):
            parts = set(arg.removeprefix("--only=").split(","))
    n = 300 if quick else 1000
    repeat = 5 if quick else 9
    print(f"bench_client: batches of {n} requests, median of {repeat} rounds\n")

    fast_cpu = None
    with Server() as server:
        if "1" in parts:
            fast_cpu = part_one(server.url, n, repeat)
        if "2" in parts:
            part_two(server.url, 200 if quick else USERS, 1 if quick else 3, repeat)
    if "3" in parts:
        with Server(delay=DELAY) as slow:
            part_three(slow.url, 400 if quick else 2000, 3 if quick else 5, fast_cpu)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        serve(sys.stdout, float(sys.argv[2]))
    else:
        main()
