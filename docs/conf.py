"""Sphinx configuration for the scim_ninjio documentation."""

from __future__ import annotations

import pathlib
import sys

from importlib.metadata import version as _version


sys.path.insert(0, str(pathlib.Path(__file__).parent / "_ext"))

project = "scim_ninjio"
author = "The scim_ninjio maintainers"
copyright = "2026, The scim_ninjio maintainers"
release = _version("scim-ninjio")
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "scim_ninjio_docs",
]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_inventories"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True

nitpicky = True
nitpick_ignore_regex = [
    # Type variables and private helpers named in signatures.
    (r"py:.*", r"(scim_ninjio\.)?.*\._.*"),
    (r"py:.*", r"(scim_ninjio\.[\w.]+\.)?T"),
]
nitpick_ignore = [
    # Private callable aliases named in signatures; the parameter's
    # description says what the callable takes and returns.
    ("py:class", "ClientFactory"),
    ("py:class", "Handler"),
    ("py:class", "AsyncHandler"),
]

# The inventories are kept in _inventories/ (written by _inventories/make.py),
# so that the build needs no network.
intersphinx_mapping = {
    name: (url, f"_inventories/{name}.inv")
    for name, url in {
        "python": "https://docs.python.org/3",
        "attrs": "https://www.attrs.org/en/stable",
        "cattrs": "https://catt.rs/en/stable",
        "requests": "https://requests.readthedocs.io/en/latest",
        "urllib3": "https://urllib3.readthedocs.io/en/stable",
        "aiohttp": "https://docs.aiohttp.org/en/stable",
        "hypothesis": "https://hypothesis.readthedocs.io/en/latest",
        "pytest": "https://docs.pytest.org/en/stable",
    }.items()
}

html_theme = "furo"
html_title = f"scim_ninjio {release}"
html_static_path = ["_static"]

doctest_global_setup = """
import scim_ninjio
"""
