"""
A NINJIO emulator: a SCIM 2.0 service provider in memory, without I/O.

:class:`Emulator` answers a :class:`~scim_ninjio.Request` with a
:class:`~scim_ninjio.Response`. Wire it to a client with the in-memory
transport for fast tests, or serve it over real HTTP with
:class:`~scim_ninjio.testing.server.LiveServer`.

>>> from scim_ninjio import Request
>>> emulator = Emulator(token="s3cret")
>>> token = {"authorization": "Bearer s3cret"}
>>> answer = emulator.handle(Request("GET", "/Users", token))
>>> answer.status, answer.content_type
(200, 'application/scim+json')
>>> emulator.handle(Request("GET", "/Users")).status
401

With the NINJIO profile (the default) it behaves as NINJIO does: users are
never deleted, and NINJIO places every user in groups of its own (rules N1 to
N4 of :mod:`scim_ninjio.policy`). :data:`GENERIC_PROFILE` turns both off, for
use as a plain SCIM 2.0 server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import threading
import uuid

from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

import attrs

from scim_ninjio._codec import decode, encode
from scim_ninjio._http import Request, Response
from scim_ninjio.exceptions import (
    ConfigurationError,
    NotFoundError,
    ScimError,
    UnauthorizedError,
)
from scim_ninjio.models import Group, User
from scim_ninjio.policy import NinjioSettings, Placement
from scim_ninjio.testing._emulator._paging import Pager
from scim_ninjio.testing._emulator._placement import Placer
from scim_ninjio.testing._emulator._profile import (
    GENERIC_PROFILE,
    NINJIO_PROFILE,
    EmulatorProfile,
)
from scim_ninjio.testing._emulator._responses import error_response
from scim_ninjio.testing._emulator._service import MethodNotAllowed, Service
from scim_ninjio.testing._emulator._store import Record, Store


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TOKEN",
    "GENERIC_PROFILE",
    "NINJIO_PROFILE",
    "Emulator",
    "EmulatorProfile",
    "LoggedRequest",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The token an :class:`Emulator` accepts unless told otherwise. It is a test
#: value: never use it for a server that anything but a test can reach.
DEFAULT_TOKEN = "scim-ninjio-test-token"  # noqa: S105 -- a public test value

#: The base URL resources are located under, until a live server says its own.
DEFAULT_BASE_URL = "http://127.0.0.1/scim/v2"


#: What the emulator made of a request's ``authorization`` header.
Credentials = Literal["valid", "invalid", "missing", "unchecked"]


@attrs.frozen(kw_only=True)
class LoggedRequest:
    """
    One request the emulator received, as its request log keeps it.

    The log never holds the bearer token: ``headers`` leaves out
    ``authorization``, and ``credentials`` says what it held instead.

    Attributes:
        seq: The request's number, from 1, in the order received.
        method: The HTTP method.
        target: The path and query, relative to the SCIM base URL.
        headers: The request headers, without ``authorization``.
        body: The request body, if any.
        credentials: ``"valid"``, ``"invalid"`` or ``"missing"``; or
            ``"unchecked"`` when the emulator checks no token.
        status: The status the emulator answered with.
        received: When the request arrived, by the emulator's clock.
    """

    seq: int
    method: str
    target: str
    headers: Mapping[str, str] = attrs.field(hash=False)
    body: bytes | None = attrs.field(repr=False)
    credentials: Credentials
    status: int
    received: dt.datetime

    @property
    def path(self) -> str:
        """The target without its query string."""
        return self.target.partition("?")[0]

    @property
    def authorized(self) -> bool:
        """Whether the request got past the token check."""
        return self.credentials in {"valid", "unchecked"}

    def json(self) -> Any:
        """
        Return the body parsed as JSON.

        Raises:
            ValueError: The body is empty or not JSON.
        """
        import json  # noqa: PLC0415 -- only tests that look at bodies need it

        if not self.body:
            raise ValueError(f"{self.method} {self.path} had no body")

        return json.loads(self.body)


class Emulator:
    """
    A NINJIO SCIM 2.0 service provider in memory.

    Thread-safe: one lock serialises requests and the inspection methods, so
    a live server's threads and a test's assertions may share one emulator.

    Args:
        token: The bearer token clients must send, or None to check none. The
            emulator keeps only a digest of it; nothing it logs or returns
            holds the token.
        profile: :data:`NINJIO_PROFILE` (the default) or
            :data:`GENERIC_PROFILE`, or a profile of your own.
        placement: NINJIO's placement settings, used when the profile places
            users (the default group is on, as in NINJIO).
        max_page_size: The largest page a list or search returns.
        default_page_size: The page size when a request names none; the
            largest page by default.
        strict: Refuse what :rfc:`7644` forbids but real identity providers
            send (string booleans, capitalised PATCH ops, a remove with a
            value list, dotted keys); lenient by default, as servers are.
        clock: Returns the current time; ``meta`` timestamps and cursor
            expiry use it.
        base_url: The SCIM base URL that ``meta.location`` and ``$ref`` are
            built on. A live server sets it to its own URL.
        cursor_timeout: Seconds a paging cursor stays valid, or None.
        log_size: The most requests the log keeps (the oldest go first), or
            None to keep every one.
        id_factory: Returns a new resource id; random UUIDs by default.

    Raises:
        ConfigurationError: A page size is not positive.

    Limitations:
        What NINJIO answers is not public; where this emulator had to choose,
        it chose as follows, and a real tenant may differ. A user DELETE is
        answered 405 with a SCIM Error. Group names are unique without
        regard to case (409 ``uniqueness``). A department joins an existing
        group of that name rather than making a second one. Users seeded
        with :meth:`add_user` are never placed, and a deleted system group
        is made again for the users placement still puts in it.

        A user's ETag does not change when only its ``groups`` change, so
        that a group PATCH never fails a user's ``If-Match``. ``If-Match``
        compares tags weakly. Bulk is not supported (501). Filters follow
        the RFC grammar only: an unquoted value, or Entra's
        ``emails[type eq "work"].value eq "x"``, is answered 400
        ``invalidFilter``. Cursor pages carry no ``previousCursor``, and
        ``tooMany`` is never answered: results are paged instead.
    """

    def __init__(
        self,
        *,
        token: str | None = DEFAULT_TOKEN,
        profile: EmulatorProfile = NINJIO_PROFILE,
        placement: NinjioSettings | None = None,
        max_page_size: int = 100,
        default_page_size: int | None = None,
        strict: bool = False,
        clock: Callable[[], dt.datetime] | None = None,
        base_url: str = DEFAULT_BASE_URL,
        cursor_timeout: float | None = None,
        log_size: int | None = 10_000,
        id_factory: Callable[[], str] | None = None,
    ) -> None:
        if max_page_size < 1:
            raise ConfigurationError(
                f"max_page_size must be at least 1, not {max_page_size}"
            )
        if default_page_size is not None and not (
            1 <= default_page_size <= max_page_size
        ):
            raise ConfigurationError(
                f"default_page_size must be between 1 and max_page_size "
                f"({max_page_size}), not {default_page_size}"
            )
        self._token_digest = None if token is None else _digest(token)
        self.profile = profile
        self.strict = strict
        self._clock = clock or _utc_now
        self._lock = threading.RLock()
        store = Store(
            clock=self._clock,
            id_factory=id_factory or _uuid,
            unique_group_names=profile.unique_group_names,
        )
        self._service = Service(
            store=store,
            placer=Placer(store, placement or NinjioSettings()),
            pager=Pager(
                max_page_size=max_page_size,
                default_page_size=default_page_size or max_page_size,
                cursor_paging=profile.cursor_paging,
                strict_count=strict,
                cursor_timeout=cursor_timeout,
            ),
            profile=profile,
            strict=strict,
            clock=self._clock,
            base_url=base_url.rstrip("/"),
        )
        self._store = store
        self._log: deque[LoggedRequest] = deque(maxlen=log_size)
        self._seq = 0

    def __repr__(self) -> str:
        return (
            f"<Emulator profile={self.profile.name!r} users={len(self._store.users)} "
            f"groups={len(self._store.groups)}>"
        )

    @property
    def placement(self) -> NinjioSettings:
        """NINJIO's placement settings (rules N1 to N4)."""
        return self._service.placer.settings

    @property
    def base_url(self) -> str:
        """The SCIM base URL that ``meta.location`` and ``$ref`` are built on."""
        return self._service.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._service.base_url = value.rstrip("/")

    # --- HTTP -----------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """
        Answer one SCIM request.

        Errors are answered as SCIM Error bodies with their status and
        ``scimType`` (:rfc:`7644#section-3.12`); nothing a client sends makes
        this method raise.

        Args:
            request: The request; ``target`` is relative to the SCIM base URL
                and the ``authorization`` header carries the bearer token.
        """
        status_as = self.profile.error_status
        with self._lock:
            credentials = self._credentials(request)
            try:
                _authenticate(credentials)
                response = self._service.dispatch(request)
            except MethodNotAllowed as e:
                response = error_response(e, {"allow": e.allow}, status_as=status_as)
            except UnauthorizedError as e:
                challenge = 'Bearer realm="SCIM"'
                if credentials == "invalid":
                    challenge += ', error="invalid_token"'
                response = error_response(
                    e, {"www-authenticate": challenge}, status_as=status_as
                )
            except ScimError as e:
                response = error_response(e, status_as=status_as)
            self._record_request(request, credentials, response.status)
            logger.debug(
                "emulator: %s %s -> %d", request.method, request.path, response.status
            )

            return response

    __call__ = handle

    def _credentials(self, request: Request) -> Credentials:
        if self._token_digest is None:
            return "unchecked"
        header = request.header("authorization")
        if header is None:
            return "missing"
        scheme, _, given = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            _digest(given.strip()), self._token_digest
        ):
            return "invalid"

        return "valid"

    def _record_request(
        self, request: Request, credentials: Credentials, status: int
    ) -> None:
        self._seq += 1
        headers = {k: v for k, v in request.headers.items() if k != "authorization"}
        self._log.append(
            LoggedRequest(
                seq=self._seq,
                method=request.method,
                target=request.target,
                headers=headers,
                body=request.body,
                credentials=credentials,
                status=status,
                received=self._clock(),
            )
        )

    # --- Inspection -------------------------------------------------------------

    @property
    def users(self) -> tuple[User, ...]:
        """Every user, in creation order, as the server represents them."""
        with self._lock:
            return tuple(self._model(r, User) for r in self._store.records("User"))

    @property
    def groups(self) -> tuple[Group, ...]:
        """Every group, NINJIO's own included, in creation order."""
        with self._lock:
            return tuple(self._model(r, Group) for r in self._store.records("Group"))

    @property
    def system_groups(self) -> tuple[Group, ...]:
        """The groups NINJIO created itself to place users (N1, N2, N4)."""
        with self._lock:
            return tuple(
                self._model(r, Group) for r in self._store.records("Group") if r.system
            )

    @property
    def requests(self) -> tuple[LoggedRequest, ...]:
        """The request log, oldest first, without any bearer token."""
        with self._lock:
            return tuple(self._log)

    def get_user(self, user_id: str) -> User:
        """
        Return a user by id.

        Raises:
            NotFoundError: No user has this id.
        """
        with self._lock:
            return self._model(self._service.existing("User", user_id), User)

    def get_group(self, group_id: str) -> Group:
        """
        Return a group by id.

        Raises:
            NotFoundError: No group has this id.
        """
        with self._lock:
            return self._model(self._service.existing("Group", group_id), Group)

    def find_user(self, user_name: str) -> User | None:
        """Return the user with this userName (compared without case), or None."""
        with self._lock:
            record = self._store.user_by_name(user_name)

            return None if record is None else self._model(record, User)

    def find_group(self, display_name: str) -> Group | None:
        """Return the first group with this displayName (without case), or None."""
        with self._lock:
            found = self._store.groups_by_name(display_name)

            return self._model(found[0], Group) if found else None

    def document(self, resource_id: str) -> dict[str, Any]:
        """
        Return a user's or group's JSON as the server would serve it.

        Unlike the models, the JSON keeps every attribute exactly as stored.

        Raises:
            NotFoundError: No user or group has this id.
        """
        with self._lock:
            kind = self._store.exists(resource_id)
            if kind is None:
                raise NotFoundError(detail=f"no user or group with id {resource_id!r}")

            return self._service.render(self._service.existing(kind, resource_id))

    def placement_of(self, user_id: str) -> Placement | None:
        """Return where NINJIO placed a user, or None if it placed them nowhere."""
        with self._lock:
            return self._service.placer.placement_of(user_id)

    def add_user(
        self, user: User | Mapping[str, Any], *, user_id: str | None = None
    ) -> User:
        """
        Store a user as if NINJIO itself had created it.

        The user is not placed in any group and no request is logged: use it
        to seed users the integration does not manage (rule U6).

        Args:
            user: The user, as a model or as SCIM JSON.
            user_id: Its id; a new one by default.

        Raises:
            InvalidValueError: The user does not fit the User schema.
            UniquenessError: Its userName or id is taken.
        """
        data = encode(user) if isinstance(user, User) else dict(user)
        with self._lock:
            record = self._service.create(
                "User", data, placed=False, resource_id=user_id
            )

            return self._model(record, User)

    def add_group(
        self,
        group: Group | Mapping[str, Any],
        *,
        group_id: str | None = None,
        system: bool = False,
    ) -> Group:
        """
        Store a group as if NINJIO itself, or an administrator, had created it.

        Members that NINJIO placed move as placement says (a pushed group
        takes a user out of "Undefined", rule N3).

        Args:
            group: The group, as a model or as SCIM JSON; its members must
                name stored users or groups.
            group_id: Its id; a new one by default.
            system: Mark it as one of NINJIO's own groups (N1, N2, N4) rather
                than one an administrator pushed (N3).

        Raises:
            InvalidValueError: The group does not fit the Group schema or a
                member names nothing stored.
            UniquenessError: Its id is taken, or its displayName where group
                names are unique.
        """
        data = encode(group) if isinstance(group, Group) else dict(group)
        with self._lock:
            record = self._service.create(
                "Group", data, placed=False, system=system, resource_id=group_id
            )

            return self._model(record, Group)

    def _model(self, record: Record, cls: type[T]) -> T:
        return decode(self._service.render(record), cls)

    def reset(self) -> None:
        """Forget every user, group, placement and logged request."""
        with self._lock:
            self._store.clear()
            self._service.placer.clear()
            self._log.clear()


def _authenticate(credentials: Credentials) -> None:
    if credentials == "missing":
        raise UnauthorizedError(
            detail="no bearer token; send 'Authorization: Bearer <token>'"
        )
    if credentials == "invalid":
        raise UnauthorizedError(detail="the bearer token is not valid")


def _digest(token: str) -> bytes:
    # A header with bytes that are not UTF-8 reaches us with surrogates in
    # it (aiohttp decodes with surrogateescape): it must hash, not raise.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _uuid() -> str:
    return str(uuid.uuid4())
