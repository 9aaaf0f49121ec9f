"""One PATCH in progress: the new document, copy on write, targets, value checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn, cast

from scim_ninjio._filter import AttrPath, PatchPath, compile_value_filter, parse_path
from scim_ninjio._patch._common import (
    Target,
    clone,
    describe,
    find,
    is_empty,
    is_primary,
    pop,
    put,
)
from scim_ninjio._schema import AttributeInfo, ResourceSchema
from scim_ninjio.exceptions import (
    FilterSyntaxError,
    InvalidFilterError,
    InvalidPathError,
    InvalidValueError,
    ScimError,
)


__all__ = ["Document"]


class Document:
    """The state of one apply(): the new document and what it owns."""

    def __init__(
        self, resource: Mapping[str, Any], schema: ResourceSchema, *, strict: bool
    ) -> None:
        self.schema = schema
        self.strict = strict
        self.doc: dict[str, Any] = dict(resource)
        # Containers copied by this apply, which it may change in place: the
        # input is never written, and a branch is copied at most once.
        self.owned: dict[int, Any] = {id(self.doc): self.doc}
        self.touched: set[str] = set()
        self.where = "Operations"

    # --- errors and copies -----------------------------------------------------

    def fail(self, cls: type[ScimError], reason: str) -> NoReturn:
        detail = f"{self.where}: {reason}"

        raise cls(f"PATCH failed: {detail}", detail=detail)

    def own_dict(self, value: Any) -> dict[str, Any]:
        if value is not None and self.owned.get(id(value)) is value:
            return cast("dict[str, Any]", value)
        copy = dict(value) if isinstance(value, Mapping) else {}
        self.owned[id(copy)] = copy

        return copy

    # --- reading and writing targets ---------------------------------------------

    def container(self, target: Target, *, create: bool) -> dict[str, Any] | None:
        if target.container is None:
            return self.doc
        key, body = find(self.doc, target.container)
        if not create:
            return body if isinstance(body, dict) else None
        owned = self.own_dict(body)
        if key is not None and key != target.container:
            del self.doc[key]
        self.doc[target.container] = owned
        self.touched.add(target.container)

        return owned

    def get(self, target: Target) -> Any:
        assert target.name is not None  # noqa: S101 -- extensions never get here
        return find(self.container(target, create=False), target.name)[1]

    def set(self, target: Target, value: Any) -> None:
        """Set the attribute, or with an empty value remove it."""
        assert target.name is not None  # noqa: S101 -- extensions never get here
        if is_empty(value):
            if find(self.container(target, create=False), target.name)[0] is None:
                return
            container = self.container(target, create=True)
            assert container is not None  # noqa: S101 -- create=True gives one
            pop(container, target.name)
            return
        container = self.container(target, create=True)
        assert container is not None  # noqa: S101 -- create=True gives one
        put(container, target.name, value)

    # --- values ---------------------------------------------------------------------

    def simple(self, info: AttributeInfo | None, value: Any, label: str) -> Any:
        """Check a value against the attribute's type; coerce string booleans."""
        if info is None or info.type == "complex":
            return clone(value)
        kind = info.type
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                if self.strict:
                    self.fail(
                        InvalidValueError,
                        f"{label} is a boolean: give true or false, "
                        f"not the string {value!r}",
                    )
                return value.lower() == "true"
            self.fail(InvalidValueError, f"{label} is a boolean, not {describe(value)}")
        if kind in ("integer", "decimal"):
            numbers = int if kind == "integer" else int | float
            if isinstance(value, bool) or not isinstance(value, numbers):
                self.fail(
                    InvalidValueError,
                    f"{label} is {'an' if kind == 'integer' else 'a'} {kind}, "
                    f"not {describe(value)}",
                )
            return value
        if not isinstance(value, str):
            self.fail(InvalidValueError, f"{label} is a {kind}, not {describe(value)}")

        return value

    def complex(self, info: AttributeInfo, value: Any, label: str) -> dict[str, Any]:
        """Check a complex value; names in the schema's case, nulls dropped."""
        if not isinstance(value, Mapping):
            self.fail(
                InvalidValueError,
                f"{label} is complex: give an object of its sub-attributes, "
                f"not {describe(value)}",
            )
        out: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                continue
            sub = info.sub_attribute(key) if isinstance(key, str) else None
            if sub is None:
                if self.strict:
                    self.fail(
                        InvalidValueError, f"{label} has no sub-attribute {key!r}"
                    )
                out[key] = clone(item)
                continue
            out[sub.name] = self.simple(sub, item, f"{label}.{sub.name}")

        return out

    def values(self, info: AttributeInfo, value: Any, label: str) -> list[Any]:
        """Check the values given for a multi-valued attribute."""
        items = value if isinstance(value, list) else [value]
        if info.type == "complex":
            found = [
                self.complex(info, item, label) for item in items if item is not None
            ]
        else:
            found = [
                self.simple(info, item, label) for item in items if item is not None
            ]
        if sum(1 for item in found if is_primary(item)) > 1:
            self.fail(InvalidValueError, f"at most one value of {label} may be primary")

        return found

    def demote(self, items: list[Any], keep: Sequence[Any]) -> None:
        """Set primary to false on every value but those in ``keep``."""
        kept = {id(item) for item in keep}
        for index, item in enumerate(items):
            if id(item) not in kept and is_primary(item):
                copy = dict(item)
                put(copy, "primary", value=False)
                items[index] = copy

    def resolve(self, text: str) -> Target:
        try:
            path = parse_path(text)
        except FilterSyntaxError as e:
            self.fail(InvalidPathError, str(e))

        return self.target(path, text)

    def target(self, path: PatchPath, label: str) -> Target:
        attr, schema = path.attr, self.schema
        if attr.uri is not None and attr.sub_attr is None and path.filter is None:
            urn = schema.canonical_urn(f"{attr.uri}:{attr.attr}")
            if urn is not None and urn != schema.core_urn:
                return Target(label=label, container=urn, name=None)
        found = schema.resolve(attr)
        sub_name = attr.sub_attr or path.sub_attr
        if found is None:
            return self.unknown(path, label)
        info, sub_info = found
        container = None if info.urn == schema.core_urn else info.urn
        matcher = None
        if path.filter is not None:
            if info.type != "complex":
                self.fail(
                    InvalidPathError, f"{info.name} is not complex: it takes no filter"
                )
            try:
                matcher = compile_value_filter(path.filter, info)
            except InvalidFilterError as e:
                self.fail(InvalidPathError, str(e.detail))
        if path.sub_attr is not None:
            sub_info = info.sub_attribute(path.sub_attr)
            if sub_info is None and self.strict:
                self.fail(
                    InvalidPathError, f"{info.name} has no sub-attribute {sub_name!r}"
                )

        return Target(
            label=label,
            container=container,
            name=info.name,
            info=info,
            matcher=matcher,
            filter=path.filter,
            sub=sub_info.name if sub_info else sub_name,
            sub_info=sub_info,
        )

    def unknown(self, path: PatchPath, label: str) -> Target:
        """Resolve a path the schema does not know (kept as given, unless strict)."""
        attr, schema = path.attr, self.schema
        base = schema.resolve(AttrPath(attr.uri, attr.attr)) if attr.sub_attr else None
        if (
            self.strict
            or path.filter is not None
            or (base and base[0].type != "complex")
        ):
            self.fail(
                InvalidPathError, f"{label!r} names no attribute of a {schema.name}"
            )
        if base is not None:
            info = base[0]
            container = None if info.urn == schema.core_urn else info.urn
            return Target(label, container, info.name, info, sub=attr.sub_attr)
        container = attr.uri
        if container is not None:
            container = schema.canonical_urn(container) or container
            container = None if container == schema.core_urn else container

        return Target(label, container, attr.attr, sub=attr.sub_attr)

    # --- the end -------------------------------------------------------------------

    def finish(self) -> dict[str, Any]:
        """List or unlist the extensions whose attributes changed."""
        for urn in sorted(self.touched):
            key, body = find(self.doc, urn)
            present = isinstance(body, Mapping) and bool(body)
            if key is not None and not present:
                del self.doc[key]
            self.list_schema(urn, present=present)

        return self.doc

    def list_schema(self, urn: str, *, present: bool) -> None:
        key, schemas = find(self.doc, "schemas")
        listed = list(schemas) if isinstance(schemas, list) else []
        folded = urn.lower()
        there = [s for s in listed if isinstance(s, str) and s.lower() == folded]
        if present and not there:
            if not listed:
                listed.append(self.schema.core_urn)
            self.doc[key or "schemas"] = [*listed, urn]
        elif there and not present:
            self.doc[key or "schemas"] = [s for s in listed if s not in there]
