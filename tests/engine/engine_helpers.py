"""
Builders and assertions shared by the engine's tests.

Every test runs the engine against an :class:`Emulator` through the in-memory
transport (``authorize=True``, so the bearer token reaches it) and checks the
emulator's state and request log, never the engine's own account of itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client import NinjioClient
from scim_ninjio.engine import Engine, Report, StepRecord
from scim_ninjio.jumpcloud import Directory, SystemUser, UserGroup
from scim_ninjio.ledger import Ledger, MemoryLedger
from scim_ninjio.mapping import to_scim_user, unmappable_users
from scim_ninjio.models import Group, User
from scim_ninjio.policy import NinjioSettings, SyncSettings, in_scope
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator, FaultInjector, FaultPlan
from scim_ninjio.testing.emulator import NINJIO_PROFILE, EmulatorProfile, LoggedRequest
from scim_ninjio.transports import MemoryTransport


BASE_URL = "https://ninjio.example/scim/v2"

#: The methods that change something on the server.
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Placement with NINJIO's "Set as default group" turned off (N2-N4).
BY_DEPARTMENT = NinjioSettings(default_group=False)


# --- JumpCloud records ----------------------------------------------------------


def person(uid: str, name: str, **extra: Any) -> SystemUser:
    """An active JumpCloud user with every mapped attribute set."""
    fields: dict[str, Any] = {
        "username": name,
        "email": f"{name}@example.com",
        "firstname": name.title(),
        "lastname": "Example",
        "employee_identifier": f"E-{uid}",
        "job_title": "Analyst",
        "activated": True,
    }
    fields.update(extra)
    return SystemUser(id=uid, **fields)


def team(gid: str, name: str, *members: str) -> UserGroup:
    """A JumpCloud user group."""
    return UserGroup(id=gid, name=name, member_ids=members)


def directory(
    users: Iterable[SystemUser],
    groups: Iterable[UserGroup] = (),
    bound: Iterable[str] | None = None,
    *,
    management: bool = True,
    complete: bool = True,
) -> Directory:
    """A JumpCloud snapshot; every group is bound unless ``bound`` says."""
    groups = list(groups)
    return Directory(
        users=list(users),
        groups=groups,
        bound_group_ids=[g.id for g in groups] if bound is None else list(bound),
        group_management=management,
        complete=complete,
    )


# --- The rig: emulator, client, ledger, engine --------------------------------------


@attrs.define
class Rig:
    """An emulator with an engine wired to it, and ways to look at both."""

    emulator: Emulator
    injector: FaultInjector
    client: NinjioClient
    ledger: Ledger
    engine: Engine
    records: list[StepRecord] = attrs.Factory(list)

    def sync(self, snapshot: Directory, **options: Any) -> Report:
        """Run a full reconcile."""
        return self.engine.sync(snapshot, **options)

    def mark(self) -> int:
        """The number of the last request the emulator received."""
        log = self.emulator.requests
        return log[-1].seq if log else 0

    def since(self, mark: int) -> list[LoggedRequest]:
        """The requests received after ``mark``."""
        return [r for r in self.emulator.requests if r.seq > mark]

    def writes_since(self, mark: int) -> list[LoggedRequest]:
        """The requests that change something, received after ``mark``."""
        return [r for r in self.since(mark) if r.method in WRITES]

    def account(self, jumpcloud_id: str) -> User:
        """The NINJIO account the ledger links to a JumpCloud user."""
        link = self.ledger.user(jumpcloud_id)
        assert link is not None, f"{jumpcloud_id} is not linked"
        return self.emulator.get_user(link.ninjio_id)

    def group(self, jumpcloud_id: str) -> Group:
        """The NINJIO group the ledger links to a JumpCloud group."""
        link = self.ledger.group(jumpcloud_id)
        assert link is not None, f"{jumpcloud_id} is not linked"
        return self.emulator.get_group(link.ninjio_id)

    def member_names(self, group: Group) -> set[str]:
        """The userNames of a NINJIO group's members."""
        return {str(self.emulator.get_user(m.value).user_name) for m in group.members}

    def user_names(self) -> set[str]:
        """Every userName NINJIO holds."""
        return {str(u.user_name) for u in self.emulator.users}


