"""Safety: no user DELETE, the threshold, partial sources, failures stay local."""

from __future__ import annotations

import logging

import attrs
import pytest

from engine_helpers import (
    WRITES,
    assert_converged,
    assert_no_user_deleted,
    directory,
    documents,
    person,
    team,
)

from scim_ninjio import Request
from scim_ninjio._plan import STEP_TYPES, CreateGroup
from scim_ninjio.client import AsyncNinjioClient
from scim_ninjio.engine import AsyncEngine
from scim_ninjio.exceptions import (
    ConfigurationError,
    LedgerError,
    OperationNotAllowedError,
    ThresholdExceededError,
)
from scim_ninjio.ledger import MemoryLedger
from scim_ninjio.models import Group
from scim_ninjio.policy import DeactivationThreshold, SyncSettings
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator, Fault, FaultPlan
from scim_ninjio.transports import AsyncMemoryTransport


PEOPLE = [person(f"u{i:02}", f"user{i:02}") for i in range(10)]


def everyone(users=PEOPLE, **options):
    """All of ``users`` in one bound group, Staff."""
    return directory(users, [team("g1", "Staff", *(u.id for u in users))], **options)


# --- No user is ever deleted ------------------------------------------------------


@pytest.mark.rule("U5")
def test_u5_no_step_and_no_profile_call_deletes_a_user(rig):
    """U5: no step type deletes users, and the client refuses to, sending nothing."""
    assert not [a for a in STEP_TYPES if a.startswith("user.delete")]
    rig.sync(everyone())
    target = rig.account("u00").id
    mark = rig.mark()

    with pytest.raises(OperationNotAllowedError):
        rig.client.delete_user(target)

    assert rig.since(mark) == []
    rig.sync(everyone(PEOPLE[:5]))  # half leave scope: deactivated only
    assert len(rig.emulator.users) == 10
    assert_no_user_deleted(rig.emulator)


def test_the_shared_check_catches_a_user_delete():
    """The request-log check fails once a DELETE /Users reached the server."""
    emulator = Emulator()
    assert_no_user_deleted(emulator)
    header = {"authorization": f"Bearer {DEFAULT_TOKEN}"}
    emulator.handle(Request("DELETE", "/Users/anything", header))

    with pytest.raises(AssertionError, match="users were deleted"):
        assert_no_user_deleted(emulator)


# --- The deactivation threshold -----------------------------------------------------


def test_threshold_stops_the_run_before_its_first_write(rig):
    """Six of ten leaving is over the limit (5): nothing is sent, and it says why."""
    rig.sync(everyone())
    mark = rig.mark()
    before = documents(rig.emulator, [u.id for u in rig.emulator.users])
    smaller = everyone(PEOPLE[:4], complete=True)
    changed = [person("u00", "user00", job_title="Changed"), *PEOPLE[1:4]]

    with pytest.raises(ThresholdExceededError) as caught:
        rig.sync(everyone(changed))

    assert not [r for r in rig.since(mark) if r.method in WRITES]
    assert documents(rig.emulator, before) == before
    error = caught.value
    assert (error.deactivations, error.managed, error.limit) == (6, 10, 5)
    assert "would deactivate 6 of 10 managed users" in str(error)
    assert "nothing was changed" in str(error)
    with pytest.raises(ThresholdExceededError):
        rig.sync(smaller, dry_run=True)
    assert not [r for r in rig.since(mark) if r.method in WRITES]

    report = rig.sync(smaller, force=True)
    assert report.counts()["user.deactivate"] == 6
    assert_converged(rig.engine, smaller)


def test_threshold_lets_a_run_within_the_limit_through(new_rig):
    """A share above the threshold's floor passes; None turns the check off."""
    rig = new_rig(settings=SyncSettings(threshold=None))
    rig.sync(everyone())
    report = rig.sync(everyone(PEOPLE[:1]))
    assert report.counts()["user.deactivate"] == 9

    strict = new_rig(
        settings=SyncSettings(threshold=DeactivationThreshold(min_count=0, max_share=0))
    )
    strict.sync(everyone())
    with pytest.raises(ThresholdExceededError):
        strict.sync(everyone(PEOPLE[1:]))


