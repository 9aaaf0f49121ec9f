"""
What the commands share: options, the token, the directory, errors and exits.

Every failure a person can fix ends as one line on standard error, ``error:``
then what failed, why and what to do, and a documented exit status; the
traceback is shown only under ``--debug``.
"""

from __future__ import annotations

import functools
import json
import os
import pathlib
import sys
import traceback

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, NoReturn, TypeVar

import click

from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client import NinjioClient
from scim_ninjio.exceptions import (
    ConfigurationError,
    ConnectError,
    ForbiddenError,
    LedgerError,
    NotFoundError,
    ScimNinjioError,
    ThresholdExceededError,
    TLSError,
    UnauthorizedError,
    ValidationError,
)
from scim_ninjio.jumpcloud import Directory, load_directory
from scim_ninjio.transports import BearerToken, Timeout


__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_THRESHOLD",
    "EXIT_USAGE",
    "CliError",
    "directory_options",
    "emit_json",
    "fail",
    "guarded",
    "load_source",
    "make_client",
    "ninjio_options",
    "read_token",
    "usage_error",
]

#: Everything was done.
EXIT_OK: Final = 0
#: Some steps failed, or NINJIO or JumpCloud could not be read.
EXIT_FAILED: Final = 1
#: The command line, a setting or an input file is wrong.
EXIT_USAGE: Final = 2
#: The deactivation threshold stopped the sync before any change.
EXIT_THRESHOLD: Final = 3

F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """A failure reported as one line, with its exit status."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(" ".join(message.split()))
        self.exit_code = exit_code  # type: ignore[misc] # click reads it per error

    def show(self, file: Any = None) -> None:
        """Write ``error: <message>`` to standard error."""
        click.echo(f"error: {self.message}", file=file or sys.stderr)


def fail(message: str, exit_code: int = EXIT_FAILED) -> NoReturn:
    """Stop the command with a one-line error and an exit status."""
    raise CliError(message, exit_code)


def usage_error(error: click.UsageError, command: str) -> CliError:
    """
    Say a usage error of click's (an unknown option, a missing one) in one line.

    click's own form is three lines: the usage, a pointer to ``--help`` and
    ``Error:`` with the message; here the pointer ends the line instead.

    Args:
        error: The error click raised.
        command: The command line it concerns, such as ``scim-ninjio plan``;
            the error's own context, when it has one, names it instead.

    Returns:
        The error to raise, with exit status 2.
    """
    if error.ctx is not None:
        command = error.ctx.command_path
    possibilities = getattr(error, "possibilities", None)
    text = error.message if possibilities else error.format_message()
    what = text.strip().rstrip(".")
    if what[:2].istitle():  # "No such option", but not "NINJIO"
        what = what[0].lower() + what[1:]
    param = getattr(error, "param", None)
    if isinstance(error, click.MissingParameter) and param is not None:
        envvar = param.envvar
        if isinstance(envvar, str):
            what = f"{what} (or {envvar})"
    if possibilities:
        what = f"{what} (did you mean {' or '.join(map(repr, possibilities))}?)"

    return CliError(f"{what}; run {command} --help", EXIT_USAGE)


# Hints for errors whose own message says what failed but not what to do
# from the command line.
_HINTS: Final[tuple[tuple[type[Exception], str], ...]] = (
    (UnauthorizedError, "check the token in NINJIO_TOKEN or --token-file"),
    (ForbiddenError, "check that the token may provision users"),
    (NotFoundError, "check --url: it must end with the SCIM base path"),
    (ConnectError, "check --url and that the server is running and reachable"),
    (TLSError, "check the certificate, or pass --ca-bundle"),
)


def _exit_code(error: Exception) -> int:
    if isinstance(error, ThresholdExceededError):
        return EXIT_THRESHOLD
    if isinstance(error, ConfigurationError | ValidationError):
        return EXIT_USAGE

    return EXIT_FAILED


def _one_line(context: str, error: Exception) -> str:
    text = str(error)
    for cls, hint in _HINTS:
        if isinstance(error, cls) and hint not in text:
            text = f"{text}; {hint}"
            break

    return f"{context}: {text}" if context else text


@contextmanager
def guarded(context: str) -> Iterator[None]:
    """
    Turn the library's errors into one-line CLI errors with an exit status.

    Args:
        context: What was being done (``"reading NINJIO"``), put first.
    """
    try:
        yield
    except ScimNinjioError as error:
        if _debug():
            traceback.print_exc(file=sys.stderr)
        raise CliError(_one_line(context, error), _exit_code(error)) from error


def _debug() -> bool:
    context = click.get_current_context(silent=True)
    root = context.find_root() if context is not None else None
    return bool(root is not None and (root.obj or {}).get("debug"))


def emit_json(data: Any) -> None:
    """Print a JSON document on standard output, keys in a stable order."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


