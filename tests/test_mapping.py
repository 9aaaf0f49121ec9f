"""Tests for the attribute mapping, the status rules and the bad-record rules."""

import pathlib
import sys
import textwrap

from xml.etree import ElementTree as ET

import attrs
import pytest

from docutils import nodes
from docutils.core import publish_doctree
from hypothesis import given
from hypothesis import strategies as st

from scim_ninjio import _constants, encode
from scim_ninjio.exceptions import ValidationError
from scim_ninjio.jumpcloud import SystemUser, UserGroup
from scim_ninjio.mapping import (
    ATTRIBUTE_MAPPING,
    GROUP_MAPPING,
    MappingRow,
    _reader,
    _writer,
    is_active,
    is_staged,
    render_table,
    to_scim_group,
    to_scim_user,
    unmappable_users,
    user_problems,
)
from scim_ninjio.models import Group
from scim_ninjio.testing._directory_strategies import (
    bad_system_users,
    directories,
    system_users,
)


DOCS = pathlib.Path(__file__).parent.parent / "docs"

ADA = SystemUser(
    id="u1",
    username="ada.lovelace",
    email="ada.lovelace@example.com",
    firstname="Ada",
    lastname="Lovelace",
    employee_identifier="E10001",
    job_title="Analyst",
    department="Research",
    activated=True,
    suspended=False,
    state="ACTIVATED",
)


class TestTable:
    """The mapping table, as data."""

    def test_rows_are_those_of_the_design(self):
        """The user rows are the documented mapping table's, in its order."""
        rows = [
            (r.jumpcloud_property, r.ui_field, r.scim_path, r.ninjio_field)
            for r in ATTRIBUTE_MAPPING
        ]

        assert rows == [
            ("username", "Username", "userName", "userName"),
            ("active", "Status", "active", "active"),
            ("email", "Company Email", 'emails[type eq "work"].value', "emails"),
            ("employeeIdentifier", "Employee ID", "externalId", "externalId"),
            ("firstname", "First Name", "name.givenName", "name.givenName"),
            ("lastname", "Last Name", "name.familyName", "name.familyName"),
            ("jobTitle", "Job Title", "title", "title"),
            (
                "department",
                "Department",
                f"{_constants.ENTERPRISE_USER}:department",
                "group placement (N2)",
            ),
        ]

    def test_group_row(self):
        """A group's name becomes its displayName, which NINJIO calls Organization."""
        [row] = GROUP_MAPPING

        assert (row.jumpcloud_property, row.scim_path, row.ninjio_field) == (
            "name",
            "displayName",
            "Organization",
        )

    def test_notes_explain_title_and_department(self):
        """The notes keep the reasons for title and department."""
        notes = {r.jumpcloud_property: r.note for r in ATTRIBUTE_MAPPING}

        assert "jobTitle" in notes["jobTitle"]
        assert "title, which is what is sent" in notes["jobTitle"]
        assert "enterprise extension" in notes["department"]

    @pytest.mark.parametrize(
        "path", ["", "emails[type eq work].value", "a.b.c", "urn:x", "emails[type]"]
    )
    def test_paths_outside_the_grammar_are_refused(self, path):
        """A row whose SCIM path cannot be written is refused when compiled."""
        with pytest.raises(ValueError, match="is not one that scim_ninjio can write"):
            _writer(path)

    def test_unknown_property_is_refused(self):
        """A row naming a property the record does not read is refused."""
        row = MappingRow(
            jumpcloud_property="costCenter", ui_field="", scim_path="x", ninjio_field=""
        )

        with pytest.raises(ValueError, match="'costCenter'"):
            _reader(row, SystemUser.JUMPCLOUD_KEYS, {})

    def test_filter_path_without_sub_attribute(self):
        """A filtered path without a sub-attribute writes the item's value."""
        document: dict = {}

        _writer('phoneNumbers[type eq "mobile"]')(document, "+1 555 0100")

        assert document == {
            "phoneNumbers": [
                {"type": "mobile", "primary": True, "value": "+1 555 0100"}
            ]
        }


