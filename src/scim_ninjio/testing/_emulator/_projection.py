"""
Which attributes a response returns (:rfc:`7644#section-3.4.2.5`).

``attributes`` names the attributes to return, on top of those the schema
returns always (``id``, ``schemas``); ``excludedAttributes`` names default
attributes to leave out. Names are matched without case, may name a
sub-attribute (``name.givenName``) and may be qualified with their schema URN
(``urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department``);
a bare extension URN names the whole extension. ``returned: never``
attributes never go out (the renderer drops them already).

Limitations:
    ``returned: request`` is not honoured: no attribute of the User, Group
    or enterprise schemas has it, so nothing is held back unless asked for.
"""

from __future__ import annotations

import functools

from collections.abc import Sequence
from typing import Any

import attrs

from scim_ninjio._schema import ResourceSchema


__all__ = ["Projection"]

# A top-level key (lower case) and the sub-keys (lower case) named under it;
# None stands for the whole value.
_Selection = dict[str, set[str] | None]


def _select(names: Sequence[str], schema: ResourceSchema) -> _Selection:
    selection: _Selection = {}
    for name in names:
        top, sub = _split(name.strip(), schema)
        # Naming the whole attribute wins over naming some of its parts.
        subs = selection.get(top, set())
        if sub is None:
            selection[top] = None
        elif subs is not None:
            selection[top] = {*subs, sub}

    return selection


def _split(name: str, schema: ResourceSchema) -> tuple[str, str | None]:
    """Return the top-level key and the sub-key a name selects, lower case."""
    if name[:4].lower() == "urn:":
        whole = schema.canonical_urn(name)
        if whole is not None:
            return whole.lower(), None
        urn, _, rest = name.rpartition(":")
        known = schema.canonical_urn(urn)
        if known is not None and known != schema.core_urn:
            return known.lower(), rest.partition(".")[0].lower()
        # A core attribute qualified with the core URN, or an unknown URN.
        name = rest
    attr, _, sub = name.partition(".")

    return attr.lower(), sub.lower() or None


@attrs.frozen
class Projection:
    """
    The attributes to keep in each resource of one response.

    Build it with :meth:`of`; :meth:`apply` cuts a rendered resource down.
    """

    include: _Selection | None
    exclude: _Selection
    always: frozenset[str]

    @classmethod
    def of(
        cls,
        schema: ResourceSchema,
        attributes: Sequence[str],
        excluded: Sequence[str],
    ) -> Projection | None:
        """Return the projection of a request, or None when it keeps everything."""
        if not attributes and not excluded:
            return None

        return cls(
            include=_select(attributes, schema) if attributes else None,
            exclude=_select(excluded, schema),
            always=_always(schema),
        )

    def apply(self, document: dict[str, Any]) -> dict[str, Any]:
        """Return the resource with only the selected attributes."""
        out: dict[str, Any] = {}
        for key, value in document.items():
            folded = key.lower()
            if folded in self.always:
                out[key] = value
                continue
            if self.include is not None:
                if folded not in self.include:
                    continue
                kept = _cut(value, self.include[folded], keep=True)
            elif folded in self.exclude:
                kept = _cut(value, self.exclude[folded], keep=False)
            else:
                kept = value
            if kept is not None:
                out[key] = kept

        return out


@functools.cache
def _always(schema: ResourceSchema) -> frozenset[str]:
    """Return the names of the top-level attributes returned always."""
    always = {a.name.lower() for a in schema.attributes() if a.returned == "always"}

    return frozenset(always | {"schemas"})


def _cut(value: Any, subs: set[str] | None, *, keep: bool) -> Any:
    """Keep (or drop) the named sub-attributes of a value; None if nothing is left."""
    if subs is None:
        return value if keep else None
    if isinstance(value, dict):
        kept = {k: v for k, v in value.items() if (k.lower() in subs) is keep}
        return kept or None
    if isinstance(value, list):
        items = [_cut(item, subs, keep=keep) for item in value]
        return [item for item in items if item is not None] or None

    # A simple value has no sub-attributes: naming one selects nothing of it.
    return None if keep else value
