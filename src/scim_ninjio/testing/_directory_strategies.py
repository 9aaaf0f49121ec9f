"""
Hypothesis strategies for JumpCloud records and directory snapshots.

:func:`directories` builds consistent snapshots: unique ids, unique
usernames (without case), members that exist, some bound groups, some
suspended and staged users, and departments from a small pool so that they
repeat (rule N2). Every user they hold can be mapped, unless bad records are
asked for; :func:`bad_system_users` makes records that rule U7 rejects.

:func:`documents_for` writes a snapshot as a directory document the way
JumpCloud's own exports spell it (booleans as strings, ``state`` in lower
case, ``""`` for absent values, keys that scim_ninjio does not read), so that
``Directory.from_json(document) == directory`` can be checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import attrs

from hypothesis import strategies as st

from scim_ninjio._sample import (
    DEPARTMENTS,
    FIRST_NAMES,
    GROUP_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    ascii_name,
)
from scim_ninjio.jumpcloud import Directory, SystemUser, UserGroup, UserState


__all__ = [
    "bad_system_users",
    "directories",
    "directory_documents",
    "documents_for",
    "system_users",
    "user_groups",
]

_HEX: Final = "0123456789abcdef"

#: JumpCloud ids: 24 hex digits.
_ids = st.text(_HEX, min_size=24, max_size=24)

#: (activated, suspended, state): active ones weigh more, as in real tenants.
_STATUSES: Final[tuple[tuple[bool, bool, UserState | None], ...]] = (
    (True, False, "ACTIVATED"),
    (True, False, "ACTIVATED"),
    (True, False, "ACTIVATED"),
    (True, False, None),
    (True, True, "SUSPENDED"),
    (True, True, None),
    (False, False, "STAGED"),
    (False, False, None),
)

#: Free text as people type it: any character but control characters and lone
#: surrogates, which no UTF-8 JSON body can carry.
_free_text = st.text(
    st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=30
)

_DOMAINS: Final = ("example.com", "example.org", "corp.example.net")


@st.composite
def system_users(draw: st.DrawFn) -> SystemUser:
    """
    Generate system users that can be mapped (rule U7 accepts them).

    Usernames look like ``ada.lovelace7`` and emails are built from them;
    first and last names, job titles and departments come from pools (the
    last two sometimes as free text), any of them may be absent, and the
    status is active, suspended or staged, with or without ``state``.
    """
    first = draw(st.sampled_from(FIRST_NAMES))
    last = draw(st.sampled_from(LAST_NAMES))
    number = draw(st.integers(min_value=0, max_value=999))
    username = f"{ascii_name(first)}.{ascii_name(last)}{number or ''}"
    activated, suspended, state = draw(st.sampled_from(_STATUSES))

    return SystemUser(
        id=draw(_ids),
        username=username,
        email=draw(
            st.sampled_from(_DOMAINS).map(f"{username}@{{}}".format) | st.none()
        ),
        firstname=draw(st.just(first) | st.none()),
        lastname=draw(st.just(last) | _free_text | st.none()),
        employee_identifier=draw(
            st.integers(100, 999_999).map("E{}".format) | st.none()
        ),
        job_title=draw(st.sampled_from(JOB_TITLES) | _free_text | st.none()),
        department=draw(st.sampled_from(DEPARTMENTS[:4]) | st.none()),
        activated=activated,
        suspended=suspended,
        state=state,
    )


def user_groups(user_ids: Sequence[str]) -> st.SearchStrategy[UserGroup]:
    """
    Generate user groups whose members are drawn from ``user_ids``.

    Groups may be empty (rule G1 leaves those out). Names come from a pool,
    sometimes with a number or as free text.
    """
    members = (
        st.lists(st.sampled_from(user_ids), unique=True) if user_ids else st.just([])
    )
    names = (
        st.sampled_from(GROUP_NAMES)
        | st.builds("{} {}".format, st.sampled_from(GROUP_NAMES), st.integers(2, 99))
        | _free_text.filter(lambda text: not text.isspace())
    )

    return st.builds(UserGroup, id=_ids, name=names, member_ids=members)


_BAD_EMAILS: Final = (
    "ada.lovelace",
    "ada.lovelace@",
    "@example.com",
    "ada.lovelace@example",
    "ada lovelace@example.com",
    "ada@@example.com",
    "ada..lovelace@example.com",
    ".ada@example.com",
    "ada@-example.com",
    "ada@example..com",
    "ada(at)example.com",
)


@st.composite
def bad_system_users(draw: st.DrawFn) -> tuple[SystemUser, ...]:
    """
    Generate users that rule U7 rejects, in batches of one or two.

    A batch of one is a user without a username, with an invalid email, or
    with a username that is not a valid SCIM userName (surrounding spaces, a
    control character). A batch of two is a pair whose usernames differ only
    in case; both are rejected. Usernames of bad users start with ``bad.``,
    so they never collide with those of :func:`system_users`.
    """
    user = draw(system_users())
    username = f"bad.{user.username}"
    kind = draw(st.sampled_from(("no username", "email", "username", "case")))
    if kind == "no username":
        return (attrs.evolve(user, username=None),)
    if kind == "email":
        email = draw(st.sampled_from(_BAD_EMAILS))
        return (attrs.evolve(user, username=username, email=email),)
    if kind == "username":
        spoiled = draw(
            st.sampled_from((f" {username}", f"{username} ", f"{username}\t1"))
        )
        return (attrs.evolve(user, username=spoiled),)
    twin = draw(system_users().filter(lambda other: other.id != user.id))

    return (
        attrs.evolve(user, username=username),
        attrs.evolve(twin, username=username.upper()),
    )


@st.composite
def directories(
    draw: st.DrawFn,
    *,
    min_users: int = 0,
    max_users: int = 30,
    max_groups: int = 6,
    group_management: bool | None = None,
    max_bad_batches: int = 0,
) -> Directory:
    """
    Generate consistent directory snapshots.

    Args:
        draw: Supplied by hypothesis.
        min_users: The fewest valid users.
        max_users: The most valid users.
        max_groups: The most groups.
        group_management: Fix the group management setting; by default it
            varies.
        max_bad_batches: Also add up to this many batches of
            :func:`bad_system_users`, each put in some group.
    """
    users = draw(
        st.lists(
            system_users(),
            min_size=min_users,
            max_size=max_users,
            unique_by=(lambda u: u.id, lambda u: _folded(u.username)),
        )
    )
    ids = {user.id for user in users}
    for batch in draw(st.lists(bad_system_users(), max_size=max_bad_batches)):
        # Bad usernames start with "bad.", so only ids can collide.
        if not any(user.id in ids for user in batch):
            users += batch
            ids.update(user.id for user in batch)
    user_ids = sorted(ids)
    groups = draw(
        st.lists(
            user_groups(user_ids),
            max_size=max_groups,
            unique_by=(lambda g: g.id, lambda g: g.name.casefold()),
        )
    )
    bound = draw(st.sets(st.sampled_from([g.id for g in groups]))) if groups else set()
    if group_management is None:
        group_management = draw(st.booleans())

    return Directory(
        users=users,
        groups=groups,
        bound_group_ids=bound,
        group_management=group_management,
    )


def _folded(username: str | None) -> str:
    return "" if username is None else username.casefold()


# --- Documents ----------------------------------------------------------------------

#: Keys that JumpCloud sends and scim_ninjio does not read, with sample values.
_UNREAD_KEYS: Final[dict[str, Any]] = {
    "account_locked": False,
    "created": "2024-03-01T09:30:00.000Z",
    "displayname": "",
    "middlename": "",
    "mfa": {"configured": False, "exclusion": False},
    "attributes": [],
    "addresses": [],
    "phoneNumbers": [],
    "manager": None,
}

#: Absent user properties that JumpCloud may send as "" instead.
_BLANKABLE: Final = (
    "username",
    "email",
    "firstname",
    "lastname",
    "employeeIdentifier",
    "jobTitle",
    "department",
)


@st.composite
def _spelled(draw: st.DrawFn, record: dict[str, Any]) -> dict[str, Any]:
    """Spell one user record as a JumpCloud export might."""
    out = dict(record)
    for key in ("activated", "suspended"):
        if key in out and draw(st.booleans()):
            word = "true" if out[key] else "false"
            out[key] = draw(st.sampled_from((word, word.title(), word.upper())))
    if "state" in out and draw(st.booleans()):
        out["state"] = out["state"].lower()
    for key in _BLANKABLE:
        if key not in out and draw(st.booleans()):
            out[key] = draw(st.sampled_from(("", " ")))
    unread = draw(st.lists(st.sampled_from(sorted(_UNREAD_KEYS)), unique=True))
    out |= {key: _UNREAD_KEYS[key] for key in unread}

    return out


@st.composite
def documents_for(draw: st.DrawFn, directory: Directory) -> dict[str, Any]:
    """
    Generate documents that all read back as ``directory``.

    Records come in any order, members and bindings may repeat, and user
    records are spelled as JumpCloud exports spell them.
    """
    document = directory.to_json()
    users = [draw(_spelled(user)) for user in document["users"]]
    document["users"] = draw(st.permutations(users))
    document["groups"] = draw(st.permutations(document["groups"]))
    for group in document["groups"]:
        group["members"] = draw(st.permutations(group["members"]))
        if group["members"] and draw(st.booleans()):
            group["members"].append(group["members"][0])
    document["bound_groups"] = draw(st.permutations(document["bound_groups"]))
    if document["complete"] and draw(st.booleans()):
        del document["complete"]

    return document


def directory_documents(**kwargs: Any) -> st.SearchStrategy[dict[str, Any]]:
    """
    Generate valid directory documents, spelled as JumpCloud exports are.

    Keyword arguments go to :func:`directories`.
    """
    return directories(**kwargs).flatmap(documents_for)
