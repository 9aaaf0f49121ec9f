"""Tests for SCIM filters and PATCH paths: parse, render, build, evaluate."""

from __future__ import annotations

import pickle
import types

from typing import Any

import pytest

from hypothesis import example, given
from hypothesis import strategies as st

from filter_strategies import filters, patch_paths
from samples import load_sample
from scim_ninjio import _constants
from scim_ninjio._filter import (
    MAX_DEPTH,
    And,
    AttrPath,
    Compare,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
    and_,
    co,
    compile_filter,
    compile_value_filter,
    eq,
    ew,
    ge,
    gt,
    indexable_eq,
    le,
    lt,
    matches,
    ne,
    not_,
    or_,
    parse,
    parse_path,
    present,
    render,
    render_path,
    sw,
    value_path,
)
from scim_ninjio._schema import AttributeInfo, resource_schema
from scim_ninjio.exceptions import (
    FilterSyntaxError,
    InvalidFilterError,
    LocalProtocolError,
)


USER = resource_schema("User")
GROUP = resource_schema("Group")
ENTERPRISE = _constants.ENTERPRISE_USER

#: Every example filter of RFC 7644 section 3.4.2.2, with whether it matches
#: the enterprise User of RFC 7643 section 8.3.
RFC_FILTERS = [
    ('userName eq "bjensen"', False),
    ('name.familyName co "O\'Malley"', False),
    ('userName sw "J"', False),
    ('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', False),
    ("title pr", True),
    ('meta.lastModified gt "2011-05-13T04:42:34Z"', False),
    ('meta.lastModified ge "2011-05-13T04:42:34Z"', True),
    ('meta.lastModified lt "2011-05-13T04:42:34Z"', False),
    ('meta.lastModified le "2011-05-13T04:42:34Z"', True),
    ('title pr and userType eq "Employee"', True),
    ('title pr or userType eq "Intern"', True),
    ('schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', True),
    (
        (
            'userType eq "Employee" and (emails co "example.com" or '
            'emails.value co "example.org")'
        ),
        True,
    ),
    (
        (
            'userType ne "Employee" and not (emails co "example.com" or '
            'emails.value co "example.org")'
        ),
        False,
    ),
    ('userType eq "Employee" and (emails.type eq "work")', True),
    (
        'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
        True,
    ),
    (
        (
            'emails[type eq "work" and value co "@example.com"] or '
            'ims[type eq "xmpp" and value co "@foo.com"]'
        ),
        True,
    ),
    ('userName Eq "john"', False),
    ('Username eq "john"', False),
]


def p(text: str) -> AttrPath:
    """Return the attribute path of a one-comparison filter's text."""
    found = parse(f"{text} pr")
    assert isinstance(found, Present)
    return found.path


@pytest.fixture
def bjensen() -> dict[str, Any]:
    """The enterprise User of RFC 7643 section 8.3."""
    return load_sample("rfc7643-8.3-enterprise_user")  # type: ignore[no-any-return] # JSON


