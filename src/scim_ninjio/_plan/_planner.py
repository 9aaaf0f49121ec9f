"""
Reconcile JumpCloud, NINJIO and the ledger into an ordered plan.

JumpCloud says what should be, NINJIO what is, and the ledger what this
integration manages; the result is a :class:`~scim_ninjio.Plan`.

The planner is a pure function of three snapshots and the settings; it does
no I/O. How it decides, in the order it decides:

1. **Scope** (U1, U4). Users in at least one bound group, not staged. Users
   that cannot be mapped are set aside as problems (U7) and left untouched:
   no update, no deactivation, no membership change, so a typo in JumpCloud
   can never take an account away.
2. **Users** (U2, U3, U4). A user the ledger links to a live NINJIO account
   is compared attribute by attribute (see ``_projection``); one that is not
   linked is looked up by userName, then by email, without case, and adopted
   if found (never duplicated), created otherwise. A NINJIO account that the
   ledger already links to another JumpCloud user is never adopted twice.
3. **Groups** (G1, G2, G4, G7). Only with group management on. A bound group
   with at least one in-scope member is found through the ledger (renamed if
   its name changed), else taken over by name, else created. NINJIO's own
   placement groups (the default group, department groups, "Undefined") are
   never taken over: their membership belongs to NINJIO (N1, N2, N4).
4. **Memberships** (G3). Desired members are the group's in-scope members;
   only members the integration manages are ever removed.
5. **Leaving** (G5, G6, U5). Only after a complete read of the source:
   managed groups that were unbound are released as they are, those deleted
   in JumpCloud are deleted, and managed users out of scope are deactivated.
   With an incomplete source the plan only creates and updates, and says so.

A *targeted* plan (G8) runs the same decisions for the users and groups an
event names, and nothing else, so that handling an event leaves NINJIO as a
full reconcile would.
"""

from __future__ import annotations

import contextlib
import functools
import gc

from collections.abc import Iterable, Iterator, Sequence

import attrs

from scim_ninjio import policy
from scim_ninjio._plan import _projection
from scim_ninjio._plan._steps import (
    AddMembers,
    AdoptUser,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    Plan,
    Problem,
    ReleaseGroup,
    RelinkGroup,
    RemoveMembers,
    RenameGroup,
    Step,
    TakeOverGroup,
    UpdateUser,
)
from scim_ninjio.jumpcloud import Directory, SystemUser, UserGroup
from scim_ninjio.ledger import GroupLink, LedgerState
from scim_ninjio.mapping import is_staged, to_scim_user, unmappable_users
from scim_ninjio.models import Group, User
from scim_ninjio.policy import (
    Placement,
    RuleId,
    SyncSettings,
    department_placement,
    place_user,
)


__all__ = ["NinjioState", "Targets", "make_plan"]


@attrs.frozen(kw_only=True)
class NinjioState:
    """
    What NINJIO holds, as read through the client.

    For a full reconcile it is every user and group; for an event, the
    accounts and groups the event concerns.

    Attributes:
        users: NINJIO's users.
        groups: NINJIO's groups, with their members.
    """

    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()


@attrs.frozen(kw_only=True)
class Targets:
    """
    The records a targeted plan covers (rule G8).

    Attributes:
        user_ids: JumpCloud user ids.
        group_ids: JumpCloud group ids.
    """

    user_ids: frozenset[str] = frozenset()
    group_ids: frozenset[str] = frozenset()


