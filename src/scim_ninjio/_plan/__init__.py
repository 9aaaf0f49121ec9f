"""Planning: reconcile JumpCloud, NINJIO and the ledger into an ordered Plan."""

from __future__ import annotations

from scim_ninjio._plan._planner import NinjioState, Targets, make_plan
from scim_ninjio._plan._steps import (
    PLAN_FORMAT,
    STEP_TYPES,
    AddMembers,
    AdoptUser,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    Plan,
    Problem,
    ReleaseGroup,
    RelinkGroup,
    RemoveMembers,
    RenameGroup,
    Step,
    TakeOverGroup,
    UpdateUser,
)


__all__ = [
    "PLAN_FORMAT",
    "STEP_TYPES",
    "AddMembers",
    "AdoptUser",
    "CreateGroup",
    "CreateUser",
    "DeactivateUser",
    "DeleteGroup",
    "NinjioState",
    "Plan",
    "Problem",
    "ReleaseGroup",
    "RelinkGroup",
    "RemoveMembers",
    "RenameGroup",
    "Step",
    "TakeOverGroup",
    "Targets",
    "UpdateUser",
    "make_plan",
]
