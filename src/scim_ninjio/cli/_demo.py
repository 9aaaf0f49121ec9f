"""
``scim-ninjio demo``: a whole integration in a few seconds, with no network.

The NINJIO emulator runs in this process; a made-up JumpCloud directory
(:func:`scim_ninjio._sample.sample_directory`) is synced into it; then a
scripted set of JumpCloud changes is applied and synced again:

1. the first sync: plan, progress, report;
2. the changes: a group renamed (G4), a user leaving the company (U5), a
   department changed (U3), a group unbound (G5) and a group deleted (G6);
3. the second sync, which the deactivation threshold stops first; the demo
   then goes on as an operator would after reading the plan (``--force``);
4. what NINJIO holds now, and a third plan that has nothing left to do.
"""

from __future__ import annotations

import contextlib

from collections.abc import Iterator
from typing import Any

import attrs
import click

from scim_ninjio._sample import DEPARTMENTS, sample_directory
from scim_ninjio.cli import _output
from scim_ninjio.cli._common import (
    EXIT_FAILED,
    EXIT_USAGE,
    emit_json,
    fail,
    guarded,
    with_debug,
)
from scim_ninjio.client import NinjioClient
from scim_ninjio.engine import Engine, Report
from scim_ninjio.exceptions import ThresholdExceededError
from scim_ninjio.jumpcloud import Directory, SystemUser, UserGroup
from scim_ninjio.ledger import MemoryLedger
from scim_ninjio.mapping import user_problems
from scim_ninjio.policy import check_threshold
from scim_ninjio.testing.emulator import DEFAULT_TOKEN, Emulator
from scim_ninjio.transports import MemoryTransport


__all__ = ["demo", "scripted_changes"]

#: Where the in-process NINJIO answers, for messages; nothing is sent there.
DEMO_URL = "https://ninjio.demo.invalid/scim/v2"


def _pick_user(directory: Directory, group: UserGroup, avoid: set[str]) -> SystemUser:
    for user in directory.members_of(group.id):
        mappable = not user_problems(user) and user.department
        if mappable and user.activated and not user.suspended and user.id not in avoid:
            return user
    raise ValueError(f"group {group.name!r} has no active, mappable member")


def scripted_changes(directory: Directory) -> tuple[Directory, tuple[str, ...]]:
    """
    Apply the demo's JumpCloud changes to a directory.

    The bound groups are taken in name order: the first is renamed, the
    second unbound, the third deleted; a member of the first leaves the
    company and another changes department.

    Returns:
        The changed directory, and one sentence per change.

    Raises:
        ValueError: The directory has fewer than three bound groups, or the
            first has fewer than two active members.
    """
    bound = sorted(directory.bound_groups, key=lambda g: g.name)
    if len(bound) < 3:
        raise ValueError("the demo needs at least three bound groups")
    renamed, unbound, deleted = bound[:3]
    leaver = _pick_user(directory, renamed, set())
    mover = _pick_user(directory, renamed, {leaver.id})
    department = next(d for d in DEPARTMENTS if d != mover.department)
    new_name = f"{renamed.name} (renamed)"

    users = [
        attrs.evolve(u, department=department) if u.id == mover.id else u
        for u in directory.users
        if u.id != leaver.id
    ]
    groups = [
        attrs.evolve(
            g,
            name=new_name if g.id == renamed.id else g.name,
            member_ids=[m for m in g.member_ids if m != leaver.id],
        )
        for g in directory.groups
        if g.id != deleted.id
    ]
    changed = attrs.evolve(
        directory,
        users=users,
        groups=groups,
        bound_group_ids=directory.bound_group_ids - {unbound.id, deleted.id},
    )
    said = (
        f"group {renamed.name!r} renamed to {new_name!r} (G4)",
        f"user {leaver.username!r} left the company: deleted in JumpCloud (U5)",
        f"user {mover.username!r} moved from {mover.department} to {department} (U3)",
        f"group {unbound.name!r} unbound from the NINJIO application (G5)",
        f"group {deleted.name!r} deleted in JumpCloud (G6)",
    )

    return changed, said


