"""The package's face: its version, its names, and what importing it costs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import scim_ninjio

from scim_ninjio.typing import JSONObject, JSONValue


def test_version_is_the_installed_distributions():
    """``__version__`` is read from the installed metadata."""
    from importlib.metadata import version

    assert scim_ninjio.__version__ == version("scim-ninjio")


def test_an_unknown_name_says_which():
    """A misspelt name raises AttributeError naming it."""
    with pytest.raises(AttributeError, match="no attribute 'Engin'"):
        scim_ninjio.Engin  # noqa: B018 -- the attribute access is the test


def test_every_exported_name_exists():
    """Everything in ``__all__`` can be imported from the package."""
    missing = [name for name in scim_ninjio.__all__ if not hasattr(scim_ninjio, name)]

    assert missing == []


def test_typing_aliases_describe_json():
    """The JSON aliases accept what :func:`json.loads` returns."""
    document: JSONObject = {"userName": "ada", "emails": [{"value": "a@b.c"}]}
    value: JSONValue = [1, "two", None, {"three": 3.0}]

    assert document["userName"] == "ada"
    assert isinstance(value, list)


def test_import_needs_no_optional_dependency():
    """The library imports with aiohttp, click, rich and hypothesis missing."""
    code = textwrap.dedent(
        """
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"aiohttp", "click", "rich", "hypothesis"}:
                    raise ImportError(f"{name} is blocked")
                return None

        sys.meta_path.insert(0, Block())
        import scim_ninjio
        from scim_ninjio.client import NinjioClient
        from scim_ninjio.engine import Engine
        from scim_ninjio.testing import Emulator
        Emulator()
        print("imported")
        """
    )
    result = subprocess.run(  # noqa: S603 -- this interpreter, a fixed script
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported"
