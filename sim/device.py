"""One simulated device: its board (sim.board), its flash folder, and a thread that runs the
real firmware (firmware/runtime/device.py) on them, rebooting it as a board would."""
import json
import logging
import os
import threading
import time

from sim import board as boards
from sim import clock, firmware_path
from sim import escpos_model
from sim.panel_model import PanelModel, spoken

firmware_path.install()
import runtime.device  # noqa: E402  (the firmware itself, found through firmware_path)

log = logging.getLogger("hallmesh.sim")


def board_spec(name, boards_dir=firmware_path.BOARDS):
    path = os.path.join(boards_dir, name + ".json")
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        raise ValueError("board file %s not found (device board %r)" % (path, name))


def firmware_modules():
    """Paths (relative to the flash root) of the modules flash.sh compiles: firmware/'s
    packages and protocol/ (main.py and boot.py stay source)."""
    out = []
    for top, prefix in ((firmware_path.FIRMWARE, ""), (os.path.join(firmware_path.REPO, "protocol"), "protocol")):
        for folder, _, files in os.walk(top):
            rel = os.path.normpath(os.path.join(prefix, os.path.relpath(folder, top)))
            for name in files:
                if name.endswith(".py") and rel != ".":
                    out.append(os.path.join(rel, name))
    return sorted(out)