# --- NINJIO ------------------------------------------------------------------


def read_token(token_file: pathlib.Path | None) -> BearerToken:
    """
    Return the NINJIO token from ``--token-file``, else ``NINJIO_TOKEN``.

    The token is never taken from a bare argument, where it would land in
    the shell's history and in the process list.
    """
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8").strip()
        except OSError as e:
            fail(
                f"cannot read the token file {str(token_file)!r}: {e.strerror}; "
                "pass a file that holds the NINJIO SCIM token",
                EXIT_USAGE,
            )
        if not text:
            fail(
                f"the token file {str(token_file)!r} is empty; put the NINJIO SCIM "
                "token in it",
                EXIT_USAGE,
            )
        source = f"the token file {str(token_file)!r}"
    else:
        text = os.environ.get("NINJIO_TOKEN", "").strip()
        if not text:
            fail(
                "no NINJIO token: set NINJIO_TOKEN or pass --token-file FILE (a "
                "file that holds the token from NINJIO's SCIM settings page)",
                EXIT_USAGE,
            )
        source = "NINJIO_TOKEN"
    try:
        return BearerToken(text)
    except ConfigurationError as e:
        fail(f"the token in {source} is not usable: {e}", EXIT_USAGE)


def ninjio_options(function: F) -> F:
    """Add ``--url``, ``--token-file``, ``--retries`` and ``--timeout``."""
    options = (
        click.option(
            "--url",
            envvar="NINJIO_URL",
            required=True,
            metavar="URL",
            help="NINJIO's SCIM base URL (or NINJIO_URL), such as "
            "https://scim.goninjio.com/scim/v2.",
        ),
        click.option(
            "--token-file",
            type=click.Path(dir_okay=False, path_type=pathlib.Path),
            help="A file holding the SCIM token; NINJIO_TOKEN is read otherwise.",
        ),
        click.option(
            "--retries",
            type=click.IntRange(1, 20),
            default=5,
            show_default=True,
            help="Tries per request, the first included.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0.1, 600),
            default=30.0,
            show_default=True,
            help="Seconds to wait for each answer.",
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(exists=True, path_type=pathlib.Path),
            help="Trust these CA certificates instead of the system's.",
        ),
    )
    for option in reversed(options):
        function = option(function)

    return function


def make_client(
    url: str,
    token_file: pathlib.Path | None,
    retries: int,
    timeout: float,
    ca_bundle: pathlib.Path | None,
) -> NinjioClient:
    """Build the SCIM client from the NINJIO options."""
    token = read_token(token_file)
    with guarded(f"cannot use the NINJIO URL {url!r}"):
        return NinjioClient(
            url,
            token,
            retry=RetryPolicy(attempts=retries, timeout=max(60.0, timeout * retries)),
            timeout=Timeout(connect=min(timeout, 10.0), read=timeout),
            ca_bundle=ca_bundle,
        )


# --- The directory -------------------------------------------------------------


