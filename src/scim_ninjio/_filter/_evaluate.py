"""Evaluating filters over SCIM JSON documents, as a service provider does."""

from __future__ import annotations

import datetime as dt
import functools
import operator

from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeAlias

from scim_ninjio._filter._tree import (
    And,
    AttrPath,
    Compare,
    Filter,
    Not,
    Or,
    Present,
    ValuePath,
    render,
    render_value,
    shorten,
)
from scim_ninjio._schema import AttributeInfo, ResourceSchema
from scim_ninjio.exceptions import InvalidFilterError, LocalProtocolError


__all__ = ["Matcher", "compile_filter", "compile_value_filter", "matches"]


#: A compiled filter: tells whether a SCIM JSON document matches.
Matcher: TypeAlias = Callable[[Mapping[str, Any]], bool]
_Fetch: TypeAlias = Callable[[Any], list[Any]]
_Lookup: TypeAlias = Callable[[AttrPath], "tuple[AttributeInfo, _Fetch] | None"]


def _get(obj: Any, name: str) -> Any:
    """Return ``obj[name]``, matching the key without case; None if absent."""
    if not isinstance(obj, Mapping):
        return None
    try:
        return obj[name]
    except KeyError:
        folded = name.lower()
        for key, value in obj.items():
            if isinstance(key, str) and key.lower() == folded:
                return value

    return None


def _fetcher(container: str | None, name: str, sub: str | None) -> _Fetch:
    def fetch(doc: Any) -> list[Any]:
        if container is not None:
            doc = _get(doc, container)
        value = _get(doc, name)
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        if sub is None:
            return [item for item in items if item is not None]

        return [found for item in items if (found := _get(item, sub)) is not None]

    return fetch


def _resource_lookup(schema: ResourceSchema) -> _Lookup:
    def lookup(path: AttrPath) -> tuple[AttributeInfo, _Fetch] | None:
        found = schema.resolve(path)
        if found is None:
            return None
        attribute, sub = found
        container = None if attribute.urn == schema.core_urn else attribute.urn
        fetch = _fetcher(container, attribute.name, sub.name if sub else None)

        return sub or attribute, fetch

    return lookup


def _element_lookup(attribute: AttributeInfo) -> _Lookup:
    def lookup(path: AttrPath) -> tuple[AttributeInfo, _Fetch] | None:
        if path.uri is not None or path.sub_attr is not None:
            return None
        sub = attribute.sub_attribute(path.attr)
        if sub is None:
            return None

        return sub, _fetcher(None, sub.name, None)

    return lookup


def _invalid(f: Filter, reason: str) -> NoReturn:
    try:
        shown = render(f)
    except LocalProtocolError:
        shown = repr(f)
    detail = f"{reason} (in {shorten(shown, 120)!r})"

    raise InvalidFilterError(f"invalid filter: {detail}", detail=detail)


def _show(value: Any) -> str:
    try:
        return render_value(value)
    except LocalProtocolError:
        return shorten(repr(value))


def _never(_: Any) -> bool:
    return False


def _as_bool(value: Any) -> bool | None:
    if value is True or value is False:
        return value
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.lower())

    return None


