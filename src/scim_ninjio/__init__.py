"""
scim_ninjio: provision users and groups from JumpCloud into NINJIO over SCIM 2.0.

The public API is re-exported here; the submodules ``exceptions``, ``models``,
``mapping``, ``jumpcloud``, ``policy``, ``typing`` and ``testing`` are public
too.
"""

from __future__ import annotations

from typing import Any

from scim_ninjio import exceptions, models, policy
from scim_ninjio._codec import converter, decode, dumps, encode, loads
from scim_ninjio._http import Request, Response, Sleep
from scim_ninjio.exceptions import ScimNinjioError, ValidationError


__all__ = [
    "Request",
    "Response",
    "ScimNinjioError",
    "Sleep",
    "ValidationError",
    "converter",
    "decode",
    "dumps",
    "encode",
    "exceptions",
    "loads",
    "models",
    "policy",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 -- read only when asked

        return version("scim-ninjio")

    raise AttributeError(f"module 'scim_ninjio' has no attribute {name!r}")
