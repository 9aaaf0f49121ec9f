"""The commands that talk to a NINJIO tenant: plan, sync, import, verify; and serve."""

from __future__ import annotations

import contextlib
import pathlib
import threading

from typing import Any

import click

from scim_ninjio.cli import _output
from scim_ninjio.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    directory_options,
    emit_json,
    fail,
    guarded,
    load_source,
    make_client,
    ninjio_options,
    open_ledger,
    with_debug,
)
from scim_ninjio.engine import Engine
from scim_ninjio.exceptions import ConfigurationError
from scim_ninjio.policy import (
    DeactivationThreshold,
    NinjioSettings,
    SyncSettings,
    check_threshold,
)


__all__ = ["import_", "mapping", "plan", "serve", "sync", "verify"]


def _settings(max_deactivations: int | None, default_group: bool) -> SyncSettings:
    threshold = DeactivationThreshold()
    if max_deactivations is not None:
        threshold = DeactivationThreshold(
            max_count=max_deactivations, max_share=1.0, min_count=0
        )

    return SyncSettings(
        threshold=threshold, ninjio=NinjioSettings(default_group=default_group)
    )


_json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (see the docs) instead."
)
_default_group_option = click.option(
    "--default-group/--no-default-group",
    default=True,
    show_default=True,
    help='NINJIO\'s "Set as default group" setting, for placement (N1-N4).',
)


@click.command()
@ninjio_options
@directory_options
@click.option(
    "--ledger",
    type=click.Path(dir_okay=False, path_type=pathlib.Path),
    help="The ledger of earlier syncs; read only. Without it, or before the "
    "first sync, the plan is a first sync's.",
)
@_default_group_option
@_json_option
@with_debug
def plan(
    *,
    url: str,
    token_file: pathlib.Path | None,
    retries: int,
    timeout: float,
    ca_bundle: pathlib.Path | None,
    ledger: pathlib.Path | None,
    default_group: bool,
    as_json: bool,
    **source: Any,
) -> None:
    """Show what a sync would change in NINJIO, and why; change nothing."""
    directory = load_source(**source, retries=retries)
    store = open_ledger(ledger, create=False) if ledger else open_ledger_memory()
    with contextlib.closing(store):
        client = make_client(url, token_file, retries, timeout, ca_bundle)
        with client, guarded(f"cannot read NINJIO at {client.base_url}"):
            settings = _settings(None, default_group)
            made = Engine(client, store, settings).plan(directory)
    if as_json:
        emit_json(made.to_json())
        return
    out, _ = _output.consoles()
    _output.show_plan(out, made)


def open_ledger_memory() -> Any:
    """Return an empty ledger, for a plan without ``--ledger``."""
    from scim_ninjio.ledger import MemoryLedger  # noqa: PLC0415

    return MemoryLedger()


@click.command()
@ninjio_options
@directory_options
@click.option(
    "--ledger",
    type=click.Path(dir_okay=False, path_type=pathlib.Path),
    required=True,
    help="The SQLite file that remembers what this integration manages; "
    "created on the first sync. Keep it between runs.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Carry out a plan that exceeds the deactivation threshold.",
)
@click.option(
    "--max-deactivations",
    type=click.IntRange(0),
    help="The most users this run may deactivate, instead of the default "
    "threshold (10% of the managed users, at least 5 and at most 100).",
)
@_default_group_option
@_json_option
@with_debug
def sync(
    *,
    url: str,
    token_file: pathlib.Path | None,
    retries: int,
    timeout: float,
    ca_bundle: pathlib.Path | None,
    ledger: pathlib.Path,
    force: bool,
    max_deactivations: int | None,
    default_group: bool,
    as_json: bool,
    **source: Any,
) -> None:
    """
    Provision NINJIO from the directory: plan, apply, report.

    Exits 0 when every step was done, 1 when some failed, 2 on a usage error
    and 3 when the deactivation threshold stopped the run before any change.
    """
    directory = load_source(**source, retries=retries)
    store = open_ledger(ledger, create=True)
    out, err = _output.consoles()
    with contextlib.ExitStack() as stack:
        stack.callback(store.close)
        client = stack.enter_context(
            make_client(url, token_file, retries, timeout, ca_bundle)
        )
        engine = Engine(client, store, _settings(max_deactivations, default_group))
        with guarded(f"cannot read NINJIO at {client.base_url}"):
            made = engine.plan(directory)
        with guarded("the sync was stopped"):
            if not force:
                check_threshold(
                    made.deactivations, made.managed_users, engine.settings.threshold
                )
        with _output.progress(err, len(made.steps), "Syncing") as advance:
            engine.on_record = advance
            with guarded("the sync failed"):
                report = engine.apply(made, force=True)
    if as_json:
        emit_json(report.to_json())
    else:
        _output.show_report(out, report)
    if not report.ok:
        raise click.exceptions.Exit(EXIT_FAILED)


