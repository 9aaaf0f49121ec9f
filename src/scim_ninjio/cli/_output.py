"""
How the commands show things: rich tables on a terminal, plain text elsewhere.

Output to a terminal gets colour, box-drawn tables and a progress bar. Output
to a pipe or a file (CI logs) gets the same tables drawn in ASCII, no colour,
no progress bar and no terminal control codes, at a fixed width.
"""

from __future__ import annotations

import sys

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from scim_ninjio._ops import Verification
from scim_ninjio._plan import Plan
from scim_ninjio.engine import Report, StepRecord
from scim_ninjio.mapping import ATTRIBUTE_MAPPING, GROUP_MAPPING, MappingRow
from scim_ninjio.policy import ImportCandidate


__all__ = [
    "candidates_json",
    "consoles",
    "mapping_json",
    "progress",
    "show_candidates",
    "show_mapping",
    "show_plan",
    "show_report",
    "show_verification",
    "verification_json",
]

#: The width of output that does not go to a terminal.
PLAIN_WIDTH: Final = 120

_STATUS_STYLE: Final = {"done": "green", "failed": "bold red", "skipped": "yellow"}


def console(*, stderr: bool = False) -> Console:
    """Return a console on standard output (or error), plain when not a terminal."""
    file = sys.stderr if stderr else sys.stdout
    terminal = file.isatty()

    return Console(
        file=file,
        force_terminal=terminal,
        no_color=not terminal,
        width=None if terminal else PLAIN_WIDTH,
        highlight=False,
        emoji=False,
        soft_wrap=not terminal,
    )


def consoles() -> tuple[Console, Console]:
    """Return the consoles of standard output and standard error."""
    return console(), console(stderr=True)


def _table(out: Console, *columns: str, title: str | None = None) -> Table:
    return Table(
        *columns,
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD if out.is_terminal else box.ASCII,
        show_edge=not out.is_terminal,
        header_style="bold" if out.is_terminal else "",
    )


# --- Plans and reports -----------------------------------------------------------


def show_plan(out: Console, plan: Plan, *, limit: int | None = None) -> None:
    """Show a plan: counts, its steps (up to ``limit``), problems and notes."""
    if plan.empty:
        out.print("Nothing to do: NINJIO already matches the directory.")
    else:
        counts = _table(out, "Action", "Steps", title="Plan")
        for action, n in sorted(plan.counts().items()):
            counts.add_row(action, str(n))
        out.print(counts)
        steps = _table(out, "#", "Action", "Subject", "Rule", "Why", title="Steps")
        shown = plan.steps if limit is None else plan.steps[:limit]
        for number, step in enumerate(shown, 1):
            steps.add_row(
                str(number), step.action, step.subject, step.rule, step.reason
            )
        out.print(steps)
        hidden = len(plan.steps) - len(shown)
        if hidden:
            out.print(f"... and {hidden} more steps (scim-ninjio plan lists them all)")
    _show_problems(out, [p.describe() for p in plan.problems])
    for note in plan.notes:
        out.print(f"note: {note}")


def _show_problems(out: Console, lines: Sequence[str]) -> None:
    for line in lines:
        out.print(f"problem: {line}", style="yellow" if out.is_terminal else None)


def show_report(out: Console, report: Report) -> None:
    """Show what a sync did: counts, failures and skipped steps."""
    table = _table(out, "Action", "Done", title="Report")
    for action, n in sorted(report.counts().items()):
        table.add_row(action, str(n))
    if report.records:
        out.print(table)
    for record in (*report.failures, *report.skipped):
        _show_record(out, record)
    _show_problems(out, [p.describe() for p in report.problems])
    style = "green" if report.ok else "bold red"
    out.print(report.summary(), style=style if out.is_terminal else None)


def _show_record(out: Console, record: StepRecord) -> None:
    style = _STATUS_STYLE.get(record.status) if out.is_terminal else None
    out.print(
        f"{record.status}: {record.action} {record.subject} ({record.rule}): "
        f"{record.detail}",
        style=style,
    )


