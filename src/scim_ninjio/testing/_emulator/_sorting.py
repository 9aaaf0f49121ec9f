"""
Sorting list results by one attribute (:rfc:`7644#section-3.4.2.3`).

Strings compare by the attribute's ``caseExact``; a multi-valued attribute
sorts by its primary value, or else its first; resources without a value
come last in either order, in creation order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from scim_ninjio._filter import parse_path
from scim_ninjio._schema import ResourceSchema
from scim_ninjio.exceptions import FilterSyntaxError, InvalidValueError
from scim_ninjio.testing._emulator._documents import field
from scim_ninjio.testing._emulator._store import Record


__all__ = ["sort_records"]

_Key = tuple[int, Any]


def sort_records(
    records: Sequence[Record],
    documents: Callable[[Record], Mapping[str, Any]],
    *,
    sort_by: str,
    descending: bool,
    schema: ResourceSchema,
) -> list[Record]:
    """
    Return records sorted by an attribute of their documents.

    Args:
        records: The records, in creation order.
        documents: Returns a record's document as served.
        sort_by: The attribute path (``name.familyName``).
        descending: Sort from the largest value.
        schema: The schema that gives the attribute's ``caseExact``.

    Raises:
        InvalidValueError: ``sort_by`` is not an attribute path.
    """
    value_of, case_exact = _reader(sort_by, schema)
    present: list[tuple[_Key, Record]] = []
    missing: list[Record] = []
    for record in records:
        value = value_of(documents(record))
        if value is None or isinstance(value, dict | list):
            missing.append(record)
        else:
            present.append((_key(value, case_exact=case_exact), record))
    present.sort(key=lambda pair: pair[0], reverse=descending)

    return [record for _, record in present] + missing


def _key(value: Any, *, case_exact: bool) -> _Key:
    if isinstance(value, str):
        return (1, value if case_exact else value.casefold())

    # Numbers and booleans sort before strings, so that an attribute no schema
    # describes, holding both, still sorts without comparing across types.
    return (0, value)


def _reader(
    sort_by: str, schema: ResourceSchema
) -> tuple[Callable[[Mapping[str, Any]], Any], bool]:
    try:
        path = parse_path(sort_by)
    except FilterSyntaxError as e:
        raise InvalidValueError(
            detail=f"sortBy {sort_by!r} is not an attribute path: {e}"
        ) from None
    if path.filter is not None or path.sub_attr is not None:
        raise InvalidValueError(
            detail=f"sortBy {sort_by!r} must name an attribute, without a value filter"
        )
    attr = path.attr
    resolved = schema.resolve(attr)
    case_exact = False
    urn = attr.uri
    if resolved is not None:
        info, sub = resolved
        case_exact = (sub or info).case_exact
        urn = info.urn
    if urn is not None and urn.lower() == schema.core_urn.lower():
        urn = None

    def value_of(document: Mapping[str, Any]) -> Any:
        container: Any = document if urn is None else field(document, urn)
        value = field(container, attr.attr)
        if isinstance(value, list):
            value = _primary(value)
        if attr.sub_attr is not None:
            return field(value, attr.sub_attr)
        if isinstance(value, dict):
            return field(value, "value")

        return value

    return value_of, case_exact


def _primary(values: list[Any]) -> Any:
    for value in values:
        if isinstance(value, Mapping) and value.get("primary") is True:
            return value

    return values[0] if values else None
