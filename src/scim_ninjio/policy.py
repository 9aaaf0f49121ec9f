"""
The rules of the integration, as data and pure functions over plain values.

Every decision the planner makes, and every placement the emulator performs,
comes from a function here, and every plan step names the rule that caused it.
Nothing in this module does I/O or knows a client.

>>> place_user(department="Sales", pushed_groups=(), settings=NinjioSettings(
...     default_group=False)).groups
('Sales',)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import attrs


__all__ = [
    "RULES",
    "NinjioSettings",
    "Placement",
    "Rule",
    "RuleId",
    "place_user",
]

#: The identifier of a rule of DESIGN.md.
RuleId = Literal[
    "U1", "U2", "U3", "U4", "U5", "U6", "U7",
    "G1", "G2", "G3", "G4", "G5", "G6", "G7", "G8",
    "N1", "N2", "N3", "N4",
    "I1", "I2", "I3",
    "M1",
]  # fmt: skip


@attrs.frozen
class Rule:
    """
    One rule of the integration.

    Attributes:
        id: The rule's identifier (``"U5"``); tests and plan steps name it.
        title: A few words.
        text: What the rule says, in one or two sentences.
    """

    id: RuleId
    title: str
    text: str


_RULES = (
    Rule("U1", "Scope", "A JumpCloud user is in scope when they are a member of at "
         "least one user group bound to the NINJIO application."),
    Rule("U2", "Create or adopt", "An in-scope user with no NINJIO account is "
         "created. When NINJIO already has a user with the same userName "
         "(compared without case) or the same work email, that account is "
         "adopted and updated, never duplicated."),
    Rule("U3", "Update", "When a mapped attribute changes in JumpCloud, NINJIO "
         "receives exactly the changed attributes (PATCH; a full PUT only where "
         "the server does not support PATCH)."),
    Rule("U4", "Status", "active is true when the JumpCloud user is activated and "
         "not suspended. Staged (not yet activated) users are not pushed."),
    Rule("U5", "Deprovision", "A managed user who leaves scope (removed from every "
         "bound group, their group unbound or deleted, or deleted in JumpCloud) "
         "is deactivated (active=false). Users are never deleted in NINJIO."),
    Rule("U6", "Hands off", "NINJIO users that this integration neither created nor "
         "adopted are never changed."),
    Rule("U7", "Bad records", "A JumpCloud user that cannot be mapped (no username, "
         "an invalid email, a duplicate userName) is reported with the reason and "
         "skipped; the rest of the sync goes on."),
    Rule("G1", "Push", "Every bound user group with at least one in-scope member is "
         "pushed as a NINJIO group named after it. Empty groups are not created."),
    Rule("G2", "Take over", "When NINJIO already has a group with that displayName, "
         "the integration takes it over instead of creating a second one."),
    Rule("G3", "Membership", "A managed group's members are the group's in-scope "
         "JumpCloud members. Members the integration does not manage are left "
         "where they are. Changes go as PATCH add/remove, in chunks."),
    Rule("G4", "Rename", "Renaming a bound group renames its NINJIO group, found "
         "through the ledger, not by name."),
    Rule("G5", "Unbind", "When a group is unbound, syncing it stops and the NINJIO "
         "group is left as it is; its members are deactivated unless another "
         "bound group keeps them in scope."),
    Rule("G6", "Delete", "A managed group deleted in JumpCloud is deleted in NINJIO; "
         "its members are deactivated unless another bound group keeps them in "
         "scope."),
    Rule("G7", "Management off", "With group management disabled, no group or "
         "membership request is sent and managed groups stay as they are; users "
         "are still created, updated and deactivated. Turning it on again "
         "re-links groups by ledger, then by name."),
    Rule("G8", "Events", "Sync runs on demand and on change events; handling an "
         "event gives the same NINJIO state as a full reconcile would."),
    Rule("N1", "Default group", "With 'Set as default group' on (NINJIO's default), "
         "every provisioned user is placed in the one default group."),
    Rule("N2", "Departments", "With it off, each user department becomes a NINJIO "
         "group and the user is placed in the group of their department."),
    Rule("N3", "No department", "A user without a department is placed in the SCIM "
         "group(s) the administrator pushed that contain them."),
    Rule("N4", "Undefined", "A user without a department and without such a group is "
         "placed in a group that NINJIO creates and shows as 'Undefined'."),
    Rule("I1", "Activate", "Activation verifies the connection with an authenticated "
         "request before anything is synced; a failure says which: bad token, "
         "wrong URL, TLS, unreachable."),
    Rule("I2", "Token", "The token can be changed only while the integration is "
         "deactivated; activating again verifies it."),
    Rule("I3", "Deactivate", "Deactivating stops every push and changes nothing in "
         "NINJIO."),
    Rule("M1", "Import", "Listing NINJIO users for import marks each one Imported "
         "(a JumpCloud user matches by email, without case) or New, new ones "
         "first. Imported users are managed only once they are in a bound group."),
)  # fmt: skip

#: Every rule, by identifier, in the order of DESIGN.md.
RULES: Mapping[RuleId, Rule] = {rule.id: rule for rule in _RULES}


# --- NINJIO's placement (N1-N4) ---------------------------------------------


@attrs.frozen(kw_only=True)
class NinjioSettings:
    """
    How the NINJIO tenant places users in groups (its side, not ours).

    NINJIO support configures these for a tenant; the planner needs them only
    to predict where each user lands, and the emulator to behave the same way.

    Attributes:
        default_group: NINJIO's "Set as default group" option, on by default:
            every user goes into one group (N1). Off, users go into the group
            of their department (N2, N3, N4).
        default_group_name: The name of that one group.
        undefined_group_name: The name of the group NINJIO creates for users
            with no department and no pushed group (N4).
    """

    default_group: bool = True
    default_group_name: str = "Default Group"
    undefined_group_name: str = "Undefined"


@attrs.frozen
class Placement:
    """
    Where NINJIO places one user.

    Attributes:
        groups: The displayNames of the groups the user lands in.
        rule: The placement rule that decided it.
        system: Whether NINJIO itself owns these groups (N1, N2, N4), as
            opposed to groups pushed by the integration (N3).
    """

    groups: tuple[str, ...]
    rule: Literal["N1", "N2", "N3", "N4"]
    system: bool


def place_user(
    *,
    department: str | None,
    pushed_groups: Iterable[str],
    settings: NinjioSettings,
) -> Placement:
    """
    Decide where NINJIO places a user (rules N1 to N4).

    Args:
        department: The user's department, if any; blank counts as none.
        pushed_groups: The displayNames of the pushed SCIM groups that contain
            the user.
        settings: The tenant's placement settings.
    """
    if settings.default_group:
        return Placement((settings.default_group_name,), "N1", system=True)
    if department is not None and department.strip():
        return Placement((department.strip(),), "N2", system=True)
    pushed = tuple(sorted(set(pushed_groups)))
    if pushed:
        return Placement(pushed, "N3", system=False)

    return Placement((settings.undefined_group_name,), "N4", system=True)