class TestStatus:
    """Rule U4: who is active and who is staged."""

    @pytest.mark.rule("U4")
    @pytest.mark.parametrize(
        ("activated", "suspended", "state", "active", "staged"),
        [
            (True, False, "ACTIVATED", True, False),
            (True, True, "SUSPENDED", False, False),
            (False, False, "STAGED", False, True),
            (True, False, None, True, False),
            (True, True, None, False, False),
            (True, None, None, True, False),
            (False, False, None, False, True),
            (None, None, None, False, True),
            (None, True, None, False, False),
            # state wins over the older properties when they disagree.
            (False, True, "ACTIVATED", True, False),
            (True, False, "SUSPENDED", False, False),
            (True, False, "STAGED", False, True),
        ],
    )
    def test_active_and_staged(self, activated, suspended, state, active, staged):
        """U4: active when activated and not suspended, or state is ACTIVATED."""
        user = SystemUser(
            id="u1", activated=activated, suspended=suspended, state=state
        )

        assert is_active(user) is active
        assert is_staged(user) is staged

    @pytest.mark.rule("U4")
    @given(system_users())
    def test_never_both(self, user):
        """U4: no user is both active and staged."""
        assert not (is_active(user) and is_staged(user))


class TestUserProblems:
    """Rule U7: users that cannot be mapped, one at a time."""

    @pytest.mark.rule("U7")
    def test_no_username(self):
        """U7: a user without a username cannot be mapped, and is told where to fix."""
        problems = user_problems(SystemUser(id="u1"))

        assert problems == (
            (
                "It has no username, and NINJIO needs a userName: set the user's "
                "Username in JumpCloud."
            ),
        )

    @pytest.mark.rule("U7")
    @pytest.mark.parametrize("field", ["username", "firstname", "department"])
    def test_lone_surrogate(self, field):
        """U7: a value holding a lone surrogate cannot be sent, and says where."""
        user = SystemUser(id="u1", **{"username": "ada", field: "Ad\ud800a"})

        [problem] = user_problems(user)

        assert problem.startswith(f"Its {field} 'Ad\\ud800a' holds a lone UTF-16")
        assert problem.endswith(f"correct the {field} in JumpCloud.")

    @pytest.mark.rule("U7")
    @pytest.mark.parametrize(
        ("username", "why"),
        [
            (" ada", "it starts or ends with a space"),
            ("ada ", "it starts or ends with a space"),
            ("ada\tlovelace", "it holds a control character"),
            ("ada\x7f", "it holds a control character"),
        ],
    )
    def test_invalid_username(self, username, why):
        """U7: surrounding spaces and control characters make a bad userName."""
        [problem] = user_problems(SystemUser(id="u1", username=username))

        assert problem.startswith(f"Its username {username!r} is not a valid SCIM")
        assert why in problem

    @pytest.mark.rule("U7")
    @pytest.mark.parametrize(
        ("email", "why"),
        [
            ("ada.lovelace", "it has no @"),
            ("@example.com", "nothing comes before the @"),
            ("ada@", "nothing comes after the @"),
            ("ada@@example.com", "it has more than one @"),
            ("ada lovelace@example.com", "it holds a space"),
            ("ada@example", "the domain 'example' has no dot"),
            ("ada..lovelace@example.com", "a dot at its start"),
            (".ada@example.com", "a dot at its start"),
            ("ada.@example.com", "a dot at its start"),
            ('"ada"@example.com', "needs quoting"),
            ("ada(at)x@example.com", "needs quoting"),
            ("ada@-example.com", "is not a valid host name"),
            ("ada@example-.com", "is not a valid host name"),
            ("ada@example..com", "is not a valid host name"),
            ("ada@exa_mple.com", "is not a valid host name"),
            ("ada@[192.0.2.1]", "is not a valid host name"),
            ("a" * 65 + "@example.com", "longer than 64 characters"),
            ("ada@" + "a" * 250 + ".com", "longer than 254 characters"),
            ("ada@" + "a" * 64 + ".com", "is not a valid host name"),
        ],
    )
    def test_invalid_email(self, email, why):
        """U7: an invalid email makes a user unmappable, saying what is wrong."""
        [problem] = user_problems(SystemUser(id="u1", username="ada", email=email))

        assert problem.startswith(f"Its email {email!r} is not a valid address")
        assert why in problem
        assert problem.endswith("Correct the Company Email in JumpCloud.")

    @pytest.mark.parametrize(
        "email",
        [
            "ada@example.com",
            "ada.lovelace+ninjio@example.co.uk",
            "o'brien@example.ie",
            "x_y-z@sub-domain.example.org",
            "zoë.müller@exämple.de",
            "1@2.io",
            "a" * 64 + "@example.com",
        ],
    )
    def test_valid_email(self, email):
        """Plus signs, apostrophes, Unicode and the longest local part are fine."""
        assert user_problems(SystemUser(id="u1", username="ada", email=email)) == ()

    def test_no_email_is_allowed(self):
        """A user without an email can be mapped."""
        assert user_problems(SystemUser(id="u1", username="ada")) == ()

    @pytest.mark.rule("U7")
    def test_every_fault_is_listed(self):
        """U7: a user with a bad username and a bad email gets both reasons."""
        problems = user_problems(SystemUser(id="u1", username=" a", email="b"))

        assert len(problems) == 2


