"""
Resource documents in and out of the emulator.

Incoming bodies go through the models (:func:`scim_ninjio.decode`) and back
(:func:`scim_ninjio.encode`): that checks every value's type, accepts
attribute names in any case and the value spellings real identity providers
send, and leaves canonical SCIM JSON that still holds every attribute and
extension no model knows. Outgoing documents add what the server owns: ``id``,
``meta``, a user's ``groups`` and each member's ``$ref``.
"""

from __future__ import annotations

import re

from collections.abc import Mapping, Sequence
from typing import Any

from scim_ninjio._codec import decode, encode
from scim_ninjio._schema import AttributeInfo, AttrPath, ResourceSchema
from scim_ninjio.exceptions import (
    InvalidSyntaxError,
    InvalidValueError,
    ValidationError,
)
from scim_ninjio.models import Group, User
from scim_ninjio.testing._emulator._store import ENDPOINTS, Record, Store


__all__ = [
    "check_strict",
    "field",
    "group_attributes",
    "normalise_members",
    "render",
    "user_attributes",
]

#: Attributes never returned (``returned: never``, :rfc:`7643#section-4.1.1`).
_NEVER_RETURNED = frozenset({"password"})


def field(container: Any, name: str) -> Any:
    """
    Return a member of a JSON object by name, matched without case.

    SCIM attribute names are case-insensitive (:rfc:`7643#section-2.1`).
    Returns None when ``container`` is not an object or has no such member.

    >>> field({"Operations": [1]}, "operations")
    [1]
    """
    if not isinstance(container, Mapping):
        return None
    if name in container:
        return container[name]
    folded = name.lower()

    return next((v for k, v in container.items() if k.lower() == folded), None)


def user_attributes(data: dict[str, Any]) -> dict[str, Any]:
    """
    Turn a User body into canonical stored attributes.

    Raises:
        InvalidValueError: A value has the wrong type, or userName is missing.
    """
    user = _decode(data, User)
    if user.user_name is None or not user.user_name.strip():
        raise InvalidValueError(
            detail="userName is required and must not be blank (RFC 7643 section 4.1.1)"
        )

    return encode(user, request=True)


