"""
The ledger: what this integration manages in NINJIO, remembered between runs.

Without it, a group deleted in JumpCloud cannot be told from a group that
NINJIO created itself, and a user who left scope cannot be told from one that
JumpCloud never managed. The ledger links

- each JumpCloud user the integration created or adopted in NINJIO to the
  NINJIO user's id, with the ``active`` state last pushed, and
- each JumpCloud user group the integration pushed or took over to the
  NINJIO group's id, with whether it is still bound and managed.

The engine writes one transaction after each applied step, so a run killed
at any point leaves a ledger that describes NINJIO as far as that run got;
the next run plans from there and converges.

:class:`SqliteLedger` (the standard library's :mod:`sqlite3`, one file at a
path the caller chooses) is the default; :class:`MemoryLedger` serves tests;
anything that implements :class:`Ledger` can be plugged in.

The ledger never stores the bearer token, nor any personal attribute beyond
the userName and group name it needs to explain a plan.

>>> ledger = MemoryLedger()
>>> ledger.put_user(UserLink(jumpcloud_id="5f1", ninjio_id="n-1",
...     user_name="alice", origin="created", active=True))
>>> ledger.user("5f1").ninjio_id
'n-1'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Literal, Protocol, Self, runtime_checkable

import attrs

from scim_ninjio.exceptions import LedgerError


__all__ = [
    "GroupLink",
    "Ledger",
    "LedgerState",
    "MemoryLedger",
    "SqliteLedger",
    "UserLink",
]

UserOrigin = Literal["created", "adopted"]
GroupOrigin = Literal["created", "taken_over"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@attrs.frozen(kw_only=True)
class UserLink:
    """
    A JumpCloud user that this integration manages in NINJIO.

    Attributes:
        jumpcloud_id: The JumpCloud system user's ``_id``.
        ninjio_id: The NINJIO user's SCIM ``id``.
        user_name: The userName last pushed, to explain plans.
        origin: ``"created"`` by this integration, or ``"adopted"`` (an
            existing NINJIO account matched by userName or email, rule U2).
        active: The ``active`` state last pushed: False once deactivated (U5).
        updated_at: When the link last changed.
    """

    jumpcloud_id: str
    ninjio_id: str
    user_name: str
    origin: UserOrigin
    active: bool = True
    updated_at: dt.datetime = attrs.field(factory=_now, eq=False)


@attrs.frozen(kw_only=True)
class GroupLink:
    """
    A JumpCloud user group that this integration pushed to NINJIO.

    Attributes:
        jumpcloud_id: The JumpCloud user group's ``id``.
        ninjio_id: The NINJIO group's SCIM ``id``.
        display_name: The group name last pushed (rule G4 renames by link,
            never by name).
        origin: ``"created"`` by this integration, or ``"taken_over"`` (an
            existing NINJIO group of the same name, rule G2).
        bound: Whether the group was bound to the application at the last
            sync. An unbound group is left as it is in NINJIO (rule G5).
        managed: Whether the integration still manages the group's name and
            members. False once unbound; True again when bound again.
        updated_at: When the link last changed.
    """

    jumpcloud_id: str
    ninjio_id: str
    display_name: str
    origin: GroupOrigin
    bound: bool = True
    managed: bool = True
    updated_at: dt.datetime = attrs.field(factory=_now, eq=False)


@attrs.frozen
class LedgerState:
    """
    Everything the ledger knows, as plain values for the planner.

    Attributes:
        users: User links by JumpCloud id.
        groups: Group links by JumpCloud id.
    """

    users: Mapping[str, UserLink] = attrs.field(factory=dict)
    groups: Mapping[str, GroupLink] = attrs.field(factory=dict)

    @property
    def managed_ninjio_user_ids(self) -> frozenset[str]:
        """The NINJIO ids of every user this integration manages."""
        return frozenset(link.ninjio_id for link in self.users.values())


@runtime_checkable
class Ledger(Protocol):
    """
    Where the integration remembers what it manages.

    Implementations must make each :meth:`transaction` atomic and durable:
    after it returns, the change survives the process being killed.
    """

    def state(self) -> LedgerState:
        """Return every link, as values."""
        ...

    def user(self, jumpcloud_id: str) -> UserLink | None:
        """Return the link of a JumpCloud user, if there is one."""
        ...

    def group(self, jumpcloud_id: str) -> GroupLink | None:
        """Return the link of a JumpCloud user group, if there is one."""
        ...

    def put_user(self, link: UserLink) -> None:
        """Add or replace the link of a user."""
        ...

    def put_group(self, link: GroupLink) -> None:
        """Add or replace the link of a group."""
        ...

    def remove_group(self, jumpcloud_id: str) -> None:
        """Forget a group (after it was deleted in NINJIO, rule G6)."""
        ...

    def setting(self, key: str) -> str | None:
        """Return an integration setting (never a secret), or None."""
        ...

    def put_setting(self, key: str, value: str) -> None:
        """Store an integration setting; refuse anything that looks secret."""
        ...

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Group writes so that they all happen or none do."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...


#: Setting keys that may never be stored, whatever a caller asks.
_SECRET_WORDS = ("token", "secret", "password", "authorization", "key")


def _check_setting(key: str) -> None:
    if any(word in key.lower() for word in _SECRET_WORDS):
        raise LedgerError(
            f"refusing to store the setting {key!r}: the ledger never holds "
            "secrets; keep tokens in the environment or a secrets manager"
        )


class MemoryLedger:
    """
    A ledger that lives in memory, for tests and dry runs.

    Transactions are real: a failure inside one rolls its writes back.
    """

    def __init__(self) -> None:
        self._users: dict[str, UserLink] = {}
        self._groups: dict[str, GroupLink] = {}
        self._settings: dict[str, str] = {}
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"<MemoryLedger users={len(self._users)} groups={len(self._groups)}>"

    def state(self) -> LedgerState:
        """Return every link, as values."""
        with self._lock:
            return LedgerState(users=dict(self._users), groups=dict(self._groups))

    def user(self, jumpcloud_id: str) -> UserLink | None:
        """Return the link of a JumpCloud user, if there is one."""
        return self._users.get(jumpcloud_id)

    def group(self, jumpcloud_id: str) -> GroupLink | None:
        """Return the link of a JumpCloud user group, if there is one."""
        return self._groups.get(jumpcloud_id)

    def put_user(self, link: UserLink) -> None:
        """Add or replace the link of a user."""
        with self._lock:
            self._users[link.jumpcloud_id] = link

    def put_group(self, link: GroupLink) -> None:
        """Add or replace the link of a group."""
        with self._lock:
            self._groups[link.jumpcloud_id] = link

    def remove_group(self, jumpcloud_id: str) -> None:
        """Forget a group."""
        with self._lock:
            self._groups.pop(jumpcloud_id, None)

    def setting(self, key: str) -> str | None:
        """Return an integration setting, or None."""
        return self._settings.get(key)

    def put_setting(self, key: str, value: str) -> None:
        """Store an integration setting; secrets are refused."""
        _check_setting(key)
        with self._lock:
            self._settings[key] = value

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes; on an exception, put everything back as it was."""
        with self._lock:
            saved = (dict(self._users), dict(self._groups), dict(self._settings))
            try:
                yield
            except BaseException:
                self._users, self._groups, self._settings = saved
                raise

    def close(self) -> None:
        """Nothing to release."""


