"""
What the reliability experiments share: sizes, fault plans, checks, figures.

The sizes are small enough for CI unless ``SCIM_NINJIO_CHAOS=full`` is set
(``nox -s chaos`` sets it), which runs the experiments at the size of the
issue: 2,000 users and 50 groups, 50 crash trials.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import time

from collections.abc import Callable, Iterator
from typing import Any

import attrs

from scim_ninjio._plan import Plan
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client import AsyncNinjioClient, NinjioClient
from scim_ninjio.engine import AsyncEngine, Engine, Report
from scim_ninjio.jumpcloud import Directory
from scim_ninjio.ledger import Ledger, MemoryLedger
from scim_ninjio.mapping import is_active, is_staged, unmappable_users
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator
from scim_ninjio.testing.faults import Fault, FaultInjector, FaultPlan
from scim_ninjio.testing.server import LiveServer
from scim_ninjio.transports import Timeout


#: Whether the experiments run at full size.
FULL = os.environ.get("SCIM_NINJIO_CHAOS", "").lower() in {"1", "full", "yes"}


@attrs.frozen
class Sizes:
    """How big the experiments are."""

    users: int
    groups: int
    crash_trials: int
    crash_users: int
    crash_groups: int


SIZES = (
    Sizes(users=2000, groups=50, crash_trials=50, crash_users=300, crash_groups=12)
    if FULL
    else Sizes(users=300, groups=10, crash_trials=8, crash_users=120, crash_groups=6)
)

#: Retries that wait a few milliseconds: a Retry-After of 1 s is cut to 20 ms.
FAST_RETRY = RetryPolicy(
    attempts=5, initial_wait=0.005, max_wait=0.02, max_retry_after=0.02, seed=7
)
#: A hanging request is given up after a quarter of a second.
SHORT_TIMEOUT = Timeout(connect=2.0, read=0.25)

#: The faults injected, and whether the server processed the request first.
FAULT_MIX: tuple[dict[str, Any], ...] = (
    {"kind": "rate_limited", "retry_after": "1"},
    {"kind": "server_error", "processed": False},
    {"kind": "server_error", "processed": True},
    {"kind": "unavailable", "retry_after": None},
    {"kind": "drop", "processed": False},
    {"kind": "drop", "processed": True},
    {"kind": "hang", "processed": False},
    {"kind": "hang", "processed": True},
    {"kind": "truncated"},
)


def chaos_plan(rate: float = 0.10, seed: int = 0) -> FaultPlan:
    """
    Return a plan that gives ``rate`` of all requests one fault of the mix.

    Each rule draws on its own, so each fires with the probability that
    makes "at least one fires" equal to ``rate``.
    """
    each = 1.0 - (1.0 - rate) ** (1.0 / len(FAULT_MIX))

    return FaultPlan([Fault(probability=each, **spec) for spec in FAULT_MIX], seed)


class RetryCounter(logging.Handler):
    """Counts the retries the client schedules, from its WARNING records."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Count a record if it announces a retry."""
        if record.getMessage().startswith("Retrying "):
            self.count += 1


@attrs.frozen
class Expected:
    """
    What NINJIO should hold once a directory is synced, found without the planner.

    Attributes:
        users: ``active`` by userName (casefolded), for every pushed user.
        groups: The member userNames (casefolded) by group displayName.
    """

    users: dict[str, bool]
    groups: dict[str, frozenset[str]]


def expected_state(directory: Directory) -> Expected:
    """Compute what a converged sync of ``directory`` leaves in NINJIO."""
    scope = directory.bound_member_ids
    candidates = [u for u in directory.users if u.id in scope and not is_staged(u)]
    bad = unmappable_users(candidates)
    pushed = {u.id: u for u in candidates if u.id not in bad}
    users = {str(u.username).casefold(): is_active(u) for u in pushed.values()}
    groups: dict[str, frozenset[str]] = {}
    if directory.group_management:
        for group in directory.bound_groups:
            members = frozenset(
                str(pushed[m].username).casefold()
                for m in group.member_ids
                if m in pushed
            )
            if members:
                groups[group.name] = members

    return Expected(users=users, groups=groups)


