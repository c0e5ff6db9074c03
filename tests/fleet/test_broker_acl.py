"""Against a real Mosquitto started with the broker files `hallmesh devices broker-files`
writes: an enrolled device works; a device publishing on another device's topic, a wrong
password and an unknown client are refused; a removed device can no longer connect; and
`hallmesh devices list` shows what the gateway saw of each device."""
import getpass
import os
import threading
import time

import paho.mqtt.client as mqtt
import pytest

from gateway import cli, config
from gateway.fleet.registry import Registry
from gateway.mqtt import Gateway
from sim.hall import SimHall
from sim.processes import ChildProcess, free_port, mosquitto_binary, wait_port
from tests.e2e.conftest import FEW, HALL_FILE, KEEPALIVE, WAIT

pytestmark = pytest.mark.skipif(mosquitto_binary() is None, reason="never: make test installs mosquitto")


class AuthBroker:
    """Mosquitto run with the hall's generated mosquitto.conf, regenerated on each start."""

    def __init__(self, fleet, workdir):
        self.fleet, self.workdir, self.port = fleet, workdir, free_port()
        self.proc = None

    def start(self):
        out = os.path.join(self.workdir, "broker")
        assert cli.main(["devices", "broker-files", "--fleet", self.fleet, "--out", out,
                         "--listen", "127.0.0.1:%d" % self.port]) == 0
        # as generated, plus: keep this test's user (a broker started as root would switch to
        # the mosquitto user, who cannot read pytest's private temporary folders)
        conf = os.path.join(self.workdir, "test-mosquitto.conf")
        with open(os.path.join(out, "mosquitto.conf")) as f, open(conf, "w") as g:
            g.write(f.read() + "user %s\n" % getpass.getuser())
        self.proc = ChildProcess([mosquitto_binary(), "-c", conf], os.path.join(self.workdir, "mosquitto.log")).start()
        assert wait_port(self.port), self.proc.log()
        return self

    def stop(self):
        self.proc.stop()


def connect(port, user, password):
    """(reason code of CONNACK, client) for a paho client logging in as user."""
    done, result = threading.Event(), {}
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=user)
    client.username_pw_set(user, password)

    def on_connect(c, userdata, flags, reason_code, properties):
        result["rc"] = reason_code
        done.set()
    client.on_connect = on_connect
    client.connect("127.0.0.1", port)
    client.loop_start()
    assert done.wait(WAIT), "no CONNACK"
    return result["rc"], client


@pytest.fixture
def enrolled(tmp_path):
    fleet = str(tmp_path / "fleet.db")
    assert cli.main(["devices", "import", HALL_FILE, "--fleet", fleet]) == 0
    registry = Registry(fleet, hall=config.load(HALL_FILE))
    broker = AuthBroker(fleet, str(tmp_path)).start()
    yield registry, broker, fleet
    broker.stop()


def test_only_enrolled_devices_speak_and_only_for_themselves(enrolled, tmp_path, capsys):
    registry, broker, fleet = enrolled
    hall = config.load(HALL_FILE)
    gateway = Gateway.from_files(hall, str(tmp_path / "hall.db"), "127.0.0.1", broker.port,
                                 credentials=registry.account("gateway"), on_presence=registry.update_presence)
    assert gateway.start(wait=WAIT), "the gateway could not log in"
    creds = {d.id: (d.id, d.password) for d in registry.list()}
    devices = SimHall(hall, "127.0.0.1", broker.port, str(tmp_path / "flash"), keepalive=KEEPALIVE, only=FEW,
                      credentials=creds).start()
    try:
        devices.wait_ready(WAIT)
        devices["printer-1"].press("k1")
        ticket = devices.wait_until(devices["printer-1"].tickets, WAIT, "a ticket through the secured broker")[0]
        assert ticket.largest().text == "A001"

        # pad-3 (a real account) tries to press a printer key as printer-1: the broker drops it
        rc, intruder = connect(broker.port, "pad-3x", "nope")
        assert rc.is_failure, "an unknown client is refused"
        rc, pad = connect(broker.port, "pad-5", creds["pad-5"][1])
        assert not rc.is_failure
        before = gateway.stats["accepted"]
        from protocol import codec, messages, topics
        forged = codec.encode(messages.event("printer-1-9-1", "key", key="k2"))
        pad.publish(topics.device(hall.id, "printer-1", topics.EVENTS), forged, qos=1).wait_for_publish(5)
        time.sleep(1.0)
        assert gateway.stats["accepted"] == before, "a device cannot speak for another"
        own = codec.encode(messages.event("pad-5-9-1", "key", key="call"))
        pad.publish(topics.device(hall.id, "pad-5", topics.EVENTS), own, qos=1).wait_for_publish(5)
        devices.wait_until(lambda: gateway.stats["refused"] + gateway.stats["accepted"] > before, WAIT,
                           "pad-5's own event to reach the gateway")
        pad.loop_stop()
        pad.disconnect()

        rc, _ = connect(broker.port, "pad-5", "wrong-password")
        assert rc.is_failure, "a wrong password is refused"

        assert cli.main(["devices", "list", "--fleet", fleet]) == 0
        listing = capsys.readouterr().out
        row = next(line for line in listing.splitlines() if line.startswith("printer-1 "))
        assert " yes " in row and "0.3.0" in row and "96000" in row and "-55" in row
    finally:
        devices.stop()
        gateway.stop()


def test_a_removed_device_can_no_longer_connect(enrolled):
    registry, broker, fleet = enrolled
    password = registry.get("pad-5").password
    rc, client = connect(broker.port, "pad-5", password)
    assert not rc.is_failure
    client.loop_stop()
    client.disconnect()
    assert cli.main(["devices", "remove", "pad-5", "--fleet", fleet]) == 0
    broker.stop()
    broker.start()                      # regenerated files: what `systemctl reload mosquitto` does
    rc, _ = connect(broker.port, "pad-5", password)
    assert rc.is_failure
