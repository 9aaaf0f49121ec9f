"""Decoders and encoders compiled once per attrs class, with case-insensitive keys."""

from __future__ import annotations

import datetime as dt
import types
import typing

from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs

from scim_ninjio._codec._values import (
    _dec_any,
    _dec_bool,
    _dec_datetime,
    _dec_int,
    _dec_str,
    _Decoder,
    _describe,
    _enc_datetime,
    _Encoder,
    _Entry,
    _InvalidError,
    _literal_decoder,
    _Segment,
    _tuple_decoder,
    _tuple_encoder,
)
from scim_ninjio.models._base import META_KEY


@attrs.frozen
class _FieldSpec:
    name: str
    wire: str
    decoder: _Decoder
    encoder: _Encoder | None
    read_only: bool
    required: bool
    multi_valued: bool


#: The ``schemas`` entry of a class's key table: no decoder, so the loop
#: keeps the value aside; its name cannot clash with a Python field name.
_SCHEMAS_NAME = " schemas"
_SCHEMAS_ENTRY: _Entry = (_SCHEMAS_NAME, None, None, False)


def _twice(data: Mapping[str, Any], key: str) -> str:
    first = next(k for k in data if k.lower() == key.lower())
    return f"given twice, as {first!r} and {key!r}"


def _strip_optional(tp: Any) -> Any:
    """Return X for ``X | None``: the class loop decides what null means."""
    if get_origin(tp) in (types.UnionType, typing.Union):
        (inner,) = (a for a in get_args(tp) if a is not type(None))
        return inner

    return tp


