"""Snapshots, the streamed log and the ticket index (issue 10: bounded state, fast restart)."""
import dataclasses
import threading

from gateway import snapshots, status_page
from gateway.engine import apply, commands as c, decide, new_state, snapshot
from gateway.store import open_store
from gateway.store import sqlite as sqlite_store
from gateway.web import StatusServer
from tests.gateway.hall_fixture import DAY, T0, small_hall

HALL = small_hall()


def logged(store, state, cmd, at):
    events = decide(state, cmd, at)
    store.append(events)
    for ev in events:
        apply(state, ev)
    return events


def test_a_snapshot_reads_back_as_the_same_state():
    state = new_state(HALL)
    for cmd, at in ((c.sign_in(1, "Li"), T0), (c.issue("A", "p"), T0 + 1), (c.issue("A", "p"), T0 + 2),
                    (c.call(1), T0 + 3), (c.finish(1), T0 + 60), (c.rate(1, 1, "A001", T0 + 61), T0 + 61)):
        for ev in decide(state, cmd, at):
            apply(state, ev)
    back = snapshot.load(HALL, snapshot.dump(state))
    assert back == state and back.cases and back.durations["A"].maxlen == state.durations["A"].maxlen


def test_a_changed_hall_file_does_not_use_the_old_snapshot(tmp_path):
    with open_store(tmp_path / "h.db") as store:
        state = new_state(HALL)
        logged(store, state, c.issue("A", "p"), T0)
        snapshots.take(store, HALL, state, store.log_position())
        assert snapshots.rebuild(HALL, store).from_snapshot == 2     # day_started, ticket_issued
        renamed = dataclasses.replace(HALL, name="Another Name")
        rebuilt = snapshots.rebuild(renamed, store)
        assert rebuilt.from_snapshot == 0 and rebuilt.tail == 2 and rebuilt.state.by_no == {"A001": 1}


def test_only_the_last_snapshots_are_kept(tmp_path):
    with open_store(tmp_path / "h.db") as store:
        state = new_state(HALL)
        for n in range(5):
            logged(store, state, c.issue("A", "p"), T0 + n)
            snapshots.take(store, HALL, state, store.log_position())
        kept = store._db.execute("SELECT seq FROM snapshots ORDER BY seq").fetchall()
        assert [seq for (seq,) in kept] == [4, 5, 6]


def test_the_log_streams_in_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_store, "READ_BATCH", 3)
    with open_store(tmp_path / "h.db") as store:
        state = new_state(HALL)
        for n in range(10):
            logged(store, state, c.issue("A", "p"), T0 + n)
        stream = store.iter_events()
        first = next(stream)
        store.append([{"type": "device_status", "at": T0 + 20, "device": "p", "part": "paper", "state": "ok"}])
        rest = list(stream)
        assert first[0] == 1 and [seq for seq, _ in rest] == list(range(2, 13))
        between = list(store.iter_events_between(T0 + 3, T0 + 6))
        assert [ev["no"] for ev in between] == ["A004", "A005", "A006"]


def test_a_ticket_is_found_by_the_index(tmp_path):
    with open_store(tmp_path / "h.db") as store:
        state = new_state(HALL)
        logged(store, state, c.issue("A", "p"), T0)
        logged(store, state, c.issue("A", "p"), T0 + DAY)
        assert store.find_ticket("2026-11-23", "A001")["tid"] == 1
        assert store.find_ticket("2026-11-24", "A001")["tid"] == 2
        assert store.find_ticket("2026-11-24", "A002") is None
        plan = " ".join(row[-1] for row in store._db.execute(
            "EXPLAIN QUERY PLAN SELECT body FROM events WHERE type = 'ticket_issued' AND "
            "json_extract(body, '$.day') = ? AND json_extract(body, '$.no') = ?", ("d", "n")))
        assert "USING INDEX events_ticket" in plan, plan


class FakeGateway:
    def __init__(self, store, state):
        self.store, self.state, self.hall, self.lock = store, state, HALL, threading.RLock()


def test_the_status_page_of_an_earlier_day_comes_from_the_store(tmp_path):
    with open_store(tmp_path / "h.db") as store:
        state = new_state(HALL)
        logged(store, state, c.issue("A", "p"), T0)
        logged(store, state, c.issue("B", "p"), T0 + DAY)
        assert 1 not in state.tickets                       # yesterday is not in memory
        server = StatusServer.__new__(StatusServer)
        server.gateway = FakeGateway(store, state)
        code, page = server.page("/t/testhall/2026-11-23/A001")
        assert code == 200 and 'data-state="expired"' in page and "from an earlier day" in page
        code, page = server.page("/t/testhall/2026-11-24/B001")
        assert code == 200 and 'data-state="waiting"' in page
        assert server.page("/t/testhall/2026-11-23/A002")[0] == 404
        assert status_page.find(state, "2026-11-24", "B001").tid == 2
