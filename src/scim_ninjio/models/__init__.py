"""
Typed SCIM 2.0 resources and messages.

Every model is a frozen, slotted, keyword-only attrs class. Python names are
snake_case; the codec (:func:`scim_ninjio.decode`, :func:`scim_ninjio.encode`)
maps them to SCIM's camelCase names. Multi-valued attributes are tuples.
Every model keeps the attributes it does not know in ``extra``, and resources
keep unknown extensions in ``extensions``, so that nothing a server sent is
lost on the way back.

>>> from scim_ninjio.models import Email, User
>>> user = User(user_name="bjensen", emails=(Email(value="bjensen@example.com"),))
>>> user.primary_email
'bjensen@example.com'
"""

from __future__ import annotations

from scim_ninjio.models._base import Meta, MultiValuedAttribute
from scim_ninjio.models.discovery import (
    AuthenticationScheme,
    BulkConfig,
    FilterConfig,
    PaginationConfig,
    ResourceType,
    Schema,
    SchemaAttribute,
    SchemaExtension,
    ServiceProviderConfig,
    Supported,
)
from scim_ninjio.models.group import Group, Member
from scim_ninjio.models.messages import (
    Error,
    ListResponse,
    PatchOp,
    PatchOperation,
    PatchOpName,
    SearchRequest,
)
from scim_ninjio.models.user import (
    Address,
    Email,
    EnterpriseUser,
    Entitlement,
    GroupMembership,
    Im,
    Manager,
    Name,
    PhoneNumber,
    Photo,
    Role,
    User,
    X509Certificate,
)


__all__ = [
    "Address",
    "AuthenticationScheme",
    "BulkConfig",
    "Email",
    "EnterpriseUser",
    "Entitlement",
    "Error",
    "FilterConfig",
    "Group",
    "GroupMembership",
    "Im",
    "ListResponse",
    "Manager",
    "Member",
    "Meta",
    "MultiValuedAttribute",
    "Name",
    "PaginationConfig",
    "PatchOp",
    "PatchOpName",
    "PatchOperation",
    "PhoneNumber",
    "Photo",
    "ResourceType",
    "Role",
    "Schema",
    "SchemaAttribute",
    "SchemaExtension",
    "SearchRequest",
    "ServiceProviderConfig",
    "Supported",
    "User",
    "X509Certificate",
]
