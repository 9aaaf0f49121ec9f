"""
The emulator's in-memory store: resources as SCIM JSON, with their indexes.

Each resource is a :class:`Record`: its attributes as canonical SCIM JSON
(what a client wrote, minus what the server owns), plus what the server owns
(``id``, the ``meta`` timestamps, the version) in fields of its own. A group's
members live in an ordered mapping from member id to member object, and each
user's group memberships in a reverse index, so that adding or removing one
member of a large group costs the same as of a small one.

The store knows nothing of HTTP or of SCIM requests; it keeps its indexes
consistent and raises the :class:`~scim_ninjio.exceptions.ScimError` a server
answers with when a write would break uniqueness.
"""

from __future__ import annotations

import datetime as dt
import itertools

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs

from scim_ninjio.exceptions import UniquenessError


__all__ = ["ENDPOINTS", "Record", "ResourceKind", "Store", "fold", "format_timestamp"]

#: The two resource types the emulator serves.
ResourceKind = Literal["User", "Group"]

#: The endpoint of each resource type, without its slash.
ENDPOINTS: Mapping[ResourceKind, str] = {"User": "Users", "Group": "Groups"}


def format_timestamp(moment: dt.datetime) -> str:
    """
    Write an instant as RFC 3339 in UTC, to the millisecond.

    >>> format_timestamp(dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC))
    '2024-05-01T12:00:00.000Z'
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    utc = moment.astimezone(dt.UTC)

    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@attrs.define(eq=False)
class Record:
    """
    One stored resource.

    ``attributes`` is replaced, never changed in place, so that a document
    handed out earlier never changes under its reader.

    Attributes:
        kind: ``"User"`` or ``"Group"``.
        id: The server's identifier.
        seq: The creation order; listings without ``sortBy`` follow it.
        attributes: The client-writable attributes as canonical SCIM JSON,
            ``schemas`` first; no ``id``, ``meta``, ``members`` or ``groups``.
        created: ``meta.created``, already formatted.
        last_modified: ``meta.lastModified``, already formatted.
        version: The number behind ``meta.version``; every write takes a new
            one from a counter shared by all resources.
        members: A group's members by id, in the order they were added.
        system: Whether NINJIO itself created the group (placement rules N1,
            N2 and N4) rather than a client.
    """

    kind: ResourceKind
    id: str
    seq: int
    attributes: dict[str, Any]
    created: str
    last_modified: str
    version: int
    members: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    system: bool = False

    @property
    def etag(self) -> str:
        """The version as an entity tag, weak because it names a representation."""
        return f'W/"{self.version}"'

    def location(self, base_url: str) -> str:
        """Return the resource's URI under a service base URL."""
        return f"{base_url}/{ENDPOINTS[self.kind]}/{self.id}"


