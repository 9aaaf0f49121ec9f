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

import json
import re

from collections.abc import Callable
from typing import Any, TypeVar, get_origin

import attrs
import cattrs

from scim_ninjio._codec._classes import (
    _codec,
)
from scim_ninjio._codec._values import (
    _InvalidError,
    render_path,
)
from scim_ninjio.exceptions import FieldError, ValidationError


__all__ = ["converter", "decode", "dumps", "encode", "loads"]

T = TypeVar("T")


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

#: A JSON escape of a UTF-16 surrogate (D800 to DFFF), paired or not, and one
#: written out: as raw bytes (which :func:`json.loads` lets through) or as text.
#: Each pattern starts with a literal, so that the regular expression engine
#: looks for that literal first: one pattern with an alternation steps through
#: every byte, and cost more than :func:`json.loads` on a page of 100 users.
_ESCAPE_IN_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")
_RAW_IN_BYTES = re.compile(rb"\xed[\xa0-\xbf]")
_ESCAPE_IN_TEXT = re.compile(r"\\u[dD][89a-fA-F]")
_RAW_IN_TEXT = re.compile(r"[\ud800-\udfff]")


def holds_lone_surrogate(body: bytes | str, document: Any) -> bool:
    r"""
    Whether a parsed JSON body holds a surrogate that no UTF-8 text can carry.

    :func:`json.loads` reads ``"\ud800"`` without complaint, into a string that
    fails later, when it is encoded to be sent or stored. The scan of the raw
    body is cheap and finds nothing in almost every body; only after a find is
    the document encoded, to tell a lone surrogate from a valid pair.
    """
    if isinstance(body, bytes):
        found = _ESCAPE_IN_BYTES.search(body) is not None or (
            b"\xed" in body and _RAW_IN_BYTES.search(body) is not None
        )
    else:
        found = _ESCAPE_IN_TEXT.search(body) is not None or (
            not body.isascii() and _RAW_IN_TEXT.search(body) is not None
        )
    if not found:
        return False
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True

    return False


def dumps(obj: Any, *, request: bool = False) -> bytes:
    """
    Encode a model as a compact UTF-8 JSON body.

    Raises:
        ValidationError: A text of the model holds a lone UTF-16 surrogate,
            which no UTF-8 body can carry; the error names where.
    """
    document = encode(obj, request=request)
    try:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        path = _surrogate_path(document) or ()
        raise ValidationError(
            errors=[FieldError(render_path(path), LONE_SURROGATE_IN_TEXT)],
            subject=type(obj).__name__,
        ) from None


#: Why a text with a lone surrogate cannot be sent.
LONE_SURROGATE_IN_TEXT = (
    "it holds a lone UTF-16 surrogate (such as '\\ud800'), which is not a "
    "character and cannot be sent as UTF-8; correct the value where it came from"
)


def has_lone_surrogate(text: str) -> bool:
    """Whether a text holds a lone surrogate, which no UTF-8 text can carry."""
    return not text.isascii() and _RAW_IN_TEXT.search(text) is not None


def _surrogate_path(value: Any, path: tuple[str | int, ...] = ()) -> Any:
    """The path of the first text (or key) with a lone surrogate, or None."""
    if isinstance(value, str):
        return path if has_lone_surrogate(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _surrogate_path(key, (*path, key)) or _surrogate_path(
                item, (*path, key)
            )
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _surrogate_path(item, (*path, index))
            if found is not None:
                return found

    return None
