"""flash.sh end to end without hardware: a simulated board on a pseudo-terminal answering
MicroPython's raw REPL, driven by the real `mpremote`; its files land in a simulated flash
that the simulator boots when the board resets; the device comes online in a hall whose
broker checks passwords. And the errors staff meet, each naming its fix."""
import glob
import json
import os
import re
import shutil
import subprocess
import threading

import pytest
import serial

from gateway import cli, config
from gateway.fleet.registry import Registry
from gateway.mqtt import Gateway
from sim.device import SimDevice
from sim.rawrepl_board import RawReplBoard
from tests.e2e.conftest import HALL_FILE, REPO, WAIT
from tests.fleet.test_broker_acl import AuthBroker

FLASH_SH = os.path.join(REPO, "flash.sh")
HOST_UMQTT = os.path.join(REPO, "sim", "upy")     # the host's umqtt.simple stands in for micropython-lib's
# a board without MicroPython never answers; a simulated board with it answers in well under a second
SILENT_BOARD_S = "4"


def flash(*args, timeout=120):
    env = dict(os.environ, COLUMNS="250")          # the batch summary table, unwrapped
    run = subprocess.run(["bash", FLASH_SH, *args], capture_output=True, text=True, timeout=timeout, env=env)
    return run.returncode, run.stdout + run.stderr


def snapshot(folder):
    """{relative path: bytes} of every file under folder."""
    out = {}
    for path in glob.glob(os.path.join(str(folder), "**"), recursive=True):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                out[os.path.relpath(path, str(folder))] = f.read()
    return out


def expected_modules():
    """Every module flash.sh must compile: firmware packages and protocol/ (main.py and boot.py
    stay sources: MicroPython runs only those as .py at boot)."""
    firmware = [os.path.relpath(p, os.path.join(REPO, "firmware"))
                for p in glob.glob(os.path.join(REPO, "firmware", "*", "**", "*.py"), recursive=True)]
    protocol = ["protocol/" + os.path.basename(p) for p in glob.glob(os.path.join(REPO, "protocol", "*.py"))]
    assert protocol, "protocol/ has no modules to flash"
    return [m[:-3] + ".mpy" for m in firmware + protocol]


def firmware_version():
    with open(os.path.join(REPO, "firmware", "runtime", "device.py")) as f:
        return re.search(r'^FIRMWARE = "([^"]+)"', f.read(), re.M).group(1)


@pytest.fixture
def hall_site(tmp_path):
    fleet = str(tmp_path / "fleet.db")
    assert cli.main(["devices", "import", HALL_FILE, "--fleet", fleet]) == 0
    broker = AuthBroker(fleet, str(tmp_path)).start()
    yield fleet, broker
    broker.stop()


@pytest.fixture
def site_args(hall_site):
    fleet, broker = hall_site
    return ["--fleet", fleet, "--wifi-ssid", "hall-net", "--wifi-key", "k", "--broker", "127.0.0.1:%d" % broker.port]


@pytest.fixture
def umqtt_package(tmp_path):
    """An offline mip package (what a hall without internet keeps): package.json and its file."""
    folder = tmp_path / "umqtt-pkg"
    (folder / "umqtt").mkdir(parents=True)
    shutil.copyfile(os.path.join(HOST_UMQTT, "umqtt", "simple.py"), folder / "umqtt" / "simple.py")
    (folder / "package.json").write_text(json.dumps({"urls": [["umqtt/simple.py", "umqtt/simple.py"]],
                                                     "version": "1.4.0"}))
    return str(folder)


