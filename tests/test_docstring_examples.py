"""Every example in a docstring runs: doctests and literal code blocks alike."""

import doctest
import importlib
import pkgutil
import textwrap

import pytest

import scim_ninjio

from scim_ninjio.testing import jumpcloud, plugin, server, strategies


pytest_plugins = ["pytester"]

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(scim_ninjio.__path__, "scim_ninjio.")
    if info.name != "scim_ninjio.__main__"
)


def literal_block(module):
    """The first ``::`` code block of a module's docstring, dedented."""
    doc = module.__doc__
    start = doc.index("::\n\n") + len("::\n\n")
    lines = []
    for line in doc[start:].splitlines():
        if line and not line.startswith("    "):
            break
        lines.append(line)

    return textwrap.dedent("\n".join(lines)).strip() + "\n"


class TestDoctests:
    """The ``>>>`` examples of every module, private ones included."""

    @pytest.mark.parametrize("name", MODULES)
    def test_module(self, name):
        """Each example of the module gives the output it shows."""
        module = importlib.import_module(name)
        flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

        found = doctest.testmod(module, optionflags=flags, report=False)

        assert found.failed == 0, f"{found.failed} of {found.attempted} failed"

    def test_examples_exist(self):
        """The walk found the modules, and they hold examples to run."""
        attempted = sum(
            doctest.testmod(importlib.import_module(name), report=False).attempted
            for name in MODULES
        )

        assert "scim_ninjio._filter._parser" in MODULES
        assert attempted >= 100


class TestLiteralBlocks:
    """The code blocks that modules show as examples run as shown."""

    def test_strategies(self):
        """The property test of the strategies module passes."""
        namespace = {}
        exec(literal_block(strategies), namespace)  # noqa: S102 -- our own docs

        namespace["test_round_trip"]()

    def test_server(self, capsys):
        """The live server example verifies a connection over HTTP."""
        exec(literal_block(server), {})  # noqa: S102 -- our own docs

        assert capsys.readouterr().out == "True\n"

    def test_jumpcloud(self, capsys):
        """The stand-in, served over HTTP, is read back by read_jumpcloud."""
        exec(literal_block(jumpcloud), {})  # noqa: S102 -- our own docs

        assert capsys.readouterr().out == "3 ['Staff']\n"

    def test_plugin(self, pytester):
        """The plugin's example test passes in a pytest run of its own."""
        pytester.makeini(
            "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
            "filterwarnings = error\n"
        )
        pytester.makepyfile(test_example=literal_block(plugin))

        result = pytester.runpytest("-p", "no:cacheprovider")

        result.assert_outcomes(passed=1)
