"""
Queries: one page by GET or ``POST /.search``, and every page in turn.

Iteration streams: each page is emitted as soon as it is read and then
dropped, so a sync over 100,000 users holds one page at a time. Real servers
make this harder than :rfc:`7644#section-3.4.2.4` suggests, so the loop
trusts nothing it can check:

- A server may cap ``count`` (fewer results than asked) or ignore it (all of
  them at once). The next ``startIndex`` is the current one plus the number
  of results received, never plus the number asked for.
- ``totalResults`` may drift while a sync adds and removes users; the latest
  value decides when to stop. When it is missing, an empty page ends the loop.
- ``Resources`` may be missing; it reads as an empty page.
- A server that ignores ``startIndex`` returns the same page forever; the
  same page twice in a row raises
  :class:`~scim_ninjio.exceptions.RemoteProtocolError` rather than yielding
  duplicates for ever. So does a cursor seen before (:rfc:`9865`), a run of
  empty cursor pages, or more pages than any real directory needs.
- An insertion during index paging shifts results by one, so the last result
  of a page comes again at the top of the next: results of the previous page
  are not emitted twice.

Limitations:
    Only the previous page is remembered (memory stays bounded), so a result
    shifted further by several insertions can come twice, and deletions during
    index paging can shift a result past the loop; cursor paging has neither
    problem. An expired cursor mid-way raises
    :class:`~scim_ninjio.exceptions.ExpiredCursorError` rather than starting
    over.
"""

from __future__ import annotations

import logging

from collections.abc import Sequence
from typing import Literal, TypeVar
from urllib.parse import quote, urlencode

import attrs

from scim_ninjio._codec import dumps, has_lone_surrogate
from scim_ninjio._filter import Filter, render
from scim_ninjio._http import Request
from scim_ninjio._ops._core import Emit, Op, Session, Stream, exchange, parse
from scim_ninjio._ops._discovery import capabilities
from scim_ninjio.exceptions import LocalProtocolError, RemoteProtocolError
from scim_ninjio.models import Group, ListResponse, SearchRequest, User


__all__ = ["iterate", "projection", "search"]

log = logging.getLogger(__name__)

R = TypeVar("R", User, Group)

#: No directory a sync handles has this many pages; a loop that reaches it is
#: a server bug, not a large tenant.
MAX_PAGES = 100_000
#: Cursor pages may be empty while the server scans; this many in a row is a
#: server that will never finish.
MAX_EMPTY_PAGES = 10

_LIST_OF: dict[type, type] = {User: ListResponse[User], Group: ListResponse[Group]}
_ACCEPT = {"accept": "application/scim+json, application/json"}
_SEARCH_HEADERS = {
    "content-type": "application/scim+json",
    "accept": "application/scim+json, application/json",
}

SortOrder = Literal["ascending", "descending"]


def projection(attributes: Sequence[str], excluded_attributes: Sequence[str]) -> str:
    """
    Return the query string that asks for some attributes only, or "".

    Raises:
        LocalProtocolError: Both lists are given; SCIM takes one or the other.
    """
    if attributes and excluded_attributes:
        raise LocalProtocolError(
            "give attributes or excluded_attributes, not both "
            "(RFC 7644 section 3.4.2.5 defines no meaning for the two together)"
        )
    _check_text(
        attributes=",".join(attributes),
        excluded_attributes=",".join(excluded_attributes),
    )
    if attributes:
        return "?attributes=" + quote(",".join(attributes), safe=",")
    if excluded_attributes:
        return "?excludedAttributes=" + quote(",".join(excluded_attributes), safe=",")

    return ""


def _check_text(**texts: str | None) -> None:
    """Refuse a query text that no URL or UTF-8 body can carry."""
    for name, text in texts.items():
        if text is not None and has_lone_surrogate(text):
            raise LocalProtocolError(
                f"the {name} {text!r} holds a lone UTF-16 surrogate, which is not a "
                "character and cannot be sent; correct the value where it came from"
            )