def test_a_flashed_board_boots_and_comes_online_in_the_hall(hall_site, site_args, umqtt_package, tmp_path):
    fleet, broker = hall_site
    hall = config.load(HALL_FILE)
    registry = Registry(fleet, hall=hall)
    gateway = Gateway.from_files(hall, str(tmp_path / "hall.db"), "127.0.0.1", broker.port,
                                 credentials=registry.account("gateway"), on_presence=registry.update_presence)
    assert gateway.start(wait=WAIT)
    flash_dir = tmp_path / "board-flash"
    booted = []
    lock = threading.Lock()

    def power_up(_board):             # the board resets after flashing: the firmware starts
        with lock:
            if not booted and (flash_dir / "config.json").exists():
                device = SimDevice.from_flash(str(flash_dir))
                device.start()
                booted.append(device)

    board = RawReplBoard(str(flash_dir), on_reset=power_up).start()
    try:
        code, out = flash("--port", board.port, "--device", "pad-5", *site_args, "--umqtt-dir", umqtt_package,
                          "--birth-timeout", "60")
        assert code == 0, out
        assert "pad-5" in out and "online" in out and "mip" in out
        assert booted and booted[0].id == "pad-5"
        with gateway.lock:
            presence = gateway.fleet.get("pad-5")
            assert presence is not None and presence.online
        assert registry.get("pad-5").online and registry.get("pad-5").fw == firmware_version()
    finally:
        for device in booted:
            device.power_off()
        board.stop()
        gateway.stop()

    pad = registry.get("pad-5")
    flashed = json.loads((flash_dir / "config.json").read_text())
    assert flashed == {"id": "pad-5", "hall": "riverside", "kind": "pad", "wifi": {"ssid": "hall-net", "key": "k"},
                       "broker": {"host": "127.0.0.1", "port": broker.port, "user": "pad-5",
                                  "password": pad.password},
                       "keepalive": 30, "poll_ms": 50}
    with open(os.path.join(REPO, "boards", "hm-pad-v1.json")) as f:
        assert json.loads((flash_dir / "board.json").read_text()) == json.load(f)
    files = snapshot(flash_dir)
    missing = [m for m in expected_modules() if m not in files]
    assert not missing, "not compiled onto the board: %s" % missing
    assert all(files[m][:2] == b"M\x06" for m in expected_modules()), "bytecode for MicroPython 1.19+ (.mpy v6)"
    assert "main.py" in files and "boot.py" in files
    assert "lib/umqtt/simple.py" in files, "mip installed umqtt.simple from the local package"
    assert not [p for p in files if p.startswith(("hm_new", "hm_old", "hm_trash", "main.hold"))], \
        "no staging left on the board"


def test_mistakes_are_named_before_any_board_is_touched(site_args, tmp_path):
    code, out = flash("--port", "/dev/hm-no-such-port", "--device", "pad-5", *site_args, "--no-wait")
    assert code == 1 and "no such port /dev/hm-no-such-port" in out and "USB cable" in out
    code, out = flash("--port", "/dev/null", "--device", "pad-99", *site_args, "--no-wait")
    assert code == 1 and "device 'pad-99' is not enrolled" in out and "hallmesh devices add" in out
    code, out = flash("--port", "/dev/null", "--device", "pad-5", *site_args[:-2])
    assert code == 2 and "no broker: pass --broker HOST:PORT" in out
    code, out = flash("--port", "/dev/null", *site_args)
    assert code == 2 and "give both --port and --device" in out
    code, out = flash("--port", "/dev/hm-no-such-port", "--device", "pad-5", *site_args, "--umqtt-dir", str(tmp_path))
    assert code == 2 and "no umqtt/simple.py or package.json in %s" % tmp_path in out


def test_a_busy_port_is_named_and_the_board_left_alone(site_args, tmp_path):
    with RawReplBoard(str(tmp_path / "flash")) as board:
        monitor = serial.Serial(board.port, exclusive=True)    # a serial monitor left open
        try:
            code, out = flash("--port", board.port, "--device", "pad-5", *site_args, "--no-wait")
        finally:
            monitor.close()
        assert board.execs == 0
    assert code == 1 and "port busy: %s" % board.port in out and "close serial monitors" in out


