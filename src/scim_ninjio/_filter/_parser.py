"""Parsing filters and PATCH paths, and building filters that escape their values."""

from __future__ import annotations

import json
import math
import re

from collections.abc import Mapping
from typing import Final, NoReturn, cast

from scim_ninjio import _constants
from scim_ninjio._filter._tree import (
    MAX_DIGITS,
    NAME,
    PATH,
    And,
    AttrPath,
    Compare,
    CompareOp,
    Filter,
    Not,
    Or,
    PatchPath,
    Present,
    Value,
    ValuePath,
    render_value,
    shorten,
)
from scim_ninjio.exceptions import FilterSyntaxError, LocalProtocolError


__all__ = [
    "MAX_DEPTH",
    "and_",
    "co",
    "eq",
    "ew",
    "ge",
    "gt",
    "indexable_eq",
    "le",
    "lt",
    "ne",
    "not_",
    "or_",
    "parse",
    "parse_path",
    "present",
    "sw",
    "value_path",
]

#: How many groups (``(...)``, ``not (...)``, ``[...]``) may nest in parsed text.
#: Real filters nest two or three deep; the bound keeps a hostile filter from
#: exhausting the stack.
MAX_DEPTH: Final = 50


_TOKEN = re.compile(r'[^ \t\r\n\[\]()"]+')
_SUB = re.compile(rf"\.({NAME})")
_END = r"(?![A-Za-z0-9_$.:-])"
_OP = re.compile(rf"[ \t\r\n]+(eq|ne|co|sw|ew|gt|ge|lt|le|pr){_END}", re.IGNORECASE)
_NOT = re.compile(r"not[ \t\r\n]*\(", re.IGNORECASE)
_AND = re.compile(r"[ \t\r\n]*and(?=[ \t\r\n(]|$)", re.IGNORECASE)
_OR = re.compile(r"[ \t\r\n]*or(?=[ \t\r\n(]|$)", re.IGNORECASE)
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_NUMBER = re.compile(rf"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?{_END}")
_LITERAL = re.compile(rf"(true|false|null){_END}", re.IGNORECASE)
_LITERALS: Mapping[str, Value] = {"true": True, "false": False, "null": None}
_VALUE_HINT = 'a value (a JSON string such as "x", a number, true, false or null)'


