"""
Query parameters and paging for list and search requests.

Two paging methods, as a server that implements :rfc:`9865` offers them:

- index paging (:rfc:`7644#section-3.4.2.4`): ``startIndex`` (1-based, less
  than 1 read as 1) and ``count`` (capped at the largest page; negative read
  as 0, which asks for the total only);
- cursor paging (:rfc:`9865`): ``cursor`` (empty for the first page) and
  ``count``; each page but the last carries ``nextCursor``.

A cursor is opaque to clients but not secret: it names the position after
the page's last resource and a fingerprint of the query that made it, so a
cursor replayed with another filter or sort is refused (``invalidCursor``),
as RFC 9865 asks. Without ``sortBy`` the position is the creation order of
that last resource, so creating or deleting resources between two pages
neither skips nor repeats one; with ``sortBy`` it is an offset.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from scim_ninjio._codec import decode
from scim_ninjio.exceptions import (
    ExpiredCursorError,
    InvalidCountError,
    InvalidCursorError,
    InvalidSyntaxError,
    InvalidValueError,
    ValidationError,
)
from scim_ninjio.models import SearchRequest
from scim_ninjio.testing._emulator._store import Record


__all__ = ["ListQuery", "Page", "Pager"]


@attrs.frozen(kw_only=True)
class ListQuery:
    """
    What a list or search request asks for, from its query or its body.

    Attributes:
        filter: The filter text, if any.
        sort_by: The attribute to sort by, if any.
        descending: Whether ``sortOrder`` is ``descending``.
        start_index: The 1-based index of the first result (index paging).
        count: The page size asked for, if any.
        cursor: The cursor (cursor paging); ``""`` asks for the first page,
            None means index paging.
        attributes: Return only these attributes (plus those always returned).
        excluded_attributes: Leave these attributes out.
    """

    filter: str | None = None
    sort_by: str | None = None
    descending: bool = False
    start_index: int = 1
    count: int | None = None
    cursor: str | None = None
    attributes: tuple[str, ...] = ()
    excluded_attributes: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ListQuery:
        """
        Read a query from URL parameters (names compared without case).

        Raises:
            InvalidValueError: A number does not parse or sortOrder is unknown.
        """
        folded = {k.lower(): v for k, v in params.items()}
        cursor = folded.get("cursor")

        return cls(
            filter=folded.get("filter") or None,
            sort_by=folded.get("sortby") or None,
            descending=_descending(folded.get("sortorder")),
            start_index=_start_index(folded.get("startindex")),
            count=_count(folded.get("count"), cursor=cursor is not None),
            cursor=cursor,
            attributes=_names(folded.get("attributes")),
            excluded_attributes=_names(folded.get("excludedattributes")),
        )

    @classmethod
    def from_search(cls, document: dict[str, Any]) -> ListQuery:
        """
        Read a query from a ``POST /.search`` body (:rfc:`7644#section-3.4.3`).

        Raises:
            InvalidSyntaxError: The body is not a SearchRequest.
            InvalidValueError: A number is out of range.
        """
        try:
            search = decode(document, SearchRequest)
        except ValidationError as e:
            shown = "; ".join(str(error) for error in e.errors[:5])
            raise InvalidSyntaxError(
                detail=f"the body is not a SearchRequest: {shown}"
            ) from None
        count = search.count
        if count is not None and count < 0:
            if search.cursor is not None:
                raise InvalidCountError(detail=f"count must not be negative: {count}")
            count = 0

        return cls(
            filter=search.filter or None,
            sort_by=search.sort_by or None,
            descending=search.sort_order == "descending",
            start_index=max(search.start_index or 1, 1),
            count=count,
            cursor=search.cursor,
            attributes=search.attributes,
            excluded_attributes=search.excluded_attributes,
        )

    def fingerprint(self, resource_type: str) -> str:
        """Return a short digest of what a cursor must not change between pages."""
        text = "\x1f".join(
            (resource_type, self.filter or "", self.sort_by or "", str(self.descending))
        )

        return hashlib.sha256(text.encode()).hexdigest()[:12]


@attrs.frozen
class Page:
    """
    One page of results, and the ListResponse attributes that describe it.

    Attributes:
        records: The resources of the page.
        envelope: ``totalResults``, ``startIndex`` or ``nextCursor``, and so on.
    """

    records: Sequence[Record]
    envelope: dict[str, Any]


@attrs.frozen(kw_only=True)
class Pager:
    """
    Cuts sorted, filtered results into pages.

    Attributes:
        max_page_size: The largest page served.
        default_page_size: The page size when a request names none.
        cursor_paging: Whether cursor paging is offered; when not, a
            ``cursor`` parameter is ignored, as by a server that predates
            RFC 9865.
        strict_count: Refuse a cursor page ``count`` above the largest page
            (``invalidCount``) instead of serving the largest page.
        cursor_timeout: Seconds a cursor stays valid, or None for ever.
    """

    max_page_size: int
    default_page_size: int
    cursor_paging: bool
    strict_count: bool = False
    cursor_timeout: float | None = None

    def page(
        self,
        results: Sequence[Record],
        query: ListQuery,
        *,
        resource_type: str,
        now: float,
    ) -> Page:
        """
        Return the page of ``results`` that ``query`` asks for.

        Args:
            results: Every matching resource, in the order to serve them.
            query: The request's query.
            resource_type: Where the results come from, for cursor checks.
            now: The current time in seconds, for cursor expiry.

        Raises:
            InvalidCursorError: The cursor is not one this server gave for
                this query.
            ExpiredCursorError: The cursor is older than the cursor timeout.
            InvalidCountError: ``count`` is above the largest page in strict
                mode.
        """
        if query.cursor is not None and self.cursor_paging:
            return self._cursor_page(
                results, query, resource_type=resource_type, now=now
            )
        count = self._size(query.count)
        start = query.start_index
        chosen = results[start - 1 : start - 1 + count]

        return Page(
            chosen,
            {
                "totalResults": len(results),
                "startIndex": start,
                "itemsPerPage": len(chosen),
            },
        )

    def _size(self, count: int | None) -> int:
        if count is None:
            return self.default_page_size

        return min(count, self.max_page_size)

    def _cursor_page(
        self,
        results: Sequence[Record],
        query: ListQuery,
        *,
        resource_type: str,
        now: float,
    ) -> Page:
        if (
            self.strict_count
            and query.count is not None
            and query.count > self.max_page_size
        ):
            raise InvalidCountError(
                detail=f"count {query.count} is above the largest page, "
                f"{self.max_page_size}; ask for at most that many"
            )
        count = self._size(query.count)
        fingerprint = query.fingerprint(resource_type)
        keyset = query.sort_by is None
        offset = 0
        if query.cursor:
            position = self._read_cursor(
                query.cursor, fingerprint=fingerprint, keyset=keyset, now=now
            )
            offset = (
                _after_seq(results, position) if keyset else min(position, len(results))
            )
        chosen = results[offset : offset + count]
        envelope: dict[str, Any] = {
            "totalResults": len(results),
            "itemsPerPage": len(chosen),
        }
        end = offset + len(chosen)
        if chosen and end < len(results):
            position = chosen[-1].seq if keyset else end
            envelope["nextCursor"] = _write_cursor(
                "k" if keyset else "o", position, fingerprint, now
            )

        return Page(chosen, envelope)

    def _read_cursor(
        self, cursor: str, *, fingerprint: str, keyset: bool, now: float
    ) -> int:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
            kind, position_text, mark, issued_text = text.split(":")
            position, issued = int(position_text), float(issued_text)
            if kind not in {"k", "o"} or position < 0:
                raise ValueError(kind)  # noqa: TRY301 -- one message for every bad cursor
        except (ValueError, UnicodeError, binascii.Error):
            raise InvalidCursorError(
                detail=f"{cursor!r} is not a cursor this server gave; start "
                "again with an empty cursor"
            ) from None
        if mark != fingerprint or (kind == "k") != keyset:
            raise InvalidCursorError(
                detail="the cursor was made for another query; send the same "
                "filter and sort on every page"
            )
        if self.cursor_timeout is not None and now - issued > self.cursor_timeout:
            raise ExpiredCursorError(
                detail=f"the cursor is older than {self.cursor_timeout:g} "
                "seconds; start again with an empty cursor"
            )

        return position


def _write_cursor(kind: str, position: int, fingerprint: str, now: float) -> str:
    text = f"{kind}:{position}:{fingerprint}:{now:.3f}"

    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


def _after_seq(results: Sequence[Record], seq: int) -> int:
    # Results without sortBy are in creation order, so the first resource
    # created after the cursor's is found by bisection.
    low, high = 0, len(results)
    while low < high:
        middle = (low + high) // 2
        if results[middle].seq <= seq:
            low = middle + 1
        else:
            high = middle

    return low


def _descending(value: str | None) -> bool:
    if value is None or not value:
        return False
    folded = value.lower()
    if folded not in {"ascending", "descending"}:
        raise InvalidValueError(
            detail=f"sortOrder must be 'ascending' or 'descending', not {value!r}"
        )

    return folded == "descending"


def _integer(name: str, value: str) -> int:
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if not number.is_integer():
        raise InvalidValueError(detail=f"{name} must be an integer, not {value!r}")

    return int(number)


def _start_index(value: str | None) -> int:
    if value is None or not value:
        return 1

    return max(_integer("startIndex", value), 1)


def _count(value: str | None, *, cursor: bool) -> int | None:
    if value is None or not value:
        return None
    try:
        count = _integer("count", value)
    except InvalidValueError as e:
        if cursor:
            raise InvalidCountError(detail=e.detail) from None
        raise
    if count < 0:
        if cursor:
            raise InvalidCountError(detail=f"count must not be negative: {count}")
        return 0

    return count


def _names(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()

    return tuple(name.strip() for name in value.split(",") if name.strip())