@click.command(name="import")
@ninjio_options
@directory_options
@click.option("--new-only", is_flag=True, help="List only the users marked New.")
@_json_option
@with_debug
def import_(
    *,
    url: str,
    token_file: pathlib.Path | None,
    retries: int,
    timeout: float,
    ca_bundle: pathlib.Path | None,
    new_only: bool,
    as_json: bool,
    **source: Any,
) -> None:
    """
    List NINJIO's users as New or Imported (M1), new ones first.

    A user is Imported when a JumpCloud user has the same email, compared
    without case; nothing is changed.
    """
    directory = load_source(**source, retries=retries)
    client = make_client(url, token_file, retries, timeout, ca_bundle)
    with client, guarded(f"cannot list NINJIO's users at {client.base_url}"):
        engine = Engine(client, open_ledger_memory())
        candidates = engine.import_candidates(directory)
    if new_only:
        candidates = tuple(c for c in candidates if c.status == "New")
    if as_json:
        emit_json(_output.candidates_json(candidates))
        return
    out, _ = _output.consoles()
    _output.show_candidates(out, candidates)


@click.command()
@ninjio_options
@_json_option
@with_debug
def verify(
    *,
    url: str,
    token_file: pathlib.Path | None,
    retries: int,
    timeout: float,
    ca_bundle: pathlib.Path | None,
    as_json: bool,
) -> None:
    """
    Check the connection to NINJIO (I1): what it supports, or why it failed.

    Exits 0 when NINJIO answered as SCIM with this token, 1 otherwise.
    """
    client = make_client(url, token_file, retries, timeout, ca_bundle)
    with client, guarded(f"cannot check NINJIO at {client.base_url}"):
        verification = client.verify()
    if as_json:
        emit_json(_output.verification_json(verification))
    else:
        out, _ = _output.consoles()
        _output.show_verification(out, verification)
    if not verification.ok:
        if not as_json:
            fail(f"the check of {client.base_url} failed: {verification.message}")
        raise click.exceptions.Exit(EXIT_FAILED)


@click.command()
@click.option("--notes/--no-notes", default=True, help="Show each row's note.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown", "rst"]),
    default="table",
    show_default=True,
    help="A table for reading, or Markdown or reStructuredText for docs.",
)
@_json_option
@with_debug
def mapping(notes: bool, fmt: str, as_json: bool) -> None:
    """Print the attribute-mapping table: JumpCloud, SCIM 2.0, NINJIO."""
    if as_json:
        emit_json(_output.mapping_json())
        return
    if fmt != "table":
        from scim_ninjio.mapping import (  # noqa: PLC0415
            ATTRIBUTE_MAPPING,
            GROUP_MAPPING,
            render_table,
        )

        rows = (*ATTRIBUTE_MAPPING, *GROUP_MAPPING)
        click.echo(
            render_table(rows, "rst" if fmt == "rst" else "markdown", notes=notes)
        )
        return
    out, _ = _output.consoles()
    _output.show_mapping(out, notes=notes)


def _stop_event() -> threading.Event:
    """Return the event that stops ``serve``; set by a signal, or by tests."""
    return threading.Event()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port; 0 picks a free one.",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=pathlib.Path),
    help="The token clients must send; created with a new token if absent. "
    "NINJIO_TOKEN is used otherwise.",
)
@click.option("--no-auth", is_flag=True, help="Accept requests without a token.")
@click.option(
    "--profile",
    type=click.Choice(["ninjio", "generic"]),
    default="ninjio",
    show_default=True,
    help="ninjio: no user DELETE, group placement; generic: plain SCIM 2.0.",
)
@_default_group_option
@with_debug
def serve(
    *,
    host: str,
    port: int,
    token_file: pathlib.Path | None,
    no_auth: bool,
    profile: str,
    default_group: bool,
) -> None:
    """Run the NINJIO emulator over HTTP, for local testing, until Ctrl-C."""
    try:
        from scim_ninjio.testing import server as live  # noqa: PLC0415
    except ImportError:
        fail(
            "serve needs aiohttp, which is not installed: pip install "
            "'scim-ninjio[cli,testing]' (pip install -e '.[cli,testing]' in a clone)",
            EXIT_USAGE,
        )
    from scim_ninjio.testing import emulator as emulation  # noqa: PLC0415

    token: str | None = None
    if not no_auth:
        if token_file is not None:
            with guarded("cannot use the token file"):
                token = live.token_from_file(token_file)
        else:
            from scim_ninjio.cli._common import read_token  # noqa: PLC0415

            token = read_token(None).reveal()
    emulator = emulation.Emulator(
        token=token,
        profile=emulation.NINJIO_PROFILE
        if profile == "ninjio"
        else emulation.GENERIC_PROFILE,
        placement=NinjioSettings(default_group=default_group),
    )

    def ready(server: Any) -> None:
        click.echo(f"Serving the NINJIO emulator at {server.url} (Ctrl-C stops it)")

    try:
        live.serve(emulator, host=host, port=port, on_ready=ready, stop=_stop_event())
    except OSError as e:
        fail(
            f"cannot serve on {host}:{port}: {e.strerror or e}; pick another "
            "--port, or 0 for any free one",
            EXIT_FAILED,
        )
    except ConfigurationError as e:  # pragma: no cover -- the options are checked
        fail(str(e), EXIT_USAGE)
    click.echo("Stopped.")
    raise click.exceptions.Exit(EXIT_OK)
