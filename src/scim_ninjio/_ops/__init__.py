"""
Every SCIM operation, written once, without I/O.

Each operation is a generator that yields :class:`~scim_ninjio._http.Request`
and :class:`~scim_ninjio._http.Sleep` values and receives
:class:`~scim_ninjio._http.Response` values; streams also yield :class:`Emit`.
:mod:`scim_ninjio.client` drives them over a sync or an async transport.
"""

from __future__ import annotations

from scim_ninjio._ops._core import Emit, Op, Pacer, Session, Stream, exchange
from scim_ninjio._ops._discovery import (
    capabilities,
    resource_types,
    schemas,
    service_provider_config,
    verify,
)
from scim_ninjio._ops._paging import iterate, search
from scim_ninjio._ops._resources import (
    change_members,
    create,
    deactivate_user,
    delete,
    eq,
    find_group,
    find_user,
    find_user_by_email,
    get,
    patch,
    rename_group,
    replace,
)
from scim_ninjio._ops._values import Capabilities, Created, FailureKind, Verification


__all__ = [
    "Capabilities",
    "Created",
    "Emit",
    "FailureKind",
    "Op",
    "Pacer",
    "Session",
    "Stream",
    "Verification",
    "capabilities",
    "change_members",
    "create",
    "deactivate_user",
    "delete",
    "eq",
    "exchange",
    "find_group",
    "find_user",
    "find_user_by_email",
    "get",
    "iterate",
    "patch",
    "rename_group",
    "replace",
    "resource_types",
    "schemas",
    "search",
    "service_provider_config",
    "verify",
]
