"""
What each step does, written once for the sync and the async engine.

A step's logic is a generator: it yields :class:`Call` values (a client
method and its arguments), receives the result, writes the ledger, and
returns the step's :class:`StepRecord`. The sync engine answers the calls
with :class:`~scim_ninjio.client.NinjioClient`, the async engine with
:class:`~scim_ninjio.client.AsyncNinjioClient`; a client error is thrown back
into the generator, which may handle it (a group already gone is deleted)
or let it end the step as failed.

The ledger is written in a transaction right after the change it records
succeeded, so that a run killed between two steps resumes where it stopped
(see :mod:`scim_ninjio.ledger`).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

import attrs

from scim_ninjio._filter import eq, render
from scim_ninjio._plan import (
    AddMembers,
    AdoptUser,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    NinjioState,
    ReleaseGroup,
    RelinkGroup,
    RemoveMembers,
    RenameGroup,
    Step,
    TakeOverGroup,
    Targets,
    UpdateUser,
)
from scim_ninjio._plan._projection import actual_row, operations
from scim_ninjio.engine._report import EVENT_NAMES, StepRecord
from scim_ninjio.exceptions import NotFoundError
from scim_ninjio.jumpcloud import Directory
from scim_ninjio.ledger import GroupLink, Ledger, UserLink
from scim_ninjio.models import Group, User
from scim_ninjio.policy import in_scope


__all__ = ["Call", "Logic", "execute", "read_all", "read_targets"]


@attrs.frozen
class Call:
    """
    A client call that a step needs made.

    Attributes:
        method: The client method's name (``"create_user"``).
        args: Its positional arguments.
        kwargs: Its keyword arguments.
        collect: The method returns an iterator: collect it into a list.
    """

    method: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = attrs.field(factory=dict)
    collect: bool = False


#: A step's logic: yields calls, receives their results, returns its record.
Logic = Generator[Call, Any, StepRecord]


def _done(step: Step, *, ninjio_id: str | None = None, **extra: Any) -> StepRecord:
    detail = extra.pop("detail", step.reason)
    return StepRecord(
        event=extra.pop("event", EVENT_NAMES[step.action]),
        step_id=step.id,
        action=step.action,
        rule=step.rule,
        subject=step.subject,
        status="done",
        detail=detail,
        jumpcloud_id=getattr(step, "jumpcloud_id", ""),
        ninjio_id=ninjio_id
        if ninjio_id is not None
        else getattr(step, "ninjio_id", None),
        **extra,
    )


def failed(step: Step, error: BaseException) -> StepRecord:
    """The record of a step that raised ``error``."""
    return StepRecord(
        event="lookup.failed" if isinstance(step, AdoptUser) else "step.failed",
        step_id=step.id,
        action=step.action,
        rule=step.rule,
        subject=step.subject,
        status="failed",
        detail=str(error) or type(error).__name__,
        jumpcloud_id=getattr(step, "jumpcloud_id", ""),
        ninjio_id=getattr(step, "ninjio_id", None),
        error_type=type(error).__name__,
    )


def skipped(step: Step, because: str) -> StepRecord:
    """The record of a step skipped because a step it needs did not succeed."""
    return StepRecord(
        event="step.skipped",
        step_id=step.id,
        action=step.action,
        rule=step.rule,
        subject=step.subject,
        status="skipped",
        detail=because,
        jumpcloud_id=getattr(step, "jumpcloud_id", ""),
        ninjio_id=getattr(step, "ninjio_id", None),
    )


def execute(step: Step, ledger: Ledger) -> Logic:
    """Return the logic of one step."""
    if step.ledger_only:
        yield from ()  # Only the ledger changes: no client call.
        record: StepRecord = _LEDGER_HANDLERS[type(step)](step, ledger)
        return record
    logic: Logic = _HANDLERS[type(step)](step, ledger)
    return (yield from logic)


# --- Users ------------------------------------------------------------------------


def _create_user(step: CreateUser, ledger: Ledger) -> Logic:
    created = yield Call("create_user", (step.user,))
    resource: User = created.resource
    if created.adopted:
        # The account existed after all (a race, or an answer lost on an
        # earlier run): bring it in line like any adopted account (U2).
        changes = operations(actual_row(resource), actual_row(step.user))
        if changes:
            yield Call("patch_user", (resource.id, changes))
    with ledger.transaction():
        ledger.put_user(
            UserLink(
                jumpcloud_id=step.jumpcloud_id,
                ninjio_id=str(resource.id),
                user_name=step.user_name,
                origin="adopted" if created.adopted else "created",
                active=step.user.active is not False,
            )
        )

    return _done(
        step,
        ninjio_id=resource.id,
        adopted=created.adopted,
        event="user.adopted" if created.adopted else "user.created",
    )


def _adopt_user(step: AdoptUser, ledger: Ledger) -> Logic:
    if step.operations:
        yield Call("patch_user", (step.ninjio_id, step.operations))
    with ledger.transaction():
        ledger.put_user(
            UserLink(
                jumpcloud_id=step.jumpcloud_id,
                ninjio_id=step.ninjio_id,
                user_name=step.user_name,
                origin="adopted",
                active=step.active,
            )
        )

    return _done(step, adopted=True)


def _update_user(step: UpdateUser, ledger: Ledger) -> Logic:
    yield Call("patch_user", (step.ninjio_id, step.operations))
    link = ledger.user(step.jumpcloud_id)
    if link is not None:
        active = next(
            (bool(op.value) for op in step.operations if op.path == "active"),
            link.active,
        )
        with ledger.transaction():
            ledger.put_user(attrs.evolve(link, user_name=step.user_name, active=active))

    return _done(step)


def _deactivate_user(step: DeactivateUser, ledger: Ledger) -> Logic:
    yield Call("deactivate_user", (step.ninjio_id,))
    link = ledger.user(step.jumpcloud_id)
    if link is not None:
        with ledger.transaction():
            ledger.put_user(attrs.evolve(link, active=False))

    return _done(step)


# --- Groups -----------------------------------------------------------------------


def _create_group(step: CreateGroup, ledger: Ledger) -> Logic:
    created = yield Call("create_group", (Group(display_name=step.display_name),))
    resource: Group = created.resource
    with ledger.transaction():
        ledger.put_group(
            GroupLink(
                jumpcloud_id=step.jumpcloud_id,
                ninjio_id=str(resource.id),
                display_name=step.display_name,
                origin="taken_over" if created.adopted else "created",
            )
        )

    return _done(step, ninjio_id=resource.id, adopted=created.adopted)


def _take_over_group(step: TakeOverGroup, ledger: Ledger) -> StepRecord:
    with ledger.transaction():
        ledger.put_group(
            GroupLink(
                jumpcloud_id=step.jumpcloud_id,
                ninjio_id=step.ninjio_id,
                display_name=step.display_name,
                origin="taken_over",
            )
        )

    return _done(step)


def _relink_group(step: RelinkGroup, ledger: Ledger) -> StepRecord:
    link = ledger.group(step.jumpcloud_id)
    with ledger.transaction():
        ledger.put_group(
            GroupLink(
                jumpcloud_id=step.jumpcloud_id,
                ninjio_id=step.ninjio_id,
                display_name=step.display_name,
                origin=link.origin if link is not None else "taken_over",
            )
        )

    return _done(step)


def _rename_group(step: RenameGroup, ledger: Ledger) -> Logic:
    yield Call("rename_group", (step.ninjio_id, step.display_name))
    link = ledger.group(step.jumpcloud_id)
    if link is not None:
        with ledger.transaction():
            ledger.put_group(attrs.evolve(link, display_name=step.display_name))

    return _done(step)


def _add_members(step: AddMembers, ledger: Ledger) -> Logic:
    group_id = step.ninjio_id
    if group_id is None:
        link = ledger.group(step.jumpcloud_id)
        if link is None:
            return skipped(step, "the group was not created")
        group_id = link.ninjio_id
    ids: list[str] = []
    missing: list[str] = []
    for jc_id, name in zip(
        step.member_jumpcloud_ids,
        step.member_names or step.member_jumpcloud_ids,
        strict=True,
    ):
        user = ledger.user(jc_id)
        if user is None:
            missing.append(name)
        else:
            ids.append(user.ninjio_id)
    if not ids:
        return skipped(
            step, f"none of the members has a NINJIO account: {', '.join(missing)}"
        )
    yield Call("add_members", (group_id, ids))
    detail = step.reason
    if missing:
        detail += f"; left out, with no NINJIO account: {', '.join(missing)}"

    return _done(step, ninjio_id=group_id, detail=detail)


def _remove_members(step: RemoveMembers, ledger: Ledger) -> Logic:
    del ledger
    yield Call("remove_members", (step.ninjio_id, step.member_ids))

    return _done(step)


def _release_group(step: ReleaseGroup, ledger: Ledger) -> StepRecord:
    link = ledger.group(step.jumpcloud_id)
    if link is not None:
        with ledger.transaction():
            ledger.put_group(attrs.evolve(link, bound=False, managed=False))

    return _done(step)


def _delete_group(step: DeleteGroup, ledger: Ledger) -> Logic:
    detail = step.reason
    try:
        yield Call("delete_group", (step.ninjio_id,))
    except NotFoundError:
        detail += "; it was already gone from NINJIO"
    with ledger.transaction():
        ledger.remove_group(step.jumpcloud_id)

    return _done(step, detail=detail)


_HANDLERS: Mapping[type[Step], Any] = {
    CreateUser: _create_user,
    AdoptUser: _adopt_user,
    UpdateUser: _update_user,
    DeactivateUser: _deactivate_user,
    CreateGroup: _create_group,
    RenameGroup: _rename_group,
    AddMembers: _add_members,
    RemoveMembers: _remove_members,
    DeleteGroup: _delete_group,
}

_LEDGER_HANDLERS: Mapping[type[Step], Any] = {
    TakeOverGroup: _take_over_group,
    RelinkGroup: _relink_group,
    ReleaseGroup: _release_group,
}


# --- Reading NINJIO ------------------------------------------------------------------

ReadLogic = Generator[Call, Any, tuple[NinjioState, Targets | None]]


def read_all(directory: Directory | None = None) -> ReadLogic:
    """
    Read every NINJIO user, and every group unless group management is off.

    With group management off in ``directory`` no group request is sent at
    all (G7), reads included: the plan then touches no group.
    """
    users = yield Call("iter_users", collect=True)
    groups = []
    if directory is None or directory.group_management:
        groups = yield Call("iter_groups", collect=True)

    return NinjioState(users=tuple(users), groups=tuple(groups)), None


def read_targets(targets: Targets, directory: Directory, ledger: Ledger) -> ReadLogic:
    """
    Read what NINJIO holds for the records an event concerns (rule G8).

    The users' linked accounts (or, for users not linked yet, the accounts
    they would adopt), the groups' linked groups (or the groups they would
    take over), and the managed groups that hold a targeted user, so that
    their memberships are planned as a full reconcile would.
    """
    state = ledger.state()
    users: dict[str, User] = {}
    groups: dict[str, Group] = {}
    group_ids = set(targets.group_ids)
    user_ids = set(targets.user_ids)
    owner_of_user = {link.ninjio_id: jc for jc, link in state.users.items()}
    owner_of_group = {link.ninjio_id: jc for jc, link in state.groups.items()}
    # With group management off no group is read (G7); the users a deleted or
    # unbound group held are found through the ledger below.
    managing = directory.group_management

    for jc_id in sorted(targets.group_ids if managing else ()):
        link = state.groups.get(jc_id)
        group = None
        if link is not None:
            group = yield from _get("get_group", link.ninjio_id)
        record = directory.find_group(jc_id)
        if group is None and record is not None:
            group = yield Call("find_group", (record.name,))
        if group is not None and group.id is not None:
            groups[group.id] = group
            if record is None or jc_id not in directory.bound_group_ids:
                # A deleted or unbound group's members may leave scope (G5, G6).
                user_ids.update(
                    owner_of_user[m.value]
                    for m in group.members
                    if m.value in owner_of_user
                )
    if any(
        directory.find_group(jc_id) is None or jc_id not in directory.bound_group_ids
        for jc_id in targets.group_ids
    ):
        # The members a group had before it was deleted or unbound are not in
        # the snapshot after the change, and NINJIO knows them only if the
        # group was pushed: look at every managed user now out of scope, as a
        # full reconcile would (G5, G6, U5).
        scope = in_scope(directory)
        user_ids.update(
            jc for jc, link in state.users.items() if link.active and jc not in scope
        )
    for jc_id in sorted(user_ids):
        user_link = state.users.get(jc_id)
        account = None
        if user_link is not None:
            account = yield from _get("get_user", user_link.ninjio_id)
        person = directory.find_user(jc_id)
        if account is None and person is not None and person.username:
            account = yield Call("find_user", (person.username,))
            if account is None and person.email:
                account = yield Call("find_user_by_email", (person.email,))
        if account is None or account.id is None:
            continue
        users[account.id] = account
        if user_link is not None and managing:
            holding = yield Call(
                "iter_groups",
                kwargs={"filter": render(eq("members.value", account.id))},
                collect=True,
            )
            for group in holding:
                owner = owner_of_group.get(group.id)
                if owner is not None:
                    group_ids.add(owner)
                    groups.setdefault(group.id, group)

    return (
        NinjioState(users=tuple(users.values()), groups=tuple(groups.values())),
        Targets(user_ids=frozenset(user_ids), group_ids=frozenset(group_ids)),
    )


def _get(method: str, ninjio_id: str) -> Generator[Call, Any, Any]:
    try:
        return (yield Call(method, (ninjio_id,)))
    except NotFoundError:
        return None