class TestRfcExamples:
    """Every example filter of RFC 7644 section 3.4.2.2."""

    @pytest.mark.parametrize(("text", "expected"), RFC_FILTERS)
    def test_parses_and_round_trips(self, text, expected):
        """The example parses, and its canonical text parses to the same tree."""
        found = parse(text)

        assert parse(render(found)) == found

    @pytest.mark.parametrize(("text", "expected"), RFC_FILTERS)
    def test_evaluates(self, text, expected, bjensen):
        """The example matches the RFC 7643 enterprise User as the RFC says."""
        assert matches(parse(text), bjensen, USER) is expected

    def test_case_insensitive_names_and_operators(self):
        """Operators, keywords and literals are read in any case."""
        found = parse('userName EQ "john" AND NOT (active Eq TRUE) OR title PR')

        assert (
            render(found) == 'userName eq "john" and not (active eq true) or title pr'
        )

    def test_and_binds_tighter_than_or(self):
        """a or b and c parses as a or (b and c)."""
        a, b, c = present("a"), present("b"), present("c")

        assert parse("a pr or b pr and c pr") == Or(a, And(b, c))
        assert parse("(a pr or b pr) and c pr") == And(Or(a, b), c)

    def test_left_associative(self):
        """Chains group to the left, as and_ and or_ build them."""
        a, b, c = present("a"), present("b"), present("c")

        assert parse("a pr and b pr and c pr") == and_(a, b, c) == And(And(a, b), c)
        assert parse("a pr or b pr or c pr") == or_(a, b, c)

    def test_urn_path(self):
        """A URN-qualified path keeps the URN and splits at its last colon."""
        found = parse(f'{ENTERPRISE}:manager.value eq "x"')

        assert found == Compare(AttrPath(ENTERPRISE, "manager", "value"), "eq", "x")

    def test_value_filter_with_group(self):
        """A grouped logical expression may stand inside brackets (erratum 7322)."""
        found = parse('emails[type eq "work" or (type eq "home" and value ew "x")]')

        assert isinstance(found, ValuePath)
        assert isinstance(found.filter, Or)

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ('a eq "\\u00e9\\"\\\\\\/\\b\\f\\n\\r\\t"', 'é"\\/\b\f\n\r\t'),
            ('a eq "😀 ü"', "😀 ü"),
            ('a eq "\\ud83d\\ude00"', "😀"),
            ("a eq 0", 0),
            ("a eq -12", -12),
            ("a eq 2.5", 2.5),
            ("a eq 1E3", 1000.0),
            ("a eq -1.5e-3", -0.0015),
            ("a eq true", True),
            ("a eq False", False),
            ("a eq null", None),
        ],
    )
    def test_values(self, text, value):
        """Values are JSON strings (with escapes), numbers, booleans and null."""
        found = parse(text)

        assert isinstance(found, Compare)
        assert found.value == value
        assert type(found.value) is type(value)

    def test_tolerated_spacing(self):
        """Extra spaces, tabs and a missing space before a string are tolerated."""
        found = parse(' \tmembers[value eq"x"]  and\n( not(a pr) ) ')

        assert render(found) == 'members[value eq "x"] and not (a pr)'


