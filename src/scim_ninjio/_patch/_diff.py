"""The PATCH operations between two documents, and group membership in chunks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from scim_ninjio._filter import AttrPath, Compare, PatchPath, render_path
from scim_ninjio._filter._tree import PATH
from scim_ninjio._patch._common import fold, keyed_by_value
from scim_ninjio._schema import AttributeInfo, ResourceSchema
from scim_ninjio.exceptions import ConfigurationError
from scim_ninjio.models import PatchOp, PatchOperation


__all__ = ["diff", "member_operations"]


def diff(
    old: Mapping[str, Any], new: Mapping[str, Any], schema: ResourceSchema
) -> tuple[PatchOperation, ...]:
    """
    Return the operations that turn ``old`` into ``new`` (rule U3).

    One operation per attribute that differs: ``replace`` with a path, or
    ``remove`` when ``new`` lacks it, ``add`` when ``old`` lacks it. Complex
    single-valued attributes (``name``, the enterprise ``manager``) change per
    sub-attribute (``name.givenName``); other multi-valued attributes are
    replaced whole (``emails``); group members are removed
    (``members[value eq "id"]``) and added one by one, only those that
    changed. Read-only attributes (``id``, ``meta``, ``groups``, ``schemas``)
    are never in a diff. Attribute names match without case; nulls, empty
    lists and absent attributes are the same.

    Args:
        old: The document as the server has it.
        new: The document as it should be.
        schema: The resource's schema.

    Returns:
        The operations, in schema order; an empty tuple when nothing changed.

    >>> from scim_ninjio.patch import resource_schema
    >>> ops = diff({"userName": "bjensen", "name": {"givenName": "Barbara"}},
    ...            {"UserName": "bjensen", "name": {"givenName": "Babs"}},
    ...            resource_schema("User"))
    >>> [(o.op, o.path, o.value) for o in ops]
    [('replace', 'name.givenName', 'Babs')]
    """
    ops: list[PatchOperation] = []
    before, after = _split(old, schema), _split(new, schema)
    for container in _union(before, after, (None, *schema.extension_urns)):
        old_part, new_part = before.get(container, {}), after.get(container, {})
        if container and schema.is_extension(container) and not _norm(new_part, None):
            if _norm(old_part, None):
                ops.append(PatchOperation(op="remove", path=container))
            continue
        known = [a.name for a in schema.attributes(container)] if container else None
        order = known or [a.name for a in schema.attributes()]
        for name in _union(old_part, new_part, order):
            info = _info(schema, container, name)
            prefix = f"{container}:{name}" if container else name
            _attribute(ops, prefix, info, old_part.get(name), new_part.get(name))

    return tuple(ops)


def _info(
    schema: ResourceSchema, container: str | None, name: str
) -> AttributeInfo | None:
    found = schema.resolve(AttrPath(container or schema.core_urn, name))

    return found[0] if found else None


def _union(
    first: Iterable[Any], second: Iterable[Any], order: Iterable[Any]
) -> list[Any]:
    """Return the keys of both, those in ``order`` first and in its order."""
    present = set(first) | set(second)
    out = [key for key in order if key in present]
    seen = set(out)
    for key in [*second, *first]:
        if key not in seen:
            seen.add(key)
            out.append(key)

    return out


def _split(
    doc: Mapping[str, Any], schema: ResourceSchema
) -> dict[str | None, dict[str, Any]]:
    """Group a document's attributes by extension, with canonical names."""
    out: dict[str | None, dict[str, Any]] = {None: {}}
    for key, value in doc.items():
        urn = schema.canonical_urn(key)
        if urn == schema.core_urn:
            continue
        if urn is not None or (
            key[:4].lower() == "urn:" and isinstance(value, Mapping)
        ):
            part = out.setdefault(urn or key, {})
            if isinstance(value, Mapping):
                for name, item in value.items():
                    info = (
                        _info(schema, urn, name)
                        if urn and isinstance(name, str)
                        else None
                    )
                    part[info.name if info else name] = item
            continue
        info = _info(schema, None, key)
        out[None][info.name if info else key] = value

    return out


def _norm(value: Any, info: AttributeInfo | None) -> Any:
    """Fold what SCIM does not tell apart: key case, nulls, empty lists and objects."""
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            sub = info.sub_attribute(key) if info and isinstance(key, str) else None
            folded = _norm(item, None)
            if folded is not None:
                out[sub.name if sub else key] = folded
        return out or None
    if isinstance(value, list):
        items = [found for item in value if (found := _norm(item, info)) is not None]
        return items or None

    return value


def _operation(
    ops: list[PatchOperation], op: str, path: str, value: Any = None
) -> None:
    if PATH.fullmatch(path) is None:
        # A name no path can spell (an unknown attribute): a value without path
        # can still set it, and null removes it.
        ops.append(PatchOperation(op="replace", value={path: value}))
        return
    ops.append(PatchOperation(op=op, path=path, value=value))  # type: ignore[arg-type] # op is one of the three


