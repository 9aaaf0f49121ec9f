"""
Service discovery resources (:rfc:`7643#section-5` to 7).

``/ServiceProviderConfig`` says what a server supports, ``/ResourceTypes``
which resources it serves, and ``/Schemas`` what their attributes are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from scim_ninjio import _constants
from scim_ninjio.models._base import Meta, extra_field, scim


__all__ = [
    "AuthenticationScheme",
    "BulkConfig",
    "FilterConfig",
    "PaginationConfig",
    "ResourceType",
    "Schema",
    "SchemaAttribute",
    "SchemaExtension",
    "ServiceProviderConfig",
    "Supported",
]


@attrs.frozen(kw_only=True)
class Supported:
    """
    A feature that is either supported or not.

    Attributes:
        supported: Whether the server supports the feature.
        extra: Attributes that this model does not know.
    """

    supported: bool = False
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class BulkConfig:
    """
    Bulk support and its limits.

    Attributes:
        supported: Whether ``POST /Bulk`` is supported.
        max_operations: The most operations one bulk request may hold.
        max_payload_size: The largest bulk request body, in bytes.
        extra: Attributes that this model does not know.
    """

    supported: bool = False
    max_operations: int | None = None
    max_payload_size: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class FilterConfig:
    """
    Filter support and its limit.

    Attributes:
        supported: Whether the ``filter`` parameter is supported.
        max_results: The most resources one query returns.
        extra: Attributes that this model does not know.
    """

    supported: bool = False
    max_results: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class PaginationConfig:
    """
    Paging support (:rfc:`9865#section-4`).

    Attributes:
        cursor: Whether cursor paging is supported.
        index: Whether index paging (``startIndex``) is supported.
        default_pagination_method: ``"cursor"`` or ``"index"``.
        default_page_size: The page size when the client asks for none.
        max_page_size: The largest page the server returns.
        cursor_timeout: Seconds a cursor stays valid.
        extra: Attributes that this model does not know.
    """

    cursor: bool | None = None
    index: bool | None = None
    default_pagination_method: str | None = None
    default_page_size: int | None = None
    max_page_size: int | None = None
    cursor_timeout: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class AuthenticationScheme:
    """
    An authentication scheme the server accepts.

    Attributes:
        type: ``"oauthbearertoken"``, ``"httpbasic"`` and the like.
        name: The scheme's common name.
        description: A description of the scheme.
        spec_uri: The URI of the scheme's specification.
        documentation_uri: The URI of the scheme's documentation.
        primary: Whether this is the preferred scheme.
        extra: Attributes that this model does not know.
    """

    type: str | None = None
    name: str | None = None
    description: str | None = None
    spec_uri: str | None = None
    documentation_uri: str | None = None
    primary: bool | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class ServiceProviderConfig:
    """
    What a SCIM server supports (:rfc:`7643#section-5`).

    Attributes:
        documentation_uri: Where the server's documentation is.
        patch: PATCH support.
        bulk: Bulk support and limits.
        filter: Filter support and limit.
        change_password: Password-change support.
        sort: Sorting support.
        etag: ETag support.
        authentication_schemes: The authentication schemes.
        pagination: Paging support (:rfc:`9865`), if the server says.
        meta: The resource's metadata.
        extensions: Extensions this model does not know, by schema URN.
        extra: Attributes that this model does not know.
    """

    #: The schema URN of the resource.
    SCHEMA: ClassVar[str] = _constants.SERVICE_PROVIDER_CONFIG

    documentation_uri: str | None = None
    patch: Supported = attrs.Factory(Supported)
    bulk: BulkConfig = attrs.Factory(BulkConfig)
    filter: FilterConfig = attrs.Factory(FilterConfig)
    change_password: Supported = attrs.Factory(Supported)
    sort: Supported = attrs.Factory(Supported)
    etag: Supported = attrs.Factory(Supported)
    authentication_schemes: tuple[AuthenticationScheme, ...] = ()
    pagination: PaginationConfig | None = None
    meta: Meta | None = attrs.field(default=None, metadata=scim(read_only=True))
    extensions: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, hash=False, metadata={"scim_ninjio": {"extensions": True}}
    )
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class SchemaExtension:
    """
    A schema extension of a resource type.

    Attributes:
        schema: The extension's schema URN.
        required: Whether every resource of the type must carry it.
        extra: Attributes that this model does not know.
    """

    schema: str
    required: bool = False
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class ResourceType:
    """
    A resource type the server serves (:rfc:`7643#section-6`).

    Attributes:
        id: The resource type's identifier.
        name: The resource type's name (``"User"``).
        description: A description of the resource type.
        endpoint: The endpoint, relative to the base URL (``"/Users"``).
        schema: The URN of the resource type's core schema.
        schema_extensions: The extensions resources of this type may carry.
        meta: The resource's metadata.
        extensions: Extensions this model does not know, by schema URN.
        extra: Attributes that this model does not know.
    """

    #: The schema URN of the resource.
    SCHEMA: ClassVar[str] = _constants.RESOURCE_TYPE

    id: str | None = None
    name: str | None = None
    description: str | None = None
    endpoint: str | None = None
    schema: str | None = None
    schema_extensions: tuple[SchemaExtension, ...] = ()
    meta: Meta | None = attrs.field(default=None, metadata=scim(read_only=True))
    extensions: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, hash=False, metadata={"scim_ninjio": {"extensions": True}}
    )
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class SchemaAttribute:
    """
    An attribute's definition in a schema (:rfc:`7643#section-7`).

    Attributes:
        name: The attribute's name.
        type: ``"string"``, ``"boolean"``, ``"complex"``, ``"reference"``...
        multi_valued: Whether the attribute holds a list of values.
        description: What the attribute means.
        required: Whether the attribute must be present.
        canonical_values: The values the attribute usually takes.
        case_exact: Whether string values compare with regard to case.
        mutability: ``"readOnly"``, ``"readWrite"``, ``"immutable"`` or
            ``"writeOnly"``.
        returned: ``"always"``, ``"never"``, ``"default"`` or ``"request"``.
        uniqueness: ``"none"``, ``"server"`` or ``"global"``.
        reference_types: For references, the resource types referred to.
        sub_attributes: For complex attributes, their sub-attributes.
        extra: Attributes that this model does not know.
    """

    name: str
    type: str | None = None
    multi_valued: bool | None = None
    description: str | None = None
    required: bool | None = None
    canonical_values: tuple[str, ...] = ()
    case_exact: bool | None = None
    mutability: str | None = None
    returned: str | None = None
    uniqueness: str | None = None
    reference_types: tuple[str, ...] = ()
    sub_attributes: tuple[SchemaAttribute, ...] = ()
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class Schema:
    """
    A schema the server uses (:rfc:`7643#section-7`).

    Attributes:
        id: The schema's URN.
        name: The schema's name (``"User"``).
        description: What the schema describes.
        attributes: The schema's attributes.
        meta: The resource's metadata.
        extensions: Extensions this model does not know, by schema URN.
        extra: Attributes that this model does not know.
    """

    #: The schema URN of the resource.
    SCHEMA: ClassVar[str] = _constants.SCHEMA

    id: str | None = None
    name: str | None = None
    description: str | None = None
    attributes: tuple[SchemaAttribute, ...] = ()
    meta: Meta | None = attrs.field(default=None, metadata=scim(read_only=True))
    extensions: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, hash=False, metadata={"scim_ninjio": {"extensions": True}}
    )
    extra: Mapping[str, Any] = extra_field()
