"""Hostile and careless payloads against the Service with a real SQLite store: every event
whose id can be read is answered, nothing raises, and one bad view stops only its device."""
import json
import logging

import pytest

from gateway import device_text, intake
from gateway.service import Service
from gateway.store import open_store
from tests.gateway.hall_fixture import T0, small_hall

EVT = "hm/testhall/dev/%s/evt"


@pytest.fixture
def hall_service(tmp_path):
    published = []
    store = open_store(tmp_path / "hall.db")
    service = Service(small_hall(), store, lambda t, p, r: published.append((t, json.loads(p), r)),
                      clock=lambda: T0)
    service.begin_session(1)
    yield service, published
    store.close()


def acks(published, dev="printer-1"):
    return [m for t, m, _ in published if t == "hm/testhall/dev/%s/ack" % dev]


def raw(**fields):
    return json.dumps(dict({"v": 1}, **fields)).encode()


HOSTILE = [   # (payload, reason counted); every one has a readable id
    (b'{"v": 1, "id": "e1", "t": "key", "key": "k1", "x": ' + b"[" * 1500 + b"]" * 1500 + b"}", "too_large"),
    (b'{"v": 1, "id": "e2", "t": "key", "key": "k1", "x": ' + b"[" * 900 + b"]" * 900 + b"}", "too_deep"),
    (b'{"v": 1, "id": "e3", "t": "key", "key": "k1", "at": 1' + b"0" * 400 + b"}", "bad_field"),
    (raw(id="e4", t="key", key="r\u00b2"), "bad_field"),
    (raw(id="e5", t="key", key="k1", offline="A01\u0663", at=int(T0 * 1000)), "bad_field"),
    (b'{"v": 1, "id": "e6\\ud800", "t": "key", "key": "k1"}', "bad_field"),
    (b'{"v": 1, "id": "e7", "t": "status", "part": "paper", "state": "\\udfff"}', "bad_field"),
    (raw(id="e8", t="rate", level="5", ticket=""), "bad_field"),
    (raw(v=2, id="e9", t="key", key="k1"), "bad_version"),
    (raw(v=True, id="e10", t="key", key="k1"), "bad_version"),
    (raw(id="e11", t="key", key="k1", at=-1), "bad_field"),
    (b'{"v": 1, "id": "e12", "t": "key", "key": "k1", ', "malformed"),
    (raw(id="e13", t="status", part="paper", state="ok\nwindow 5: calls Z999"), "bad_field"),
]


@pytest.mark.parametrize("payload, reason", HOSTILE, ids=[r + "-" + str(n) for n, (_, r) in enumerate(HOSTILE)])
def test_a_refused_event_with_a_readable_id_gets_a_refusal_ack(hall_service, payload, reason):
    service, published = hall_service
    service.on_message(EVT % "printer-1", payload)      # raises nothing
    answer = acks(published)
    assert len(answer) == 1 and answer[0]["ok"] is False and answer[0]["err"].startswith(reason + ":")
    assert service.counters[reason] == 1 and "internal_error" not in service.counters
    assert service.stats["refused"] == 1 and service.state.tickets == {}


def test_an_unknown_device_is_answered_too(hall_service):
    service, published = hall_service
    service.on_message(EVT % "printer-9", raw(id="p9-1", t="key", key="k1"))
    assert acks(published, "printer-9")[0]["err"].startswith("unknown_device")


def test_what_has_no_readable_id_is_counted_and_unanswered(hall_service):
    service, published = hall_service
    for payload in (b"", b"\xff\xfe", b"[1]", raw(id=7, t="key", key="k1"), raw(id="x" * 49, t="key", key="k1")):
        service.on_message(EVT % "printer-1", payload)
    assert published == [] and sum(service.counters.values()) == 5


def test_an_offline_number_in_other_digits_is_refused_and_views_keep_flowing(hall_service):
    service, published = hall_service
    service.on_connected()
    service.on_message(EVT % "printer-1", raw(id="p-1", t="key", key="k1", offline="A99\u0661",
                                              at=int(T0 * 1000)))
    assert acks(published)[0]["ok"] is False and "ticket number" in acks(published)[0]["err"]
    service.on_message(EVT % "printer-1", raw(id="p-2", t="key", key="k1"))
    service.on_message(EVT % "pad-1", raw(id="pad-1", t="key", key="call"))
    published.clear()
    service.refresh_views()
    shown = {t.split("/")[3]: m for t, m, _ in published if t.endswith("/view")}
    assert shown["display-1"]["ticket"] == "A001"


def test_an_unexpected_fault_is_a_counted_internal_error_with_a_failure_ack(hall_service, monkeypatch):
    service, published = hall_service

    def broken(device, msg, now):
        raise KeyError("surprise")
    monkeypatch.setattr(intake, "to_command", broken)
    service.on_message(EVT % "printer-1", raw(id="p-1", t="key", key="k1"))
    assert acks(published) == [{"v": 1, "ack": "p-1", "ok": False, "err": "gateway failed: internal error"}]
    assert service.counters["internal_error"] == 1


