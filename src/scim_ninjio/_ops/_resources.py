"""
Operations on one resource: create (idempotent), read, replace, patch, delete.

Where a request's outcome is unknown (a POST or PATCH whose answer was lost to
a timeout or a dropped connection) the operation reads the state back instead
of sending blindly again: a create looks the resource
up by its unique name and returns it as adopted; a membership or status change
reads the resource and checks whether the change is there.
"""

from __future__ import annotations

import json
import logging

from collections.abc import Callable, Iterable, Sequence
from typing import Literal, TypeVar, cast
from urllib.parse import quote

import attrs

from scim_ninjio import _filter
from scim_ninjio._codec import decode, dumps, encode, has_lone_surrogate
from scim_ninjio._http import Request, Response, json_headers
from scim_ninjio._ops._core import Op, Session, error_from, exchange, parse
from scim_ninjio._ops._discovery import capabilities
from scim_ninjio._ops._paging import projection, search
from scim_ninjio._ops._values import Created
from scim_ninjio._patch import apply, member_operations
from scim_ninjio._schema import resource_schema
from scim_ninjio.exceptions import (
    ConnectionDroppedError,
    InvalidFilterError,
    LocalProtocolError,
    NotFoundError,
    OperationNotAllowedError,
    PreconditionFailedError,
    ReadTimeoutError,
    ScimError,
)
from scim_ninjio.models import Group, Member, Meta, PatchOp, PatchOperation, User


__all__ = [
    "change_members",
    "create",
    "deactivate_user",
    "delete",
    "eq",
    "find_group",
    "find_user",
    "find_user_by_email",
    "get",
    "patch",
    "rename_group",
    "replace",
]

log = logging.getLogger(__name__)

R = TypeVar("R", User, Group)

_JSON = json_headers()
_ACCEPT = {"accept": _JSON["accept"]}
_LOST = (ReadTimeoutError, ConnectionDroppedError)
#: How often a read-modify-write is tried when the resource changed meanwhile.
_PUT_ROUNDS = 3


def eq(attribute: str, value: str) -> str:
    r"""
    Return the filter ``attribute eq "value"`` with the value escaped as JSON.

    Built with :mod:`scim_ninjio._filter`, which writes the value as a JSON
    string (:rfc:`7644#section-3.4.2.2`): quotes and backslashes in it can
    never end it early and widen the search.

    >>> print(eq("userName", 'x" or userName pr "'))
    userName eq "x\" or userName pr \""
    """
    return _filter.render(_filter.eq(attribute, value))


def target(cls: type[R], id: str) -> str:  # noqa: A002 -- SCIM's own name for it
    """
    Return the target of one resource, its id escaped as a path segment.

    Raises:
        LocalProtocolError: The id is empty or not a string.
    """
    if not id or not isinstance(id, str):
        raise LocalProtocolError(
            f"a {cls.__name__} id must be a non-empty string, got {id!r}"
        )
    if has_lone_surrogate(id):
        raise LocalProtocolError(
            f"the {cls.__name__} id {id!r} holds a lone UTF-16 surrogate, which "
            "cannot be sent in a URL; correct the id where it came from"
        )

    return f"{cls.ENDPOINT}/{quote(id, safe='')}"


def _versioned(resource: R, response: Response) -> R:
    """Fill ``meta.version`` from the ETag header when the body left it out."""
    etag = response.headers.get("etag")
    if not etag or (resource.meta is not None and resource.meta.version):
        return resource
    meta = (
        attrs.evolve(resource.meta, version=etag)
        if resource.meta is not None
        else Meta(version=etag)
    )

    return attrs.evolve(resource, meta=meta)


def _read(session: Session, request: Request, response: Response, cls: type[R]) -> R:
    return _versioned(parse(session, request, response, cls), response)


def _read_optional(
    session: Session, request: Request, response: Response, cls: type[R]
) -> R | None:
    # RFC 7644 section 3.5.2: a PATCH may answer 204 without a body.
    if response.status == 204 or (response.status == 200 and not response.body):
        return None

    return _read(session, request, response, cls)


