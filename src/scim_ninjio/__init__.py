"""
scim_ninjio: provision users and groups from JumpCloud into NINJIO over SCIM 2.0.

The names most integrations need are re-exported here. The submodules are
public too: :mod:`~scim_ninjio.models` (SCIM resources and messages),
:mod:`~scim_ninjio.exceptions` (the error tree), :mod:`~scim_ninjio.mapping`
(the attribute table), :mod:`~scim_ninjio.jumpcloud` (JumpCloud records),
:mod:`~scim_ninjio.policy` (the rules), :mod:`~scim_ninjio.ledger`,
:mod:`~scim_ninjio.client`, :mod:`~scim_ninjio.transports`,
:mod:`~scim_ninjio.profiles`, :mod:`~scim_ninjio.engine`,
:mod:`~scim_ninjio.typing` and :mod:`~scim_ninjio.testing` (the test kit).
"""

from __future__ import annotations

import logging

from typing import Any

from scim_ninjio import exceptions, jumpcloud, mapping, models, policy
from scim_ninjio._codec import converter, decode, dumps, encode, loads
from scim_ninjio._http import Request, Response, Sleep
from scim_ninjio._plan import (
    AddMembers,
    AdoptUser,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    NinjioState,
    Plan,
    Problem,
    ReleaseGroup,
    RelinkGroup,
    RemoveMembers,
    RenameGroup,
    Step,
    TakeOverGroup,
    Targets,
    UpdateUser,
    make_plan,
)
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.client import (
    AsyncNinjioClient,
    Capabilities,
    Created,
    NinjioClient,
    Verification,
)
from scim_ninjio.engine import (
    AsyncEngine,
    Engine,
    Integration,
    Report,
    StepRecord,
)
from scim_ninjio.exceptions import ScimNinjioError, ValidationError
from scim_ninjio.jumpcloud import Directory, SystemUser, UserGroup, load_directory
from scim_ninjio.ledger import Ledger, MemoryLedger, SqliteLedger
from scim_ninjio.policy import DeactivationThreshold, NinjioSettings, SyncSettings
from scim_ninjio.profiles import GENERIC, NINJIO, ServerProfile


# A library leaves logging to the application: without a handler of its own,
# a retry's WARNING would reach standard error through logging's last resort.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "GENERIC",
    "NINJIO",
    "AddMembers",
    "AdoptUser",
    "AsyncEngine",
    "AsyncNinjioClient",
    "Capabilities",
    "CreateGroup",
    "CreateUser",
    "Created",
    "DeactivateUser",
    "DeactivationThreshold",
    "DeleteGroup",
    "Directory",
    "Engine",
    "Integration",
    "Ledger",
    "MemoryLedger",
    "NinjioClient",
    "NinjioSettings",
    "NinjioState",
    "Plan",
    "Problem",
    "ReleaseGroup",
    "RelinkGroup",
    "RemoveMembers",
    "RenameGroup",
    "Report",
    "Request",
    "Response",
    "RetryPolicy",
    "ScimNinjioError",
    "ServerProfile",
    "Sleep",
    "SqliteLedger",
    "Step",
    "StepRecord",
    "SyncSettings",
    "SystemUser",
    "TakeOverGroup",
    "Targets",
    "UpdateUser",
    "UserGroup",
    "ValidationError",
    "Verification",
    "converter",
    "decode",
    "dumps",
    "encode",
    "exceptions",
    "jumpcloud",
    "load_directory",
    "loads",
    "make_plan",
    "mapping",
    "models",
    "policy",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 -- read only when asked

        return version("scim-ninjio")

    raise AttributeError(f"module 'scim_ninjio' has no attribute {name!r}")