# --- SQLite --------------------------------------------------------------------


def _run(db: sqlite3.Connection, script: str) -> None:
    # Statement by statement: executescript() would commit the migration's
    # transaction halfway, and a failed migration must leave nothing behind.
    for statement in script.split(";"):
        db.execute(statement)


def _create_links(db: sqlite3.Connection) -> None:
    _run(
        db,
        """
        CREATE TABLE user_links (
            jumpcloud_id TEXT PRIMARY KEY,
            ninjio_id    TEXT NOT NULL,
            user_name    TEXT NOT NULL,
            origin       TEXT NOT NULL CHECK (origin IN ('created', 'adopted')),
            active       INTEGER NOT NULL,
            updated_at   TEXT NOT NULL
        );
        CREATE TABLE group_links (
            jumpcloud_id TEXT PRIMARY KEY,
            ninjio_id    TEXT NOT NULL,
            display_name TEXT NOT NULL,
            origin       TEXT NOT NULL CHECK (origin IN ('created', 'taken_over')),
            bound        INTEGER NOT NULL,
            updated_at   TEXT NOT NULL
        )
        """,
    )


def _add_managed_and_settings(db: sqlite3.Connection) -> None:
    # A group can stay linked yet unmanaged (unbound, rule G5), and the
    # integration's lifecycle state (I1-I3) lives beside the links.
    _run(
        db,
        """
        ALTER TABLE group_links ADD COLUMN managed INTEGER NOT NULL DEFAULT 1;
        UPDATE group_links SET managed = bound;
        CREATE INDEX user_links_ninjio_id ON user_links (ninjio_id);
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)
        """,
    )


#: Each migration takes the schema from its index to the next version.
#: Released migrations never change; a new version appends one.
_MIGRATIONS: Sequence[Callable[[sqlite3.Connection], None]] = (
    _create_links,
    _add_managed_and_settings,
)

#: The schema version this release writes.
SCHEMA_VERSION = len(_MIGRATIONS)


