"""One gateway per store and per hall, with real gateway processes on a real Mosquitto: the
second refuses to start and says why, the first is never pushed off, nothing is issued
twice; a taken --http port is found before the gateway goes online."""
import os
import signal
import socket
import subprocess
import sys

import pytest

from tests.gateway.conftest import FakeDevice, wait_until
from tests.gateway.hall_fixture import HALL_TOML

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Gateways:
    """Gateway processes of one hall file, each with its own log."""

    def __init__(self, tmp_path, port):
        self.tmp, self.port, self.procs = tmp_path, port, []
        self.hall = tmp_path / "hall.toml"
        self.hall.write_text(HALL_TOML)

    def start(self, db, *extra):
        log = self.tmp / ("gateway-%d.log" % len(self.procs))
        cmd = [sys.executable, "-m", "gateway", "gateway", "--hall", str(self.hall), "--db", str(self.tmp / db),
               "--broker", "127.0.0.1:%d" % self.port, *extra]
        with open(log, "w") as out:
            proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        proc.log = log
        self.procs.append(proc)
        return proc

    def close(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


@pytest.fixture
def gateways(mosquitto, tmp_path):
    made = Gateways(tmp_path, mosquitto.port)
    yield made
    made.close()


@pytest.fixture
def printer(mosquitto):
    dev = FakeDevice(mosquitto.port, "printer-1")
    yield dev
    dev.close()


def presence(dev):
    return dev.messages("state")


def online(dev, session):
    wait_until(lambda: presence(dev) and presence(dev)[-1] == {"v": 1, "on": True, "ses": session,
                                                               "now": presence(dev)[-1].get("now")},
               what="gateway birth, session %d" % session)


def refused(proc):
    assert proc.wait(30) == 2
    return proc.log.read_text()


def ticket(dev, event_id):
    return dev.wait_ack(dev.send(event_id, "key", key="k1"))["res"]["ticket"]["no"]


def test_a_second_gateway_on_the_same_store_refuses_to_start(gateways, printer):
    first = gateways.start("hall.db")
    online(printer, 1)
    assert ticket(printer, "printer-1-1-1") == "A001"
    text = refused(gateways.start("hall.db"))
    assert "another gateway (pid %d) is running on the store" % first.pid in text
    assert "Traceback" not in text
    assert ticket(printer, "printer-1-1-2") == "A002"       # the first one serves on, never pushed off
    assert [p["on"] for p in presence(printer)] == [True]
    assert first.poll() is None


def test_a_second_gateway_of_the_hall_on_another_store_refuses_to_start(gateways, printer):
    first = gateways.start("first.db")
    online(printer, 1)
    numbers = [ticket(printer, "printer-1-1-%d" % n) for n in range(3)]
    text = refused(gateways.start("second.db"))
    assert "the gateway of hall testhall is already online" in text and "session 1" in text
    numbers += [ticket(printer, "printer-1-2-%d" % n) for n in range(3)]
    assert numbers == ["A%03d" % n for n in range(1, 7)]     # nothing issued twice
    assert [p["on"] for p in presence(printer)] == [True]
    # once the first is gone (killed: its will says so), a second may start, on its own store
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    wait_until(lambda: presence(printer)[-1].get("on") is False, what="the first gateway's will")
    gateways.start("first.db")
    online(printer, 2)
    assert ticket(printer, "printer-1-3-1") == "A007"


def test_a_taken_http_port_stops_the_gateway_before_it_goes_online(gateways, printer, mosquitto):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        text = refused(gateways.start("hall.db", "--http", "127.0.0.1:%d" % port))
    assert "cannot serve HTTP on 127.0.0.1:%d" % port in text and "Traceback" not in text
    # it never went online: a retained birth would reach this new subscriber before its own
    # retained marker does
    marker = FakeDevice(mosquitto.port, "marker", subscribe=False)
    marker.publish("hm/testhall/dev/marker/state", {"v": 1, "on": False, "ses": 0}, retain=True)
    late = FakeDevice(mosquitto.port, "late", subscribe=False)
    late.client.subscribe([("hm/testhall/gw/state", 1), ("hm/testhall/dev/marker/state", 1)])
    wait_until(lambda: late.received, what="the marker")
    assert [t for t, p, r in late.received] == ["hm/testhall/dev/marker/state"]
    marker.close()
    late.close()
