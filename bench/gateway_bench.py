"""Gateway figures beside baselines measured in the same run: durable throughput beside the
do-nothing echo service; one printer's request -> ack beside the broker round trip; 8
printers at once beside the echo service; a quiet printer's acks while another device floods
the hall, and while 1,000 idle HTTP connections are held open.

Every client here has Nagle off (bench/mqtt_clients.py), as the firmware, the gateway and
the project's Mosquitto config have. The benchmarks that measure speed lift the per-device
inbound budget (a real printer prints a ticket or two a second; these ask for hundreds); the
flood benchmark keeps it, since it is what it measures."""
import datetime
import json
import os
import socket
import tempfile
import threading
import time
import urllib.request

from bench.floor import EchoService
from bench.mqtt_clients import Collector
from bench.stats import percentile, row, summary_ms
from gateway import config
from gateway.engine import days
from gateway.mqtt import Gateway
from gateway.store import open_store

HALL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "halls", "example.toml")
PRINTER_KEYS = [(p, "k%d" % k) for p in ("printer-1", "printer-2") for k in range(1, 7)]
HALL_ID = "riverside"
FLOOD_EVENTS = 10_000
IDLE_CONNECTIONS = 1000


def _blast(port, hall_id, per_key, tag):
    """Publish per_key ticket requests for each printer key at once; events/s until all acked."""
    load = Collector(port, "bench-load-" + tag)
    for printer in ("printer-1", "printer-2"):
        load.subscribe("hm/%s/dev/%s/ack" % (hall_id, printer))
    total = per_key * len(PRINTER_KEYS)
    start = time.perf_counter()
    for n in range(per_key):
        for printer, key in PRINTER_KEYS:
            event = {"v": 1, "id": "%s-%s-%s-%d" % (printer, tag, key, n), "t": "key", "at": 0, "key": key}
            load.client.publish("hm/%s/dev/%s/evt" % (hall_id, printer), json.dumps(event), qos=1)
    load.wait_count(total, timeout=600)
    elapsed = load.messages[-1][0] - start
    load.close()
    return total, total / elapsed


def throughput(port, per_key=80):
    echo = EchoService(port, HALL_ID)
    _, echo_rate = _blast(port, HALL_ID, per_key, "echo")
    echo.close()
    with tempfile.TemporaryDirectory() as tmp:
        gw = Gateway.from_files(HALL, os.path.join(tmp, "hall.db"), "127.0.0.1", port, budget=None)
        assert gw.start(wait=20), "gateway did not come online"
        try:
            total, gw_rate = _blast(port, HALL_ID, per_key, "gw")
            accepted = gw.stats.get("accepted", 0)
        finally:
            gw.stop()
    return [
        row("echo service throughput (ceiling)", echo_rate, "events/s", note="%d events, QoS 1, no storage" % total),
        row("gateway throughput, durable SQLite", gw_rate, "events/s", baseline=echo_rate,
            baseline_name="echo", limit="group commit: one fsync'd transaction per batch the worker takes (synchronous=FULL)",
            note="%d ticket requests pipelined from 2 printers, %d accepted; inbound budget lifted"
                 % (total, accepted)),
    ]


# --- one printer, one ticket at a time ---------------------------------------------------

class Requester:
    """A printer that asks for one ticket, waits for its ack, then asks for the next: the
    way a kiosk is used, and the way Nagle's delay would show."""

    def __init__(self, port, printer, tag, hall_id=HALL_ID):
        self.printer, self.tag, self.hall_id = printer, tag, hall_id
        self.link = Collector(port, "bench-%s-%s" % (tag, printer))
        self.link.subscribe("hm/%s/dev/%s/ack" % (hall_id, printer))
        self.sent = 0
        self._last = 0.0

    def request(self, key="k1", timeout=30.0, every_s=0.0):
        """Seconds from the publish of one ticket request to its ack; with every_s, the
        request waits until every_s after the previous one began (a paced kiosk)."""
        if every_s:
            wait_s = self._last + every_s - time.perf_counter()
            if wait_s > 0:
                time.sleep(wait_s)
            self._last = time.perf_counter()
        self.sent += 1
        event = {"v": 1, "id": "%s-%s-%d" % (self.printer, self.tag, self.sent), "t": "key", "at": 0, "key": key}
        start = time.perf_counter()
        self.link.client.publish("hm/%s/dev/%s/evt" % (self.hall_id, self.printer), json.dumps(event), qos=1)
        self.link.wait_count(self.sent, timeout)
        return self.link.messages[-1][0] - start

    def ack(self, n):
        return json.loads(self.link.messages[n][2])

    def close(self):
        self.link.close()


def _gateway(port, tmp, hall=HALL, **kwargs):
    gw = Gateway.from_files(hall, os.path.join(tmp, "hall.db"), "127.0.0.1", port, **kwargs)
    assert gw.start(wait=30), "gateway did not come online"
    return gw


