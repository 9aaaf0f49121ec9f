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

import math

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import attrs

from scim_ninjio.exceptions import ConfigurationError, ThresholdExceededError
from scim_ninjio.jumpcloud import Directory, SystemUser
from scim_ninjio.mapping import is_active, is_staged
from scim_ninjio.models import User


__all__ = [
    "RULES",
    "DeactivationThreshold",
    "ImportCandidate",
    "NinjioSettings",
    "Placement",
    "Rule",
    "RuleId",
    "SyncSettings",
    "check_threshold",
    "department_placement",
    "desired_active",
    "import_candidates",
    "in_scope",
    "place_user",
]

#: The identifier of a rule, one of U1 to U7, G1 to G8, N1 to N4, I1 to I3 and M1.
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

#: Every rule by its identifier, in the order users, groups, placement, integration.
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
    fixed = department_placement(department=department, settings=settings)
    if fixed is not None:
        return fixed
    pushed = tuple(sorted(set(pushed_groups)))
    if pushed:
        return Placement(pushed, "N3", system=False)

    return Placement((settings.undefined_group_name,), "N4", system=True)


def department_placement(
    *, department: str | None, settings: NinjioSettings
) -> Placement | None:
    """
    Where NINJIO places a user whatever groups hold them (rules N1 and N2).

    Returns:
        The default group (N1) or the department's group (N2); None when the
        pushed groups decide (N3, N4), as :func:`place_user` then does.

    >>> department_placement(department="Sales", settings=NinjioSettings())
    Placement(groups=('Default Group',), rule='N1', system=True)
    """
    if settings.default_group:
        return Placement((settings.default_group_name,), "N1", system=True)
    if department is not None and department.strip():
        return Placement((department.strip(),), "N2", system=True)

    return None


# --- Scope and status (U1, U4) -------------------------------------------------


def in_scope(directory: Directory) -> frozenset[str]:
    """
    Return the ids of the users to push to NINJIO (rules U1 and U4).

    A user is in scope when they are a direct member of at least one group
    bound to the application (U1), and are not staged (U4: staged users are
    not pushed). Users that cannot be mapped are still in scope here; rule U7
    reports and skips them later.
    """
    bound = directory.bound_member_ids
    # In the directory's order, not the set's: each user is read once, where
    # it lies, instead of being looked up at random.
    return frozenset(
        user.id for user in directory.users if user.id in bound and not is_staged(user)
    )


def desired_active(user: SystemUser) -> bool:
    """The ``active`` value NINJIO should hold for a JumpCloud user (rule U4)."""
    return is_active(user)


# --- Safety: the deactivation threshold -----------------------------------------


@attrs.frozen(kw_only=True)
class DeactivationThreshold:
    """
    How many deactivations one run may make before it stops (before any write).

    The limit is ``max_share`` of the managed users, but never below
    ``min_count`` (so that a small tenant can lose a user or two) and never
    above ``max_count`` (so that a large one cannot lose thousands by mistake).
    A run whose plan exceeds it raises
    :class:`~scim_ninjio.exceptions.ThresholdExceededError` before its first
    write; pass ``force=True`` to the engine after checking the plan.

    Attributes:
        max_count: The most deactivations any run may make.
        max_share: The largest share of managed users one run may deactivate.
        min_count: Deactivations always allowed, whatever the share.
    """

    max_count: int = 100
    max_share: float = 0.10
    min_count: int = 5

    def __attrs_post_init__(self) -> None:
        if self.max_count < 0 or self.min_count < 0:
            raise ConfigurationError(
                "DeactivationThreshold counts must be 0 or more, got "
                f"max_count={self.max_count}, min_count={self.min_count}"
            )
        if not 0.0 <= self.max_share <= 1.0:
            raise ConfigurationError(
                f"DeactivationThreshold.max_share must be between 0 and 1, got "
                f"{self.max_share}"
            )

    def limit(self, managed: int) -> int:
        """
        Return the most deactivations allowed with ``managed`` managed users.

        >>> DeactivationThreshold().limit(1_000)
        100
        >>> DeactivationThreshold().limit(10)
        5
        """
        by_share = math.floor(self.max_share * managed)
        return min(self.max_count, max(self.min_count, by_share))


def check_threshold(
    deactivations: int, managed: int, threshold: DeactivationThreshold | None
) -> None:
    """
    Raise when a plan would deactivate more users than the threshold allows.

    Raises:
        ThresholdExceededError: With the counts and the limit.
    """
    if threshold is None:
        return
    limit = threshold.limit(managed)
    if deactivations > limit:
        raise ThresholdExceededError(
            f"the plan would deactivate {deactivations} of {managed} managed users, "
            f"more than the limit of {limit}; nothing was changed. Check the plan "
            "(a group unbound or deleted by mistake?), then run again with force "
            "or a higher DeactivationThreshold",
            deactivations=deactivations,
            managed=managed,
            limit=limit,
        )


@attrs.frozen(kw_only=True)
class SyncSettings:
    """
    How a sync behaves.

    Attributes:
        ninjio: The NINJIO tenant's placement settings (N1-N4), for the plan's
            predictions and for refusing to take over NINJIO's own groups.
        threshold: The deactivation threshold; None turns it off.
        member_chunk_size: The most members one membership PATCH carries (G3).
    """

    ninjio: NinjioSettings = attrs.Factory(NinjioSettings)
    threshold: DeactivationThreshold | None = attrs.Factory(DeactivationThreshold)
    member_chunk_size: int = 100

    def __attrs_post_init__(self) -> None:
        if self.member_chunk_size < 1:
            raise ConfigurationError(
                f"member_chunk_size must be at least 1, got {self.member_chunk_size}"
            )


# --- Import (M1) ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ImportCandidate:
    """
    A NINJIO user, as JumpCloud's manual import lists it (rule M1).

    Attributes:
        user: The NINJIO user.
        status: ``"Imported"`` when a JumpCloud user has the same email
            (compared without case), else ``"New"``.
        jumpcloud_id: The matching JumpCloud user's id, if any.
        managed: Whether that JumpCloud user is in a bound group, and so
            managed (imported users are managed only once they are, U1).
    """

    user: User
    status: Literal["New", "Imported"]
    jumpcloud_id: str | None = None
    managed: bool = False


def import_candidates(
    ninjio_users: Sequence[User], directory: Directory
) -> tuple[ImportCandidate, ...]:
    """
    List NINJIO users for import, new ones first (rule M1).

    A NINJIO user is Imported when a JumpCloud user has the same email,
    compared without case; otherwise New. Within each status users keep
    NINJIO's order.
    """
    by_email = {user.email.lower(): user.id for user in directory.users if user.email}
    scope = directory.bound_member_ids
    found: list[ImportCandidate] = []
    for user in ninjio_users:
        emails = [e.value.lower() for e in user.emails if e.value]
        match = next((by_email[e] for e in emails if e in by_email), None)
        found.append(
            ImportCandidate(
                user=user,
                status="New" if match is None else "Imported",
                jumpcloud_id=match,
                managed=match is not None and match in scope,
            )
        )

    return tuple(sorted(found, key=lambda c: c.status != "New"))