class TestSyntaxErrors:
    """Bad filters raise FilterSyntaxError that says where and what."""

    @pytest.mark.parametrize(
        ("text", "position", "expected"),
        [
            ("", 0, "an attribute path"),
            ("userName", 8, "an operator"),
            ("userName eq", 11, "a value"),
            ("userName eq bjensen", 12, "a value"),
            (
                'userName eq "abc',
                16,
                "the '\"' that ends the string opened at position 12",
            ),
            ('userName eq "a\\qb"', 14, "an escape"),
            ('userName eq "a\\u12"', 14, "an escape"),
            ('a eq "\\n\\u00e9x', 15, "the '\"' that ends the string"),
            ('a eq "x\ny"', 7, "no control character"),
            ('a eq "x" )', 9, "'and', 'or' or the end of the filter"),
            ("(a pr", 5, "'and', 'or' or ')'"),
            ("a[b pr", 6, "'and', 'or' or ']'"),
            ("a[b[c pr]]", 3, "a comparison: value filters cannot be nested"),
            ("a eq 1x", 5, "a value"),
            ("a eq 01", 5, "a value"),
            ("a eq 1e999", 5, "a number within the range of a double"),
            ("a eq " + "9" * 4001, 5, "an integer of at most 4000 digits"),
            ('emails[type eq "x"].value eq "y"', 19, "'and', 'or' or the end"),
            ("a pr and", 8, "an attribute path"),
            ("a.b.c pr", 0, "an attribute path such as"),
            ("1abc pr", 0, "an attribute path such as"),
            ("urn:x: pr", 0, "an attribute path such as"),
        ],
    )
    def test_error(self, text, position, expected):
        """The error names the position and what was expected there."""
        with pytest.raises(FilterSyntaxError) as caught:
            parse(text)

        assert caught.value.position == position
        assert caught.value.text == text
        assert f"expected {expected}" in str(caught.value)
        assert f"at position {position}" in str(caught.value)

    def test_message_shows_what_was_found(self):
        """The message quotes the filter and what stands at the position."""
        with pytest.raises(FilterSyntaxError) as caught:
            parse("userName eqq 1")

        assert str(caught.value) == (
            "'userName eqq 1' is not a valid SCIM filter: expected an operator "
            "(eq, ne, co, sw, ew, gt, ge, lt, le or pr) after 'userName' at "
            "position 8, found ' eqq 1'"
        )

    @pytest.mark.parametrize(
        "text", ["(" * 10_000, "not (" * 10_000, "a[" + "(" * 10_000]
    )
    def test_deep_nesting_is_refused(self, text):
        """10,000 nested groups raise FilterSyntaxError, not RecursionError."""
        with pytest.raises(FilterSyntaxError, match="at most 50 nested groups"):
            parse(text)

    def test_nesting_up_to_the_bound(self):
        """MAX_DEPTH nested groups parse; one more does not."""
        inner = "(" * MAX_DEPTH + "a pr" + ")" * MAX_DEPTH

        assert parse(inner) == present("a")
        with pytest.raises(FilterSyntaxError) as caught:
            parse("(" + inner + ")")
        assert caught.value.position == MAX_DEPTH

    def test_long_text_is_shortened(self):
        """The message quotes at most the start of a long filter."""
        with pytest.raises(FilterSyntaxError) as caught:
            parse("a pr and " * 1000 + "(")

        assert len(str(caught.value)) < 300

    def test_is_a_local_protocol_error(self):
        """FilterSyntaxError is a LocalProtocolError and a ValueError."""
        with pytest.raises(FilterSyntaxError) as caught:
            parse("(")

        assert isinstance(caught.value, LocalProtocolError)
        assert isinstance(caught.value, ValueError)

    def test_pickles(self):
        """The error keeps its text and position through pickle."""
        with pytest.raises(FilterSyntaxError) as caught:
            parse("a eq")

        copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 -- our own bytes
        assert (copy.text, copy.position) == ("a eq", 4)

    @given(st.text(max_size=60))
    @example("(" * 60)
    @example('a[b eq "\\')
    def test_any_text_parses_or_raises_syntax_error(self, text):
        """Arbitrary text ends in a Filter or a FilterSyntaxError, nothing else."""
        try:
            found = parse(text)
        except FilterSyntaxError as e:
            error: FilterSyntaxError | None = e
        else:
            error = None

        if error is not None:
            assert 0 <= error.position <= len(text)
        else:
            assert parse(render(found)) == found

    @given(st.text(alphabet='()[]" .:\\abenoqrtlp0123-$', max_size=40))
    def test_grammar_like_text_parses_or_raises_syntax_error(self, text):
        """Text made of the grammar's characters never raises anything else."""
        try:
            found = parse(text)
        except FilterSyntaxError:
            return
        assert parse(render(found)) == found


class TestRender:
    """render writes canonical text that parses back to the same tree."""

    @given(filters)
    def test_round_trip(self, f):
        """For any tree f, parse(render(f)) == f."""
        assert parse(render(f)) == f

    @pytest.mark.parametrize(
        ("tree", "text"),
        [
            (
                And(present("a"), And(present("b"), present("c"))),
                "a pr and (b pr and c pr)",
            ),
            (
                Or(present("a"), Or(present("b"), present("c"))),
                "a pr or (b pr or c pr)",
            ),
            (
                And(Or(present("a"), present("b")), present("c")),
                "(a pr or b pr) and c pr",
            ),
            (
                Or(And(present("a"), present("b")), present("c")),
                "a pr and b pr or c pr",
            ),
            (Not(Not(present("a"))), "not (not (a pr))"),
        ],
    )
    def test_parentheses_only_where_needed(self, tree, text):
        """Parentheses appear exactly where the tree needs them."""
        assert render(tree) == text

    @pytest.mark.parametrize(
        "evil",
        [
            'x" or userName pr "',
            'x") or (userName pr',
            'x"] or emails[value pr',
            "back\\slash\\",
            "new\nline\u2028\x00",
        ],
    )
    def test_values_cannot_widen_a_search(self, evil):
        """A value full of quotes and operators stays one comparison."""
        found = parse(render(eq("userName", evil)))

        assert found == Compare(AttrPath(None, "userName"), "eq", evil)

    @pytest.mark.parametrize(
        "tree",
        [
            Compare(AttrPath(None, "a"), "eq", float("nan")),
            Compare(AttrPath(None, "a"), "eq", float("inf")),
            Compare(AttrPath(None, "a"), "eq", 10**5000),
            Compare(AttrPath(None, "a"), "eq", ["x"]),  # type: ignore[arg-type] # bad on purpose
            Compare(AttrPath(None, "a"), "xx", 1),  # type: ignore[arg-type] # bad on purpose
            Present(AttrPath(None, "user name")),
            Present(AttrPath(None, "a", "b.c")),
            Present(AttrPath("", "a")),
            42,
        ],
    )
    def test_refuses_what_no_filter_can_say(self, tree):
        """A tree holding what the grammar cannot write is a LocalProtocolError."""
        with pytest.raises(LocalProtocolError):
            render(tree)

    @given(patch_paths)
    def test_path_round_trip(self, path):
        """For any PATCH path p, parse_path(render_path(p)) == p."""
        assert parse_path(render_path(path)) == path


