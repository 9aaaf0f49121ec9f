"""Tests for the ledger: SQLite on a real file, and in memory."""

from __future__ import annotations

import sqlite3

import pytest

from scim_ninjio.exceptions import LedgerError
from scim_ninjio.ledger import (
    SCHEMA_VERSION,
    GroupLink,
    Ledger,
    MemoryLedger,
    SqliteLedger,
    UserLink,
)


ALICE = UserLink(jumpcloud_id="u1", ninjio_id="n1", user_name="alice", origin="created")
SALES = GroupLink(
    jumpcloud_id="g1", ninjio_id="ng1", display_name="Sales", origin="taken_over"
)


@pytest.fixture(params=["sqlite", "memory"])
def ledger(request, tmp_path):
    """Each ledger implementation, fresh."""
    if request.param == "memory":
        yield MemoryLedger()
        return
    with SqliteLedger(tmp_path / "ledger.sqlite3") as ledger:
        yield ledger


class TestLinks:
    """Both ledgers keep links the same way."""

    def test_is_a_ledger(self, ledger):
        """Both implement the Ledger protocol."""
        assert isinstance(ledger, Ledger)

    def test_user_round_trip(self, ledger):
        """A user link reads back equal."""
        ledger.put_user(ALICE)

        assert ledger.user("u1") == ALICE
        assert ledger.user("nobody") is None
        assert ledger.state().users == {"u1": ALICE}
        assert ledger.state().managed_ninjio_user_ids == {"n1"}

    def test_group_round_trip(self, ledger):
        """A group link reads back equal, with its bound and managed state."""
        unbound = GroupLink(
            jumpcloud_id="g2",
            ninjio_id="ng2",
            display_name="Ops",
            origin="created",
            bound=False,
            managed=False,
        )
        ledger.put_group(SALES)
        ledger.put_group(unbound)

        assert ledger.group("g1") == SALES
        assert ledger.group("g2") == unbound
        assert ledger.state().groups == {"g1": SALES, "g2": unbound}

    def test_replace_and_remove(self, ledger):
        """put replaces a link; remove_group forgets one."""
        ledger.put_user(ALICE)
        ledger.put_user(UserLink(**{**_fields(ALICE), "active": False}))
        ledger.put_group(SALES)
        ledger.remove_group("g1")
        ledger.remove_group("never-there")

        assert ledger.user("u1").active is False
        assert ledger.group("g1") is None

    def test_transaction_rolls_back(self, ledger):
        """A failure inside a transaction leaves nothing behind."""
        ledger.put_user(ALICE)

        def fail_halfway():
            with ledger.transaction():
                ledger.put_group(SALES)
                ledger.put_user(UserLink(**{**_fields(ALICE), "user_name": "changed"}))
                raise RuntimeError

        with pytest.raises(RuntimeError):
            fail_halfway()

        assert ledger.group("g1") is None
        assert ledger.user("u1") == ALICE

    def test_nested_transactions_join(self, ledger):
        """An inner transaction commits with the outer one."""
        with ledger.transaction():
            with ledger.transaction():
                ledger.put_user(ALICE)
            ledger.put_group(SALES)

        assert ledger.user("u1") == ALICE
        assert ledger.group("g1") == SALES

    def test_settings(self, ledger):
        """Settings store plain values."""
        ledger.put_setting("integration.active", "true")

        assert ledger.setting("integration.active") == "true"
        assert ledger.setting("missing") is None

    @pytest.mark.parametrize(
        "key", ["token", "integration.token", "api_key", "Secret", "password"]
    )
    def test_secrets_are_refused(self, ledger, key):
        """The ledger never stores anything named like a secret."""
        with pytest.raises(LedgerError, match="never holds secrets"):
            ledger.put_setting(key, "value")

        assert ledger.setting(key) is None