def make_rig(
    *,
    placement: NinjioSettings | None = None,
    settings: SyncSettings | None = None,
    ledger: Ledger | None = None,
    faults: FaultPlan | None = None,
    on_record: Callable[[StepRecord], None] | None = None,
    profile: EmulatorProfile = NINJIO_PROFILE,
) -> Rig:
    """Build an emulator and an engine bound to it through a fault injector."""
    placement = placement or NinjioSettings()
    emulator = Emulator(placement=placement, log_size=None, profile=profile)
    injector = FaultInjector(emulator, faults or FaultPlan())
    client = NinjioClient(
        BASE_URL,
        DEFAULT_TOKEN,
        transport=MemoryTransport(injector.handle, authorize=True),
        retry=RetryPolicy(wait=False),
    )
    ledger = ledger if ledger is not None else MemoryLedger()
    settings = settings or SyncSettings(ninjio=placement)
    records: list[StepRecord] = []

    def collect(record: StepRecord) -> None:
        records.append(record)
        if on_record is not None:
            on_record(record)

    engine = Engine(client, ledger, settings, on_record=collect)
    return Rig(emulator, injector, client, ledger, engine, records)


# --- Assertions -----------------------------------------------------------------------


def assert_no_user_deleted(emulator: Emulator) -> None:
    """No DELETE was ever sent for a user, and every account is still there."""
    deletes = [
        r
        for r in emulator.requests
        if r.method == "DELETE" and r.path.lower().startswith("/users")
    ]
    assert not deletes, f"users were deleted: {[r.target for r in deletes]}"


def assert_converged(engine: Engine, snapshot: Directory) -> None:
    """Planning again after a successful run changes nothing."""
    again = engine.plan(snapshot)
    assert again.empty, again.explain()


def mapped(user: User) -> tuple[Any, ...]:
    """The attributes of the mapping table, as NINJIO holds them."""
    return (
        user.user_name,
        user.active,
        tuple((e.value, e.type, e.primary) for e in user.emails),
        user.external_id,
        user.name.given_name if user.name else None,
        user.name.family_name if user.name else None,
        user.title,
        user.enterprise.department if user.enterprise else None,
    )


