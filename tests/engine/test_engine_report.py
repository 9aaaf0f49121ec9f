"""The report of a run and its records: to the callback, to the logger, in JSON."""

from __future__ import annotations

import json
import logging

from engine_helpers import directory, person, team

from scim_ninjio._sample import sample_directory
from scim_ninjio.engine import Report
from scim_ninjio.testing import DEFAULT_TOKEN, Fault, FaultPlan


def test_one_record_per_step_to_the_callback_and_the_logger(new_rig, caplog):
    """Every step of the plan gives exactly one record, in both places."""
    seen = []
    rig = new_rig(on_record=seen.append)
    snapshot = sample_directory(users=40, groups=4)
    plan = rig.engine.plan(snapshot)

    with caplog.at_level(logging.DEBUG, logger="scim_ninjio.engine"):
        report = rig.engine.apply(plan)

    assert [r.step_id for r in seen] == [s.id for s in plan.steps]
    assert seen == list(report.records)
    logged = [r for r in caplog.records if hasattr(r, "scim_ninjio.step")]
    assert [getattr(r, "scim_ninjio.step") for r in logged] == [
        s.id for s in plan.steps
    ]
    for log_record, step_record in zip(logged, seen, strict=True):
        assert getattr(log_record, "scim_ninjio.event") == step_record.event
        assert getattr(log_record, "scim_ninjio.status") == "done"
        assert step_record.subject in log_record.getMessage()
    assert {r.event for r in seen} >= {"user.created", "group.created", "group.updated"}
    assert any("sync finished" in r.getMessage() for r in caplog.records)
    assert DEFAULT_TOKEN not in caplog.text


def test_summary_counts_one_problem_in_the_singular(rig):
    """One bad record reads as one record set aside as a problem."""
    snapshot = directory(
        [person("u1", "alice"), person("u2", "bob", email="not an address")],
        [team("g1", "Sales", "u1", "u2")],
    )

    report = rig.sync(snapshot)

    assert "1 record set aside as a problem, in " in report.summary()


def test_report_counts_failures_skips_and_duration(new_rig, caplog):
    """Counts are per action, of done steps; failures are logged as warnings."""
    rig = new_rig(
        faults=FaultPlan([Fault(kind="server_error", route="/Groups", method="POST")])
    )
    snapshot = directory(
        [person("u1", "alice"), person("u2", "bob")], [team("g1", "Sales", "u1", "u2")]
    )
    with caplog.at_level(logging.DEBUG, logger="scim_ninjio.engine"):
        report = rig.sync(snapshot)

    assert report.counts() == {"user.create": 2}
    assert [r.action for r in report.failures] == ["group.create"]
    assert [r.action for r in report.skipped] == ["group.add_members"]
    assert report.duration >= 0
    assert report.finished_at >= report.started_at
    assert not report.ok
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [getattr(r, "scim_ninjio.status") for r in warnings] == ["failed"]
    assert report.summary().startswith(
        "2 steps done, 1 failed, 1 skipped, 0 records set aside as problems, in "
    )

    data = json.loads(json.dumps(report.to_json()))
    assert data["counts"] == {"user.create": 2}
    assert data["ok"] is False
    assert [r["action"] for r in data["failures"]] == ["group.create"]
    assert [r["action"] for r in data["skipped"]] == ["group.add_members"]
    assert len(data["records"]) == 4
    assert data["duration_seconds"] >= 0


def test_report_repr_is_a_summary_and_the_records_stay(rig):
    """However many steps ran, the repr is one short line of counts."""
    report = rig.sync(sample_directory(users=200, groups=10))

    text = repr(report)
    assert len(text) < 300
    assert "\n" not in text
    assert f"user.create={report.counts()['user.create']}" in text
    assert f"records={len(report.records)}" in text
    assert "failed=0 skipped=0" in text
    assert len(report.records) == sum(report.counts().values()) > 150
    assert report.records[0].to_json()["step_id"] == report.records[0].step_id


def test_dry_run_reports_the_plan_and_sends_nothing(rig):
    """A dry run reads, plans and returns a report with no records."""
    snapshot = directory([person("u1", "alice")], [team("g1", "Sales", "u1")])
    mark = rig.mark()

    report = rig.sync(snapshot, dry_run=True)

    assert report.dry_run
    assert report.records == ()
    assert repr(report).startswith("<Report dry run")
    assert {r.method for r in rig.since(mark)} == {"GET"}
    assert Report().counts() == {}