class SimDevice:
    def __init__(self, config, flash_dir, spec, write=True):
        """`config` is what flash.sh would write as config.json; `spec` the board file.
        write=False: the flash already holds them (a board flash.sh wrote, see from_flash)."""
        self.id = config["id"]
        self.kind = config["kind"]
        self.config = config
        self.spec = spec
        self.board = boards.SimBoard(self.id, flash_dir)
        self.root = os.path.join(flash_dir, "")
        self.thread = None
        self.firmware = None      # the running firmware's runtime.device.Device, while powered
        self.crashes = 0
        self.boots = 0
        self.key_events = []      # ids of the key events the firmware made, over all its boots
        self.key_answers = {}     # event id -> the gateway's ack the firmware took for it
        if write:
            self.write_flash()

    @classmethod
    def from_flash(cls, flash_dir):
        """A device booting what flash.sh put on a (simulated) board: its config.json and
        board.json as written there. CPython cannot run the .mpy files, so the firmware runs
        from firmware/'s sources -- after checking that the flash holds a compiled module for
        every one of them, i.e. that it is this firmware that was flashed."""
        root = os.path.join(flash_dir, "")
        missing = [name for name in firmware_modules() if not os.path.exists(root + name[:-3] + ".mpy")]
        if not os.path.exists(root + "main.py") or missing:
            raise ValueError("%s does not hold the hallmesh firmware (missing: %s)"
                             % (flash_dir, ", ".join(missing[:5]) or "main.py"))
        with open(root + "config.json") as f:
            config = json.load(f)
        with open(root + "board.json") as f:
            spec = json.load(f)
        return cls(config, flash_dir, spec, write=False)

    def write_flash(self):
        for name, body in (("config.json", self.config), ("board.json", self.spec)):
            with open(self.root + name, "w") as f:
                json.dump(body, f)

    # --- power ---------------------------------------------------------------------

    def start(self, cause=boards.PWRON_RESET):
        if self.thread is not None and self.thread.is_alive():
            raise RuntimeError("%s is already running" % self.id)
        self.board.power_on(cause)
        self.thread = threading.Thread(target=self._main, name="dev-" + self.id, daemon=True)
        self.thread.start()

    def power_off(self, wait_s=10.0):
        self.board.power_off()
        if self.thread is not None:
            self.thread.join(wait_s)
            if self.thread.is_alive():
                raise RuntimeError("%s did not stop within %.0f s of its power cut" % (self.id, wait_s))

    def power_cycle(self, off_s=0.2):
        """RAM lost, flash kept: the firmware boots again from the same flash folder."""
        self.power_off()
        time.sleep(off_s)
        self.start(boards.PWRON_RESET)

    def _main(self):
        boards.bind(self.board)
        while self.board.power.is_set():
            self.boots += 1
            self.firmware = None
            try:
                runtime.device.run(self.root, self._booted)
            except boards.Reset as reset:
                self.board.reset_cause = reset.cause
                self.board.wdt = None
            except boards.PowerOff:
                return
            except Exception:
                # On a board an uncaught error ends main.py; only the watchdog brings it back.
                self.crashes += 1
                log.exception("%s: firmware crashed", self.id)
                if not self._await_watchdog():
                    return

    def _booted(self, firmware_device):
        self.firmware = firmware_device
        self._keep_key_ledger(firmware_device)

    def _keep_key_ledger(self, firmware_device):
        """Note each key event the firmware makes and the answer it takes for it: the exact
        count of presses the invariant check holds the issued tickets to (sim/invariants.py),
        where what a citizen saw is only an estimate."""
        outbox, app = firmware_device.outbox, firmware_device.app
        keep, take = outbox.add, app.on_ack

        def add(event, later=False):
            keep(event, later)              # a full outbox raises: no event was made
            if event["t"] == "key":
                self.key_events.append(event["id"])

        def on_ack(event, ack):
            if event["t"] == "key":
                self.key_answers[event["id"]] = ack
            take(event, ack)
        outbox.add, app.on_ack = add, on_ack

    def presses_answered(self):
        """(key events answered with a ticket, key events refused, key events unanswered)."""
        answers = [self.key_answers.get(i) for i in self.key_events]
        with_ticket = sum(1 for a in answers if a and a["ok"] and isinstance((a.get("res") or {}).get("ticket"), dict))
        refused = sum(1 for a in answers if a and not a["ok"])
        return with_ticket, refused, sum(1 for a in answers if a is None)

    def _await_watchdog(self):
        if self.board.wdt is None:
            self.board.power_cut.wait()
            return False
        timeout_ms = self.board.wdt[0]
        if self.board.power_cut.wait(timeout_ms / 1000.0 / clock.speed):
            return False
        self.board.reset_cause = boards.WDT_RESET
        self.board.wdt = None
        return True

    # --- the world around it ---------------------------------------------------------

    def press(self, key, hold_ms=150, bounces=0, lift_ms=120):
        """A finger on a key: optional contact bounce, held for hold_ms, released, and off the
        key for lift_ms (no finger presses again within a poll)."""
        pins = self.spec.get("keys", {})
        if key not in pins:
            raise KeyError("%s has no key %r (keys: %s)" % (self.id, key, ", ".join(pins)))
        pin = self.board.pin(pins[key])
        active = self.spec.get("key_active", 0)
        # contacts chatter for ~2 ms; the firmware sees the whole chatter at one simulated
        # moment, since a loaded host stretches any gap in it, by sleeping or by waiting for
        # the interpreter, into a lift of the finger and a second press
        with clock.instant():
            for _ in range(bounces):
                pin.drive(active)
                pin.drive(1 - active)
            pin.drive(active)
        time.sleep(hold_ms / 1000.0 / clock.speed)
        pin.drive(1 - active)
        time.sleep(lift_ms / 1000.0 / clock.speed)

    def scan(self, code):
        """A barcode scanner on the printer reads `code` (it sends the text and CR LF)."""
        uart = self.board.uart(self.spec["scanner"]["uart"])
        with uart.lock:
            uart.to_device.extend(code.encode() + b"\r\n")

    def set_input(self, part, level):
        """Drive a named input pin of the board file (e.g. 'paper_sensor')."""
        self.board.pin(self.spec[part]).drive(level)

    def led(self, name):
        return self.board.pin(self.spec["leds"][name]).level

    def in_service(self):
        """The status LED has been steady on for a moment: linked, and the gateway is up."""
        if "status" not in self.spec.get("leds", {}):
            return True
        for _ in range(4):
            if not self.led("status"):
                return False
            time.sleep(0.02)
        return True

    def firmware_time_s(self):
        """The running firmware's wall clock (s since the epoch); None while it has none
        (never told the time since its last power-up) or the board is off."""
        return self._ask_firmware(lambda fw: fw.clock.now_ms() / 1000.0 if fw.clock.synced() else None)

    def issues_offline(self):
        """The printer app has given the gateway up and issues from its leased numbers."""
        return bool(self._ask_firmware(lambda fw: fw.app.offline()))

    def _ask_firmware(self, question):
        """Ask the running firmware from a test's thread, on this board's ticks (its skew)."""
        firmware = self.firmware
        if firmware is None or not self.board.power.is_set():
            return None
        bound = getattr(boards._local, "board", None)
        boards.bind(self.board)
        try:
            return question(firmware)
        finally:
            boards.bind(bound)

    def cut_network(self):
        self.board.cut_network()

    def restore_network(self):
        self.board.restore_network()

    # --- what it produced ----------------------------------------------------------

    def uart_bytes(self, part):
        return self.board.uart(self.spec[part]["uart"]).take()

    def tickets(self):
        """Every ticket the printer has cut, as the printer read the ESC/POS bytes."""
        interpreter = escpos_model.for_board(self.spec)
        interpreter.feed(self.uart_bytes("printer"))
        return interpreter.tickets

    def panel(self):
        return PanelModel(self.spec["panel"].get("rows", 2)).feed(self.uart_bytes("panel"))

    def shows(self):
        """The panel's text, rows joined by newlines."""
        return self.panel().text()

    def spoken(self):
        return spoken(self.uart_bytes("speaker")) if "speaker" in self.spec else []

    def outbox(self):
        """The events the device still waits an ack for: its outbox in RAM while it runs (flash
        lags behind by design: an ack reaches flash with the next press, runtime/outbox.py),
        else what it will find in flash at the next boot."""
        running = self.firmware
        if running is not None and self.board.power.is_set():
            return [dict(event) for event in list(running.outbox.items)]
        return self.flash_outbox()

    def flash_outbox(self):
        try:
            with open(self.root + "outbox.json") as f:
                return json.load(f)
        except (OSError, ValueError):
            return []
