"""
Chaos: a full sync against a live emulator that faults 10% of requests.

429 with Retry-After, 500 (processed or not), 503, dropped connections
(before or after processing), read timeouts and truncated bodies, through
the real sync (urllib3) and async (aiohttp) clients.
"""

import pytest

from chaos_kit import (
    CLIENTS,
    MAX_RUNS,
    SIZES,
    Figures,
    chaos_sync,
    ledger_problems,
    state_problems,
    user_deletes,
)

from scim_ninjio._sample import sample_directory


@pytest.fixture(scope="module")
def directory():
    """The sample directory at the experiment's size."""
    return sample_directory(users=SIZES.users, groups=SIZES.groups, seed=3)


@pytest.fixture(scope="module", params=sorted(CLIENTS))
def client_name(request):
    """Which client runs the experiment."""
    return request.param


@pytest.fixture(scope="module")
def outcome(client_name, directory):
    """One chaos experiment per client, its figures printed for the log."""
    outcome = chaos_sync(directory, client_name, seed=11)
    print(outcome.figures.line())  # noqa: T201 -- the figures, shown with -s
    return outcome


class TestChaosSync:
    """A sync under faults converges, duplicates nothing and deletes no user."""

    def test_converges(self, outcome, directory):
        """Within a few runs the plan is empty and NINJIO holds the desired state."""
        assert outcome.converged, outcome.figures.line()
        assert outcome.figures.runs <= MAX_RUNS
        assert state_problems(outcome.emulator, directory) == []
        assert ledger_problems(outcome.ledger, outcome.emulator) == []

    @pytest.mark.rule("U5")
    def test_no_user_deleted(self, outcome):
        """U5: no DELETE on a user was ever sent, whatever failed."""
        assert user_deletes(outcome.emulator) == []

    @pytest.mark.rule("U2")
    def test_nothing_duplicated(self, outcome):
        """U2: a create whose answer was lost adopts the account, never a second."""
        names = [u.user_name.casefold() for u in outcome.emulator.users]

        assert len(names) == len(set(names))
        assert outcome.figures.faults > 0

    def test_report_accounts_for_every_step(self, outcome):
        """Each run's report has one record per planned step, none lost."""
        for plan, report in zip(outcome.plans, outcome.reports, strict=True):
            planned = sorted(step.id for step in plan.steps)
            recorded = sorted(record.step_id for record in report.records)

            assert recorded == planned
            assert {r.status for r in report.records} <= {"done", "failed", "skipped"}
            assert len(report.problems) == len(plan.problems)

    def test_second_run_converges(self, directory, client_name):
        """Faults on the first run only: at most one more run, then nothing to do."""
        outcome = chaos_sync(directory, client_name, seed=5, faulty_runs=1)

        assert outcome.converged
        assert outcome.figures.runs <= 2
        assert state_problems(outcome.emulator, directory) == []

    def test_faults_were_met_and_retried(self, outcome):
        """The experiment did meet faults of many kinds, and retried."""
        figures = outcome.figures

        assert figures.faults >= figures.requests * 0.05
        assert len(figures.by_kind) >= 5
        assert figures.retries > 0


class TestFiguresLine:
    """The printed figures say "converged" only when the last plan was empty."""

    def _figures(self, *, converged):
        return Figures(
            client="sync (urllib3)",
            users=300,
            groups=10,
            steps=320,
            requests=400,
            faults=40,
            by_kind={"hang": 40},
            retries=12,
            runs=MAX_RUNS if not converged else 2,
            failed_steps=9,
            seconds=1.5,
            converged=converged,
        )

    def test_converged(self):
        """An experiment whose plan emptied says after how many runs."""
        line = self._figures(converged=True).line()

        assert line.endswith("9 steps failed, converged after 2 run(s) in 1.5 s")

    def test_not_converged(self):
        """An experiment that gave up says so, and never "converged after"."""
        line = self._figures(converged=False).line()

        assert f"9 steps failed, did not converge after {MAX_RUNS} run(s)" in line
        assert ", converged" not in line
