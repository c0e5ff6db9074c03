"""flash.sh end to end without hardware: a simulated board on a pseudo-terminal answering
MicroPython's raw REPL, driven by the real `mpremote`; its files land in a simulated flash
that the simulator boots when the board resets; the device comes online in a hall whose
broker checks passwords. And the errors staff meet, each naming its fix."""
import os
import subprocess
import threading

import pytest

from gateway import cli, config
from gateway.fleet.registry import Registry
from gateway.mqtt import Gateway
from sim.device import SimDevice
from sim.rawrepl_board import RawReplBoard
from tests.e2e.conftest import HALL_FILE, REPO, WAIT
from tests.fleet.test_broker_acl import AuthBroker

FLASH_SH = os.path.join(REPO, "flash.sh")
UMQTT_DIR = os.path.join(REPO, "sim", "upy")     # the host's umqtt.simple stands in for mip's


def flash(*args, timeout=240):
    run = subprocess.run(["bash", FLASH_SH, *args], capture_output=True, text=True, timeout=timeout)
    return run.returncode, run.stdout + run.stderr


@pytest.fixture
def hall_site(tmp_path):
    fleet = str(tmp_path / "fleet.db")
    assert cli.main(["devices", "import", HALL_FILE, "--fleet", fleet]) == 0
    broker = AuthBroker(fleet, str(tmp_path)).start()
    yield fleet, broker
    broker.stop()


def test_a_flashed_board_boots_and_comes_online_in_the_hall(hall_site, tmp_path):
    fleet, broker = hall_site
    hall = config.load(HALL_FILE)
    registry = Registry(fleet, hall=hall)
    gateway = Gateway.from_files(hall, str(tmp_path / "hall.db"), "127.0.0.1", broker.port,
                                 credentials=registry.account("gateway"), on_presence=registry.update_presence)
    assert gateway.start(wait=WAIT)
    flash_dir = str(tmp_path / "board-flash")
    booted = []
    lock = threading.Lock()

    def power_up(_board):             # the board resets after flashing: the firmware starts
        with lock:
            if not booted and os.path.exists(os.path.join(flash_dir, "config.json")):
                device = SimDevice.from_flash(flash_dir)
                device.start()
                booted.append(device)

    board = RawReplBoard(flash_dir, on_reset=power_up).start()
    try:
        code, out = flash("--port", board.port, "--device", "pad-5", "--fleet", fleet, "--wifi-ssid", "hall-net",
                          "--wifi-key", "k", "--broker", "127.0.0.1:%d" % broker.port, "--umqtt-dir", UMQTT_DIR,
                          "--birth-timeout", "60")
        assert code == 0, out
        assert "pad-5" in out and "online" in out
        assert booted and booted[0].id == "pad-5"
        with gateway.lock:
            presence = gateway.fleet.get("pad-5")
            assert presence is not None and presence.online
        assert registry.get("pad-5").online and registry.get("pad-5").fw == "0.3.0"
        assert os.path.exists(os.path.join(flash_dir, "runtime", "device.mpy"))
        assert os.path.exists(os.path.join(flash_dir, "lib", "umqtt", "simple.mpy"))
    finally:
        for device in booted:
            device.power_off()
        board.stop()
        gateway.stop()


def test_flashing_errors_name_the_fix(hall_site, tmp_path):
    fleet, broker = hall_site
    common = ["--fleet", fleet, "--wifi-ssid", "hall-net", "--broker", "127.0.0.1:%d" % broker.port,
              "--umqtt-dir", UMQTT_DIR, "--no-wait"]
    code, out = flash("--port", "/dev/does-not-exist", "--device", "pad-5", *common)
    assert code != 0 and "/dev/does-not-exist" in out
    code, out = flash("--port", "/dev/null", "--device", "pad-99", *common)
    assert code != 0 and "pad-99" in out and "hallmesh devices add" in out
    with RawReplBoard(str(tmp_path / "blank"), micropython=False) as blank:
        code, out = flash("--port", blank.port, "--device", "pad-5", *common)
        assert code != 0 and "MicroPython" in out
    with RawReplBoard(str(tmp_path / "old"), version=(1, 12, 0)) as old:
        code, out = flash("--port", old.port, "--device", "pad-5", *common)
        assert code != 0 and "1.12" in out


def test_a_batch_flashes_board_after_board_and_sums_up(hall_site, tmp_path):
    fleet, broker = hall_site
    with RawReplBoard(str(tmp_path / "a")) as first, RawReplBoard(str(tmp_path / "b"), micropython=False) as blank:
        batch = tmp_path / "today.txt"
        batch.write_text("# boards of the day\n%s,pad-6\n%s,pad-7\n" % (first.port, blank.port))
        code, out = flash("--batch", str(batch), "--fleet", fleet, "--wifi-ssid", "hall-net", "--broker",
                          "127.0.0.1:%d" % broker.port, "--umqtt-dir", UMQTT_DIR, "--no-wait")
    assert code == 1, out                      # one of two failed
    assert "pad-6" in out and "pad-7" in out and "MicroPython" in out
    assert "1 of 2" in out or "1/2" in out, out
    assert os.path.exists(tmp_path / "a" / "config.json") and not os.path.exists(tmp_path / "b" / "config.json")
    bad = tmp_path / "bad.txt"
    bad.write_text("/dev/ttyUSB0\n")
    code, out = flash("--batch", str(bad), "--fleet", fleet, "--wifi-ssid", "x", "--broker", "127.0.0.1:1")
    assert code == 2 and "line 1: expected PORT,DEVICE" in out


def test_a_flash_that_fails_midway_leaves_the_previous_firmware_running(hall_site, tmp_path):
    fleet, broker = hall_site
    common = ["--fleet", fleet, "--wifi-ssid", "hall-net", "--broker", "127.0.0.1:%d" % broker.port,
              "--umqtt-dir", UMQTT_DIR, "--no-wait"]
    flash_dir = tmp_path / "board"
    with RawReplBoard(str(flash_dir)) as board:
        code, out = flash("--port", board.port, "--device", "pad-5", *common)
        assert code == 0, out
        before = (flash_dir / "config.json").read_text()
        board.flash.fail_writes_after(4000)     # the flash chip gives up part way through the copy
        code, out = flash("--port", board.port, "--device", "pad-5", "--wifi-key", "new-key", *common)
    assert code == 1, out
    assert "previous firmware" in out
    assert (flash_dir / "config.json").read_text() == before
    assert (flash_dir / "main.py").exists() and (flash_dir / "runtime" / "device.mpy").exists()
