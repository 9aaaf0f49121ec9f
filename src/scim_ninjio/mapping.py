"""
The attribute mapping from JumpCloud to SCIM to NINJIO, as data.

:data:`ATTRIBUTE_MAPPING` and :data:`GROUP_MAPPING` are the table of
JumpCloud's article on the NINJIO integration, row by row, with two
corrections that the rows' notes explain: the job title is sent as SCIM's
``title`` (the article says ``jobTitle``), and the department, which the
article leaves out, is sent in the enterprise extension because NINJIO builds
its groups from it (rule N2).

The functions here are driven by the table: :func:`to_scim_user` reads each
row's JumpCloud property and writes it at the row's SCIM path, and
:func:`render_table` prints the same rows for the docs and the command line.
Change a row and both follow.

Limitations:
    Only the properties of the article's table, and the department, are
    sent. Other JumpCloud properties (``middlename``, ``displayname``,
    ``phoneNumbers``, ``addresses``, ``manager``, ``company``,
    ``costCenter``) are not, since NINJIO does not say that it reads them.

>>> from scim_ninjio.jumpcloud import SystemUser
>>> user = to_scim_user(SystemUser(id="u1", username="ada", firstname="Ada",
...                                activated=True, department="Research"))
>>> user.user_name, user.active, user.name.given_name, user.enterprise.department
('ada', True, 'Ada', 'Research')
"""

from __future__ import annotations

import operator
import re

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Literal

import attrs

from scim_ninjio import _constants
from scim_ninjio._codec import decode
from scim_ninjio.exceptions import FieldError, ValidationError
from scim_ninjio.jumpcloud import SystemUser, UserGroup
from scim_ninjio.models import Group, User


__all__ = [
    "ATTRIBUTE_MAPPING",
    "GROUP_MAPPING",
    "TABLE_COLUMNS",
    "MappingRow",
    "TableColumn",
    "TableFormat",
    "is_active",
    "is_staged",
    "render_table",
    "table_columns",
    "to_scim_group",
    "to_scim_user",
    "unmappable_users",
    "user_problems",
]


@attrs.frozen(kw_only=True)
class MappingRow:
    """
    One row of the attribute mapping.

    Attributes:
        jumpcloud_property: The property's key in JumpCloud's API
            (``"employeeIdentifier"``); ``"active"`` is derived (rule U4).
        ui_field: The field's label in the JumpCloud console.
        scim_path: Where the value goes in the SCIM resource, as a SCIM path
            (:rfc:`7644#section-3.5.2`).
        ninjio_field: What NINJIO does with it.
        note: Why the row is as it is, where that needs saying.
    """

    jumpcloud_property: str
    ui_field: str
    scim_path: str
    ninjio_field: str
    note: str = ""


#: How each JumpCloud user property reaches NINJIO, in the article's order.
ATTRIBUTE_MAPPING: Final[tuple[MappingRow, ...]] = (
    MappingRow(
        jumpcloud_property="username",
        ui_field="Username",
        scim_path="userName",
        ninjio_field="userName",
        note="Required. NINJIO compares userNames without case (rule U2).",
    ),
    MappingRow(
        jumpcloud_property="active",
        ui_field="Status",
        scim_path="active",
        ninjio_field="active",
        note="Derived (rule U4): true when the user is activated and not "
        "suspended, or when their state is ACTIVATED. Staged users are not sent.",
    ),
    MappingRow(
        jumpcloud_property="email",
        ui_field="Company Email",
        scim_path='emails[type eq "work"].value',
        ninjio_field="emails",
        note="Sent as the user's one work address, marked primary.",
    ),
    MappingRow(
        jumpcloud_property="employeeIdentifier",
        ui_field="Employee ID",
        scim_path="externalId",
        ninjio_field="externalId",
    ),
    MappingRow(
        jumpcloud_property="firstname",
        ui_field="First Name",
        scim_path="name.givenName",
        ninjio_field="name.givenName",
    ),
    MappingRow(
        jumpcloud_property="lastname",
        ui_field="Last Name",
        scim_path="name.familyName",
        ninjio_field="name.familyName",
    ),
    MappingRow(
        jumpcloud_property="jobTitle",
        ui_field="Job Title",
        scim_path="title",
        ninjio_field="title",
        note="JumpCloud's article gives the SCIM name as jobTitle; the SCIM core "
        "schema calls the attribute title, which is what is sent.",
    ),
    MappingRow(
        jumpcloud_property="department",
        ui_field="Department",
        scim_path=f"{_constants.ENTERPRISE_USER}:department",
        ninjio_field="group placement (N2)",
        note="Not in JumpCloud's article, yet NINJIO builds its groups from "
        "departments, so it is sent in the enterprise extension.",
    ),
)

