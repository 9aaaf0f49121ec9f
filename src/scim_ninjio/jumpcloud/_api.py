"""
Reading a directory from JumpCloud's own API.

:class:`JumpCloudReader` lists what a sync needs, with the requests JumpCloud
documents:

1. ``GET /systemusers`` (v1), paged with ``limit`` and ``skip`` until
   ``totalCount`` users are read;
2. ``GET /v2/usergroups``, paged until a short page;
3. ``GET /v2/applications/{id}/associations?targets=user_group``: the groups
   bound to the NINJIO application (direct bindings);
4. ``GET /v2/usergroups/{id}/members`` for each bound group: its direct
   members, as graph connections.

Each request is one sans-I/O exchange (:func:`scim_ninjio._ops._core.exchange`)
driven over the same transports and :class:`~scim_ninjio._retry.RetryPolicy`
as the SCIM client. The key travels as ``x-api-key`` (an
:class:`~scim_ninjio.transports.ApiKey`), added by the transport on the wire
only, so no request value, log line or error holds it.

What a failure means depends on where it happens. A refused key (401, 403)
and a failure of the first page of a listing raise: nothing useful was read.
A failure later on (a page of users, a group's members, after the retries)
is kept as a :class:`~scim_ninjio.jumpcloud.RecordProblem` and marks the
directory incomplete, so the engine creates and updates but deactivates no
one (rule U5). So does a directory that changed while it was read: a
``totalCount`` that moves between pages, or fewer users than it announced.
"""

from __future__ import annotations

import json
import logging
import os
import time

from collections.abc import Callable, Generator, Mapping
from typing import Any, Final, Self
from urllib.parse import quote, urlencode

import attrs

from scim_ninjio._http import Request, Response, Sleep
from scim_ninjio._ops._core import Session, body_start, exchange
from scim_ninjio._retry import RetryPolicy
from scim_ninjio.exceptions import (
    ConfigurationError,
    ForbiddenError,
    RemoteProtocolError,
    ScimNinjioError,
    TransportError,
    UnauthorizedError,
    error_for_status,
)
from scim_ninjio.jumpcloud._directory import Directory
from scim_ninjio.jumpcloud._reader import DIRECTORY_FORMAT
from scim_ninjio.jumpcloud._records import RecordKind, RecordProblem
from scim_ninjio.profiles import GENERIC
from scim_ninjio.transports import ApiKey, SyncTransport, Timeout, settings_for


__all__ = ["JUMPCLOUD_API_URL", "JumpCloudReader", "read_jumpcloud"]

log = logging.getLogger("scim_ninjio.jumpcloud")

#: The root of JumpCloud's API; v2 endpoints live under ``/v2``.
JUMPCLOUD_API_URL: Final = "https://console.jumpcloud.com/api"

#: The largest page JumpCloud serves (v2 refuses more; v1 caps there too).
MAX_PAGE_SIZE: Final = 100

_Op = Generator[Request | Sleep, Response | None, Any]


class _PartialReadError(Exception):
    """Internal: one listing stopped early; the message says where and why."""


@attrs.define
class _Reading:
    """What one read has gathered so far."""

    users: list[Any] = attrs.Factory(list)
    groups: list[dict[str, Any]] = attrs.Factory(list)
    bound: list[str] = attrs.Factory(list)
    members: dict[str, list[str]] = attrs.Factory(dict)
    problems: list[RecordProblem] = attrs.Factory(list)

    def problem(
        self, kind: RecordKind, record: str | int, index: int, field: str, reason: str
    ) -> None:
        self.problems.append(
            RecordProblem(
                kind=kind, record=record, field=field, reason=reason, index=index
            )
        )


