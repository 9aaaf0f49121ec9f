"""
The engines: run a plan through a client, in order, and report.

:class:`Engine` drives :class:`~scim_ninjio.client.NinjioClient` one step at
a time; :class:`AsyncEngine` drives
:class:`~scim_ninjio.client.AsyncNinjioClient`, running the independent steps
of a phase at once under a bounded concurrency. Both run the same step logic
(:mod:`scim_ninjio.engine._execute`) and the same rules:

- phases in order: users, groups, membership removals, membership additions,
  releases, group deletions, deactivations (deletions and deactivations
  last, after everything that could keep someone in scope); within a phase,
  a step waits for the steps it depends on;
- the deactivation threshold is checked before the first write;
- a failed step is reported with its cause and does not stop the others;
  steps that depend on it are skipped and reported;
- one :class:`StepRecord` per step goes to ``on_record`` and to the logger.

The engines send no ``If-Match``. Each change they make sets a value to
JumpCloud's (a title, ``active``, a group's name, a member added or removed),
which is right whatever else changed in NINJIO since the plan read it; a
version check would turn every unrelated change on NINJIO's side (a training
record, a placement) into a failed step. Callers who want the check pass a
``version`` to the clients' methods.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging

from collections.abc import Awaitable, Callable, Generator, Sequence
from typing import Any, TypeVar

from scim_ninjio._plan import NinjioState, Plan, Step, Targets, make_plan
from scim_ninjio.client import AsyncNinjioClient, NinjioClient
from scim_ninjio.engine._events import Event, targets_of
from scim_ninjio.engine._execute import (
    Call,
    execute,
    failed,
    read_all,
    read_targets,
    skipped,
)
from scim_ninjio.engine._report import Report, StepRecord
from scim_ninjio.exceptions import ConfigurationError, ScimNinjioError
from scim_ninjio.jumpcloud import Directory
from scim_ninjio.ledger import Ledger
from scim_ninjio.policy import (
    ImportCandidate,
    SyncSettings,
    check_threshold,
    import_candidates,
)


__all__ = ["AsyncEngine", "Engine", "RecordCallback"]

log = logging.getLogger("scim_ninjio.engine")

T = TypeVar("T")

#: Called with each step's record as the step ends.
RecordCallback = Callable[[StepRecord], None]


def _waves(plan: Plan) -> list[list[Step]]:
    """
    Split a plan into waves that run one after the other.

    Each phase is a wave, split again where a step depends on another step of
    the same phase (a rename after the take-over of its group): the dependant
    goes one wave after its dependency, so that it never starts before the
    dependency ends, even when the steps of a wave run at once or a plan read
    from JSON lists them in another order.
    """
    waves: list[list[Step]] = []
    for _, steps in itertools.groupby(plan.steps, key=lambda s: s.phase):
        waves += _split(list(steps))

    return waves


def _split(phase: list[Step]) -> list[list[Step]]:
    by_id = {step.id: step for step in phase}
    depth: dict[str, int] = {}

    def depth_of(step: Step, seen: frozenset[str]) -> int:
        found = depth.get(step.id)
        if found is None:
            # `seen` stops a cycle, which the planner never makes.
            needs = [by_id[d] for d in step.depends_on if d in by_id and d not in seen]
            found = 1 + max((depth_of(d, seen | {step.id}) for d in needs), default=-1)
            depth[step.id] = found
        return found

    split: dict[int, list[Step]] = {}
    for step in phase:
        split.setdefault(depth_of(step, frozenset()), []).append(step)

    return [split[level] for level in sorted(split)]


def _blocked(step: Step, outcome: dict[str, str]) -> str | None:
    for dependency in step.depends_on:
        status = outcome.get(dependency)
        if status is not None and status != "done":
            return f"it needs step {dependency}, which {status}"

    return None


class _Base:
    """What both engines share: settings, ledger, records."""

    def __init__(
        self,
        ledger: Ledger,
        settings: SyncSettings | None,
        on_record: RecordCallback | None,
    ) -> None:
        self.ledger = ledger
        self.settings = settings if settings is not None else SyncSettings()
        self.on_record = on_record

    def _plan(
        self,
        directory: Directory,
        state: NinjioState,
        targets: Targets | None,
    ) -> Plan:
        plan = make_plan(
            directory, state, self.ledger.state(), self.settings, targets=targets
        )
        log.info(
            "planned %d steps (%s) and %d problems",
            len(plan.steps),
            ", ".join(f"{n} {a}" for a, n in sorted(plan.counts().items())) or "none",
            len(plan.problems),
            extra={"scim_ninjio.steps": len(plan.steps)},
        )
        return plan

    def _check(self, plan: Plan, *, force: bool) -> None:
        if not force:
            check_threshold(
                plan.deactivations, plan.managed_users, self.settings.threshold
            )

    def _emit(self, record: StepRecord) -> None:
        level = logging.WARNING if record.status == "failed" else logging.DEBUG
        log.log(
            level,
            "%s %s: %s (%s: %s)",
            record.event,
            record.subject,
            record.status,
            record.rule,
            record.detail,
            extra={
                "scim_ninjio.event": record.event,
                "scim_ninjio.step": record.step_id,
                "scim_ninjio.status": record.status,
                "scim_ninjio.jumpcloud_id": record.jumpcloud_id,
                "scim_ninjio.ninjio_id": record.ninjio_id,
            },
        )
        if self.on_record is not None:
            self.on_record(record)

    def _report(
        self, plan: Plan, records: Sequence[StepRecord], started: dt.datetime
    ) -> Report:
        report = Report.of(plan, tuple(records), started_at=started)
        log.info("sync finished: %s", report.summary())
        return report


def _unexpected(step: Step, error: Exception) -> StepRecord:
    log.error("step %s failed unexpectedly", step.id, exc_info=error)
    return failed(step, error)


class Engine(_Base):
    """
    Provision NINJIO from a JumpCloud snapshot, through the sync client.

    Args:
        client: The client bound to NINJIO.
        ledger: What the integration manages.
        settings: The sync settings (threshold, placement, chunk size).
        on_record: Called with each step's record as the step ends.

    >>> from scim_ninjio.testing import Emulator
    >>> from scim_ninjio.transports import MemoryTransport
    >>> from scim_ninjio.ledger import MemoryLedger
    >>> from scim_ninjio.jumpcloud import Directory, SystemUser, UserGroup
    >>> emulator = Emulator(token="t")
    >>> transport = MemoryTransport(emulator.handle, authorize=True)
    >>> client = NinjioClient("https://ninjio.test/scim/v2", "t", transport=transport)
    >>> directory = Directory(
    ...     users=[SystemUser(id="u1", username="ada", email="ada@example.com",
    ...                       activated=True)],
    ...     groups=[UserGroup(id="g1", name="Engineering", member_ids=["u1"])],
    ...     bound_group_ids=["g1"], group_management=True)
    >>> engine = Engine(client, MemoryLedger())
    >>> engine.sync(directory).counts()
    {'user.create': 1, 'group.create': 1, 'group.add_members': 1}
    >>> engine.plan(directory).empty
    True
    >>> client.close()
    """

    def __init__(
        self,
        client: NinjioClient,
        ledger: Ledger,
        settings: SyncSettings | None = None,
        *,
        on_record: RecordCallback | None = None,
    ) -> None:
        super().__init__(ledger, settings, on_record)
        self.client = client

    def _call(self, call: Call) -> Any:
        method = getattr(self.client, call.method)
        result = method(*call.args, **call.kwargs)
        return list(result) if call.collect else result

    def _drive(self, logic: Generator[Call, Any, T]) -> T:
        result: Any = None
        error: BaseException | None = None
        while True:
            try:
                call = logic.send(result) if error is None else logic.throw(error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            try:
                result, error = self._call(call), None
            except ScimNinjioError as e:
                result, error = None, e

    def read(
        self, targets: Targets | None = None, directory: Directory | None = None
    ) -> tuple[NinjioState, Targets | None]:
        """
        Read NINJIO's state: all of it, or what ``targets`` need.

        Given a ``directory`` whose group management is off, no group is read
        (rule G7).
        """
        if targets is None or directory is None:
            return self._drive(read_all(directory))
        return self._drive(read_targets(targets, directory, self.ledger))

    def plan(self, directory: Directory) -> Plan:
        """Read NINJIO and plan a full reconcile; nothing is changed."""
        state, _ = self.read(directory=directory)
        return self._plan(directory, state, None)

    def plan_event(self, event: Event, directory: Directory) -> Plan:
        """Plan for one change event only (rule G8); nothing is changed."""
        targets = targets_of(event, directory)
        state, targets = self.read(targets, directory)
        return self._plan(directory, state, targets)

    def apply(self, plan: Plan, *, force: bool = False) -> Report:
        """
        Carry out a plan.

        Raises:
            ThresholdExceededError: The plan deactivates more users than the
                threshold allows, and ``force`` is False; nothing was sent.
        """
        self._check(plan, force=force)
        started = dt.datetime.now(dt.UTC)
        records: list[StepRecord] = []
        outcome: dict[str, str] = {}
        for wave in _waves(plan):
            for step in wave:
                record = self._run_step(step, outcome)
                outcome[step.id] = record.status
                records.append(record)
                self._emit(record)

        return self._report(plan, records, started)

    def _run_step(self, step: Step, outcome: dict[str, str]) -> StepRecord:
        why = _blocked(step, outcome)
        if why is not None:
            return skipped(step, why)
        try:
            return self._drive(execute(step, self.ledger))
        except ScimNinjioError as e:
            return failed(step, e)
        except Exception as e:  # noqa: BLE001 -- one bad step must not stop the run
            return _unexpected(step, e)

    def sync(
        self, directory: Directory, *, dry_run: bool = False, force: bool = False
    ) -> Report:
        """
        Plan a full reconcile and carry it out (or only plan, with ``dry_run``).

        Raises:
            ThresholdExceededError: See :meth:`apply`.
        """
        started = dt.datetime.now(dt.UTC)
        plan = self.plan(directory)
        if dry_run:
            self._check(plan, force=force)
            return Report.of(plan, (), started_at=started, dry_run=True)

        return self.apply(plan, force=force)

    def handle_event(
        self, event: Event, directory: Directory, *, force: bool = False
    ) -> Report:
        """Plan for one change event and carry it out (rule G8)."""
        return self.apply(self.plan_event(event, directory), force=force)

    def import_candidates(self, directory: Directory) -> tuple[ImportCandidate, ...]:
        """List NINJIO's users as New or Imported, new ones first (rule M1)."""
        return import_candidates(list(self.client.iter_users()), directory)


