"""
A JumpCloud API stand-in: the endpoints a directory is read from, in memory.

:class:`JumpCloudStandIn` answers the requests that
:class:`~scim_ninjio.jumpcloud.JumpCloudReader` sends, in the shapes that
JumpCloud documents for its v1 and v2 APIs:

- ``GET /systemusers?limit=&skip=``: ``{"results": [...], "totalCount": n}``
  with v1 user records (``_id``, ``username``, ``employeeIdentifier``...);
- ``GET /v2/usergroups?limit=&skip=``: a bare array of user groups;
- ``GET /v2/usergroups/{id}/members?limit=&skip=``: a bare array of graph
  connections, the user's id under ``to.id``;
- ``GET /v2/applications/{id}/associations?targets=user_group``: the groups
  bound to the application, as graph connections.

Paths are relative to the API root (``https://console.jumpcloud.com/api``).
Every request must carry the ``x-api-key`` header, and ``x-org-id`` when the
stand-in was given an organisation. Like the NINJIO emulator it is sans-I/O
(``handle(Request) -> Response``); serve it over real HTTP with
:class:`~scim_ninjio.testing.LiveServer` and ``base_path="/api"``. Here it
holds a small directory document, which
:func:`~scim_ninjio.jumpcloud.read_jumpcloud` reads back::

    from scim_ninjio.jumpcloud import DIRECTORY_FORMAT, Directory, read_jumpcloud
    from scim_ninjio.testing import LiveServer
    from scim_ninjio.testing.jumpcloud import JumpCloudStandIn

    ids = ["u1", "u2", "u3"]
    snapshot = Directory.from_json(
        {
            "format": DIRECTORY_FORMAT,
            "users": [{"_id": i, "username": f"user-{i}"} for i in ids],
            "groups": [{"id": "g1", "name": "Staff", "members": ids}],
            "bound_groups": ["g1"],
        }
    )
    stand_in = JumpCloudStandIn(snapshot, app_id="app1")
    with LiveServer(stand_in.handle, base_path="/api") as server:
        directory = read_jumpcloud(stand_in.api_key, app_id="app1", base_url=server.url)
    print(len(directory.users), [g.name for g in directory.bound_groups])

It prints ``3 ['Staff']``.

Limitations:
    Only the read endpoints above are served, without ``filter``, ``sort``
    or ``fields``; v1 ``limit`` defaults to 10 and v2 ``limit`` to 10, and
    both refuse more than 100, as JumpCloud documents. Errors carry
    ``{"message": ...}`` bodies; JumpCloud's exact wording is not public.
"""

from __future__ import annotations

import hmac
import json
import re
import threading

from collections.abc import Callable
from typing import Any, Final

import attrs

from scim_ninjio._http import Request, Response
from scim_ninjio.jumpcloud import Directory


__all__ = ["STAND_IN_API_KEY", "JumpCloudStandIn"]

#: The API key a stand-in accepts unless told otherwise.
STAND_IN_API_KEY: Final = "jc-stand-in-key"

_MAX_LIMIT: Final = 100
_DEFAULT_LIMIT: Final = 10
_MEMBERS = re.compile(r"^/v2/usergroups/([^/]+)/members$")
_ASSOCIATIONS = re.compile(r"^/v2/applications/([^/]+)/associations$")


@attrs.frozen
class _Fault:
    prefix: str
    status: int