class TestUnmappableUsers:
    """Rule U7: bad records among many users, including duplicates."""

    @pytest.mark.rule("U7")
    def test_usernames_that_differ_only_in_case(self):
        """U7: usernames equal without case are reported for both users."""
        users = [
            SystemUser(id="u1", username="Ada"),
            SystemUser(id="u2", username="ada"),
            SystemUser(id="u3", username="alan"),
        ]

        found = unmappable_users(users)

        assert sorted(found) == ["u1", "u2"]
        assert "'ada' (user u2)" in found["u1"][0]
        assert "'Ada' (user u1)" in found["u2"][0]

    @pytest.mark.rule("U7")
    def test_case_folding_beyond_lower(self):
        """U7: "STRASSE" and "straße" collide, as case folding makes them equal."""
        users = [
            SystemUser(id="u1", username="straße"),
            SystemUser(id="u2", username="STRASSE"),
        ]

        assert sorted(unmappable_users(users)) == ["u1", "u2"]

    @pytest.mark.rule("U7")
    def test_three_way_collision_names_both_others(self):
        """U7: each of three colliding users is told about the two others."""
        users = [SystemUser(id=f"u{i}", username=n) for i, n in enumerate("aAa")]

        found = unmappable_users(users)

        assert found["u0"][0].count("(user ") == 2

    @pytest.mark.rule("U7")
    def test_reasons_add_up(self):
        """U7: a duplicate with a bad email gets both reasons, in that order."""
        users = [
            SystemUser(id="u1", username="ada", email="bad"),
            SystemUser(id="u2", username="ADA"),
            SystemUser(id="u3"),
        ]

        found = unmappable_users(users)

        assert [len(found[i]) for i in ("u1", "u2", "u3")] == [2, 1, 1]
        assert "email" in found["u1"][0]
        assert "also used by" in found["u1"][1]

    @pytest.mark.rule("U7")
    @given(directories(max_users=15))
    def test_generated_users_are_mappable(self, directory):
        """U7: every user of a generated directory can be mapped."""
        assert unmappable_users(directory.users) == {}

    @pytest.mark.rule("U7")
    @given(
        st.lists(bad_system_users(), min_size=1, max_size=3), directories(max_users=8)
    )
    def test_bad_users_are_found_and_only_them(self, batches, directory):
        """U7: every bad user is reported, and no good user beside them."""
        bad = [user for batch in batches for user in batch]
        bad = [attrs.evolve(u, id=f"bad-{i}") for i, u in enumerate(bad)]

        found = unmappable_users([*directory.users, *bad])

        assert set(found) == {u.id for u in bad}

    @pytest.mark.rule("U7")
    @given(directories(max_users=5, max_bad_batches=3, group_management=True))
    def test_directories_with_bad_batches(self, directory):
        """U7: bad records mixed into a directory are all found there."""
        found = unmappable_users(directory.users)

        assert directory.group_management is True
        assert all(
            u.username is None or u.username.strip().casefold().startswith("bad.")
            for u in directory.users
            if u.id in found
        )