def test_one_device_whose_view_fails_stops_only_its_own_view(hall_service, monkeypatch, caplog):
    service, published = hall_service
    real = device_text.decorate_view

    def fails_for_display_1(hall, view):
        if view["kind"] == "window" and view["win"] == 1:
            raise device_text.TextError("ticket number not in GB2312")
        return real(hall, view)
    monkeypatch.setattr(device_text, "decorate_view", fails_for_display_1)
    service.on_connected()
    views = sorted(t.split("/")[3] for t, _, _ in published if t.endswith("/view"))
    assert views == sorted(set(service.hall.devices) - {"display-1"})
    assert published[-1][0] == "hm/testhall/gw/state" and published[-1][1]["on"] is True
    for n in range(3):   # it keeps failing: logged and counted once
        service.on_message(EVT % "printer-1", raw(id="p-%d" % n, t="key", key="k1"))
        service.on_message(EVT % "pad-2", raw(id="pad2-%d" % n, t="key", key="call"))
        service.refresh_views()
    assert service.counters["view_error"] == 1
    assert caplog.text.count("display-1: view not published") == 1
    pad2 = [m for t, m, _ in published if t.endswith("pad-2/view")]
    assert pad2[-1]["serving"] == "A001"       # the call of window 2 reached its pad
    monkeypatch.setattr(device_text, "decorate_view", real)
    service.refresh_views()
    assert [m["win"] for t, m, _ in published if t.endswith("display-1/view")] == [1]


def test_device_text_cannot_forge_a_log_line(hall_service, caplog):
    caplog.set_level(logging.DEBUG, logger="hallmesh.gateway")
    service, _ = hall_service
    service.on_message("hm/testhall/dev/printer-1\nwindow 5: calls Z999/evt", b"{}")
    service.on_message(EVT % "printer-1", raw(id="p-1\nwindow 5: calls Z999", t="key", key="k1"))
    service.on_message(EVT % "printer-1", b'{"v": 1, "id": "p-2", "t": "x\\u2028window 5: calls Z999"}')
    lines = caplog.text.splitlines()
    assert len(lines) == 3 and not any("window 5" in line.split(" ", 3)[-1][:8] for line in lines)
    assert "printer-1\\x0awindow 5: calls Z999/evt" in lines[0]
    assert not any("\u2028" in line or "\n" in line for line in lines)


def test_log_escaping_keeps_readable_text_and_marks_the_rest():
    from gateway.logtext import EscapingFilter, escape
    assert escape("缺纸 A017") == "缺纸 A017"
    assert escape("a\nb\r\x1b\u202e\ud800\\n") == "a\\x0ab\\x0d\\x1b\\u202e\\ud800\\\\n"
    assert escape("x" * 500, limit=10) == "x" * 10 + "..."
    assert escape(b"\xff\n") == "b'\\xff\\n'"
    record = logging.LogRecord("hallmesh.gateway", logging.INFO, __file__, 1, "%s: %s", ("pad-1", "ok\nfake"), None)
    assert EscapingFilter().filter(record) and record.getMessage() == "pad-1: ok\\x0afake"


def test_a_bad_ticket_number_already_in_the_store_stops_only_its_views_and_not_the_birth(tmp_path):
    """What a store written before the ASCII-digit check holds: an issued ticket "A00١". A
    restart publishes the birth and every view that does not show it."""
    service, published = _service_on(tmp_path / "old.db")
    service.on_message(EVT % "printer-1", raw(id="p-1", t="key", key="k1"))
    service.on_message(EVT % "pad-1", raw(id="pad-1", t="key", key="call"))
    events = service.store.load_events()
    service.store.close()
    poisoned = open_store(tmp_path / "hall.db")
    poisoned.append([_renumbered(ev, "A001", "A00\u0661") for ev in events])
    poisoned.close()
    service, published = _service_on(tmp_path / "hall.db")
    service.on_connected()
    topics = [t for t, _, _ in published]
    assert topics[-1] == "hm/testhall/gw/state" and published[-1][1]["on"] is True
    shown = sorted(t.split("/")[3] for t in topics if t.endswith("/view"))
    assert shown == ["display-2", "pad-2", "printer-1"]
    assert service.counters["view_error"] == 3       # display-1, hall-display and pad-1 show it
    service.store.close()


def _service_on(path):
    published = []
    service = Service(small_hall(), open_store(path), lambda t, p, r: published.append((t, json.loads(p), r)),
                      clock=lambda: T0)
    service.begin_session(1)
    return service, published


def _renumbered(event, old, new):
    return {k: (new if v == old else v) for k, v in event.items()}


def test_a_refusal_quoting_device_text_is_ascii_for_any_device_to_show(hall_service):
    service, published = hall_service
    service.on_message(EVT % "pad-1", raw(id="pad-1", t="key", key="r\u00b2"))
    err = acks(published, "pad-1")[0]["err"]
    assert err.isascii() and "r\\xb2" in err
