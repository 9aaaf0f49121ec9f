"""Hypothesis strategies for SCIM filter trees and PATCH paths."""

from __future__ import annotations

from hypothesis import strategies as st

from scim_ninjio import _constants
from scim_ninjio._filter import (
    MAX_DEPTH,
    And,
    AttrPath,
    Compare,
    Filter,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
)


OPS = ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le")

#: Attribute names, including ones spelled like the grammar's keywords.
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True) | st.sampled_from(
    ["$ref", "and", "or", "not", "pr", "eq", "true", "null", "userName"]
)
uris = st.none() | st.sampled_from(
    [_constants.USER, _constants.ENTERPRISE_USER, "urn:example:ext:1.0:Thing"]
)
paths = st.builds(AttrPath, uris, names, st.none() | names)
plain_paths = st.builds(AttrPath, uris, names, st.none())
values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
leaves = st.builds(Compare, paths, st.sampled_from(OPS), values) | st.builds(
    Present, paths
)


def _extend(children: st.SearchStrategy[Filter]) -> st.SearchStrategy[Filter]:
    return (
        st.builds(And, children, children)
        | st.builds(Or, children, children)
        | st.builds(Not, children)
    )


def depth(f: Filter) -> int:
    """Return how many groups the canonical text of ``f`` nests, at most."""
    if isinstance(f, And | Or):
        return 1 + max(depth(f.left), depth(f.right))
    if isinstance(f, Not):
        return 1 + depth(f.inner)
    if isinstance(f, ValuePath):
        return 1 + depth(f.filter)

    return 0


#: Filters without value paths: what may stand inside brackets.
inner_filters = st.recursive(leaves, _extend, max_leaves=6)
#: Any filter the grammar can write.
filters = st.recursive(
    leaves | st.builds(ValuePath, plain_paths, inner_filters), _extend, max_leaves=10
).filter(lambda f: depth(f) < MAX_DEPTH)
#: Any PATCH path.
patch_paths = st.builds(PatchPath, paths) | st.builds(
    PatchPath, plain_paths, inner_filters, st.none() | names
)
