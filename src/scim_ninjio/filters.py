r"""
SCIM filters (:rfc:`7644#section-3.4.2.2`): build them safely, parse and render them.

A filter is a tree of frozen values. Build one with the helpers, which escape
every value, and hand it to a search; nothing a user typed can then widen
the search, whatever quotes or backslashes it holds:

>>> from scim_ninjio import filters
>>> typed = 'x" or userName pr "'
>>> f = filters.and_(filters.eq("userName", typed), filters.present("title"))
>>> filters.render(f)
'userName eq "x\\" or userName pr \\"" and title pr'
>>> filters.parse(filters.render(f)) == f
True

The search methods of :class:`~scim_ninjio.client.NinjioClient` and
:class:`~scim_ninjio.client.AsyncNinjioClient` take such a tree as their
``filter`` and render it; text is sent as it is.

Limitations:
    Parsed trees nest at most :data:`MAX_DEPTH` groups deep; chains of
    ``and`` and ``or`` of any length are fine.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from scim_ninjio._filter import (
    MAX_DEPTH,
    And,
    AttrPath,
    Compare,
    CompareOp,
    Filter,
    Not,
    Or,
    Present,
    Value,
    ValuePath,
    and_,
    co,
    eq,
    ew,
    ge,
    gt,
    le,
    lt,
    ne,
    not_,
    or_,
    parse,
    present,
    render,
    sw,
    value_path,
)


__all__ = [
    "MAX_DEPTH",
    "And",
    "AttrPath",
    "Compare",
    "CompareOp",
    "Filter",
    "Not",
    "Or",
    "Present",
    "Value",
    "ValuePath",
    "and_",
    "co",
    "eq",
    "ew",
    "ge",
    "gt",
    "le",
    "lt",
    "ne",
    "not_",
    "or_",
    "parse",
    "present",
    "render",
    "sw",
    "value_path",
]
