"""The SCIM Group resource (:rfc:`7643#section-4.2`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from scim_ninjio import _constants
from scim_ninjio.models._base import Meta, extra_field, scim


__all__ = ["Group", "Member"]


@attrs.frozen(kw_only=True)
class Member:
    """
    A member of a group.

    RFC 7643 gives members ``value``, ``$ref`` and ``type``; clients also send
    ``display``, so it is kept too.

    Attributes:
        value: The ``id`` of the member's resource (immutable).
        ref: The URI of the member's resource (``$ref`` on the wire).
        type: ``"User"`` or ``"Group"``.
        display: The member's display name.
        extra: Sub-attributes that this model does not know.
    """

    value: str | None = None
    ref: str | None = attrs.field(default=None, metadata=scim(wire="$ref"))
    type: str | None = None
    display: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class Group:
    """
    A SCIM Group (:rfc:`7643#section-4.2`).

    NINJIO shows a group's ``display_name`` as its "Organization".

    Attributes:
        id: The server's identifier for the group (read-only).
        external_id: The client's identifier for the group.
        meta: The resource's metadata (read-only).
        display_name: The group's name.
        members: The group's members.
        extensions: Extensions this model does not know, by schema URN.
        extra: Core attributes that this model does not know.
    """

    #: The core schema URN of the resource.
    SCHEMA: ClassVar[str] = _constants.GROUP
    #: The endpoint of the resource type.
    ENDPOINT: ClassVar[str] = "/Groups"

    id: str | None = attrs.field(default=None, metadata=scim(read_only=True))
    external_id: str | None = None
    meta: Meta | None = attrs.field(default=None, metadata=scim(read_only=True))
    display_name: str | None = None
    members: tuple[Member, ...] = ()
    extensions: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, hash=False, metadata={"scim_ninjio": {"extensions": True}}
    )
    extra: Mapping[str, Any] = extra_field()