class _Parser:
    """A recursive-descent parser over the text, with a bound on nesting."""

    __slots__ = ("depth", "in_brackets", "pos", "text", "what")

    def __init__(self, text: str, what: str) -> None:
        self.text = text
        self.what = what
        self.pos = 0
        self.depth = 0
        self.in_brackets = False

    def fail(self, expected: str, at: int | None = None) -> NoReturn:
        pos = self.pos if at is None else at
        rest = self.text[pos:]
        found = repr(shorten(rest, 20)) if rest else "the end of the text"
        raise FilterSyntaxError(
            f"{shorten(self.text)!r} is not a valid SCIM {self.what}: "
            f"expected {expected} at position {pos}, found {found}",
            text=self.text,
            position=pos,
        )

    def skip_ws(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        self.pos = pos

    def open_group(self, width: int) -> None:
        if self.depth >= MAX_DEPTH:
            self.fail(f"at most {MAX_DEPTH} nested groups")
        self.depth += 1
        self.pos += width

    def close_group(self, char: str) -> None:
        self.skip_ws()
        if not self.text.startswith(char, self.pos):
            self.fail(f"'and', 'or' or {char!r}")
        self.pos += 1
        self.depth -= 1

    def filter(self) -> Filter:
        left = self.conjunction()
        while match := _OR.match(self.text, self.pos):
            self.pos = match.end()
            left = Or(left, self.conjunction())

        return left

    def conjunction(self) -> Filter:
        left = self.unary()
        while match := _AND.match(self.text, self.pos):
            self.pos = match.end()
            left = And(left, self.unary())

        return left

    def unary(self) -> Filter:
        self.skip_ws()
        text = self.text
        if match := _NOT.match(text, self.pos):
            self.open_group(match.end() - self.pos)
            inner = self.filter()
            self.close_group(")")
            return Not(inner)
        if text.startswith("(", self.pos):
            self.open_group(1)
            inner = self.filter()
            self.close_group(")")
            return inner
        path = self.attr_path()
        if text.startswith("[", self.pos):
            return ValuePath(path, self.brackets())
        match = _OP.match(text, self.pos)
        if match is None:
            self.fail(
                "an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) "
                f"after {shorten(str(path))!r}"
            )
        self.pos = match.end()
        op = match.group(1).lower()
        if op == "pr":
            return Present(path)
        self.skip_ws()

        return Compare(path, cast("CompareOp", op), self.value())

    def brackets(self) -> Filter:
        if self.in_brackets:
            self.fail("a comparison: value filters cannot be nested")
        self.open_group(1)
        self.in_brackets = True
        inner = self.filter()
        self.close_group("]")
        self.in_brackets = False

        return inner

    def attr_path(self) -> AttrPath:
        token = _TOKEN.match(self.text, self.pos)
        if token is None:
            self.fail("an attribute path, '(' or 'not ('")
        parts = PATH.fullmatch(token.group())
        if parts is None:
            self.fail(
                "an attribute path such as 'userName', 'name.givenName' or "
                "'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'"
            )
        self.pos = token.end()

        return AttrPath(parts["uri"], parts["attr"], parts["sub"])

    def value(self) -> Value:
        text, pos = self.text, self.pos
        if text.startswith('"', pos):
            match = _STRING.match(text, pos)
            if match is None:
                self.bad_string(pos)
            self.pos = match.end()
            decoded: str = json.loads(match.group())
            return decoded
        if match := _NUMBER.match(text, pos):
            self.pos = match.end()
            return self.number(match, pos)
        match = _LITERAL.match(text, pos)
        if match is None:
            self.fail(_VALUE_HINT)
        self.pos = match.end()

        return _LITERALS[match.group(1).lower()]

    def number(self, match: re.Match[str], pos: int) -> int | float:
        digits = match.group()
        if match.group(1) is None and match.group(2) is None:
            if len(digits) > MAX_DIGITS:
                self.fail(f"an integer of at most {MAX_DIGITS} digits", at=pos)
            return int(digits)
        number = float(digits)
        if not math.isfinite(number):
            self.fail("a number within the range of a double", at=pos)

        return number

    def bad_string(self, start: int) -> NoReturn:
        """Say what is wrong with the string that starts at ``start``."""
        text = self.text
        pos = start + 1
        while pos < len(text):
            char = text[pos]
            if char == "\\":
                escape = text[pos + 1 : pos + 2]
                if escape and escape in '"\\/bfnrt':
                    pos += 2
                    continue
                if escape == "u" and re.fullmatch(
                    r"[0-9a-fA-F]{4}", text[pos + 2 : pos + 6]
                ):
                    pos += 6
                    continue
                self.fail(r"an escape (\" \\ \/ \b \f \n \r \t or \uXXXX)", at=pos)
            if char < " ":
                self.fail(
                    r"no control character in a string (escape it as \uXXXX)", at=pos
                )
            pos += 1

        self.fail(f"the '\"' that ends the string opened at position {start}", at=pos)

    def end(self, expected: str) -> None:
        self.skip_ws()
        if self.pos != len(self.text):
            self.fail(expected)


def parse(text: str) -> Filter:
    """
    Parse a SCIM filter (:rfc:`7644#section-3.4.2.2`).

    Operators, ``and``, ``or``, ``not`` and attribute names are read in any
    case; ``and`` binds tighter than ``or``; values are JSON strings (with
    escapes), numbers, ``true``, ``false`` or ``null``.

    Raises:
        FilterSyntaxError: The text is not a filter; the message says at which
            position and what was expected there.

    >>> parse('Username Eq "bjensen"') == eq("Username", "bjensen")
    True
    """
    parser = _Parser(text, "filter")
    found = parser.filter()
    parser.end("'and', 'or' or the end of the filter")

    return found


def parse_path(text: str) -> PatchPath:
    """
    Parse the ``path`` of a PATCH operation (:rfc:`7644#section-3.5.2`).

    >>> from scim_ninjio._filter import render_path
    >>> render_path(parse_path('emails[type eq "work"].value'))
    'emails[type eq "work"].value'

    Raises:
        FilterSyntaxError: The text is not a PATCH path.
    """
    parser = _Parser(text, "PATCH path")
    parser.skip_ws()
    attr = parser.attr_path()
    if not text.startswith("[", parser.pos):
        parser.end("'[' or the end of the path")
        return PatchPath(attr)
    if attr.sub_attr is not None:
        parser.fail(
            "the end of the path: a value filter follows the attribute, "
            "not a sub-attribute"
        )
    found = parser.brackets()
    sub = _SUB.match(text, parser.pos)
    if sub is not None:
        parser.pos = sub.end()
    parser.end("'.subAttribute' or the end of the path")

    return PatchPath(attr, found, sub.group(1) if sub else None)


def _path(attr: str) -> AttrPath:
    parser = _Parser(attr, "attribute path")
    found = parser.attr_path()
    parser.end("the end of the attribute path")

    return found


def _compare(op: CompareOp, attr: str, value: Value) -> Compare:
    render_value(value)  # Refuse what cannot be written, here rather than later.

    return Compare(_path(attr), op, value)


def eq(attr: str, value: Value) -> Compare:
    r"""
    ``attr eq value``: equal (per the attribute's ``caseExact``).

    Args:
        attr: An attribute path (``"userName"``, ``"name.givenName"``,
            ``"urn:...:enterprise:2.0:User:department"``).
        value: The value; strings are escaped when rendered.

    Raises:
        FilterSyntaxError: ``attr`` is not an attribute path.
        LocalProtocolError: ``value`` cannot appear in a filter.

    >>> from scim_ninjio._filter import render
    >>> render(eq("userName", 'a"b'))
    'userName eq "a\\"b"'
    """
    return _compare("eq", attr, value)


def ne(attr: str, value: Value) -> Compare:
    """``attr ne value``: not equal. Arguments as for :func:`eq`."""
    return _compare("ne", attr, value)


def co(attr: str, value: Value) -> Compare:
    """``attr co value``: contains the value. Arguments as for :func:`eq`."""
    return _compare("co", attr, value)


def sw(attr: str, value: Value) -> Compare:
    """``attr sw value``: starts with the value. Arguments as for :func:`eq`."""
    return _compare("sw", attr, value)


def ew(attr: str, value: Value) -> Compare:
    """``attr ew value``: ends with the value. Arguments as for :func:`eq`."""
    return _compare("ew", attr, value)


def gt(attr: str, value: Value) -> Compare:
    """``attr gt value``: greater than. Arguments as for :func:`eq`."""
    return _compare("gt", attr, value)


def ge(attr: str, value: Value) -> Compare:
    """``attr ge value``: greater than or equal. Arguments as for :func:`eq`."""
    return _compare("ge", attr, value)


def lt(attr: str, value: Value) -> Compare:
    """``attr lt value``: less than. Arguments as for :func:`eq`."""
    return _compare("lt", attr, value)


def le(attr: str, value: Value) -> Compare:
    """``attr le value``: less than or equal. Arguments as for :func:`eq`."""
    return _compare("le", attr, value)


def present(attr: str) -> Present:
    """``attr pr``: the attribute has a value. ``attr`` as for :func:`eq`."""
    return Present(_path(attr))


def value_path(attr: str, f: Filter) -> ValuePath:
    """``attr[f]``: some value of the complex attribute ``attr`` matches ``f``."""
    return ValuePath(_path(attr), f)


def _chain(kind: type[And | Or], name: str, fs: tuple[Filter, ...]) -> Filter:
    if not fs:
        raise LocalProtocolError(f"{name}() needs at least one filter")
    found = fs[0]
    for f in fs[1:]:
        found = kind(found, f)

    return found


def and_(*fs: Filter) -> Filter:
    """Join filters with ``and``; one filter is returned as it is."""
    return _chain(And, "and_", fs)


def or_(*fs: Filter) -> Filter:
    """Join filters with ``or``; one filter is returned as it is."""
    return _chain(Or, "or_", fs)


def not_(f: Filter) -> Not:
    """``not (f)``."""
    return Not(f)


_INDEXABLE: Mapping[str, str] = {"username": "userName", "externalid": "externalId"}
_CORE_URNS: Final = frozenset((_constants.USER.lower(), _constants.GROUP.lower()))


def indexable_eq(f: Filter) -> tuple[str, str] | None:
    """
    Recognise ``userName eq "x"`` and ``externalId eq "x"``, which an index answers.

    Returns:
        The attribute's canonical name and the value, or None for any other
        filter.

    >>> indexable_eq(parse('USERNAME eq "bjensen"'))
    ('userName', 'bjensen')
    """
    if type(f) is not Compare or f.op != "eq" or type(f.value) is not str:
        return None
    path = f.path
    if path.sub_attr is not None or (
        path.uri is not None and path.uri.lower() not in _CORE_URNS
    ):
        return None
    name = _INDEXABLE.get(path.attr.lower())

    return (name, f.value) if name else None
