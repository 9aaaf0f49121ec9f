"""
NINJIO's own group placement (rules N1 to N4), applied to the emulator's store.

:func:`scim_ninjio.policy.place_user` decides where a user lands; this module
carries the decision out. It keeps, per user, the system groups it put the
user in, so that moving the user (a new department, a first pushed group)
takes them out of exactly those groups and never out of a group a client put
them in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scim_ninjio import _constants
from scim_ninjio.policy import NinjioSettings, Placement, place_user
from scim_ninjio.testing._emulator._store import Record, Store


__all__ = ["Placer"]


class Placer:
    """
    Places users in NINJIO's system groups, creating the groups on demand.

    Args:
        store: The store whose groups it changes.
        settings: The tenant's placement settings.
    """

    def __init__(self, store: Store, settings: NinjioSettings) -> None:
        self._store = store
        self.settings = settings
        self.clear()

    def clear(self) -> None:
        """Forget every placement."""
        self._placed: dict[str, tuple[str, ...]] = {}
        self._placements: dict[str, Placement] = {}

    def placement_of(self, user_id: str) -> Placement | None:
        """Return where NINJIO last placed a user, or None if it never did."""
        return self._placements.get(user_id)

    def place(self, user: Record) -> Placement:
        """Place one user, moving them out of the system groups they left."""
        pushed = [
            group.attributes.get("displayName", "")
            for group in self._store.groups_of(user.id)
            if not group.system
        ]
        placement = place_user(
            department=_department(user.attributes),
            pushed_groups=pushed,
            settings=self.settings,
        )
        targets = (
            tuple(self._system_group(name).id for name in placement.groups)
            if placement.system
            else ()
        )
        for group_id in self._placed.get(user.id, ()):
            group = self._store.groups.get(group_id)
            # A group placement put the user in still holds them: whenever a
            # client takes them out, placement runs again and puts them back.
            if group is not None and group_id not in targets:
                self._store.remove_member(group, user.id)
        for group_id in targets:
            self._store.add_member(
                self._store.groups[group_id], {"value": user.id, "type": "User"}
            )
        self._placed[user.id] = targets
        self._placements[user.id] = placement

        return placement

    def place_ids(self, user_ids: Iterable[str]) -> None:
        """Place again the users among these ids that NINJIO places."""
        for user_id in user_ids:
            user = self._store.users.get(user_id)
            if user is not None and user_id in self._placements:
                self.place(user)

    def forget(self, user_id: str) -> None:
        """Forget a deleted user's placement."""
        self._placed.pop(user_id, None)
        self._placements.pop(user_id, None)

    def _system_group(self, name: str) -> Record:
        # A group with that name may exist already: one NINJIO made earlier,
        # or one an administrator pushed (NINJIO keeps one organisation per
        # name), so the user joins it rather than a second group of that name.
        existing = self._store.groups_by_name(name)
        if existing:
            return min(existing, key=lambda g: (not g.system, g.seq))

        return self._store.create(
            "Group",
            {"schemas": [_constants.GROUP], "displayName": name},
            system=True,
        )


def _department(attributes: dict[str, Any]) -> str | None:
    extension = attributes.get(_constants.ENTERPRISE_USER)
    if not isinstance(extension, dict):
        return None
    department = extension.get("department")

    return department if isinstance(department, str) else None
