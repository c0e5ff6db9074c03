"""Group commit (gateway/group_commit.py) without a broker: the events of a batch go to the
store in one transaction, every publish of the batch waits for it, and a failed commit
answers nobody and leaves the state as the store has it."""
import json

from gateway.service import Service
from gateway.store import StoreError, open_store
from tests.gateway.hall_fixture import T0, small_hall


class CountingStore:
    """The real store; records each transaction, and can be made to fail."""

    def __init__(self, store, journal):
        self.store, self.journal, self.failing = store, journal, False

    def __getattr__(self, name):
        return getattr(self.store, name)

    def append(self, events, dedup=None):
        return self.append_many([(events, dedup)])[0]

    def append_many(self, entries):
        if self.failing:
            raise StoreError("disk full")
        lasts = self.store.append_many(entries)
        self.journal.append(("commit", [dedup[1] for _, dedup in entries if dedup]))
        return lasts


def make(tmp_path):
    journal = []
    store = CountingStore(open_store(tmp_path / "hall.db"), journal)

    def publish(topic, payload, retain):
        journal.append((topic, json.loads(payload)))

    service = Service(small_hall(), store, publish, clock=lambda: T0)
    service.begin_session(1)
    journal.clear()
    return service, store, journal


def key(event_id, name="k1"):
    return json.dumps({"v": 1, "id": event_id, "t": "key", "at": 0, "key": name}).encode()


def acks(journal):
    return [(entry[1]["ack"], entry[1]["res"]["ticket"]["no"]) for entry in journal
            if entry[0].endswith("printer-1/ack") and entry[1]["ok"]]


def begun_day(tmp_path):
    """A service whose day has begun (its first event begins it, and the snapshot a day
    boundary takes commits the batch so far) and has issued A001."""
    service, store, journal = make(tmp_path)
    service.on_message("hm/testhall/dev/printer-1/evt", key("first"))
    journal.clear()
    return service, store, journal


def test_a_batch_is_one_commit_and_its_acks_follow_it(tmp_path):
    service, store, journal = begun_day(tmp_path)
    events_before = store.log_position()
    service.begin_batch()
    for n in range(3):
        service.on_message("hm/testhall/dev/printer-1/evt", key("p-%d" % n))
    service.on_message("hm/testhall/dev/pad-1/evt", key("pad-1", "call"))
    assert journal == []                               # decided, not yet durable: nobody told
    service.commit_batch()
    assert journal[0] == ("commit", ["p-0", "p-1", "p-2", "pad-1"])
    assert [entry[0] for entry in journal[1:]].count("commit") == 0
    assert acks(journal) == [("p-0", "A002"), ("p-1", "A003"), ("p-2", "A004")]
    assert [ev["type"] for _, ev in store.store.events_after(events_before)].count("ticket_issued") == 3
    store.close()


def test_a_failed_group_commit_answers_nobody_and_keeps_the_stores_state(tmp_path):
    service, store, journal = make(tmp_path)
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-0"))     # one ticket, on its own
    store.failing = True
    service.begin_batch()
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-1"))
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-2"))
    service.commit_batch()
    assert acks(journal) == [("p-0", "A001")] and service.counters["store_error"] == 1
    assert sorted(t.no for t in service.state.tickets.values()) == ["A001"]   # folded back from the store
    store.failing = False              # the printer resends both: they are issued now, once
    service.begin_batch()
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-1"))
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-2"))
    service.commit_batch()
    assert acks(journal) == [("p-0", "A001"), ("p-1", "A002"), ("p-2", "A003")]
    store.close()


def test_a_resend_inside_its_own_batch_is_answered_after_the_first_copy_is_durable(tmp_path):
    service, store, journal = begun_day(tmp_path)
    service.begin_batch()
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-1"))
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-1"))    # the same press, resent
    assert journal[0] == ("commit", ["p-1"])          # the first copy committed before the answer
    service.commit_batch()
    assert acks(journal) == [("p-1", "A002"), ("p-1", "A002")]
    assert len(service.state.tickets) == 2 and service.stats["duplicate"] == 1
    store.close()


def test_outside_a_batch_each_event_is_its_own_commit(tmp_path):
    service, store, journal = make(tmp_path)
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-1"))
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-2"))
    assert [entry for entry in journal if entry[0] == "commit"] == [("commit", ["p-1"]), ("commit", ["p-2"])]
    assert journal.index(("commit", ["p-2"])) > journal.index(next(e for e in journal if e[0].endswith("/ack")))
    store.close()
