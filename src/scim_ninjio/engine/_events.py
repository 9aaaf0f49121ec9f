"""
Change events (rule G8): what JumpCloud tells the integration between syncs.

Each event names the records it touches; the engine plans for those records
only, reading from NINJIO just what they need, and the outcome is the one a
full reconcile would reach. The directory passed with an event is the
snapshot *after* the change.

>>> targets_of(MembershipAdded(group_id="g1", user_id="u1"), Directory())
Targets(user_ids=frozenset({'u1'}), group_ids=frozenset({'g1'}))
"""

from __future__ import annotations

import attrs

from scim_ninjio._plan import Targets
from scim_ninjio.jumpcloud import Directory


__all__ = [
    "Event",
    "GroupBound",
    "GroupCreated",
    "GroupDeleted",
    "GroupManagementChanged",
    "GroupRenamed",
    "GroupUnbound",
    "MembershipAdded",
    "MembershipRemoved",
    "UserChanged",
    "targets_of",
]


@attrs.frozen(kw_only=True)
class MembershipAdded:
    """
    A user was added to a user group.

    Attributes:
        group_id: The group's JumpCloud id.
        user_id: The user's JumpCloud id.
    """

    group_id: str
    user_id: str


@attrs.frozen(kw_only=True)
class MembershipRemoved:
    """
    A user was removed from a user group.

    Attributes:
        group_id: The group's JumpCloud id.
        user_id: The user's JumpCloud id.
    """

    group_id: str
    user_id: str


@attrs.frozen(kw_only=True)
class GroupCreated:
    """
    A user group was created.

    Attributes:
        group_id: The group's JumpCloud id.
    """

    group_id: str


@attrs.frozen(kw_only=True)
class GroupRenamed:
    """
    A user group was renamed (rule G4).

    Attributes:
        group_id: The group's JumpCloud id.
    """

    group_id: str


@attrs.frozen(kw_only=True)
class GroupDeleted:
    """
    A user group was deleted (rule G6).

    Attributes:
        group_id: The group's JumpCloud id.
    """

    group_id: str


@attrs.frozen(kw_only=True)
class GroupBound:
    """
    A user group was bound to the NINJIO application (rule U1).

    Attributes:
        group_id: The group's JumpCloud id.
    """

    group_id: str


@attrs.frozen(kw_only=True)
class GroupUnbound:
    """
    A user group was unbound from the NINJIO application (rule G5).

    Attributes:
        group_id: The group's JumpCloud id.
    """

    group_id: str


@attrs.frozen(kw_only=True)
class UserChanged:
    """
    A user was created, changed, suspended, activated or deleted.

    Attributes:
        user_id: The user's JumpCloud id.
    """

    user_id: str


@attrs.frozen(kw_only=True)
class GroupManagementChanged:
    """
    Group management was turned on or off (rule G7).

    Attributes:
        enabled: Whether it is now on.
    """

    enabled: bool


#: Any change event.
Event = (
    MembershipAdded
    | MembershipRemoved
    | GroupCreated
    | GroupRenamed
    | GroupDeleted
    | GroupBound
    | GroupUnbound
    | UserChanged
    | GroupManagementChanged
)


def targets_of(event: Event, directory: Directory) -> Targets | None:
    """
    Return the records an event concerns, or None for "everything".

    Group events take the group's current members with them; the engine adds
    the members NINJIO still holds for a deleted or unbound group, and the
    groups that hold a changed user, once it has read them.
    """
    if isinstance(event, MembershipAdded | MembershipRemoved):
        return Targets(
            user_ids=frozenset({event.user_id}), group_ids=frozenset({event.group_id})
        )
    if isinstance(event, UserChanged):
        groups = {g.id for g in directory.groups_of(event.user_id)}
        return Targets(
            user_ids=frozenset({event.user_id}),
            group_ids=frozenset(groups & directory.bound_group_ids),
        )
    if isinstance(event, GroupManagementChanged):
        return None
    group = directory.find_group(event.group_id)
    members = frozenset(group.member_ids) if group is not None else frozenset()

    return Targets(user_ids=members, group_ids=frozenset({event.group_id}))