def search(
    session: Session,
    cls: type[R],
    *,
    filter: str | Filter | None = None,  # noqa: A002 -- SCIM's own name for it
    start_index: int | None = None,
    count: int | None = None,
    cursor: str | None = None,
    sort_by: str | None = None,
    sort_order: SortOrder | None = None,
    attributes: Sequence[str] = (),
    excluded_attributes: Sequence[str] = (),
    method: Literal["GET", "POST"] = "GET",
) -> Op[ListResponse[R]]:
    """
    Read one page of a query (:rfc:`7644#section-3.4.2`, section 3.4.3).

    ``filter`` is SCIM filter text, or a tree built with
    :mod:`scim_ninjio.filters`, which is rendered with every value escaped.

    Raises:
        LocalProtocolError: The arguments make no valid query.

    Limitations:
        Every resource of the page is decoded into its model at once. For a
        page of 100 users that costs about three times the CPU of parsing the
        JSON alone, and a hand-written constructor costs nearly as much, so
        listing is bound by building the models, not by HTTP.
    """
    _check(
        start_index=start_index,
        count=count,
        cursor=cursor,
        sort_order=sort_order,
        attributes=attributes,
        excluded_attributes=excluded_attributes,
    )
    filter = filter_text(filter)  # noqa: A001 -- SCIM's own name for it
    _check_text(
        filter=filter,
        cursor=cursor,
        sort_by=sort_by,
        attributes=",".join(attributes),
        excluded_attributes=",".join(excluded_attributes),
    )
    if method == "GET":
        params: list[tuple[str, str]] = []
        if filter is not None:
            params.append(("filter", filter))
        if start_index is not None:
            params.append(("startIndex", str(start_index)))
        if cursor is not None:
            params.append(("cursor", cursor))
        if count is not None:
            params.append(("count", str(count)))
        if sort_by is not None:
            params.append(("sortBy", sort_by))
        if sort_order is not None:
            params.append(("sortOrder", sort_order))
        if attributes:
            params.append(("attributes", ",".join(attributes)))
        if excluded_attributes:
            params.append(("excludedAttributes", ",".join(excluded_attributes)))
        target = cls.ENDPOINT
        if params:
            target += "?" + urlencode(params, quote_via=quote, safe=",")
        request = Request("GET", target, _ACCEPT)
    elif method == "POST":
        body = SearchRequest(
            filter=filter,
            start_index=start_index,
            count=count,
            cursor=cursor,
            sort_by=sort_by,
            sort_order=sort_order,
            attributes=tuple(attributes),
            excluded_attributes=tuple(excluded_attributes),
        )
        # A search changes nothing, so it may be retried like a GET.
        request = Request(
            "POST",
            cls.ENDPOINT + "/.search",
            _SEARCH_HEADERS,
            dumps(body),
            idempotent=True,
        )
    else:
        raise LocalProtocolError(
            f"method must be 'GET' or 'POST' (for /.search), got {method!r}"
        )
    response = yield from exchange(session, request)
    page: ListResponse[R] = parse(session, request, response, _LIST_OF[cls])

    return page


def _check(
    *,
    start_index: int | None,
    count: int | None,
    cursor: str | None,
    sort_order: str | None,
    attributes: Sequence[str],
    excluded_attributes: Sequence[str],
) -> None:
    if start_index is not None and start_index < 1:
        raise LocalProtocolError(
            f"start_index is 1-based and must be 1 or more, got {start_index}"
        )
    if count is not None and count < 0:
        raise LocalProtocolError(f"count must be 0 or more, got {count}")
    if cursor is not None and start_index is not None:
        raise LocalProtocolError(
            "give start_index (index paging) or cursor (RFC 9865), not both"
        )
    if sort_order not in {None, "ascending", "descending"}:
        raise LocalProtocolError(
            f"sort_order must be 'ascending' or 'descending', got {sort_order!r}"
        )
    projection(attributes, excluded_attributes)


def filter_text(filter: str | Filter | None) -> str | None:  # noqa: A002
    """The text of a filter: as given, or a tree rendered with escaped values."""
    if filter is None or isinstance(filter, str):
        return filter

    return render(filter)