def _forward(compiled: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    def forward(value: Any) -> Any:
        return compiled[0](value)

    return forward


class _Codec:
    """Compiles and caches a decoder and encoders per model class."""

    def __init__(self) -> None:
        self._decoders: dict[Any, _Decoder] = {}
        #: The general decoder of each class, behind its compiled fast path.
        self.slow_decoders: dict[Any, _Decoder] = {}
        self._encoders: dict[tuple[Any, bool], _Encoder | None] = {}

    def decoder_for(self, tp: Any) -> _Decoder:
        found = self._decoders.get(tp)
        if found is not None:
            return found
        if isinstance(tp, TypeVar):
            return _dec_any
        if attrs.has(get_origin(tp) or tp):
            # Put a forwarder in the cache while the class compiles, so that a
            # model that contains itself (SchemaAttribute) compiles too.
            compiled: list[_Decoder] = []
            self._decoders[tp] = _forward(compiled)
            compiled.append(self._class_decoder(tp))
            found = compiled[0]
        else:
            found = self._leaf_decoder(tp)
        self._decoders[tp] = found

        return found

    def _leaf_decoder(self, tp: Any) -> _Decoder:
        origin = get_origin(tp)
        if origin is tuple:
            return _tuple_decoder(self.decoder_for(get_args(tp)[0]))
        if origin is Literal:
            return _literal_decoder(get_args(tp))
        simple = _SIMPLE_DECODERS.get(tp)
        if simple is None:  # pragma: no cover -- every leaf type models use is known
            raise TypeError(f"scim_ninjio cannot decode the type {tp!r}")

        return simple

    def encoder_for(self, tp: Any, *, request: bool = False) -> _Encoder | None:
        """Return the encoder for a type, or None where values are JSON as is."""
        key = (tp, request)
        if key in self._encoders:
            return self._encoders[key]
        if attrs.has(get_origin(tp) or tp):
            compiled: list[_Encoder] = []
            self._encoders[key] = _forward(compiled)
            compiled.append(self._class_encoder(tp, request=request))
            found: _Encoder | None = compiled[0]
        else:
            found = self._leaf_encoder(tp, request=request)
        self._encoders[key] = found

        return found

    def _leaf_encoder(self, tp: Any, *, request: bool) -> _Encoder | None:
        origin = get_origin(tp)
        if origin in (types.UnionType, typing.Union):
            args = [a for a in get_args(tp) if a is not type(None)]
            return self.encoder_for(args[0], request=request)
        if origin is tuple:
            return _tuple_encoder(self.encoder_for(get_args(tp)[0], request=request))
        if tp is dt.datetime:
            return _enc_datetime
        if isinstance(tp, TypeVar):
            # ListResponse.resources: the item type is known only at run time.
            return self._encode_dynamic if not request else self._encode_dynamic_req

        return None

    def _encode_dynamic(self, value: Any) -> Any:
        if attrs.has(type(value)):
            return self.class_encoder(type(value))(value)
        return value

    def _encode_dynamic_req(self, value: Any) -> Any:
        if attrs.has(type(value)):
            return self.class_encoder(type(value), request=True)(value)
        return value

    def class_encoder(self, tp: Any, *, request: bool = False) -> _Encoder:
        found = self.encoder_for(tp, request=request)
        if found is None:  # pragma: no cover -- only called with attrs classes
            raise TypeError(f"{tp!r} is not a model")

        return found

    def _fields(
        self, tp: Any, *, request: bool = False
    ) -> tuple[list[_FieldSpec], str | None, str | None]:
        origin = get_origin(tp) or tp
        hints = typing.get_type_hints(origin)
        if get_origin(tp) is not None:
            # A generic such as ListResponse[User]: substitute the arguments.
            params = getattr(origin, "__parameters__", ())
            mapping = dict(zip(params, get_args(tp), strict=True))
            hints = {
                f.name: _substitute(hints[f.name], mapping)
                for f in attrs.fields(origin)
            }
        specs: list[_FieldSpec] = []
        extra_name = extensions_name = None
        for field in attrs.fields(origin):
            meta = field.metadata.get(META_KEY, {})
            if meta.get("extra"):
                extra_name = field.name
                continue
            if meta.get("extensions"):
                extensions_name = field.name
                continue
            ftype = hints[field.name]
            if meta.get("as_string"):
                decoder: _Decoder = _dec_int
                encoder: _Encoder | None = str
            else:
                # The class loop handles null itself (absent, or "no values"
                # for a list), so the field decoder sees only non-null values.
                decoder = self.decoder_for(_strip_optional(ftype))
                encoder = self.encoder_for(ftype, request=request)
            specs.append(
                _FieldSpec(
                    name=field.name,
                    wire=meta.get("wire") or _camel(field.name),
                    decoder=decoder,
                    encoder=encoder,
                    read_only=bool(meta.get("read_only")),
                    required=field.default is attrs.NOTHING,
                    multi_valued=get_origin(ftype) is tuple,
                )
            )

        return specs, extra_name, extensions_name

    def _class_decoder(self, tp: Any) -> _Decoder:
        origin = get_origin(tp) or tp
        specs, extra_name, extensions_name = self._fields(tp)
        # name, decoder, what null means (None, or () for a list), required
        table: dict[str, _Entry] = {
            s.wire: (s.name, s.decoder, () if s.multi_valued else None, s.required)
            for s in specs
        }
        core = getattr(origin, "SCHEMA", "").lower()
        if core:
            # Only top-level resources and messages carry `schemas`; inside a
            # complex attribute the key is just an attribute nobody knows.
            table["schemas"] = _SCHEMAS_ENTRY
        by_key = dict(table)
        by_lower = {k.lower(): v for k, v in table.items()}
        required = [(s.name, s.wire) for s in specs if s.required]
        known_urns = {s.wire.lower(): s for s in specs if s.wire[:4].lower() == "urn:"}

        def decode(data: Any) -> Any:
            if type(data) is not dict:
                raise _InvalidError.here(f"expected an object, got {_describe(data)}")
            kwargs: dict[str, Any] = {}
            errors: list[tuple[tuple[_Segment, ...], str]] | None = None
            extra: dict[str, Any] | None = None
            extensions: dict[str, Any] | None = None
            schemas: Any = None
            for key, value in data.items():
                entry = by_key.get(key)
                if entry is None:
                    entry = by_lower.get(key.lower())
                    if entry is None:
                        if not extensions_name or key[:4].lower() != "urn:":
                            if extra is None:
                                extra = {}
                            extra[key] = value
                        elif type(value) is dict:
                            if extensions is None:
                                extensions = {}
                            extensions[key] = value
                        elif value is not None:
                            errors = errors or []
                            errors.append(
                                ((key,), f"expected an object, got {_describe(value)}")
                            )
                        continue
                name, decoder, null, is_required = entry
                if name in kwargs:
                    errors = errors or []
                    errors.append(((key,), _twice(data, key)))
                    continue
                if value is None:
                    kwargs[name] = null
                    if is_required:
                        errors = errors or []
                        errors.append(((key,), "is required but null"))
                    continue
                if decoder is None:
                    schemas = value
                    continue
                try:
                    kwargs[name] = decoder(value)
                except _InvalidError as e:
                    kwargs[name] = null
                    errors = errors or []
                    errors.extend(e.under(key))
            for name, wire in required:
                if name not in kwargs:
                    errors = errors or []
                    errors.append(((wire,), "is required but missing"))
            if schemas is not None:
                errors = errors or []
                extensions = extensions or {}
                _read_schemas(
                    schemas,
                    core=core,
                    known_urns=known_urns,
                    kwargs=kwargs,
                    extensions=extensions,
                    errors=errors,
                )
            if errors:
                raise _InvalidError(errors)
            kwargs.pop(_SCHEMAS_NAME, None)
            if extra and extra_name is not None:
                kwargs[extra_name] = extra
            if extensions and extensions_name is not None:
                kwargs[extensions_name] = extensions

            return origin(**kwargs)

        self.slow_decoders[tp] = decode

        return self._fast_decoder(origin, specs, core=core, slow=decode)

    def _fast_decoder(
        self, origin: Any, specs: list[_FieldSpec], *, core: str, slow: _Decoder
    ) -> _Decoder:
        """
        Compile straight-line code for the common case, with ``slow`` behind it.

        Most documents spell every key as the model does, send no null and no
        attribute the model does not know. For them, one ``dict.get`` per
        field and one type test per value replace the loop over the document's
        keys, and the instance is filled slot by slot rather than through the
        keyword arguments of ``__init__``, which costs a frozen class twice as
        much. Anything else (another spelling, a null, an unknown attribute, a
        string for a boolean, a bad value) makes the compiled code hand the
        whole document to ``slow``, the loop above, which reads every quirk and
        reports every error: the fast path only ever answers what the slow
        path would, and tests hold the two equal.
        """
        setters = _slot_setters(origin)
        if setters is None:
            return slow
        by_name = {spec.name: spec for spec in specs}
        namespace: dict[str, Any] = {
            "new": object.__new__,
            "cls": origin,
            "slow": slow,
            "MISSING": _MISSING,
            "InvalidError": _InvalidError,
            "CORE": getattr(origin, "SCHEMA", None),
            "URNS": frozenset(s.wire for s in specs if s.wire[:4].lower() == "urn:"),
        }
        body: list[str] = []
        build = ["    o = new(cls)"]
        for index, field in enumerate(attrs.fields(origin)):
            namespace[f"s{index}"] = setters[field.name]
            build.append(f"    s{index}(o, v{index})")
            spec = by_name.get(field.name)
            default = _default_code(field, index, namespace)
            if spec is None:  # The `extra` or `extensions` dictionary.
                body.append(f"        v{index} = {default}")
                continue
            v = f"v{index}"
            body += [
                f"        {v} = get({spec.wire!r}, MISSING)",
                f"        if {v} is MISSING:",
                f"            {v} = {default}"
                if default is not None
                else "            return slow(data)",
            ]
            test = _INLINE_TESTS.get(spec.decoder)
            if test is not None:
                body += [f"        elif {test.format(v=v)}:", "            n += 1"]
                body += ["        else:", "            return slow(data)"]
                continue
            # A null goes to the slow path: the field decoders see no null.
            body += [f"        elif {v} is None:", "            return slow(data)"]
            body.append("        else:")
            if spec.decoder is not _dec_any:
                namespace[f"d{index}"] = spec.decoder
                body.append(f"            {v} = d{index}({v})")
            body.append("            n += 1")
        if core:
            body += [
                "        v = get('schemas', MISSING)",
                "        if v is not MISSING:",
                "            if type(v) is not list:",
                "                return slow(data)",
                "            for urn in v:",
                "                if urn != CORE and (",
                "                    type(urn) is not str or urn not in URNS",
                "                    or urn not in data",
                "                ):",
                "                    return slow(data)",
                "            n += 1",
            ]
        lines = [
            "def decode(data):",
            "    if type(data) is not dict:",
            "        return slow(data)",
            "    get = data.get",
            "    n = 0",
            "    try:",
            *body,
            "    except InvalidError:",
            "        return slow(data)",
            "    if n != len(data):",
            "        return slow(data)",
            *build,
            "    return o",
        ]
        exec("\n".join(lines), namespace)  # noqa: S102 -- code built from field names

        return namespace["decode"]  # type: ignore[no-any-return]

    def _class_encoder(self, tp: Any, *, request: bool) -> _Encoder:
        # Encoding is on the hot path of every request and every emulator
        # answer, so each class gets straight-line code: one attribute read
        # and one test per field, no loop, no per-field tuple unpacking. This
        # halves the time of a generic loop over the fields.
        origin = get_origin(tp) or tp
        specs, extra_name, extensions_name = self._fields(tp, request=request)
        if request:
            specs = [s for s in specs if not s.read_only]
        namespace: dict[str, Any] = {"CORE": getattr(origin, "SCHEMA", None)}
        lines = ["def encode(obj):", "    out = {}"]
        if namespace["CORE"]:
            lines.append("    out['schemas'] = schemas = [CORE]")
        for index, spec in enumerate(specs):
            namespace[f"w{index}"] = spec.wire
            namespace[f"e{index}"] = spec.encoder
            value = f"e{index}(v)" if spec.encoder is not None else "v"
            test = "v" if spec.multi_valued else "v is not None"
            lines.append(f"    v = obj.{spec.name}")
            if spec.wire[:4].lower() == "urn:":
                lines += [
                    f"    if {test}:",
                    f"        schemas.append(w{index})",
                    f"        v = {value}",
                    # An empty extension is only listed in schemas.
                    f"        if v: out[w{index}] = v",
                ]
            else:
                lines.append(f"    if {test}: out[w{index}] = {value}")
        if extensions_name:
            lines += [
                f"    for urn, body in obj.{extensions_name}.items():",
                "        schemas.append(urn)",
                "        if body: out[urn] = body",
            ]
        if extra_name:
            lines.append(f"    if obj.{extra_name}: out.update(obj.{extra_name})")
        lines.append("    return out")
        exec("\n".join(lines), namespace)  # noqa: S102 -- code built from field names

        return namespace["encode"]  # type: ignore[no-any-return]


#: Stands for an absent key in the compiled decoders; JSON has no such value.
_MISSING = object()

#: The decoders whose check the compiled code writes inline, as a test of ``v``:
#: the values they accept unchanged. What fails the test goes to the slow path,
#: which converts it ("True" to True) or reports it.
_INLINE_TESTS: Mapping[_Decoder, str] = {
    _dec_str: "type({v}) is str",
    _dec_bool: "{v} is True or {v} is False",
    _dec_int: "type({v}) is int",
}


def _slot_setters(cls: type) -> dict[str, Callable[[Any, Any], None]] | None:
    """
    Return the slot setter of each field, or None where ``__init__`` must run.

    Filling the slots is what the ``__init__`` of a frozen attrs class does
    when its fields have no validator, no converter and no hooks around it;
    a class that has any of them is decoded through ``__init__`` only.
    """
    if any(
        hasattr(cls, hook) for hook in ("__attrs_pre_init__", "__attrs_post_init__")
    ):
        return None
    setters: dict[str, Callable[[Any, Any], None]] = {}
    for field in attrs.fields(cls):
        if field.validator is not None or field.converter is not None:
            return None
        if not field.init:
            return None
        slot = next(
            (k.__dict__[field.name] for k in cls.__mro__ if field.name in k.__dict__),
            None,
        )
        if not isinstance(slot, types.MemberDescriptorType):
            return None
        setters[field.name] = slot.__set__

    return setters


def _default_code(field: Any, index: int, namespace: dict[str, Any]) -> str | None:
    """Return the expression of a field's default, None for a required field."""
    default = field.default
    if default is attrs.NOTHING:
        return None
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        if default.takes_self:  # pragma: no cover -- no model has such a default
            raise TypeError(f"{field.name}: a factory taking self is not supported")
        if default.factory is dict:
            return "{}"
        namespace[f"f{index}"] = default.factory
        return f"f{index}()"
    namespace[f"c{index}"] = default

    return f"c{index}"


_SIMPLE_DECODERS: Mapping[Any, _Decoder] = {
    str: _dec_str,
    bool: _dec_bool,
    int: _dec_int,
    dt.datetime: _dec_datetime,
    Any: _dec_any,
}


def _read_schemas(
    schemas: Any,
    *,
    core: str,
    known_urns: Mapping[str, _FieldSpec],
    kwargs: dict[str, Any],
    extensions: dict[str, Any],
    errors: list[tuple[tuple[_Segment, ...], str]],
) -> None:
    """Keep schema URNs that are listed but carry no attributes."""
    if type(schemas) is not list or not all(type(s) is str for s in schemas):
        errors.append((("schemas",), "expected an array of schema URNs"))
        return
    present = {k.lower() for k in extensions}
    for urn in schemas:
        folded = urn.lower()
        if folded == core or folded in present:
            continue
        spec = known_urns.get(folded)
        if spec is not None:
            if kwargs.get(spec.name) is None:
                # Listed without a body: keep it as an empty extension object.
                kwargs[spec.name] = spec.decoder({})
            continue
        extensions[urn] = {}
        present.add(folded)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _substitute(tp: Any, mapping: Mapping[Any, Any]) -> Any:
    if isinstance(tp, TypeVar):
        return mapping.get(tp, tp)
    if get_origin(tp) is tuple:
        # ListResponse.resources is the one generic field: tuple[T, ...].
        return tuple[(*(_substitute(a, mapping) for a in get_args(tp)),)]  # type: ignore[misc]

    return tp


# --- The converter and the public functions -----------------------------------

_codec = _Codec()
