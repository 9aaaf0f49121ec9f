"""The directory snapshot that a sync starts from, and its loader."""

from __future__ import annotations

import json
import logging
import os
import pathlib

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from scim_ninjio.exceptions import FieldError, ValidationError
from scim_ninjio.jumpcloud._reader import DIRECTORY_FORMAT, read_document
from scim_ninjio.jumpcloud._records import RecordProblem, SystemUser, UserGroup


__all__ = ["Directory", "load_directory"]

log = logging.getLogger("scim_ninjio.jumpcloud")


def _ids(ids: Iterable[str]) -> frozenset[str]:
    if isinstance(ids, str):
        raise TypeError(
            f"bound_group_ids must be a collection of group ids, got the string {ids!r}"
        )

    return frozenset(ids)


def _problems(problems: Iterable[RecordProblem]) -> tuple[RecordProblem, ...]:
    return tuple(problems)


def _users_by_id(users: Iterable[SystemUser]) -> tuple[SystemUser, ...]:
    return tuple(sorted(users, key=lambda user: user.id))


def _groups_by_id(groups: Iterable[UserGroup]) -> tuple[UserGroup, ...]:
    return tuple(sorted(groups, key=lambda group: group.id))


def _index_field() -> Any:
    return attrs.field(init=False, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Directory:
    """
    A snapshot of a JumpCloud directory, as far as NINJIO is concerned.

    Users and groups are kept sorted by id, so two snapshots of the same
    directory compare equal whatever order their source listed them in.
    Lookups by id are built once, when the snapshot is made.

    A directory is consistent: every member and every bound id names a record
    that it holds, and ids do not repeat. Making one that is not raises
    :class:`~scim_ninjio.exceptions.ValidationError`; the loaders skip the
    faulty parts instead and report them in ``problems``.

    Attributes:
        users: The system users.
        groups: The user groups.
        bound_group_ids: The ids of the groups bound to the NINJIO application
            (rule U1).
        group_management: Whether "Enable management of User Groups and Group
            Membership" is ticked (rule G7).
        complete: Whether the source was read in full. The engine never
            deactivates anyone from an incomplete snapshot, since a user that
            could not be read would otherwise look deleted (rule U5).
        problems: The records that could not be read and were skipped.

    Raises:
        ValidationError: Two users or two groups share an id, a group names a
            user that is not in ``users``, or a bound id names no group.
    """

    users: tuple[SystemUser, ...] = attrs.field(default=(), converter=_users_by_id)
    groups: tuple[UserGroup, ...] = attrs.field(default=(), converter=_groups_by_id)
    bound_group_ids: frozenset[str] = attrs.field(default=frozenset(), converter=_ids)
    group_management: bool = False
    complete: bool = True
    problems: tuple[RecordProblem, ...] = attrs.field(default=(), converter=_problems)

    _user_index: Mapping[str, SystemUser] = _index_field()
    _group_index: Mapping[str, UserGroup] = _index_field()
    _groups_by_user: Mapping[str, tuple[UserGroup, ...]] = _index_field()
    _bound: tuple[UserGroup, ...] = _index_field()
    _bound_members: frozenset[str] = _index_field()

    def __attrs_post_init__(self) -> None:
        user_index = {user.id: user for user in self.users}
        group_index = {group.id: group for group in self.groups}
        errors: list[FieldError] = []
        if len(user_index) < len(self.users):
            errors += _repeated_ids("users", self.users)
        if len(group_index) < len(self.groups):
            errors += _repeated_ids("groups", self.groups)
        groups_by_user: dict[str, list[UserGroup]] = {}
        for index, group in enumerate(self.groups):
            for member in group.member_ids:
                if member in user_index:
                    groups_by_user.setdefault(member, []).append(group)
                else:
                    errors.append(
                        FieldError(
                            f"$.groups[{index}].member_ids",
                            f"group {group.id!r} names user {member!r}, "
                            "who is not in users",
                        )
                    )
        errors += [
            FieldError("$.bound_group_ids", f"{bound!r} names no group in groups")
            for bound in sorted(self.bound_group_ids - group_index.keys())
        ]
        if errors:
            raise ValidationError(errors=errors, subject="Directory")

        # Written once here; the class stays frozen for everyone else.
        set_ = object.__setattr__
        set_(self, "_user_index", user_index)
        set_(self, "_group_index", group_index)
        set_(self, "_groups_by_user", {k: tuple(v) for k, v in groups_by_user.items()})
        bound = tuple(g for g in self.groups if g.id in self.bound_group_ids)
        set_(self, "_bound", bound)
        set_(self, "_bound_members", frozenset(m for g in bound for m in g.member_ids))

    @property
    def bound_groups(self) -> tuple[UserGroup, ...]:
        """The groups bound to the NINJIO application, in id order."""
        return self._bound

    def find_user(self, user_id: str) -> SystemUser | None:
        """Return the user with this id, or None if there is none."""
        return self._user_index.get(user_id)

    def find_group(self, group_id: str) -> UserGroup | None:
        """Return the group with this id, or None if there is none."""
        return self._group_index.get(group_id)

    def groups_of(self, user_id: str) -> tuple[UserGroup, ...]:
        """
        Return the groups that have this user as a direct member, in id order.

        A user id that the directory does not hold has no groups.
        """
        return self._groups_by_user.get(user_id, ())

    def members_of(self, group_id: str) -> tuple[SystemUser, ...]:
        """Return the direct members of a group, in id order; none if unknown."""
        group = self._group_index.get(group_id)
        if group is None:
            return ()

        return tuple(self._user_index[member] for member in group.member_ids)

    @property
    def bound_member_ids(self) -> frozenset[str]:
        """
        The ids of the users in at least one bound group.

        These are the users that rule U1 puts in scope, before rules U4 and U7
        leave out staged and unmappable ones.
        """
        return self._bound_members

    @classmethod
    def from_json(
        cls, data: Any, *, strict: bool = False, source: str = "directory document"
    ) -> Directory:
        """
        Read a directory document (``"format": "scim-ninjio.directory/1"``).

        Users use JumpCloud's v1 keys (``_id``, ``employeeIdentifier``), so the
        ``results`` of ``GET /api/systemusers`` drop in; ``users`` may also be
        that whole answer, ``{"results": [...], "totalCount": n}``. Booleans
        given as ``"true"``/``"false"``, ``state`` in any case and blank
        strings for absent values are read as JumpCloud means them.

        Args:
            data: The parsed JSON document.
            strict: Raise instead of skipping faulty records.
            source: What to call the document in errors (a file name).

        Returns:
            The directory. Skipped records are listed in ``problems``, and
            ``complete`` is then false.

        Raises:
            ValidationError: The document itself is faulty, or, with
                ``strict``, any record is; ``errors`` lists every fault with
                its JSON path, and ``subject`` is ``source``.
        """
        parts = read_document(data, source=source)
        if parts.problems and strict:
            raise ValidationError(
                errors=[
                    FieldError(p.path, f"{p.kind} {p.record!r}: {p.reason}")
                    for p in parts.problems
                ],
                subject=source,
            )
        if parts.problems:
            log.warning(
                "%s: skipped %d faulty records; the directory is incomplete, so "
                "no user will be deactivated until they are fixed",
                source,
                len(parts.problems),
            )

        return cls(
            users=parts.users,
            groups=parts.groups,
            bound_group_ids=parts.bound_group_ids,
            group_management=parts.group_management,
            complete=parts.complete,
            problems=parts.problems,
        )

    def to_json(self) -> dict[str, Any]:
        """
        Return the directory as a directory document.

        ``from_json(d.to_json())`` gives back ``d``, except for ``problems``:
        the skipped records are not in the snapshot, so they are not written.
        An incomplete directory stays incomplete.
        """
        return {
            "format": DIRECTORY_FORMAT,
            "group_management": self.group_management,
            "complete": self.complete,
            "bound_groups": sorted(self.bound_group_ids),
            "users": [user.to_json() for user in self.users],
            "groups": [group.to_json() for group in self.groups],
        }


def _repeated_ids(
    section: str, records: Iterable[SystemUser | UserGroup]
) -> list[FieldError]:
    seen: set[str] = set()
    errors = []
    for index, record in enumerate(records):
        if record.id in seen:
            errors.append(
                FieldError(f"$.{section}[{index}].id", f"repeats the id {record.id!r}")
            )
        seen.add(record.id)

    return errors


def load_directory(path: str | os.PathLike[str], *, strict: bool = False) -> Directory:
    """
    Read a directory document from a JSON file.

    Args:
        path: The file to read.
        strict: Raise instead of skipping faulty records.

    Raises:
        ValidationError: The file is not JSON, or not a directory document
            (see :meth:`Directory.from_json`); ``subject`` names the file.
        OSError: The file cannot be read.
    """
    name = os.fspath(path)
    body = pathlib.Path(name).read_bytes()
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as e:
        raise ValidationError(
            errors=[FieldError("$", f"not valid JSON: {e}")], subject=name
        ) from None

    return Directory.from_json(data, strict=strict, source=name)