class TestBuilders:
    """The builders parse the attribute path and check the value."""

    @pytest.mark.parametrize(
        ("build", "op"),
        [
            (eq, "eq"),
            (ne, "ne"),
            (co, "co"),
            (sw, "sw"),
            (ew, "ew"),
            (gt, "gt"),
            (ge, "ge"),
            (lt, "lt"),
            (le, "le"),
        ],
    )
    def test_comparisons(self, build, op):
        """Each builder makes the Compare of its operator."""
        found = build("name.givenName", "x")

        assert found == Compare(AttrPath(None, "name", "givenName"), op, "x")

    def test_urn_attribute(self):
        """A URN-qualified attribute path is split into URN and name."""
        found = eq(f"{ENTERPRISE}:department", "Sales")

        assert found.path == AttrPath(ENTERPRISE, "department")

    def test_present_not_value_path(self):
        """present, not_ and value_path build their nodes."""
        inner = eq("type", "work")

        assert present("title") == Present(AttrPath(None, "title"))
        assert not_(inner) == Not(inner)
        assert value_path("emails", inner) == ValuePath(AttrPath(None, "emails"), inner)

    def test_one_operand(self):
        """and_ and or_ of one filter return it unchanged."""
        f = present("a")

        assert and_(f) is f
        assert or_(f) is f

    @pytest.mark.parametrize("build", [and_, or_])
    def test_no_operand(self, build):
        """and_ and or_ of nothing are a LocalProtocolError."""
        with pytest.raises(LocalProtocolError, match="at least one filter"):
            build()

    @pytest.mark.parametrize("attr", ["", "user name", "a[b]", 'a"', "a.b.c"])
    def test_bad_attribute(self, attr):
        """An attribute that is no path is a FilterSyntaxError."""
        with pytest.raises(FilterSyntaxError):
            eq(attr, "x")

    @pytest.mark.parametrize("value", [float("nan"), float("-inf"), object(), ["x"]])
    def test_bad_value(self, value):
        """A value no filter can hold is a LocalProtocolError naming it."""
        with pytest.raises(LocalProtocolError, match="must be a string"):
            eq("a", value)


class TestTreeValues:
    """The tree is made of hashable values, even very long chains."""

    def test_equality_and_hash(self):
        """Equal trees are equal and hash alike; And differs from Or."""
        a, b = present("a"), present("b")

        assert And(a, b) == And(present("a"), present("b"))
        assert hash(And(a, b)) == hash(And(present("a"), present("b")))
        assert And(a, b) != Or(a, b)
        assert And(a, b) != And(b, a)
        assert And(a, b) != a
        assert And(a, b) != "a pr and b pr"
        assert len({And(a, b), And(a, b), Or(a, b)}) == 2

    def test_same_object(self):
        """A tree equals itself."""
        tree = And(present("a"), present("b"))

        assert tree == tree  # noqa: PLR0124 -- the identity shortcut is the point

    def test_long_chain(self):
        """A chain of 5,000 or parses, renders, compares, hashes and matches."""
        text = " or ".join(f'userName eq "u{i}"' for i in range(5000))
        first, second = parse(text), parse(text)

        assert render(first) == text
        assert first == second
        assert hash(first) == hash(second)
        assert first != parse(text + " or a pr")
        assert matches(first, {"userName": "U4999"}, USER)

    def test_repr(self):
        """The hash cache stays out of the repr."""
        assert "hash" not in repr(And(present("a"), present("b")))