def documents(emulator: Emulator, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored JSON of users and groups, for "left untouched" checks."""
    out = {}
    for resource_id in ids:
        document = emulator.document(resource_id)
        # A user's groups are NINJIO's placement, which is not a change to them.
        document.pop("groups", None)
        out[resource_id] = document
    return out


def _placement_names(
    placement: NinjioSettings, snapshot: Directory, scope: frozenset[str]
) -> set[str]:
    if placement.default_group:
        return {placement.default_group_name.casefold()}
    departments = {
        str(u.department).strip().casefold()
        for u in snapshot.users
        if u.id in scope and u.department
    }
    return {placement.undefined_group_name.casefold(), *departments}


def check_rules(
    rig: Rig, snapshot: Directory, untouched: Mapping[str, dict[str, Any]]
) -> None:
    """
    Check NINJIO against the rules after a successful sync of ``snapshot``.

    In-scope users exist, with their mapped attributes and status (U1-U4);
    managed users out of scope are inactive (U5); no user was deleted (U5);
    the resources in ``untouched`` are as they were (U6); and with group
    management on, every bound group's members are its in-scope members (G3).
    """
    assert_no_user_deleted(rig.emulator)
    # Users that cannot be mapped are reported and left alone (U7).
    scope = in_scope(snapshot)
    bad = frozenset(unmappable_users(snapshot.find_user(u) for u in scope))
    state = rig.ledger.state()
    for jc_id in scope - bad:
        user = snapshot.find_user(jc_id)
        assert user is not None
        account = rig.account(jc_id)
        assert mapped(account) == mapped(to_scim_user(user)), user.username
    for jc_id, link in state.users.items():
        if jc_id not in scope:
            account = rig.emulator.get_user(link.ninjio_id)
            assert account.active is False, f"{link.user_name} left scope, still active"
    assert documents(rig.emulator, untouched) == dict(untouched)
    if not snapshot.group_management:
        return
    reserved = _placement_names(rig.engine.settings.ninjio, snapshot, scope - bad)
    kept = {state.users[u].ninjio_id for u in bad if u in state.users}
    for group in snapshot.bound_groups:
        members = {m for m in group.member_ids if m in scope - bad}
        link = state.groups.get(group.id)
        if link is None:
            # NINJIO's own placement groups are never taken over (G2).
            assert not members or group.name.casefold() in reserved, group.name
            continue
        ninjio = rig.emulator.get_group(link.ninjio_id)
        holders = {
            g.id
            for g in rig.emulator.groups
            if (g.display_name or "").casefold() == group.name.casefold()
        }
        # Another NINJIO group with the new name blocks a rename (G4).
        assert ninjio.display_name == group.name or holders - {ninjio.id}
        managed = {
            m.value
            for m in ninjio.members
            if m.value in state.managed_ninjio_user_ids and m.value not in kept
        }
        assert managed == {state.users[m].ninjio_id for m in members}, group.name


# --- Changes in JumpCloud, as the events of rule G8 describe them ------------------


def _groups(
    snapshot: Directory, gid: str, change: Callable[[UserGroup], UserGroup | None]
) -> list[UserGroup]:
    out = []
    for group in snapshot.groups:
        if group.id == gid:
            changed = change(group)
            if changed is not None:
                out.append(changed)
        else:
            out.append(group)
    return out


def add_member(snapshot: Directory, gid: str, uid: str) -> Directory:
    """``uid`` joins group ``gid``."""
    groups = _groups(
        snapshot, gid, lambda g: attrs.evolve(g, member_ids=(*g.member_ids, uid))
    )
    return attrs.evolve(snapshot, groups=groups)


def remove_member(snapshot: Directory, gid: str, uid: str) -> Directory:
    """``uid`` leaves group ``gid``."""
    groups = _groups(
        snapshot,
        gid,
        lambda g: attrs.evolve(g, member_ids=[m for m in g.member_ids if m != uid]),
    )
    return attrs.evolve(snapshot, groups=groups)


def rename_group(snapshot: Directory, gid: str, name: str) -> Directory:
    """Group ``gid`` is renamed."""
    groups = _groups(snapshot, gid, lambda g: attrs.evolve(g, name=name))
    return attrs.evolve(snapshot, groups=groups)


def delete_group(snapshot: Directory, gid: str) -> Directory:
    """Group ``gid`` is deleted (and so unbound)."""
    return attrs.evolve(
        snapshot,
        groups=_groups(snapshot, gid, lambda g: None),
        bound_group_ids=snapshot.bound_group_ids - {gid},
    )


def create_group(
    snapshot: Directory, group: UserGroup, *, bound: bool = True
) -> Directory:
    """A new group, bound or not."""
    ids = snapshot.bound_group_ids | {group.id} if bound else snapshot.bound_group_ids
    return attrs.evolve(snapshot, groups=[*snapshot.groups, group], bound_group_ids=ids)


def bind(snapshot: Directory, gid: str, *, bound: bool = True) -> Directory:
    """Group ``gid`` is bound to the application, or unbound."""
    ids = (
        snapshot.bound_group_ids | {gid} if bound else snapshot.bound_group_ids - {gid}
    )
    return attrs.evolve(snapshot, bound_group_ids=ids)


def change_user(snapshot: Directory, uid: str, **fields: Any) -> Directory:
    """User ``uid``'s properties change."""
    users = [attrs.evolve(u, **fields) if u.id == uid else u for u in snapshot.users]
    return attrs.evolve(snapshot, users=users)


def add_user(snapshot: Directory, user: SystemUser) -> Directory:
    """A new user, in no group yet."""
    return attrs.evolve(snapshot, users=[*snapshot.users, user])


def delete_user(snapshot: Directory, uid: str) -> Directory:
    """User ``uid`` is deleted, and so leaves every group."""
    groups = [
        attrs.evolve(g, member_ids=[m for m in g.member_ids if m != uid])
        for g in snapshot.groups
    ]
    return attrs.evolve(
        snapshot, users=[u for u in snapshot.users if u.id != uid], groups=groups
    )


def manage_groups(snapshot: Directory, enabled: bool) -> Directory:
    """Group management is turned on or off (rule G7)."""
    return attrs.evolve(snapshot, group_management=enabled)
