"""What the PATCH modules share: case-blind lookups, copies, targets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from scim_ninjio._filter import And, Compare, Filter, Matcher
from scim_ninjio._schema import AttributeInfo


__all__ = [
    "OPS",
    "Op",
    "Target",
    "canonical_sub",
    "clone",
    "covers",
    "describe",
    "eq_terms",
    "find",
    "fold",
    "is_empty",
    "is_primary",
    "keyed_by_value",
    "pop",
    "put",
]

#: A PATCH operation's name.
Op = Literal["add", "remove", "replace"]
#: The PATCH operations' names.
OPS: frozenset[str] = frozenset(("add", "remove", "replace"))


@attrs.frozen
class Target:
    """Where an operation acts, resolved against the schema."""

    label: str
    #: The extension the attribute lives in (None: the top level).
    container: str | None
    #: The attribute (None: the whole extension).
    name: str | None
    info: AttributeInfo | None = None
    matcher: Matcher | None = None
    filter: Filter | None = None
    sub: str | None = None
    sub_info: AttributeInfo | None = None


def find(container: Any, name: str) -> tuple[str | None, Any]:
    """Return the key that matches ``name`` without case, and its value."""
    if not isinstance(container, Mapping):
        return None, None
    if name in container:
        return name, container[name]
    folded = name.lower()
    for key, value in container.items():
        if isinstance(key, str) and key.lower() == folded:
            return key, value

    return None, None


def put(container: dict[str, Any], name: str, value: Any) -> None:
    """Set ``name``, dropping a key that differs from it only in case."""
    key, _ = find(container, name)
    if key is not None and key != name:
        del container[key]
    container[name] = value


def pop(container: dict[str, Any], name: str) -> Any:
    key, value = find(container, name)
    if key is not None:
        del container[key]

    return value


def clone(value: Any) -> Any:
    """Copy a JSON value, so the result shares nothing with the operation."""
    if isinstance(value, Mapping):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]

    return value


def is_empty(value: Any) -> bool:
    return value is None or value in ([], {})


def describe(value: Any) -> str:
    """Name a value's JSON type and show its start, for an error message."""
    kind = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }
    text = repr(value)
    shown = text if len(text) <= 40 else text[:37] + "..."

    return f"{kind.get(type(value), type(value).__name__)} ({shown})"


def is_primary(item: Any) -> bool:
    return find(item, "primary")[1] is True


def keyed_by_value(info: AttributeInfo) -> AttributeInfo | None:
    """Return ``value`` when it identifies a value of ``info`` (group members)."""
    value = info.sub_attribute("value")
    if value is not None and value.mutability == "immutable":
        return value

    return None


def fold(info: AttributeInfo, value: Any) -> Any:
    if isinstance(value, str) and not info.case_exact:
        return value.casefold()

    return value


def eq_terms(f: Filter, info: AttributeInfo) -> dict[str, Any] | None:
    """Return the sub-attributes a filter of ``eq`` joined by ``and`` pins down."""
    if isinstance(f, And):
        left, right = eq_terms(f.left, info), eq_terms(f.right, info)
        return None if left is None or right is None else {**left, **right}
    if (
        isinstance(f, Compare)
        and f.op == "eq"
        and f.path.uri is None
        and f.path.sub_attr is None
        and f.value is not None
    ):
        sub = info.sub_attribute(f.path.attr)
        return {sub.name if sub else f.path.attr: f.value}

    return None


def canonical_sub(info: AttributeInfo, key: Any) -> Any:
    sub = info.sub_attribute(key) if isinstance(key, str) else None

    return sub.name if sub else key


def covers(wanted: Any, item: Any) -> bool:
    """Whether every sub-attribute given in ``wanted`` has that value in ``item``."""
    if isinstance(wanted, Mapping) and isinstance(item, Mapping):
        return bool(wanted) and all(find(item, k)[1] == v for k, v in wanted.items())

    return bool(wanted == item)