def _instant(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None

    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _has_value(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_value(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_value(v) for v in value)
    if isinstance(value, str):
        return value != ""

    return value is not None


_ORDER: Mapping[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.eq,  # ne is "no value is equal"; see _compare_matcher
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
    "co": operator.contains,
    "sw": str.startswith,
    "ew": str.endswith,
}


def _string_test(op: str, value: str, *, case_exact: bool) -> Callable[[Any], bool]:
    test = _ORDER[op]
    if case_exact:
        return lambda v: isinstance(v, str) and test(v, value)
    folded = value.casefold()

    return lambda v: isinstance(v, str) and test(v.casefold(), folded)


def _value_test(f: Compare, info: AttributeInfo) -> Callable[[Any], bool]:
    """Return the test one value of the attribute must pass (``eq`` for ``ne``)."""
    op, value, kind, name = f.op, f.value, info.type, info.name
    if op in ("co", "sw", "ew"):
        if kind in ("boolean", "binary", "integer", "decimal"):
            _invalid(f, f"{name} is a {kind}; co, sw and ew apply to strings only")
        if not isinstance(value, str):
            _invalid(f, f"co, sw and ew compare with a string, not {_show(value)}")
        return _string_test(op, value, case_exact=info.case_exact)
    ordering = op not in ("eq", "ne")
    if kind == "boolean":
        target = _as_bool(value)
        if ordering or target is None:
            _invalid(
                f, f"{name} is a boolean: compare it with eq or ne and true or false"
            )
        return lambda v: _as_bool(v) is target
    if kind == "binary" and ordering:
        _invalid(f, f"{name} is binary data: compare it with eq or ne only")
    if kind in ("integer", "decimal"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            if ordering:
                _invalid(f, f"{name} is a number: compare it with a number")
            return _never
        test = _ORDER[op]
        return lambda v: type(v) in (int, float) and test(v, value)
    if not isinstance(value, str):
        if ordering:
            _invalid(f, f"{name} is a {kind}: compare it with a string")
        return _never
    if kind == "dateTime":
        instant = _instant(value)
        if instant is None:
            _invalid(f, f"{value!r} is not a dateTime such as 2011-05-13T04:42:34Z")
        test = _ORDER[op]
        return lambda v: (found := _instant(v)) is not None and test(found, instant)

    return _string_test(op, value, case_exact=info.case_exact or kind == "binary")


def _compare_matcher(f: Compare, lookup: _Lookup) -> Matcher:
    access = lookup(f.path)
    if access is None:
        return _never  # Unknown attributes match nothing (RFC 7644, 3.4.2.2).
    info, fetch = access
    if info.type == "complex":
        # "emails co x" compares the emails' values; "name eq x" means nothing.
        value_access = None
        if info.multi_valued and f.path.sub_attr is None:
            value_access = lookup(AttrPath(f.path.uri, f.path.attr, "value"))
        if value_access is None:
            _invalid(f, f"{info.name} is complex: compare one of its sub-attributes")
        info, fetch = value_access
    if f.value is None:
        if f.op not in ("eq", "ne"):
            _invalid(f, "null compares with eq or ne only")
        if f.op == "eq":
            return lambda doc: not fetch(doc)
        return lambda doc: bool(fetch(doc))
    test = _value_test(f, info)
    if f.op == "ne":

        def differs(doc: Mapping[str, Any]) -> bool:
            values = fetch(doc)
            return not values or not all(test(v) for v in values)

        return differs

    return lambda doc: any(test(v) for v in fetch(doc))


def _flatten(f: And | Or) -> list[Filter]:
    kind = type(f)
    out: list[Filter] = []
    stack: list[Filter] = [f]
    while stack:
        node = stack.pop()
        if isinstance(node, And | Or) and type(node) is kind:
            stack.append(node.right)
            stack.append(node.left)
        else:
            out.append(node)

    return out


def _compile(f: Filter, lookup: _Lookup, *, nested: bool) -> Matcher:
    if isinstance(f, And | Or):
        parts = [_compile(part, lookup, nested=nested) for part in _flatten(f)]
        if isinstance(f, And):
            return lambda doc: all(part(doc) for part in parts)
        return lambda doc: any(part(doc) for part in parts)
    if isinstance(f, Not):
        inner = _compile(f.inner, lookup, nested=nested)
        return lambda doc: not inner(doc)
    if isinstance(f, Compare):
        return _compare_matcher(f, lookup)
    if isinstance(f, Present):
        access = lookup(f.path)
        if access is None:
            return _never
        fetch = access[1]
        return lambda doc: any(_has_value(v) for v in fetch(doc))
    if isinstance(f, ValuePath):
        if nested:
            _invalid(f, "value filters cannot be nested")
        access = lookup(f.path)
        if access is None:
            return _never
        info, fetch = access
        if info.type != "complex" or f.path.sub_attr is not None:
            _invalid(
                f,
                f"{info.name} is not complex: a value filter needs a complex attribute",
            )
        inner = _compile(f.filter, _element_lookup(info), nested=True)
        return lambda doc: any(
            inner(item) for item in fetch(doc) if isinstance(item, Mapping)
        )

    raise InvalidFilterError(
        f"invalid filter: {shorten(repr(f))} is not a filter",
        detail=f"{shorten(repr(f))} is not a filter",
    )


def compile_filter(f: Filter, schema: ResourceSchema) -> Matcher:
    """
    Turn a filter into a function that tells whether a document matches.

    Compile once and call the result for every resource of a search: the
    attribute lookups and value conversions happen here, once.

    Raises:
        InvalidFilterError: The filter compares in a way the attribute's type
            does not allow (``active co "x"``, ``name eq "x"``, a dateTime
            with text that is no dateTime); a server answers 400 invalidFilter.
    """
    return _compile(f, _resource_lookup(schema), nested=False)


def compile_value_filter(f: Filter, attribute: AttributeInfo) -> Matcher:
    """
    Compile the filter of a value path: its paths name sub-attributes of ``attribute``.

    The result is called with one value (a JSON object) of the attribute.

    Raises:
        InvalidFilterError: As for :func:`compile_filter`.
    """
    return _compile(f, _element_lookup(attribute), nested=True)


@functools.lru_cache(maxsize=256)
def _cached(f: Filter, schema: ResourceSchema) -> Matcher:
    return compile_filter(f, schema)


def matches(f: Filter, resource: Mapping[str, Any], schema: ResourceSchema) -> bool:
    """
    Tell whether a SCIM JSON document matches a filter, as a service provider would.

    String comparisons follow each attribute's ``caseExact``; ``gt``, ``ge``,
    ``lt`` and ``le`` order strings lexicographically, numbers numerically and
    dateTimes by instant; ``pr`` needs a value that is not null or empty; a
    multi-valued attribute matches when any of its values does (``ne`` too:
    some value differs, or there is none); ``emails co "x"`` compares the
    emails' ``value``; attributes the schema does not know match nothing.

    Raises:
        InvalidFilterError: As for :func:`compile_filter`.

    >>> from scim_ninjio._filter import parse
    >>> from scim_ninjio._schema import resource_schema
    >>> matches(parse('userName eq "BJENSEN"'), {"userName": "bjensen"},
    ...         resource_schema("User"))
    True
    """
    try:
        matcher = _cached(f, schema)
    except TypeError:  # An unhashable value inside the tree: compile it anew.
        matcher = compile_filter(f, schema)

    return matcher(resource)
