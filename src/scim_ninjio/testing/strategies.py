"""
Hypothesis strategies for SCIM models, SCIM JSON and JumpCloud directories.

Use them in your own property tests::

    from hypothesis import given

    import scim_ninjio

    from scim_ninjio.testing import strategies as sst


    @given(sst.users())
    def test_round_trip(user):
        assert scim_ninjio.decode(scim_ninjio.encode(user), type(user)) == user

Every model strategy builds values that survive an encode and a decode
unchanged: timestamps carry a time zone, attributes kept in ``extra`` never
collide with a known attribute name (in any case), and unknown extensions are
keyed by URNs that no model knows.

:func:`with_quirks` turns a SCIM JSON document into one that means the same
but is spelled the way real identity providers spell it (names in other
cases, booleans as strings, ``null`` for empty lists).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from hypothesis import strategies as st

from scim_ninjio import models
from scim_ninjio._codec._classes import _codec as _compiled
from scim_ninjio.testing._directory_strategies import (
    bad_system_users,
    directories,
    directory_documents,
    documents_for,
    system_users,
    user_groups,
)


__all__ = [
    "addresses",
    "bad_system_users",
    "directories",
    "directory_documents",
    "documents_for",
    "emails",
    "enterprise_users",
    "errors",
    "group_memberships",
    "groups",
    "json_values",
    "list_responses",
    "members",
    "metas",
    "model",
    "names",
    "patch_ops",
    "resource_types",
    "schemas",
    "search_requests",
    "service_provider_configs",
    "system_users",
    "user_groups",
    "users",
    "with_quirks",
]

T = TypeVar("T")

_URN_SAFE = st.text(
    alphabet=st.characters(
        whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters=":.-"
    ),
    min_size=1,
    max_size=20,
)


def json_values(*, max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Any JSON value, as :func:`json.loads` could return it."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**53), max_value=2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=20)
    )

    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=10), children, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def _known_keys(cls: Any) -> frozenset[str]:
    specs, _, _ = _compiled._fields(cls)
    keys = {s.wire.lower() for s in specs}
    if getattr(cls, "SCHEMA", None):
        keys.add("schemas")

    return frozenset(keys)


def _extra(cls: Any) -> st.SearchStrategy[dict[str, Any]]:
    known = _known_keys(cls)
    key = st.text(
        alphabet=st.characters(whitelist_categories=("Ll", "Lu")),
        min_size=1,
        max_size=12,
    ).filter(lambda k: k.lower() not in known and not k.lower().startswith("urn"))

    return st.dictionaries(key, json_values(max_leaves=4), max_size=2)


def _extensions(cls: Any) -> st.SearchStrategy[dict[str, dict[str, Any]]]:
    known = _known_keys(cls) | {str(getattr(cls, "SCHEMA", "")).lower()}
    urn = st.builds(lambda tail: f"urn:example:scim:{tail}", _URN_SAFE).filter(
        lambda u: u.lower() not in known
    )
    body = st.dictionaries(
        st.text(alphabet="abcdefghij", min_size=1, max_size=8),
        json_values(max_leaves=3),
        max_size=3,
    )

    return st.dictionaries(urn, body, max_size=2, dict_class=dict).filter(
        lambda d: len({k.lower() for k in d}) == len(d)
    )


_text = st.text(max_size=30)
_maybe_text = st.none() | _text
_maybe_bool = st.none() | st.booleans()

#: Instants with a time zone and millisecond or microsecond precision.
_timestamps = st.datetimes(
    min_value=dt.datetime(1970, 1, 2),  # noqa: DTZ001 -- bounds are naive by hypothesis' API
    max_value=dt.datetime(2200, 1, 1),  # noqa: DTZ001 -- idem
    timezones=st.sampled_from(
        [
            dt.UTC,
            dt.timezone(dt.timedelta(hours=5, minutes=30)),
            dt.timezone(-dt.timedelta(hours=8)),
        ]
    ),
)


def model(cls: type[T], **overrides: st.SearchStrategy[Any]) -> st.SearchStrategy[T]:
    """
    Build any attrs model of :mod:`scim_ninjio.models` from its fields.

    Optional fields are sometimes absent; ``extra`` and ``extensions`` get
    attributes no model knows. Pass a strategy per field name to override.
    """
    return st.deferred(lambda: _model(cls, overrides))


def _model(cls: Any, overrides: Mapping[str, st.SearchStrategy[Any]]) -> Any:
    hints = attrs.resolve_types(cls)
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(hints):
        if field.name in overrides:
            kwargs[field.name] = overrides[field.name]
            continue
        meta = field.metadata.get("scim_ninjio", {})
        if meta.get("extra"):
            kwargs[field.name] = _extra(cls)
        elif meta.get("extensions"):
            kwargs[field.name] = _extensions(cls)
        else:
            kwargs[field.name] = _for_type(
                field.type, required=field.default is attrs.NOTHING
            )

    return st.builds(cls, **kwargs)


def _for_type(tp: Any, *, required: bool) -> st.SearchStrategy[Any]:
    import types  # noqa: PLC0415 -- only needed while strategies are built
    import typing  # noqa: PLC0415 -- idem

    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return st.none() | _for_type(inner, required=True)
    if origin is tuple:
        return st.lists(
            _for_type(typing.get_args(tp)[0], required=True), max_size=3
        ).map(tuple)
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(tp))
    simple: Mapping[Any, Callable[[], st.SearchStrategy[Any]]] = {
        str: lambda: _text,
        bool: st.booleans,
        int: lambda: st.integers(min_value=0, max_value=10**9),
        dt.datetime: lambda: _timestamps,
        Any: lambda: json_values(max_leaves=4).filter(lambda v: v is not None),
    }
    if tp in simple:
        return simple[tp]()
    if attrs.has(tp):
        return model(tp)
    del required

    raise TypeError(f"no strategy for {tp!r}")  # pragma: no cover -- models only


def metas() -> st.SearchStrategy[models.Meta]:
    """:class:`~scim_ninjio.models.Meta` values."""
    return model(models.Meta)


def names() -> st.SearchStrategy[models.Name]:
    """:class:`~scim_ninjio.models.Name` values."""
    return model(models.Name)


def emails() -> st.SearchStrategy[models.Email]:
    """:class:`~scim_ninjio.models.Email` values."""
    return model(models.Email)


def addresses() -> st.SearchStrategy[models.Address]:
    """:class:`~scim_ninjio.models.Address` values."""
    return model(models.Address)


def group_memberships() -> st.SearchStrategy[models.GroupMembership]:
    """:class:`~scim_ninjio.models.GroupMembership` values."""
    return model(models.GroupMembership)


def enterprise_users() -> st.SearchStrategy[models.EnterpriseUser]:
    """:class:`~scim_ninjio.models.EnterpriseUser` values."""
    return model(models.EnterpriseUser)


def users() -> st.SearchStrategy[models.User]:
    """:class:`~scim_ninjio.models.User` values with every attribute in play."""
    return model(models.User)


def members() -> st.SearchStrategy[models.Member]:
    """:class:`~scim_ninjio.models.Member` values."""
    return model(models.Member)


def groups() -> st.SearchStrategy[models.Group]:
    """:class:`~scim_ninjio.models.Group` values."""
    return model(models.Group)


def list_responses(
    resources: st.SearchStrategy[T] | None = None,
) -> st.SearchStrategy[models.ListResponse[T]]:
    """:class:`~scim_ninjio.models.ListResponse` pages of users (or ``resources``)."""
    items = users() if resources is None else resources
    return model(
        models.ListResponse,
        resources=st.lists(items, max_size=3).map(tuple),
    )


def patch_ops() -> st.SearchStrategy[models.PatchOp]:
    """:class:`~scim_ninjio.models.PatchOp` bodies."""
    return model(models.PatchOp)


def search_requests() -> st.SearchStrategy[models.SearchRequest]:
    """:class:`~scim_ninjio.models.SearchRequest` bodies."""
    return model(models.SearchRequest)


def errors() -> st.SearchStrategy[models.Error]:
    """:class:`~scim_ninjio.models.Error` bodies."""
    return model(models.Error, status=st.integers(min_value=100, max_value=599))


def service_provider_configs() -> st.SearchStrategy[models.ServiceProviderConfig]:
    """:class:`~scim_ninjio.models.ServiceProviderConfig` resources."""
    return model(models.ServiceProviderConfig)


def resource_types() -> st.SearchStrategy[models.ResourceType]:
    """:class:`~scim_ninjio.models.ResourceType` resources."""
    return model(models.ResourceType)


def schemas() -> st.SearchStrategy[models.Schema]:
    """:class:`~scim_ninjio.models.Schema` resources (attributes nest)."""
    leaf = model(models.SchemaAttribute, sub_attributes=st.just(()))
    attributes = st.recursive(
        leaf,
        lambda children: model(
            models.SchemaAttribute,
            sub_attributes=st.lists(children, max_size=2).map(tuple),
        ),
        max_leaves=4,
    )

    return model(models.Schema, attributes=st.lists(attributes, max_size=3).map(tuple))


# --- Real-world spellings -----------------------------------------------------


@st.composite
def with_quirks(
    draw: st.DrawFn, document: Mapping[str, Any], cls: Any
) -> dict[str, Any]:
    """
    Spell a SCIM JSON document of model ``cls`` as real identity providers do.

    The result means the same as ``document``: known attribute names change
    case, known booleans may become ``"True"``/``"False"`` strings, and an
    absent multi-valued attribute may appear as ``null``. Unknown attributes
    and extensions keep their spelling and values, since nobody knows their
    rules.
    """
    return _quirk_object(draw, document, cls)


def _field_types(cls: Any) -> dict[str, tuple[str, Any]]:
    import typing  # noqa: PLC0415 -- only needed while strategies run

    origin = typing.get_origin(cls) or cls
    hints = typing.get_type_hints(origin)
    args = dict(
        zip(getattr(origin, "__parameters__", ()), typing.get_args(cls), strict=False)
    )
    specs, _, _ = _compiled._fields(origin)
    return {
        s.wire.lower(): (s.wire, args.get(hints[s.name], hints[s.name])) for s in specs
    }


def _quirk_object(draw: st.DrawFn, obj: Mapping[str, Any], cls: Any) -> dict[str, Any]:
    import typing  # noqa: PLC0415 -- only needed while strategies run

    fields = _field_types(cls)
    out: dict[str, Any] = {}
    for key, value in obj.items():
        known = fields.get(key.lower())
        if known is None:
            out[key] = value
            continue
        new_key = key
        if key[:1].islower() and draw(st.booleans()):
            new_key = key[:1].upper() + key[1:]
        out[new_key] = _quirk_value(draw, value, known[1])
    present = {k.lower() for k in out}
    for folded, (wire, tp) in fields.items():
        multi_valued = typing.get_origin(_strip_none(tp)) is tuple
        if folded not in present and multi_valued and draw(st.booleans()):
            out[wire] = None

    return out


def _strip_none(tp: Any) -> Any:
    import types  # noqa: PLC0415 -- only needed while strategies run
    import typing  # noqa: PLC0415 -- idem

    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        return next(a for a in typing.get_args(tp) if a is not type(None))
    return tp


def _quirk_value(draw: st.DrawFn, value: Any, tp: Any) -> Any:
    import typing  # noqa: PLC0415 -- only needed while strategies run

    tp = _strip_none(tp)
    if tp is bool and isinstance(value, bool):
        return draw(st.sampled_from([value, str(value), str(value).lower()]))
    if isinstance(value, dict) and attrs.has(typing.get_origin(tp) or tp):
        return _quirk_object(draw, value, tp)
    if isinstance(value, list) and typing.get_origin(tp) is tuple:
        (item,) = typing.get_args(tp)[:1]
        return [_quirk_value(draw, v, item) for v in value]

    return value
