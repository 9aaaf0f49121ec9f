"""
Type aliases for code that uses scim_ninjio.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from typing import Any, TypeAlias


__all__ = ["JSONObject", "JSONValue"]

#: Any value a JSON document can hold.
JSONValue: TypeAlias = (
    bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
)

#: A JSON object, as :func:`json.loads` returns it.
#:
#: Values are typed ``Any`` rather than :data:`JSONValue` so that dictionaries
#: built by callers type-check without casts.
JSONObject: TypeAlias = dict[str, Any]