class TestParsePath:
    """parse_path reads RFC 7644 PATCH paths."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("members", PatchPath(AttrPath(None, "members"))),
            ("name.familyName", PatchPath(AttrPath(None, "name", "familyName"))),
            (
                'addresses[type eq "work"]',
                PatchPath(AttrPath(None, "addresses"), eq("type", "work")),
            ),
            (
                'addresses[type eq "work"].streetAddress',
                PatchPath(
                    AttrPath(None, "addresses"), eq("type", "work"), "streetAddress"
                ),
            ),
            (
                'members[value eq"2819c223...919d-413861904646"]',
                PatchPath(
                    AttrPath(None, "members"),
                    eq("value", "2819c223...919d-413861904646"),
                ),
            ),
            (
                f"{ENTERPRISE}:manager.value",
                PatchPath(AttrPath(ENTERPRISE, "manager", "value")),
            ),
            ("  title ", PatchPath(AttrPath(None, "title"))),
        ],
    )
    def test_paths(self, text, expected):
        """Each form of PATH parses to its parts."""
        assert parse_path(text) == expected

    @pytest.mark.parametrize(
        ("text", "position", "expected"),
        [
            ('name.givenName[type eq "x"]', 14, "the end of the path: a value filter"),
            ('emails[type eq "x"]value', 19, "'.subAttribute' or the end of the path"),
            ('emails[type eq "x"].', 19, "'.subAttribute' or the end of the path"),
            ("emails value", 7, "'[' or the end of the path"),
            ("", 0, "an attribute path"),
            ("emails[", 7, "an attribute path"),
        ],
    )
    def test_bad_paths(self, text, position, expected):
        """A bad path raises FilterSyntaxError naming the position."""
        with pytest.raises(
            FilterSyntaxError, match="not a valid SCIM PATCH path"
        ) as caught:
            parse_path(text)

        assert caught.value.position == position
        assert f"expected {expected}" in str(caught.value)

    def test_render_path(self):
        """render_path writes the filter and the sub-attribute after it."""
        path = PatchPath(AttrPath(None, "emails"), eq("type", 'a"b'), "value")

        assert render_path(path) == 'emails[type eq "a\\"b"].value'


class TestIndexableEq:
    """indexable_eq recognises lookups an index answers."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('userName eq "bjensen"', ("userName", "bjensen")),
            ('USERNAME eq "BJensen"', ("userName", "BJensen")),
            ('externalid eq "701984"', ("externalId", "701984")),
            (f'{_constants.USER}:userName eq "x"', ("userName", "x")),
            (f'{_constants.GROUP}:externalId eq "x"', ("externalId", "x")),
        ],
    )
    def test_recognised(self, text, expected):
        """userName and externalId eq a string, in any case, are recognised."""
        assert indexable_eq(parse(text)) == expected

    @pytest.mark.parametrize(
        "text",
        [
            'userName ne "x"',
            "userName eq 1",
            'displayName eq "x"',
            'userName.x eq "x"',
            f'{ENTERPRISE}:userName eq "x"',
            'userName eq "x" and title pr',
            "userName pr",
        ],
    )
    def test_not_recognised(self, text):
        """Any other filter gives None."""
        assert indexable_eq(parse(text)) is None


def check(text: str, doc: dict[str, Any], schema: Any = USER) -> bool:
    """Evaluate the filter text over a document."""
    return matches(parse(text), doc, schema)


