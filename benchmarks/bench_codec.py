"""
Decode and encode 10,000 SCIM Users: scim_ninjio against scim2-models.

Each User carries the attributes of the JumpCloud-to-NINJIO mapping, the
enterprise extension and meta, as NINJIO returns them. The figures are
microseconds per User, the best of several repetitions of the whole batch
(the minimum is the least disturbed by other work on the machine); all
contestants run in one process, one after the other, so their ratios hold.

The floor is a plain ``json.loads`` plus ``json.dumps`` of the same
documents: no validation, no objects.

Run: ``nox -s bench -- codec`` or ``python benchmarks/bench_codec.py``.
"""

from __future__ import annotations

import json
import sys
import time

from collections.abc import Callable
from typing import Any

import scim_ninjio

from scim_ninjio.models import User


N = 10_000
REPEAT = 7
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def document(i: int) -> dict[str, Any]:
    """The i-th User as a SCIM server returns it."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "id": f"2819c223-7f76-453a-919d-{i:012d}",
        "externalId": f"E{i:06d}",
        "userName": f"user{i}@example.com",
        "name": {"givenName": f"Given{i}", "familyName": f"Family{i}"},
        "title": "Account Executive",
        "active": i % 7 != 0,
        "emails": [{"value": f"user{i}@example.com", "type": "work", "primary": True}],
        ENTERPRISE: {"department": f"Department {i % 12}"},
        "meta": {
            "resourceType": "User",
            "created": "2026-01-23T04:56:22Z",
            "lastModified": "2026-05-13T04:42:34.125Z",
            "location": f"https://scim.example.com/scim/v2/Users/{i}",
            "version": f'W/"{i:08x}"',
        },
    }


def documents(n: int) -> list[dict[str, Any]]:
    """N distinct Users as a SCIM server returns them."""
    return [document(i) for i in range(n)]


def best_of(fn: Callable[[], object]) -> float:
    """The fastest of REPEAT runs of fn, in microseconds per User."""
    fn()  # Warm up caches and compiled codecs.
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)

    return min(times) / N * 1e6


def main() -> None:
    docs = documents(N)
    texts = [json.dumps(d) for d in docs]
    rows: list[tuple[str, float, float]] = []

    users = [scim_ninjio.decode(d, User) for d in docs]
    rows.append(
        (
            "scim_ninjio",
            best_of(lambda: [scim_ninjio.decode(d, User) for d in docs]),
            best_of(lambda: [scim_ninjio.encode(u) for u in users]),
        )
    )

    try:
        from scim2_models import EnterpriseUser as S2Enterprise
        from scim2_models import User as S2User
    except ImportError:
        print(
            "scim2-models is not installed; pip install scim2-models", file=sys.stderr
        )
        s2 = None
    else:
        model = S2User[S2Enterprise]
        s2_users = [model.model_validate(d) for d in docs]
        s2 = (
            best_of(lambda: [model.model_validate(d) for d in docs]),
            best_of(lambda: [u.model_dump() for u in s2_users]),
        )
        rows.append(("scim2-models", *s2))

    rows.append(
        (
            "json floor",
            best_of(lambda: [json.loads(t) for t in texts]),
            best_of(lambda: [json.dumps(d) for d in docs]),
        )
    )

    print(f"Decode and encode {N:,} Users (microseconds per User, best of {REPEAT})")
    print(f"{'':<14}{'decode':>10}{'encode':>10}")
    for name, dec, enc in rows:
        print(f"{name:<14}{dec:>10.2f}{enc:>10.2f}")
    if s2 is not None:
        ours = rows[0]
        print(
            f"scim_ninjio is {s2[0] / ours[1]:.1f}x faster to decode and "
            f"{s2[1] / ours[2]:.1f}x faster to encode than scim2-models "
            "(bar: 5x each)"
        )
    floor = rows[-1]
    print(
        f"scim_ninjio decode is {rows[0][1] / floor[1]:.1f}x json.loads, "
        f"encode is {rows[0][2] / floor[2]:.1f}x json.dumps"
    )


if __name__ == "__main__":
    main()