def _attribute(
    ops: list[PatchOperation], path: str, info: AttributeInfo | None, old: Any, new: Any
) -> None:
    before, after = _norm(old, info), _norm(new, info)
    if before == after or (info is not None and info.mutability == "readOnly"):
        return
    if after is None:
        _operation(ops, "remove", path)
        return
    multi = info.multi_valued if info else isinstance(after, list)
    if multi and info is not None and keyed_by_value(info) is not None:
        _members(ops, path, info, before or [], after)
        return
    if (
        info is not None
        and info.type == "complex"
        and not multi
        and isinstance(before, dict)
        and isinstance(after, dict)
    ):
        for sub in _union(
            before, after, [s.name for s in info.sub_attributes.values()]
        ):
            sub_info = info.sub_attribute(sub)
            if sub_info is not None and sub_info.mutability == "readOnly":
                continue
            _attribute(ops, f"{path}.{sub}", sub_info, before.get(sub), after.get(sub))
        return
    _operation(ops, "add" if before is None else "replace", path, after)


def _members(
    ops: list[PatchOperation],
    path: str,
    info: AttributeInfo,
    old: list[Any],
    new: list[Any],
) -> None:
    key = keyed_by_value(info)
    assert key is not None  # noqa: S101 -- only called for members
    if not all(
        isinstance(item, dict) and isinstance(item.get("value"), str)
        for item in old + new
    ):
        # A member without a string id cannot be named in a filter.
        _operation(ops, "replace", path, new)
        return
    before, after = _by_id(old, key), _by_id(new, key)
    for folded, items in before.items():
        if after.get(folded) != items:
            target = PatchPath(
                AttrPath(None, path),
                Compare(AttrPath(None, "value"), "eq", items[0]["value"]),
            )
            ops.append(PatchOperation(op="remove", path=render_path(target)))
    added = [
        item
        for folded, items in after.items()
        if before.get(folded) != items
        for item in items
    ]
    if added:
        ops.append(PatchOperation(op="add", path=path, value=added))


def _by_id(
    items: list[dict[str, Any]], key: AttributeInfo
) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = {}
    for item in items:
        out.setdefault(fold(key, item["value"]), []).append(item)

    return out


def _ids(ids: object, name: str) -> list[str]:
    if isinstance(ids, str) or not isinstance(ids, Sequence):
        raise ConfigurationError(f"{name} must be a list of member ids, not {ids!r}")
    out: dict[str, None] = {}
    member: object
    for member in ids:
        if not isinstance(member, str) or not member:
            raise ConfigurationError(
                f"each id in {name} must be a non-empty string, not {member!r}"
            )
        out[member] = None

    return list(out)


def member_operations(
    add: Sequence[str],
    remove: Sequence[str],
    *,
    chunk_size: int = 100,
    removal: Literal["filter", "value"] = "filter",
) -> tuple[PatchOp, ...]:
    """
    Return PATCH requests that add and remove group members, in chunks (rule G3).

    Removals come first. Each request carries at most ``chunk_size`` member ids.
    A removal is ``remove members[value eq "id"]``, one operation per member
    (the form of :rfc:`7644#section-3.5.2.2`), or with ``removal="value"`` one
    ``remove`` of ``path="members"`` with a list of ``{"value": id}`` (the
    form Entra and JumpCloud send); adds are one ``add`` with a list. Ids are
    escaped, so an id holding quotes is still one id. Repeated ids count once.

    Args:
        add: The ids of the members to add.
        remove: The ids of the members to remove.
        chunk_size: The most member ids one request may carry.
        removal: How to write removals.

    Returns:
        The PatchOp bodies, in order; an empty tuple when there is nothing to do.

    Raises:
        ConfigurationError: ``chunk_size`` is below 1, ``removal`` is neither
            form, or an id is not a non-empty string.

    >>> chunks = member_operations(["a", "b", "c"], ["d"], chunk_size=2)
    >>> [[(o.op, o.path) for o in chunk.operations] for chunk in chunks]
    [[('remove', 'members[value eq "d"]'), ('add', 'members')], [('add', 'members')]]
    """
    size: object = chunk_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ConfigurationError(
            f"chunk_size must be a whole number of at least 1, not {chunk_size!r}"
        )
    if removal not in ("filter", "value"):
        raise ConfigurationError(
            f"removal must be 'filter' or 'value', not {removal!r}"
        )
    work = [("remove", m) for m in _ids(remove, "remove")] + [
        ("add", m) for m in _ids(add, "add")
    ]
    out = []
    for start in range(0, len(work), chunk_size):
        chunk = work[start : start + chunk_size]
        gone = [member for op, member in chunk if op == "remove"]
        new = [member for op, member in chunk if op == "add"]
        operations: list[PatchOperation] = []
        if removal == "filter":
            operations.extend(
                PatchOperation(
                    op="remove",
                    path=render_path(
                        PatchPath(
                            AttrPath(None, "members"),
                            Compare(AttrPath(None, "value"), "eq", member),
                        )
                    ),
                )
                for member in gone
            )
        elif gone:
            operations.append(
                PatchOperation(
                    op="remove", path="members", value=[{"value": m} for m in gone]
                )
            )
        if new:
            operations.append(
                PatchOperation(
                    op="add", path="members", value=[{"value": m} for m in new]
                )
            )
        out.append(PatchOp(operations=tuple(operations)))

    return tuple(out)
