import datetime as dt
import urllib.parse

import pytest

from scim_ninjio._constants import ENTERPRISE_USER, USER
from scim_ninjio.testing.emulator import GENERIC_PROFILE, Emulator


@pytest.fixture
def people(caller_for, clock):
    """Four users that the RFC 7644 section 3.4.2.2 examples tell apart."""
    emulator = Emulator(profile=GENERIC_PROFILE, clock=clock)
    call = caller_for(emulator)

    def at(moment, user_name, **attributes):
        clock.now = moment
        return call.create_user(user_name, **attributes)["id"]

    ids = {
        "bjensen": at(
            dt.datetime(2011, 5, 12, tzinfo=dt.UTC),
            "bjensen",
            schemas=[USER, ENTERPRISE_USER],
            userType="Employee",
            title="Tour Guide",
            name={"familyName": "Jensen"},
            emails=[{"value": "bjensen@example.com", "type": "work"}],
            externalId="ABC",
            **{ENTERPRISE_USER: {"department": "Tours"}},
        ),
        "jsmith": at(
            dt.datetime(2011, 5, 13, 4, 42, 34, tzinfo=dt.UTC),
            "Jsmith",
            userType="Intern",
            title="Trainee",
            name={"familyName": "O'Malley"},
            emails=[{"value": "js@example.org", "type": "home"}],
            externalId="abc",
        ),
        "kelly": at(
            dt.datetime(2011, 5, 14, tzinfo=dt.UTC),
            "kelly",
            userType="Employee",
            emails=[{"value": "k@example.org", "type": "work"}],
            ims=[{"value": "kelly@foo.com", "type": "xmpp"}],
            active=False,
        ),
        "omar": at(
            dt.datetime(2011, 5, 15, tzinfo=dt.UTC),
            "omar",
            userType="Contractor",
            emails=[{"value": "omar@other.net", "type": "work"}],
            active=True,
        ),
    }
    return emulator, call, ids


def found(call, text, endpoint="/Users"):
    """Return the names a filtered GET finds, in order."""
    query = urllib.parse.urlencode({"filter": text})
    answer = call("GET", f"{endpoint}?{query}")
    assert answer.status == 200, answer.json
    return [r.get("userName", r.get("displayName")) for r in answer.json["Resources"]]


# Every example filter of RFC 7644 section 3.4.2.2, with the users it selects.
RFC_7644_EXAMPLES = [
    ('userName eq "bjensen"', ["bjensen"]),
    ('name.familyName co "O\'Malley"', ["Jsmith"]),
    ('userName sw "J"', ["Jsmith"]),
    (f'{USER}:userName sw "J"', ["Jsmith"]),
    ("title pr", ["bjensen", "Jsmith"]),
    ('meta.lastModified gt "2011-05-13T04:42:34Z"', ["kelly", "omar"]),
    ('meta.lastModified ge "2011-05-13T04:42:34Z"', ["Jsmith", "kelly", "omar"]),
    ('meta.lastModified lt "2011-05-13T04:42:34Z"', ["bjensen"]),
    ('meta.lastModified le "2011-05-13T04:42:34Z"', ["bjensen", "Jsmith"]),
    ('title pr and userType eq "Employee"', ["bjensen"]),
    ('title pr or userType eq "Intern"', ["bjensen", "Jsmith"]),
    (f'schemas eq "{ENTERPRISE_USER}"', ["bjensen"]),
    (
        (
            'userType eq "Employee" and (emails co "example.com" or '
            'emails.value co "example.org")'
        ),
        ["bjensen", "kelly"],
    ),
    (
        (
            'userType ne "Employee" and not (emails co "example.com" or '
            'emails.value co "example.org")'
        ),
        ["omar"],
    ),
    ('userType eq "Employee" and (emails.type eq "work")', ["bjensen", "kelly"]),
    (
        'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
        ["bjensen"],
    ),
    (
        (
            'emails[type eq "work" and value co "@example.com"] or '
            'ims[type eq "xmpp" and value co "@foo.com"]'
        ),
        ["bjensen", "kelly"],
    ),
]


class TestRfcExamples:
    """RFC 7644 section 3.4.2.2, example by example."""

    @pytest.mark.parametrize(("text", "expected"), RFC_7644_EXAMPLES)
    def test_example(self, people, text, expected):
        """Each filter example of RFC 7644 section 3.4.2.2 selects the right users."""
        _, call, _ = people

        assert found(call, text) == expected


