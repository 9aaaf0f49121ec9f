"""The codec's scalar decoders and encoders, and how it reports a bad value."""

from __future__ import annotations

import datetime as dt
import json
import re

from collections.abc import Callable
from typing import Any


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
    if type(value) is str and _is_plain_utc(value):
        # The spelling nearly every server uses, told apart without the
        # regular expression, which costs twice what fromisoformat does.
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass  # Not digits, or digits out of range: the full check says.
    if type(value) is str and _TIMESTAMP.fullmatch(value):
        try:
            # fromisoformat reads neither a lowercase "t" nor a lowercase "z".
            found = dt.datetime.fromisoformat(value.upper())
        except ValueError:
            pass  # Digits out of range: month 13, hour 25.
        else:
            return found if found.tzinfo is not None else found.replace(tzinfo=dt.UTC)
    raise _InvalidError.here(f"expected an RFC 3339 timestamp, got {_describe(value)}")


_MINUTE = dt.timedelta(minutes=1)
_UTC = "%04d-%02d-%02dT%02d:%02d:%02dZ"
_UTC_FRACTION = "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ"


def _is_plain_utc(text: str) -> bool:
    """
    Whether a text has the shape ``2011-08-01T21:32:44Z``, maybe with a fraction.

    Only the separators and the fraction are checked here (at 4, 7, 10, 13 and
    16, every third character); fromisoformat then checks the digits and their
    ranges, so that what passes both is what ``_TIMESTAMP`` accepts.
    """
    if text[4:17:3] != "--T::" or text[-1:] != "Z":
        return False
    size = len(text)
    if size == 20:
        return True
    fraction = text[20:-1]

    return text[19:20] == "." and fraction.isdigit() and fraction.isascii()


def _enc_datetime(value: dt.datetime) -> str:
    if value.tzinfo is dt.UTC:
        # What nearly every decoded timestamp holds. Formatting the fields
        # takes two thirds of the time of isoformat() and its "+00:00" fix.
        # The two forms are written out: building one tuple of the fields and
        # extending it costs more than the repetition saves.
        fraction = value.microsecond
        if fraction:
            return _UTC_FRACTION % (
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                fraction,
            )
        return _UTC % (
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
        )
    offset = value.utcoffset()
    if offset is None:
        # A timestamp without a zone is taken as UTC, as on decode.
        return _enc_datetime(value.replace(tzinfo=dt.UTC))
    if offset % _MINUTE:
        # RFC 3339 offsets are whole minutes; the same instant in UTC is
        # what a zone with seconds in its offset (local mean time) can give.
        return _enc_datetime(value.astimezone(dt.UTC))
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
