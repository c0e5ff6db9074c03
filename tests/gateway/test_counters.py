"""Counters kept across restarts, shown by `hallmesh stats` and scraped from GET /metrics;
the reject log's rate limit and the log file's rotation."""
import json
import logging
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from gateway import cli, metrics
from gateway.rejects import RejectLog
from gateway.service import Service
from gateway.store import open_store
from gateway.web import StatusServer
from tests.gateway.hall_fixture import T0, small_hall

EVT = "hm/testhall/dev/%s/evt"


def make(path):
    store = open_store(path)
    service = Service(small_hall(), store, lambda *_: None, clock=lambda: T0)
    service.begin_session(1)
    return service, store


def key(event_id, name="k1"):
    return json.dumps({"v": 1, "id": event_id, "t": "key", "at": 0, "key": name}).encode()


def some_traffic(service, tag):
    service.on_message(EVT % "printer-1", key(tag + "-1"))
    service.on_message(EVT % "printer-1", key(tag + "-1"))             # a resend
    service.on_message(EVT % "printer-1", b"{nope")
    service.on_message(EVT % "printer-1", key(tag + "-2", "k\u00b2"))
    service.counters["refused_budget"] += 3     # what the inbound budget counts
    service.stats["clock_step_back"] += 1       # what the clock watch counts


def test_counters_survive_a_restart_and_add_up(tmp_path):
    service, store = make(tmp_path / "hall.db")
    some_traffic(service, "a")
    service.save_totals()
    store.close()
    service, store = make(tmp_path / "hall.db")
    assert service.snapshot()["counters"]["malformed"] == 1       # before anything of this run
    some_traffic(service, "b")
    snap = service.snapshot()
    events = ("accepted", "duplicate", "refused", "clock_step_back")
    assert {name: snap["stats"][name] for name in events} == {"accepted": 2, "duplicate": 2, "refused": 2,
                                                               "clock_step_back": 2}
    assert snap["counters"] == {"malformed": 2, "bad_field": 2, "refused_budget": 6}
    assert snap["gauges"] == {"devices_online": 0, "tickets_waiting": 2, "inbound_queue": 0}
    store.close()


def test_hallmesh_stats_shows_the_saved_counters(tmp_path, capsys):
    service, store = make(tmp_path / "hall.db")
    some_traffic(service, "a")
    service.save_totals()
    store.close()
    assert cli.main(["stats", "--db", str(tmp_path / "hall.db")]) == 0
    out = capsys.readouterr().out
    assert "events: accepted 1, duplicate 1, refused 1" in out
    assert "rejected messages: bad_field 1, malformed 1" in out
    assert "internal errors: 0" in out and "refused for budget: 3" in out and "clock steps: 1" in out
    assert "tickets waiting 1" in out
    assert cli.main(["stats", "--db", str(tmp_path / "hall.db"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counters"]["malformed"] == 1
    assert cli.main(["stats", "--db", str(tmp_path / "nothing.db")]) == 2
    assert "no store at" in capsys.readouterr().err


class _Gateway:   # what the HTTP side reads of gateway.mqtt.Gateway
    def __init__(self, service):
        import threading
        self.service, self.hall, self.state, self.lock = service, service.hall, service.state, threading.RLock()


def test_the_metrics_endpoint_can_be_scraped_and_parsed(tmp_path):
    service, store = make(tmp_path / "hall.db")
    some_traffic(service, "a")
    service.counters["internal_error"] += 0
    server = StatusServer(_Gateway(service), "127.0.0.1", 0).start()
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % server.port, timeout=10) as reply:
            kind, text = reply.headers["Content-Type"], reply.read().decode()
    finally:
        server.stop()
        store.close()
    assert kind.startswith("text/plain") and "version=" in kind
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    hall = ("hall", "testhall")
    assert samples[("hallmesh_rejected_messages_total", (hall, ("reason", "malformed")))] == 1
    assert samples[("hallmesh_rejected_messages_total", (hall, ("reason", "bad_field")))] == 1
    assert samples[("hallmesh_events_total", (hall, ("outcome", "accepted")))] == 1
    assert samples[("hallmesh_internal_errors_total", (hall,))] == 0
    assert samples[("hallmesh_refused_budget_total", (hall,))] == 3
    assert samples[("hallmesh_clock_steps_total", (hall,))] == 1
    assert samples[("hallmesh_tickets_waiting", (hall,))] == 1
    assert samples[("hallmesh_devices_online", (hall,))] == 0
    assert samples[("hallmesh_inbound_queue_depth", (hall,))] == 0


def test_the_exposition_bytes_come_from_one_function(tmp_path):
    service, store = make(tmp_path / "hall.db")
    service.on_message(EVT % "printer-1", b"{nope")
    body = metrics.exposition(metrics.registry(_Gateway(service)))
    assert b'hallmesh_rejected_messages_total{hall="testhall",reason="malformed"} 1.0' in body
    store.close()


def test_a_flood_of_rejects_writes_a_few_lines_and_one_summary(caplog):
    caplog.set_level(logging.WARNING, logger="hallmesh.gateway")
    now = [0.0]
    rejects = RejectLog(clock=lambda: now[0], window_s=60, lines=10)
    for n in range(5000):
        rejects.reject("malformed", "hm/h/dev/d/evt", "junk %d" % n)
    rejects.reject("bad_field", "hm/h/dev/d/evt", "one")
    rejects.flush()                       # the window is not over: no summary yet
    assert len(caplog.records) == 11
    now[0] = 61.0
    rejects.flush()
    assert len(caplog.records) == 12
    assert caplog.records[-1].getMessage() == "rejected in the last 61 s: malformed 5000 (4990 not logged)"
    rejects.reject("malformed", "hm/h/dev/d/evt", "a new window")
    assert caplog.records[-1].getMessage().endswith("a new window")


def test_the_log_file_is_rotated_so_it_stays_bounded(tmp_path):
    handler = cli.log_handler(str(tmp_path / "gw.log"), max_bytes=4000, keep=2)
    logger = logging.getLogger("hallmesh.test.rotation")
    logger.propagate, logger.level = False, logging.INFO
    logger.addHandler(handler)
    try:
        for n in range(2000):
            logger.info("line %d with device text %s", n, "x\nforged")
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["gw.log", "gw.log.1", "gw.log.2"]
    assert all((tmp_path / f).stat().st_size <= 4000 for f in files)
    text = (tmp_path / "gw.log").read_text()
    assert "line 1999 with device text x\\x0aforged" in text and "\nforged" not in text


def test_a_running_gateway_saves_its_counters_when_it_stops(mosquitto, tmp_path, devices):
    from gateway.mqtt import Gateway
    from tests.gateway.conftest import wait_until
    for run in (1, 2):
        gw = Gateway(small_hall(), open_store(tmp_path / "hall.db"), "127.0.0.1", mosquitto.port, owns_store=True)
        assert gw.start(wait=15), "gateway did not come online"
        printer = devices("printer-1")
        printer.publish(printer.topic("evt"), b"{nope")
        ack = printer.wait_ack(printer.send("printer-1-r%d" % run, "rate", level="5", ticket=""))
        assert ack["ok"] is False and ack["err"].startswith("bad_field")
        wait_until(lambda: gw.counters["malformed"] == 1, what="the malformed payload counted")
        gw.stop()
        with open_store(tmp_path / "hall.db") as store:
            saved = store.load_totals()
        assert saved["counters"]["malformed"] == run and saved["counters"]["bad_field"] == run