class TestStrings:
    """String comparisons follow caseExact and the operator."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('userName eq "BJENSEN"', True),
            ('userName ne "BJENSEN"', False),
            ('userName co "JEN"', True),
            ('userName sw "BJ"', True),
            ('userName ew "SEN"', True),
            ('userName gt "bj"', True),
            ('userName ge "BJENSEN"', True),
            ('userName lt "c"', True),
            ('userName le "bjensem"', False),
            ('externalId eq "ab"', False),
            ('externalId eq "Ab"', True),
            ('externalId co "b"', True),
            ('externalId gt "AB"', True),
            ('externalId gt "B"', False),
            ('id eq "X1"', False),
            ('id eq "x1"', True),
            ("userName eq 1", False),
            ("userName eq true", False),
            ("userName ne true", True),
        ],
    )
    def test_case_exact(self, text, expected):
        """userName compares without case; id and externalId with case."""
        doc = {"id": "x1", "userName": "bjensen", "externalId": "Ab"}

        assert check(text, doc) is expected

    def test_keys_in_any_case(self):
        """Attribute names in the document are matched without case."""
        doc = {"USERNAME": "bjensen", "Emails": [{"VALUE": "b@example.com"}]}

        assert check('userName eq "bjensen"', doc)
        assert check('emails.value ew "example.com"', doc)

    def test_binary_compares_exactly(self):
        """Binary values compare with eq and ne, with case."""
        doc = {"x509Certificates": [{"value": "MIIabc"}]}

        assert check('x509Certificates.value eq "MIIabc"', doc)
        assert not check('x509Certificates.value eq "miiabc"', doc)
        assert not check("x509Certificates.value eq 5", doc)

    def test_reference(self):
        """References compare as strings, per their caseExact."""
        doc = {
            "profileUrl": "https://Example.com/b",
            "photos": [{"value": "https://X"}],
        }

        assert check('profileUrl eq "https://example.com/b"', doc)
        assert not check('photos.value eq "https://x"', doc)

    def test_stored_value_of_wrong_type(self):
        """A stored value that is not a string never matches a string."""
        assert not check('userName eq "1"', {"userName": 1})


class TestOtherTypes:
    """Booleans, dateTimes and numbers compare by their type."""

    @pytest.mark.parametrize(
        ("stored", "text", "expected"),
        [
            (True, "active eq true", True),
            (True, "active ne true", False),
            (False, "active eq false", True),
            ("False", "active eq false", True),
            (True, 'active eq "TRUE"', True),
            ("yes", "active eq true", False),
        ],
    )
    def test_boolean(self, stored, text, expected):
        """Booleans compare with eq and ne; strings "True"/"False" count."""
        assert check(text, {"active": stored}) is expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('meta.created eq "2011-05-13T06:42:34+02:00"', True),
            ('meta.created gt "2011-05-13T04:42:33.999Z"', True),
            ('meta.created lt "2011-05-13"', False),
            ('meta.created le "2011-05-13T04:42:34"', True),
            ('meta.created co "05-13"', True),
        ],
    )
    def test_date_time(self, text, expected):
        """dateTimes compare by instant, whatever their offset."""
        doc = {"meta": {"created": "2011-05-13T04:42:34Z"}}

        assert check(text, doc) is expected

    def test_unreadable_stored_date_time(self):
        """A stored dateTime that does not parse matches no comparison."""
        assert not check(
            'meta.created gt "2011-05-13T04:42:34Z"', {"meta": {"created": "x"}}
        )
        assert not check(
            'meta.created gt "2011-05-13T04:42:34Z"', {"meta": {"created": 5}}
        )
        assert check(
            'meta.created ne "2011-05-13T04:42:34Z"', {"meta": {"created": "x"}}
        )

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("n eq 3", True),
            ("n eq 3.0", True),
            ("n gt 2.5", True),
            ("n ge 4", False),
            ("n lt 10", True),
            ("n le 3", True),
            ('n eq "3"', False),
            ("n ne 4", True),
            ("d gt 0.25", True),
        ],
    )
    def test_numbers(self, text, expected):
        """Integers and decimals compare numerically."""
        matcher = compile_value_filter(parse(text), NUMBERS)

        assert matcher({"n": 3, "d": 0.5}) is expected

    def test_stored_number_of_wrong_type(self):
        """A stored boolean or string is not a number."""
        matcher = compile_value_filter(parse("n ge 0"), NUMBERS)

        assert not matcher({"n": True})
        assert not matcher({"n": "3"})


NUMBERS = AttributeInfo(
    name="things",
    urn="urn:example:numbers",
    type="complex",
    multi_valued=True,
    sub_attributes=types.MappingProxyType(
        {
            "n": AttributeInfo(name="n", urn="urn:example:numbers", type="integer"),
            "d": AttributeInfo(name="d", urn="urn:example:numbers", type="decimal"),
        }
    ),
)


class TestPresenceAndStructure:
    """pr, null, multi-valued and complex attributes, unknown attributes."""

    @pytest.mark.parametrize(
        ("doc", "expected"),
        [
            ({"title": "Boss"}, True),
            ({"title": ""}, False),
            ({"title": None}, False),
            ({}, False),
            ({"emails": []}, False),
            ({"emails": [{}]}, False),
            ({"emails": [{"value": None}]}, False),
            ({"emails": [{"value": "a"}]}, True),
            ({"active": False}, True),
            ({"emails": [{"value": [""]}]}, False),
            ({"emails": [{"value": ["a"]}]}, True),
        ],
    )
    def test_present(self, doc, expected):
        """pr needs a value that is not null or empty."""
        (name,) = doc or {"title": None}

        assert check(f"{name} pr", doc) is expected

    def test_null(self):
        """eq null matches an absent value, ne null a present one."""
        assert check("title eq null", {})
        assert check("title eq null", {"title": None})
        assert not check("title eq null", {"title": "x"})
        assert check("title ne null", {"title": "x"})
        assert not check("title ne null", {})

    def test_multi_valued_any(self):
        """A multi-valued attribute matches when any value matches."""
        doc = {"emails": [{"value": "a@x.com", "type": "home"}, {"value": "b@y.com"}]}

        assert check('emails.value eq "b@y.com"', doc)
        assert check('emails eq "A@X.COM"', doc)
        assert check('emails.value ne "a@x.com"', doc)
        assert not check('emails.type eq "work"', doc)

    def test_ne_on_absent(self):
        """ne matches when the attribute has no value at all."""
        assert check('title ne "x"', {})
        assert check('emails.value ne "x"', {"emails": []})

    def test_value_filter(self):
        """Brackets test each value as a whole."""
        doc = {"emails": [{"value": "a@x.com", "type": "home"}, {"value": "b@x.com"}]}

        assert not check('emails[type eq "work" and value co "@x.com"]', doc)
        assert check('emails[type eq "HOME" and value co "@x.com"]', doc)
        assert check("emails[not (type pr)]", doc)
        assert check('emails[type eq "home"] and emails[value eq "b@x.com"]', doc)

    def test_value_filter_skips_non_objects(self):
        """Values that are not objects do not match a value filter."""
        assert not check("emails[value pr]", {"emails": ["a@x.com", 3]})

    def test_value_filter_on_single_complex(self):
        """A value filter over a single-valued complex attribute tests it."""
        assert check(
            'name[givenName eq "b" and familyName pr]',
            {"name": {"givenName": "B", "familyName": "J"}},
        )

    def test_value_filter_unknown_paths_inside(self):
        """Inside brackets, an unknown or qualified name matches nothing."""
        doc = {"emails": [{"value": "a"}]}

        assert not check('emails[nope eq "a"]', doc)
        assert not check('emails[value.x eq "a"]', doc)
        assert not check(f'emails[{_constants.USER}:value eq "a"]', doc)

    def test_members(self):
        """A group's members are found by value, with or without brackets."""
        doc = load_sample("rfc7643-8.4-group")
        member = "2819c223-7f76-453a-919d-413861904646"

        assert check(f'members[value eq "{member}"]', doc, GROUP)
        assert check(f'members eq "{member}"', doc, GROUP)
        assert check('displayName eq "tour guides"', doc, GROUP)
        assert not check('members[value eq "nope"]', doc, GROUP)

    def test_extension(self, bjensen):
        """Extension attributes are found with or without their URN."""
        assert check(f'{ENTERPRISE}:department eq "tour operations"', bjensen)
        assert check('department eq "Tour Operations"', bjensen)
        assert check(f"{ENTERPRISE}:manager.value pr", bjensen)
        assert not check('department eq "x"', {ENTERPRISE: "not an object"})

    def test_unknown_attributes_match_nothing(self):
        """Unknown attributes match nothing, even with ne or pr."""
        doc = {"nope": "x"}

        assert not check('nope eq "x"', doc)
        assert not check('nope ne "y"', doc)
        assert not check("nope pr", doc)
        assert not check("nope[a pr]", doc)
        assert check('not (nope eq "x")', doc)

    def test_document_of_wrong_shape(self):
        """A document that is not an object matches nothing."""
        assert not check("title pr", [])  # type: ignore[arg-type] # wrong on purpose

    def test_or_and_not(self):
        """Logical operators combine comparisons."""
        doc = {"userName": "a", "title": "t"}

        assert check('userName eq "x" or title pr', doc)
        assert not check('userName eq "x" and title pr', doc)
        assert check('not (userName eq "x") and title pr', doc)