def test_threshold_share_counts_only_users_still_active(new_rig):
    """Users deactivated by earlier runs do not dilute the threshold's share."""
    threshold = DeactivationThreshold(min_count=0, max_share=0.5)
    rig = new_rig(settings=SyncSettings(threshold=threshold))
    rig.sync(everyone())
    rig.sync(everyone(PEOPLE[:6]))  # 4 of 10 leave: within half.

    # 4 of the 6 still active would leave: more than half of them, though
    # only 4 of the 10 the ledger has ever managed.
    with pytest.raises(ThresholdExceededError) as caught:
        rig.sync(everyone(PEOPLE[:2]))

    assert (caught.value.deactivations, caught.value.managed) == (4, 6)
    assert caught.value.limit == 3


# --- An incomplete source never takes anything away -----------------------------------


@pytest.mark.rule("U5")
def test_incomplete_directory_never_deactivates_or_removes(rig):
    """With a partial read, users and groups only come and change; none go."""
    groups = [team("g1", "Staff", "u00", "u01", "u02"), team("g2", "Ops", "u03")]
    rig.sync(directory(PEOPLE[:4], groups))
    mark = rig.mark()

    partial = directory(
        [person("u00", "user00", job_title="Lead"), PEOPLE[1], PEOPLE[4]],
        [team("g1", "Staff", "u00", "u04")],  # u01 out, u02 and u03 unread, Ops gone
        complete=False,
    )
    report = rig.sync(partial)

    assert all(rig.account(u).active for u in ("u00", "u01", "u02", "u03"))
    assert rig.account("u00").title == "Lead"
    assert rig.account("u04").active is True
    writes = rig.since(mark)
    assert not [r for r in writes if r.method == "DELETE"]
    removes = [
        op
        for r in writes
        if r.method == "PATCH" and r.path.startswith("/Groups")
        for op in r.json()["Operations"]
        if op["op"] == "remove"
    ]
    assert removes == []
    assert rig.ledger.group("g2") is not None
    assert rig.member_names(rig.group("g1")) == {"user00", "user01", "user02", "user04"}
    assert any("not read completely" in note for note in report.notes)
    assert not {"user.deactivate", "group.delete", "group.release"} & set(
        report.counts()
    )


# --- Failures stay local ------------------------------------------------------------


def test_a_failed_create_is_reported_and_the_others_go_on(new_rig):
    """The failed user is reported with its cause; the rest are created and grouped."""
    rig = new_rig(
        faults=FaultPlan(
            [Fault(kind="server_error", route="/Users", method="POST", nth=2)]
        )
    )
    snapshot = everyone(PEOPLE[:4])

    report = rig.sync(snapshot)

    (failure,) = report.failures
    assert failure.action == "user.create"
    assert failure.event == "step.failed"
    assert failure.error_type is not None
    assert failure.detail
    assert not report.ok
    assert len(rig.emulator.users) == 3
    staff = [r for r in report.records if r.action == "group.add_members"]
    assert [r.status for r in staff] == ["done"]
    assert "left out, with no NINJIO account" in staff[0].detail
    assert failure.subject in staff[0].detail
    assert len(rig.group("g1").members) == 3

    rig.injector.clear()
    again = rig.sync(snapshot)
    assert again.ok
    assert again.counts() == {"user.create": 1, "group.add_members": 1}
    assert_converged(rig.engine, snapshot)


def test_dependants_of_a_failed_step_are_skipped_and_reported(new_rig):
    """A group that could not be created: its member steps are skipped, others run."""
    rig = new_rig(
        faults=FaultPlan(
            [Fault(kind="server_error", route="/Groups", method="POST", nth=1)]
        ),
        settings=SyncSettings(member_chunk_size=3),
    )
    snapshot = directory(
        PEOPLE[:6],
        [
            team("g1", "Alpha", "u00", "u01", "u02", "u03", "u04"),
            team("g2", "Beta", "u05"),
        ],
    )

    report = rig.sync(snapshot)

    assert [(r.subject, r.status) for r in report.failures] == [("'Alpha'", "failed")]
    skipped = report.skipped
    assert len(skipped) == 2
    assert {r.event for r in skipped} == {"step.skipped"}
    assert all("group.create:g1" in r.detail and "failed" in r.detail for r in skipped)
    assert len(rig.emulator.users) == 6
    assert rig.member_names(rig.group("g2")) == {"user05"}
    assert rig.ledger.group("g1") is None

    rig.injector.clear()
    assert rig.sync(snapshot).ok
    assert rig.member_names(rig.group("g1")) == {f"user0{i}" for i in range(5)}
    assert_converged(rig.engine, snapshot)


