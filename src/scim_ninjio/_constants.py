"""SCIM schema URNs and media types, named once (:rfc:`7643#section-8.7`)."""

from __future__ import annotations

from typing import Final


USER: Final = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP: Final = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER: Final = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SERVICE_PROVIDER_CONFIG: Final = (
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
)
RESOURCE_TYPE: Final = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:Schema"

LIST_RESPONSE: Final = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP: Final = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_REQUEST: Final = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
ERROR: Final = "urn:ietf:params:scim:api:messages:2.0:Error"
BULK_REQUEST: Final = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
BULK_RESPONSE: Final = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"

#: The media type of SCIM bodies (:rfc:`7644#section-3.1`).
SCIM_JSON: Final = "application/scim+json"