class TestSqlite:
    """The SQLite file: durability, versions, faults."""

    def test_survives_reopening(self, tmp_path):
        """What was committed is there when the file is opened again."""
        path = tmp_path / "ledger.sqlite3"
        with SqliteLedger(path) as ledger:
            ledger.put_user(ALICE)
            ledger.put_group(SALES)

        with SqliteLedger(path) as again:
            assert again.user("u1") == ALICE
            assert again.group("g1") == SALES
            assert again.schema_version == SCHEMA_VERSION

    def test_migrates_version_one(self, tmp_path):
        """A version-1 file is migrated: its groups become managed as bound."""
        path = tmp_path / "old.sqlite3"
        db = sqlite3.connect(path)
        db.executescript(
            """
            CREATE TABLE user_links (jumpcloud_id TEXT PRIMARY KEY, ninjio_id TEXT
              NOT NULL, user_name TEXT NOT NULL, origin TEXT NOT NULL, active
              INTEGER NOT NULL, updated_at TEXT NOT NULL);
            CREATE TABLE group_links (jumpcloud_id TEXT PRIMARY KEY, ninjio_id TEXT
              NOT NULL, display_name TEXT NOT NULL, origin TEXT NOT NULL, bound
              INTEGER NOT NULL, updated_at TEXT NOT NULL);
            INSERT INTO group_links VALUES
              ('g1', 'ng1', 'Sales', 'created', 1, '2026-01-01T00:00:00+00:00'),
              ('g2', 'ng2', 'Ops', 'created', 0, '2026-01-01T00:00:00+00:00');
            PRAGMA user_version = 1;
            """
        )
        db.close()

        with SqliteLedger(path) as ledger:
            assert ledger.schema_version == SCHEMA_VERSION
            assert ledger.group("g1").managed is True
            assert ledger.group("g2").managed is False
            ledger.put_setting("integration.active", "false")

    def test_refuses_a_newer_file(self, tmp_path):
        """A file written by a newer release is refused, not misread."""
        path = tmp_path / "future.sqlite3"
        db = sqlite3.connect(path)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.close()

        with pytest.raises(LedgerError, match="newer than this release"):
            SqliteLedger(path)

    def test_not_a_database(self, tmp_path):
        """A file that is not SQLite gets an error naming the path."""
        path = tmp_path / "notes.txt"
        path.write_text("these are not the links you are looking for" * 100)

        with pytest.raises(LedgerError, match="cannot open the ledger at"):
            SqliteLedger(path)

    def test_missing_directory(self, tmp_path):
        """A path in a missing directory says so."""
        with pytest.raises(LedgerError, match="check the path"):
            SqliteLedger(tmp_path / "no" / "such" / "dir" / "ledger.sqlite3")

    def test_error_after_close(self, tmp_path):
        """Using a closed ledger raises LedgerError, not sqlite3's error."""
        ledger = SqliteLedger(tmp_path / "ledger.sqlite3")
        ledger.close()

        with pytest.raises(LedgerError, match="failed"):
            ledger.user("u1")

    def test_repr_names_the_path(self, tmp_path):
        """The repr shows where the file is."""
        with SqliteLedger(tmp_path / "l.sqlite3") as ledger:
            assert "l.sqlite3" in repr(ledger)

    def test_no_token_in_the_file(self, tmp_path):
        """Nothing a sync writes puts a token in the file."""
        path = tmp_path / "ledger.sqlite3"
        with SqliteLedger(path) as ledger:
            ledger.put_user(ALICE)
            ledger.put_setting("integration.base_url", "https://ninjio.test/scim/v2")

        assert b"Bearer" not in path.read_bytes()


def _fields(link):
    import attrs

    return attrs.asdict(link, recurse=False)


def test_memory_repr():
    """The in-memory ledger's repr counts its links."""
    ledger = MemoryLedger()
    ledger.put_user(ALICE)

    assert repr(ledger) == "<MemoryLedger users=1 groups=0>"
