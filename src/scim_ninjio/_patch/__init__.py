"""
PATCH (:rfc:`7644#section-3.5.2`): apply operations, compute them, chunk members.

The code behind :mod:`scim_ninjio.patch`, whose docstring says what each
function does and what it does not.
"""

from __future__ import annotations

from scim_ninjio._patch._apply import apply
from scim_ninjio._patch._diff import diff, member_operations


__all__ = ["apply", "diff", "member_operations"]
