"""
The one cattrs converter: SCIM JSON to models and back.

How it works, and why it is not cattrs' generated code:

SCIM attribute names are case-insensitive (:rfc:`7643#section-2.1`), servers
send attributes and extensions that no model knows, and real identity
providers send booleans as strings or ``null`` for lists. cattrs' generated
functions expect exact keys, so each attrs class gets a decoder compiled once
from its fields: a dictionary from wire name (exact, then lower-cased) to the
field's own decoder. Unknown keys go to ``extra``, unknown ``urn:`` keys to
``extensions``. Both are registered on one :class:`cattrs.Converter` as hook
factories, so ``converter.structure(data, User)`` works too.

Errors do not stop the walk: every bad value of a document is collected with
its path (``$.emails[0].value``) and reported in one
:class:`~scim_ninjio.exceptions.ValidationError`. Paths are built only on the
error path, by prefixing segments while the error travels up; the happy path
never formats a string.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types
import typing

from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs

from scim_ninjio.exceptions import FieldError, ValidationError
from scim_ninjio.models._base import META_KEY


__all__ = ["converter", "decode", "dumps", "encode", "loads"]

T = TypeVar("T")

_Segment = str | int
_Decoder = Callable[[Any], Any]
_Encoder = Callable[[Any], Any]
#: A class's key table entry: field name, decoder (None for `schemas`), what
#: null means for the field, whether it is required.
_Entry = tuple[str, _Decoder | None, tuple[()] | None, bool]


class _InvalidError(Exception):
    """Internal: bad values found below some point, with relative paths."""

    __slots__ = ("errors",)

    def __init__(self, errors: list[tuple[tuple[_Segment, ...], str]]) -> None:
        self.errors = errors

    @classmethod
    def here(cls, reason: str) -> _InvalidError:
        return cls([((), reason)])

    def under(self, segment: _Segment) -> list[tuple[tuple[_Segment, ...], str]]:
        return [((segment, *path), reason) for path, reason in self.errors]


_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


def render_path(segments: tuple[_Segment, ...]) -> str:
    """Render path segments as ``$.emails[0].value`` (URN keys in brackets)."""
    out = ["$"]
    for segment in segments:
        if isinstance(segment, int):
            out.append(f"[{segment}]")
        elif _IDENTIFIER.match(segment):
            out.append(f".{segment}")
        else:
            out.append(f"[{json.dumps(segment)}]")

    return "".join(out)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    text = json.dumps(value) if isinstance(value, str) else repr(value)
    if len(text) > 40:
        text = text[:37] + "..."

    return f"{text} ({_json_type(value)})"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


# --- Leaf decoders and encoders ----------------------------------------------


def _dec_str(value: Any) -> str:
    if type(value) is str:
        return value
    raise _InvalidError.here(f"expected a string, got {_describe(value)}")


_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def _dec_bool(value: Any) -> bool:
    if value is True or value is False:
        return value
    # Entra sends "True" and "False" as strings.
    if type(value) is str:
        folded = value.strip().lower()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
    raise _InvalidError.here(f"expected a boolean, got {_describe(value)}")


#: An integer written as text: ASCII digits only (``str.isdigit`` also takes
#: "²"), and few enough of them that ``int`` never refuses the length.
_INTEGER_TEXT = re.compile(r"\s*-?[0-9]{1,50}\s*")

#: The date-time of RFC 3339 section 5.6, with the offset optional: a server
#: that leaves it out means UTC, which is how such a value is read.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?"
)


def _dec_int(value: Any) -> int:
    if type(value) is int:
        return value
    # An Error's status is a string by the RFC; some servers send counts as
    # strings too. Integral floats (2.0) are numbers JSON cannot tell apart.
    if type(value) is str and _INTEGER_TEXT.fullmatch(value):
        return int(value)
    if type(value) is float and value.is_integer():
        return int(value)
    raise _InvalidError.here(f"expected an integer, got {_describe(value)}")


def _dec_datetime(value: Any) -> dt.datetime:
    if type(value) is str and _TIMESTAMP.fullmatch(value):
        try:
            # fromisoformat reads neither a lowercase "t" nor a lowercase "z".
            found = dt.datetime.fromisoformat(value.upper())
        except ValueError:
            pass  # Digits out of range: month 13, hour 25.
        else:
            return found if found.tzinfo is not None else found.replace(tzinfo=dt.UTC)
    raise _InvalidError.here(f"expected an RFC 3339 timestamp, got {_describe(value)}")


def _enc_datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        # A timestamp without a zone is taken as UTC, as on decode.
        value = value.replace(tzinfo=dt.UTC)
    text = value.isoformat()

    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _dec_any(value: Any) -> Any:
    return value


def _literal_decoder(choices: tuple[str, ...]) -> _Decoder:
    folded = {choice.lower(): choice for choice in choices}
    shown = ", ".join(json.dumps(c) for c in choices)

    def decode(value: Any) -> str:
        if type(value) is str:
            found = folded.get(value.lower())
            if found is not None:
                return found
        raise _InvalidError.here(f"expected one of {shown}, got {_describe(value)}")

    return decode


def _tuple_decoder(item: _Decoder) -> _Decoder:
    def decode(value: Any) -> tuple[Any, ...]:
        if type(value) is list:
            try:
                return tuple([item(v) for v in value])
            except _InvalidError:
                pass  # Walk again, slowly, to collect every bad item's index.
            errors: list[tuple[tuple[_Segment, ...], str]] = []
            for index, v in enumerate(value):
                try:
                    item(v)
                except _InvalidError as e:
                    errors.extend(e.under(index))
            raise _InvalidError(errors)
        raise _InvalidError.here(f"expected an array, got {_describe(value)}")

    return decode


def _tuple_encoder(item: _Encoder | None) -> _Encoder:
    if item is None:
        return list

    def encode(value: tuple[Any, ...]) -> list[Any]:
        return [item(v) for v in value]

    return encode


# --- Compiled class codecs -----------------------------------------------------


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

        return decode

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

#: The cattrs converter that knows every SCIM model.
#:
#: ``converter.structure(data, User)`` and ``converter.unstructure(user)`` work,
#: but :func:`decode` and :func:`encode` are the functions to call: they raise
#: :class:`~scim_ninjio.exceptions.ValidationError` with every bad path.
converter = cattrs.Converter()


def _is_model(tp: Any) -> bool:
    return attrs.has(get_origin(tp) or tp)


def _structure_factory(tp: Any) -> Callable[[Any, Any], Any]:
    def structure(value: Any, _: Any) -> Any:
        return decode(value, tp)

    return structure


def _unstructure_factory(tp: Any) -> Callable[[Any], Any]:
    return _codec.class_encoder(tp)


converter.register_structure_hook_factory(_is_model, _structure_factory)
converter.register_unstructure_hook_factory(_is_model, _unstructure_factory)


def decode(data: Any, cls: type[T]) -> T:
    """
    Decode SCIM JSON (as :func:`json.loads` returns it) into a model.

    Attribute names are matched without regard to case; unknown attributes
    and extensions are kept in the model's ``extra`` and ``extensions``.

    Args:
        data: The parsed JSON document.
        cls: The model to decode into, for example ``User`` or
            ``ListResponse[User]``.

    Raises:
        ValidationError: The document does not fit the model; ``errors`` lists
            every bad value with its path.

    >>> from scim_ninjio.models import User
    >>> decode({"UserName": "bjensen", "active": "True"}, User).active
    True
    """
    try:
        return _codec.decoder_for(cls)(data)  # type: ignore[no-any-return]
    except _InvalidError as e:
        errors = [FieldError(render_path(path), reason) for path, reason in e.errors]
        raise ValidationError(
            errors=errors, subject=getattr(cls, "__name__", str(cls))
        ) from None


def encode(obj: Any, *, request: bool = False) -> dict[str, Any]:
    """
    Encode a model as SCIM JSON (ready for :func:`json.dumps`).

    ``schemas`` is filled in from the model and its extensions; absent values
    are left out; attributes kept in ``extra`` are written back.

    Args:
        obj: The model to encode.
        request: Leave out read-only attributes (``meta``, a user's ``groups``),
            as a request body should (:rfc:`7643#section-2.2`).

    >>> from scim_ninjio.models import Name, User
    >>> encode(User(user_name="bjensen", name=Name(given_name="Barbara")))
    {'schemas': ['urn:ietf:params:scim:schemas:core:2.0:User'], 'userName': 'bjensen', 'name': {'givenName': 'Barbara'}}
    """  # noqa: E501 -- a doctest's output is one line
    return _codec.class_encoder(type(obj), request=request)(obj)  # type: ignore[no-any-return]


def loads(body: bytes | str, cls: type[T]) -> T:
    """
    Parse a JSON body and decode it into a model.

    Raises:
        ValidationError: The body is not JSON, holds a lone UTF-16 surrogate
            escape, or does not fit the model.
    """
    subject = getattr(cls, "__name__", str(cls))
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as e:
        raise ValidationError(
            errors=[FieldError("$", f"not valid JSON: {e}")], subject=subject
        ) from None
    if holds_lone_surrogate(body, data):
        raise ValidationError(errors=[FieldError("$", LONE_SURROGATE)], subject=subject)

    return decode(data, cls)


#: Why a body with a lone surrogate escape is refused.
LONE_SURROGATE = (
    "it holds a lone UTF-16 surrogate escape (such as \\ud800), which is not a "
    "character (RFC 8259, section 8.2) and cannot be sent on as UTF-8"
)

#: A JSON escape of a UTF-16 surrogate (D800 to DFFF), paired or not, or one
#: written out: as raw bytes (which :func:`json.loads` lets through) or as text.
_SURROGATE_IN_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_SURROGATE_IN_TEXT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")


def holds_lone_surrogate(body: bytes | str, document: Any) -> bool:
    r"""
    Whether a parsed JSON body holds a surrogate that no UTF-8 text can carry.

    :func:`json.loads` reads ``"\ud800"`` without complaint, into a string that
    fails later, when it is encoded to be sent or stored. The scan of the raw
    body is cheap and finds nothing in almost every body; only after a find is
    the document encoded, to tell a lone surrogate from a valid pair.
    """
    if isinstance(body, bytes):
        found = _SURROGATE_IN_BYTES.search(body) is not None
    else:
        found = _SURROGATE_IN_TEXT.search(body) is not None
    if not found:
        return False
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True

    return False


def dumps(obj: Any, *, request: bool = False) -> bytes:
    """Encode a model as a compact UTF-8 JSON body."""
    return json.dumps(
        encode(obj, request=request), ensure_ascii=False, separators=(",", ":")
    ).encode()
