"""Shared pieces of the SCIM models: field metadata, Meta, multi-valued items."""

from __future__ import annotations

import datetime as dt

from collections.abc import Mapping
from typing import Any

import attrs


#: The key under which scim_ninjio keeps its own field metadata.
META_KEY = "scim_ninjio"


def scim(
    *, wire: str | None = None, read_only: bool = False, as_string: bool = False
) -> dict[str, dict[str, Any]]:
    """
    Return attrs field metadata for the codec.

    Args:
        wire: The attribute's SCIM name when it is not the camelCase of the
            Python name (``$ref``, ``Resources``).
        read_only: The server sets this attribute; it is left out of request
            bodies (:rfc:`7643#section-2.2`, ``mutability: readOnly``).
        as_string: The number is a JSON string on the wire (an Error's
            ``status``).
    """
    return {META_KEY: {"wire": wire, "read_only": read_only, "as_string": as_string}}


def extra_field() -> Any:
    """Return the field that keeps attributes the model does not know."""
    return attrs.field(factory=dict, hash=False, metadata={META_KEY: {"extra": True}})


@attrs.frozen(kw_only=True)
class Meta:
    """
    Resource metadata, set by the server (:rfc:`7643#section-3.1`).

    Attributes:
        resource_type: The name of the resource type (``"User"``).
        created: When the resource was added to the server.
        last_modified: When the resource was last changed.
        location: The resource's URI; the same as the ``Location`` header.
        version: The resource's version, the same as its ``ETag`` header.
        extra: Attributes of ``meta`` that this model does not know.
    """

    resource_type: str | None = None
    created: dt.datetime | None = None
    last_modified: dt.datetime | None = None
    location: str | None = None
    version: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class MultiValuedAttribute:
    """
    One value of a multi-valued attribute (:rfc:`7643#section-2.4`).

    Attributes:
        value: The value itself.
        display: A human-readable name for the value.
        type: A label for the value's function (``"work"``, ``"home"``).
        primary: Whether this is the preferred value of the attribute; at most
            one value of an attribute is primary.
        extra: Sub-attributes that this model does not know.
    """

    value: str | None = None
    display: str | None = None
    type: str | None = None
    primary: bool | None = None
    extra: Mapping[str, Any] = extra_field()
