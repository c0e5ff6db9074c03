"""Identity, change and nothing lost, end to end against a real Mosquitto (issue 10): a
reflashed printer gets new tickets, a window removed from the hall file leaves a gateway that
starts and serves, and a reset between the ack and the print is known and reprinted."""
import os
import shutil

import pytest

from gateway import config
from gateway.engine.devices import unprinted
from gateway.mqtt import Gateway
from sim import board as boards
from sim.hall import SimHall
from tests.e2e.conftest import HALL_FILE, KEEPALIVE, WAIT, stored_events
from tests.gateway import hall_edits


def start_gateway(hall, db, port):
    gw = Gateway.from_files(hall, db, "127.0.0.1", port)
    assert gw.start(wait=WAIT), "gateway did not come online"
    return gw


@pytest.fixture
def hall_at(mosquitto, tmp_path):
    """(gateway, devices) of the example hall with only the devices named."""
    running = []

    def make(only, hall_path=HALL_FILE):
        hall = config.load(hall_path)
        gw = start_gateway(hall, str(tmp_path / "hall.db"), mosquitto.port)
        sim = SimHall(hall, "127.0.0.1", mosquitto.port, str(tmp_path / "flash"), keepalive=KEEPALIVE, only=only)
        running.extend([sim, gw])
        sim.start()
        sim.wait_ready(WAIT)
        return gw, sim
    yield make
    for thing in reversed(running):
        thing.stop()


def take_ticket(devices, key):
    printer = devices["printer-1"]
    before = len(printer.tickets())
    printer.press(key)
    return devices.wait_until(lambda: printer.tickets()[before:], WAIT, "a ticket from printer-1")[0].largest().text


def test_a_reflashed_printer_gets_new_tickets_not_an_old_reprint(hall_at):
    gw, devices = hall_at({"printer-1"})
    printer = devices["printer-1"]
    assert take_ticket(devices, "k1") == "A001"
    printer.power_off()
    kept = {"config.json", "board.json"}              # what flash.sh writes again
    for name in os.listdir(printer.root):
        if name not in kept:
            path = os.path.join(printer.root, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    printer.start()
    devices.wait_until(printer.in_service, WAIT, "the reflashed printer in service")
    assert take_ticket(devices, "k2") == "B001"        # its own ticket, not A001 again
    assert take_ticket(devices, "k1") == "A002"
    issued = [ev["no"] for ev in stored_events(gw.store.path) if ev["type"] == "ticket_issued"]
    assert issued == ["A001", "B001", "A002"]
    assert gw.counters["id_reused"] == 0 and gw.stats["duplicate"] == 0


def test_a_window_removed_from_the_hall_file_the_gateway_starts_serves_and_ends_its_ticket(
        hall_at, mosquitto, tmp_path):
    gw, devices = hall_at({"printer-1", "pad-8", "pad-2", "display-2"})
    assert take_ticket(devices, "k6") == "F001"
    devices["pad-8"].press("call")
    devices.wait_until(lambda: gw.state.windows[8].current is not None, WAIT, "F001 called at window 8")
    gw.stop()
    edited = hall_edits.write(tmp_path, "hall-v2.toml", hall_edits.without_window_8())
    gw2 = start_gateway(config.load(edited), gw.store.path, mosquitto.port)   # was: KeyError: 8
    try:
        change = [ev for ev in stored_events(gw2.store.path) if ev["type"] == "hall_changed"][-1]
        assert change["removed_windows"] == [8]
        with gw2.lock:
            f001 = next(t for t in gw2.state.tickets.values() if t.no == "F001")
            assert f001.status == "expired" and f001.ended == "window 8 was removed from the hall file"
        assert take_ticket(devices, "k6") == "F002"     # it serves
        devices["pad-2"].press("call")
        devices.wait_until(lambda: "F002" in devices["display-2"].shows(), WAIT, "F002 on display-2",
                           seen=devices["display-2"].shows)
    finally:
        gw2.stop()


def test_a_reset_between_ack_and_print_is_known_and_reprinted(hall_at):
    gw, devices = hall_at({"printer-1"})
    printer = devices["printer-1"]
    assert take_ticket(devices, "k1") == "A001"
    for uart in printer.board.uarts.values():          # the next print job: the power fails first
        uart.written = _CutOnWrite(uart.written, printer.board)
    printer.press("k2")
    devices.wait_until(lambda: not printer.thread.is_alive(), WAIT, "the printer dead at the print")
    with gw.lock:
        owed = [t.no for t in unprinted(gw.state).get("printer-1", [])]
    assert owed == ["B001"], "the gateway knows B001 was never printed"
    for uart in printer.board.uarts.values():
        uart.written = bytearray(uart.written)
    printer.start()
    reprint = devices.wait_until(lambda: printer.tickets()[1:], WAIT, "B001 printed after the reset")
    assert [t.largest().text for t in printer.tickets()] == ["A001", "B001"]
    assert reprint[0].largest().text == "B001"
    devices.wait_until(lambda: not unprinted(gw.state), WAIT, "B001 reported printed")
    issued = [ev["no"] for ev in stored_events(gw.store.path) if ev["type"] == "ticket_issued"]
    assert issued == ["A001", "B001"], "printed again, not issued again"


class _CutOnWrite(bytearray):
    """A UART whose next write finds the power gone: the ack arrived, nothing reached paper."""

    def __init__(self, data, board):
        bytearray.__init__(self, data)
        self.board = board

    def extend(self, data):
        self.board.power_off()
        raise boards.PowerOff(self.board.device_id)