#: How a JumpCloud user group reaches NINJIO.
GROUP_MAPPING: Final[tuple[MappingRow, ...]] = (
    MappingRow(
        jumpcloud_property="name",
        ui_field="Name",
        scim_path="displayName",
        ninjio_field="Organization",
        note="NINJIO shows a group's displayName as its Organization. Members "
        "are sent separately, by their NINJIO ids (rule G3).",
    ),
)


# --- Status (U4) ----------------------------------------------------------------


def is_active(user: SystemUser) -> bool:
    """
    Return whether the user is active in JumpCloud (rule U4).

    Where JumpCloud reports a ``state``, the user is active when it is
    ``ACTIVATED``; the state is the more precise of JumpCloud's status
    properties. Otherwise the user is active when activated and not
    suspended.

    >>> is_active(SystemUser(id="u1", activated=True, suspended=True))
    False
    """
    if user.state is not None:
        return user.state == "ACTIVATED"

    return user.activated is True and user.suspended is not True


def is_staged(user: SystemUser) -> bool:
    """
    Return whether the user is staged: not yet activated (rule U4).

    Staged users are not pushed to NINJIO. A user whose status JumpCloud did
    not report at all counts as staged, so that an account is never pushed
    on a guess.

    >>> is_staged(SystemUser(id="u1", state="STAGED"))
    True
    """
    if user.state is not None:
        return user.state == "STAGED"

    return user.activated is not True and user.suspended is not True


# --- Bad records (U7) -------------------------------------------------------------

_LOCAL_PART = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


#: Every check below at once, for the common case of a valid address: one
#: regular expression instead of a dozen steps per user of a large directory.
_VALID_EMAIL = re.compile(
    rf"(?=.{{1,254}}\Z)(?=[^@]{{1,64}}@)(?:{_LOCAL_PART.pattern})"
    rf"@(?:{_DOMAIN_LABEL.pattern})(?:\.(?:{_DOMAIN_LABEL.pattern}))+\Z",
    re.DOTALL,
)


def _email_fault(address: str) -> str | None:
    """Say why an address is not a valid email address, or return None."""
    # Syntax only (RFC 5321 and 5322 dot-atoms, with Unicode letters as RFC
    # 6531 allows): whether the mailbox exists is NINJIO's mail server's
    # business, and a DNS lookup per user would make a sync slow and flaky.
    if _VALID_EMAIL.match(address):
        return None
    return _explain_email_fault(address)


def _explain_email_fault(address: str) -> str | None:
    """The slow path of :func:`_email_fault`: find which rule an address breaks."""
    if len(address) > 254:
        return "it is longer than 254 characters"
    if any(c.isspace() for c in address):
        return "it holds a space"
    local, at, domain = address.rpartition("@")
    if not at:
        return "it has no @"
    if not local:
        return "nothing comes before the @"
    if "@" in local:
        return "it has more than one @"
    if len(local) > 64:
        return "the part before the @ is longer than 64 characters"
    if not _LOCAL_PART.fullmatch(local):
        return (
            "the part before the @ holds a character that needs quoting, or a "
            "dot at its start, at its end or next to another"
        )
    if not domain:
        return "nothing comes after the @"
    labels = domain.split(".")
    if len(labels) < 2:
        return f"the domain {domain!r} has no dot"
    if not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        return f"the domain {domain!r} is not a valid host name"

    return None


