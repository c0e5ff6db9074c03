"""Against a real Mosquitto started with the broker files `hallmesh devices broker-files`
writes: an enrolled device works; a device publishing on another device's topic, a wrong
password and an unknown client are refused; a removed device can no longer connect; and
`hallmesh devices list` shows what the gateway saw of each device."""
import getpass
import os
import shutil
import signal
import subprocess
import threading
import time

import paho.mqtt.client as mqtt
import pytest

from gateway import cli, config
from gateway.fleet import FleetError, broker_auth
from gateway.fleet.registry import Registry
from gateway.mqtt import Gateway
from sim.hall import SimHall
from sim.processes import ChildProcess, free_port, mosquitto_binary, wait_port
from tests.e2e.conftest import FEW, HALL_FILE, KEEPALIVE, WAIT



class AuthBroker:
    """Mosquitto run with the hall's generated mosquitto.conf, regenerated on each start."""

    def __init__(self, fleet, workdir, extra=()):
        self.fleet, self.workdir, self.port, self.extra = fleet, workdir, free_port(), list(extra)
        self.proc = None

    def write_files(self):
        out = os.path.join(self.workdir, "broker")
        assert cli.main(["devices", "broker-files", "--fleet", self.fleet, "--out", out,
                         "--listen", "127.0.0.1:%d" % self.port, *self.extra]) == 0
        return out

    def start(self):
        assert mosquitto_binary(), "these tests need Mosquitto (apt-get install mosquitto)"
        out = self.write_files()
        # as generated, plus: keep this test's user (a broker started as root would switch to
        # the mosquitto user, who cannot read pytest's private temporary folders)
        conf = os.path.join(self.workdir, "test-mosquitto.conf")
        with open(os.path.join(out, "mosquitto.conf")) as f, open(conf, "w") as g:
            g.write(f.read() + "user %s\n" % getpass.getuser())
        self.proc = ChildProcess([mosquitto_binary(), "-c", conf], os.path.join(self.workdir, "mosquitto.log")).start()
        assert wait_port(self.port), self.proc.log()
        return self

    def reload(self):
        """Regenerate the files and make the running broker read them again (SIGHUP)."""
        self.write_files()
        self.proc.proc.send_signal(signal.SIGHUP)

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
    dropped = threading.Event()
    client.on_disconnect = lambda *args: dropped.set()
    assert cli.main(["devices", "remove", "pad-5", "--fleet", fleet]) == 0
    broker.reload()                     # regenerated files and SIGHUP: `systemctl reload mosquitto`
    assert dropped.wait(WAIT), "the broker drops the removed device's open connection"
    client.loop_stop()
    rc, _ = connect(broker.port, "pad-5", password)
    assert rc.is_failure, "and refuses it from then on"
    rc, other = connect(broker.port, "pad-3", registry.get("pad-3").password)
    assert not rc.is_failure, "the other devices stay in"
    other.loop_stop()
    other.disconnect()


def test_each_device_reads_only_its_own_topics_and_the_gateways(enrolled):
    registry, broker, fleet = enrolled
    hall_id = registry.hall_id
    got = {"pad-3": [], "pad-5": []}
    arrived = threading.Condition()
    clients = []

    def listener(device_id):
        rc, client = connect(broker.port, device_id, registry.get(device_id).password)
        assert not rc.is_failure

        def on_message(c, userdata, msg):
            with arrived:
                got[device_id].append(msg.topic)
                arrived.notify_all()
        client.on_message = on_message
        subscribed = threading.Event()
        client.on_subscribe = lambda *args: subscribed.set()
        # pad-5 tries to listen in on pad-3's commands and views
        client.subscribe([("hm/%s/dev/pad-3/#" % hall_id, 1), ("hm/%s/dev/%s/#" % (hall_id, device_id), 1),
                          ("hm/%s/gw/state" % hall_id, 1)])
        assert subscribed.wait(WAIT)
        clients.append(client)

    for device_id in got:
        listener(device_id)
    _, gateway = connect(broker.port, *registry.account("gateway"))
    _, tool = connect(broker.port, *registry.account("tool"))
    clients += [gateway, tool]
    try:
        tool.publish("hm/%s/dev/pad-3/cmd" % hall_id, b'{"forged": 1}', qos=1).wait_for_publish(5)
        for topic in ("dev/pad-3/cmd", "gw/state", "dev/pad-5/view"):      # pad-5's own view last
            gateway.publish("hm/%s/%s" % (hall_id, topic), b"{}", qos=1).wait_for_publish(5)
        with arrived:
            assert arrived.wait_for(lambda: len(got["pad-3"]) >= 2 and len(got["pad-5"]) >= 2, WAIT), got
        # one publisher, in order: pad-5's own view came after pad-3's command, so that was dropped
        assert got["pad-5"] == ["hm/%s/gw/state" % hall_id, "hm/%s/dev/pad-5/view" % hall_id]
        # the read-only tool account's forged command never reached pad-3; the gateway's did
        assert got["pad-3"] == ["hm/%s/dev/pad-3/cmd" % hall_id, "hm/%s/gw/state" % hall_id]
    finally:
        for client in clients:
            client.loop_stop()
            client.disconnect()


