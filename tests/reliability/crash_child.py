"""
One sync run in a process of its own, for the crash trials to kill.

Usage: ``python crash_child.py <scim base url> <ledger file> <directory file>``.
The token is the emulator's test token; the ledger is a real SQLite file.
"""

import sys

from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client import NinjioClient
from scim_ninjio.engine import Engine
from scim_ninjio.jumpcloud import load_directory
from scim_ninjio.ledger import SqliteLedger
from scim_ninjio.testing import DEFAULT_TOKEN


def main(url: str, ledger_path: str, directory_path: str) -> int:
    """Sync the directory once; return 0 when every step succeeded."""
    directory = load_directory(directory_path)
    with (
        NinjioClient(url, DEFAULT_TOKEN, retry=RetryPolicy(wait=False)) as client,
        SqliteLedger(ledger_path) as ledger,
    ):
        report = Engine(client, ledger).sync(directory)

    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
