"""
The emulator's SCIM service: routing and the handler of each endpoint.

Handlers raise the :class:`~scim_ninjio.exceptions.ScimError` a server answers
with; the emulator turns it into a SCIM Error response at its boundary.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from scim_ninjio import _constants
from scim_ninjio._filter import Filter, compile_filter, indexable_eq, parse
from scim_ninjio._http import Request, Response
from scim_ninjio._patch import apply
from scim_ninjio._schema import ResourceSchema, resource_schema
from scim_ninjio.exceptions import (
    FilterSyntaxError,
    InvalidFilterError,
    InvalidSyntaxError,
    MethodNotAllowedError,
    NotFoundError,
    NotImplementedByServerError,
    PreconditionFailedError,
)
from scim_ninjio.models import PatchOperation
from scim_ninjio.testing._emulator import _discovery
from scim_ninjio.testing._emulator._documents import (
    check_strict,
    field,
    group_attributes,
    render,
    user_attributes,
)
from scim_ninjio.testing._emulator._paging import ListQuery, Pager
from scim_ninjio.testing._emulator._placement import Placer
from scim_ninjio.testing._emulator._profile import EmulatorProfile
from scim_ninjio.testing._emulator._projection import Projection
from scim_ninjio.testing._emulator._responses import (
    etag_matches,
    json_response,
    read_json,
)
from scim_ninjio.testing._emulator._sorting import sort_records
from scim_ninjio.testing._emulator._store import Record, ResourceKind, Store


__all__ = ["MethodNotAllowed", "Service"]

logger = logging.getLogger(__name__)

_KINDS: Mapping[str, ResourceKind] = {"users": "User", "groups": "Group"}


class MethodNotAllowed(MethodNotAllowedError):  # noqa: N818 -- an error all the same
    """A 405 that knows the methods to list in the ``Allow`` header."""

    def __init__(self, detail: str, *, allow: str) -> None:
        self.allow = allow
        super().__init__(detail=detail)


def _allow(method: str, allowed: str) -> None:
    if method not in allowed.split(", "):
        raise MethodNotAllowed(
            f"{method} is not allowed here; allowed: {allowed}", allow=allowed
        )


@functools.lru_cache(maxsize=1024)
def _parse_filter(text: str) -> Filter:
    # Filter trees are frozen values, so one parse serves every request that
    # sends the same text (a sync looks up the same users again and again).
    try:
        return parse(text)
    except FilterSyntaxError as e:
        raise InvalidFilterError(detail=str(e)) from None


class Service:
    """
    Answers authenticated SCIM requests over a store.

    Args:
        store: The users and groups.
        placer: NINJIO's placement, used when the profile places users.
        pager: Cuts results into pages.
        profile: The server's behaviour.
        strict: Refuse what the RFCs forbid and lenient servers accept.
        clock: Returns the current time, for cursor expiry.
        base_url: The SCIM base URL that locations are built on.
    """

    def __init__(
        self,
        *,
        store: Store,
        placer: Placer,
        pager: Pager,
        profile: EmulatorProfile,
        strict: bool,
        clock: Callable[[], dt.datetime],
        base_url: str,
    ) -> None:
        self.store = store
        self.placer = placer
        self.pager = pager
        self.profile = profile
        self.strict = strict
        self.base_url = base_url
        self._clock = clock

    # --- Routing ------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        """Answer one authenticated request."""
        segments = [unquote(s) for s in request.path.split("/") if s]
        method = request.method.upper()
        head = segments[0].lower() if segments else ""
        kind = _KINDS.get(head)
        if kind is not None:
            if len(segments) == 1:
                _allow(method, "GET, POST")
                if method == "GET":
                    return self._search(kind, ListQuery.from_params(request.query))
                return self._create(kind, request)
            if len(segments) == 2 and segments[1] == ".search":
                _allow(method, "POST")
                body = read_json(request.body, what="a search")
                return self._search(kind, ListQuery.from_search(body))
            if len(segments) == 2:
                return self._resource(kind, segments[1], method, request)
        elif len(segments) == 1 and head == ".search":
            _allow(method, "POST")
            body = read_json(request.body, what="a search")
            return self._search(None, ListQuery.from_search(body))
        elif len(segments) == 1 and head == "serviceproviderconfig":
            _allow(method, "GET")
            return json_response(200, self._service_provider_config())
        elif head == "resourcetypes" and len(segments) <= 2:
            _allow(method, "GET")
            documents = _discovery.resource_types(self.base_url)
            return _discovery_response("ResourceType", documents, segments)
        elif head == "schemas" and len(segments) <= 2:
            _allow(method, "GET")
            documents = _discovery.schemas(self.base_url)
            return _discovery_response("Schema", documents, segments)
        elif len(segments) == 1 and head == "bulk":
            raise NotImplementedByServerError(
                detail="this server does not support bulk operations "
                "(ServiceProviderConfig bulk.supported is false)"
            )
        raise NotFoundError(
            detail=f"no SCIM endpoint at {request.path!r}; this server serves "
            "/Users, /Groups, /.search, /ServiceProviderConfig, /ResourceTypes "
            "and /Schemas"
        )

    # --- Resources ------------------------------------------------------------

    def existing(self, kind: ResourceKind, resource_id: str) -> Record:
        """
        Return a stored resource.

        Raises:
            NotFoundError: There is none of this kind with this id.
        """
        record = self.store.get(kind, resource_id)
        if record is None:
            raise NotFoundError(detail=f"no {kind} with id {resource_id!r}")

        return record

    def _resource(
        self, kind: ResourceKind, resource_id: str, method: str, request: Request
    ) -> Response:
        _allow(method, "GET, PUT, PATCH, DELETE")
        record = self.existing(kind, resource_id)
        if method == "GET":
            if self.profile.etags:
                wanted = request.header("if-none-match")
                if wanted is not None and etag_matches(wanted, record.etag):
                    return Response(304, {"etag": record.etag})
            return self._resource_response(200, record, request)
        self._check_if_match(request, record)
        if method == "PUT":
            data = read_json(request.body, what="a PUT")
            if self.strict:
                check_strict(data, resource_schema(kind))
            self.replace(record, data)
            return self._resource_response(200, record, request)
        if method == "DELETE":
            return self._delete(record)

        return self._patch(record, request)

    def _check_if_match(self, request: Request, record: Record) -> None:
        wanted = request.header("if-match")
        if wanted is None or not self.profile.etags:
            return
        if not etag_matches(wanted, record.etag):
            raise PreconditionFailedError(
                detail=f"If-Match {wanted} does not match the {record.kind}'s "
                f"current version {record.etag}; read it again and retry"
            )

    def _create(self, kind: ResourceKind, request: Request) -> Response:
        data = read_json(request.body, what=f"a POST to /{kind}s")
        if self.strict:
            check_strict(data, resource_schema(kind))
        record = self.create(kind, data, placed=True)

        return self._resource_response(201, record, request, location=True)

    def create(
        self,
        kind: ResourceKind,
        data: dict[str, Any],
        *,
        placed: bool,
        system: bool = False,
        resource_id: str | None = None,
    ) -> Record:
        """
        Store a new resource from a request body (or seed data).

        Args:
            kind: ``"User"`` or ``"Group"``.
            data: The resource as SCIM JSON.
            placed: Place a new user in NINJIO's groups (where the profile
                places users); seeded users are not.
            system: Mark a group as NINJIO's own.
            resource_id: The id to give it; a new one by default.

        Raises:
            ScimError: The data is not a valid resource, or breaks uniqueness.
        """
        if kind == "User":
            record = self.store.create(
                "User", user_attributes(data), resource_id=resource_id
            )
            if placed and self.profile.placement:
                self.placer.place(record)
            return record
        attributes, members = group_attributes(data, self.store)
        record = self.store.create(
            "Group",
            attributes,
            members=members,
            system=system,
            resource_id=resource_id,
        )
        self._place_again(m["value"] for m in members)

        return record

    def replace(self, record: Record, data: dict[str, Any]) -> None:
        """
        Replace a resource's attributes with those of a body (PUT).

        Raises:
            ScimError: The data is not a valid resource, or breaks uniqueness.
        """
        if record.kind == "User":
            self.store.replace(record, user_attributes(data))
            self._place_again([record.id])
            return
        attributes, members = group_attributes(data, self.store)
        self.store.replace(record, attributes)
        added, removed = self.store.set_members(record, members)
        self._place_again(added | removed)

    def _patch(self, record: Record, request: Request) -> Response:
        if not self.profile.patch:
            raise NotImplementedByServerError(
                detail="this server does not support PATCH "
                "(ServiceProviderConfig patch.supported is false); use PUT"
            )
        operations = self._patch_operations(read_json(request.body, what="a PATCH"))
        current = {**record.attributes, "id": record.id}
        if record.kind == "Group":
            current["members"] = list(record.members.values())
        patched = apply(
            current, operations, resource_schema(record.kind), strict=self.strict
        )
        patched.pop("id", None)
        if record.kind == "User":
            self.store.replace(record, user_attributes(patched))
            self._place_again([record.id])
        else:
            attributes, members = group_attributes(patched, self.store)
            self.store.replace(record, attributes)
            added, removed = self.store.set_members(record, members)
            self._place_again(added | removed)
        query = ListQuery.from_params(request.query)
        if self.profile.patch_status == 204 and not query.attributes:
            headers = {"etag": record.etag} if self.profile.etags else {}
            return Response(204, headers)

        return self._resource_response(200, record, request)

    def _patch_operations(self, data: dict[str, Any]) -> list[PatchOperation]:
        """
        Read the operations of a PatchOp body (:rfc:`7644#section-3.5.2`).

        The operations are built as given, without the codec's tolerance, so
        that the applier sees an ``op`` in the case it was sent and can refuse
        it in strict mode.
        """
        schemas = field(data, "schemas")
        if self.strict and (
            not isinstance(schemas, list)
            or _constants.PATCH_OP.lower() not in {str(s).lower() for s in schemas}
        ):
            raise InvalidSyntaxError(
                detail=f"a PATCH body must list {_constants.PATCH_OP} in schemas"
            )
        operations = field(data, "Operations")
        if not isinstance(operations, list) or not operations:
            raise InvalidSyntaxError(
                detail="a PATCH body needs Operations: a list of at least one "
                "operation (RFC 7644 section 3.5.2)"
            )
        out = []
        for index, operation in enumerate(operations):
            if not isinstance(operation, dict):
                raise InvalidSyntaxError(
                    detail=f"Operations[{index}] must be an object, not "
                    f"{type(operation).__name__}"
                )
            out.append(
                PatchOperation(
                    op=field(operation, "op"),
                    path=field(operation, "path"),
                    value=field(operation, "value"),
                )
            )

        return out

    def _delete(self, record: Record) -> Response:
        if record.kind == "User" and not self.profile.user_delete:
            raise MethodNotAllowed(
                f"{self.profile.name} does not delete users; deactivate the user "
                'instead (PATCH with {"active": false})',
                allow="GET, PUT, PATCH",
            )
        members = list(record.members)
        self.store.delete(record)
        self.placer.forget(record.id)
        self._place_again(members)

        return Response(204)

    def _place_again(self, user_ids: Iterable[str]) -> None:
        # Only users NINJIO placed before move: seeded users are NINJIO's own
        # and stay where they are.
        if self.profile.placement:
            self.placer.place_ids(user_ids)

    def render(self, record: Record) -> dict[str, Any]:
        """Return a resource as the server serves it, with every attribute."""
        return render(
            record, self.store, base_url=self.base_url, etags=self.profile.etags
        )

    def _resource_response(
        self,
        status: int,
        record: Record,
        request: Request,
        *,
        location: bool = False,
    ) -> Response:
        headers: dict[str, str] = {}
        if self.profile.etags:
            headers["etag"] = record.etag
        if location:
            headers["location"] = record.location(self.base_url)
        query = ListQuery.from_params(request.query)
        projection = Projection.of(
            resource_schema(record.kind),
            query.attributes,
            query.excluded_attributes,
        )
        document = self.render(record)
        if projection is not None:
            document = projection.apply(document)

        return json_response(status, document, headers)

    # --- Lists ----------------------------------------------------------------

    def _search(self, kind: ResourceKind | None, query: ListQuery) -> Response:
        kinds: tuple[ResourceKind, ...] = ("User", "Group") if kind is None else (kind,)
        results: list[Record] = []
        for each in kinds:
            results.extend(self._select(each, query))
        page = self.pager.page(
            results,
            query,
            resource_type=kind or "",
            now=self._clock().timestamp(),
        )
        projections = {
            each: Projection.of(
                resource_schema(each), query.attributes, query.excluded_attributes
            )
            for each in kinds
        }
        resources = []
        for record in page.records:
            document = self.render(record)
            projection = projections[record.kind]
            resources.append(
                document if projection is None else projection.apply(document)
            )
        body = {
            "schemas": [_constants.LIST_RESPONSE],
            **page.envelope,
            "Resources": resources,
        }

        return json_response(200, body)

    def _select(self, kind: ResourceKind, query: ListQuery) -> list[Record]:
        schema = resource_schema(kind)
        if query.filter is None:
            records = list(self.store.records(kind))
        else:
            records = self._filtered(kind, _parse_filter(query.filter), schema)
        if query.sort_by is not None:
            records = sort_records(
                records,
                self.render,
                sort_by=query.sort_by,
                descending=query.descending,
                schema=schema,
            )

        return records

    def _filtered(
        self, kind: ResourceKind, tree: Filter, schema: ResourceSchema
    ) -> list[Record]:
        indexed = indexable_eq(tree) if kind == "User" else None
        if indexed is not None:
            name, value = indexed
            if name == "userName":
                found = self.store.user_by_name(value)
                return [] if found is None else [found]
            return sorted(self.store.users_by_external_id(value), key=_seq)
        matcher = compile_filter(tree, schema)

        return [r for r in self.store.records(kind) if matcher(self.render(r))]

    # --- Discovery ------------------------------------------------------------

    def _service_provider_config(self) -> dict[str, Any]:
        return _discovery.service_provider_config(
            base_url=self.base_url,
            patch=self.profile.patch,
            etag=self.profile.etags,
            cursor=self.profile.cursor_paging,
            max_page_size=self.pager.max_page_size,
            default_page_size=self.pager.default_page_size,
            cursor_timeout=self.pager.cursor_timeout,
        )


def _seq(record: Record) -> int:
    return record.seq


def _discovery_response(
    what: str, documents: list[dict[str, Any]], segments: list[str]
) -> Response:
    if len(segments) == 2:
        for document in documents:
            if document["id"] == segments[1]:
                return json_response(200, document)
        raise NotFoundError(detail=f"no {what} with id {segments[1]!r}")

    return json_response(
        200,
        {
            "schemas": [_constants.LIST_RESPONSE],
            "totalResults": len(documents),
            "startIndex": 1,
            "itemsPerPage": len(documents),
            "Resources": documents,
        },
    )
