"""
PATCH (:rfc:`7644#section-3.5.2`): apply operations, compute them, chunk members.

:func:`apply` is the service provider's side: it patches a SCIM JSON document
as the RFC says, atomically, with the tolerance real identity providers need.
:func:`diff` is the client's side: the fewest operations that turn one
document into another (rule U3). :func:`member_operations` writes group
membership changes as PATCH requests of bounded size (rule G3).

All three work on SCIM JSON (``dict`` as :func:`json.loads` returns it, with
wire names), so that attributes no model knows survive.

>>> from scim_ninjio.patch import resource_schema
>>> group = resource_schema("Group")
>>> old = {"displayName": "Sales", "members": [{"value": "a"}, {"value": "b"}]}
>>> new = {"displayName": "Sales", "members": [{"value": "b"}, {"value": "c"}]}
>>> apply(old, diff(old, new, group), group) == new
True

Limitations:
    Attributes the schema does not know are kept as given; a value filter on
    one cannot be evaluated, so a path such as ``badges[type eq "x"]`` is
    refused with ``invalidPath``. Two values of one operation may not both be
    primary, and removing a required top-level attribute (``userName``, a
    group's ``displayName``) is refused; sub-attributes the enterprise schema
    marks required (``manager.value``) are not enforced.
"""

from __future__ import annotations

from scim_ninjio._patch._apply import apply
from scim_ninjio._patch._diff import diff, member_operations


__all__ = ["apply", "diff", "member_operations"]