def _commit_ms(tmp, samples=50):
    """The median of one fsync'd SQLite transaction as the gateway commits an event: one
    event appended to a store of its own, in the store's own settings."""
    store = open_store(os.path.join(tmp, "fsync.db"))
    times = []
    try:
        for n in range(samples):
            start = time.perf_counter()
            store.append([{"type": "bench_commit", "at": float(n), "n": n}])
            times.append(time.perf_counter() - start)
    finally:
        store.close()
    return summary_ms(times)["median"]


def sequential(ctx):
    floor = ctx.floor()
    samples = 60 if ctx.quick else 400
    with tempfile.TemporaryDirectory() as tmp:
        commit = _commit_ms(tmp)
        gw = _gateway(ctx.port, tmp, budget=None)
        kiosk = Requester(ctx.port, "printer-1", "seq")
        try:
            for _ in range(10):
                kiosk.request()                       # warm: first views, caches
            lat = summary_ms([kiosk.request() for _ in range(samples)])
        finally:
            kiosk.close()
            gw.stop()
    target = 3 * floor["median"] + commit
    note = ("one printer, one ticket request at a time, each sent after the previous ack; %d samples; "
            "paho with TCP_NODELAY over Mosquitto with set_tcp_nodelay; fsync'd commit %.2f ms (median); "
            "inbound budget lifted" % (lat["n"], commit))
    return [row("sequential request -> ack, median", lat["median"], "ms", baseline=floor["median"],
                baseline_name="broker round trip", note=note,
                limit="two broker hops + the gateway's worker + one fsync'd commit"),
            row("  same, p99", lat["p99"], "ms", baseline=floor["p99"], baseline_name="round trip p99",
                limit="scheduler noise and fsync outliers on a shared 2-core machine"),
            row("  same, median vs target", lat["median"], "ms", baseline=target,
                baseline_name="3x round trip + commit",
                limit="target met when the ratio is 1.00x or less")]


# --- 8 printers at once -------------------------------------------------------------------

def eight_printer_hall(tmp):
    """The example hall with printers 3-8 added beside printers 1 and 2."""
    with open(HALL, encoding="utf-8") as f:
        text = f.read()
    block = ('\n[[device]]\nid = "printer-%d"\nkind = "printer"\nboard = "hm-printer-v1"\n'
             'keys = { k1 = "A", k2 = "B", k3 = "C", k4 = "D", k5 = "E", k6 = "F" }\n')
    path = os.path.join(tmp, "eight.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "".join(block % n for n in range(3, 9)))
    return path


def _printers_at_once(port, printers, per_printer, tag):
    """Tickets/s of `printers` sequential kiosks asking at the same time."""
    kiosks = [Requester(port, p, tag) for p in printers]
    keys = ["k%d" % k for k in range(1, 7)]
    errors = []

    def run(kiosk):
        try:
            for n in range(per_printer):
                kiosk.request(keys[n % 6])
        except Exception as exc:  # noqa: BLE001 - reported below, never a hang
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(k,)) for k in kiosks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    for k in kiosks:
        k.close()
    if errors:
        raise errors[0]
    return len(printers) * per_printer / elapsed


def printers8(ctx):
    per_printer = 25 if ctx.quick else 150
    printers = ["printer-%d" % n for n in range(1, 9)]
    with tempfile.TemporaryDirectory() as tmp:
        hall = eight_printer_hall(tmp)
        echo = EchoService(ctx.port, HALL_ID)
        try:
            echo_rate = _printers_at_once(ctx.port, printers, per_printer, "echo8")
        finally:
            echo.close()
        gw = _gateway(ctx.port, tmp, hall=hall, budget=None)
        try:
            gw_rate = _printers_at_once(ctx.port, printers, per_printer, "gw8")
            issued = gw.stats.get("accepted", 0)
        finally:
            gw.stop()
    note = ("8 printers, each asking for its next ticket only after the ack of the last, %d each; "
            "%d tickets issued; inbound budget lifted" % (per_printer, issued))
    return [row("8 printers at once, echo service", echo_rate, "events/s", note=note,
                limit="8 paho clients and the echo's own paho thread, one Python process"),
            row("8 printers at once, gateway", gw_rate, "tickets/s", baseline=echo_rate,
                baseline_name="echo", limit="one worker deciding in series; the tickets waiting share one fsync'd commit")]


# --- one device floods, another issues tickets ---------------------------------------------

def _flood(port, device, count):
    """`count` valid status events from `device` as fast as paho publishes them."""
    flooder = Collector(port, "bench-flood-" + device)
    topic = "hm/%s/dev/%s/evt" % (HALL_ID, device)
    infos = []
    for n in range(count):
        event = {"v": 1, "id": "%s-flood-%d" % (device, n), "t": "status", "at": 0, "part": "paper", "state": "ok"}
        infos.append(flooder.client.publish(topic, json.dumps(event), qos=1))
    for info in infos:
        info.wait_for_publish(120)
    flooder.close()


