# ruff: noqa: INP001 -- a script run by path, not an importable package
"""
Write the small intersphinx inventories that the docs link through.

The docs build without network, so the inventories of the projects they link
to are kept here instead of being fetched. Each holds only the names the docs
name, pointing at the project's real pages. Run it after naming something new
of one of these projects::

    python docs/_inventories/make.py

and commit the ``.inv`` files it writes next to itself.
"""

from __future__ import annotations

import pathlib
import types

from collections.abc import Iterator
from typing import NamedTuple

from sphinx.util.inventory import InventoryFile


HERE = pathlib.Path(__file__).parent


class Entry(NamedTuple):
    """One object of an inventory: a name, its role and the page it is on."""

    name: str
    role: str
    page: str
    anchor: str | None = None


class Project(NamedTuple):
    """A project whose names the docs link to."""

    name: str
    version: str
    entries: tuple[Entry, ...]


def _classes(page: str, *names: str) -> tuple[Entry, ...]:
    return tuple(Entry(name, "class", page) for name in names)


def _functions(page: str, *names: str) -> tuple[Entry, ...]:
    return tuple(Entry(name, "function", page) for name in names)


PROJECTS = {
    "python": Project(
        "Python",
        "3",
        (
            *_classes(
                "library/collections.abc.html",
                "collections.abc.AsyncIterator",
                "collections.abc.Awaitable",
                "collections.abc.Callable",
                "collections.abc.Iterable",
                "collections.abc.Iterator",
                "collections.abc.Mapping",
                "collections.abc.Sequence",
            ),
            *_classes("library/collections.html", "collections.Counter"),
            *_classes("library/contextlib.html", "contextlib.AbstractContextManager"),
            *_classes("library/datetime.html", "datetime.datetime"),
            # Annotations written as ``dt.datetime`` (``import datetime as dt``)
            # reach the docs under that spelling.
            Entry("dt.datetime", "class", "library/datetime.html", "datetime.datetime"),
            *_classes("library/os.html", "os.PathLike"),
            *_classes("library/pathlib.html", "pathlib.Path"),
            *_classes("library/random.html", "random.Random"),
            *_classes("library/threading.html", "threading.Event"),
            *_functions("library/asyncio-task.html", "asyncio.gather"),
            *_functions("library/functions.html", "repr"),
            *_functions("library/json.html", "json.dumps", "json.loads"),
            *_functions("library/time.html", "time.sleep"),
            Entry("json", "module", "library/json.html", "module-json"),
            Entry("sqlite3", "module", "library/sqlite3.html", "module-sqlite3"),
            Entry("logging", "module", "library/logging.html", "module-logging"),
            *_classes("library/sqlite3.html", "sqlite3.Connection"),
            *_classes("library/logging.html", "logging.Logger"),
            *_classes("library/stdtypes.html", "dict", "list", "str", "bytes"),
            *_classes("library/functions.html", "bool", "int", "float", "tuple"),
            Entry("None", "data", "library/constants.html"),
            Entry("True", "data", "library/constants.html"),
            Entry("False", "data", "library/constants.html"),
            Entry("ValueError", "exception", "library/exceptions.html"),
            Entry("TypeError", "exception", "library/exceptions.html"),
            Entry("KeyError", "exception", "library/exceptions.html"),
            Entry("typing.Protocol", "class", "library/typing.html"),
        ),
    ),
    "attrs": Project(
        "attrs",
        "stable",
        (
            *_functions("api.html", "attrs.define", "attrs.frozen", "attrs.evolve"),
            *_functions("api.html", "attrs.field"),
        ),
    ),
    "cattrs": Project(
        "cattrs",
        "stable",
        _classes("cattrs.html", "cattrs.Converter"),
    ),
    "requests": Project(
        "Requests",
        "latest",
        _classes("api.html", "requests.Session"),
    ),
    "urllib3": Project(
        "urllib3",
        "stable",
        (
            *_classes("reference/urllib3.poolmanager.html", "urllib3.PoolManager"),
            *_classes("reference/urllib3.util.html", "urllib3.util.Retry"),
        ),
    ),
    "aiohttp": Project(
        "aiohttp",
        "stable",
        _classes(
            "client_reference.html", "aiohttp.ClientSession", "aiohttp.TCPConnector"
        ),
    ),
    "hypothesis": Project(
        "Hypothesis",
        "latest",
        (
            *_classes(
                "reference/strategies.html", "hypothesis.strategies.SearchStrategy"
            ),
            *_functions("reference/api.html", "hypothesis.given"),
        ),
    ),
    "pytest": Project(
        "pytest",
        "stable",
        (
            *_classes(
                "reference/reference.html", "pytest.FixtureRequest", "pytest.Config"
            ),
            # pytest's own annotations name its private modules.
            Entry(
                "_pytest.fixtures.FixtureRequest",
                "class",
                "reference/reference.html",
                "pytest.FixtureRequest",
            ),
            Entry(
                "_pytest.config.Config",
                "class",
                "reference/reference.html",
                "pytest.Config",
            ),
            Entry("pytest.fixture", "function", "reference/reference.html"),
        ),
    ),
}


class _Domain:
    """The Python domain, as :meth:`InventoryFile.dump` reads it."""

    name = "py"

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self._entries = entries

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for entry in self._entries:
            anchor = entry.anchor or entry.name
            yield entry.name, entry.name, entry.role, entry.page, anchor, 1


class _Builder:
    """A builder whose documents are already file names."""

    @staticmethod
    def get_target_uri(docname: str) -> str:
        return docname


def write(key: str, project: Project) -> pathlib.Path:
    """Write one project's inventory next to this script and return its path."""
    domains = types.SimpleNamespace(sorted=lambda: [_Domain(project.entries)])
    config = types.SimpleNamespace(project=project.name, version=project.version)
    env = types.SimpleNamespace(config=config, domains=domains)
    path = HERE / f"{key}.inv"
    InventoryFile.dump(path, env, _Builder())  # type: ignore[arg-type]

    return path


if __name__ == "__main__":
    for key, project in PROJECTS.items():
        print(write(key, project))  # noqa: T201
