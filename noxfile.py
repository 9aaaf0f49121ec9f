"""
Development sessions for scim_ninjio.

``nox -s ci`` is what continuous integration runs, in the current environment
(install the project with ``pip install -e '.[dev]'`` first). The other
sessions each build their own virtual environment.
"""

from __future__ import annotations

import pathlib

import nox


nox.options.sessions = ["lint", "typecheck", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True

PYTHONS = ["3.11", "3.12", "3.13"]


def _lint(session: nox.Session) -> None:
    session.run("ruff", "format", "--check", ".")
    session.run("ruff", "check", ".")


def _typecheck(session: nox.Session) -> None:
    session.run("mypy")


def _tests(session: nox.Session, *extra: str) -> None:
    session.run(
        "coverage",
        "run",
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        *extra,
        *session.posargs,
    )
    session.run("coverage", "combine", "--quiet")
    session.run("coverage", "report")


def _docs(session: nox.Session) -> None:
    args = ["-W", "-n", "--keep-going", "-q", "-d", "docs/_build/doctrees"]
    session.run("sphinx-build", "-b", "html", *args, "docs", "docs/_build/html")
    session.run("sphinx-build", "-b", "doctest", *args, "docs", "docs/_build/doctest")


@nox.session(venv_backend="none")
def ci(session: nox.Session) -> None:
    """Run every check in the current environment: what CI runs."""
    _lint(session)
    _typecheck(session)
    _docs(session)
    _tests(session)


@nox.session
def lint(session: nox.Session) -> None:
    """Check formatting and lint."""
    session.install("ruff")
    _lint(session)


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package and the public-API usage file (mypy --strict)."""
    session.install("-e", ".[typing,tests]")
    _typecheck(session)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the tests with branch coverage."""
    session.install("-e", ".[tests]")
    _tests(session)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs as HTML and run their examples, warnings as errors."""
    session.install("-e", ".[docs]")
    _docs(session)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks and print their figures side by side."""
    session.install(
        "-e", ".[tests]", "scim2-models>=0.12", "scim2-client[httpx2]>=0.13"
    )
    for script in sorted(pathlib.Path("benchmarks").glob("bench_*.py")):
        if session.posargs and not any(a in script.name for a in session.posargs):
            continue
        session.run("python", str(script))


@nox.session
def chaos(session: nox.Session) -> None:
    """Run the reliability experiments at full size, their figures shown."""
    session.install("-e", ".[tests]")
    session.run(
        "pytest",
        "-p",
        "no:cacheprovider",
        "-s",
        "tests/reliability",
        *session.posargs,
        env={"SCIM_NINJIO_CHAOS": "full"},
    )


@nox.session
def fuzz(session: nox.Session) -> None:
    """
    Fuzz each target of ``tests/fuzz/targets.py`` with atheris.

    ``nox -s fuzz -- 300`` gives each target 300 seconds (60 by default);
    ``nox -s fuzz -- 300 filters`` fuzzes only the targets named.
    """
    session.install("-e", ".[tests]", "atheris")
    seconds, *names = session.posargs or ["60"]
    targets = names or ["codec", "directory", "emulator", "filters", "patch"]
    for name in targets:
        session.run(
            "python",
            "tests/fuzz/targets.py",
            name,
            f"-max_total_time={seconds}",
            "-timeout=10",
            "-rss_limit_mb=4096",
            "-print_final_stats=1",
        )
