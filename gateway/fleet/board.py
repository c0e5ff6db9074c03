"""One board on a serial port, driven by the real `mpremote` run as a subprocess.

A subprocess, not mpremote's Python API: its command line is what staff would type by hand
to repair a board, and a board that stops answering (mpremote then blocks on the port)
costs a timeout and a clear error instead of a hung flash.sh.
"""
import ast
import errno
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

import serial

from gateway.fleet import FleetError, onboard


class BoardError(FleetError):
    """The board or its port refused a step; the text names the port and the fix."""


@dataclass(frozen=True)
class Probe:
    name: str                   # sys.implementation.name: 'micropython' on a good board
    version: tuple              # (1, 24, 1)
    mpy: int                    # sys.implementation._mpy: format version in the low byte
    board_json: str | None      # the board file already on the board, if any
    free: int                   # free flash bytes (-1 if unknown)
    machine: str = ""           # sys.implementation._machine: 'Generic ESP32S3 module with ESP32S3'

    @property
    def chip(self):
        """The MCU family as board files name it ('esp32s3'), or None if the board does not say."""
        _, sep, chip = self.machine.rpartition(" with ")
        chip = chip.strip().lower().replace("-", "")
        return chip if sep and chip else None

    @property
    def mpy_version(self):
        return self.mpy & 0xFF

    @property
    def version_text(self):
        return ".".join(str(n) for n in self.version)


def mpremote_path():
    here = os.path.join(os.path.dirname(sys.executable), "mpremote")
    found = here if os.path.exists(here) else shutil.which("mpremote")
    if not found:
        raise FleetError("mpremote is not installed: run `make setup` (or .venv/bin/pip install mpremote)")
    return found


