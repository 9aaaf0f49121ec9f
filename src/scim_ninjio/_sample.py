"""
A made-up but realistic JumpCloud directory, the same every time.

The command line's demo syncs it into the emulator, and the docs use it in
their examples. Everything in it is invented; addresses use the reserved
``example.com`` domain.
"""

from __future__ import annotations

import random
import unicodedata

from collections.abc import Mapping
from typing import Final

from scim_ninjio.jumpcloud import Directory, SystemUser, UserGroup, UserState


__all__ = [
    "DEPARTMENTS",
    "FIRST_NAMES",
    "GROUP_NAMES",
    "JOB_TITLES",
    "LAST_NAMES",
    "ascii_name",
    "sample_directory",
]

#: Given names, a few with letters outside ASCII.
FIRST_NAMES: Final = (
    "Ada", "Alan", "Amara", "Ana", "Ben", "Chen", "Chloé", "Dmitri", "Elena",
    "Emeka", "Fatima", "Grace", "Hana", "Ines", "Jamal", "José", "Kai", "Katarzyna",
    "Leila", "Liam", "Mei", "Mohammed", "Nadia", "Noah", "Olivia", "Priya",
    "Rafael", "Sakura", "Sofia", "Tariq", "Uma", "Wei", "Yusuf", "Zoë",
)  # fmt: skip

#: Family names, a few with apostrophes, hyphens or letters outside ASCII.
LAST_NAMES: Final = (
    "Adeyemi", "Bauer", "Brown", "Castillo", "Chowdhury", "Dubois", "Eriksen",
    "García", "Haddad", "Ivanova", "Jensen", "Kim", "Kowalski", "Lopez",
    "Müller", "Nakamura", "Nguyen", "O'Brien", "Okafor", "Patel", "Rossi",
    "Santos", "Schmidt", "Silva", "Smith-Jones", "Tanaka", "Van der Berg",
    "Wang", "Williams", "Yilmaz", "Zhang",
)  # fmt: skip

#: Departments; NINJIO turns each into a group when told to (rule N2).
DEPARTMENTS: Final = (
    "Engineering", "Sales", "Marketing", "Finance", "Customer Support",
    "Operations", "People", "Legal",
)  # fmt: skip

#: Job titles.
JOB_TITLES: Final = (
    "Software Engineer", "Account Executive", "Product Manager", "Accountant",
    "Support Specialist", "Designer", "Recruiter", "Counsel", "Analyst",
    "Team Lead",
)  # fmt: skip

#: User group names, in the order the sample creates them.
GROUP_NAMES: Final = (
    "All Staff", "Engineering Team", "Sales EMEA", "Sales Americas", "Marketing",
    "Finance", "Customer Support", "Security Champions", "New Hires",
    "Contractors", "Leadership", "Remote Workers",
)  # fmt: skip


def ascii_name(name: str) -> str:
    """
    Return a name as a lower-case ASCII login fragment.

    >>> ascii_name("Van der Berg"), ascii_name("Zoë"), ascii_name("O'Brien")
    ('vanderberg', 'zoe', 'obrien')
    """
    decomposed = unicodedata.normalize("NFKD", name)

    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def sample_directory(users: int = 200, groups: int = 10, seed: int = 0) -> Directory:
    """
    Make a realistic JumpCloud directory, the same for the same arguments.

    Most users are active and have a department, an employee id and a job
    title; a few are suspended, a few staged, about one in ten has no
    department (rules N3 and N4), and exactly one cannot be mapped: their
    email has a space in it (rule U7). Every user is in one or two groups;
    all groups but about one in five are bound to NINJIO, and group
    management is on.

    Args:
        users: How many users to make.
        groups: How many user groups to make.
        seed: Another seed gives another directory of the same shape.

    Raises:
        ValueError: ``users`` or ``groups`` is negative.

    >>> directory = sample_directory(users=20, groups=3)
    >>> len(directory.users), len(directory.groups), len(directory.bound_groups)
    (20, 3, 3)
    """
    if users < 0 or groups < 0:
        raise ValueError(
            f"sample_directory needs users >= 0 and groups >= 0, got {users=} "
            f"and {groups=}"
        )
    rng = random.Random(seed)  # noqa: S311 -- a repeatable sample, not a secret

    def new_id() -> str:
        # JumpCloud ids are 24 hex digits (MongoDB object ids).
        return f"{rng.getrandbits(96):024x}"

    bad = rng.randrange(users) if users else None
    others = [i for i in range(users) if i != bad]
    statuses = ["active"] * users
    special = rng.sample(others, k=min(len(others), max(2, users // 25)))
    for position, index in enumerate(special):
        statuses[index] = "suspended" if position % 2 == 0 else "staged"

    made: list[SystemUser] = []
    taken: set[str] = set()
    for index in range(users):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        base = f"{ascii_name(first)}.{ascii_name(last)}"
        username, n = base, 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        taken.add(username)
        email = f"{username}@example.com"
        if index == bad:
            email = f"{first.lower()} {ascii_name(last)}@example.com"
        made.append(
            SystemUser(
                id=new_id(),
                username=username,
                email=email,
                firstname=first,
                lastname=last,
                employee_identifier=f"E{10000 + index}"
                if rng.random() > 0.05
                else None,
                job_title=rng.choice(JOB_TITLES),
                department=rng.choice(DEPARTMENTS) if rng.random() > 0.1 else None,
                activated=statuses[index] != "staged",
                suspended=statuses[index] == "suspended",
                state=_STATES[statuses[index]],
            )
        )

    names = [
        GROUP_NAMES[i % len(GROUP_NAMES)]
        + (f" {i // len(GROUP_NAMES) + 1}" if i >= len(GROUP_NAMES) else "")
        for i in range(groups)
    ]
    members: list[set[str]] = [set() for _ in names]
    for index, user in enumerate(made):
        if not names:
            break
        chosen = rng.sample(range(len(names)), k=min(len(names), rng.choice((1, 1, 2))))
        if index == bad:
            # The bad record must be in scope, or rule U7 would never see it.
            chosen = [0]
        for group in chosen:
            members[group].add(user.id)
    made_groups = [
        UserGroup(id=new_id(), name=name, member_ids=ids)
        for name, ids in zip(names, members, strict=True)
    ]
    # Leave about one group in five unbound, but never the first (it holds
    # the bad record) and never all of them.
    bound = [g.id for i, g in enumerate(made_groups) if i == 0 or i % 5 != 4]

    return Directory(
        users=made, groups=made_groups, bound_group_ids=bound, group_management=True
    )


_STATES: Final[Mapping[str, UserState]] = {
    "active": "ACTIVATED",
    "suspended": "SUSPENDED",
    "staged": "STAGED",
}
