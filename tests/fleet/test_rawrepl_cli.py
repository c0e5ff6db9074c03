"""The "try it by hand" route of docs/flashing.md: `python -m sim.rawrepl_board DIR` is a board
that flash.sh writes to and that then boots what was flashed, so the device comes online."""
import os
import select
import signal
import subprocess
import sys

from gateway import config
from gateway.fleet.registry import Registry
from gateway.mqtt import Gateway
from tests.e2e.conftest import HALL_FILE, REPO, WAIT
from tests.fleet.test_flash_e2e import flash, hall_site, site_args, umqtt_package  # noqa: F401 (fixtures)


def board_command(*args, cwd=REPO):
    return subprocess.Popen([sys.executable, "-m", "sim.rawrepl_board", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONPATH=REPO))


def read_until(proc, needle, seen):
    """Lines of the board's output up to one holding `needle` (a safety-net timeout only)."""
    while True:
        ready, _, _ = select.select([proc.stdout], [], [], WAIT)
        assert ready, "the board printed no %r; it printed: %s" % (needle, "".join(seen))
        line = proc.stdout.readline()
        assert line, "the board ended; it printed: %s" % "".join(seen)
        seen.append(line)
        if needle in line:
            return line


def test_help_is_help_and_makes_no_folder(tmp_path):
    run = subprocess.run([sys.executable, "-m", "sim.rawrepl_board", "--help"], cwd=tmp_path, text=True,
                         capture_output=True, timeout=60, env=dict(os.environ, PYTHONPATH=REPO))
    assert run.returncode == 0 and "usage:" in run.stdout and "flash_dir" in run.stdout
    assert os.listdir(tmp_path) == [], "no folder named --help (or anything else) is made"


def test_a_board_flashed_by_hand_boots_and_comes_online(hall_site, site_args, umqtt_package, tmp_path):  # noqa: F811
    fleet, broker = hall_site
    hall = config.load(HALL_FILE)
    registry = Registry(fleet, hall=hall)
    gateway = Gateway.from_files(hall, str(tmp_path / "hall.db"), "127.0.0.1", broker.port,
                                 credentials=registry.account("gateway"), on_presence=registry.update_presence)
    assert gateway.start(wait=WAIT)
    flash_dir = str(tmp_path / "board-flash")
    board = board_command(flash_dir)
    seen = []
    try:
        port = read_until(board, "simulated ESP32 on ", seen).split(" on ", 1)[1].split(" ")[0]
        read_until(board, "nothing to boot", seen)           # a blank board: power-on boots nothing
        code, out = flash("--port", port, "--device", "pad-5", *site_args, "--umqtt-dir", umqtt_package,
                          "--birth-timeout", "60")
        assert code == 0, out
        assert "pad-5" in out and "online" in out
        read_until(board, "booted pad-5 from the flash", seen)
        with gateway.lock:
            presence = gateway.fleet.get("pad-5")
            assert presence is not None and presence.online
    finally:
        board.send_signal(signal.SIGINT)
        try:
            board.wait(WAIT)
        finally:
            if board.poll() is None:
                board.kill()
            board.stdout.close()
            gateway.stop()
    assert board.returncode == 0, "".join(seen)
