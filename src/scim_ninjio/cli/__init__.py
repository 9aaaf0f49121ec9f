"""
The ``scim-ninjio`` command: sync, preview, import, verify, and a demo.

Commands:

- ``demo``: sync a sample directory into an emulated NINJIO, twice, in seconds
  and with no network;
- ``plan``: a dry run, as a table or JSON;
- ``sync``: apply the plan, with a progress bar and a report;
- ``import``: NINJIO's users as New or Imported (M1);
- ``verify``: the pre-flight check (I1);
- ``mapping``: the attribute-mapping table;
- ``serve``: the NINJIO emulator on 127.0.0.1.

Exit statuses: 0 done, 1 some steps failed (or a service could not be read),
2 a usage error (an option, a setting, an input file), 3 stopped by the
deactivation threshold. The NINJIO token comes from ``NINJIO_TOKEN`` or
``--token-file``, never from a bare argument.

This package needs the ``cli`` extra (click and rich); the rest of
scim_ninjio never imports it.

Limitations:
    ``serve`` and ``demo --http`` need aiohttp (the ``testing`` extra). With
    ``--jumpcloud`` the application's group-management box cannot be read
    from JumpCloud's API, so ``--group-management`` states it.
"""

from __future__ import annotations

import sys

from collections.abc import Sequence
from typing import Any

import click

from scim_ninjio.cli._commands import import_, mapping, plan, serve, sync, verify
from scim_ninjio.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_THRESHOLD,
    EXIT_USAGE,
    usage_error,
)
from scim_ninjio.cli._demo import demo


__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_THRESHOLD", "EXIT_USAGE", "cli", "main"]


# Raised by click 8.2 and later to print the help of a bare ``scim-ninjio``;
# click 8.1 prints it without an error.
_HELP_SHOWN: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


class _Group(click.Group):
    """
    The root command, which says click's usage errors in one line.

    click raises them while it parses the command line: the root's options in
    :meth:`make_context`, a command's name and options in :meth:`invoke`. Both
    turn them into a :class:`~scim_ninjio.cli._common.CliError`, so that
    :func:`main` and click's standalone mode (a test's runner) say them alike.
    The help that a bare ``scim-ninjio`` prints stays as it is.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parse the root's options; a usage error ends as one line."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except _HELP_SHOWN:
            raise
        except click.UsageError as error:
            raise usage_error(error, info_name or self.name or "") from error

    def invoke(self, ctx: click.Context) -> Any:
        """Parse and run the command; a usage error ends as one line."""
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            command = ctx.command_path
            if ctx.invoked_subcommand:
                command = f"{command} {ctx.invoked_subcommand}"
            raise usage_error(error, command) from error


@click.group(
    name="scim-ninjio",
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--debug", is_flag=True, help="Show the traceback of an error, and DEBUG logs."
)
@click.version_option(version=None, package_name="scim-ninjio", prog_name="scim-ninjio")
@click.pass_context
def cli(context: click.Context, debug: bool) -> None:
    """Provision users and groups from JumpCloud into NINJIO over SCIM 2.0."""
    context.ensure_object(dict)
    context.obj["debug"] = debug
    if debug:
        import logging  # noqa: PLC0415

        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)


for _command in (demo, plan, sync, import_, verify, mapping, serve):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run ``scim-ninjio``; return the exit status.

    Characters that the output's encoding cannot show are escaped rather than
    fatal, so that a CI log in ASCII still gets the whole report.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        # Without standalone mode, click returns an Exit's status instead of
        # raising it, and a command's own result (None) otherwise.
        status = cli.main(args=argv, prog_name="scim-ninjio", standalone_mode=False)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_FAILED

    return status if isinstance(status, int) else EXIT_OK