def _username_fault(username: str) -> str | None:
    """Say why a username is not a valid SCIM userName, or return None."""
    # RFC 7643 sets no syntax for userName, but it is what people sign in with
    # and what servers compare: surrounding spaces and control characters are
    # always a data-entry fault, and servers strip or refuse them.
    if username != username.strip():
        return "it starts or ends with a space"
    if _CONTROL.search(username):
        return "it holds a control character (a tab, a line break)"

    return None


def _faults(user: SystemUser) -> list[FieldError]:
    faults = []
    if user.username is None:
        faults.append(
            FieldError(
                "$.username",
                "It has no username, and NINJIO needs a userName: set the "
                "user's Username in JumpCloud.",
            )
        )
    else:
        why = _username_fault(user.username)
        if why is not None:
            faults.append(
                FieldError(
                    "$.username",
                    f"Its username {user.username!r} is not a valid SCIM "
                    f"userName: {why}. Correct the Username in JumpCloud.",
                )
            )
    for name, key in user.JUMPCLOUD_KEYS.items():
        value = getattr(user, name)
        # isascii() is far cheaper than a search, and true of almost every value.
        if isinstance(value, str) and not value.isascii() and _SURROGATE.search(value):
            # JSON's \ud800 escapes decode to text that no UTF-8 body can carry.
            faults.append(
                FieldError(
                    f"$.{key}",
                    f"Its {key} {value!r} holds a lone UTF-16 surrogate, which is "
                    f"not a character and cannot be sent: correct the {key} in "
                    "JumpCloud.",
                )
            )
    if user.email is not None:
        why = _email_fault(user.email)
        if why is not None:
            faults.append(
                FieldError(
                    "$.email",
                    f"Its email {user.email!r} is not a valid address: {why}. "
                    "Correct the Company Email in JumpCloud.",
                )
            )

    return faults


def user_problems(user: SystemUser) -> tuple[str, ...]:
    """
    Say why a user cannot be mapped to a SCIM user (rule U7), if they cannot.

    A user cannot be mapped without a username, with a username that is not a
    valid SCIM userName (surrounding spaces, control characters), or with an
    email address that is not valid. A missing email is allowed. Whether two
    users' usernames collide is :func:`unmappable_users`' business.

    Returns:
        One sentence per fault, saying what is wrong and where to fix it;
        empty when the user can be mapped.

    >>> user_problems(SystemUser(id="u1", username="ada", email="ada@example"))
    ("Its email 'ada@example' is not a valid address: the domain 'example' has no dot. Correct the Company Email in JumpCloud.",)

    Limitations:
        Email addresses are checked for syntax only, and quoted local parts
        (``"ada lovelace"@example.com``) and IP-literal domains are refused,
        though RFC 5322 allows them. A userName is checked only for
        surrounding spaces and control characters: NINJIO publishes no rule
        on its length or characters.
    """  # noqa: E501 -- a doctest's output is one line
    return tuple(fault.reason for fault in _faults(user))


def unmappable_users(users: Iterable[SystemUser]) -> Mapping[str, tuple[str, ...]]:
    """
    Find every user that cannot be mapped, with the reasons (rule U7).

    Besides the faults of :func:`user_problems`, a username that another user
    also has, compared without case, is a fault of both: NINJIO compares
    userNames without case, so it could not tell them apart. Pass the users
    that are to be pushed (in scope), since only they can collide in NINJIO.

    Returns:
        The reasons, by user id, for the users that cannot be mapped only.
    """
    reasons: dict[str, list[str]] = {}
    by_name: dict[str, list[SystemUser]] = {}
    for user in users:
        faults = _faults(user)
        if faults:
            reasons[user.id] = [fault.reason for fault in faults]
        if user.username is not None:
            # casefold, not lower: it also folds "ß" into "ss", as servers may.
            by_name.setdefault(user.username.casefold(), []).append(user)
    for same in by_name.values():
        if len(same) < 2:
            continue
        for user in same:
            others = ", ".join(
                f"{other.username!r} (user {other.id})"
                for other in same
                if other is not user
            )
            reasons.setdefault(user.id, []).append(
                f"Its username {user.username!r} is also used by {others} once "
                "case is ignored, and NINJIO compares userNames without case: "
                "make the usernames unique in JumpCloud."
            )

    return {user_id: tuple(found) for user_id, found in reasons.items()}


