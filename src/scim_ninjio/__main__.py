"""``python -m scim_ninjio``: the ``scim-ninjio`` command (needs the cli extra)."""

from __future__ import annotations

import sys


def _run() -> int:
    try:
        from scim_ninjio.cli import main  # noqa: PLC0415 -- needs click and rich
    except ImportError as e:
        print(  # noqa: T201 -- the command line's own error, before click exists
            f"error: the command line needs the cli extra ({e.name} is missing): "
            "pip install 'scim-ninjio[cli]' (pip install -e '.[cli]' in a clone)",
            file=sys.stderr,
        )
        return 2

    return main()


if __name__ == "__main__":  # pragma: no cover -- run by `python -m`
    sys.exit(_run())