def make_plan(
    directory: Directory,
    ninjio: NinjioState,
    ledger: LedgerState,
    settings: SyncSettings,
    *,
    targets: Targets | None = None,
) -> Plan:
    """
    Decide what to change in NINJIO so that it matches JumpCloud.

    The cyclic garbage collector is paused while the plan is made (and
    restored as it was): planning allocates a handful of small, acyclic
    objects per user, and on a directory of 100,000 users the collector's
    passes over the whole heap would otherwise cost as much as the planning.

    Args:
        directory: The JumpCloud snapshot.
        ninjio: NINJIO's current state.
        ledger: What the integration manages.
        settings: The sync settings.
        targets: Plan only for these records (an event, G8); None plans for
            everything.

    Limitations:
        A linked group is renamed (G4) only when no other NINJIO group holds
        the new name, or when the group that holds it is renamed away in the
        same plan; two groups that swap names, or a name held by a group the
        integration does not manage, give a problem instead of a rename.
    """
    with _collector_paused():
        return _Planner(directory, ninjio, ledger, settings, targets).plan()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Planner:
    """One planning pass; its state lives as long as one call."""

    def __init__(
        self,
        directory: Directory,
        ninjio: NinjioState,
        ledger: LedgerState,
        settings: SyncSettings,
        targets: Targets | None,
    ) -> None:
        self.directory = directory
        self.ledger = ledger
        self.settings = settings
        self.targets = targets
        self.steps: list[Step] = []
        self.problems: list[Problem] = []
        self.notes: list[str] = []

        self.ninjio = ninjio
        self.users_by_id = {u.id: u for u in ninjio.users if u.id}
        self.groups_by_id = {g.id: g for g in ninjio.groups if g.id}
        self.groups_by_name = {
            g.display_name.casefold(): g
            for g in ninjio.groups
            if g.id and g.display_name
        }
        #: NINJIO user id -> JumpCloud id, for every managed user.
        self.owner_of = {link.ninjio_id: jc for jc, link in ledger.users.items()}
        #: NINJIO group id -> JumpCloud id, for every linked group.
        self.group_owner_of = {link.ninjio_id: jc for jc, link in ledger.groups.items()}

        #: The NINJIO account of each in-scope user; None until created.
        self.account_of: dict[str, str | None] = {}
        #: JumpCloud user ids skipped as problems: never touched.
        self.skipped: set[str] = set()
        #: Names of the groups pushed in this plan, by JumpCloud id (N3).
        self.pushed: dict[str, str] = {}
        #: Each NINJIO group's member ids, computed once.
        self._members: dict[str, frozenset[str]] = {}
        self._groups_of: dict[str, list[GroupLink]] | None = None
        self.keep: frozenset[str] = frozenset()
        #: NINJIO account id -> JumpCloud id, for accounts adopted in this plan.
        self.claimed: dict[str, str] = {}
        #: The ids of the users in scope (U1, U4) that can be mapped (U7).
        self.scope: frozenset[str] = frozenset()

    # The indexes below serve only users without a ledger link: in a steady
    # state that is a few, so they are built on first use, not up front.

    @functools.cached_property
    def users_by_name(self) -> dict[str, User]:
        """NINJIO's users by case-folded userName."""
        return {
            u.user_name.casefold(): u for u in self.ninjio.users if u.id and u.user_name
        }

    @functools.cached_property
    def users_by_email(self) -> dict[str, User]:
        """NINJIO's users by each case-folded email address; first one wins."""
        found: dict[str, User] = {}
        for user in self.ninjio.users:
            for email in user.emails:
                if email.value and user.id:
                    found.setdefault(email.value.casefold(), user)

        return found

    # -- Entry point ---------------------------------------------------------

    def plan(self) -> Plan:
        scope = policy.in_scope(self.directory)
        good = self._check_records(scope)
        # Skipped users are few: the in-scope set less them is a fresh copy
        # of a large set, where a second membership test costs nothing.
        self.scope = scope if not self.skipped else scope - self.skipped
        self._plan_users(good)
        if self.directory.group_management:
            self._plan_groups(good)
        else:
            self.notes.append(
                "group management is off: no group or membership changes (G7)"
            )
        if self.directory.complete:
            if self.directory.group_management:
                self._plan_leaving_groups()
            self._plan_deactivations()
        else:
            self.notes.append(
                "the source was not read completely: this run only creates and "
                "updates; no one is deactivated, no member removed, no group "
                "deleted or released (U5)"
            )

        return Plan(
            steps=_ordered(self.steps),
            problems=tuple(
                sorted(self.problems, key=lambda p: (p.kind, p.jumpcloud_id))
            ),
            placements=self._placements(good),
            notes=tuple(self.notes),
            complete=self.directory.complete,
            group_management=self.directory.group_management,
            # Users deactivated before cannot be deactivated again: counting
            # them would let the threshold's share grow looser with every run.
            managed_users=sum(1 for link in self.ledger.users.values() if link.active),
            targeted=self.targets is not None,
        )

    def _wanted_user(self, jumpcloud_id: str) -> bool:
        return self.targets is None or jumpcloud_id in self.targets.user_ids

    def _wanted_group(self, jumpcloud_id: str) -> bool:
        return self.targets is None or jumpcloud_id in self.targets.group_ids

    # -- 1. Scope and bad records (U1, U4, U7) ----------------------------------

    def _check_records(self, scope: frozenset[str]) -> list[SystemUser]:
        users = [u for u in self.directory.users if u.id in scope]
        bad = unmappable_users(users)
        good = []
        for user in users:
            reasons = bad.get(user.id)
            if reasons is None:
                good.append(user)
                continue
            self.skipped.add(user.id)
            if self._wanted_user(user.id):
                self.problems.append(
                    Problem(
                        kind="user",
                        jumpcloud_id=user.id,
                        name=user.username,
                        rule="U7",
                        reason=" ".join(reasons),
                    )
                )

        return good

    # -- 2. Users (U2, U3, U4) --------------------------------------------------

    def _plan_users(self, good: Iterable[SystemUser]) -> None:
        claimed = self.claimed
        for user in good:
            if not self._wanted_user(user.id):
                # Outside the event, but its NINJIO account may still be
                # known, for the memberships the event changes.
                self._remember_account(user)
                continue
            desired = _projection.desired_row(user)
            link = self.ledger.users.get(user.id)
            account = self.users_by_id.get(link.ninjio_id) if link else None
            if account is not None and account.id is not None:
                self.account_of[user.id] = account.id
                self._update(
                    user, account, desired, was_active=link is None or link.active
                )
                continue
            match = self._match(user)
            if match is None:
                step_id = f"user.create:{user.id}"
                self.steps.append(
                    CreateUser(
                        id=step_id,
                        rule="U2",
                        reason="in scope, no NINJIO account with this userName "
                        "or email",
                        jumpcloud_id=user.id,
                        user_name=str(user.username),
                        user=to_scim_user(user),
                    )
                )
                self.account_of[user.id] = None
                continue
            assert match.id is not None  # noqa: S101 -- indexed by id above
            owner = self.owner_of.get(match.id) or claimed.get(match.id)
            if owner is not None and owner != user.id:
                self.skipped.add(user.id)
                self.problems.append(
                    Problem(
                        kind="user",
                        jumpcloud_id=user.id,
                        name=user.username,
                        rule="U2",
                        reason=f"NINJIO account {match.user_name!r} has the same "
                        f"userName or email but already belongs to JumpCloud user "
                        f"{owner}; make the usernames and emails unique in "
                        "JumpCloud",
                    )
                )
                continue
            claimed[match.id] = user.id
            step_id = f"user.adopt:{user.id}"
            how = (
                "userName"
                if (match.user_name or "").casefold() == str(user.username).casefold()
                else "email"
            )
            self.steps.append(
                AdoptUser(
                    id=step_id,
                    rule="U2",
                    reason=f"NINJIO already has this account (same {how}); it is "
                    "adopted and updated, never duplicated",
                    jumpcloud_id=user.id,
                    ninjio_id=match.id,
                    user_name=str(user.username),
                    operations=_projection.operations(
                        _projection.actual_row(match), desired
                    ),
                    active=policy.desired_active(user),
                )
            )
            self.account_of[user.id] = match.id

    def _remember_account(self, user: SystemUser) -> None:
        link = self.ledger.users.get(user.id)
        if link is not None:
            self.account_of[user.id] = link.ninjio_id

    def _match(self, user: SystemUser) -> User | None:
        found = self.users_by_name.get(str(user.username).casefold())
        if found is None and user.email:
            found = self.users_by_email.get(user.email.casefold())

        return found

    def _update(
        self,
        user: SystemUser,
        account: User,
        desired: _projection.Row,
        *,
        was_active: bool,
    ) -> None:
        actual = _projection.actual_row(account)
        paths = _projection.changed_paths(actual, desired)
        if not paths:
            return
        rule: RuleId = "U3"
        if paths == ("active",):
            rule = "U4"
            reason = (
                "active in JumpCloud"
                if policy.desired_active(user)
                else "suspended or not activated in JumpCloud"
            )
            if policy.desired_active(user) and not was_active:
                rule, reason = "U1", "back in scope: in a bound group again"
        else:
            reason = "changed in JumpCloud: " + ", ".join(_short(p) for p in paths)
        self.steps.append(
            UpdateUser(
                id=f"user.update:{user.id}",
                rule=rule,
                reason=reason,
                jumpcloud_id=user.id,
                ninjio_id=str(account.id),
                user_name=str(user.username),
                operations=_projection.operations(actual, desired),
            )
        )

    # -- 3 and 4. Groups and memberships (G1-G4, G7) ---------------------------

    def _plan_groups(self, good: Sequence[SystemUser]) -> None:
        in_scope = self.scope
        reserved = self._placement_names(good)
        # Skipped users' accounts keep their memberships (U7); only accounts
        # the integration manages are ever removed (G3, U6).
        self.keep = frozenset(
            link.ninjio_id
            for jc in self.skipped
            if (link := self.ledger.users.get(jc)) is not None
        )
        for group in sorted(self.directory.bound_groups, key=lambda g: (g.name, g.id)):
            members = [m for m in group.member_ids if m in in_scope]
            if not self._wanted_group(group.id):
                if members:
                    self.pushed[group.id] = group.name
                continue
            found = self._find_group(group, members, reserved)
            if found is None:
                continue
            ninjio_id, current, depends = found
            self.pushed[group.id] = group.name
            self._plan_members(group, ninjio_id, current, members, depends)

    def _find_group(
        self, group: UserGroup, members: Sequence[str], reserved: frozenset[str]
    ) -> tuple[str | None, frozenset[str], tuple[str, ...]] | None:
        """The group's NINJIO id, its current members, and the step to wait for."""
        link = self.ledger.groups.get(group.id)
        existing = self.groups_by_id.get(link.ninjio_id) if link else None
        if link is not None and existing is not None and existing.id is not None:
            depends: tuple[str, ...] = ()
            if not (link.managed and link.bound):
                step_id = f"group.relink:{group.id}"
                self.steps.append(
                    RelinkGroup(
                        id=step_id,
                        rule="G1",
                        reason="bound again; found through the ledger, not created "
                        "twice",
                        jumpcloud_id=group.id,
                        ninjio_id=existing.id,
                        display_name=group.name,
                    )
                )
                depends = (step_id,)
            if existing.display_name != group.name:
                self._rename(group, existing)
            return existing.id, self._member_ids(existing), depends
        if not members:
            return None  # G1: empty groups are not created.
        if group.name.casefold() in reserved:
            self._group_problem(
                group,
                "G2",
                f"NINJIO places users in its own group {group.name!r} (N1, N2, N4); "
                "taking it over would fight NINJIO over its members. Rename the "
                "JumpCloud group",
            )
            return None
        match = self.groups_by_name.get(group.name.casefold())
        if match is not None and match.id is not None:
            owner = self.group_owner_of.get(match.id)
            if owner is not None and owner != group.id:
                self._group_problem(
                    group,
                    "G2",
                    f"the NINJIO group {match.display_name!r} already belongs to "
                    f"JumpCloud group {owner}; give the groups different names",
                )
                return None
            self.group_owner_of[match.id] = group.id
            step_id = f"group.take_over:{group.id}"
            self.steps.append(
                TakeOverGroup(
                    id=step_id,
                    rule="G2",
                    reason="NINJIO already has a group of this name",
                    jumpcloud_id=group.id,
                    ninjio_id=match.id,
                    display_name=group.name,
                )
            )
            if match.display_name != group.name:
                # Matched without case: give it the JumpCloud spelling (G1), or
                # the next plan would rename it.
                self.steps.append(
                    RenameGroup(
                        id=f"group.rename:{group.id}",
                        rule="G2",
                        reason="taken over by name; NINJIO spells it differently",
                        depends_on=(step_id,),
                        jumpcloud_id=group.id,
                        ninjio_id=match.id,
                        old_name=match.display_name or "",
                        display_name=group.name,
                    )
                )
            return match.id, self._member_ids(match), (step_id,)
        step_id = f"group.create:{group.id}"
        self.steps.append(
            CreateGroup(
                id=step_id,
                rule="G1",
                reason=f"bound, with {len(members)} in-scope member"
                + ("s" if len(members) != 1 else ""),
                jumpcloud_id=group.id,
                display_name=group.name,
            )
        )
        return None, frozenset(), (step_id,)

    def _rename(self, group: UserGroup, existing: Group) -> None:
        """Rename a linked group (G4), unless another NINJIO group has the name."""
        assert existing.id is not None  # noqa: S101 -- linked groups have ids
        holder = self.groups_by_name.get(group.name.casefold())
        waits: tuple[str, ...] = ()
        if holder is not None and holder.id != existing.id:
            owner = self.group_owner_of.get(str(holder.id))
            renamed_away = (
                owner is not None
                and owner in self.directory.bound_group_ids
                and self._wanted_group(owner)
                and (leaving := self.directory.find_group(owner)) is not None
                and leaving.name.casefold() != group.name.casefold()
            )
            if not renamed_away:
                self._group_problem(
                    group,
                    "G4",
                    f"NINJIO already has another group named "
                    f"{holder.display_name!r} (id {holder.id}), so the group "
                    f"{existing.display_name!r} cannot take that name; rename or "
                    "remove one of the two",
                )
                return
            # Its JumpCloud group was renamed too: that rename frees the name.
            waits = (f"group.rename:{owner}",)
        self.steps.append(
            RenameGroup(
                id=f"group.rename:{group.id}",
                rule="G4",
                reason="renamed in JumpCloud; found through the ledger",
                depends_on=waits,
                jumpcloud_id=group.id,
                ninjio_id=existing.id,
                old_name=existing.display_name or "",
                display_name=group.name,
            )
        )

    def _plan_members(
        self,
        group: UserGroup,
        ninjio_id: str | None,
        current: frozenset[str],
        members: Sequence[str],
        depends: tuple[str, ...],
    ) -> None:
        chunk = self.settings.member_chunk_size
        to_add = [
            m
            for m in members
            if (account := self.account_of.get(m)) is None or account not in current
        ]
        for start in range(0, len(to_add), chunk):
            part = to_add[start : start + chunk]
            # Members whose create fails are left out when the step runs (their
            # NINJIO ids come from the ledger); only the group is a hard need.
            self.steps.append(
                AddMembers(
                    id=f"group.add_members:{group.id}:{start // chunk}",
                    rule="G3",
                    reason="in-scope members of the JumpCloud group",
                    depends_on=depends,
                    jumpcloud_id=group.id,
                    ninjio_id=ninjio_id,
                    display_name=group.name,
                    member_jumpcloud_ids=tuple(part),
                    member_names=tuple(self._jumpcloud_name(m) for m in part),
                )
            )
        if ninjio_id is None or not self.directory.complete:
            return
        wanted = {self.account_of.get(m) for m in members}
        to_remove = sorted(
            m
            for m in current
            if self._manages(m) and m not in wanted and m not in self.keep
        )
        for start in range(0, len(to_remove), chunk):
            part = to_remove[start : start + chunk]
            self.steps.append(
                RemoveMembers(
                    id=f"group.remove_members:{group.id}:{start // chunk}",
                    rule="G3",
                    reason="managed members no longer in the JumpCloud group's scope",
                    jumpcloud_id=group.id,
                    ninjio_id=ninjio_id,
                    display_name=group.name,
                    member_ids=tuple(part),
                    member_names=tuple(self._user_name(i) for i in part),
                )
            )

    def _manages(self, ninjio_id: str) -> bool:
        """Whether the integration manages this account: linked, or adopted now."""
        return ninjio_id in self.owner_of or ninjio_id in self.claimed

    def _jumpcloud_name(self, jumpcloud_id: str) -> str:
        user = self.directory.find_user(jumpcloud_id)
        return user.username if user is not None and user.username else jumpcloud_id

    def _user_name(self, ninjio_id: str) -> str:
        owner = self.owner_of.get(ninjio_id)
        link = self.ledger.users.get(owner) if owner else None
        if link is not None:
            return link.user_name
        account = self.users_by_id.get(ninjio_id)

        return account.user_name if account and account.user_name else ninjio_id

    def _group_problem(self, group: UserGroup, rule: RuleId, reason: str) -> None:
        self.problems.append(
            Problem(
                kind="group",
                jumpcloud_id=group.id,
                name=group.name,
                rule=rule,
                reason=reason,
            )
        )

    def _placement_names(self, good: Sequence[SystemUser]) -> frozenset[str]:
        ninjio = self.settings.ninjio
        if ninjio.default_group:
            return frozenset({ninjio.default_group_name.casefold()})
        departments = {u.department.strip().casefold() for u in good if u.department}

        return frozenset({ninjio.undefined_group_name.casefold(), *departments})

    # -- 5. Leaving (G5, G6, U5) -------------------------------------------------

    def _plan_leaving_groups(self) -> None:
        for jc_id, link in sorted(self.ledger.groups.items()):
            if not link.managed or not self._wanted_group(jc_id):
                continue
            group = self.directory.find_group(jc_id)
            if group is None:
                self.steps.append(
                    DeleteGroup(
                        id=f"group.delete:{jc_id}",
                        rule="G6",
                        reason="deleted in JumpCloud",
                        jumpcloud_id=jc_id,
                        ninjio_id=link.ninjio_id,
                        display_name=link.display_name,
                    )
                )
            elif jc_id not in self.directory.bound_group_ids:
                self.steps.append(
                    ReleaseGroup(
                        id=f"group.release:{jc_id}",
                        rule="G5",
                        reason="unbound from the application; left as it is",
                        jumpcloud_id=jc_id,
                        ninjio_id=link.ninjio_id,
                        display_name=link.display_name,
                    )
                )

    def _plan_deactivations(self) -> None:
        in_scope = self.scope
        # No sort here: the plan orders its steps once, at the end.
        for jc_id, link in self.ledger.users.items():
            if jc_id in in_scope or jc_id in self.skipped:
                continue
            if not self._wanted_user(jc_id):
                continue
            account = self.users_by_id.get(link.ninjio_id)
            if account is None or account.active is False:
                continue
            rule, reason = self._why_out(jc_id, link.ninjio_id)
            self.steps.append(
                DeactivateUser(
                    id=f"user.deactivate:{jc_id}",
                    rule=rule,
                    reason=reason,
                    jumpcloud_id=jc_id,
                    ninjio_id=link.ninjio_id,
                    user_name=link.user_name,
                )
            )

    def _why_out(self, jc_id: str, ninjio_id: str) -> tuple[RuleId, str]:
        user = self.directory.find_user(jc_id)
        if user is None:
            return "U5", "deleted in JumpCloud"
        if is_staged(user):
            return "U4", "staged in JumpCloud; staged users are not pushed"
        was_in = self._managed_groups_of().get(ninjio_id, [])
        for link in was_in:
            if self.directory.find_group(link.jumpcloud_id) is None:
                return "G6", (
                    f"group {link.display_name!r} was deleted and no other bound "
                    "group keeps them in scope"
                )
        for link in was_in:
            if link.jumpcloud_id not in self.directory.bound_group_ids:
                return "G5", (
                    f"group {link.display_name!r} was unbound and no other bound "
                    "group keeps them in scope"
                )
        names = ", ".join(repr(link.display_name) for link in was_in)
        where = f" (was in {names})" if names else ""

        return "U5", f"removed from every bound group{where}"

    def _managed_groups_of(self) -> dict[str, list[GroupLink]]:
        """The managed groups that hold each NINJIO account (built once)."""
        if self._groups_of is None:
            self._groups_of = {}
            for link in sorted(
                self.ledger.groups.values(), key=lambda g: g.display_name
            ):
                if not link.managed:
                    continue
                for member in self._member_ids(self.groups_by_id.get(link.ninjio_id)):
                    self._groups_of.setdefault(member, []).append(link)

        return self._groups_of

    def _member_ids(self, group: Group | None) -> frozenset[str]:
        if group is None or group.id is None:
            return frozenset()
        found = self._members.get(group.id)
        if found is None:
            found = frozenset(m.value for m in group.members if m.value)
            self._members[group.id] = found

        return found

    # -- Placement (N1-N4) --------------------------------------------------------

    def _placements(self, good: Sequence[SystemUser]) -> dict[str, Placement]:
        ninjio = self.settings.ninjio
        pushed = self.pushed
        # Under N1 and N2 a user's groups do not matter and placements are
        # few: one for everyone, or one per department. Each is decided once,
        # so that a plan for 100,000 users does not hold 100,000 equal values
        # nor look up anyone's groups.
        by_department: dict[str | None, Placement | None] = {}
        placements: dict[str, Placement] = {}
        for user in good:
            if not self._wanted_user(user.id):
                continue
            department = user.department
            if department in by_department:
                found = by_department[department]
            else:
                found = by_department[department] = department_placement(
                    department=department, settings=ninjio
                )
            if found is None:
                found = place_user(
                    department=department,
                    pushed_groups=[
                        pushed[group.id]
                        for group in self.directory.groups_of(user.id)
                        if group.id in pushed
                    ],
                    settings=ninjio,
                )
            placements[user.id] = found

        return placements


