"""Recovery: a gateway restarted over a year of history, until it serves again.

"Serving again" = Gateway.start() says online (log replayed, connected, views and birth
published) and a printer's ticket request sent then is acknowledged. Baselines in the same
run: reading the same log raw from SQLite (no parsing, no folding: the disk's share), and the
same restart over an empty store (the fixed cost of connecting and publishing views).
"""
import json
import os
import sqlite3
import time

from bench.mqtt_clients import Collector
from bench.stats import best_of, row
from gateway import config
from gateway.mqtt import Gateway


def raw_read(db_path):
    """Open the SQLite file and fetch every stored event body as text."""
    start = time.perf_counter()
    db = sqlite3.connect(db_path)
    try:
        bodies = db.execute("SELECT body FROM events ORDER BY seq").fetchall()
    finally:
        db.close()
    return time.perf_counter() - start, len(bodies)


def restart_to_serving(hall, db_path, port, tag):
    """Seconds from building the gateway to the ack of the first ticket request after it."""
    probe = Collector(port, "bench-recovery-" + tag, ["hm/%s/dev/printer-1/ack" % hall.id])
    try:
        start = time.perf_counter()
        gw = Gateway.from_files(hall, db_path, "127.0.0.1", port)
        try:
            if not gw.start(wait=120):
                raise RuntimeError("gateway over %s did not come online in 120 s" % db_path)
            ready = time.perf_counter() - start
            event = {"v": 1, "id": "recovery-%s-%d" % (tag, time.monotonic_ns()), "t": "key", "at": 0, "key": "k1"}
            probe.client.publish("hm/%s/dev/printer-1/evt" % hall.id, json.dumps(event), qos=1)
            probe.wait_count(1, timeout=60)
            serving = probe.messages[0][0] - start
            replayed = gw.state.applied
        finally:
            gw.stop()
    finally:
        probe.close()
    return ready, serving, replayed


def replay_parts(hall, db_path):
    """The two halves of a replay, timed apart: reading the log through the store, folding it."""
    from gateway.engine.core import fold
    from gateway.store import open_store
    with open_store(db_path) as store:
        start = time.perf_counter()
        events = store.load_events()
        loaded = time.perf_counter()
    fold(hall, events)
    return loaded - start, time.perf_counter() - loaded


def restart_with_year(ctx):
    db_path, summary = ctx.history()
    hall = config.load(ctx.hall_file)
    repeats = ctx.size["repeats"]
    raw_runs, year_runs, empty_runs = [], [], []
    replayed = ready_s = 0
    for n in range(repeats):
        seconds, _ = raw_read(db_path)
        raw_runs.append(seconds)
        ready_s, serving, replayed = restart_to_serving(hall, db_path, ctx.port, "year%d" % n)
        year_runs.append(serving)
        empty = ctx.path("empty-%d.db" % n)
        empty_runs.append(restart_to_serving(hall, empty, ctx.port, "empty%d" % n)[1])
        os.remove(empty)
    load_s, fold_s = replay_parts(hall, db_path)
    size_mb = os.path.getsize(db_path) / 1e6
    what = ("%d events (%d tickets, %d working days %s..%s, %.0f MB); best of %d"
            % (summary["events"], summary["tickets"], summary["days"], summary["first"], summary["last"],
               size_mb, repeats))
    year = best_of(year_runs)
    return [
        row("gateway restart to serving, a year in the store", year, "s", baseline=best_of(raw_runs),
            baseline_name="raw SQLite read of the log",
            limit="replay of the whole log on start, no snapshot: load_events (JSON) %.1f s + fold %.1f s"
            % (load_s, fold_s),
            note="%s; %d events replayed; online %.2f s after start, figure = until the first ticket "
                 "request sent then is acked" % (what, replayed, ready_s)),
        row("  same, vs restart over an empty store", year, "s", baseline=best_of(empty_runs),
            baseline_name="empty store",
            limit="grows linearly with the log: replay is O(events)",
            note="empty store: connect, subscribe, publish views and birth, ack one ticket"),
    ]