@contextmanager
def progress(err: Console, total: int, label: str) -> Iterator[Any]:
    """
    Show a progress bar on a terminal while the body runs.

    Yields a function to call once per finished step. Off a terminal nothing
    is drawn: a CI log gets the report instead.
    """
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda *_: bar.advance(task)


# --- Import candidates (M1) ---------------------------------------------------------


def show_candidates(out: Console, candidates: Sequence[ImportCandidate]) -> None:
    """Show NINJIO's users as New or Imported, in the order given."""
    table = _table(
        out, "Status", "userName", "Email", "NINJIO id", "JumpCloud id", "Managed"
    )
    for candidate in candidates:
        user = candidate.user
        table.add_row(
            candidate.status,
            user.user_name or "",
            user.primary_email or "",
            user.id or "",
            candidate.jumpcloud_id or "",
            "yes" if candidate.managed else "no",
        )
    out.print(table)
    new = sum(c.status == "New" for c in candidates)
    out.print(f"{new} new, {len(candidates) - new} imported")


def candidates_json(candidates: Sequence[ImportCandidate]) -> dict[str, Any]:
    """Return import candidates as the documented JSON shape."""
    return {
        "counts": {
            "New": sum(c.status == "New" for c in candidates),
            "Imported": sum(c.status == "Imported" for c in candidates),
        },
        "candidates": [
            {
                "status": c.status,
                "user_name": c.user.user_name,
                "email": c.user.primary_email,
                "ninjio_id": c.user.id,
                "active": c.user.active,
                "jumpcloud_id": c.jumpcloud_id,
                "managed": c.managed,
            }
            for c in candidates
        ],
    }


# --- Verification (I1) ----------------------------------------------------------------


def show_verification(out: Console, verification: Verification) -> None:
    """Show the pre-flight's outcome and, when it passed, what NINJIO supports."""
    if not verification.ok:
        return
    out.print(verification.message)
    capabilities = verification.capabilities
    if capabilities is None:  # pragma: no cover -- ok always carries them
        return
    table = _table(out, "Capability", "Value", title="The server supports")
    for name, value in _capabilities(verification).items():
        table.add_row(name, "-" if value is None else str(value))
    out.print(table)


def _capabilities(verification: Verification) -> dict[str, Any]:
    caps = verification.capabilities
    if caps is None:
        return {}

    return {
        "patch": caps.patch,
        "etag": caps.etag,
        "filter": caps.filter,
        "sort": caps.sort,
        "bulk": caps.bulk,
        "paging": caps.paging,
        "page_size": caps.page_size,
        "max_page_size": caps.max_page_size,
        "max_results": caps.max_results,
        "config_found": caps.config_found,
    }


def verification_json(verification: Verification) -> dict[str, Any]:
    """Return the pre-flight's outcome as the documented JSON shape."""
    return {
        "ok": verification.ok,
        "failure": verification.failure,
        "message": verification.message,
        "capabilities": _capabilities(verification) or None,
    }


# --- The mapping ------------------------------------------------------------------


_MAPPING_FIELDS: Final[Mapping[str, str]] = {
    "jumpcloud_property": "JumpCloud property",
    "ui_field": "JumpCloud UI field",
    "scim_path": "SCIM 2.0",
    "ninjio_field": "NINJIO",
    "note": "Note",
}


def show_mapping(out: Console, *, notes: bool) -> None:
    """Show the attribute-mapping table, users then groups."""
    fields = [f for f in _MAPPING_FIELDS if notes or f != "note"]
    for title, rows in (("Users", ATTRIBUTE_MAPPING), ("Groups", GROUP_MAPPING)):
        table = _table(out, *(_MAPPING_FIELDS[f] for f in fields), title=title)
        for row in rows:
            table.add_row(*(str(getattr(row, f)) for f in fields))
        out.print(table)


def _row_json(row: MappingRow) -> dict[str, str]:
    return {field: str(getattr(row, field)) for field in _MAPPING_FIELDS}


def mapping_json() -> dict[str, Any]:
    """Return the mapping table as the documented JSON shape."""
    return {
        "users": [_row_json(row) for row in ATTRIBUTE_MAPPING],
        "groups": [_row_json(row) for row in GROUP_MAPPING],
    }
