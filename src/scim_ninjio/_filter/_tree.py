"""The filter tree, PATCH paths, and how they are written as text."""

from __future__ import annotations

import json
import math
import re

from typing import Any, Final, Literal, TypeAlias

import attrs

from scim_ninjio._schema import AttrPath
from scim_ninjio.exceptions import LocalProtocolError


__all__ = [
    "And",
    "AttrPath",
    "Compare",
    "CompareOp",
    "Filter",
    "Not",
    "Or",
    "PatchPath",
    "Present",
    "Value",
    "ValuePath",
    "render",
    "render_path",
]

#: The comparison operators of :rfc:`7644#section-3.4.2.2` (``pr`` is :class:`Present`).
CompareOp: TypeAlias = Literal["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]
#: A value a filter compares with: a JSON string, number, boolean or null.
Value: TypeAlias = str | int | float | bool | None

# Integers longer than this are refused: Python will not convert more than
# 4300 digits, and no SCIM attribute holds such a number.
MAX_DIGITS: Final = 4000

# RFC 7644 names start with an ASCII letter; letters of other scripts are
# read too, since servers keep whatever attribute names clients send.
NAME: Final = r"(?:[^\W\d_]|\$)[\w$-]*"
#: ``[URI ":"] attr ["." sub]``; the URI runs to the last colon.
PATH: Final = re.compile(rf"(?:(?P<uri>.+):)?(?P<attr>{NAME})(?:\.(?P<sub>{NAME}))?")


def shorten(text: str, limit: int = 60) -> str:
    """Cut ``text`` to ``limit`` characters for an error message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


@attrs.frozen(cache_hash=True)
class Compare:
    """
    ``path op value``: an attribute compared with a value (``userName eq "bjensen"``).

    Attributes:
        path: The attribute compared.
        op: The operator, in lower case.
        value: The value compared with.
    """

    path: AttrPath
    op: CompareOp
    value: Value


@attrs.frozen(cache_hash=True)
class Present:
    """
    ``path pr``: the attribute has a value that is not null or empty.

    Attributes:
        path: The attribute tested.
    """

    path: AttrPath


class _Junction:
    """
    Equality and hashing for ``and`` and ``or`` that walk the left spine in a loop.

    A chain of a thousand ``or`` parses into a tree a thousand deep; the
    methods attrs would write recurse once per level and exhaust the stack.
    """

    __slots__ = ()

    left: Filter
    right: Filter
    _hash: int | None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Junction):
            return NotImplemented
        a: object = self
        b: object = other
        while isinstance(a, _Junction):
            if a is b:
                return True
            if type(a) is not type(b):
                return False
            assert isinstance(b, _Junction)  # noqa: S101 -- narrowed by the type check
            if a.right != b.right:
                return False
            a, b = a.left, b.left

        return a == b

    def __hash__(self) -> int:
        if self._hash is not None:
            return self._hash
        spine: list[_Junction] = []
        node: object = self
        while isinstance(node, _Junction) and node._hash is None:  # noqa: SLF001 -- a node of the same tree
            spine.append(node)
            node = node.left
        found = hash(node)
        for junction in reversed(spine):
            found = hash((type(junction).__name__, found, hash(junction.right)))
            # The tree is frozen; the cache is not part of its value.
            object.__setattr__(junction, "_hash", found)

        return found


@attrs.frozen(eq=False)
class And(_Junction):
    """
    ``left and right``.

    Attributes:
        left: The first operand.
        right: The second operand.
    """

    left: Filter
    right: Filter
    _hash: int | None = attrs.field(default=None, init=False, repr=False)


@attrs.frozen(eq=False)
class Or(_Junction):
    """
    ``left or right``.

    Attributes:
        left: The first operand.
        right: The second operand.
    """

    left: Filter
    right: Filter
    _hash: int | None = attrs.field(default=None, init=False, repr=False)


@attrs.frozen(cache_hash=True)
class Not:
    """
    ``not (inner)``.

    Attributes:
        inner: The negated filter.
    """

    inner: Filter


@attrs.frozen(cache_hash=True)
class ValuePath:
    """
    ``path[filter]``: some value of a complex attribute matches the filter.

    Inside the brackets, paths name sub-attributes of ``path``
    (``emails[type eq "work" and value co "@example.com"]``).

    Attributes:
        path: The complex attribute whose values are tested.
        filter: The filter each value is tested with.
    """

    path: AttrPath
    filter: Filter


#: Any filter.
Filter: TypeAlias = Compare | Present | And | Or | Not | ValuePath


@attrs.frozen(cache_hash=True)
class PatchPath:
    """
    The target of a PATCH operation (``PATH`` of :rfc:`7644#section-3.5.2`).

    ``name.givenName`` keeps its sub-attribute in ``attr``;
    ``emails[type eq "work"].value`` has ``attr=emails``, the filter, and
    ``sub_attr="value"``.

    Attributes:
        attr: The attribute (with its sub-attribute when there is no filter).
        filter: The value filter, or None.
        sub_attr: The sub-attribute after the value filter, or None.
    """

    attr: AttrPath
    filter: Filter | None = None
    sub_attr: str | None = None


_OPS: Final = frozenset(("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"))


def render_value(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        try:
            digits = str(value)
        except ValueError:
            digits = ""
        if 0 < len(digits) <= MAX_DIGITS:
            return digits
    elif isinstance(value, float) and math.isfinite(value):
        return repr(value)

    shown = "an integer too long" if isinstance(value, int) else repr(value)
    raise LocalProtocolError(
        "a SCIM filter value must be a string, a finite number of at most "
        f"{MAX_DIGITS} digits, true, false or null; got {shorten(shown)}"
    )


def _render_attr(path: AttrPath) -> str:
    text = str(path)
    parts = PATH.fullmatch(text)
    if parts is None or (parts["uri"], parts["attr"], parts["sub"]) != (
        path.uri,
        path.attr,
        path.sub_attr,
    ):
        raise LocalProtocolError(
            f"{shorten(repr(path))} is not a valid SCIM attribute path: names "
            "start with a letter and hold letters, digits, '_', '-' and '$'"
        )

    return text


def render(f: Filter) -> str:
    """
    Write a filter as canonical text: ``parse(render(f)) == f``.

    Values are written as JSON, so no value can change the filter's meaning;
    parentheses appear only where the tree needs them.

    Raises:
        LocalProtocolError: The tree holds something no filter can say (an
            infinite number, a malformed attribute name).
    """
    if isinstance(f, Compare):
        if f.op not in _OPS:
            raise LocalProtocolError(f"{f.op!r} is not a SCIM comparison operator")
        return f"{_render_attr(f.path)} {f.op} {render_value(f.value)}"
    if isinstance(f, Present):
        return f"{_render_attr(f.path)} pr"
    if isinstance(f, Not):
        return f"not ({render(f.inner)})"
    if isinstance(f, ValuePath):
        return f"{_render_attr(f.path)}[{render(f.filter)}]"
    if isinstance(f, And | Or):
        # Walk the left spine in a loop: a long chain is a deep tree.
        kind = type(f)
        rights: list[Filter] = []
        node: Filter = f
        while isinstance(node, And | Or) and type(node) is kind:
            rights.append(node.right)
            node = node.left
        parts = [_operand(node, kind, left=True)]
        parts.extend(_operand(right, kind, left=False) for right in reversed(rights))
        return (" and " if kind is And else " or ").join(parts)

    raise LocalProtocolError(f"{shorten(repr(f))} is not a SCIM filter")


def _operand(f: Filter, parent: type, *, left: bool) -> str:
    text = render(f)
    if (type(f) is Or and parent is And) or (not left and type(f) is parent):
        return f"({text})"

    return text


def render_path(p: PatchPath) -> str:
    """Write a PATCH path as canonical text: ``parse_path(render_path(p)) == p``."""
    text = _render_attr(p.attr)
    if p.filter is not None:
        text += f"[{render(p.filter)}]"
        if p.sub_attr is not None:
            text += "." + _render_attr(AttrPath(None, p.sub_attr))

    return text