def create(session: Session, resource: R) -> Op[Created[R]]:
    """
    Create a resource, or return the existing one as adopted (rule U2).

    A 409 answer, or an answer lost to a timeout or dropped connection, is
    followed by a lookup by ``userName`` (users) or ``displayName`` (groups).
    A lost answer with nothing found is sent again, within the policy's
    attempts.
    """
    cls = type(resource)
    request = Request("POST", cls.ENDPOINT, _JSON, dumps(resource, request=True))
    lost: ReadTimeoutError | ConnectionDroppedError | None = None
    for _ in range(session.policy.attempts):
        try:
            response = yield from exchange(session, request)
        except _LOST as error:
            existing = cast("R | None", (yield from _existing(session, resource)))
            if existing is not None:
                log.debug(
                    "%s after POST %s: adopted", type(error).__name__, cls.ENDPOINT
                )
                return Created(resource=existing, adopted=True)
            lost = error
            continue
        if response.status == 409:
            existing = cast("R | None", (yield from _existing(session, resource)))
            if existing is not None:
                return Created(resource=existing, adopted=True)

        return Created(resource=_read(session, request, response, cls))
    assert lost is not None  # noqa: S101 -- the loop runs at least once

    raise lost


def _existing(session: Session, resource: User | Group) -> Op[User | Group | None]:
    if isinstance(resource, User):
        if not resource.user_name:
            return None
        return (yield from find_user(session, resource.user_name))
    if not resource.display_name:
        return None

    return (yield from find_group(session, resource.display_name))


def get(
    session: Session,
    cls: type[R],
    id: str,  # noqa: A002 -- SCIM's own name for it
    *,
    attributes: Sequence[str] = (),
    excluded_attributes: Sequence[str] = (),
) -> Op[R]:
    """Read one resource by id (:rfc:`7644#section-3.4.1`)."""
    where = target(cls, id) + projection(attributes, excluded_attributes)
    request = Request("GET", where, _ACCEPT)
    response = yield from exchange(session, request)

    return _read(session, request, response, cls)


def _if_match(session: Session, version: str | None) -> dict[str, str]:
    found = session.capabilities
    if version and found is not None and found.etag:
        return {**_JSON, "if-match": version}

    return _JSON


def replace(session: Session, resource: R) -> Op[R]:
    """
    Replace a resource whole (PUT, :rfc:`7644#section-3.5.1`).

    Sends ``If-Match`` with ``meta.version`` when the server supports ETags.
    """
    cls = type(resource)
    where = target(cls, resource.id or "")
    yield from capabilities(session)
    version = resource.meta.version if resource.meta is not None else None
    body = dumps(resource, request=True)
    request = Request("PUT", where, _if_match(session, version), body)
    response = yield from exchange(session, request)

    return _read(session, request, response, cls)


def patch(
    session: Session,
    cls: type[R],
    id: str,  # noqa: A002 -- SCIM's own name for it
    operations: Sequence[PatchOperation],
    *,
    version: str | None = None,
    applied: Callable[[R], bool] | None = None,
) -> Op[R | None]:
    """
    Send PATCH operations (:rfc:`7644#section-3.5.2`).

    Args:
        session: The client's session.
        cls: :class:`User` or :class:`Group`.
        id: The resource's id.
        operations: The operations, applied by the server in order.
        version: The resource's ``meta.version``; sent as ``If-Match`` when
            the server supports ETags.
        applied: Tells from the resource read back whether the operations
            took effect; used when the answer is lost. Without it a lost
            answer is raised.

    Returns:
        The resource as changed, or None when the server answered 204.

    On a server whose configuration says PATCH is not supported, the
    resource is read, the operations are applied to it here as a service
    provider would apply them, and the result is written back with PUT
    (rule U3); a resource changed meanwhile is read and changed again.

    Raises:
        LocalProtocolError: No operations were given, or, on a server without
            PATCH, they cannot be applied to the resource as read (a path that
            matches nothing, a value of the wrong type); nothing was written.

    Limitations:
        Without ``applied``, a lost answer is raised as is. The PUT fallback
        applies the operations to the resource as the server returned it, so
        attributes the server does not return are sent back absent.
    """
    where = target(cls, id)
    if not operations:
        raise LocalProtocolError(
            f"PATCH {where} needs at least one operation (RFC 7644 section 3.5.2)"
        )
    found = yield from capabilities(session)
    if not found.patch:
        patched = yield from _modify_by_put(
            session, cls, id, lambda current: _applied(current, operations, where)
        )
        return patched
    body = dumps(PatchOp(operations=tuple(operations)))
    request = Request("PATCH", where, _if_match(session, version), body)
    try:
        response = yield from exchange(session, request)
    except _LOST:
        if applied is None:
            raise
        current = yield from get(session, cls, id)
        if applied(current):
            return current
        response = yield from exchange(session, request)

    return _read_optional(session, request, response, cls)


