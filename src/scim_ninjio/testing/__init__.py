"""
The scim_ninjio test kit, for scim_ninjio's tests and for yours.

- :class:`~scim_ninjio.testing.emulator.Emulator`: a NINJIO SCIM 2.0 server
  in memory, without I/O (:mod:`scim_ninjio.testing.emulator`);
- :class:`~scim_ninjio.testing.faults.FaultInjector` and
  :class:`~scim_ninjio.testing.faults.FaultPlan`: reproducible failures around
  it (:mod:`scim_ninjio.testing.faults`);
- :class:`~scim_ninjio.testing.server.LiveServer`: the same over real HTTP on
  loopback (:mod:`scim_ninjio.testing.server`, needs aiohttp);
- a pytest plugin with ``ninjio_*`` fixtures, loaded automatically
  (:mod:`scim_ninjio.testing.plugin`);
- hypothesis strategies (:mod:`scim_ninjio.testing.strategies`, needs
  hypothesis).

Importing this package is cheap: each name is imported when first used, so
neither aiohttp, hypothesis nor pytest is loaded until something needs it.

>>> from scim_ninjio.testing import Emulator
>>> Emulator().profile.name
'ninjio'
"""

from __future__ import annotations

import importlib

from typing import TYPE_CHECKING, Any


if TYPE_CHECKING:
    from scim_ninjio.testing.emulator import (
        DEFAULT_TOKEN,
        GENERIC_PROFILE,
        NINJIO_PROFILE,
        Emulator,
        EmulatorProfile,
        LoggedRequest,
    )
    from scim_ninjio.testing.faults import (
        Fault,
        FaultInjector,
        FaultKind,
        FaultPlan,
        InjectedFault,
    )
    from scim_ninjio.testing.server import LiveServer, serve


__all__ = [
    "DEFAULT_TOKEN",
    "GENERIC_PROFILE",
    "NINJIO_PROFILE",
    "Emulator",
    "EmulatorProfile",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "InjectedFault",
    "LiveServer",
    "LoggedRequest",
    "serve",
]

_HOMES = {
    "DEFAULT_TOKEN": "emulator",
    "GENERIC_PROFILE": "emulator",
    "NINJIO_PROFILE": "emulator",
    "Emulator": "emulator",
    "EmulatorProfile": "emulator",
    "LoggedRequest": "emulator",
    "Fault": "faults",
    "FaultInjector": "faults",
    "FaultKind": "faults",
    "FaultPlan": "faults",
    "InjectedFault": "faults",
    "LiveServer": "server",
    "serve": "server",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'scim_ninjio.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"scim_ninjio.testing.{home}"), name)
    globals()[name] = value

    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
