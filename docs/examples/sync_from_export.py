# ruff: noqa: INP001, T201 -- a script run by path that reports on stdout
"""
Sync NINJIO from a JumpCloud directory document: preview, then apply.

Usage::

    NINJIO_SCIM_URL=https://... NINJIO_TOKEN=... \
        python sync_from_export.py directory.json ledger.sqlite3 [--apply]
"""

from __future__ import annotations

import json
import logging
import os
import sys

from scim_ninjio.client import NinjioClient
from scim_ninjio.engine import Engine
from scim_ninjio.exceptions import ThresholdExceededError
from scim_ninjio.jumpcloud import load_directory
from scim_ninjio.ledger import SqliteLedger


def main(argv: list[str]) -> int:
    """Preview the sync of one snapshot, and carry it out with ``--apply``."""
    directory_path, ledger_path, *flags = argv
    logging.basicConfig(level=logging.INFO)

    # 1. Read the snapshot. Faulty records are skipped and listed, not fatal.
    directory = load_directory(directory_path)
    for problem in directory.problems:
        print("skipped:", problem)

    # 2. Connect. The token comes from the environment, never from a file
    #    in the repository; the client keeps it out of logs and errors.
    with (
        NinjioClient(
            os.environ["NINJIO_SCIM_URL"], os.environ["NINJIO_TOKEN"]
        ) as client,
        SqliteLedger(ledger_path) as ledger,
    ):
        verification = client.verify()
        if not verification.ok:
            print("cannot connect:", verification.message)
            return 2

        # 3. Preview: planning reads NINJIO and changes nothing.
        engine = Engine(client, ledger)
        plan = engine.plan(directory)
        for line in plan.explain():
            print("plan:", line)
        if "--apply" not in flags:
            return 0

        # 4. Apply. Too many deactivations stop the run before any write.
        try:
            report = engine.apply(plan)
        except ThresholdExceededError as e:
            print(e)
            return 3
        print(report.summary())
        print(json.dumps(report.counts(), sort_keys=True))

    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