class TestInvalidFilters:
    """Comparisons the attribute's type forbids raise InvalidFilterError."""

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            (
                'active co "x"',
                "active is a boolean; co, sw and ew apply to strings only",
            ),
            ("active gt true", "active is a boolean"),
            ("active eq 1", "active is a boolean"),
            ('name eq "x"', "name is complex"),
            ("userName co 5", "co, sw and ew compare with a string, not 5"),
            ("userName sw true", "not true"),
            ("userName gt true", "userName is a string: compare it with a string"),
            ("userName gt null", "null compares with eq or ne only"),
            ('meta.created gt "yesterday"', "'yesterday' is not a dateTime"),
            ('x509Certificates.value gt "a"', "binary data"),
            ('emails.value[type eq "x"]', "value is not complex"),
            ('userName[type eq "x"]', "userName is not complex"),
        ],
    )
    def test_invalid(self, text, reason):
        """The detail says what is wrong and quotes the comparison."""
        with pytest.raises(InvalidFilterError) as caught:
            compile_filter(parse(text), USER)

        assert reason in caught.value.detail
        assert caught.value.status == 400
        assert caught.value.scim_type == "invalidFilter"

    @pytest.mark.parametrize("text", ['n co "1"', 'n gt "1"', "n gt true"])
    def test_invalid_numbers(self, text):
        """Numbers take no co, sw or ew, and order only against numbers."""
        with pytest.raises(InvalidFilterError):
            compile_value_filter(parse(text), NUMBERS)

    def test_nested_value_filter(self):
        """A value filter built inside a value filter is invalid."""
        inner = ValuePath(AttrPath(None, "value"), present("x"))

        with pytest.raises(InvalidFilterError, match="cannot be nested"):
            compile_filter(value_path("emails", inner), USER)

    def test_not_a_filter(self):
        """Something that is no filter is an InvalidFilterError."""
        with pytest.raises(InvalidFilterError, match="is not a filter"):
            matches("userName pr", {}, USER)  # type: ignore[arg-type] # wrong on purpose

    def test_detail_of_an_unrenderable_tree(self):
        """The detail falls back to the tree's repr when it cannot be written."""
        tree = Compare(AttrPath(None, "userName"), "co", float("nan"))

        with pytest.raises(InvalidFilterError, match="Compare"):
            compile_filter(tree, USER)