def test_members_with_no_account_skip_the_membership_step(new_rig):
    """When every member's create failed, the membership step is skipped, not sent."""
    rig = new_rig(
        faults=FaultPlan([Fault(kind="server_error", route="/Users", method="POST")])
    )
    report = rig.sync(everyone(PEOPLE[:2]))

    assert len(report.failures) == 2
    (members,) = [r for r in report.records if r.action == "group.add_members"]
    assert members.status == "skipped"
    assert "none of the members has a NINJIO account" in members.detail
    assert rig.group("g1").members == ()


def test_a_failed_adoption_is_a_failed_lookup(new_rig):
    """An adoption whose update fails is recorded as ``lookup.failed``."""
    rig = new_rig()
    seeded = rig.emulator.add_user({"userName": "user00", "title": "Old"})
    rig.injector.add(
        Fault(kind="server_error", route=f"/Users/{seeded.id}", method="PATCH")
    )

    report = rig.sync(everyone(PEOPLE[:2]))

    (failure,) = report.failures
    assert (failure.event, failure.action) == ("lookup.failed", "user.adopt")
    assert rig.ledger.user("u00") is None
    assert rig.ledger.user("u01") is not None


class _BrokenLedger(MemoryLedger):
    """A ledger whose first write of one user fails with a non-SCIM error."""

    def __init__(self, broken: str) -> None:
        super().__init__()
        self.broken = broken

    def put_user(self, link):
        if link.jumpcloud_id == self.broken:
            self.broken = ""
            raise RuntimeError("disk full")
        super().put_user(link)


def test_an_unexpected_error_fails_only_its_step(new_rig, caplog):
    """An error outside the SCIM tree is logged with its traceback; the run goes on."""
    rig = new_rig(ledger=_BrokenLedger("u01"))
    with caplog.at_level(logging.ERROR, logger="scim_ninjio.engine"):
        report = rig.sync(everyone(PEOPLE[:3]))

    (failure,) = report.failures
    assert (failure.jumpcloud_id, failure.error_type) == ("u01", "RuntimeError")
    assert failure.detail == "disk full"
    assert any(r.exc_info for r in caplog.records if "failed unexpectedly" in r.message)
    assert {r.jumpcloud_id for r in report.records if r.status == "done"} >= {
        "u00",
        "u02",
    }
    # The account exists but is not linked: the next run adopts it (U2).
    again = rig.sync(everyone(PEOPLE[:3]))
    assert again.counts().get("user.adopt") == 1
    assert len(rig.emulator.users) == 3
    assert_converged(rig.engine, everyone(PEOPLE[:3]))


def test_a_group_already_gone_from_ninjio_is_deleted_all_the_same(rig):
    """G6 on a group someone removed in NINJIO first: recorded done, ledger cleared."""
    rig.sync(directory(PEOPLE[:2], [team("g1", "A", "u00"), team("g2", "B", "u01")]))
    rig.client.delete_group(rig.group("g1").id)
    snapshot = directory(PEOPLE[:2], [team("g2", "B", "u00", "u01")])

    report = rig.sync(snapshot)

    (deleted,) = [r for r in report.records if r.action == "group.delete"]
    assert deleted.status == "done"
    assert "already gone" in deleted.detail
    assert rig.ledger.group("g1") is None
    assert_converged(rig.engine, snapshot)


def test_a_plan_applied_without_its_group_create_skips_the_members(rig):
    """Members of a group that was never created are skipped with the reason."""
    plan = rig.engine.plan(everyone(PEOPLE[:2]))
    partial = attrs.evolve(
        plan, steps=tuple(s for s in plan.steps if not isinstance(s, CreateGroup))
    )

    report = rig.engine.apply(partial)

    (members,) = [r for r in report.records if r.action == "group.add_members"]
    assert members.status == "skipped"
    assert members.detail == "the group was not created"


