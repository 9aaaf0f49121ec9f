"""
``python -m scim_ninjio.testing serve``: run the NINJIO emulator over HTTP.

Clients authenticate with the token held in ``--token-file``; when the file
does not exist, a new random token is written to it (readable by its owner
only), so that the token never appears on a command line or in a log.
"""

from __future__ import annotations

import argparse
import json
import logging
import pathlib
import sys

from collections.abc import Sequence

from scim_ninjio.exceptions import ConfigurationError
from scim_ninjio.policy import NinjioSettings
from scim_ninjio.testing.emulator import (
    GENERIC_PROFILE,
    NINJIO_PROFILE,
    Emulator,
)
from scim_ninjio.testing.faults import FaultInjector, FaultPlan


__all__ = ["build_parser", "main"]

logger = logging.getLogger("scim_ninjio.testing")


def build_parser() -> argparse.ArgumentParser:
    """Return the command line parser of ``python -m scim_ninjio.testing``."""
    parser = argparse.ArgumentParser(
        prog="python -m scim_ninjio.testing",
        description="The scim_ninjio test kit.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve the NINJIO emulator over HTTP until interrupted"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument(
        "--port", type=int, default=8080, help="port to listen on (0: any free one)"
    )
    serve.add_argument("--base-path", default="/scim/v2", help="SCIM base path")
    auth = serve.add_mutually_exclusive_group(required=True)
    auth.add_argument(
        "--token-file",
        type=pathlib.Path,
        help="file holding the bearer token (created with a new token if absent)",
    )
    auth.add_argument(
        "--no-auth", action="store_true", help="accept requests without a token"
    )
    serve.add_argument(
        "--profile",
        choices=["ninjio", "generic"],
        default="ninjio",
        help="ninjio: no user DELETE, group placement; generic: plain SCIM 2.0",
    )
    serve.add_argument(
        "--no-default-group",
        action="store_true",
        help="place users by department (N2-N4) instead of in one default group",
    )
    serve.add_argument("--default-group-name", default="Default Group")
    serve.add_argument("--undefined-group-name", default="Undefined")
    serve.add_argument("--max-page-size", type=int, default=100)
    serve.add_argument(
        "--strict", action="store_true", help="refuse what RFC 7644 forbids"
    )
    serve.add_argument(
        "--faults",
        type=pathlib.Path,
        help='JSON fault plan: {"seed": 1, "faults": [{"kind": "unavailable", '
        '"route": "/Users*", "probability": 0.05}]}',
    )

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    from scim_ninjio.testing.server import (  # noqa: PLC0415 -- needs aiohttp
        serve,
        token_from_file,
    )

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        token = None if args.no_auth else token_from_file(args.token_file)
        emulator = Emulator(
            token=token,
            profile=NINJIO_PROFILE if args.profile == "ninjio" else GENERIC_PROFILE,
            placement=NinjioSettings(
                default_group=not args.no_default_group,
                default_group_name=args.default_group_name,
                undefined_group_name=args.undefined_group_name,
            ),
            max_page_size=args.max_page_size,
            strict=args.strict,
        )
        handler = emulator if args.faults is None else _with_faults(emulator, args)
        serve(
            handler,
            host=args.host,
            port=args.port,
            base_path=args.base_path,
            on_ready=lambda server: logger.info(
                "serving the %s emulator at %s (Ctrl-C stops it)",
                args.profile,
                server.url,
            ),
        )
    except ConfigurationError as e:
        logger.error("error: %s", e)  # noqa: TRY400 -- a message, not a crash
        return 2
    except OSError as e:
        logger.error("error: cannot serve on %s:%s: %s", args.host, args.port, e)  # noqa: TRY400 -- idem
        return 1

    return 0


def _with_faults(emulator: Emulator, args: argparse.Namespace) -> FaultInjector:
    path: pathlib.Path = args.faults
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigurationError(f"cannot read fault plan {path}: {e}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"fault plan {path} must hold a JSON object")

    return FaultInjector(emulator, FaultPlan.from_dict(data))


if __name__ == "__main__":  # pragma: no cover -- run by `python -m`
    sys.exit(main())
