"""What a sync did: one record per step, and the report of the run."""

from __future__ import annotations

import datetime as dt

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from scim_ninjio._plan import Plan, Problem
from scim_ninjio.policy import RuleId


__all__ = ["Report", "StepRecord", "StepStatus"]

#: How a step ended.
StepStatus = Literal["done", "failed", "skipped"]

#: The record names of successful steps, by action.
EVENT_NAMES: Mapping[str, str] = {
    "user.create": "user.created",
    "user.adopt": "user.adopted",
    "user.update": "user.updated",
    "user.deactivate": "user.deprovisioned",
    "group.create": "group.created",
    "group.take_over": "group.taken_over",
    "group.relink": "group.relinked",
    "group.rename": "group.updated",
    "group.add_members": "group.updated",
    "group.remove_members": "group.updated",
    "group.release": "group.released",
    "group.delete": "group.deleted",
}


@attrs.frozen(kw_only=True)
class StepRecord:
    """
    The structured record of one step, as callbacks and logs receive it.

    Attributes:
        event: What happened: ``"user.created"``, ``"user.updated"``,
            ``"user.deprovisioned"``, ``"group.created"``, ``"group.updated"``,
            ``"group.deleted"``..., ``"step.failed"`` or ``"step.skipped"``.
        step_id: The plan step's id.
        action: The step's action (``"user.create"``).
        rule: The rule that caused the step.
        subject: What the step acted on, in words (a userName, a group name).
        status: ``"done"``, ``"failed"`` or ``"skipped"``.
        detail: What happened, in words (the reason, or the error).
        jumpcloud_id: The JumpCloud record's id.
        ninjio_id: The NINJIO resource's id, when known.
        adopted: For creates, whether an existing account was adopted.
        error_type: For failures, the error's class name.
    """

    event: str
    step_id: str
    action: str
    rule: RuleId
    subject: str
    status: StepStatus
    detail: str
    jumpcloud_id: str = ""
    ninjio_id: str | None = None
    adopted: bool = False
    error_type: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the record as a JSON-ready object."""
        return attrs.asdict(self)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@attrs.frozen(kw_only=True, repr=False)
class Report:
    """
    What a sync run did.

    Its ``repr`` is a summary (counts, failures, skips, duration), however
    many steps ran; the steps themselves are in ``records``.

    Attributes:
        records: One record per step, in the order the steps ended.
        problems: Records the plan skipped (U7), with reasons.
        notes: The plan's notes (an incomplete source, group management off).
        started_at: When the run started.
        finished_at: When it ended.
        dry_run: Whether nothing was sent (the plan only).
    """

    records: tuple[StepRecord, ...] = ()
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    started_at: dt.datetime = attrs.field(factory=_now)
    finished_at: dt.datetime = attrs.field(factory=_now)
    dry_run: bool = False

    @classmethod
    def of(
        cls,
        plan: Plan,
        records: tuple[StepRecord, ...],
        *,
        started_at: dt.datetime,
        dry_run: bool = False,
    ) -> Report:
        """Build the report of a run of ``plan``."""
        return cls(
            records=records,
            problems=plan.problems,
            notes=plan.notes,
            started_at=started_at,
            finished_at=_now(),
            dry_run=dry_run,
        )

    def __repr__(self) -> str:
        counts = ", ".join(f"{a}={n}" for a, n in sorted(self.counts().items()))
        return (
            f"<Report{' dry run' if self.dry_run else ''} {{{counts}}} "
            f"failed={len(self.failures)} skipped={len(self.skipped)} "
            f"problems={len(self.problems)} records={len(self.records)} "
            f"duration={self.duration:.3f}s>"
        )

    @property
    def duration(self) -> float:
        """The run's length in seconds."""
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def ok(self) -> bool:
        """Whether every step succeeded."""
        return all(r.status == "done" for r in self.records)

    @property
    def failures(self) -> tuple[StepRecord, ...]:
        """The steps that failed, with their cause."""
        return tuple(r for r in self.records if r.status == "failed")

    @property
    def skipped(self) -> tuple[StepRecord, ...]:
        """The steps skipped because a step they depend on failed."""
        return tuple(r for r in self.records if r.status == "skipped")

    def counts(self) -> dict[str, int]:
        """
        Return how many steps of each action succeeded.

        >>> Report().counts()
        {}
        """
        out: dict[str, int] = {}
        for record in self.records:
            if record.status == "done":
                out[record.action] = out.get(record.action, 0) + 1

        return out

    def summary(self) -> str:
        """Return the run in one line, for logs."""
        done = sum(self.counts().values())
        problems = len(self.problems)
        return (
            f"{done} steps done, {len(self.failures)} failed, "
            f"{len(self.skipped)} skipped, {problems} "
            f"{'record' if problems == 1 else 'records'} set aside as "
            f"{'a problem' if problems == 1 else 'problems'}, "
            f"in {self.duration:.1f} s"
        )

    def to_json(self) -> dict[str, Any]:
        """
        Return the report as a JSON-ready object.

        The shape is stable: ``counts``, ``failures``, ``skipped``, ``problems``,
        ``notes``, ``records``, ``started_at``, ``finished_at``,
        ``duration_seconds``, ``dry_run`` and ``ok``.
        """
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "counts": self.counts(),
            "failures": [r.to_json() for r in self.failures],
            "skipped": [r.to_json() for r in self.skipped],
            "problems": [attrs.asdict(p) for p in self.problems],
            "notes": list(self.notes),
            "records": [r.to_json() for r in self.records],
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "duration_seconds": round(self.duration, 3),
        }