class SqliteLedger:
    """
    A ledger in one SQLite file.

    The file is created on first use and migrated to the current schema
    version when opened; a file written by a newer release is refused rather
    than misread. Writes go through WAL journaling, so a process killed
    mid-run loses at most the transaction in flight.

    Args:
        path: Where the file lives; ``":memory:"`` for a throwaway database.
        timeout: Seconds to wait for another process's lock.

    Raises:
        LedgerError: The file cannot be opened, is not a ledger, or was
            written by a newer release.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 10.0) -> None:
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._db = sqlite3.connect(
                self.path,
                timeout=timeout,
                isolation_level=None,  # Transactions are explicit, below.
                check_same_thread=False,
            )
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.Error as e:
            raise LedgerError(
                f"cannot open the ledger at {self.path}: {e}; check the path and "
                "that no other program holds the file"
            ) from e

    def __repr__(self) -> str:
        return f"<SqliteLedger {self.path!r}>"

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        return int(version)

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger at {self.path} has schema version {version}, newer "
                f"than this release's {SCHEMA_VERSION}; upgrade scim_ninjio"
            )
        for target in range(version, SCHEMA_VERSION):
            with self.transaction():
                _MIGRATIONS[target](self._db)
                self._db.execute(f"PRAGMA user_version = {target + 1}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """
        Group writes into one atomic, durable transaction.

        Nested calls join the outer transaction.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                self._execute("ROLLBACK")
                raise
            self._depth = 0
            self._execute("COMMIT")

    def _execute(
        self, sql: str, params: Sequence[object] = ()
    ) -> list[tuple[object, ...]]:
        try:
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise LedgerError(f"the ledger at {self.path} failed: {e}") from e

    def state(self) -> LedgerState:
        """Return every link, as values."""
        users = {
            link.jumpcloud_id: link
            for link in map(_user_row, self._execute(f"{_USER_SELECT}"))
        }
        groups = {
            link.jumpcloud_id: link
            for link in map(_group_row, self._execute(f"{_GROUP_SELECT}"))
        }

        return LedgerState(users=users, groups=groups)

    def user(self, jumpcloud_id: str) -> UserLink | None:
        """Return the link of a JumpCloud user, if there is one."""
        rows = self._execute(f"{_USER_SELECT} WHERE jumpcloud_id = ?", (jumpcloud_id,))
        return _user_row(rows[0]) if rows else None

    def group(self, jumpcloud_id: str) -> GroupLink | None:
        """Return the link of a JumpCloud user group, if there is one."""
        rows = self._execute(f"{_GROUP_SELECT} WHERE jumpcloud_id = ?", (jumpcloud_id,))
        return _group_row(rows[0]) if rows else None

    def put_user(self, link: UserLink) -> None:
        """Add or replace the link of a user."""
        self._execute(
            "INSERT OR REPLACE INTO user_links (jumpcloud_id, ninjio_id, user_name, "
            "origin, active, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                link.jumpcloud_id,
                link.ninjio_id,
                link.user_name,
                link.origin,
                int(link.active),
                link.updated_at.isoformat(),
            ),
        )

    def put_group(self, link: GroupLink) -> None:
        """Add or replace the link of a group."""
        self._execute(
            "INSERT OR REPLACE INTO group_links (jumpcloud_id, ninjio_id, "
            "display_name, origin, bound, managed, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                link.jumpcloud_id,
                link.ninjio_id,
                link.display_name,
                link.origin,
                int(link.bound),
                int(link.managed),
                link.updated_at.isoformat(),
            ),
        )

    def remove_group(self, jumpcloud_id: str) -> None:
        """Forget a group."""
        self._execute("DELETE FROM group_links WHERE jumpcloud_id = ?", (jumpcloud_id,))

    def setting(self, key: str) -> str | None:
        """Return an integration setting, or None."""
        rows = self._execute("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def put_setting(self, key: str, value: str) -> None:
        """Store an integration setting; secrets are refused."""
        _check_setting(key)
        self._execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value)
        )

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_USER_SELECT = (
    "SELECT jumpcloud_id, ninjio_id, user_name, origin, active, updated_at "
    "FROM user_links"
)
_GROUP_SELECT = (
    "SELECT jumpcloud_id, ninjio_id, display_name, origin, bound, managed, "
    "updated_at FROM group_links"
)


def _user_row(row: tuple[object, ...]) -> UserLink:
    jc_id, ninjio_id, user_name, origin, active, updated_at = row
    return UserLink(
        jumpcloud_id=str(jc_id),
        ninjio_id=str(ninjio_id),
        user_name=str(user_name),
        origin="adopted" if origin == "adopted" else "created",
        active=bool(active),
        updated_at=dt.datetime.fromisoformat(str(updated_at)),
    )


def _group_row(row: tuple[object, ...]) -> GroupLink:
    jc_id, ninjio_id, display_name, origin, bound, managed, updated_at = row
    return GroupLink(
        jumpcloud_id=str(jc_id),
        ninjio_id=str(ninjio_id),
        display_name=str(display_name),
        origin="taken_over" if origin == "taken_over" else "created",
        bound=bool(bound),
        managed=bool(managed),
        updated_at=dt.datetime.fromisoformat(str(updated_at)),
    )