def delete(session: Session, cls: type[R], id: str) -> Op[None]:  # noqa: A002
    """
    Delete a resource (:rfc:`7644#section-3.6`), where the profile allows it.

    A 404 after a retried DELETE means the first try got through; it counts
    as done.

    Raises:
        OperationNotAllowedError: The profile forbids deleting users; nothing
            was sent.
    """
    where = target(cls, id)
    if cls is User and not session.profile.user_delete:
        raise OperationNotAllowedError(
            f"the {session.profile.name} profile never deletes users, so "
            f"DELETE {where} was not sent; deactivate the user instead (rule U5)",
            operation=f"DELETE {where}",
            profile=session.profile.name,
        )
    request = Request("DELETE", where, _ACCEPT)
    tries: list[int] = []
    response = yield from exchange(session, request, tries=tries)
    if response.status == 404 and tries[0] > 1:
        return
    if response.status >= 300:
        raise error_from(session, request, response)


def _first_match(
    session: Session,
    cls: type[R],
    query: str,
    matches: Callable[[R], bool],
    exact: Callable[[R], bool] | None = None,
) -> Op[R | None]:
    """
    Return the first resource of a filtered search that really matches.

    Where several match, the first that is also ``exact`` wins.

    Limitations:
        Only the first page is read: a server that ignores filters and holds
        more than a page of resources can hide the match.
    """
    try:
        page = yield from search(session, cls, filter=query)
    except NotFoundError:
        # Okta-style servers answer a lookup that finds nothing with 404.
        return None
    # The filter is checked again here: a server that ignores filters answers
    # with every resource, and the first one is not the one asked for.
    found = [r for r in page.resources if matches(r)]
    if exact is not None:
        found.sort(key=lambda r: not exact(r))

    return found[0] if found else None


def find_user(session: Session, user_name: str) -> Op[User | None]:
    """Find a user by ``userName``, compared without case (rule U2)."""
    folded = user_name.lower()

    def matches(user: User) -> bool:
        return (user.user_name or "").lower() == folded

    return (yield from _first_match(session, User, eq("userName", user_name), matches))


def find_user_by_email(session: Session, email: str) -> Op[User | None]:
    """
    Find a user by an email address, compared without case (rule U2).

    Asks with ``emails.value eq``; a server that refuses that filter is asked
    again with ``emails[value eq ...]``.
    """
    folded = email.lower()

    def matches(user: User) -> bool:
        return any((e.value or "").lower() == folded for e in user.emails)

    try:
        return (
            yield from _first_match(session, User, eq("emails.value", email), matches)
        )
    except InvalidFilterError:
        query = _filter.render(_filter.value_path("emails", _filter.eq("value", email)))
        return (yield from _first_match(session, User, query, matches))


def find_group(session: Session, display_name: str) -> Op[Group | None]:
    """Find a group by ``displayName``; an exact match wins over a case match."""
    folded = display_name.lower()
    page_filter = eq("displayName", display_name)

    def matches(group: Group) -> bool:
        return (group.display_name or "").lower() == folded

    def exact(group: Group) -> bool:
        return group.display_name == display_name

    found = yield from _first_match(session, Group, page_filter, matches, exact)

    return found


def _modify_by_put(
    session: Session,
    cls: type[R],
    id: str,  # noqa: A002 -- SCIM's own name for it
    change: Callable[[R], R],
) -> Op[R]:
    """Read, change and write back a resource, again if it changed meanwhile."""
    for round_ in range(1, _PUT_ROUNDS + 1):
        current = yield from get(session, cls, id)
        try:
            return (yield from replace(session, change(current)))
        except PreconditionFailedError:
            if round_ == _PUT_ROUNDS:
                raise
            log.debug("%s changed while being written; reading it again", cls.ENDPOINT)
    raise AssertionError  # pragma: no cover -- the loop returns or raises