def group_attributes(
    data: dict[str, Any], store: Store
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """
    Turn a Group body into canonical stored attributes and member objects.

    Raises:
        InvalidValueError: A value has the wrong type, displayName is missing,
            or a member names no stored user or group.
    """
    group = _decode(data, Group)
    if group.display_name is None or not group.display_name.strip():
        raise InvalidValueError(
            detail="displayName is required and must not be blank "
            "(RFC 7643 section 4.2)"
        )
    attributes = encode(group, request=True)
    members = attributes.pop("members", [])

    return attributes, normalise_members(members, store)


def normalise_members(
    members: Sequence[dict[str, Any]], store: Store
) -> list[dict[str, Any]]:
    """
    Check that each member names a stored resource and keep what SCIM defines.

    ``type`` is set from the resource the id names, whatever the client said;
    ``$ref`` is computed when the group is rendered; ``display`` is kept
    because clients send it and read it back.

    Raises:
        InvalidValueError: A member has no value or names nothing stored.
    """
    out: list[dict[str, Any]] = []
    for index, member in enumerate(members):
        value = member.get("value")
        if not isinstance(value, str) or not value:
            raise InvalidValueError(
                detail=f"members[{index}] has no value; each member needs "
                "the id of a user or group"
            )
        kind = store.exists(value)
        if kind is None:
            raise InvalidValueError(
                detail=f"members[{index}].value {value!r} is not the id of a "
                "user or group on this server"
            )
        normal: dict[str, Any] = {"value": value, "type": kind}
        display = member.get("display")
        if isinstance(display, str):
            normal["display"] = display
        out.append(normal)

    return out


def render(
    record: Record, store: Store, *, base_url: str, etags: bool
) -> dict[str, Any]:
    """
    Return a resource as the server represents it, before any projection.

    The result is a new top-level dictionary; nested values are shared with
    the store and must not be changed.
    """
    attributes = record.attributes
    out: dict[str, Any] = {"schemas": attributes.get("schemas"), "id": record.id}
    out.update(
        (key, value)
        for key, value in attributes.items()
        if key != "schemas" and key not in _NEVER_RETURNED
    )
    if record.kind == "User":
        groups = store.groups_of(record.id)
        if groups:
            out["groups"] = [
                {
                    "value": group.id,
                    "$ref": group.location(base_url),
                    "display": group.attributes.get("displayName"),
                    "type": "direct",
                }
                for group in groups
            ]
    elif record.members:
        out["members"] = [
            _render_member(member, base_url) for member in record.members.values()
        ]
    meta: dict[str, Any] = {
        "resourceType": record.kind,
        "created": record.created,
        "lastModified": record.last_modified,
        "location": record.location(base_url),
    }
    if etags:
        meta["version"] = record.etag
    out["meta"] = meta

    return out


def _render_member(member: dict[str, Any], base_url: str) -> dict[str, Any]:
    endpoint = ENDPOINTS[member["type"]]
    out = {
        "value": member["value"],
        "$ref": f"{base_url}/{endpoint}/{member['value']}",
        "type": member["type"],
    }
    display = member.get("display")
    if display is not None:
        out["display"] = display

    return out


def _decode(data: dict[str, Any], cls: type[Any]) -> Any:
    try:
        return decode(data, cls)
    except ValidationError as e:
        shown = "; ".join(str(error) for error in e.errors[:5])
        raise InvalidValueError(
            detail=f"the {cls.__name__} does not fit its schema: {shown}"
        ) from None


#: ATTRNAME of :rfc:`7643#section-2.1`.
_ATTRNAME = re.compile(r"[A-Za-z][A-Za-z0-9_$-]*")


def check_strict(data: dict[str, Any], schema: ResourceSchema) -> None:
    """
    Refuse what :rfc:`7643` forbids in a resource body and lenient mode accepts.

    Raises:
        InvalidSyntaxError: ``schemas`` does not list the core schema, or a key
            is not an attribute name (a dotted ``name.givenName`` key).
        InvalidValueError: A boolean attribute holds something else (the
            string ``"False"``).
    """
    listed = field(data, "schemas")
    if not isinstance(listed, list) or schema.core_urn.lower() not in {
        str(urn).lower() for urn in listed
    }:
        raise InvalidSyntaxError(
            detail=f"schemas must list {schema.core_urn} (RFC 7643 section 3)"
        )
    for key, value in data.items():
        if key.lower() == "schemas":
            continue
        if key[:4].lower() == "urn:":
            urn = schema.canonical_urn(key)
            if urn is not None and isinstance(value, dict):
                for name, item in value.items():
                    found = schema.attribute(AttrPath(uri=urn, attr=name))
                    _check_value(found, item, f"{key}:{name}")
        elif not _ATTRNAME.fullmatch(key):
            raise InvalidSyntaxError(
                detail=f"{key!r} is not an attribute name (RFC 7643 section 2.1); "
                "a sub-attribute goes inside its attribute's object"
            )
        else:
            _check_value(schema.attribute(AttrPath(uri=None, attr=key)), value, key)


def _check_value(info: AttributeInfo | None, value: Any, where: str) -> None:
    if info is None or value is None:
        return
    if info.multi_valued and isinstance(value, list):
        for index, item in enumerate(value):
            _check_single(info, item, f"{where}[{index}]")
    else:
        _check_single(info, value, where)


def _check_single(info: AttributeInfo, value: Any, where: str) -> None:
    if info.type == "boolean" and not isinstance(value, bool):
        raise InvalidValueError(
            detail=f"{where} must be a JSON boolean, not {value!r} (strict mode "
            "refuses booleans written as strings)"
        )
    if info.type == "complex" and isinstance(value, dict):
        for name, item in value.items():
            _check_value(info.sub_attribute(name), item, f"{where}.{name}")