# --- Dependencies within a phase ---------------------------------------------------


class _TakeOverRefused(MemoryLedger):
    """A ledger that cannot record the take-over of a group."""

    def put_group(self, link):
        if link.origin == "taken_over":
            raise LedgerError("the ledger is read-only", path="memory")
        super().put_group(link)


def _taken_over_by_name(emulator):
    """NINJIO holds 'ALPHA'; JumpCloud's bound group is 'Alpha' (G2, then a rename)."""
    emulator.add_group(Group(display_name="ALPHA"))
    return directory(PEOPLE[:2], [team("g1", "Alpha", "u00", "u01")])


@pytest.mark.rule("G2")
def test_a_take_over_comes_before_the_rename_that_needs_it(rig):
    """The plan lists a step after the steps it depends on, whatever their names."""
    snapshot = _taken_over_by_name(rig.emulator)

    plan = rig.engine.plan(snapshot)

    ids = [step.id for step in plan.steps]
    assert ids.index("group.take_over:g1") < ids.index("group.rename:g1")
    for position, step in enumerate(plan.steps):
        assert all(d not in ids[position:] for d in step.depends_on)


@pytest.mark.rule("G2")
def test_a_rename_waits_for_its_failed_take_over(new_rig):
    """When the take-over fails, the rename that needs it is skipped, not sent."""
    rig = new_rig(ledger=_TakeOverRefused())
    snapshot = _taken_over_by_name(rig.emulator)
    mark = rig.mark()

    report = rig.sync(snapshot)

    statuses = {r.action: r.status for r in report.records}
    assert statuses["group.take_over"] == "failed"
    assert statuses["group.rename"] == "skipped"
    assert statuses["group.add_members"] == "skipped"
    assert not [r for r in rig.writes_since(mark) if "/Groups" in r.path]
    assert {g.display_name for g in rig.emulator.groups} >= {"ALPHA"}


def _rename_first(plan):
    """The same plan with the rename listed first in its phase, as by hand."""
    return attrs.evolve(
        plan,
        steps=tuple(
            sorted(plan.steps, key=lambda s: (s.phase, s.action != "group.rename"))
        ),
    )


def test_a_plan_in_another_order_still_runs_dependencies_first(new_rig):
    """A plan that lists a dependant first still runs it last (sync engine)."""
    rig = new_rig(ledger=_TakeOverRefused())
    snapshot = _taken_over_by_name(rig.emulator)
    plan = _rename_first(rig.engine.plan(snapshot))

    report = rig.engine.apply(plan)

    statuses = {r.action: r.status for r in report.records}
    assert statuses["group.take_over"] == "failed"
    assert statuses["group.rename"] == "skipped"


@pytest.mark.asyncio
async def test_the_async_engine_waits_for_dependencies_within_a_phase():
    """Run at once, a phase still starts a dependant only after its dependency."""
    emulator = Emulator()
    snapshot = _taken_over_by_name(emulator)
    transport = AsyncMemoryTransport(emulator.handle, authorize=True)
    async with AsyncNinjioClient(
        "https://ninjio.example/scim/v2", DEFAULT_TOKEN, transport=transport
    ) as client:
        engine = AsyncEngine(client, _TakeOverRefused(), max_concurrency=8)
        plan = _rename_first(await engine.plan(snapshot))

        report = await engine.apply(plan)

    statuses = {r.action: r.status for r in report.records}
    assert statuses["group.take_over"] == "failed"
    assert statuses["group.rename"] == "skipped"
    assert {g.display_name for g in emulator.groups} >= {"ALPHA"}


@pytest.mark.asyncio
@pytest.mark.parametrize("limit", [0, -3])
async def test_the_async_engine_needs_room_for_one_step(limit):
    """A concurrency below one would wait forever: it is refused at once."""
    transport = AsyncMemoryTransport(Emulator().handle)
    async with AsyncNinjioClient(
        "https://ninjio.example/scim/v2", DEFAULT_TOKEN, transport=transport
    ) as client:
        with pytest.raises(ConfigurationError, match=f"max_concurrency is {limit}"):
            AsyncEngine(client, MemoryLedger(), max_concurrency=limit)