# --- From the table to SCIM ---------------------------------------------------------

_PATH = re.compile(
    r"(?:(?P<urn>urn:[^\[\]]+):)?"
    r"(?P<attr>[A-Za-z][\w$-]*)"
    r'(?:\[(?P<filter_attr>[A-Za-z]\w*) eq "(?P<filter_value>[^"]*)"\])?'
    r"(?:\.(?P<sub>[A-Za-z][\w$-]*))?"
)

_Writer = Callable[[dict[str, Any], Any], None]


def _writer(path: str) -> _Writer:
    """Compile a row's SCIM path into a function that writes a value there."""
    match = _PATH.fullmatch(path)
    if match is None:
        raise ValueError(
            f"the mapping path {path!r} is not one that scim_ninjio can write: "
            'use attr, attr.sub, attr[type eq "x"].sub or a URN-prefixed attr'
        )
    urn, attr, filter_attr, filter_value, sub = match.group(
        "urn", "attr", "filter_attr", "filter_value", "sub"
    )

    def write(document: dict[str, Any], value: Any) -> None:
        target = document.setdefault(urn, {}) if urn else document
        if filter_attr:
            # A value filter selects one value of a multi-valued attribute;
            # being the only one the row writes, it is the primary one.
            item = {filter_attr: filter_value, "primary": True}
            item[sub or "value"] = value
            target.setdefault(attr, []).append(item)
        elif sub:
            target.setdefault(attr, {})[sub] = value
        else:
            target[attr] = value

    return write


def _reader(
    row: MappingRow,
    keys: Mapping[str, str],
    derived: Mapping[str, Callable[[Any], Any]],
) -> Callable[[Any], Any]:
    """Return the function that reads a row's JumpCloud property from a record."""
    if row.jumpcloud_property in derived:
        return derived[row.jumpcloud_property]
    for name, key in keys.items():
        if key == row.jumpcloud_property:
            return operator.attrgetter(name)
    raise ValueError(
        f"the mapping row for {row.jumpcloud_property!r} names a JumpCloud "
        "property that the record does not read"
    )


def _compile(
    rows: Sequence[MappingRow],
    keys: Mapping[str, str],
    derived: Mapping[str, Callable[[Any], Any]],
) -> tuple[tuple[Callable[[Any], Any], _Writer], ...]:
    return tuple((_reader(row, keys, derived), _writer(row.scim_path)) for row in rows)


_USER_STEPS: Final = _compile(
    ATTRIBUTE_MAPPING, SystemUser.JUMPCLOUD_KEYS, {"active": is_active}
)
_GROUP_STEPS: Final = _compile(GROUP_MAPPING, UserGroup.JUMPCLOUD_KEYS, {})


def _document(
    record: Any, steps: Iterable[tuple[Callable[[Any], Any], _Writer]]
) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for read, write in steps:
        value = read(record)
        # Absent stays absent, so that a diff never clears in NINJIO what
        # JumpCloud did not send.
        if value is not None:
            write(document, value)

    return document


def to_scim_user(user: SystemUser) -> User:
    """
    Map a JumpCloud user to the SCIM user that NINJIO receives.

    Each row of :data:`ATTRIBUTE_MAPPING` puts one property in place. Absent
    properties stay absent (None), so that a diff does not clear in NINJIO
    what JumpCloud does not send; ``active`` is always set (rule U4).

    Raises:
        ValidationError: The user cannot be mapped (rule U7); ``subject`` is
            the user's id and ``errors`` gives each fault with the JumpCloud
            property it concerns.
    """
    faults = _faults(user)
    if faults:
        raise ValidationError(errors=faults, subject=user.id)

    return decode(_document(user, _USER_STEPS), User)