@contextlib.contextmanager
def _ninjio(emulator: Emulator, *, http: bool) -> Iterator[NinjioClient]:
    if not http:
        with NinjioClient(
            DEMO_URL,
            DEFAULT_TOKEN,
            transport=MemoryTransport(emulator.handle, authorize=True),
        ) as client:
            yield client
        return
    try:
        from scim_ninjio.testing.server import LiveServer  # noqa: PLC0415
    except ImportError:
        fail(
            "demo --http needs aiohttp, which is not installed: pip install "
            "'scim-ninjio[cli,testing]' (pip install -e '.[cli,testing]' in a clone), "
            "or run the demo without --http",
            EXIT_USAGE,
        )
    with (
        LiveServer(emulator) as server,
        NinjioClient(server.url, DEFAULT_TOKEN) as client,
    ):
        yield client


def _sync(engine: Engine, directory: Directory, title: str, *, json: bool) -> Report:
    out, err = _output.consoles()
    plan = engine.plan(directory)
    if not json:
        out.print(f"\n== {title} ==")
        _output.show_plan(out, plan, limit=15)
    try:
        check_threshold(
            plan.deactivations, plan.managed_users, engine.settings.threshold
        )
        with _output.progress(err, len(plan.steps), "Syncing") as advance:
            engine.on_record = advance
            report = engine.apply(plan)
    except ThresholdExceededError as stop:
        if not json:
            out.print(f"stopped: {stop}")
            out.print(
                "(scim-ninjio sync exits with status 3 here.) The demo goes on "
                "as an operator would after reading the plan: with --force."
            )
        with _output.progress(err, len(plan.steps), "Syncing") as advance:
            engine.on_record = advance
            report = engine.apply(plan, force=True)
    if not json:
        _output.show_report(out, report)

    return report


def _holdings(client: NinjioClient) -> dict[str, Any]:
    users = list(client.iter_users())
    groups = sorted(g.display_name or "" for g in client.iter_groups())

    return {
        "users": len(users),
        "active": sum(bool(u.active) for u in users),
        "inactive": sum(u.active is False for u in users),
        "groups": groups,
    }


@click.command()
@click.option("--users", type=click.IntRange(10, 5000), default=200, show_default=True)
@click.option("--groups", type=click.IntRange(3, 100), default=10, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Another sample.")
@click.option(
    "--http",
    is_flag=True,
    help="Serve the emulator on 127.0.0.1 and sync over real HTTP (needs aiohttp).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead.")
@with_debug
def demo(users: int, groups: int, seed: int, http: bool, as_json: bool) -> None:
    """Sync a sample JumpCloud directory into an emulated NINJIO, twice."""
    directory = sample_directory(users=users, groups=groups, seed=seed)
    try:
        changed, changes = scripted_changes(directory)
    except ValueError as e:
        fail(f"cannot script the demo's changes: {e}; try another --seed", EXIT_USAGE)
    out, _ = _output.consoles()
    emulator = Emulator()
    with _ninjio(emulator, http=http) as client, guarded("the demo failed"):
        engine = Engine(client, MemoryLedger())
        if not as_json:
            bound = len(directory.bound_groups)
            out.print(
                f"scim-ninjio demo: a sample JumpCloud directory of {users} users "
                f"and {groups} groups ({bound} bound to NINJIO, group management "
                f"on), synced into a NINJIO emulated in this process "
                f"({'over HTTP on 127.0.0.1' if http else 'no network'})."
            )
        first = _sync(engine, directory, "First sync", json=as_json)
        if not as_json:
            out.print("\n== Meanwhile, in JumpCloud ==")
            for change in changes:
                out.print(f"- {change}")
        second = _sync(engine, changed, "Second sync", json=as_json)
        holdings = _holdings(client)
        converged = engine.plan(changed).empty
    if as_json:
        emit_json(
            {
                "first_sync": first.to_json(),
                "changes": list(changes),
                "second_sync": second.to_json(),
                "ninjio": holdings,
                "converged": converged,
            }
        )
    else:
        out.print(
            f"\nNINJIO now holds {holdings['users']} users "
            f"({holdings['active']} active, {holdings['inactive']} inactive, "
            f"none deleted) and {len(holdings['groups'])} groups."
        )
        out.print(
            "A third sync has nothing to do."
            if converged
            else "A third sync would still change something."
        )
    if not (first.ok and second.ok and converged):
        raise click.exceptions.Exit(EXIT_FAILED)
