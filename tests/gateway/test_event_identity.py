"""Event identity at the gateway (gateway/dedup.py): a resend gets its own ack again, an id
reused with another body is a new event and never gets the earlier event's ack, events past
the horizon are refused, and the dedup table is pruned so it stays bounded."""
import json
import sqlite3

from gateway import dedup
from gateway.service import Service
from gateway.store import open_store
from tests.gateway.hall_fixture import DAY, T0, small_hall

EVT = "hm/testhall/dev/printer-1/evt"


class Hall:
    """A Service over a real SQLite store with a clock the test moves."""

    def __init__(self, path):
        self.now = T0
        self.store = open_store(path)
        self.acks = []
        self.service = Service(small_hall(), self.store, self._publish, clock=lambda: self.now)
        self.service.begin_session(1)

    def _publish(self, topic, payload, retain):
        if topic.endswith("/ack"):
            self.acks.append(json.loads(payload))

    def send(self, event_id, key="k1", at_ms=0, topic=EVT):
        body = {"v": 1, "id": event_id, "t": "key", "at": at_ms, "key": key}
        self.service.on_message(topic, json.dumps(body).encode())
        return self.acks[-1]


def ticket_no(ack):
    return ack["res"]["ticket"]["no"]


def test_a_resend_gets_the_same_ack_and_changes_nothing(tmp_path):
    hall = Hall(tmp_path / "h.db")
    first = hall.send("printer-1-x-1")
    again = hall.send("printer-1-x-1")
    assert again == first and ticket_no(first) == "A001"
    assert len(hall.service.state.tickets) == 1 and hall.service.stats["duplicate"] == 1


def test_an_id_reused_with_another_body_is_a_new_ticket_never_the_old_ack(tmp_path):
    hall = Hall(tmp_path / "h.db")
    served = hall.send("printer-1-1-1", key="k1")            # A001, before a reflash
    reused = hall.send("printer-1-1-1", key="k2")            # after it: the counter began at 1 again
    assert ticket_no(served) == "A001" and reused != served
    assert ticket_no(reused) == "B001" and reused["ack"] == "printer-1-1-1"
    assert hall.service.counters["id_reused"] == 1
    # each body keeps its own answer
    assert hall.send("printer-1-1-1", key="k2") == reused
    assert hall.send("printer-1-1-1", key="k1") == served
    assert len(hall.service.state.tickets) == 2


def test_the_digest_ignores_key_order_and_the_version_field():
    a = {"v": 1, "id": "p-1", "t": "key", "at": 5, "key": "k1"}
    b = {"key": "k1", "at": 5, "t": "key", "id": "p-1"}
    assert dedup.digest(a) == dedup.digest(b)
    assert dedup.digest(a) != dedup.digest(dict(a, key="k2"))


def test_an_event_pressed_before_the_horizon_is_refused_unapplied(tmp_path):
    hall = Hall(tmp_path / "h.db")
    old_ms = int((T0 - dedup.HORIZON_S - DAY) * 1000)
    ack = hall.send("printer-1-y-1", at_ms=old_ms)
    assert not ack["ok"] and "horizon" in ack["err"] and hall.service.counters["too_old"] == 1
    assert hall.service.state.tickets == {}
    # a press time from a clock never set is not judged: the press gets its ticket
    assert ticket_no(hall.send("printer-1-y-2", at_ms=1000)) == "A001"
    assert ticket_no(hall.send("printer-1-y-3", at_ms=int((T0 - 60) * 1000))) == "A002"


def test_records_past_the_horizon_are_pruned_so_the_table_stays_bounded(tmp_path):
    hall = Hall(tmp_path / "h.db")
    per_day, days = 5, 90
    sizes = []
    for day in range(days):
        hall.now = T0 + day * DAY
        for n in range(per_day):
            hall.send("printer-1-d%d-%d" % (day, n))
        sizes.append(hall.store.count_dedup())
    keep_days = dedup.KEEP_S // DAY
    assert sizes[keep_days - 1] == keep_days * per_day           # nothing dropped too early
    assert max(sizes) <= (keep_days + 1) * per_day               # then bounded, not growing
    assert sizes[-1] == sizes[-30]
    # a record inside the horizon still answers its resend with the same ack
    recent = "printer-1-d%d-0" % (days - 2)
    assert hall.store.recall("printer-1", recent)
    assert not hall.store.recall("printer-1", "printer-1-d0-0")


def test_a_resend_keeps_its_record_alive(tmp_path):
    hall = Hall(tmp_path / "h.db")
    first = hall.send("printer-1-r-1")
    hall.now = T0 + dedup.KEEP_S - DAY
    assert hall.send("printer-1-r-1") == first                  # heard again: kept from now
    hall.now = T0 + dedup.KEEP_S + 2 * DAY
    hall.send("printer-1-r-2")                                   # an hour later prunes run
    assert hall.store.recall("printer-1", "printer-1-r-1")


def test_a_store_from_before_digests_keeps_answering_its_resends(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, at REAL NOT NULL,
                             body TEXT NOT NULL);
        CREATE TABLE dedup (device TEXT NOT NULL, event_id TEXT NOT NULL, ack TEXT NOT NULL, last_seq INTEGER,
                            PRIMARY KEY (device, event_id));
        PRAGMA user_version=1;
    """)
    db.execute("INSERT INTO events (type, at, body) VALUES ('x', ?, '{}')", (T0,))
    db.execute("INSERT INTO dedup VALUES ('printer-1', 'printer-1-1-1', ?, 1)",
               (json.dumps({"ack": "printer-1-1-1", "ok": True}),))
    db.commit()
    db.close()
    with open_store(path) as store:
        assert store.recall("printer-1", "printer-1-1-1") == {dedup.LEGACY: {"ack": "printer-1-1-1", "ok": True}}
        assert store.prune_dedup(T0 - 1) == 0 and store.prune_dedup(T0 + 1) == 1
