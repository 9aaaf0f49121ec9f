r"""
SCIM filters (:rfc:`7644#section-3.4.2.2`) and PATCH paths (:rfc:`7644#section-3.5.2`).

A filter is a tree of frozen values (:class:`Compare`, :class:`Present`,
:class:`And`, :class:`Or`, :class:`Not`, :class:`ValuePath`). Build one with the
helpers, which escape every value, or :func:`parse` one; :func:`render` writes
the canonical text back, and :func:`matches` evaluates a filter over a SCIM JSON
document as a service provider would.

>>> f = and_(eq("userName", 'x" or userName pr "'), present("title"))
>>> render(f)
'userName eq "x\\" or userName pr \\"" and title pr'
>>> parse(render(f)) == f
True
>>> render(parse('emails[type EQ "work"] or NOT (userName sw "J")'))
'emails[type eq "work"] or not (userName sw "J")'

Limitations:
    Trees nest at most :data:`MAX_DEPTH` groups deep when parsed; chains of
    ``and``/``or`` of any length are fine. Trees built by hand far deeper
    than that may exhaust Python's recursion limit when compared or hashed.
"""

from __future__ import annotations

from scim_ninjio._filter._evaluate import (
    Matcher,
    compile_filter,
    compile_value_filter,
    matches,
)
from scim_ninjio._filter._parser import (
    MAX_DEPTH,
    and_,
    co,
    eq,
    ew,
    ge,
    gt,
    indexable_eq,
    le,
    lt,
    ne,
    not_,
    or_,
    parse,
    parse_path,
    present,
    sw,
    value_path,
)
from scim_ninjio._filter._tree import (
    And,
    AttrPath,
    Compare,
    CompareOp,
    Filter,
    Not,
    Or,
    PatchPath,
    Present,
    Value,
    ValuePath,
    render,
    render_path,
)


__all__ = [
    "MAX_DEPTH",
    "And",
    "AttrPath",
    "Compare",
    "CompareOp",
    "Filter",
    "Matcher",
    "Not",
    "Or",
    "PatchPath",
    "Present",
    "Value",
    "ValuePath",
    "and_",
    "co",
    "compile_filter",
    "compile_value_filter",
    "eq",
    "ew",
    "ge",
    "gt",
    "indexable_eq",
    "le",
    "lt",
    "matches",
    "ne",
    "not_",
    "or_",
    "parse",
    "parse_path",
    "present",
    "render",
    "render_path",
    "sw",
    "value_path",
]