class JumpCloudStandIn:
    """
    Answers JumpCloud API reads from a directory snapshot, without I/O.

    Args:
        directory: What the stand-in holds: its users, groups, direct
            members and the groups bound to the application.
        app_id: The id of the NINJIO application the bindings belong to.
        api_key: The key every request must carry in ``x-api-key``.
        org_id: When set, every request must carry it in ``x-org-id``, as a
            multi-tenant administrator's requests do.

    Attributes:
        users: The v1 user records, in the order they are listed.
        groups: The v2 user group records.
        members: Each group's direct member ids.
        bound: The ids of the groups bound to the application.
        requests: Every request answered, in order (headers without the key).
        before_each: Called with each request before it is answered, so
            that a test can change the directory between two pages.
    """

    def __init__(
        self,
        directory: Directory,
        *,
        app_id: str = "ninjio-app",
        api_key: str = STAND_IN_API_KEY,
        org_id: str | None = None,
    ) -> None:
        self.app_id = app_id
        self.api_key = api_key
        self.org_id = org_id
        self.users: list[dict[str, Any]] = [u.to_json() for u in directory.users]
        self.groups: list[dict[str, Any]] = [
            {"id": g.id, "name": g.name, "type": "user_group"} for g in directory.groups
        ]
        self.members: dict[str, list[str]] = {
            g.id: list(g.member_ids) for g in directory.groups
        }
        self.bound: list[str] = sorted(directory.bound_group_ids)
        self.requests: list[Request] = []
        self.before_each: Callable[[Request], None] | None = None
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"<JumpCloudStandIn {len(self.users)} users, {len(self.groups)} groups, "
            f"app {self.app_id!r}>"
        )

    def fail(self, path_prefix: str, status: int, *, times: int = 1) -> None:
        """
        Fail the next ``times`` requests whose path starts with a prefix.

        They are answered with ``status`` and a JumpCloud error body.
        """
        with self._lock:
            self._faults += [_Fault(path_prefix, status)] * times

    def remove_user(self, user_id: str) -> None:
        """Delete a user, and their memberships, as JumpCloud would."""
        self.users = [u for u in self.users if u["_id"] != user_id]
        for ids in self.members.values():
            if user_id in ids:
                ids.remove(user_id)

    def handle(self, request: Request) -> Response:
        """Answer one request."""
        shown = {k: v for k, v in request.headers.items() if k != "x-api-key"}
        self.requests.append(attrs.evolve(request, headers=shown))
        if self.before_each is not None:
            self.before_each(request)
        key = request.header("x-api-key") or ""
        if not hmac.compare_digest(key.encode(), self.api_key.encode()):
            return _error(401, "Unauthorized")
        if self.org_id is not None and request.header("x-org-id") != self.org_id:
            return _error(401, "the x-org-id header names no organization of this key")
        if request.method != "GET":
            return _error(405, f"{request.method} is not served by the stand-in")
        fault = self._take_fault(request.path)
        if fault is not None:
            return _error(fault.status, f"injected HTTP {fault.status}")
        try:
            limit, skip = _paging(request)
        except ValueError as e:
            return _error(400, str(e))

        return self._route(request, limit, skip)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if path.startswith(fault.prefix):
                    return self._faults.pop(index)

        return None

    def _route(self, request: Request, limit: int, skip: int) -> Response:
        path = request.path
        if path == "/systemusers":
            page = self.users[skip : skip + limit]
            return _json({"results": page, "totalCount": len(self.users)})
        if path == "/v2/usergroups":
            return _json(self.groups[skip : skip + limit])
        match = _MEMBERS.match(path)
        if match is not None:
            ids = self.members.get(match.group(1))
            if ids is None:
                return _error(404, f"no user group {match.group(1)!r}")
            return _json([_connection(i, "user") for i in ids[skip : skip + limit]])
        match = _ASSOCIATIONS.match(path)
        if match is not None:
            if match.group(1) != self.app_id:
                return _error(404, f"no application {match.group(1)!r}")
            if request.query.get("targets") != "user_group":
                return _error(400, "targets is required: targets=user_group")
            bound = self.bound[skip : skip + limit]
            return _json([_connection(i, "user_group") for i in bound])

        return _error(404, f"no route for {path!r}")


def _paging(request: Request) -> tuple[int, int]:
    query = request.query
    try:
        limit = int(query.get("limit", _DEFAULT_LIMIT))
        skip = int(query.get("skip", 0))
    except ValueError:
        raise ValueError("limit and skip must be whole numbers") from None
    if not 0 < limit <= _MAX_LIMIT or skip < 0:
        raise ValueError(f"limit must be between 1 and {_MAX_LIMIT}, skip 0 or more")

    return limit, skip


def _connection(target: str, kind: str) -> dict[str, Any]:
    return {"to": {"id": target, "type": kind, "attributes": None}, "attributes": None}


def _json(data: Any) -> Response:
    return Response(
        200, {"content-type": "application/json"}, json.dumps(data).encode()
    )


def _error(status: int, message: str) -> Response:
    return Response(
        status,
        {"content-type": "application/json"},
        json.dumps({"message": message}).encode(),
    )