class TestToScimUser:
    """Mapping a JumpCloud user to a SCIM user."""

    def test_every_row(self):
        """Every property lands at its row's SCIM path."""
        assert encode(to_scim_user(ADA), request=True) == {
            "schemas": [_constants.USER, _constants.ENTERPRISE_USER],
            "externalId": "E10001",
            "userName": "ada.lovelace",
            "name": {"familyName": "Lovelace", "givenName": "Ada"},
            "title": "Analyst",
            "active": True,
            "emails": [
                {"value": "ada.lovelace@example.com", "type": "work", "primary": True}
            ],
            _constants.ENTERPRISE_USER: {"department": "Research"},
        }

    def test_absent_values_stay_absent(self):
        """What JumpCloud does not send stays None, so a diff clears nothing."""
        user = to_scim_user(SystemUser(id="u1", username="ada", lastname=""))

        assert user.name is None
        assert user.emails == ()
        assert user.enterprise is None
        assert (user.external_id, user.title) == (None, None)
        assert encode(user) == {
            "schemas": [_constants.USER],
            "userName": "ada",
            "active": False,
        }

    def test_only_a_given_name(self):
        """A first name alone gives a name with only givenName."""
        user = to_scim_user(SystemUser(id="u1", username="ada", firstname="Ada"))

        assert user.name is not None
        assert (user.name.given_name, user.name.family_name) == ("Ada", None)

    @pytest.mark.rule("U4")
    @pytest.mark.parametrize(
        ("state", "active"),
        [("ACTIVATED", True), ("SUSPENDED", False), ("STAGED", False)],
    )
    def test_active_is_derived(self, state, active):
        """U4: active follows the user's status."""
        user = attrs.evolve(ADA, state=state)

        assert to_scim_user(user).active is active

    def test_job_title_is_sent_as_title(self):
        """jobTitle goes to SCIM's title, never to a jobTitle attribute."""
        body = encode(to_scim_user(ADA))

        assert body["title"] == "Analyst"
        assert "jobTitle" not in body

    @pytest.mark.rule("U7")
    def test_unmappable_user_raises(self):
        """U7: a user that cannot be mapped raises, naming the user and the fields."""
        user = SystemUser(id="u9", email="ada@example")

        with pytest.raises(ValidationError) as info:
            to_scim_user(user)

        assert info.value.subject == "u9"
        assert [e.path for e in info.value.errors] == ["$.username", "$.email"]
        assert str(info.value).startswith("invalid u9: $.username: It has no username")

    @given(system_users())
    def test_generated_users_map_by_the_table(self, user):
        """For any user, each row's property is found at its SCIM path."""
        body = encode(to_scim_user(user))

        assert body["userName"] == user.username
        assert body["active"] is is_active(user)
        assert body.get("externalId") == user.employee_identifier
        assert body.get("title") == user.job_title
        assert body.get("name", {}).get("givenName") == user.firstname
        assert body.get("name", {}).get("familyName") == user.lastname
        assert [e["value"] for e in body.get("emails", [])] == (
            [user.email] if user.email else []
        )
        department = body.get(_constants.ENTERPRISE_USER, {}).get("department")
        assert department == user.department


class TestToScimGroup:
    """Mapping a JumpCloud group to a SCIM group."""

    def test_name_becomes_display_name(self):
        """A group becomes a SCIM group with its name, and no members yet."""
        group = to_scim_group(UserGroup(id="g1", name="Sales EMEA", member_ids=["u1"]))

        assert group == Group(display_name="Sales EMEA")


class TestRenderTable:
    """The table as Markdown and reStructuredText."""

    def test_markdown(self):
        """Markdown is a pipe table with code for property and path."""
        text = render_table(GROUP_MAPPING)

        assert text.splitlines() == [
            "| JumpCloud property | JumpCloud UI field | SCIM 2.0 | NINJIO | Note |",
            "|---|---|---|---|---|",
            "| `name` | Name | `displayName` | Organization | "
            + GROUP_MAPPING[0].note
            + " |",
        ]

    def test_markdown_escapes_pipes(self):
        """A pipe inside a cell is escaped so it does not split the cell."""
        row = MappingRow(
            jumpcloud_property="a|b", ui_field="x|y", scim_path="p", ninjio_field=""
        )

        text = render_table([row], notes=False)

        assert text.splitlines()[2] == r"| `a\|b` | x\|y | `p` |  |"

    def test_markdown_has_a_row_per_mapping_row(self):
        """Each row of the table is one line, after the header and rule."""
        assert len(render_table(ATTRIBUTE_MAPPING).splitlines()) == 2 + len(
            ATTRIBUTE_MAPPING
        )

    def rst_table(self, text: str) -> list[list[str]]:
        """Parse reStructuredText with docutils and return the table's cells."""
        tree = publish_doctree(
            text, settings_overrides={"report_level": 2, "halt_level": 2}
        )
        [table] = list(tree.findall(nodes.table))

        return [
            [entry.astext() for entry in row.findall(nodes.entry)]
            for row in table.findall(nodes.row)
        ]

    def test_rst_parses_to_the_same_cells(self):
        """The rst list-table parses, cell for cell, back to the rows' text."""
        rows = ATTRIBUTE_MAPPING + GROUP_MAPPING

        cells = self.rst_table(render_table(rows, "rst"))

        assert cells[0] == [
            "JumpCloud property",
            "JumpCloud UI field",
            "SCIM 2.0",
            "NINJIO",
            "Note",
        ]
        assert cells[1:] == [
            [r.jumpcloud_property, r.ui_field, r.scim_path, r.ninjio_field, r.note]
            for r in rows
        ]

    def test_rst_escapes_markup(self):
        """Characters that are markup in rst come out as written."""
        text = "*not* `code` _x_ a|b back\\slash"
        row = MappingRow(
            jumpcloud_property="p", ui_field=text, scim_path="s", ninjio_field=text
        )

        cells = self.rst_table(render_table([row], "rst", notes=False))

        assert cells[1] == ["p", text, "s", text]

    def test_unknown_format(self):
        """An unknown format is refused, naming the ones that exist."""
        with pytest.raises(ValueError, match="use 'markdown' or 'rst'"):
            render_table(GROUP_MAPPING, "html")


