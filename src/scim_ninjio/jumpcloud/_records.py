"""JumpCloud's records: system users, user groups, and problems reading them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final, Literal

import attrs


__all__ = [
    "RecordKind",
    "RecordProblem",
    "SystemUser",
    "UserGroup",
    "UserState",
    "absent_if_blank",
]

#: A system user's lifecycle state in JumpCloud.
UserState = Literal["STAGED", "ACTIVATED", "SUSPENDED"]

#: What a :class:`RecordProblem` is about.
RecordKind = Literal["user", "group", "binding"]


def absent_if_blank(value: str | None) -> str | None:
    """Return None for a blank string, and any other value as it is."""
    # JumpCloud sends "" for a property that was never set. A blank value and
    # a missing one must compare equal, or every sync would see a change.
    if not value or value.isspace():
        return None

    return value


def _check_id(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if type(value) is not str or not value or value.isspace():
        raise ValueError(
            f"{attribute.name} must not be blank, got {value!r}: JumpCloud "
            "records always have their id and a group its name"
        )


def _member_ids(ids: Iterable[str]) -> tuple[str, ...]:
    if isinstance(ids, str):
        raise TypeError(
            f"member_ids must be a collection of user ids, got the string {ids!r}"
        )

    # Sorted and deduplicated, so that two snapshots of the same group compare
    # equal whatever order the source listed the members in.
    return tuple(sorted(set(ids)))


@attrs.frozen(kw_only=True)
class SystemUser:
    """
    A JumpCloud system user: the properties that the mapping and rules read.

    Only ``id`` is required. A user without a username is still a user: that
    it cannot be mapped is reported by rule U7, not by the loader. Blank
    strings count as absent, as JumpCloud sends ``""`` for unset properties.

    Attributes:
        id: JumpCloud's identifier for the user (``_id`` in the API).
        username: The Username; sent to NINJIO as ``userName``.
        email: The Company Email.
        firstname: The First Name.
        lastname: The Last Name.
        employee_identifier: The Employee ID (``employeeIdentifier``).
        job_title: The Job Title (``jobTitle``).
        department: The Department; NINJIO places users by it (rule N2).
        activated: Whether the account has been activated.
        suspended: Whether the account is suspended.
        state: The lifecycle state, where JumpCloud reports one; it is more
            precise than ``activated`` and ``suspended`` (rule U4).
    """

    #: The JumpCloud API key of each attribute (v1 ``/systemusers``).
    JUMPCLOUD_KEYS: ClassVar[Mapping[str, str]] = {
        "id": "_id",
        "username": "username",
        "email": "email",
        "firstname": "firstname",
        "lastname": "lastname",
        "employee_identifier": "employeeIdentifier",
        "job_title": "jobTitle",
        "department": "department",
        "activated": "activated",
        "suspended": "suspended",
        "state": "state",
    }

    id: str = attrs.field(validator=_check_id)
    username: str | None = attrs.field(default=None, converter=absent_if_blank)
    email: str | None = attrs.field(default=None, converter=absent_if_blank)
    firstname: str | None = attrs.field(default=None, converter=absent_if_blank)
    lastname: str | None = attrs.field(default=None, converter=absent_if_blank)
    employee_identifier: str | None = attrs.field(
        default=None, converter=absent_if_blank
    )
    job_title: str | None = attrs.field(default=None, converter=absent_if_blank)
    department: str | None = attrs.field(default=None, converter=absent_if_blank)
    activated: bool | None = None
    suspended: bool | None = None
    state: UserState | None = None

    def to_json(self) -> dict[str, Any]:
        """
        Return the user as a JumpCloud v1 record, leaving out absent values.

        >>> SystemUser(id="u1", username="ada", activated=True).to_json()
        {'_id': 'u1', 'username': 'ada', 'activated': True}
        """
        return {
            key: value
            for name, key in self.JUMPCLOUD_KEYS.items()
            if (value := getattr(self, name)) is not None
        }


@attrs.frozen(kw_only=True)
class UserGroup:
    """
    A JumpCloud user group and its direct members.

    Attributes:
        id: JumpCloud's identifier for the group (v2 ``id``).
        name: The group's name; NINJIO shows it as the Organization.
        member_ids: The ids of the users who are direct members, sorted and
            without repeats.
    """

    #: The key of each attribute in a directory document's group records.
    JUMPCLOUD_KEYS: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "name": "name",
        "member_ids": "members",
    }

    id: str = attrs.field(validator=_check_id)
    name: str = attrs.field(validator=_check_id)
    member_ids: tuple[str, ...] = attrs.field(default=(), converter=_member_ids)

    def to_json(self) -> dict[str, Any]:
        """
        Return the group as a directory document's group record.

        >>> UserGroup(id="g1", name="Sales", member_ids=["u2", "u1"]).to_json()
        {'id': 'g1', 'name': 'Sales', 'members': ['u1', 'u2']}
        """
        return {"id": self.id, "name": self.name, "members": list(self.member_ids)}


_SECTIONS: Final[Mapping[RecordKind, str]] = {
    "user": "users",
    "group": "groups",
    "binding": "bound_groups",
}


@attrs.frozen(kw_only=True)
class RecordProblem:
    """
    A record, member or binding that could not be read, and was skipped.

    Attributes:
        kind: ``"user"``, ``"group"`` or ``"binding"`` (an entry of
            ``bound_groups``).
        record: The record's id, or its index in its list when it has no
            usable id.
        field: Where the fault is inside the record, as a JSON path
            (``"$.activated"``, ``"$.members[2]"``; ``"$"`` for the whole
            record).
        reason: What is wrong, and what was skipped.
        index: The record's position in its list in the document.
    """

    kind: RecordKind
    record: str | int
    field: str
    reason: str
    index: int

    @property
    def path(self) -> str:
        """
        The fault's JSON path in the whole document.

        >>> RecordProblem(kind="user", record="u1", field="$.activated",
        ...               reason="bad", index=3).path
        '$.users[3].activated'
        """
        return f"$.{_SECTIONS[self.kind]}[{self.index}]{self.field[1:]}"

    def __str__(self) -> str:
        return f"{self.kind} {self.record!r} at {self.path}: {self.reason}"
