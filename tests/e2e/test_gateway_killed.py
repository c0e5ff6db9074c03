"""Check 5: the gateway is SIGKILLed between steps and comes back; nothing acknowledged is
lost and the displays show the right state again."""
from gateway import config
from sim.hall import SimHall
from tests.e2e.conftest import FEW, HALL_FILE, KEEPALIVE, WAIT, GatewayProcess, stored_events


def test_nothing_acknowledged_is_lost_when_the_gateway_is_killed(mosquitto, tmp_path):
    db = str(tmp_path / "hall.db")
    gateway = GatewayProcess(mosquitto.port, db, str(tmp_path / "gateway.log")).start()
    devices = SimHall(config.load(HALL_FILE), "127.0.0.1", mosquitto.port, str(tmp_path / "flash"),
                      keepalive=KEEPALIVE, only=FEW).start()
    try:
        devices.wait_ready(WAIT)
        printer, pad, display, hall_display = (devices[d] for d in ("printer-1", "pad-3", "display-3", "hall-display"))
        printer.press("k1")
        printer.press("k1")
        devices.wait_until(lambda: len(printer.tickets()) == 2, WAIT, "two tickets printed")
        pad.press("call")
        devices.wait_until(lambda: "A001" in display.shows(), WAIT, "A001 called", seen=display.shows)

        gateway.kill()
        devices.wait_until(lambda: "Service paused" in hall_display.shows(), WAIT,
                           "the hall display to say the service is paused", seen=hall_display.shows)
        printer.press("k1")       # a citizen arrives while the gateway is down
        gateway.start()

        devices.wait_until(lambda: len(printer.tickets()) == 3, WAIT, "the third ticket after the restart")
        assert [t.largest().text for t in printer.tickets()] == ["A001", "A002", "A003"]
        devices.wait_until(lambda: "Service paused" not in hall_display.shows(), WAIT, "the hall display back",
                           seen=hall_display.shows)
        assert "A001" in display.shows() and "A001 -> window 3" in hall_display.shows()

        gateway.kill()
        gateway.start()
        pad.press("finish")
        pad.press("call")
        devices.wait_until(lambda: "A002" in display.shows(), WAIT, "A002 called after a second kill",
                           seen=display.shows)
        devices.wait_until(lambda: not pad.outbox() and not printer.outbox(), WAIT, "the outboxes drained")
    finally:
        devices.stop()
        gateway.stop()
    events = stored_events(db)
    issued = [ev["no"] for ev in events if ev["type"] == "ticket_issued"]
    called = [ev["no"] for ev in events if ev["type"] == "ticket_called"]
    assert issued == ["A001", "A002", "A003"]
    assert called == ["A001", "A002"]
    assert [ev["no"] for ev in events if ev["type"] == "ticket_finished"] == ["A001"]
