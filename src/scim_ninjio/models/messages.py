"""SCIM protocol messages (:rfc:`7644`): lists, PATCH, searches and errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Literal, TypeVar

import attrs

from scim_ninjio import _constants
from scim_ninjio.models._base import extra_field, scim


__all__ = [
    "Error",
    "ListResponse",
    "PatchOp",
    "PatchOpName",
    "PatchOperation",
    "SearchRequest",
]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class ListResponse(Generic[T]):
    """
    One page of a query's results (:rfc:`7644#section-3.4.2`).

    ``ListResponse[User]`` decodes its ``Resources`` as :class:`User`. A server
    that leaves ``Resources`` out (as some do when ``totalResults`` is 0) gives
    an empty tuple.

    Attributes:
        total_results: How many resources match the query in all, if the server
            said (:rfc:`9865` lets cursor paging leave it out).
        resources: The resources of this page.
        start_index: The 1-based index of this page's first result.
        items_per_page: How many resources this page holds.
        next_cursor: The cursor of the next page (:rfc:`9865`); None on the last
            page.
        previous_cursor: The cursor of the previous page (:rfc:`9865`).
        extra: Attributes that this model does not know.
    """

    #: The schema URN of the message.
    SCHEMA: ClassVar[str] = _constants.LIST_RESPONSE

    total_results: int | None = None
    resources: tuple[T, ...] = attrs.field(default=(), metadata=scim(wire="Resources"))
    start_index: int | None = None
    items_per_page: int | None = None
    next_cursor: str | None = None
    previous_cursor: str | None = None
    extra: Mapping[str, Any] = extra_field()


#: The three PATCH operations (:rfc:`7644#section-3.5.2`).
PatchOpName = Literal["add", "remove", "replace"]


@attrs.frozen(kw_only=True)
class PatchOperation:
    """
    One operation of a PATCH request.

    ``op`` is read without regard to case (Entra sends ``"Replace"``) and kept
    in lower case.

    Attributes:
        op: ``"add"``, ``"remove"`` or ``"replace"``.
        path: The attribute path the operation targets (``"members"``,
            ``'emails[type eq "work"].value'``); None for an operation on the
            whole resource.
        value: The JSON value to add or replace with; for a remove, an optional
            list of values to remove (a form some servers need).
        extra: Attributes that this model does not know.
    """

    op: PatchOpName
    path: str | None = None
    value: Any = attrs.field(default=None, hash=False)
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class PatchOp:
    """
    A PATCH request body (:rfc:`7644#section-3.5.2`).

    Attributes:
        operations: The operations, applied in order and all or nothing.
        extra: Attributes that this model does not know.
    """

    #: The schema URN of the message.
    SCHEMA: ClassVar[str] = _constants.PATCH_OP

    operations: tuple[PatchOperation, ...] = attrs.field(
        default=(), metadata=scim(wire="Operations")
    )
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class SearchRequest:
    """
    A query sent as ``POST /.search`` (:rfc:`7644#section-3.4.3`).

    Attributes:
        attributes: Return only these attributes (and those always returned).
        excluded_attributes: Return all default attributes but these.
        filter: The filter, in SCIM filter syntax.
        sort_by: The attribute to sort by.
        sort_order: ``"ascending"`` or ``"descending"``.
        start_index: The 1-based index of the first result (index paging).
        count: The largest number of results per page.
        cursor: The page cursor (:rfc:`9865`); an empty string asks for the
            first page.
        extra: Attributes that this model does not know.
    """

    #: The schema URN of the message.
    SCHEMA: ClassVar[str] = _constants.SEARCH_REQUEST

    attributes: tuple[str, ...] = ()
    excluded_attributes: tuple[str, ...] = ()
    filter: str | None = None
    sort_by: str | None = None
    sort_order: Literal["ascending", "descending"] | None = None
    start_index: int | None = None
    count: int | None = None
    cursor: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class Error:
    """
    A SCIM error body (:rfc:`7644#section-3.12`).

    ``status`` is a JSON string on the wire; it is read from a string or a
    number and kept as an :class:`int`.

    Attributes:
        status: The HTTP status code.
        scim_type: The SCIM error type (``"uniqueness"``), if any.
        detail: A human-readable explanation.
        extra: Attributes that this model does not know.
    """

    #: The schema URN of the message.
    SCHEMA: ClassVar[str] = _constants.ERROR

    status: int = attrs.field(metadata=scim(as_string=True))
    scim_type: str | None = None
    detail: str | None = None
    extra: Mapping[str, Any] = extra_field()
