"""The gateway as a process: SIGKILL right after an ack loses nothing; a restart on the same
store serves the same state and republishes correct retained views."""
import os
import re
import signal
import subprocess
import sys

import pytest

from tests.gateway.conftest import FakeDevice, wait_until
from tests.gateway.hall_fixture import HALL_TOML

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class GatewayProcess:
    def __init__(self, tmp_path, port):
        self.hall = tmp_path / "hall.toml"
        self.hall.write_text(HALL_TOML)
        self.db = tmp_path / "run" / "hall.db"
        self.log = tmp_path / "gateway.log"
        self.port = port
        self.proc = None

    def start(self):
        cmd = [sys.executable, "-m", "gateway", "gateway", "--hall", str(self.hall), "--db", str(self.db),
               "--broker", "127.0.0.1:%d" % self.port]
        out = open(self.log, "a")
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        out.close()

    def signal(self, sig):
        self.proc.send_signal(sig)
        return self.proc.wait(15)

    def output(self):
        return self.log.read_text()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def gateway_presence(watcher):
    states = watcher.messages("state")
    return states[-1] if states else None


@pytest.fixture
def process(mosquitto, tmp_path):
    proc = GatewayProcess(tmp_path, mosquitto.port)
    yield proc
    proc.kill()


def test_sigkill_after_an_ack_loses_nothing(mosquitto, process):
    watcher = FakeDevice(mosquitto.port, "printer-1")
    pad = FakeDevice(mosquitto.port, "pad-1")
    try:
        process.start()
        wait_until(lambda: (gateway_presence(watcher) or {}).get("ses") == 1, what="gateway birth, session 1")
        first = watcher.wait_ack(watcher.send("printer-1-1-1", "key", key="k1"))
        assert first["res"]["ticket"]["no"] == "A001"
        assert pad.wait_ack(pad.send("pad-1-1-1", "key", key="call"))["ok"]

        assert process.signal(signal.SIGKILL) == -signal.SIGKILL
        wait_until(lambda: gateway_presence(watcher) == {"v": 1, "on": False, "ses": 1},
                   what="the gateway's last will")

        process.start()
        wait_until(lambda: (gateway_presence(watcher) or {}).get("on") is True
                   and gateway_presence(watcher)["ses"] == 2, what="gateway birth, session 2")
        # a device that connects now sees the state from before the kill in its retained view
        display = FakeDevice(mosquitto.port, "display-1")
        try:
            view = display.wait_view(lambda v: v["kind"] == "window", what="retained window view")
            assert view["ticket"] == "A001" and view["state"] == "serving" and view["call"] == 1
            assert view["seq"] > 2_000_000        # published by session 2
        finally:
            display.close()
        # the resent event gets the ack of the first run; numbering continues
        watcher.send("printer-1-1-1", "key", key="k1")
        assert watcher.wait_ack("printer-1-1-1", count=2) == first
        assert watcher.wait_ack(watcher.send("printer-1-1-2", "key", key="k1"))["res"]["ticket"]["no"] == "A002"

        assert process.signal(signal.SIGTERM) == 0
        wait_until(lambda: gateway_presence(watcher) == {"v": 1, "on": False, "ses": 2}, what="clean offline")
    finally:
        watcher.close()
        pad.close()
    log = process.output()
    assert "printer-1: ticket A001 (Residence permits) issued, 0 ahead" in log
    assert "window 1: calls A001" in log
    # the first run began the day and took a snapshot of it: the restart folds only the tail
    assert re.search(r"state rebuilt in [\d.]+ s from the snapshot at event \d+ \+ \d+ events of the log, session 2",
                     log), log


def test_a_broken_hall_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(HALL_TOML.replace('services = ["A", "B"]', 'services = ["A", "Q"]'))
    proc = subprocess.run([sys.executable, "-m", "gateway", "--hall", str(bad), "--db", str(tmp_path / "x.db")],
                          cwd=REPO, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "bad.toml: [[window]] #2 (number 2): unknown service 'Q'" in proc.stderr
    assert not (tmp_path / "x.db").exists()