class Board:
    def __init__(self, port, timeout=20.0, mpremote=None):
        self.port, self.timeout = port, timeout
        self.mpremote = mpremote or mpremote_path()

    def check_port(self):
        """The port exists and no other program holds it (mpremote locks it exclusively too)."""
        if not os.path.exists(self.port):
            raise BoardError("no such port %s: plug the board in with a data USB cable and look for it "
                             "with `ls /dev/ttyUSB* /dev/ttyACM*` or `%s connect list`" % (self.port, self.mpremote))
        try:
            serial.Serial(self.port, exclusive=True).close()
        except serial.SerialException as exc:
            # pyserial raises SerialException(errno, text) or SerialException(text): the
            # text is the last argument either way
            cause = str(exc.args[-1]) if exc.args else str(exc)
            if exc.errno in (errno.EACCES, errno.EPERM) or "ermission" in cause:
                raise BoardError("no permission to open %s: add yourself to the 'dialout' group "
                                 "(sudo usermod -aG dialout $USER, then log in again)" % self.port)
            raise BoardError(_busy(self.port, cause))
        except OSError as exc:
            raise BoardError("cannot open %s: %s" % (self.port, exc.strerror or exc))

    def run(self, args, what, timeout=None):
        """`mpremote connect PORT ARGS...`; its stdout, or BoardError naming the step."""
        cmd = [self.mpremote, "connect", self.port] + list(args)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout or self.timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise BoardError("the board on %s stopped answering while %s (no reply in %.0f s): check the "
                             "USB cable and run flash.sh again" % (self.port, what, timeout or self.timeout))
        if proc.returncode != 0:
            text = (proc.stderr.strip() + "\n" + proc.stdout.strip()).strip()
            if "failed to access" in text or "in use" in text:
                raise BoardError(_busy(self.port, text.splitlines()[0]))
            if "could not enter raw repl" in text:
                raise BoardError(_no_micropython(self.port, "it does not answer MicroPython's raw REPL"))
            raise BoardError("mpremote failed while %s: %s" % (what, _last_lines(text)))
        return proc.stdout

    def exec(self, code, what, timeout=None):
        return self.run(["exec", code], what, timeout)

    def probe(self, timeout=None):
        """What runs on the board. An erased board or one without MicroPython never answers
        the raw REPL, so a timeout here means 'no MicroPython'."""
        try:
            out = self.exec(onboard.PROBE, "asking which MicroPython it runs", timeout)
        except BoardError as exc:
            if "stopped answering" in str(exc):
                raise BoardError(_no_micropython(self.port, "nothing answered MicroPython's raw REPL"))
            raise
        value = _marked(out, "HMPROBE")
        try:
            name, version, mpy, board_json, free, machine = value
            return Probe(str(name), tuple(int(n) for n in version), int(mpy), board_json, int(free), str(machine))
        except (TypeError, ValueError):
            raise BoardError("unexpected answer from the board on %s: %r" % (self.port, value))

    def wait_ready(self, attempts=10, pause=1.0):
        """After a reset: probe until the board answers again (a real ESP32 needs ~1-2 s)."""
        last = None
        for attempt in range(attempts):
            try:
                return self.probe(timeout=min(self.timeout, 8.0))
            except BoardError as exc:
                last = exc
                time.sleep(pause if attempt else 0.1)
        raise BoardError("the board on %s did not come back after a reset: %s" % (self.port, last))

    def hold(self):
        """Stop the old firmware from running, keeping it (see onboard.py). True if it had one."""
        held = _marked(self.exec(onboard.HOLD, "parking the old firmware"), "HMHOLD")
        if held:
            self.reset()
        return bool(held)

    def restore(self):
        """Undo an unfinished flash; True if the board has a main.py (a firmware) afterwards."""
        return bool(_marked(self.exec(onboard.RESTORE, "restoring the previous firmware"), "HMRESTORE"))

    def copy_stage(self, stage_dir, nbytes):
        # `cp -r DIR :` creates /DIR on the board; -f: no hash comparison, the stage is new
        self.run(["fs", "cp", "-r", "-f", stage_dir, ":"], "copying the firmware",
                 timeout=max(self.timeout, 30 + nbytes / 2000.0))

    def frozen_umqtt(self):
        """True if the board's MicroPython image has umqtt.simple frozen in: stock ESP32 1.27
        images do, and `.frozen` comes before `lib/` on sys.path, so a copy in lib/ is never
        the one imported."""
        return _marked(self.exec(FROZEN_UMQTT, "asking whether umqtt.simple is frozen in"), "HMFROZEN") is True

    def mip_install(self, package, target):
        self.run(["mip", "install", "--target", target, package], "installing %s with mip" % package, timeout=180)

    def staged_files(self):
        return dict(_marked(self.exec(onboard.LIST_STAGE, "checking the copied files"), "HMFILES"))

    def swap(self, units):
        if _marked(self.exec(onboard.swap(units), "swapping the new firmware in"), "HMSWAP") != "ok":
            raise BoardError("the swap on the board did not finish")

    def reset(self):
        self.run(["reset"], "resetting the board")


FROZEN_UMQTT = """
import sys
_hm_p = sys.path[:]
sys.path[:] = [p for p in _hm_p if p == '.frozen']
try:
    import umqtt.simple
    _hm_f = True
except ImportError:
    _hm_f = False
sys.path[:] = _hm_p
print('HMFROZEN', repr(_hm_f))
"""


def _marked(out, marker):
    """The Python literal printed after `marker` by an on-board snippet."""
    for line in out.splitlines():
        if line.startswith(marker + " "):
            try:
                return ast.literal_eval(line[len(marker) + 1:].strip())
            except (ValueError, SyntaxError):
                break
    raise BoardError("the board did not answer as expected (%s missing): %s" % (marker, _last_lines(out)))


def _busy(port, detail):
    return ("port busy: %s is open in another program (%s): close serial monitors, Thonny or another "
            "flash.sh (`fuser -v %s` shows who has it) and run again" % (port, str(detail).strip(), port))


def _no_micropython(port, why):
    return ("no MicroPython on the board at %s (%s): write MicroPython first with "
            "`./flash.sh --port %s --device ID --micropython ESP32_GENERIC-<version>.bin`, or hold BOOT "
            "while pressing EN if the board is stuck" % (port, why, port))


def _last_lines(text, n=3):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return " | ".join(lines[-n:]) if lines else "(no output)"