def to_scim_group(group: UserGroup) -> Group:
    """
    Map a JumpCloud user group to the SCIM group that NINJIO receives.

    Only the rows of :data:`GROUP_MAPPING` are filled in. Members need the
    users' NINJIO ids, so the planner adds them (rule G3).

    >>> to_scim_group(UserGroup(id="g1", name="Sales")).display_name
    'Sales'
    """
    return decode(_document(group, _GROUP_STEPS), Group)


# --- The table as text --------------------------------------------------------------

#: The text formats that :func:`render_table` writes.
TableFormat = Literal["markdown", "rst"]


@attrs.frozen(kw_only=True)
class TableColumn:
    """
    A column of the mapping table as the docs and the command line show it.

    Attributes:
        header: The column's heading.
        field: The :class:`MappingRow` attribute that fills it.
        code: Whether its cells are set as code (property names and paths).
        width: Its width relative to the other columns, for tables that
            need one (the docs).
    """

    header: str
    field: str
    code: bool = False
    width: int = 15

    def cell(self, row: MappingRow) -> str:
        """Return this column's text for a row."""
        return str(getattr(row, self.field))


#: The columns of the table, in order; the last one holds the notes.
TABLE_COLUMNS: Final = (
    TableColumn(header="JumpCloud property", field="jumpcloud_property", code=True),
    TableColumn(header="JumpCloud UI field", field="ui_field"),
    TableColumn(header="SCIM 2.0", field="scim_path", code=True, width=25),
    TableColumn(header="NINJIO", field="ninjio_field"),
    TableColumn(header="Note", field="note", width=35),
)

_RST_SPECIAL = re.compile(r"([\\`*|_])")


def table_columns(*, notes: bool = True) -> tuple[TableColumn, ...]:
    """Return the columns of the table, with or without the notes."""
    return TABLE_COLUMNS if notes else TABLE_COLUMNS[:-1]


def render_table(
    rows: Iterable[MappingRow], fmt: TableFormat = "markdown", *, notes: bool = True
) -> str:
    """
    Render mapping rows as a Markdown or reStructuredText table.

    The JumpCloud property and the SCIM path are set as code.

    Args:
        rows: The rows, usually :data:`ATTRIBUTE_MAPPING` or
            :data:`GROUP_MAPPING`.
        fmt: ``"markdown"`` (a pipe table) or ``"rst"`` (a list-table
            directive).
        notes: Add a column with each row's note.

    Raises:
        ValueError: ``fmt`` is not a format named above.

    >>> print(render_table(GROUP_MAPPING, notes=False))
    | JumpCloud property | JumpCloud UI field | SCIM 2.0 | NINJIO |
    |---|---|---|---|
    | `name` | Name | `displayName` | Organization |
    """
    columns = table_columns(notes=notes)
    if fmt == "markdown":
        return _markdown(columns, rows)
    if fmt == "rst":
        return _rst(columns, rows)
    raise ValueError(f"unknown table format {fmt!r}: use 'markdown' or 'rst'")


def _markdown(columns: Sequence[TableColumn], rows: Iterable[MappingRow]) -> str:
    def cell(column: TableColumn, row: MappingRow) -> str:
        text = column.cell(row).replace("|", "\\|")
        return f"`{text}`" if column.code and text else text

    lines = [
        "| " + " | ".join(c.header for c in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines += ["| " + " | ".join(cell(c, row) for c in columns) + " |" for row in rows]

    return "\n".join(lines)


def _rst(columns: Sequence[TableColumn], rows: Iterable[MappingRow]) -> str:
    def cell(column: TableColumn, row: MappingRow) -> str:
        text = column.cell(row)
        if column.code and text:
            return f"``{text}``"
        return _RST_SPECIAL.sub(r"\\\1", text)

    lines = [".. list-table::", "   :header-rows: 1", ""]
    table = [[c.header for c in columns]]
    table += [[cell(c, row) for c in columns] for row in rows]
    for cells in table:
        lines.append(f"   * - {cells[0]}".rstrip())
        lines += [f"     - {text}".rstrip() for text in cells[1:]]

    return "\n".join(lines)
