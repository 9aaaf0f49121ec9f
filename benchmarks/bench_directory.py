"""
Load a JumpCloud directory of 100,000 users and 2,000 groups, and map it.

The document is what a large tenant's export looks like: every user record as
JumpCloud's v1 API returns it (with the keys scim_ninjio does not read), some
booleans as strings, 2,000 groups of 50 direct members, half of them bound.
The figures are seconds for the whole directory, the best of a few
repetitions (the minimum is the least disturbed by other work on the
machine):

- ``json.loads``: parsing the text, the floor that no loader goes below;
- ``Directory.from_json``: reading and checking every record and building the
  lookups;
- ``Directory.to_json``: writing it back;
- ``groups_of`` for every user: the planner's scope question;
- ``to_scim_user`` for every user: the mapping table applied.

Run: ``nox -s bench -- directory`` or ``python benchmarks/bench_directory.py``.
"""

from __future__ import annotations

import json
import time

from collections.abc import Callable
from typing import Any

from scim_ninjio.jumpcloud import Directory
from scim_ninjio.mapping import to_scim_user


USERS = 100_000
GROUPS = 2_000
MEMBERS = 50
REPEAT = 3


def user(i: int) -> dict[str, Any]:
    """The i-th user as JumpCloud's v1 API returns it."""
    return {
        "_id": f"{i:024x}",
        "account_locked": False,
        "activated": True if i % 3 else "true",
        "created": "2024-03-01T09:30:00.000Z",
        "department": f"Department {i % 12}",
        "displayname": "",
        "email": f"user{i}@example.com",
        "employeeIdentifier": f"E{i:06d}",
        "firstname": f"Given{i}",
        "jobTitle": "Account Executive",
        "lastname": f"Family{i}",
        "middlename": "",
        "mfa": {"configured": False, "exclusion": False},
        "phoneNumbers": [],
        "state": "ACTIVATED" if i % 50 else "suspended",
        "suspended": i % 50 == 0,
        "username": f"user{i}",
    }


def document() -> str:
    """The whole directory document, as JSON text."""
    groups = [
        {
            "id": f"g{j:023x}",
            "name": f"Group {j}",
            "members": [f"{(j * MEMBERS + k) % USERS:024x}" for k in range(MEMBERS)],
        }
        for j in range(GROUPS)
    ]

    return json.dumps(
        {
            "format": "scim-ninjio.directory/1",
            "group_management": True,
            "bound_groups": [g["id"] for g in groups[::2]],
            "users": [user(i) for i in range(USERS)],
            "groups": groups,
        }
    )


def best(action: Callable[[], Any]) -> tuple[float, Any]:
    """Run an action REPEAT times; return the best time and the last result."""
    times = []
    result = None
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)

    return min(times), result


def main() -> None:
    """Measure and print."""
    text = document()
    print(
        f"directory: {USERS:,} users, {GROUPS:,} groups of {MEMBERS} members, "
        f"{len(text) / 1e6:.1f} MB of JSON; best of {REPEAT}"
    )
    parse, data = best(lambda: json.loads(text))
    load, directory = best(lambda: Directory.from_json(data))
    assert not directory.problems
    write, _ = best(directory.to_json)
    scope, _ = best(lambda: [directory.groups_of(u.id) for u in directory.users])
    mapped, _ = best(lambda: [to_scim_user(u) for u in directory.users])
    for name, seconds in [
        ("json.loads", parse),
        ("Directory.from_json", load),
        ("Directory.to_json", write),
        ("groups_of, every user", scope),
        ("to_scim_user, every user", mapped),
    ]:
        print(f"  {name:<26} {seconds:6.2f} s  {seconds / USERS * 1e6:6.1f} us/user")


if __name__ == "__main__":
    main()
