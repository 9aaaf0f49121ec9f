"""
The discovery documents (:rfc:`7644#section-4`): what the emulator supports.

They are built from the emulator's settings, so that a client reading
``/ServiceProviderConfig`` learns the truth: whether PATCH, ETags and cursor
paging are on, and the largest page.
"""

from __future__ import annotations

from typing import Any

from scim_ninjio import _constants
from scim_ninjio._codec import encode
from scim_ninjio._schema import schema_documents
from scim_ninjio.models import (
    AuthenticationScheme,
    FilterConfig,
    Meta,
    PaginationConfig,
    ResourceType,
    SchemaExtension,
    ServiceProviderConfig,
    Supported,
)


__all__ = ["resource_types", "schemas", "service_provider_config"]


def service_provider_config(
    *,
    base_url: str,
    patch: bool,
    etag: bool,
    cursor: bool,
    max_page_size: int,
    default_page_size: int,
    cursor_timeout: float | None,
) -> dict[str, Any]:
    """Return the ``/ServiceProviderConfig`` document (:rfc:`7643#section-5`)."""
    config = ServiceProviderConfig(
        patch=Supported(supported=patch),
        filter=FilterConfig(supported=True, max_results=max_page_size),
        change_password=Supported(supported=False),
        sort=Supported(supported=True),
        etag=Supported(supported=etag),
        authentication_schemes=(
            AuthenticationScheme(
                type="oauthbearertoken",
                name="OAuth Bearer Token",
                description="A bearer token in the Authorization header",
                spec_uri="https://www.rfc-editor.org/info/rfc6750",
                primary=True,
            ),
        ),
        pagination=PaginationConfig(
            cursor=cursor,
            index=True,
            default_pagination_method="index",
            default_page_size=default_page_size,
            max_page_size=max_page_size,
            cursor_timeout=None if cursor_timeout is None else int(cursor_timeout),
        ),
        meta=Meta(
            resource_type="ServiceProviderConfig",
            location=f"{base_url}/ServiceProviderConfig",
        ),
    )

    return encode(config)


def resource_types(base_url: str) -> list[dict[str, Any]]:
    """Return the ``/ResourceTypes`` documents (:rfc:`7643#section-6`)."""
    user = ResourceType(
        id="User",
        name="User",
        description="User Account",
        endpoint="/Users",
        schema=_constants.USER,
        schema_extensions=(
            SchemaExtension(schema=_constants.ENTERPRISE_USER, required=False),
        ),
        meta=Meta(
            resource_type="ResourceType", location=f"{base_url}/ResourceTypes/User"
        ),
    )
    group = ResourceType(
        id="Group",
        name="Group",
        description="Group",
        endpoint="/Groups",
        schema=_constants.GROUP,
        meta=Meta(
            resource_type="ResourceType", location=f"{base_url}/ResourceTypes/Group"
        ),
    )

    return [encode(user), encode(group)]


def schemas(base_url: str) -> list[dict[str, Any]]:
    """Return the ``/Schemas`` documents (:rfc:`7643#section-7`), located here."""
    documents = schema_documents()
    for document in documents:
        document["meta"] = {
            "resourceType": "Schema",
            "location": f"{base_url}/Schemas/{document['id']}",
        }

    return documents