def state_problems(emulator: Emulator, directory: Directory) -> list[str]:
    """Say how the emulator's state differs from the directory's, if it does."""
    want = expected_state(directory)
    problems: list[str] = []
    names = collections.Counter(str(u.user_name).casefold() for u in emulator.users)
    problems += [f"user {n!r} exists {c} times" for n, c in names.items() if c > 1]
    have = {str(u.user_name).casefold(): u.active is not False for u in emulator.users}
    if have != want.users:
        missing = sorted(set(want.users) - set(have))[:5]
        extra = sorted(set(have) - set(want.users))[:5]
        wrong = sorted(
            n for n in set(have) & set(want.users) if have[n] != want.users[n]
        )
        problems.append(f"users differ: missing {missing}, extra {extra}, {wrong=}")
    by_id = {u.id: str(u.user_name).casefold() for u in emulator.users}
    pushed = [g for g in emulator.groups if g.display_name in want.groups]
    titles = collections.Counter(str(g.display_name) for g in pushed)
    problems += [f"group {t!r} exists {c} times" for t, c in titles.items() if c > 1]
    for group in pushed:
        members = frozenset(by_id.get(m.value, m.value) for m in group.members)
        if members != want.groups[str(group.display_name)]:
            problems.append(f"group {group.display_name!r} has other members")
    absent = set(want.groups) - set(titles)
    if absent:
        problems.append(f"groups missing: {sorted(absent)[:5]}")

    return problems


def user_deletes(emulator: Emulator) -> list[str]:
    """Every DELETE on a user that reached the emulator."""
    return [
        r.target
        for r in emulator.requests
        if r.method == "DELETE" and r.path.lower().startswith("/users")
    ]


def ledger_problems(ledger: Ledger, emulator: Emulator) -> list[str]:
    """Say where the ledger disagrees with the emulator, if it does."""
    state = ledger.state()
    problems: list[str] = []
    users = {u.id: u for u in emulator.users}
    groups = {g.id: g for g in emulator.groups}
    ids = collections.Counter(link.ninjio_id for link in state.users.values())
    problems += [f"account {i} linked {c} times" for i, c in ids.items() if c > 1]
    for jc_id, link in state.users.items():
        user = users.get(link.ninjio_id)
        if user is None:
            problems.append(f"user link {jc_id} points at no account")
        elif str(user.user_name).casefold() != link.user_name.casefold():
            problems.append(f"user link {jc_id} names {link.user_name!r}")
    group_ids = collections.Counter(link.ninjio_id for link in state.groups.values())
    problems += [f"group {i} linked {c} times" for i, c in group_ids.items() if c > 1]
    for jc_id, group_link in state.groups.items():
        group = groups.get(group_link.ninjio_id)
        if group is None:
            problems.append(f"group link {jc_id} points at no group")
        elif group.display_name != group_link.display_name:
            problems.append(f"group link {jc_id} names {group_link.display_name!r}")

    return problems


@attrs.frozen
class Figures:
    """What one chaos experiment measured."""

    client: str
    users: int
    groups: int
    steps: int
    requests: int
    faults: int
    by_kind: dict[str, int]
    retries: int
    runs: int
    failed_steps: int
    seconds: float
    converged: bool

    def line(self) -> str:
        """Return the figures as one line; "converged" only if the plan emptied."""
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        ending = "converged" if self.converged else "did not converge"
        return (
            f"{self.client}: {self.users} users / {self.groups} groups, "
            f"{self.steps} steps; {self.requests} requests, {self.faults} faults "
            f"({kinds}), {self.retries} retries, {self.failed_steps} steps failed, "
            f"{ending} after {self.runs} run(s) in {self.seconds:.1f} s"
        )


@attrs.define
class Outcome:
    """A chaos experiment's result: figures, reports and what was checked."""

    figures: Figures
    reports: list[Report]
    plans: list[Plan]
    emulator: Emulator
    ledger: Ledger
    converged: bool


