"""
Typed JumpCloud records and the directory snapshot that a sync starts from.

A :class:`Directory` holds what the engine needs to know about JumpCloud at
one moment: the system users, the user groups with their direct members, the
groups bound to the NINJIO application and whether group management is on.
It is read from a JSON document (``"format": "scim-ninjio.directory/1"``,
described in the *Directory format* page of the docs) by
:meth:`Directory.from_json` and :func:`load_directory`.

Two kinds of fault are told apart. A fault of the document itself (not JSON,
not an object, a wrong ``format``, ``users`` not a list) raises
:class:`~scim_ninjio.exceptions.ValidationError`: nothing in it can be
trusted. A fault of one record (a user whose ``_id`` is missing, a group
naming an unknown member) skips that record, member or binding, and is kept as
a :class:`RecordProblem`; the rest loads. Because a skipped record could make
a user look deleted, a directory with problems is marked incomplete, and the
engine never deactivates anyone from an incomplete directory (rule U5).

:class:`JumpCloudReader` and :func:`read_jumpcloud` build the same snapshot
from JumpCloud's own API instead (v1 system users, v2 user groups, their
members and the application's bound groups); they are imported when first
used, so that reading a document needs no HTTP stack.

Limitations:
    In a directory document, group members must be plain user ids; the
    GraphConnection objects of ``GET /v2/usergroups/{id}/members`` are read
    by :class:`JumpCloudReader` only. Nested memberships are not read
    either way. One skipped record keeps
    the whole snapshot incomplete, so no one is deactivated until the record
    is fixed.

>>> directory = Directory.from_json({
...     "format": "scim-ninjio.directory/1",
...     "group_management": True,
...     "bound_groups": ["g1"],
...     "users": [{"_id": "u1", "username": "ada", "activated": "true"}],
...     "groups": [{"id": "g1", "name": "Engineering", "members": ["u1"]}],
... })
>>> [group.name for group in directory.groups_of("u1")]
['Engineering']
>>> directory.find_user("u1").activated
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scim_ninjio.jumpcloud._directory import Directory, load_directory
from scim_ninjio.jumpcloud._reader import DIRECTORY_FORMAT
from scim_ninjio.jumpcloud._records import (
    RecordKind,
    RecordProblem,
    SystemUser,
    UserGroup,
    UserState,
)


if TYPE_CHECKING:
    from scim_ninjio.jumpcloud._api import (
        JUMPCLOUD_API_URL,
        JumpCloudReader,
        read_jumpcloud,
    )


__all__ = [
    "DIRECTORY_FORMAT",
    "JUMPCLOUD_API_URL",
    "Directory",
    "JumpCloudReader",
    "RecordKind",
    "RecordProblem",
    "SystemUser",
    "UserGroup",
    "UserState",
    "load_directory",
    "read_jumpcloud",
]

_API_NAMES = frozenset({"JUMPCLOUD_API_URL", "JumpCloudReader", "read_jumpcloud"})


def __getattr__(name: str) -> Any:
    # The API reader needs the transports; a directory document does not.
    if name in _API_NAMES:
        from scim_ninjio.jumpcloud import _api  # noqa: PLC0415 -- on first use

        return getattr(_api, name)

    raise AttributeError(f"module 'scim_ninjio.jumpcloud' has no attribute {name!r}")