_RESOURCE_NAMES: dict[type[User | Group], Literal["User", "Group"]] = {
    User: "User",
    Group: "Group",
}


def _applied(resource: R, operations: Sequence[PatchOperation], where: str) -> R:
    """Apply PATCH operations to a resource here, for a server without PATCH."""
    cls = type(resource)
    try:
        schema = resource_schema(_RESOURCE_NAMES[cls])
        document = apply(encode(resource), operations, schema)
    except ScimError as e:
        raise LocalProtocolError(
            f"PUT {where} was not sent: the server does not support PATCH, and "
            f"the operations cannot be applied to the resource as read: {e}"
        ) from e

    return decode(document, cls)


def deactivate_user(
    session: Session,
    id: str,  # noqa: A002 -- SCIM's own name for it
    *,
    version: str | None = None,
) -> Op[User | None]:
    """
    Deactivate a user the profile's way: PATCH ``active=false``, or PUT.

    ``version`` (the user's ``meta.version``) goes out as ``If-Match`` when
    the server supports ETags; a PUT always sends the version it read.
    """
    found = yield from capabilities(session)
    if session.profile.deactivation == "patch" and found.patch:
        operation = PatchOperation(op="replace", path="active", value=False)
        return (
            yield from patch(
                session,
                User,
                id,
                (operation,),
                version=version,
                applied=lambda u: u.active is False,
            )
        )

    return (yield from _modify_by_put(session, User, id, _inactive))


def _inactive(user: User) -> User:
    return attrs.evolve(user, active=False)


def rename_group(
    session: Session,
    id: str,  # noqa: A002 -- SCIM's own name for it
    display_name: str,
    *,
    version: str | None = None,
) -> Op[Group | None]:
    """
    Rename a group (rule G4): PATCH ``replace displayName``, or PUT.

    ``version`` (the group's ``meta.version``) goes out as ``If-Match`` when
    the server supports ETags; a PUT always sends the version it read.
    """
    found = yield from capabilities(session)
    if found.patch:
        operation = PatchOperation(op="replace", path="displayName", value=display_name)
        return (
            yield from patch(
                session,
                Group,
                id,
                (operation,),
                version=version,
                applied=lambda g: g.display_name == display_name,
            )
        )

    return (
        yield from _modify_by_put(
            session, Group, id, lambda g: attrs.evolve(g, display_name=display_name)
        )
    )


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def change_members(
    session: Session,
    id: str,  # noqa: A002 -- SCIM's own name for it
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
) -> Op[None]:
    """
    Add and remove members of a group, in the profile's chunks (rule G3).

    Without PATCH support the group is read, changed and written back whole.
    """
    adding, removing = _unique(add), _unique(remove)
    if not adding and not removing:
        return
    found = yield from capabilities(session)
    profile = session.profile
    if not found.patch:
        yield from _modify_by_put(
            session, Group, id, lambda g: _with_members(g, adding, removing)
        )
        return
    bodies = member_operations(
        adding,
        removing,
        chunk_size=profile.member_chunk_size,
        removal=profile.member_removal,
    )
    for body in bodies:
        yield from patch(
            session, Group, id, body.operations, applied=_members_applied(body)
        )


def _with_members(group: Group, add: Sequence[str], remove: Sequence[str]) -> Group:
    gone = set(remove)
    kept = [m for m in group.members if m.value not in gone]
    present = {m.value for m in kept}
    kept += [Member(value=i) for i in add if i not in present]

    return attrs.evolve(group, members=tuple(kept))


def _members_applied(body: PatchOp) -> Callable[[Group], bool]:
    """Return the check that one membership PATCH is visible on the group."""
    added: set[str] = set()
    removed: set[str] = set()
    for operation in body.operations:
        if operation.op == "add":
            added.update(v["value"] for v in operation.value)
        elif operation.value:
            removed.update(v["value"] for v in operation.value)
        else:
            # members[value eq "<json string>"]
            removed.add(
                json.loads((operation.path or "")[len("members[value eq ") : -1])
            )

    def applied(group: Group) -> bool:
        present = {m.value for m in group.members}
        return added <= present and not (removed & present)

    return applied