class TestCompile:
    """compile_filter and matches share the work of evaluating."""

    def test_compile_once(self):
        """A compiled filter answers for many documents."""
        matcher = compile_filter(parse('userName sw "a"'), USER)

        assert [matcher({"userName": n}) for n in ("ab", "ba", "AC")] == [
            True,
            False,
            True,
        ]

    def test_unhashable_tree(self):
        """A tree holding an unhashable value is still evaluated."""
        tree = Compare(AttrPath(None, "userName"), "eq", ["x"])  # type: ignore[arg-type] # bad on purpose

        assert matches(tree, {"userName": "x"}, USER) is False

    def test_invalid_is_raised_before_any_document(self):
        """An invalid filter fails even when no document is tested."""
        with pytest.raises(InvalidFilterError):
            compile_filter(parse('active sw "t"'), USER)


class TestPublicModule:
    """scim_ninjio.filters: the builder, parser and renderer, for callers."""

    def test_names(self):
        """Its names exist, and are the very ones the client renders."""
        from scim_ninjio import _filter, filters

        assert {"eq", "and_", "parse", "render", "Filter"} <= set(filters.__all__)
        assert all(
            getattr(filters, name) is getattr(_filter, name) for name in filters.__all__
        )

    def test_tree_or_text_gives_the_same_query(self):
        """A tree is rendered with its values escaped; text is sent as it is."""
        from scim_ninjio import filters
        from scim_ninjio._ops._paging import filter_text

        tree = filters.eq("userName", 'a"b')

        assert filter_text(tree) == 'userName eq "a\\"b"'
        assert filter_text('userName eq "a"') == 'userName eq "a"'
        assert filter_text(None) is None
