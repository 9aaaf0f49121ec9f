"""
Sphinx extension: pages generated from scim_ninjio's own data.

``scim-ninjio-mapping`` renders the attribute-mapping table from
:mod:`scim_ninjio.mapping`, so the docs never repeat it by hand. In MyST::

    ```{scim-ninjio-mapping}
    :rows: users
    ```

``:rows:`` is ``users`` (the user attributes), ``groups`` (the group row) or
``all`` (the default); ``:no-notes:`` leaves out the column of notes.

``scim-ninjio-rules`` renders the rules of :data:`scim_ninjio.policy.RULES`,
so that the table of rules is the one the code and the tests name::

    ```{scim-ninjio-rules}
    :prefix: U
    ```

``:prefix:`` keeps the rules whose identifiers start with one of the given
letters (``U``, ``G``, ``N``, ``IM``); without it every rule is shown.

The table is built as docutils nodes rather than as markup to be parsed, so
it comes out the same in reStructuredText and in MyST pages.

A reference to a name that a package re-exports (``scim_ninjio.Engine``,
``scim_ninjio.testing.LiveServer``) links to the same object where the
reference documents it (``scim_ninjio.engine.Engine``,
``scim_ninjio.testing.server.LiveServer``), so that docstrings may name
either spelling.
"""

from __future__ import annotations

import importlib
import sys

from collections.abc import Sequence
from typing import Any, ClassVar, cast

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.python import PythonDomain
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode
from sphinx.util.typing import ExtensionMetadata

from scim_ninjio import mapping, policy


_ROWS = {
    "users": mapping.ATTRIBUTE_MAPPING,
    "groups": mapping.GROUP_MAPPING,
    "all": mapping.ATTRIBUTE_MAPPING + mapping.GROUP_MAPPING,
}


def _rows_choice(argument: str | None) -> str:
    return str(directives.choice(argument, tuple(_ROWS)))


def _row(cells: Sequence[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        row += nodes.entry("", nodes.paragraph("", "", cell))

    return row


def build_table(
    rows: Sequence[mapping.MappingRow], *, notes: bool = True
) -> nodes.table:
    """
    Build the docutils table of some mapping rows.

    Args:
        rows: The rows to show.
        notes: Add the column of notes.
    """
    columns = mapping.table_columns(notes=notes)
    group = nodes.tgroup(cols=len(columns))
    group += [nodes.colspec(colwidth=c.width) for c in columns]
    group += nodes.thead("", _row([nodes.Text(c.header) for c in columns]))
    body = nodes.tbody()
    for row in rows:
        cells: list[nodes.Node] = []
        for column in columns:
            text = column.cell(row)
            cells.append(nodes.literal(text, text) if column.code else nodes.Text(text))
        body += _row(cells)
    group += body
    table = nodes.table(classes=["scim-ninjio-mapping"])
    table += group

    return table


class MappingTable(SphinxDirective):
    """Render rows of the attribute mapping as a table."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "rows": _rows_choice,
        "no-notes": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        """Return the table of the rows that the options ask for."""
        rows = _ROWS[self.options.get("rows", "all")]

        return [build_table(rows, notes="no-notes" not in self.options)]


def rules_table(rules: Sequence[policy.Rule]) -> nodes.table:
    """
    Build the docutils table of some rules: identifier, title and text.

    Args:
        rules: The rules to show, in order.
    """
    group = nodes.tgroup(cols=3)
    group += [nodes.colspec(colwidth=width) for width in (6, 16, 78)]
    group += nodes.thead("", _row([nodes.Text(h) for h in ("Rule", "Title", "What")]))
    body = nodes.tbody()
    for rule in rules:
        body += _row(
            [
                nodes.literal(rule.id, rule.id),
                nodes.strong(rule.title, rule.title),
                nodes.Text(rule.text),
            ]
        )
    group += body
    table = nodes.table(classes=["scim-ninjio-rules"])
    table += group

    return table


class RulesTable(SphinxDirective):
    """Render the rules of :mod:`scim_ninjio.policy` as a table."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {"prefix": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        """Return the table of the rules whose identifiers the options ask for."""
        prefixes = tuple(self.options.get("prefix", ""))
        rules = [
            rule
            for rule in policy.RULES.values()
            if not prefixes or rule.id.startswith(prefixes)
        ]
        if not rules:
            raise self.error(
                f"scim-ninjio-rules: no rule starts with any of {prefixes!r}; "
                "use letters of U, G, N, I and M"
            )

        return [rules_table(rules)]


#: The packages whose ``__all__`` re-exports names documented in a submodule.
REEXPORTING = ("scim_ninjio", "scim_ninjio.testing")


def resolve_reexport(
    app: Sphinx,
    env: BuildEnvironment,
    node: addnodes.pending_xref,
    contnode: nodes.TextElement,
) -> nodes.reference | None:
    """
    Link a re-exported name to the object where the reference documents it.

    ``scim_ninjio.testing.LiveServer`` resolves to the entry of
    ``scim_ninjio.testing.server.LiveServer``: the entry of a public module
    that holds the very same object under the same name. Other references are
    left to Sphinx (None).
    """
    if node.get("refdomain") != "py":
        return None
    package, _, name = str(node.get("reftarget", "")).rpartition(".")
    if package not in REEXPORTING:
        return None
    module = importlib.import_module(package)
    if name not in getattr(module, "__all__", ()):
        return None
    target = getattr(module, name)
    domain = cast("PythonDomain", env.get_domain("py"))
    for full_name, entry in domain.objects.items():
        home, _, attribute = full_name.rpartition(".")
        if (
            attribute == name
            and home != package
            and not entry.aliased
            and getattr(sys.modules.get(home), name, None) is target
        ):
            return make_refnode(
                app.builder,
                node["refdoc"],
                entry.docname,
                entry.node_id,
                contnode,
                full_name,
            )

    return None


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the directives and the resolver of re-exports with Sphinx."""
    app.add_directive("scim-ninjio-mapping", MappingTable)
    app.add_directive("scim-ninjio-rules", RulesTable)
    app.connect("missing-reference", resolve_reexport)

    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