class JumpCloudReader:
    """
    Builds a :class:`~scim_ninjio.jumpcloud.Directory` from JumpCloud's API.

    Args:
        api_key: The JumpCloud API key; kept out of every repr, log and error.
        org_id: The organisation id, for an administrator of several
            organisations (sent as ``x-org-id``).
        base_url: The API root; JumpCloud's by default.
        transport: How requests travel; a
            :class:`~scim_ninjio.transports.Urllib3Transport` by default.
        retry: When and how patiently to retry, as for the SCIM client.
        timeout: Connect and read timeouts.
        page_size: Records per page, at most 100.
        verify: Check the server's TLS certificate (on by default).
        ca_bundle: A CA bundle to trust instead of the system's.

    Raises:
        ConfigurationError: The key is empty, the URL is not https (other
            than to this machine), or the page size is out of range.

    Limitations:
        Only direct members of bound groups are read: nested groups and the
        transitive ``/membership`` are not, and unbound groups are listed
        without their members (no rule needs them). Whether the
        application's "group management" box is ticked is not exposed by the
        API, so the caller says it. The reader is sync only.
    """

    def __init__(
        self,
        api_key: str | ApiKey,
        *,
        org_id: str | None = None,
        base_url: str = JUMPCLOUD_API_URL,
        transport: SyncTransport | None = None,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 -- a frozen value
        timeout: Timeout = Timeout(),  # noqa: B008 -- a frozen value
        page_size: int = MAX_PAGE_SIZE,
        verify: bool = True,
        ca_bundle: str | os.PathLike[str] | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ConfigurationError(
                f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}"
            )
        key = api_key if isinstance(api_key, ApiKey) else ApiKey(api_key)
        settings = settings_for(
            base_url, key, timeout=timeout, verify=verify, ca_bundle=ca_bundle
        )
        if transport is None:
            from scim_ninjio.transports import Urllib3Transport  # noqa: PLC0415

            transport = Urllib3Transport()
        transport.configure(settings)
        self.base_url = settings.base_url
        self.org_id = org_id
        self.page_size = page_size
        self._transport = transport
        self._session = Session(
            base_url=settings.base_url, profile=GENERIC, policy=retry
        )
        self._headers = {"accept": "application/json"}
        if org_id:
            self._headers["x-org-id"] = org_id

    def __repr__(self) -> str:
        return f"JumpCloudReader(base_url={self.base_url!r}, org_id={self.org_id!r})"

    def read(self, app_id: str, *, group_management: bool = False) -> Directory:
        """
        Read the directory as the NINJIO application ``app_id`` sees it.

        Args:
            app_id: The id of the NINJIO application in JumpCloud (the
                ``.../applications/<id>`` of its console page).
            group_management: Whether "Enable management of User Groups and
                Group Membership" is ticked (rule G7).

        Returns:
            The directory; incomplete, with ``problems``, when part of it
            could not be read.

        Raises:
            UnauthorizedError: JumpCloud refused the key (401).
            ForbiddenError: The key may not read this (403).
            NotFoundError: There is no application ``app_id``.
            ScimError: Another HTTP error on the first page of a listing.
            RemoteProtocolError: An answer that is not the documented JSON.
            TransportError: JumpCloud could not be reached.
        """
        if not app_id or not app_id.strip():
            raise ConfigurationError(
                "the JumpCloud application id is empty; copy it from the NINJIO "
                "application's page in the JumpCloud console"
            )
        reading: _Reading = self._run(self._read(app_id.strip()))
        document = {
            "format": DIRECTORY_FORMAT,
            "group_management": group_management,
            "users": reading.users,
            "groups": [
                {**group, "members": reading.members.get(group["id"], [])}
                for group in reading.groups
            ],
            "bound_groups": reading.bound,
        }
        directory = Directory.from_json(document, source="the JumpCloud API")
        if not reading.problems:
            return directory
        for problem in reading.problems:
            log.warning("JumpCloud API: %s", problem)

        return attrs.evolve(
            directory,
            complete=False,
            problems=(*reading.problems, *directory.problems),
        )

    def close(self) -> None:
        """Close the transport's connections."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- The sans-I/O read --------------------------------------------------

    def _read(self, app_id: str) -> _Op:
        reading = _Reading()
        yield from self._read_users(reading)
        yield from self._read_groups(reading)
        target = f"/v2/applications/{quote(app_id, safe='')}/associations"
        try:
            bound = yield from self._list(
                target, "user_group", fatal=True, targets="user_group"
            )
        except _PartialReadError as e:
            reading.problem("binding", app_id, 0, "$", str(e))
            bound = []
        reading.bound = bound
        known = {group["id"] for group in reading.groups if "id" in group}
        for index, group_id in enumerate(bound):
            if group_id not in known:
                continue
            path = f"/v2/usergroups/{quote(group_id, safe='')}/members"
            try:
                reading.members[group_id] = yield from self._list(
                    path, "user", fatal=False
                )
            except _PartialReadError as e:
                reading.problem("group", group_id, index, "$.members", str(e))

        return reading

    def _read_users(self, reading: _Reading) -> _Op:
        total: int | None = None
        seen: set[Any] = set()
        skip = 0
        while True:
            try:
                results, count = yield from self._get(
                    "/systemusers",
                    _users_page,
                    first=skip == 0,
                    limit=self.page_size,
                    skip=skip,
                )
            except _PartialReadError as e:
                reading.problem("user", f"skip={skip}", skip, "$", str(e))
                return
            if total is not None and count != total:
                reading.problem(
                    "user",
                    f"skip={skip}",
                    skip,
                    "$",
                    f"totalCount went from {total} to {count} while the users "
                    "were read; run again once the directory is quiet",
                )
            total = count
            for raw in results:
                key = raw.get("_id") if isinstance(raw, dict) else None
                if key is not None and key in seen:
                    continue
                if key is not None:
                    seen.add(key)
                reading.users.append(raw)
            skip += len(results)
            if not results or skip >= count:
                break
        if len(reading.users) != total:
            reading.problem(
                "user",
                "totalCount",
                len(reading.users),
                "$",
                f"read {len(reading.users)} users where JumpCloud counts {total}; "
                "the directory changed while it was read: run again",
            )

    def _read_groups(self, reading: _Reading) -> _Op:
        skip = 0
        while True:
            try:
                items = yield from self._get(
                    "/v2/usergroups",
                    _array,
                    first=skip == 0,
                    limit=self.page_size,
                    skip=skip,
                )
            except _PartialReadError as e:
                reading.problem("group", f"skip={skip}", skip, "$", str(e))
                return
            reading.groups += [
                {"id": g.get("id"), "name": g.get("name")} if isinstance(g, dict) else g
                for g in items
            ]
            skip += len(items)
            if len(items) < self.page_size:
                return

    def _list(self, target: str, kind: str, *, fatal: bool, **query: Any) -> _Op:
        """
        Read every page of a list of graph connections; return the ids.

        With ``fatal``, a failure of the first page raises.
        """
        ids: list[str] = []
        skip = 0
        while True:
            items = yield from self._get(
                target,
                _array,
                first=fatal and skip == 0,
                limit=self.page_size,
                skip=skip,
                **query,
            )
            for item in items:
                to = item.get("to") if isinstance(item, dict) else None
                if isinstance(to, dict) and to.get("type", kind) == kind:
                    target_id = to.get("id")
                    if isinstance(target_id, str):
                        ids.append(target_id)
            skip += len(items)
            if len(items) < self.page_size:
                return ids

    def _request(self, target: str, **query: Any) -> Request:
        return Request("GET", f"{target}?{urlencode(query)}", self._headers)

    def _get(
        self,
        target: str,
        shape: Callable[[Any, str], Any],
        *,
        first: bool,
        **query: Any,
    ) -> _Op:
        """
        Send one GET and return its JSON, as ``shape`` reads it.

        A refused key raises, and so does any failure of a listing's first
        page; a later failure raises :class:`_PartialReadError`.
        """
        request = self._request(target, **query)
        url = self._session.url(request)
        try:
            response = yield from exchange(self._session, request)
            return shape(_json_of(request, response, url), url)
        except (UnauthorizedError, ForbiddenError):
            raise
        except (ScimNinjioError, TransportError) as e:
            if first:
                raise
            raise _PartialReadError(
                f"{e}; the rest of this listing was not read, so the directory "
                "is incomplete"
            ) from e

    def _run(self, op: _Op) -> Any:
        send = self._transport.send
        try:
            step = next(op)
            while True:
                if isinstance(step, Request):
                    try:
                        response = send(step)
                    except TransportError as error:
                        step = op.throw(error)
                        continue
                    step = op.send(response)
                else:
                    if step.seconds > 0:
                        time.sleep(step.seconds)
                    step = op.send(None)
        except StopIteration as stop:
            return stop.value


def _json_of(request: Request, response: Response, url: str) -> Any:
    status = response.status
    if status >= 400:
        message = _message(response)
        what = {
            401: "JumpCloud refused the API key; check the key, and the "
            "organisation id for a key that serves several organisations",
            403: "the API key may not read this; use an administrator's key",
            404: "not found; check the application id",
        }.get(status, "JumpCloud could not answer; try again later")
        said = f" ({message})" if message else ""
        cls = error_for_status(status, None)
        raise cls(
            f"GET {url} failed with HTTP {status}{said}: {what}",
            status=status,
            method=request.method,
            url=url,
        )
    try:
        return json.loads(response.body)
    except ValueError:
        raise RemoteProtocolError(
            f"GET {url} answered HTTP {status} with a body that is not JSON: "
            f"{body_start(response)!r}; check the JumpCloud API URL",
            status=status,
            method=request.method,
            url=url,
            body_start=body_start(response),
        ) from None


def _message(response: Response) -> str:
    try:
        data = json.loads(response.body)
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None

    return message if isinstance(message, str) else ""


def _not_documented(where: str, what: str) -> RemoteProtocolError:
    return RemoteProtocolError(
        f"GET {where} answered {what}, not the shape JumpCloud documents; check "
        "the JumpCloud API URL",
        method="GET",
        url=where,
    )


def _users_page(page: Any, url: str) -> tuple[list[Any], int]:
    if not isinstance(page, Mapping):
        raise _not_documented(url, "something other than an object")
    results, count = page.get("results"), page.get("totalCount")
    if not isinstance(results, list) or type(count) is not int:
        raise _not_documented(url, "an object without results and totalCount")

    return results, count


def _array(page: Any, url: str) -> list[Any]:
    if not isinstance(page, list):
        raise _not_documented(url, "something other than an array")

    return page


def read_jumpcloud(
    api_key: str | ApiKey,
    *,
    app_id: str,
    group_management: bool = False,
    org_id: str | None = None,
    base_url: str = JUMPCLOUD_API_URL,
    transport: SyncTransport | None = None,
    retry: RetryPolicy = RetryPolicy(),  # noqa: B008 -- a frozen value
) -> Directory:
    """
    Read a directory from JumpCloud's API in one call.

    See :class:`JumpCloudReader` for the arguments and the errors.

    >>> from scim_ninjio.testing.jumpcloud import JumpCloudStandIn
    >>> from scim_ninjio.transports import MemoryTransport
    >>> stand_in = JumpCloudStandIn(
    ...     Directory.from_json({"format": DIRECTORY_FORMAT, "bound_groups": ["g1"],
    ...         "users": [{"_id": "u1", "username": "ada"}],
    ...         "groups": [{"id": "g1", "name": "Staff", "members": ["u1"]}]}),
    ...     app_id="app1")
    >>> directory = read_jumpcloud(stand_in.api_key, app_id="app1",
    ...     transport=MemoryTransport(stand_in.handle, authorize=True))
    >>> [g.name for g in directory.bound_groups], directory.complete
    (['Staff'], True)
    """
    with JumpCloudReader(
        api_key, org_id=org_id, base_url=base_url, transport=transport, retry=retry
    ) as reader:
        return reader.read(app_id, group_management=group_management)