def iterate(
    session: Session,
    cls: type[R],
    *,
    filter: str | Filter | None = None,  # noqa: A002 -- SCIM's own name for it
    sort_by: str | None = None,
    sort_order: SortOrder | None = None,
    attributes: Sequence[str] = (),
    excluded_attributes: Sequence[str] = (),
    page_size: int | None = None,
) -> Stream[R]:
    """
    Emit every result of a query, page by page, in the server's paging mode.

    Raises:
        RemoteProtocolError: The server pages in a way that would never end.
    """
    _check(
        start_index=None,
        count=page_size,
        cursor=None,
        sort_order=sort_order,
        attributes=attributes,
        excluded_attributes=excluded_attributes,
    )
    found = yield from capabilities(session)
    size = page_size or found.page_size
    query = _Query(
        filter=filter_text(filter),
        sort_by=sort_by,
        sort_order=sort_order,
        attributes=tuple(attributes),
        excluded_attributes=tuple(excluded_attributes),
    )
    if found.paging == "cursor":
        yield from _by_cursor(session, cls, size, query)
    else:
        yield from _by_index(session, cls, size, query)


@attrs.frozen(kw_only=True)
class _Query:
    """The parts of a query that stay the same from page to page."""

    filter: str | None
    sort_by: str | None
    sort_order: SortOrder | None
    attributes: tuple[str, ...]
    excluded_attributes: tuple[str, ...]

    def page(
        self,
        session: Session,
        cls: type[R],
        *,
        count: int,
        start_index: int | None = None,
        cursor: str | None = None,
    ) -> Op[ListResponse[R]]:
        return search(
            session,
            cls,
            filter=self.filter,
            start_index=start_index,
            count=count,
            cursor=cursor,
            sort_by=self.sort_by,
            sort_order=self.sort_order,
            attributes=self.attributes,
            excluded_attributes=self.excluded_attributes,
        )


def _by_index(session: Session, cls: type[R], size: int, query: _Query) -> Stream[R]:
    start = 1
    previous: tuple[R, ...] = ()
    previous_ids: frozenset[str] = frozenset()
    for _ in range(MAX_PAGES):
        page = yield from query.page(session, cls, start_index=start, count=size)
        resources = page.resources
        if not resources:
            total = page.total_results
            if total is not None and start <= total:
                log.warning(
                    "%s paging ended early: the page at startIndex %d was empty "
                    "although totalResults is %d",
                    cls.ENDPOINT,
                    start,
                    total,
                )
            return
        if resources == previous:
            raise RemoteProtocolError(
                f"GET {session.base_url}{cls.ENDPOINT} returned the same page for "
                f"startIndex {start} as for the page before: the server ignores "
                "startIndex, so iterating would never end",
                status=200,
                method="GET",
                url=session.base_url + cls.ENDPOINT,
            )
        fresh = tuple(r for r in resources if r.id is None or r.id not in previous_ids)
        if fresh:
            yield Emit(fresh)
        start += len(resources)
        total = page.total_results
        if total is not None and start > total:
            return
        previous = resources
        previous_ids = frozenset(r.id for r in resources if r.id is not None)
    raise _endless(session, cls, f"more than {MAX_PAGES} pages")


def _by_cursor(session: Session, cls: type[R], size: int, query: _Query) -> Stream[R]:
    cursor = ""
    seen: set[str] = set()
    empty = 0
    for _ in range(MAX_PAGES):
        page = yield from query.page(session, cls, cursor=cursor, count=size)
        if page.resources:
            empty = 0
            yield Emit(page.resources)
        else:
            empty += 1
            if empty >= MAX_EMPTY_PAGES:
                raise _endless(session, cls, f"{empty} empty pages in a row")
        following = page.next_cursor
        if not following:
            return
        if following in seen or following == cursor:
            raise _endless(session, cls, f"the cursor {following!r} came back")
        seen.add(cursor)
        cursor = following
    raise _endless(session, cls, f"more than {MAX_PAGES} pages")


def _endless(session: Session, cls: type[R], why: str) -> RemoteProtocolError:
    url = session.base_url + cls.ENDPOINT

    return RemoteProtocolError(
        f"GET {url} paging would never end ({why}); stopped rather than loop",
        status=200,
        method="GET",
        url=url,
    )