def _short(path: str) -> str:
    return path.rsplit(":", 1)[-1].split("[", 1)[0]


def _ordered(steps: Sequence[Step]) -> tuple[Step, ...]:
    """
    Order steps by phase, then name, then id, each after the steps it needs.

    A rename of a group taken over by name sorts before the take-over
    (``group.rename`` < ``group.take_over``), so a step whose dependency in
    the plan is not yet placed waits for it and follows it directly.
    """
    ranked = sorted(steps, key=lambda s: (s.phase, _sort_name(s), s.id))
    planned = {step.id for step in ranked}
    placed: set[str] = set()
    ordered: list[Step] = []
    waiting: dict[str, list[Step]] = {}

    def place(step: Step) -> None:
        missing = next(
            (d for d in step.depends_on if d in planned and d not in placed), None
        )
        if missing is not None:
            waiting.setdefault(missing, []).append(step)
            return
        ordered.append(step)
        placed.add(step.id)
        for follower in waiting.pop(step.id, ()):
            place(follower)

    for step in ranked:
        place(step)
    # The planner makes no cycles; were there one, its steps keep their rank.
    ordered += [step for step in ranked if step.id not in placed]

    return tuple(ordered)


def _sort_name(step: Step) -> str:
    name = getattr(step, "user_name", None) or getattr(step, "display_name", "")
    return str(name).casefold()
