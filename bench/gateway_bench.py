"""Gateway throughput with durable storage, beside the do-nothing echo service (the ceiling)."""
import json
import os
import tempfile
import time

from bench.floor import EchoService
from bench.mqtt_clients import Collector
from bench.stats import row
from gateway.mqtt import Gateway

HALL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "halls", "example.toml")
PRINTER_KEYS = [(p, "k%d" % k) for p in ("printer-1", "printer-2") for k in range(1, 7)]


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
    echo = EchoService(port, "riverside")
    _, echo_rate = _blast(port, "riverside", per_key, "echo")
    echo.close()
    with tempfile.TemporaryDirectory() as tmp:
        gw = Gateway.from_files(HALL, os.path.join(tmp, "hall.db"), "127.0.0.1", port)
        assert gw.start(wait=20), "gateway did not come online"
        try:
            total, gw_rate = _blast(port, "riverside", per_key, "gw")
            accepted = gw.stats.get("accepted", 0)
        finally:
            gw.stop()
    return [
        row("echo service throughput (ceiling)", echo_rate, "events/s", note="%d events, QoS 1, no storage" % total),
        row("gateway throughput, durable SQLite", gw_rate, "events/s", baseline=echo_rate,
            baseline_name="echo", limit="one fsync'd transaction per event (synchronous=FULL)",
            note="%d ticket requests, %d accepted" % (total, accepted)),
    ]
