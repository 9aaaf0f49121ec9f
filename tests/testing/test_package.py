import subprocess
import sys

import pytest

import scim_ninjio.testing


class TestLazyExports:
    """The package's names, imported when first used."""

    def test_names_resolve(self):
        """Every exported name resolves to the object of its home module."""
        from scim_ninjio.testing import emulator, faults, server

        homes = {**vars(emulator), **vars(faults), **vars(server)}

        for name in scim_ninjio.testing.__all__:
            assert getattr(scim_ninjio.testing, name) is homes[name]

    def test_unknown_name(self):
        """An unknown name raises AttributeError naming it."""
        with pytest.raises(AttributeError, match="no_such_thing"):
            scim_ninjio.testing.no_such_thing  # noqa: B018

    def test_dir_lists_exports(self):
        """dir() lists the exported names before they are first used."""
        assert set(scim_ninjio.testing.__all__) <= set(dir(scim_ninjio.testing))

    def test_import_is_cheap(self):
        """Importing the package loads no aiohttp, hypothesis, pytest or emulator."""
        code = (
            "import sys, scim_ninjio.testing\n"
            "heavy = ['aiohttp', 'hypothesis', 'pytest',\n"
            "         'scim_ninjio.testing.emulator']\n"
            "print([m for m in heavy if m in sys.modules])"
        )

        out = subprocess.run(  # noqa: S603 -- our own interpreter
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout

        assert out.strip() == "[]"
