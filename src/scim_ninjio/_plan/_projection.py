"""
The mapped attributes of a user, as a row of values on both sides.

Planning compares every in-scope JumpCloud user with their NINJIO account.
Building and diffing whole SCIM documents for 100,000 users would dominate a
sync, so each side is projected onto the rows of
:data:`scim_ninjio.mapping.ATTRIBUTE_MAPPING` instead: a tuple of values,
cheap to build and to compare. Only when the tuples differ are PATCH
operations written, one per changed row, and exactly for that row (U3).

JumpCloud owns the mapped attributes: a value cleared in JumpCloud is
removed in NINJIO, so that an account never keeps a stale title or
department.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scim_ninjio import _constants
from scim_ninjio.jumpcloud import SystemUser
from scim_ninjio.mapping import ATTRIBUTE_MAPPING, is_active
from scim_ninjio.models import PatchOperation, User


__all__ = [
    "PATHS",
    "Row",
    "actual_row",
    "changed",
    "changed_paths",
    "desired_row",
    "operations",
]

#: A user's mapped values, in the order of ATTRIBUTE_MAPPING.
Row = tuple[Any, ...]


def _work_email(user: User) -> str | None:
    if len(user.emails) == 1:
        email = user.emails[0]
        if email.type == "work" and email.primary:
            return email.value
    # Anything but one primary work address differs from what JumpCloud
    # sends, so it reads as a marker no address can equal.
    return _SHAPE if user.emails else None


#: Stands for "emails hold something other than one primary work address".
_SHAPE = "\x00emails in another shape"


def _given(user: User) -> str | None:
    return user.name.given_name if user.name is not None else None


def _family(user: User) -> str | None:
    return user.name.family_name if user.name is not None else None


def _department(user: User) -> str | None:
    return user.enterprise.department if user.enterprise is not None else None


def _replace(path: str) -> Callable[[Any], PatchOperation]:
    def write(value: Any) -> PatchOperation:
        if value is None:
            return PatchOperation(op="remove", path=path)
        return PatchOperation(op="replace", path=path, value=value)

    return write


def _emails(value: Any) -> PatchOperation:
    if value is None:
        return PatchOperation(op="remove", path="emails")
    # The whole attribute: a filtered path would fail with noTarget on an
    # account that has no work address yet (RFC 7644, section 3.5.2.3).
    return PatchOperation(
        op="replace",
        path="emails",
        value=[{"value": value, "type": "work", "primary": True}],
    )


_ENTERPRISE_DEPARTMENT = f"{_constants.ENTERPRISE_USER}:department"

#: For each SCIM path of the mapping: read JumpCloud, read NINJIO, write a change.
_SIDES: dict[
    str,
    tuple[
        Callable[[SystemUser], Any],
        Callable[[User], Any],
        Callable[[Any], PatchOperation],
    ],
] = {
    "userName": (lambda u: u.username, lambda s: s.user_name, _replace("userName")),
    "active": (is_active, lambda s: s.active, _replace("active")),
    'emails[type eq "work"].value': (lambda u: u.email, _work_email, _emails),
    "externalId": (
        lambda u: u.employee_identifier,
        lambda s: s.external_id,
        _replace("externalId"),
    ),
    "name.givenName": (lambda u: u.firstname, _given, _replace("name.givenName")),
    "name.familyName": (lambda u: u.lastname, _family, _replace("name.familyName")),
    "title": (lambda u: u.job_title, lambda s: s.title, _replace("title")),
    _ENTERPRISE_DEPARTMENT: (
        lambda u: u.department,
        _department,
        _replace(_ENTERPRISE_DEPARTMENT),
    ),
}


def _compile() -> tuple[
    tuple[Callable[[SystemUser], Any], ...],
    tuple[Callable[[User], Any], ...],
    tuple[Callable[[Any], PatchOperation], ...],
]:
    missing = [
        row.scim_path for row in ATTRIBUTE_MAPPING if row.scim_path not in _SIDES
    ]
    if missing:  # pragma: no cover -- guards the table against a new, unplanned row
        raise RuntimeError(f"the planner does not know the mapping rows {missing}")
    sides = [_SIDES[row.scim_path] for row in ATTRIBUTE_MAPPING]

    return (
        tuple(s[0] for s in sides),
        tuple(s[1] for s in sides),
        tuple(s[2] for s in sides),
    )


_DESIRED, _ACTUAL, _WRITERS = _compile()

#: The SCIM paths of the mapping, in row order.
PATHS: tuple[str, ...] = tuple(row.scim_path for row in ATTRIBUTE_MAPPING)


def desired_row(user: SystemUser) -> Row:
    """The mapped values JumpCloud wants NINJIO to hold."""
    return tuple([read(user) for read in _DESIRED])


def actual_row(user: User) -> Row:
    """The mapped values NINJIO holds."""
    return tuple([read(user) for read in _ACTUAL])


def _same(have: Any, want: Any) -> bool:
    return bool(have == want)


def _same_without_case(have: Any, want: Any) -> bool:
    # NINJIO compares userNames (and mail systems addresses) without case; a
    # server that stores them folded must not look changed on every run.
    if isinstance(have, str) and isinstance(want, str):
        return have.casefold() == want.casefold()
    return bool(have == want)


_EQUALS: tuple[Callable[[Any, Any], bool], ...] = tuple(
    _same_without_case
    if row.scim_path in {"userName", 'emails[type eq "work"].value'}
    else _same
    for row in ATTRIBUTE_MAPPING
)


def changed(actual: Row, desired: Row) -> tuple[int, ...]:
    """Return the indexes of the mapped attributes that differ."""
    if actual == desired:
        return ()
    return tuple(
        index
        for index, (have, want, same) in enumerate(
            zip(actual, desired, _EQUALS, strict=True)
        )
        if not same(have, want)
    )


def operations(actual: Row, desired: Row) -> tuple[PatchOperation, ...]:
    """Return one PATCH operation per changed mapped attribute (rule U3)."""
    return tuple(_WRITERS[i](desired[i]) for i in changed(actual, desired))


def changed_paths(actual: Row, desired: Row) -> tuple[str, ...]:
    """Return the SCIM paths of the mapped attributes that differ."""
    return tuple(PATHS[i] for i in changed(actual, desired))
