"""The adapter's message handling without a broker: publishes are collected in a list, so the
order of store and ack and the store-failure path can be checked exactly."""
import json

from gateway.service import Service
from gateway.store import StoreError, open_store
from tests.gateway.hall_fixture import T0, small_hall


class FlakyStore:
    """The real store, but append can be made to fail; records what happened in which order."""

    def __init__(self, store, journal):
        self.store, self.journal, self.failing = store, journal, False

    def __getattr__(self, name):
        return getattr(self.store, name)

    def append(self, events, dedup=None):
        if self.failing:
            raise StoreError("disk full")
        self.store.append(events, dedup)
        self.journal.append(("stored", dedup[1] if dedup else None))


def make(tmp_path):
    journal = []
    store = FlakyStore(open_store(tmp_path / "hall.db"), journal)

    def publish(topic, payload, retain):
        journal.append((topic, json.loads(payload), retain))

    service = Service(small_hall(), store, publish, clock=lambda: T0)
    service.begin_session(1)
    journal.clear()          # the hall record a first start writes (gateway/hallchange.py)
    return service, store, journal


def key(event_id, name):
    return json.dumps({"v": 1, "id": event_id, "t": "key", "at": 0, "key": name}).encode()


def test_the_ack_goes_out_after_the_commit(tmp_path):
    service, store, journal = make(tmp_path)
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-1", "k1"))
    assert journal[0] == ("stored", "p-1")
    topic, ack, retain = journal[1]
    assert topic == "hm/testhall/dev/printer-1/ack" and ack["ok"] and retain is False
    store.close()


def test_a_store_failure_means_no_ack_and_no_change(tmp_path):
    service, store, journal = make(tmp_path)
    store.failing = True
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-1", "k1"))
    assert journal == [] and service.counters["store_error"] == 1
    assert service.state.tickets == {}
    store.failing = False   # the device resends; now it goes through, once
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-1", "k1"))
    assert [entry[1]["res"]["ticket"]["no"] for entry in journal if entry[0].endswith("/ack")] == ["A001"]
    store.close()


def test_views_are_published_retained_only_when_they_change(tmp_path):
    service, store, journal = make(tmp_path)
    service.on_connected()
    views = [entry for entry in journal if entry[0].endswith("/view")]
    assert len(views) == len(service.hall.devices) and all(retain for _, _, retain in views)
    assert [v["seq"] for _, v, _ in views] == list(range(1_000_001, 1_000_001 + len(views)))
    assert journal[-1] == ("hm/testhall/gw/state", {"v": 1, "on": True, "ses": 1, "now": int(T0)}, True)
    journal.clear()
    service.refresh_views()
    assert journal == []
    service.on_message("hm/testhall/dev/printer-1/evt", key("p-1", "k1"))
    service.on_message("hm/testhall/dev/pad-1/evt", key("pad-1", "call"))
    journal.clear()
    service.refresh_views()
    changed = sorted(topic.split("/")[3] for topic, _, _ in journal)
    assert changed == ["display-1", "hall-display", "pad-1"]
    store.close()
