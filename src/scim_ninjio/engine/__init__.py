"""
The provisioning engine: plan, apply, report; full reconciles and events.

:class:`Engine` (sync) and :class:`AsyncEngine` read NINJIO through a client,
plan against a JumpCloud :class:`~scim_ninjio.jumpcloud.Directory` and the
ledger, and carry the plan out step by step, writing the ledger after each
step. :class:`Integration` holds the connection's lifecycle (I1-I3).
"""

from __future__ import annotations

from scim_ninjio.engine._engine import AsyncEngine, Engine, RecordCallback
from scim_ninjio.engine._events import (
    Event,
    GroupBound,
    GroupCreated,
    GroupDeleted,
    GroupManagementChanged,
    GroupRenamed,
    GroupUnbound,
    MembershipAdded,
    MembershipRemoved,
    UserChanged,
    targets_of,
)
from scim_ninjio.engine._integration import Integration
from scim_ninjio.engine._report import Report, StepRecord, StepStatus


__all__ = [
    "AsyncEngine",
    "Engine",
    "Event",
    "GroupBound",
    "GroupCreated",
    "GroupDeleted",
    "GroupManagementChanged",
    "GroupRenamed",
    "GroupUnbound",
    "Integration",
    "MembershipAdded",
    "MembershipRemoved",
    "RecordCallback",
    "Report",
    "StepRecord",
    "StepStatus",
    "UserChanged",
    "targets_of",
]