def test_password_hashes_match_mosquitto_passwd_both_ways(tmp_path):
    """Our $7$ lines verify like mosquitto_passwd's, and its lines verify with our code."""
    tool = os.path.join(os.path.dirname(mosquitto_binary()), "..", "bin", "mosquitto_passwd")
    tool = tool if os.path.exists(tool) else shutil.which("mosquitto_passwd")
    assert tool, "mosquitto_passwd comes with mosquitto"
    path = tmp_path / "passwd"
    subprocess.run([tool, "-c", "-b", str(path), "alice", "s3cret:with colon"], check=True)
    theirs = path.read_text().strip().split(":", 1)[1]
    assert broker_auth.verify("s3cret:with colon", theirs) and not broker_auth.verify("s3cret", theirs)
    ours = broker_auth.hash_password("s3cret:with colon")
    assert [len(part) for part in ours.split("$")] == [len(part) for part in theirs.split("$")]
    assert ours.split("$")[:3] == theirs.split("$")[:3] == ["", "7", "101"]
    with pytest.raises(FleetError, match="not a Mosquitto"):
        broker_auth.verify("x", "$6$rounds$abc")


def test_tls_is_an_option_beside_the_plain_listener(tmp_path, capsys):
    fleet = str(tmp_path / "fleet.db")
    assert cli.main(["devices", "add", "--kind", "pad", "--window", "5", "--hall", HALL_FILE, "--fleet", fleet]) == 0
    cert, key = str(tmp_path / "broker.pem"), str(tmp_path / "broker.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=hallmesh-test",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    tls_port = free_port()
    broker = AuthBroker(fleet, str(tmp_path), ["--tls-ca", cert, "--tls-cert", cert, "--tls-key", key,
                                               "--tls-port", str(tls_port)]).start()
    try:
        assert wait_port(tls_port), broker.proc.log()
        password = Registry(fleet).get("pad-5").password
        for secret, refused in ((password, False), ("wrong", True)):
            done, result = threading.Event(), {}
            client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="pad-5")
            client.tls_set(ca_certs=cert)           # the broker's certificate is checked
            client.username_pw_set("pad-5", secret)
            client.on_connect = lambda c, u, f, rc, p: (result.update(rc=rc), done.set())
            client.connect("127.0.0.1", tls_port)
            client.loop_start()
            try:
                assert done.wait(WAIT), "no CONNACK over TLS"
                assert result["rc"].is_failure == refused
            finally:
                client.loop_stop()
                client.disconnect()
        rc, plain = connect(broker.port, "pad-5", password)      # today's firmware: plain MQTT
        assert not rc.is_failure
        plain.loop_stop()
        plain.disconnect()
    finally:
        broker.stop()
    assert cli.main(["devices", "broker-files", "--fleet", fleet, "--out", str(tmp_path / "b2"),
                     "--tls-ca", str(tmp_path / "missing.pem"), "--tls-cert", cert, "--tls-key", key]) == 2
    assert "TLS cafile %r does not exist" % str(tmp_path / "missing.pem") in capsys.readouterr().err