class AsyncEngine(_Base):
    """
    Provision NINJIO from a JumpCloud snapshot, through the async client.

    The steps of one phase run at once, at most ``max_concurrency`` at a time
    (and the client bounds its requests in flight too); phases run in order.

    Args:
        client: The async client bound to NINJIO.
        ledger: What the integration manages.
        settings: The sync settings.
        on_record: Called with each step's record as the step ends.
        max_concurrency: The most steps running at once, at least 1.

    Raises:
        ConfigurationError: ``max_concurrency`` is below 1.
    """

    def __init__(
        self,
        client: AsyncNinjioClient,
        ledger: Ledger,
        settings: SyncSettings | None = None,
        *,
        on_record: RecordCallback | None = None,
        max_concurrency: int = 32,
    ) -> None:
        if max_concurrency < 1:
            raise ConfigurationError(
                f"max_concurrency is {max_concurrency}, but at least one step must "
                "be able to run: give AsyncEngine a max_concurrency of 1 or more"
            )
        super().__init__(ledger, settings, on_record)
        self.client = client
        self.max_concurrency = max_concurrency

    async def _call(self, call: Call) -> Any:
        method: Callable[..., Any] = getattr(self.client, call.method)
        if call.collect:
            return [item async for item in method(*call.args, **call.kwargs)]
        awaitable: Awaitable[Any] = method(*call.args, **call.kwargs)
        return await awaitable

    async def _drive(self, logic: Generator[Call, Any, T]) -> T:
        result: Any = None
        error: BaseException | None = None
        while True:
            try:
                call = logic.send(result) if error is None else logic.throw(error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            try:
                result, error = await self._call(call), None
            except ScimNinjioError as e:
                result, error = None, e

    async def read(
        self, targets: Targets | None = None, directory: Directory | None = None
    ) -> tuple[NinjioState, Targets | None]:
        """
        Read NINJIO's state: all of it, or what ``targets`` need.

        Given a ``directory`` whose group management is off, no group is read
        (rule G7).
        """
        if targets is None or directory is None:
            return await self._drive(read_all(directory))
        return await self._drive(read_targets(targets, directory, self.ledger))

    async def plan(self, directory: Directory) -> Plan:
        """Read NINJIO and plan a full reconcile; nothing is changed."""
        state, _ = await self.read(directory=directory)
        return self._plan(directory, state, None)

    async def plan_event(self, event: Event, directory: Directory) -> Plan:
        """Plan for one change event only (rule G8); nothing is changed."""
        targets = targets_of(event, directory)
        state, targets = await self.read(targets, directory)
        return self._plan(directory, state, targets)

    async def apply(self, plan: Plan, *, force: bool = False) -> Report:
        """
        Carry out a plan, phase by phase, steps of a phase at once.

        Raises:
            ThresholdExceededError: See :meth:`Engine.apply`.
        """
        self._check(plan, force=force)
        started = dt.datetime.now(dt.UTC)
        records: list[StepRecord] = []
        outcome: dict[str, str] = {}
        limit = asyncio.Semaphore(self.max_concurrency)

        async def run(step: Step) -> None:
            async with limit:
                record = await self._run_step(step, outcome)
            outcome[step.id] = record.status
            records.append(record)
            self._emit(record)

        for wave in _waves(plan):
            async with asyncio.TaskGroup() as group:
                for step in wave:
                    group.create_task(run(step))

        return self._report(plan, records, started)

    async def _run_step(self, step: Step, outcome: dict[str, str]) -> StepRecord:
        why = _blocked(step, outcome)
        if why is not None:
            return skipped(step, why)
        try:
            return await self._drive(execute(step, self.ledger))
        except ScimNinjioError as e:
            return failed(step, e)
        except Exception as e:  # noqa: BLE001 -- one bad step must not stop the run
            return _unexpected(step, e)

    async def sync(
        self, directory: Directory, *, dry_run: bool = False, force: bool = False
    ) -> Report:
        """Plan a full reconcile and carry it out (or only plan, with ``dry_run``)."""
        started = dt.datetime.now(dt.UTC)
        plan = await self.plan(directory)
        if dry_run:
            self._check(plan, force=force)
            return Report.of(plan, (), started_at=started, dry_run=True)

        return await self.apply(plan, force=force)

    async def handle_event(
        self, event: Event, directory: Directory, *, force: bool = False
    ) -> Report:
        """Plan for one change event and carry it out (rule G8)."""
        return await self.apply(await self.plan_event(event, directory), force=force)

    async def import_candidates(
        self, directory: Directory
    ) -> tuple[ImportCandidate, ...]:
        """List NINJIO's users as New or Imported, new ones first (rule M1)."""
        users = [user async for user in self.client.iter_users()]
        return import_candidates(users, directory)