def test_boards_that_cannot_take_the_firmware_are_named(site_args, tmp_path):
    common = ["--device", "pad-5", *site_args, "--umqtt-dir", HOST_UMQTT, "--no-wait"]
    with RawReplBoard(str(tmp_path / "blank"), micropython=False) as blank:
        code, out = flash("--port", blank.port, *common, "--board-timeout", SILENT_BOARD_S)
    assert code == 1 and "no MicroPython on the board at %s" % blank.port in out and "--micropython" in out

    with RawReplBoard(str(tmp_path / "old"), version=(1, 12, 0)) as old:
        code, out = flash("--port", old.port, *common)
    assert code == 1 and "MicroPython too old: the board at %s runs 1.12.0" % old.port in out
    assert "--micropython" in out and not os.listdir(tmp_path / "old")

    printer = tmp_path / "printer"
    printer.mkdir()
    shutil.copyfile(os.path.join(REPO, "boards", "hm-printer-v1.json"), printer / "board.json")
    (printer / "main.py").write_text("# a printer's firmware\n")
    before = snapshot(printer)
    with RawReplBoard(str(printer)) as board:
        code, out = flash("--port", board.port, *common)
    assert code == 1 and "board file mismatch" in out and "hm-printer-v1" in out and "--force-board" in out
    assert snapshot(printer) == before, "the printer's firmware is untouched"

    with RawReplBoard(str(tmp_path / "s3"), machine="Generic ESP32S3 module with ESP32S3") as s3:
        code, out = flash("--port", s3.port, *common)
    assert code == 1 and "board file mismatch: the board at %s has an esp32s3 chip" % s3.port in out
    assert not os.listdir(tmp_path / "s3")


def test_a_device_that_does_not_come_online_is_reported_with_what_to_check(site_args, tmp_path):
    # nothing boots this board's flash: the firmware is installed but no birth ever comes
    with RawReplBoard(str(tmp_path / "flash")) as board:
        code, out = flash("--port", board.port, "--device", "pad-5", *site_args, "--umqtt-dir", HOST_UMQTT,
                          "--birth-timeout", "1")
    assert code == 1, out
    assert "birth not seen: the firmware is installed, but pad-5 did not come online within 1 s" in out
    assert "hm/riverside/dev/pad-5/state" in out and "Wi-Fi" in out
    assert (tmp_path / "flash" / "config.json").exists()


def test_a_batch_flashes_board_after_board_and_sums_up(site_args, tmp_path):
    with RawReplBoard(str(tmp_path / "a")) as first, RawReplBoard(str(tmp_path / "b")) as second:
        batch = tmp_path / "today.txt"
        batch.write_text("# boards of the day\n%s,pad-6\n/dev/hm-unplugged,pad-7\n%s,display-2\n"
                         % (first.port, second.port))
        code, out = flash("--batch", str(batch), *site_args, "--umqtt-dir", HOST_UMQTT, "--no-wait")
    assert code == 1, out                      # one of three failed
    assert "3/3" in out and "2 of 3 boards flashed" in out, out    # the progress bar, the summary
    assert "no such port /dev/hm-unplugged" in out
    assert json.loads((tmp_path / "a" / "config.json").read_text())["id"] == "pad-6"
    assert json.loads((tmp_path / "b" / "config.json").read_text())["id"] == "display-2"
    bad = tmp_path / "bad.txt"
    bad.write_text("/dev/ttyUSB0\n/dev/ttyUSB1,pad-1\n/dev/ttyUSB1,pad-2\n")
    code, out = flash("--batch", str(bad), *site_args)
    assert code == 2 and "line 1: expected PORT,DEVICE" in out and "port /dev/ttyUSB1 is listed twice" in out


def test_a_flash_that_fails_midway_leaves_the_previous_firmware_running(site_args, tmp_path):
    common = ["--device", "pad-5", *site_args, "--umqtt-dir", HOST_UMQTT, "--no-wait"]
    flash_dir = tmp_path / "board"
    with RawReplBoard(str(flash_dir)) as board:
        code, out = flash("--port", board.port, *common)
        assert code == 0, out
        (flash_dir / "outbox.log").write_text("queued events the firmware wrote\n")
        before = snapshot(flash_dir)
        board.flash.fail_writes_after(4000)     # the flash chip gives up part way through the copy
        code, out = flash("--port", board.port, *common, "--wifi-key", "new-key")
    assert code == 1, out
    assert "nothing changed: the previous firmware is back in place and running" in out
    assert snapshot(flash_dir) == before, "every file as it was, the firmware's own included"
