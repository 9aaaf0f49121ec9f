"""
SCIM PATCH (:rfc:`7644#section-3.5.2`): compute operations, apply them, chunk members.

Both sides of PATCH, on SCIM JSON (``dict`` as :func:`json.loads` returns it,
with wire names), so that attributes no model knows survive:

- :func:`diff` is the client's side: the fewest operations that turn one
  document into another (rule U3);
- :func:`apply` is the service provider's side: it applies operations as the
  RFC says, all or nothing, with the tolerance real identity providers need;
- :func:`member_operations` writes group membership changes as PATCH
  requests of bounded size (rule G3), in either member-removal form.

Each takes the resource's schema, from :func:`resource_schema`:

>>> from scim_ninjio import patch
>>> group = patch.resource_schema("Group")
>>> old = {"displayName": "Sales", "members": [{"value": "a"}, {"value": "b"}]}
>>> new = {"displayName": "Sales", "members": [{"value": "b"}, {"value": "c"}]}
>>> operations = patch.diff(old, new, group)
>>> [(o.op, o.path) for o in operations]
[('remove', 'members[value eq "a"]'), ('add', 'members')]
>>> patch.apply(old, operations, group) == new
True

The clients use the same code: ``patch_user`` and ``patch_group`` send
operations, and on a server without PATCH support they apply them here and
write the result back with PUT.

Limitations:
    Attributes the schema does not know are kept as given; a value filter on
    one cannot be evaluated, so a path such as ``badges[type eq "x"]`` is
    refused with ``invalidPath``. Two values of one operation may not both be
    primary, and removing a required top-level attribute (``userName``, a
    group's ``displayName``) is refused; sub-attributes the enterprise schema
    marks required (``manager.value``) are not enforced.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from scim_ninjio._patch import apply, diff, member_operations
from scim_ninjio._schema import AttributeInfo, ResourceSchema, resource_schema


__all__ = [
    "AttributeInfo",
    "ResourceSchema",
    "apply",
    "diff",
    "member_operations",
    "resource_schema",
]
