"""The SQLite store: events and dedup records land together, survive a reopen, and a failed
transaction leaves nothing behind."""
import sqlite3

import pytest

from gateway.engine import commands as c, execute, fold, new_state
from gateway.store import StoreError, open_store
from tests.gateway.hall_fixture import T0, small_hall


def ev(n, kind="ticket_printed"):
    return {"type": kind, "at": T0 + n, "device": "printer-1", "no": "A%03d" % n, "ok": True, "why": ""}


def test_append_and_load_in_order(tmp_path):
    with open_store(tmp_path / "hall.db") as store:
        store.append([ev(1), ev(2)])
        store.append([ev(3)])
        assert [e["no"] for e in store.load_events()] == ["A001", "A002", "A003"]
        assert store.count_events() == 3


def test_dedup_record_returns_the_same_ack(tmp_path):
    ack = {"ack": "printer-1-1-7", "ok": True, "res": {"ticket": {"no": "A001", "name": "户籍办理"}}}
    with open_store(tmp_path / "hall.db") as store:
        assert store.seen("printer-1", "printer-1-1-7") is None
        store.append([ev(1)], dedup=("printer-1", "printer-1-1-7", ack))
        assert store.seen("printer-1", "printer-1-1-7") == ack
        # dedup is per device: another device's id space is its own
        assert store.seen("printer-2", "printer-1-1-7") is None


def test_a_refusal_is_recorded_without_events(tmp_path):
    ack = {"ack": "pad-1-1-1", "ok": False, "err": "window 1 is not serving anyone"}
    with open_store(tmp_path / "hall.db") as store:
        store.append([], dedup=("pad-1", "pad-1-1-1", ack))
        assert store.seen("pad-1", "pad-1-1-1") == ack
        assert store.load_events() == []


def test_a_failed_append_writes_nothing(tmp_path):
    with open_store(tmp_path / "hall.db") as store:
        store.append([ev(1)], dedup=("printer-1", "id-1", {"ack": "id-1", "ok": True}))
        with pytest.raises(StoreError, match="write failed"):
            # the same dedup key again: the whole transaction, events included, is rolled back
            store.append([ev(2), ev(3)], dedup=("printer-1", "id-1", {"ack": "id-1", "ok": True}))
        assert [e["no"] for e in store.load_events()] == ["A001"]
        store.append([ev(4)])   # and the store still works
        assert store.count_events() == 2


def test_reopen_after_close_replays_the_same_state(tmp_path):
    hall = small_hall()
    state, log = new_state(hall), []
    script = [c.issue("A", "printer-1"), c.issue("B", "printer-1", True), c.call(2), c.finish(2),
              c.rate(2, 5, "B001", T0 + 4), c.call(1)]
    path = tmp_path / "hall.db"
    with open_store(path) as store:
        for n, cmd in enumerate(script):
            events = execute(state, cmd, T0 + n)
            store.append(events, dedup=("dev", "e%d" % n, {"ack": "e%d" % n, "ok": True}))
            log += events
    with open_store(path) as store:
        assert store.load_events() == log
        assert repr(fold(hall, store.load_events())) == repr(state)
        assert store.seen("dev", "e5") == {"ack": "e5", "ok": True}


def test_sessions_count_up_across_reopens(tmp_path):
    path = tmp_path / "hall.db"
    with open_store(path) as store:
        assert store.next_session() == 1
        assert store.next_session() == 2
    with open_store(path) as store:
        assert store.next_session() == 3


def test_wal_and_full_sync(tmp_path):
    store = open_store(tmp_path / "hall.db")
    try:
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2   # FULL
    finally:
        store.close()


def test_a_closed_store_says_so(tmp_path):
    store = open_store(tmp_path / "hall.db")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.append([ev(1)])


def test_not_a_database_is_named(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.db: cannot open the store"):
        open_store(path)


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "hall.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(StoreError, match="schema 99"):
        open_store(path)
