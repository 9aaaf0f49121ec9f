"""
Chaos sync figures: a full sync against a live emulator that faults 10% of requests.

The directory is the sample directory (2,000 users and 50 groups by
default). The emulator runs in a :class:`~scim_ninjio.testing.server.LiveServer`
on loopback, behind a fault injector that gives one request in ten a fault:
429 with ``Retry-After``, 500 (processed or not), 503, a dropped connection
(before or after processing), no answer until the read timeout, or a body
cut short. The real sync (urllib3) and async (aiohttp) clients run the
engine with retries that wait a few milliseconds, and run again while the
plan is not empty. Each line gives the requests the server received, the
faults injected, the retries the client scheduled, the steps that failed,
the runs needed to converge and the time, and says whether the result was
checked: NINJIO equal to the desired state, no userName twice, no DELETE on
a user, the ledger consistent.

Run: ``python benchmarks/chaos_sync.py [users] [groups]``; the experiment
itself lives in ``tests/reliability/chaos_kit.py``, which the tests share.
"""

from __future__ import annotations

import pathlib
import sys


sys.path.insert(0, str(pathlib.Path(__file__).parent.parent / "tests" / "reliability"))

from chaos_kit import (
    CLIENTS,
    chaos_sync,
    ledger_problems,
    state_problems,
    user_deletes,
)

from scim_ninjio._sample import sample_directory


def main(argv: list[str]) -> int:
    users = int(argv[0]) if argv else 2000
    groups = int(argv[1]) if len(argv) > 1 else 50
    directory = sample_directory(users=users, groups=groups, seed=3)
    failures = 0
    for client in sorted(CLIENTS):
        outcome = chaos_sync(directory, client, seed=11)
        problems = (
            state_problems(outcome.emulator, directory)
            + ledger_problems(outcome.ledger, outcome.emulator)
            + [f"DELETE {t}" for t in user_deletes(outcome.emulator)]
        )
        if not outcome.converged:
            problems.append("did not converge")
        verdict = problems or "checked: converged, consistent"
        print(f"{outcome.figures.line()} [{verdict}]")
        failures += bool(problems)

    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
