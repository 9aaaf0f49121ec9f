"""
Crash and resume: a sync process killed with SIGKILL at seeded random points.

The emulator lives in a live server in this process, so it survives; the
sync runs in a child process with a SQLite ledger in a real file. The server
kills the child while it handles the child's k-th request, before or after
processing it, so that the kill lands between a change and the ledger write
that records it as often as anywhere else. Each trial kills one or two runs,
then a run in this process must converge with nothing created twice.
"""

import collections
import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from chaos_kit import SIZES, ledger_problems, state_problems, user_deletes

from scim_ninjio import Request, Response
from scim_ninjio._retry import RetryPolicy
from scim_ninjio._sample import sample_directory
from scim_ninjio.client import NinjioClient
from scim_ninjio.engine import Engine
from scim_ninjio.ledger import MemoryLedger, SqliteLedger
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator
from scim_ninjio.testing.server import LiveServer
from scim_ninjio.transports import MemoryTransport


CHILD = pathlib.Path(__file__).with_name("crash_child.py")


class Killer:
    """Serves an emulator and kills a process at its k-th request."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.at = 0
        self.before = False
        self.seen = 0
        self.killed = False

    def arm(self, pid: int, at: int, *, before: bool) -> None:
        """Kill ``pid`` on the ``at``-th request from now, before or after it."""
        with self.lock:
            self.pid, self.at, self.before, self.seen = pid, at, before, 0
            self.killed = False

    def _kill(self) -> None:
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        self.killed = True

    def __call__(self, request: Request) -> Response:
        """Answer a request, killing the sync process when its turn comes."""
        with self.lock:
            self.seen += 1
            due = self.pid is not None and self.seen == self.at
            if due and self.before:
                self._kill()
                return Response(503)
            answer = self.emulator.handle(request)
            if due:
                self._kill()
        return answer


def requests_of_a_full_run(directory) -> int:
    """How many requests an uninterrupted sync of the directory sends."""
    emulator = Emulator()
    transport = MemoryTransport(emulator.handle, authorize=True)
    with NinjioClient(
        "http://127.0.0.1/scim/v2", DEFAULT_TOKEN, transport=transport
    ) as client:
        Engine(client, MemoryLedger()).sync(directory)

    return len(emulator.requests)


def run_child(url: str, ledger: pathlib.Path, document: pathlib.Path):
    """Start one sync in a child process."""
    return subprocess.Popen(  # noqa: S603 -- our own interpreter and script
        [sys.executable, str(CHILD), url, str(ledger), str(document)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def created_twice(emulator: Emulator) -> list[str]:
    """userNames and displayNames that a successful POST created more than once."""
    created = collections.Counter(
        str(r.json().get("userName") or r.json().get("displayName")).casefold()
        for r in emulator.requests
        if r.method == "POST" and r.status == 201 and r.path in {"/Users", "/Groups"}
    )
    return [name for name, count in created.items() if count > 1]


def trial(number: int, tmp: pathlib.Path) -> dict[str, int]:
    """Kill one or two runs at random points, then converge; check everything."""
    rng = random.Random(number)  # noqa: S311 -- a reproducible trial, not a secret
    directory = sample_directory(
        users=SIZES.crash_users, groups=SIZES.crash_groups, seed=number
    )
    total = requests_of_a_full_run(directory)
    document = tmp / f"directory-{number}.json"
    document.write_text(json.dumps(directory.to_json()), encoding="utf-8")
    ledger_path = tmp / f"ledger-{number}.sqlite3"
    emulator = Emulator(log_size=None)
    killer = Killer(emulator)
    kills = before = 0
    with LiveServer(killer) as server:
        emulator.base_url = server.url
        for _ in range(rng.choice((1, 2))):
            child = run_child(server.url, ledger_path, document)
            killer.arm(child.pid, rng.randint(1, total), before=rng.random() < 0.3)
            _, errors = child.communicate(timeout=120)
            if killer.killed:
                assert child.returncode == -signal.SIGKILL
                kills += 1
                before += killer.before
            else:
                assert child.returncode in {0, 1}, errors.decode()
        killer.pid = None
        with (
            NinjioClient(
                server.url, DEFAULT_TOKEN, retry=RetryPolicy(wait=False)
            ) as client,
            SqliteLedger(ledger_path) as ledger,
        ):
            engine = Engine(client, ledger)
            engine.sync(directory)

            assert engine.plan(directory).empty
            assert ledger_problems(ledger, emulator) == []
            assert ledger_bytes_hold_no_token(ledger_path)
    assert state_problems(emulator, directory) == []
    assert created_twice(emulator) == []
    assert user_deletes(emulator) == []

    return {"kills": kills, "before": before, "requests": total}


def ledger_bytes_hold_no_token(path: pathlib.Path) -> bool:
    """Whether the ledger file and its journals are free of the token."""
    token = DEFAULT_TOKEN.encode()
    files = [path, *path.parent.glob(path.name + "-*")]

    return all(token not in file.read_bytes() for file in files if file.exists())


def tally_line(figures: collections.Counter[str], seconds: float) -> str:
    """
    Say the trials' figures in one line.

    ``trials`` counts the trials begun and ``passed`` those that met every
    check; the other figures are the passed trials'. The line says that
    every rerun converged only when every trial passed.
    """
    trials, passed = figures["trials"], figures["passed"]
    verdict = (
        "every rerun converged"
        if passed == trials
        else f"{trials - passed} of {trials} trials failed; the figures count the "
        f"{passed} that passed"
    )

    return (
        f"crash trials: {trials} trials of {SIZES.crash_users} users, "
        f"{figures['kills']} kills ({figures['before']} before the request was "
        f"processed, {figures['kills'] - figures['before']} after), "
        f"{figures['requests']} requests in full runs; {verdict}, "
        f"in {seconds:.1f} s"
    )


@pytest.fixture(scope="module")
def tally():
    """Add up the trials' figures and print them once all have run."""
    figures: collections.Counter[str] = collections.Counter()
    started = time.perf_counter()
    yield figures
    print(tally_line(figures, time.perf_counter() - started))  # noqa: T201 -- with -s


@pytest.mark.slow
@pytest.mark.rule("U2")
@pytest.mark.parametrize("number", range(SIZES.crash_trials))
def test_killed_sync_resumes(number, tmp_path, tally):
    """U2: a sync killed anywhere resumes to the desired state, nothing twice."""
    tally.update(trials=1)
    figures = trial(number, tmp_path)

    assert figures["kills"] >= 1

    tally.update(figures, passed=1)


class TestTallyLine:
    """The crash figures claim convergence only when every trial passed."""

    def test_every_trial_passed(self):
        """All trials passed: the line says every rerun converged."""
        figures = collections.Counter(
            trials=3, passed=3, kills=4, before=1, requests=900
        )

        line = tally_line(figures, 2.0)

        assert "4 kills (1 before the request was processed, 3 after)" in line
        assert line.endswith(
            "900 requests in full runs; every rerun converged, in 2.0 s"
        )

    def test_a_trial_failed(self):
        """A failed trial: the line says how many failed, and claims nothing."""
        figures = collections.Counter(
            trials=3, passed=2, kills=3, before=1, requests=600
        )

        line = tally_line(figures, 2.0)

        assert "converged" not in line
        assert "1 of 3 trials failed; the figures count the 2 that passed" in line