class TestSphinxExtension:
    """The docs' directive renders the table from the data."""

    PAGES = {  # noqa: RUF012 -- read only
        "rst": (
            "Mapping\n=======\n\n"
            ".. scim-ninjio-mapping::\n   :rows: users\n   :no-notes:\n\n"
            ".. scim-ninjio-mapping::\n   :rows: groups\n"
        ),
        "md": (
            "# Mapping\n\n"
            "```{scim-ninjio-mapping}\n:rows: users\n:no-notes:\n```\n\n"
            "```{scim-ninjio-mapping}\n:rows: groups\n```\n"
        ),
    }

    def build(self, tmp_path: pathlib.Path, suffix: str) -> list[list[list[str]]]:
        """Build a one-page project with the extension; return its tables' cells."""
        from sphinx.cmd.build import build_main

        (tmp_path / "conf.py").write_text(
            textwrap.dedent(
                f"""
                import sys
                sys.path.insert(0, {str(DOCS / "_ext")!r})
                extensions = ["myst_parser", "scim_ninjio_docs"]
                smartquotes = False
                """
            )
        )
        (tmp_path / f"index.{suffix}").write_text(self.PAGES[suffix])
        out = tmp_path / "out"

        status = build_main(["-q", "-W", "-b", "xml", str(tmp_path), str(out)])

        assert status == 0
        tree = ET.parse(out / "index.xml")  # noqa: S314 -- Sphinx wrote it just now
        return [
            [
                ["".join(e.itertext()).strip() for e in row.iter("entry")]
                for row in t.iter("row")
            ]
            for t in tree.iter("table")
        ]

    @pytest.mark.parametrize("suffix", ["rst", "md"])
    def test_directive(self, tmp_path, monkeypatch, suffix):
        """In rst and MyST pages, the options pick the rows and the notes."""
        monkeypatch.setattr(sys, "path", list(sys.path))

        users, groups = self.build(tmp_path, suffix)

        assert users == [
            ["JumpCloud property", "JumpCloud UI field", "SCIM 2.0", "NINJIO"],
            *(
                [r.jumpcloud_property, r.ui_field, r.scim_path, r.ninjio_field]
                for r in ATTRIBUTE_MAPPING
            ),
        ]
        assert groups[1] == [
            "name",
            "Name",
            "displayName",
            "Organization",
            GROUP_MAPPING[0].note,
        ]
        assert groups[0][-1] == "Note"


class TestEmailFastPath:
    """The one-expression check of valid addresses agrees with the step by step one."""

    @given(
        st.text(max_size=40)
        | st.emails()
        | st.from_regex(r"[a-z.]{0,8}@[a-z.-]{0,12}", fullmatch=True)
    )
    def test_agrees(self, address):
        """An address passes the fast check exactly when no rule finds a fault."""
        from scim_ninjio.mapping import _VALID_EMAIL, _explain_email_fault

        assert (_VALID_EMAIL.match(address) is not None) == (
            _explain_email_fault(address) is None
        )