def directory_options(function: F) -> F:
    """Add ``--directory`` or ``--jumpcloud`` and the JumpCloud settings."""
    options = (
        click.option(
            "--directory",
            "directory_file",
            type=click.Path(dir_okay=False, path_type=pathlib.Path),
            help="A directory document (JSON) exported from JumpCloud.",
        ),
        click.option(
            "--jumpcloud",
            is_flag=True,
            help="Read the directory from JumpCloud's API (key in JUMPCLOUD_API_KEY).",
        ),
        click.option(
            "--app-id",
            envvar="JUMPCLOUD_APP_ID",
            help="With --jumpcloud: the NINJIO application's id in JumpCloud "
            "(or JUMPCLOUD_APP_ID).",
        ),
        click.option(
            "--org-id",
            envvar="JUMPCLOUD_ORG_ID",
            help="With --jumpcloud: the organisation id, for a key that serves "
            "several organisations (or JUMPCLOUD_ORG_ID).",
        ),
        click.option(
            "--jumpcloud-url",
            envvar="JUMPCLOUD_API_URL",
            default="https://console.jumpcloud.com/api",
            show_default=True,
            help="With --jumpcloud: the API root.",
        ),
        click.option(
            "--group-management/--no-group-management",
            default=False,
            show_default=True,
            help="With --jumpcloud: whether the application manages user groups "
            "(G7); the API does not tell.",
        ),
    )
    for option in reversed(options):
        function = option(function)

    return function


def load_source(
    *,
    directory_file: pathlib.Path | None,
    jumpcloud: bool,
    app_id: str | None,
    org_id: str | None,
    jumpcloud_url: str,
    group_management: bool,
    retries: int = 5,
) -> Directory:
    """Load the directory from ``--directory`` or ``--jumpcloud``."""
    if (directory_file is None) == (not jumpcloud):
        fail(
            "say where the directory comes from: --directory FILE (a JSON export) "
            "or --jumpcloud (JumpCloud's API), one of the two",
            EXIT_USAGE,
        )
    if directory_file is not None:
        if not directory_file.is_file():
            fail(
                f"the directory file {str(directory_file)!r} does not exist; "
                "export it first (see the Directory format page of the docs)",
                EXIT_USAGE,
            )
        with guarded("cannot load the directory"):
            return load_directory(directory_file)
    key = os.environ.get("JUMPCLOUD_API_KEY", "").strip()
    if not key:
        fail(
            "--jumpcloud needs an API key: set JUMPCLOUD_API_KEY to a JumpCloud "
            "administrator's API key",
            EXIT_USAGE,
        )
    if not app_id:
        fail(
            "--jumpcloud needs the NINJIO application's id: pass --app-id or set "
            "JUMPCLOUD_APP_ID",
            EXIT_USAGE,
        )
    from scim_ninjio.jumpcloud import read_jumpcloud  # noqa: PLC0415 -- on demand

    with guarded("cannot read the directory from JumpCloud"):
        return read_jumpcloud(
            key,
            app_id=app_id,
            org_id=org_id,
            base_url=jumpcloud_url,
            group_management=group_management,
            retry=RetryPolicy(attempts=retries),
        )


def open_ledger(path: pathlib.Path, *, create: bool) -> Any:
    """
    Open the SQLite ledger at ``path``.

    Without ``create``, a missing file gives an empty in-memory ledger, so
    that a dry run writes nothing.
    """
    from scim_ninjio.ledger import MemoryLedger, SqliteLedger  # noqa: PLC0415

    if not create and not path.exists():
        return MemoryLedger()
    try:
        return SqliteLedger(path)
    except LedgerError as e:
        fail(f"{e}", EXIT_USAGE)


def with_debug(function: F) -> F:
    """Print the traceback of an unexpected error under ``--debug`` only."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if _debug():
                raise
            fail(
                f"unexpected {type(error).__name__}: {error}; run again with "
                "--debug for the traceback and report it",
                EXIT_FAILED,
            )

    return wrapper  # type: ignore[return-value] # functools.wraps keeps the signature