class Store:
    """
    Users and groups by id, with the indexes the emulator needs.

    Not thread-safe by itself: the emulator holds its lock around every call.

    Args:
        clock: Returns the current time, for ``meta.created`` and
            ``meta.lastModified``.
        id_factory: Returns a new, unused resource id.
        unique_group_names: Refuse a second group with the same displayName
            (compared without case), as NINJIO does with its organisations.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], dt.datetime],
        id_factory: Callable[[], str],
        unique_group_names: bool,
    ) -> None:
        self._clock = clock
        self._id_factory = id_factory
        self._unique_group_names = unique_group_names
        # Versions and creation order survive clear(), so that an ETag read
        # before a reset never matches a resource created after it.
        self._versions = itertools.count(1)
        self._seqs = itertools.count(1)
        self.clear()

    def clear(self) -> None:
        """Forget every resource."""
        self.users: dict[str, Record] = {}
        self.groups: dict[str, Record] = {}
        self._user_names: dict[str, str] = {}
        self._external_ids: dict[str, dict[str, None]] = {}
        self._group_names: dict[str, dict[str, None]] = {}
        # user or group id -> ids of the groups it is a direct member of
        self._member_of: dict[str, dict[str, None]] = {}

    # --- Lookups ------------------------------------------------------------

    def get(self, kind: ResourceKind, resource_id: str) -> Record | None:
        """Return a resource by its kind and id, or None."""
        table = self.users if kind == "User" else self.groups

        return table.get(resource_id)

    def exists(self, resource_id: str) -> ResourceKind | None:
        """Return the kind of the resource with this id, if there is one."""
        if resource_id in self.users:
            return "User"
        if resource_id in self.groups:
            return "Group"

        return None

    def user_by_name(self, user_name: str) -> Record | None:
        """Return the user with this userName, compared without case."""
        found = self._user_names.get(fold(user_name))

        return None if found is None else self.users[found]

    def users_by_external_id(self, external_id: str) -> list[Record]:
        """Return the users with this externalId, compared with case."""
        ids = self._external_ids.get(external_id, {})

        return [self.users[i] for i in ids]

    def groups_by_name(self, display_name: str) -> list[Record]:
        """Return the groups with this displayName, compared without case."""
        ids = self._group_names.get(fold(display_name), {})

        return [self.groups[i] for i in ids]

    def groups_of(self, member_id: str) -> list[Record]:
        """Return the groups a user or group is a direct member of."""
        return [self.groups[g] for g in self._member_of.get(member_id, {})]

    def records(self, kind: ResourceKind) -> Iterator[Record]:
        """Iterate over the resources of a kind, in creation order."""
        table = self.users if kind == "User" else self.groups

        return iter(list(table.values()))

    # --- Writes -------------------------------------------------------------

    def create(
        self,
        kind: ResourceKind,
        attributes: dict[str, Any],
        *,
        members: Iterable[dict[str, Any]] = (),
        system: bool = False,
        resource_id: str | None = None,
    ) -> Record:
        """
        Store a new resource.

        Raises:
            UniquenessError: The userName (or, where group names are unique,
                the displayName) or the id is taken.
        """
        if resource_id is None:
            resource_id = self._id_factory()
        if self.exists(resource_id) is not None:
            raise UniquenessError(detail=f"a resource with id {resource_id!r} exists")
        self._check_unique(kind, attributes, resource_id)
        now = format_timestamp(self._clock())
        record = Record(
            kind=kind,
            id=resource_id,
            seq=next(self._seqs),
            attributes=attributes,
            created=now,
            last_modified=now,
            version=next(self._versions),
            system=system,
        )
        if kind == "User":
            self.users[resource_id] = record
        else:
            self.groups[resource_id] = record
        self._index(record)
        if kind == "Group":
            self.set_members(record, members, touch=False)

        return record

    def replace(self, record: Record, attributes: dict[str, Any]) -> None:
        """
        Replace a resource's client-writable attributes and take a new version.

        Raises:
            UniquenessError: The new userName or displayName is taken.
        """
        self._check_unique(record.kind, attributes, record.id)
        self._unindex(record)
        record.attributes = attributes
        self._index(record)
        self.touch(record)

    def set_members(
        self,
        group: Record,
        members: Iterable[dict[str, Any]],
        *,
        touch: bool = True,
    ) -> tuple[set[str], set[str]]:
        """
        Make ``members`` the group's members, keeping the order given.

        Each member object must hold a ``value`` that names a stored resource;
        the caller checks that. Returns the ids added and the ids removed.
        """
        new: dict[str, dict[str, Any]] = {}
        for member in members:
            new.setdefault(member["value"], member)
        old = group.members
        added = new.keys() - old.keys()
        removed = old.keys() - new.keys()
        changed = bool(added or removed) or any(
            old[key] != member for key, member in new.items() if key in old
        )
        group.members = new
        for member_id in removed:
            self._member_of[member_id].pop(group.id, None)
        for member_id in added:
            self._member_of.setdefault(member_id, {})[group.id] = None
        if touch and changed:
            self.touch(group)

        return set(added), set(removed)

    def add_member(self, group: Record, member: dict[str, Any]) -> bool:
        """Add one member to a group; return whether it was new."""
        member_id = member["value"]
        if member_id in group.members:
            return False
        group.members[member_id] = member
        self._member_of.setdefault(member_id, {})[group.id] = None
        self.touch(group)

        return True

    def remove_member(self, group: Record, member_id: str) -> None:
        """Remove one member from a group; it must be a member."""
        del group.members[member_id]
        del self._member_of[member_id][group.id]
        self.touch(group)

    def delete(self, record: Record) -> list[Record]:
        """
        Remove a resource, and remove it from every group it belonged to.

        Returns the groups that lost it as a member.
        """
        self._unindex(record)
        if record.kind == "User":
            del self.users[record.id]
        else:
            self.set_members(record, (), touch=False)
            del self.groups[record.id]
        lost = [self.groups[g] for g in self._member_of.pop(record.id, {})]
        for group in lost:
            del group.members[record.id]
            self.touch(group)

        return lost

    def touch(self, record: Record) -> None:
        """Give a changed resource a new version and modification time."""
        record.version = next(self._versions)
        record.last_modified = format_timestamp(self._clock())

    # --- Indexes ------------------------------------------------------------

    def _check_unique(
        self, kind: ResourceKind, attributes: Mapping[str, Any], resource_id: str
    ) -> None:
        # Users always have a userName and groups a displayName: the
        # documents module refuses a resource without one.
        if kind == "User":
            user_name = attributes["userName"]
            taken = self._user_names.get(fold(user_name))
            if taken is not None and taken != resource_id:
                raise UniquenessError(
                    detail=f"userName {user_name!r} is already taken by user "
                    f"{taken} (userName is unique without regard to case)"
                )
        elif self._unique_group_names:
            name = attributes["displayName"]
            taken_ids = self._group_names.get(fold(name), {}).keys() - {resource_id}
            if taken_ids:
                raise UniquenessError(
                    detail=f"a group named {name!r} already exists "
                    f"(id {min(taken_ids)}); find it by displayName and "
                    "update it instead of creating another"
                )

    def _index(self, record: Record) -> None:
        attributes = record.attributes
        if record.kind == "Group":
            name = fold(attributes["displayName"])
            self._group_names.setdefault(name, {})[record.id] = None
            return
        self._user_names[fold(attributes["userName"])] = record.id
        external_id = attributes.get("externalId")
        if external_id is not None:
            self._external_ids.setdefault(external_id, {})[record.id] = None

    def _unindex(self, record: Record) -> None:
        attributes = record.attributes
        if record.kind == "Group":
            _discard(self._group_names, fold(attributes["displayName"]), record.id)
            return
        del self._user_names[fold(attributes["userName"])]
        external_id = attributes.get("externalId")
        if external_id is not None:
            _discard(self._external_ids, external_id, record.id)


def fold(text: str) -> str:
    """Fold a string for comparison without regard to case."""
    return text.casefold()


def _discard(index: dict[str, dict[str, None]], key: str, value: str) -> None:
    ids = index[key]
    del ids[value]
    if not ids:
        del index[key]
