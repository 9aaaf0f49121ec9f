"""
The attribute characteristics of the SCIM User and Group (:rfc:`7643#section-7`).

Filters and PATCH behave according to each attribute's characteristics:
``userName`` compares without case while ``externalId`` compares with it
(``caseExact``), ``id`` cannot be changed (``mutability``), ``members.value``
can be set but not changed. This module holds the schema documents that
:rfc:`7643#section-8.7.1` prints (User, Group and the enterprise User
extension) as package data and answers lookups on them, without regard to the
case of attribute names and schema URNs (:rfc:`7643#section-2.1`).

The common attributes ``id``, ``externalId``, ``meta`` and ``schemas``
(:rfc:`7643#section-3.1`) appear in no schema document; they are added to every
resource's core schema here, with the characteristics that section gives them.

>>> user = resource_schema("User")
>>> user.canonical("USERNAME")
'userName'
>>> user.attribute(AttrPath(uri=None, attr="name", sub_attr="GivenName")).name
'givenName'
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import json
import types

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from scim_ninjio import _constants
from scim_ninjio.exceptions import ConfigurationError


__all__ = [
    "AttrPath",
    "AttributeInfo",
    "ResourceSchema",
    "resource_schema",
    "schema_documents",
]


@attrs.frozen(cache_hash=True)
class AttrPath:
    """
    An attribute path: ``[URI ":"] attribute ["." sub-attribute]``.

    The ``attrPath`` of :rfc:`7644#section-3.10` and of the filter grammar
    (:rfc:`7644#section-3.4.2.2`). Names keep the case they were written in;
    lookups in a resource's schema ignore it.

    Attributes:
        uri: The schema URN the attribute is qualified with
            (``urn:ietf:params:scim:schemas:extension:enterprise:2.0:User``),
            or None.
        attr: The attribute name (``name``).
        sub_attr: The sub-attribute name (``givenName``), or None.
    """

    uri: str | None
    attr: str
    sub_attr: str | None = None

    def __str__(self) -> str:
        text = f"{self.uri}:{self.attr}" if self.uri else self.attr

        return f"{text}.{self.sub_attr}" if self.sub_attr else text


@attrs.frozen(kw_only=True, cache_hash=True)
class AttributeInfo:
    """
    The characteristics of one attribute or sub-attribute (:rfc:`7643#section-2.2`).

    Attributes:
        name: The attribute's name, in the schema's case (``userName``).
        urn: The URN of the schema that defines the attribute (for a
            sub-attribute, the schema of its parent).
        type: ``"string"``, ``"boolean"``, ``"decimal"``, ``"integer"``,
            ``"dateTime"``, ``"reference"``, ``"binary"`` or ``"complex"``.
        multi_valued: Whether the attribute holds a list of values.
        case_exact: Whether string values compare with regard to case.
        mutability: ``"readOnly"``, ``"readWrite"``, ``"immutable"`` or
            ``"writeOnly"``.
        returned: ``"always"``, ``"never"``, ``"default"`` or ``"request"``.
        uniqueness: ``"none"``, ``"server"`` or ``"global"``.
        required: Whether the attribute must be present.
        sub_attributes: For a complex attribute, its sub-attributes by their
            lower-case names.
    """

    name: str
    urn: str
    type: str = "string"
    multi_valued: bool = False
    case_exact: bool = False
    mutability: str = "readWrite"
    returned: str = "default"
    uniqueness: str = "none"
    required: bool = False
    sub_attributes: Mapping[str, AttributeInfo] = attrs.field(
        factory=lambda: types.MappingProxyType({}), eq=False, hash=False, repr=False
    )

    def sub_attribute(self, name: str) -> AttributeInfo | None:
        """Return a sub-attribute by name (any case), or None if there is none."""
        return self.sub_attributes.get(name.lower())


def _info(data: Mapping[str, Any], urn: str) -> AttributeInfo:
    subs = {
        sub["name"].lower(): _info(sub, urn) for sub in data.get("subAttributes", ())
    }
    # Defaults from RFC 7643 section 7, for the characteristics a document omits.
    return AttributeInfo(
        name=data["name"],
        urn=urn,
        type=data.get("type", "string"),
        multi_valued=bool(data.get("multiValued", False)),
        case_exact=bool(data.get("caseExact", False)),
        mutability=data.get("mutability", "readWrite"),
        returned=data.get("returned", "default"),
        uniqueness=data.get("uniqueness", "none"),
        required=bool(data.get("required", False)),
        sub_attributes=types.MappingProxyType(subs),
    )


def _common(urn: str) -> list[AttributeInfo]:
    """Return the attributes every resource has (:rfc:`7643#section-3.1`)."""

    def sub(name: str, kind: str = "string", *, case_exact: bool = False) -> Any:
        return {
            "name": name,
            "type": kind,
            "caseExact": case_exact,
            "mutability": "readOnly",
        }

    meta = {
        "name": "meta",
        "type": "complex",
        "mutability": "readOnly",
        "subAttributes": [
            sub("resourceType", case_exact=True),
            sub("created", "dateTime"),
            sub("lastModified", "dateTime"),
            sub("location", "reference", case_exact=True),
            sub("version", case_exact=True),
        ],
    }
    documents: list[Mapping[str, Any]] = [
        {
            "name": "id",
            "caseExact": True,
            "mutability": "readOnly",
            "returned": "always",
            "uniqueness": "server",
        },
        {"name": "externalId", "caseExact": True},
        meta,
        # The schema list is kept by the server (and by the PATCH applier, which
        # adds and drops extension URNs), so clients cannot write it directly.
        {
            "name": "schemas",
            "type": "reference",
            "multiValued": True,
            "mutability": "readOnly",
            "returned": "always",
            "required": True,
        },
    ]

    return [_info(doc, urn) for doc in documents]


@attrs.frozen(kw_only=True, eq=False)
class ResourceSchema:
    """
    The attributes of one resource type, with lookups that ignore case.

    Get one from :func:`resource_schema`; instances are shared and compare by
    identity.

    Attributes:
        name: The resource type (``"User"``).
        core_urn: The URN of the core schema.
        extension_urns: The URNs of the schema extensions the resource type may
            carry (the enterprise User extension for ``User``).
    """

    name: str
    core_urn: str
    extension_urns: tuple[str, ...]
    #: The attributes, by lower-case schema URN, then by lower-case name.
    _by_urn: Mapping[str, Mapping[str, AttributeInfo]] = attrs.field(
        alias="by_urn", repr=False
    )

    def attributes(self, urn: str | None = None) -> tuple[AttributeInfo, ...]:
        """
        Return the attributes of a schema, in the order the schema lists them.

        Args:
            urn: The core or an extension schema URN, in any case; None for
                the core schema.

        Returns:
            The attributes, or an empty tuple for a URN this resource type
            does not use.
        """
        found = self._by_urn.get((urn or self.core_urn).lower(), {})

        return tuple(found.values())

    def canonical_urn(self, urn: str) -> str | None:
        """Return a schema URN of this resource type in its canonical case, or None."""
        folded = urn.lower()
        for known in (self.core_urn, *self.extension_urns):
            if known.lower() == folded:
                return known

        return None

    def is_extension(self, urn: str) -> bool:
        """Return whether ``urn`` (any case) names one of the extension schemas."""
        found = self.canonical_urn(urn)

        return found is not None and found != self.core_urn

    def resolve(
        self, path: AttrPath
    ) -> tuple[AttributeInfo, AttributeInfo | None] | None:
        """
        Find the attribute a path names and, if it has one, its sub-attribute.

        A path without a URN names a core attribute or, failing that, an
        attribute of the first extension that has one by that name: clients
        should qualify extension attributes (:rfc:`7644#section-3.10`), yet
        many do not.

        Returns:
            The attribute and the sub-attribute (None when the path names
            none), or None when the schema has no such attribute or
            sub-attribute.
        """
        name = path.attr.lower()
        if path.uri is not None:
            found = self._by_urn.get(path.uri.lower(), {}).get(name)
        else:
            found = None
            for urn in (self.core_urn, *self.extension_urns):
                found = self._by_urn[urn.lower()].get(name)
                if found is not None:
                    break
        if found is None:
            return None
        if path.sub_attr is None:
            return found, None
        sub = found.sub_attribute(path.sub_attr)
        if sub is None:
            return None

        return found, sub

    def attribute(self, path: AttrPath) -> AttributeInfo | None:
        """
        Return the characteristics of the attribute a path names, or None.

        Follows the URN prefix and the sub-attribute: for ``name.givenName``
        it returns ``givenName``'s characteristics.
        """
        found = self.resolve(path)
        if found is None:
            return None
        attribute, sub = found

        return sub or attribute

    def canonical(self, name: str, urn: str | None = None) -> str | None:
        """
        Return an attribute name in the schema's case, or None if it is unknown.

        Args:
            name: An attribute name, or ``attribute.subAttribute``, in any case.
            urn: The schema URN the name belongs to; None for the core schema
                (or, failing that, an extension, as :meth:`resolve` does).

        >>> resource_schema("User").canonical("NAME.GIVENNAME")
        'name.givenName'
        """
        attr, _, sub = name.partition(".")
        found = self.resolve(AttrPath(uri=urn, attr=attr, sub_attr=sub or None))
        if found is None:
            return None
        attribute, sub_info = found

        return f"{attribute.name}.{sub_info.name}" if sub_info else attribute.name


@functools.cache
def _documents() -> dict[str, dict[str, Any]]:
    files = importlib.resources.files("scim_ninjio") / "_schemas"
    out: dict[str, dict[str, Any]] = {}
    for name in ("user", "group", "enterprise-user"):
        document = json.loads((files / f"{name}.json").read_text(encoding="utf-8"))
        out[document["id"]] = document

    return out


def schema_documents() -> list[dict[str, Any]]:
    """
    Return the schema documents of :rfc:`7643#section-8.7.1`, to serve at ``/Schemas``.

    Each call returns fresh copies that the caller may change.
    """
    return copy.deepcopy(list(_documents().values()))


_RESOURCES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "user": (_constants.USER, (_constants.ENTERPRISE_USER,)),
    "group": (_constants.GROUP, ()),
}


@functools.cache
def _build(resource: str) -> ResourceSchema:
    core, extensions = _RESOURCES[resource]
    documents = _documents()
    by_urn: dict[str, Mapping[str, AttributeInfo]] = {}
    for urn in (core, *extensions):
        infos = [_info(a, urn) for a in documents[urn]["attributes"]]
        if urn == core:
            infos = _common(urn) + infos
        by_urn[urn.lower()] = types.MappingProxyType({i.name.lower(): i for i in infos})

    return ResourceSchema(
        name=documents[core]["name"],
        core_urn=core,
        extension_urns=extensions,
        by_urn=types.MappingProxyType(by_urn),
    )


def resource_schema(resource: Literal["User", "Group"]) -> ResourceSchema:
    """
    Return the schema of the User or the Group resource type.

    Args:
        resource: ``"User"`` or ``"Group"`` (any case).

    Raises:
        ConfigurationError: Another resource type was asked for.
    """
    folded = str(resource).lower()
    if folded not in _RESOURCES:
        raise ConfigurationError(
            f"no schema for the resource type {resource!r}: use 'User' or 'Group'"
        )

    return _build(folded)
