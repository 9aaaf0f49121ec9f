"""Applying PATCH operations to a SCIM JSON document (:rfc:`7644#section-3.5.2`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from scim_ninjio._filter import AttrPath, PatchPath, parse_path, render
from scim_ninjio._patch._common import (
    OPS,
    Op,
    Target,
    canonical_sub,
    clone,
    covers,
    describe,
    eq_terms,
    find,
    fold,
    is_primary,
    keyed_by_value,
    pop,
    put,
)
from scim_ninjio._patch._document import Document
from scim_ninjio._schema import AttributeInfo, ResourceSchema
from scim_ninjio.exceptions import (
    FilterSyntaxError,
    InvalidPathError,
    InvalidSyntaxError,
    InvalidValueError,
    MutabilityError,
    NoTargetError,
)
from scim_ninjio.models import PatchOperation


__all__ = ["apply"]


def apply(
    resource: Mapping[str, Any],
    operations: Sequence[PatchOperation],
    schema: ResourceSchema,
    *,
    strict: bool = False,
) -> dict[str, Any]:
    """
    Apply PATCH operations to a SCIM JSON document, as a service provider does.

    The operations apply in order and all or nothing: the first that fails
    raises, and ``resource`` is never changed. The result is a new document
    that shares the branches no operation touched with ``resource``; treat
    both as read-only. Attribute names match without case and are written in
    the schema's case. An extension's URN joins ``schemas`` when one of its
    attributes appears and leaves it when the extension becomes empty.

    Unless ``strict``, the forms real identity providers send are accepted
    (see the emulator's quirks): ``op`` in any case, booleans as the strings
    ``"True"``/``"False"``, dotted and URN-qualified keys in a value without
    path, ``remove`` with ``path="members"`` and a list of ``{"value": id}``,
    ``null`` for a multi-valued attribute, an ``add`` through a value filter
    that matches nothing (a new value is made from its ``eq`` terms), and
    attributes the schema does not know (kept as given).

    Args:
        resource: The document to patch (SCIM JSON, as :func:`json.loads`
            returns it).
        operations: The operations of a PatchOp.
        schema: The resource's schema (:func:`~scim_ninjio.patch.resource_schema`).
        strict: Refuse everything RFC 7644 does not allow.

    Returns:
        The patched document.

    Raises:
        NoTargetError: A remove without path, or a value filter that matches
            nothing.
        InvalidPathError: A path that does not parse, or (strict) names no
            attribute.
        InvalidValueError: A value of the wrong shape or type, or a required
            attribute removed.
        InvalidSyntaxError: An unknown ``op``, or (strict) a remove with a
            value.
        MutabilityError: A change to a readOnly or immutable attribute.

    >>> from scim_ninjio.models import PatchOperation
    >>> from scim_ninjio.patch import resource_schema
    >>> ops = [PatchOperation(op="replace", path="DisplayName", value="Ops")]
    >>> apply({"displayName": "Tour Guides"}, ops, resource_schema("Group"))
    {'displayName': 'Ops'}
    """
    applier = _Applier(resource, schema, strict=strict)
    for index, operation in enumerate(operations):
        applier.run(index, operation)

    return applier.finish()


class _Applier(Document):
    """Runs the operations over a :class:`Document`."""

    # --- running operations -----------------------------------------------------------

    def run(self, index: int, operation: PatchOperation) -> None:
        # The model's types are not checked when it is built: look again.
        op: object = operation.op
        path: object = operation.path
        value = operation.value
        self.where = f"Operations[{index}]"
        if not isinstance(op, str) or op.lower() not in OPS:
            self.fail(
                InvalidSyntaxError, f"op must be add, remove or replace, not {op!r}"
            )
        if op not in OPS and self.strict:
            self.fail(InvalidSyntaxError, f"op must be in lower case, not {op!r}")
        name = cast("Op", op.lower())
        if path is not None and not isinstance(path, str):
            self.fail(
                InvalidSyntaxError, f"path must be a string, not {describe(path)}"
            )
        self.where = f"Operations[{index}] ({name} {path!r})" if path else self.where
        if path is None or (not path.strip() and not self.strict):
            self.without_path(name, value)
            return
        target = self.resolve(path)
        if name == "remove":
            self.remove(target, value)
        else:
            self.write(name, target, value)

    def without_path(self, op: Op, value: Any) -> None:
        if op == "remove":
            self.fail(NoTargetError, "remove needs a path (RFC 7644, 3.5.2.2)")
        if not isinstance(value, Mapping):
            self.fail(
                InvalidValueError,
                f"{op} without a path needs an object of attributes as its value, "
                f"not {describe(value)}",
            )
        for key, item in value.items():
            self.keyed(op, key, item, None)

    def keyed(self, op: Op, key: Any, value: Any, urn: str | None) -> None:
        """Apply one key of a value without path (or of an extension's value)."""
        if not isinstance(key, str):
            self.fail(InvalidValueError, f"{key!r} is not an attribute name")
        if urn is None and key.lower() == "schemas":
            return  # The applier keeps the schema list itself.
        known = self.schema.canonical_urn(key) if urn is None else None
        if known == self.schema.core_urn:
            if not isinstance(value, Mapping):
                self.fail(InvalidValueError, f"{key} needs an object of attributes")
            for name, item in value.items():
                self.keyed(op, name, item, None)
            return
        if known is not None:
            self.write(op, Target(label=known, container=known, name=None), value)
            return
        if "." not in key and ":" not in key:
            path = PatchPath(AttrPath(urn, key))
            self.write(op, self.target(path, key), value)
            return
        target = self.keyed_path(key, value, urn)
        self.write(op, target, value)

    def keyed_path(self, key: str, value: Any, urn: str | None) -> Target:
        """Resolve a dotted, filtered or URN-qualified key (Entra's forms)."""
        text = f"{urn}:{key}" if urn else key
        try:
            path: PatchPath | None = parse_path(text)
        except FilterSyntaxError:
            path = None
        if (
            urn is None
            and key[:4].lower() == "urn:"
            and isinstance(value, Mapping)
            and (
                path is None
                or (
                    path.filter is None
                    and path.attr.sub_attr is None
                    and self.schema.resolve(path.attr) is None
                )
            )
        ):
            # An extension the schema does not know: kept as given.
            if self.strict:
                self.fail(
                    InvalidPathError, f"{key!r} is not a schema of a {self.schema.name}"
                )
            return Target(label=key, container=key, name=None)
        if path is None:
            self.fail(InvalidPathError, f"{key!r} is not an attribute name")
        if self.strict:
            self.fail(
                InvalidValueError,
                f"{key!r} is not an attribute name: nest sub-attributes and "
                "extension attributes in objects",
            )

        return self.target(path, text)

    # --- add and replace --------------------------------------------------------------

    def write(self, op: Op, target: Target, value: Any) -> None:
        if target.name is None:
            self.extension(op, target, value)
            return
        if value is None or (op == "replace" and value == []):
            if op == "add":
                if self.strict:
                    self.fail(InvalidValueError, "add needs a value")
                return
            self.remove(target, None)
            return
        info = target.info
        if info is not None and info.mutability == "readOnly":
            if (
                target.sub is None
                and target.filter is None
                and self.get(target) == value
            ):
                return  # Okta sends id back unchanged in a replace.
            self.fail(MutabilityError, f"{info.name} is readOnly")
        if target.filter is not None:
            self.filtered(op, target, value)
        elif target.sub is not None:
            self.set_sub(target, value)
        elif info is None:
            current = self.get(target)
            if op == "add" and isinstance(value, list) and isinstance(current, list):
                value = current + [v for v in value if v not in current]
            self.set(target, clone(value))
        elif info.multi_valued:
            self.put_values(op, target, info, value)
        elif info.type == "complex":
            self.merge(target, info, value)
        else:
            new = self.simple(info, value, target.label)
            current = self.get(target)
            if (
                info.mutability == "immutable"
                and current is not None
                and current != new
            ):
                self.fail(MutabilityError, f"{info.name} is immutable")
            self.set(target, new)

    def extension(self, op: Op, target: Target, value: Any) -> None:
        """Add or replace attributes of a whole extension."""
        if value is None:
            if op == "replace":
                self.remove(target, None)
            return
        if not isinstance(value, Mapping):
            self.fail(
                InvalidValueError,
                f"{target.label} needs an object of its attributes, "
                f"not {describe(value)}",
            )
        self.container(target, create=True)
        for key, item in value.items():
            self.keyed(op, key, item, target.container)

    def put_values(
        self, op: Op, target: Target, info: AttributeInfo, value: Any
    ) -> None:
        new = self.values(info, value, target.label)
        if op == "replace":
            self.set(target, new)
            return
        current = self.get(target)
        items = list(current) if isinstance(current, list) else [current]
        items = [item for item in items if item is not None]
        key = keyed_by_value(info)
        if key is not None:
            # Group members: a member already there is not added again.
            seen = {fold(key, find(item, "value")[1]) for item in items}
            added = []
            for item in new:
                folded = fold(key, item.get("value"))
                if folded not in seen:
                    seen.add(folded)
                    added.append(item)
        else:
            added = []
            for item in new:
                if item not in items and item not in added:
                    added.append(item)
        items.extend(added)
        if any(is_primary(item) for item in added):
            self.demote(items, added)
        self.set(target, items)

    def merge(self, target: Target, info: AttributeInfo, value: Any) -> None:
        """Set the sub-attributes given; leave the others (RFC 7644, 3.5.2.3)."""
        new = self.complex(info, value, target.label)
        merged = dict(self.get(target) or {})
        for key, item in new.items():
            put(merged, key, item)
        self.set(target, merged)

    def set_sub(self, target: Target, value: Any) -> None:
        """Set a sub-attribute without filter (``name.givenName``)."""
        assert target.sub is not None  # noqa: S101 -- only called with one
        info, sub = target.info, target.sub
        new = self.simple(target.sub_info, value, target.label)
        current = self.get(target)
        if isinstance(current, list) or (info is not None and info.multi_valued):
            items = list(current) if isinstance(current, list) else []
            hits = [i for i, item in enumerate(items) if isinstance(item, Mapping)]
            if not hits:
                self.fail(NoTargetError, f"{target.name} has no value to set {sub} in")
            self.set_in(target, items, hits, new)
            self.set(target, items)
            return
        if current is not None and not isinstance(current, Mapping):
            self.fail(
                InvalidValueError, f"{target.name} is not complex: it has no {sub}"
            )
        self.check_sub(target, current, new)
        element = dict(current or {})
        put(element, sub, new)
        self.set(target, element)

    def check_sub(self, target: Target, element: Any, new: Any) -> None:
        sub_info = target.sub_info
        if sub_info is None or sub_info.mutability not in ("readOnly", "immutable"):
            return
        old = find(element, sub_info.name)[1]
        if old == new or (old is None and sub_info.mutability == "immutable"):
            return
        self.fail(
            MutabilityError,
            f"{target.name}.{sub_info.name} is {sub_info.mutability}",
        )

    def set_in(
        self, target: Target, items: list[Any], hits: list[int], new: Any
    ) -> None:
        """Set the sub-attribute in the values at ``hits``, in place."""
        assert target.sub is not None  # noqa: S101 -- only called with one
        changed = []
        for index in hits:
            self.check_sub(target, items[index], new)
            element = dict(items[index])
            put(element, target.sub, new)
            items[index] = element
            changed.append(element)
        if target.sub.lower() == "primary" and new is True:
            if len(changed) > 1:
                self.fail(
                    InvalidValueError,
                    f"at most one value of {target.name} may be primary",
                )
            self.demote(items, changed)

    def filtered(self, op: Op, target: Target, value: Any) -> None:
        """Add or replace through a value filter (``emails[type eq "work"]``)."""
        assert target.matcher is not None  # noqa: S101 -- a filter has one
        assert target.info is not None  # noqa: S101 -- idem
        info, current = target.info, self.get(target)
        single = isinstance(current, Mapping)
        items = (
            [current] if single else list(current) if isinstance(current, list) else []
        )
        hits = [
            i
            for i, item in enumerate(items)
            if isinstance(item, Mapping) and target.matcher(item)
        ]
        if not hits:
            self.create(op, target, info, value)
            return
        if target.sub is not None:
            new = self.simple(target.sub_info, value, target.label)
            self.set_in(target, items, hits, new)
            self.set(target, items[0] if single else items)
            return
        new = self.complex(info, value, target.label)
        changed = []
        for index in hits:
            old = {(canonical_sub(info, k)): v for k, v in items[index].items()}
            element = {**old, **new} if op == "add" else dict(new)
            for sub in info.sub_attributes.values():
                before = old.get(sub.name)
                if (
                    sub.mutability == "immutable"
                    and before is not None
                    and element.get(sub.name) != before
                ):
                    self.fail(MutabilityError, f"{info.name}.{sub.name} is immutable")
            items[index] = element
            changed.append(element)
        if any(is_primary(item) for item in changed):
            if len(changed) > 1:
                self.fail(
                    InvalidValueError,
                    f"at most one value of {info.name} may be primary",
                )
            self.demote(items, changed)
        self.set(target, items[0] if single else items)

    def create(
        self,
        op: Op,
        target: Target,
        info: AttributeInfo,
        value: Any,
    ) -> None:
        """Add a value an ``add`` through an unmatched filter describes (Entra)."""
        assert target.filter is not None  # noqa: S101 -- a filter has one
        terms = None
        if op == "add" and info.multi_valued and not self.strict:
            terms = eq_terms(target.filter, info)
        if terms is None:
            self.fail(
                NoTargetError,
                f"the value filter [{render(target.filter)}] matched no value "
                f"of {info.name}",
            )
        if target.sub is not None:
            value = {**terms, target.sub: value}
        elif isinstance(value, Mapping):
            value = {**terms, **value}
        self.put_values(
            "add",
            Target(target.label, target.container, target.name, info),
            info,
            value,
        )

    # --- remove ----------------------------------------------------------------------

    def remove(self, target: Target, value: Any) -> None:
        if value is not None and self.strict:
            self.fail(
                InvalidSyntaxError,
                "remove takes no value (RFC 7644, 3.5.2.2); select values with a "
                'filter such as members[value eq "id"]',
            )
        if target.name is None:
            key = find(self.doc, target.container or "")[0]
            if key is not None:
                del self.doc[key]
                self.touched.add(target.container or "")
            return
        info = target.info
        if info is not None and info.mutability == "readOnly":
            self.fail(MutabilityError, f"{info.name} is readOnly")
        if target.filter is not None:
            self.remove_filtered(target)
        elif target.sub is not None:
            self.remove_sub(target)
        elif value is not None and (info is None or info.multi_valued):
            self.remove_values(target, value)
        else:
            if info is not None and info.required and target.container is None:
                self.fail(
                    InvalidValueError, f"{info.name} is required and cannot be removed"
                )
            self.set(target, None)

    def remove_filtered(self, target: Target) -> None:
        assert target.matcher is not None  # noqa: S101 -- a filter has one
        assert target.filter is not None  # noqa: S101 -- idem
        current = self.get(target)
        single = isinstance(current, Mapping)
        items = (
            [current] if single else list(current) if isinstance(current, list) else []
        )
        hits = {
            i
            for i, item in enumerate(items)
            if isinstance(item, Mapping) and target.matcher(item)
        }
        if not hits:
            self.fail(
                NoTargetError,
                f"the value filter [{render(target.filter)}] matched no value "
                f"of {target.name}",
            )
        if target.sub is None:
            kept = [item for i, item in enumerate(items) if i not in hits]
        else:
            kept = []
            for index, item in enumerate(items):
                if index in hits:
                    self.check_sub(target, item, None)
                    item = dict(item)  # noqa: PLW2901 -- the copy replaces the value
                    pop(item, target.sub)
                if item:
                    kept.append(item)
        self.set(target, (kept[0] if kept else None) if single else kept)

    def remove_sub(self, target: Target) -> None:
        assert target.sub is not None  # noqa: S101 -- only called with one
        current = self.get(target)
        if isinstance(current, list):
            kept = []
            for item in current:
                if isinstance(item, Mapping):
                    self.check_sub(target, item, None)
                    item = dict(item)  # noqa: PLW2901 -- the copy replaces the value
                    pop(item, target.sub)
                if item:
                    kept.append(item)
            self.set(target, kept)
        elif isinstance(current, Mapping):
            self.check_sub(target, current, None)
            element = dict(current)
            pop(element, target.sub)
            self.set(target, element)

    def remove_values(self, target: Target, value: Any) -> None:
        """Remove the values listed (Entra and JumpCloud remove members so)."""
        wanted = value if isinstance(value, list) else [value]
        current = self.get(target)
        items = list(current) if isinstance(current, list) else []
        key = keyed_by_value(target.info) if target.info else None
        if key is not None:
            ids = set()
            for item in wanted:
                found = find(item, "value")[1] if isinstance(item, Mapping) else item
                if not isinstance(found, str):
                    self.fail(
                        InvalidValueError,
                        f"{target.name} to remove are given as objects such as "
                        f'{{"value": "id"}}, not {describe(item)}',
                    )
                ids.add(fold(key, found))
            kept = [
                item for item in items if fold(key, find(item, "value")[1]) not in ids
            ]
        else:
            kept = [item for item in items if not any(covers(w, item) for w in wanted)]
        self.set(target, kept)
