"""Replication of a hall's log to a real PostgreSQL: order, exactly once, a killed gateway,
a killed PostgreSQL, a WAN cut of a simulated hour."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from gateway.city.metrics import CityCollector
from gateway.city.replicate import Replicator
from gateway.store import open_store
from prometheus_client import CollectorRegistry, generate_latest

WAIT_S = 60
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_store(path, hall_id):
    store = open_store(str(path))
    store.write_meta("hall_id", hall_id)
    return store


def append(store, first, count, at=1.8e9):
    """Events numbered `first`.. (the number is in the body, so each row can be traced)."""
    for n in range(first, first + count):
        store.append([{"type": "ticket_issued", "at": at + n, "n": n, "text": "第%d号" % n}])


def city_rows(dsn, hall):
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT pos, body FROM city_events WHERE hall = %s ORDER BY pos", (hall,)).fetchall()


def assert_exact_copy(dsn, hall, store):
    """The city holds every event of the log once, at its position, with its body."""
    local = list(store.iter_events())
    rows = city_rows(dsn, hall)
    assert [pos for pos, _ in rows] == [pos for pos, _ in local]
    assert [body for _, body in rows] == [event for _, event in local]
    with psycopg.connect(dsn) as conn:
        dupes = conn.execute("SELECT COUNT(*) - COUNT(DISTINCT body->>'n') FROM city_events WHERE hall = %s",
                             (hall,)).fetchone()[0]
    assert dupes == 0


def test_ships_in_order_exactly_once_while_the_hall_writes(tmp_path, postgres):
    store = make_store(tmp_path / "hall.db", "order")
    append(store, 1, 50)
    # two shippers of one hall at once (a misconfiguration): the hall row lock keeps it exact
    shippers = [Replicator(tmp_path / "hall.db", postgres.dsn, batch_events=7, idle_poll_s=0.02).start()
                for _ in range(2)]
    try:
        append(store, 51, 250)
        last = store.log_position()
        assert all(s.wait_for(last, WAIT_S) for s in shippers)
        assert_exact_copy(postgres.dsn, "order", store)
        assert sum(s.status.shipped for s in shippers) == 300
        assert shippers[0].figures()["backlog"] == 0
    finally:
        for s in shippers:
            s.stop()
        store.close()


GATEWAY_CHILD = """
import sys, time
from gateway.city.replicate import Replicator
from gateway.store import open_store
db, dsn = sys.argv[1], sys.argv[2]
store = open_store(db)
store.write_meta("hall_id", "killed-gw")
shipper = Replicator(db, dsn, batch_events=5, idle_poll_s=0.01).start()
n = 0
while True:
    n += 1
    store.append([{"type": "ticket_issued", "at": 1.8e9 + n, "n": n}])
    print(n, flush=True)
"""


def test_a_gateway_killed_mid_stream_resumes_without_loss_or_twice(tmp_path, postgres):
    db = str(tmp_path / "hall.db")
    child = subprocess.Popen([sys.executable, "-c", GATEWAY_CHILD, db, postgres.dsn], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        shipped = 0
        deadline = time.monotonic() + WAIT_S
        while shipped < 100 and time.monotonic() < deadline:   # the city's own rows prove it is mid-stream
            assert child.poll() is None
            child.stdout.readline()
            shipped = len(city_rows(postgres.dsn, "killed-gw"))
        assert shipped >= 100
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    store = open_store(db)
    try:
        written = store.log_position()
        shipper = Replicator(db, postgres.dsn).start()
        try:
            assert shipper.wait_for(written, WAIT_S)
        finally:
            shipper.stop()
        assert_exact_copy(postgres.dsn, "killed-gw", store)
    finally:
        store.close()


def test_postgres_killed_mid_stream_loses_nothing_and_doubles_nothing(tmp_path, postgres):
    store = make_store(tmp_path / "hall.db", "killed-pg")
    shipper = Replicator(tmp_path / "hall.db", postgres.dsn, batch_events=5, idle_poll_s=0.01,
                         retry_max_s=0.2).start()
    stop_writing = threading.Event()
    writer = threading.Thread(target=lambda: [append(store, n, 1) for n in range(1, 100000)
                                              if not stop_writing.is_set()] and None)
    try:
        writer.start()
        assert shipper.wait_until(lambda s: s.position >= 100, WAIT_S)
        postgres.kill()
        assert shipper.wait_until(lambda s: s.error is not None, WAIT_S)
        postgres.start()
        assert shipper.wait_until(lambda s: s.error is None and s.position > 200, WAIT_S)
        stop_writing.set()
        writer.join()
        assert shipper.wait_for(store.log_position(), WAIT_S)
        assert_exact_copy(postgres.dsn, "killed-pg", store)
    finally:
        stop_writing.set()
        shipper.stop()
        store.close()


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def cli_status(db, *extra):
    out = subprocess.run([sys.executable, "-m", "gateway", "replicate", "status", "--db", str(db), "--json",
                          *extra], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def metrics_text(shipper):
    reg = CollectorRegistry(auto_describe=False)
    reg.register(CityCollector(lambda: shipper))
    return generate_latest(reg).decode()


def test_a_wan_cut_of_an_hour_queues_locally_then_catches_up(tmp_path, postgres):
    db = tmp_path / "hall.db"
    store = make_store(db, "wan-cut")
    clock = Clock(1.8e9)
    shipper = Replicator(db, postgres.dsn, clock=clock, idle_poll_s=0.02, retry_max_s=0.2).start()
    try:
        append(store, 1, 20, at=clock.now)
        assert shipper.wait_for(20, WAIT_S)
        postgres.stop()
        # an hour of the hall's day with the city out of reach: one event a minute
        cut_at = clock.now
        for minute in range(60):
            clock.now = cut_at + 60 * minute
            store.append([{"type": "ticket_issued", "at": clock.now, "n": 21 + minute}])
        clock.now = cut_at + 3600
        assert shipper.wait_until(lambda s: s.error is not None, WAIT_S)
        seen = shipper.figures()
        assert (seen["backlog"], seen["connected"], seen["position"]) == (60, False, 20)
        assert seen["lag_s"] == pytest.approx(3600)
        assert 'hallmesh_city_backlog_events{hall="wan-cut"} 60.0' in metrics_text(shipper)
        assert 'hallmesh_city_connected{hall="wan-cut"} 0.0' in metrics_text(shipper)
        offline = cli_status(db)
        assert (offline["backlog"], offline["position"]) == (60, 20)
        assert "unreachable" in offline["error"]

        postgres.start()
        assert shipper.wait_for(80, WAIT_S)
        caught_up = shipper.figures()
        assert (caught_up["backlog"], caught_up["lag_s"], caught_up["connected"]) == (0, 0.0, True)
        assert 'hallmesh_city_lag_seconds{hall="wan-cut"} 0.0' in metrics_text(shipper)
        assert_exact_copy(postgres.dsn, "wan-cut", store)
        online = cli_status(db, "--dsn", postgres.dsn)
        assert (online["backlog"], online["position"], online["connected"]) == (0, 80, True)
    finally:
        shipper.stop()
        store.close()