FLOOD_KIOSK_EVERY_S = 0.1     # the quiet printer asks 10 times a second: within its budget


def flood(ctx):
    quiet_n = 40 if ctx.quick else 150
    pace = FLOOD_KIOSK_EVERY_S
    with tempfile.TemporaryDirectory() as tmp:
        gw = _gateway(ctx.port, tmp)                  # the real inbound budget
        kiosk = Requester(ctx.port, "printer-1", "flood")
        try:
            for _ in range(5):
                kiosk.request(every_s=pace)
            quiet = [kiosk.request(every_s=pace) for _ in range(quiet_n)]
            flooding = threading.Thread(target=_flood, args=(ctx.port, "printer-2", FLOOD_EVENTS))
            start = time.perf_counter()
            flooding.start()
            busy = []
            while flooding.is_alive() or len(busy) < quiet_n:
                busy.append(kiosk.request(every_s=pace))
            flood_s = time.perf_counter() - start
            flooding.join()
            refused = gw.counters.get("refused_budget", 0)
            handled = gw.stats.get("accepted", 0) + gw.stats.get("refused", 0)
        finally:
            kiosk.close()
            gw.stop()
    q, b = summary_ms(quiet), summary_ms(busy)
    note = ("printer-2 publishes %d valid status events as fast as paho can (%.1f s) while printer-1 asks "
            "for one ticket at a time, one every %.1f s: %d samples during the flood, %d on the quiet hall before it; "
            "%d of the flood dropped for printer-2's budget (refused_budget), %d events handled in all"
            % (FLOOD_EVENTS, flood_s, pace, b["n"], q["n"], refused, handled))
    return [row("ack p99 while another device floods", b["p99"], "ms", baseline=q["p99"],
                baseline_name="quiet hall p99", note=note,
                limit="target 1 s; the flooder's budget-sized share of the worker (served in turn)"),
            row("  same, median", b["median"], "ms", baseline=q["median"], baseline_name="quiet hall median",
                limit="paho's network thread reading the flood beside the acks")]


# --- 1,000 idle HTTP connections -----------------------------------------------------------

def _page_times(url, count):
    times, codes = [], []
    for _ in range(count):
        start = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            codes.append(response.status)
        times.append(time.perf_counter() - start)
    return times, codes


def _hold(port, count):
    held = []
    for _ in range(count):
        held.append(socket.create_connection(("127.0.0.1", port), timeout=10))
    return held


def idle_http(ctx):
    from gateway.web import StatusServer, raise_descriptor_limit
    raise_descriptor_limit()          # as the gateway command does: 1,000 held + our own
    n = 40 if ctx.quick else 200
    hall = config.load(HALL)
    with tempfile.TemporaryDirectory() as tmp:
        gw = _gateway(ctx.port, tmp, budget=None)
        web = StatusServer(gw, "127.0.0.1", 0).start()
        kiosk = Requester(ctx.port, "printer-1", "idle")
        try:
            kiosk.request()
            ticket = kiosk.ack(0)["res"]["ticket"]
            day = days.local_datetime(hall, ticket["at"]).strftime("%Y-%m-%d")
            url = "http://127.0.0.1:%d/t/%s/%s/%s" % (web.port, hall.id, day, ticket["no"])
            base_pages, codes = _page_times(url, n)
            base_acks = [kiosk.request() for _ in range(n)]
            held = _hold(web.port, IDLE_CONNECTIONS)
            try:
                start = time.perf_counter()
                busy_pages, busy_codes = _page_times(url, n)
                busy_acks = [kiosk.request() for _ in range(n)]
                during_s = time.perf_counter() - start
                open_now = web.open_connections()
                refused = web.refused_connections
            finally:
                for sock in held:
                    sock.close()
        finally:
            kiosk.close()
            web.stop()
            gw.stop()
    pages_ok = sum(1 for c in codes + busy_codes if c == 200)
    note = ("%d idle TCP connections opened to the status page server and held; then %d page GETs (new "
            "connection each) and %d sequential ticket acks, %.1f s in all; %d connections open on the "
            "server at the end, %d refused at the limit (%d); %d of %d pages answered 200; idle timeout %.0f s"
            % (IDLE_CONNECTIONS, n, n, during_s, open_now, refused, web.max_connections, pages_ok,
               2 * n, web.idle_timeout_s))
    bp, ip = summary_ms(base_pages), summary_ms(busy_pages)
    ba, ia = summary_ms(base_acks), summary_ms(busy_acks)
    return [row("status page p99, 1000 idle connections held", ip["p99"], "ms", baseline=bp["p99"],
                baseline_name="no idle connections", note=note,
                limit="one event loop; idle connections cost a descriptor each, no thread"),
            row("MQTT ack p99, 1000 idle HTTP connections held", ia["p99"], "ms", baseline=ba["p99"],
                baseline_name="no idle connections",
                limit="the HTTP loop shares the GIL with the worker only when a page is asked")]