#: The most runs an experiment makes before it gives up converging.
MAX_RUNS = 4


@attrs.define
class _Runs:
    """The runs of one experiment, and when the faults stop."""

    injector: FaultInjector
    faulty_runs: int | None
    reports: list[Report] = attrs.Factory(list)
    plans: list[Plan] = attrs.Factory(list)
    converged: bool = False

    def ran(self, plan: Plan, report: Report) -> None:
        """Record a run; turn the faults off once the faulty runs are over."""
        self.plans.append(plan)
        self.reports.append(report)
        if self.faulty_runs is not None and len(self.reports) >= self.faulty_runs:
            self.injector.clear()


def _sync_runs(url: str, directory: Directory, ledger: Ledger, runs: _Runs) -> None:
    with NinjioClient(
        url, DEFAULT_TOKEN, retry=FAST_RETRY, timeout=SHORT_TIMEOUT
    ) as client:
        engine = Engine(client, ledger)
        for _ in range(MAX_RUNS):
            plan = engine.plan(directory)
            if plan.empty:
                runs.converged = True
                return
            runs.ran(plan, engine.apply(plan))


async def _async_runs(
    url: str, directory: Directory, ledger: Ledger, runs: _Runs
) -> None:
    async with AsyncNinjioClient(
        url, DEFAULT_TOKEN, retry=FAST_RETRY, timeout=SHORT_TIMEOUT, max_concurrency=16
    ) as client:
        engine = AsyncEngine(client, ledger, max_concurrency=16)
        for _ in range(MAX_RUNS):
            plan = await engine.plan(directory)
            if plan.empty:
                runs.converged = True
                return
            runs.ran(plan, await engine.apply(plan))


def _run_async(url: str, directory: Directory, ledger: Ledger, runs: _Runs) -> None:
    asyncio.run(_async_runs(url, directory, ledger, runs))


#: How each kind of client runs the experiment.
CLIENTS: dict[str, Callable[[str, Directory, Ledger, _Runs], None]] = {
    "sync (urllib3)": _sync_runs,
    "async (aiohttp)": _run_async,
}


@contextlib.contextmanager
def counting_retries() -> Iterator[RetryCounter]:
    """Count the retries scheduled while the block runs."""
    counter = RetryCounter()
    logger = logging.getLogger("scim_ninjio")
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)


def chaos_sync(
    directory: Directory,
    client: str,
    *,
    rate: float = 0.10,
    seed: int = 0,
    ledger: Ledger | None = None,
    faulty_runs: int | None = None,
) -> Outcome:
    """
    Sync ``directory`` into a live emulator that faults ``rate`` of requests.

    Runs again while the plan is not empty, up to :data:`MAX_RUNS` runs; the
    last, empty plan is the proof of convergence. The faults stay on all
    along, or only for the first ``faulty_runs`` runs.
    """
    run = CLIENTS[client]
    ledger = ledger if ledger is not None else MemoryLedger()
    emulator = Emulator(log_size=None)
    injector = FaultInjector(emulator, chaos_plan(rate, seed))
    runs = _Runs(injector, faulty_runs)
    started = time.perf_counter()
    with counting_retries() as counter, LiveServer(injector) as server:
        run(server.url, directory, ledger, runs)
    seconds = time.perf_counter() - started
    figures = Figures(
        client=client,
        users=len(directory.users),
        groups=len(directory.groups),
        steps=len(runs.plans[0].steps) if runs.plans else 0,
        requests=injector.seen,
        faults=len(injector.injected),
        by_kind={k.value: n for k, n in injector.counts().items()},
        retries=counter.count,
        runs=len(runs.reports),
        failed_steps=sum(len(r.failures) for r in runs.reports),
        seconds=seconds,
        converged=runs.converged,
    )

    return Outcome(
        figures=figures,
        reports=runs.reports,
        plans=runs.plans,
        emulator=emulator,
        ledger=ledger,
        converged=runs.converged,
    )