class TestComparison:
    """How values compare: case rules, types, derived attributes."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('userName eq "BJENSEN"', ["bjensen"]),
            ('USERNAME EQ "bjensen"', ["bjensen"]),
            ('username ew "SMITH"', ["Jsmith"]),
            ('externalId eq "ABC"', ["bjensen"]),
            ('externalId eq "abc"', ["Jsmith"]),
            ('externalid eq "Abc"', []),
            ('externalId co "B"', ["bjensen"]),
            ("active eq false", ["kelly"]),
            ("active eq true", ["omar"]),
            ('title gt "U"', []),
            ('title lt "U"', ["bjensen", "Jsmith"]),
            (f'{ENTERPRISE_USER}:department eq "tours"', ["bjensen"]),
            ('emails.value ew ".ORG"', ["Jsmith", "kelly"]),
            ('nickName eq "nobody"', []),
            ("noSuchAttribute pr", []),
        ],
    )
    def test_case_rules(self, people, text, expected):
        """Values compare by each attribute's case rule; names and operators by none."""
        _, call, _ = people

        assert found(call, text) == expected

    def test_derived_groups(self, people):
        """A filter may select users by the groups they belong to."""
        _, call, ids = people
        group = call.create_group("Sales", (ids["kelly"],))

        assert found(call, f'groups.value eq "{group["id"]}"') == ["kelly"]
        assert found(call, 'groups.display eq "sales"') == ["kelly"]

    def test_groups_by_member(self, people):
        """Groups are found by displayName and by member."""
        _, call, ids = people
        call.create_group("Sales", (ids["kelly"],))
        call.create_group("Tours", (ids["bjensen"], ids["kelly"]))

        assert found(call, f'members.value eq "{ids["bjensen"]}"', "/Groups") == [
            "Tours"
        ]
        assert found(call, 'displayName eq "SALES"', "/Groups") == ["Sales"]
        assert found(call, "members pr", "/Groups") == ["Sales", "Tours"]

    def test_post_search_filter(self, people):
        """A filter in a SearchRequest body works as in the query."""
        _, call, _ = people

        body = call("POST", "/Users/.search", {"filter": "title pr"}).json

        assert [r["userName"] for r in body["Resources"]] == ["bjensen", "Jsmith"]

    def test_root_search_filter(self, people):
        """A root search applies the filter to users and groups alike."""
        _, call, ids = people
        call.create_group("Sales", (ids["kelly"],))

        body = call(
            "POST", "/.search", {"filter": 'userName eq "kelly" or displayName pr'}
        ).json

        assert [r["meta"]["resourceType"] for r in body["Resources"]] == [
            "User",
            "Group",
        ]

    def test_filter_and_paging(self, people):
        """totalResults counts the matches, not the store."""
        _, call, _ = people

        body = call("GET", "/Users?filter=title%20pr&count=1").json

        assert body["totalResults"] == 2
        assert [r["userName"] for r in body["Resources"]] == ["bjensen"]


class TestIndex:
    """userName and externalId lookups answered from an index."""

    def test_user_name_eq_uses_the_index(self, people, monkeypatch):
        """A userName or externalId eq is answered from an index, without a scan."""
        _, call, _ = people

        def no_scan(*args):
            raise AssertionError("the emulator scanned every user")

        monkeypatch.setattr(
            "scim_ninjio.testing._emulator._service.compile_filter", no_scan
        )

        assert found(call, 'userName eq "BJensen"') == ["bjensen"]
        assert found(call, 'externalId eq "abc"') == ["Jsmith"]
        assert found(call, 'userName eq "nobody"') == []

    def test_index_follows_renames(self, people):
        """The userName index follows a PUT that renames the user."""
        _, call, ids = people

        call("PUT", f"/Users/{ids['omar']}", {"userName": "omar2", "externalId": "X"})

        assert found(call, 'userName eq "omar"') == []
        assert found(call, 'userName eq "omar2"') == ["omar2"]
        assert found(call, 'externalId eq "X"') == ["omar2"]

    def test_shared_external_id(self, people):
        """Several users may share an externalId; all are found, in creation order."""
        _, call, ids = people
        call("PUT", f"/Users/{ids['omar']}", {"userName": "omar", "externalId": "ABC"})
        shared = found(call, 'externalId eq "ABC"')

        call("PUT", f"/Users/{ids['bjensen']}", {"userName": "bjensen"})

        assert shared == ["bjensen", "omar"]
        assert found(call, 'externalId eq "ABC"') == ["omar"]


class TestBadFilters:
    """Filters that are refused, and how."""

    @pytest.mark.parametrize(
        ("text", "position"),
        [
            ("userName eq", 11),
            ('userName xx "a"', 8),
            ('(userName eq "a"', 16),
            ('userName eq "a" and', 19),
        ],
    )
    def test_syntax(self, people, text, position):
        """A filter that does not parse is refused: 400 invalidFilter, saying where."""
        _, call, _ = people

        answer = call("GET", f"/Users?{urllib.parse.urlencode({'filter': text})}")

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidFilter"
        assert f"at position {position}" in answer.json["detail"]

    def test_type_mismatch(self, people):
        """Comparing a boolean with co is refused: 400 invalidFilter."""
        _, call, _ = people

        answer = call("GET", '/Users?filter=active%20co%20"x"')

        assert answer.status == 400
        assert answer.json["scimType"] == "invalidFilter"
        assert "active" in answer.json["detail"]
