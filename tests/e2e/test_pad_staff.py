"""Staff keys beyond call and finish, end to end: transfer (then a rating key chooses the
service), pause and resume, and a refused key that tells staff why."""
from tests.e2e.conftest import WAIT, stored_events


def shows(device, text):
    return lambda: text in device.shows()


def test_transfer_pause_and_a_refusal_from_the_pad(gateway, devices):
    printer, pad, display = devices["printer-1"], devices["pad-3"], devices["display-3"]
    pad.press("call")
    devices.wait_until(shows(pad, "no ticket waitin"), WAIT, "the refusal on the pad", seen=pad.shows)
    printer.press("k1")
    devices.wait_until(printer.tickets, WAIT, "a ticket")
    pad.press("call")
    devices.wait_until(shows(pad, "Serving A001"), WAIT, "A001 at the pad", seen=pad.shows)
    pad.press("transfer")
    devices.wait_until(shows(pad, "Transfer A001 to"), WAIT, "the transfer choice", seen=pad.shows)
    assert "1.B 2.C 3.D 4.E" in pad.shows()          # 16 columns: the rest scrolls in
    pad.press("r1")
    devices.wait_until(lambda: any(ev["type"] == "ticket_transferred" for ev in stored_events(gateway.store.path)),
                       WAIT, "the transfer stored")
    moved = [ev for ev in stored_events(gateway.store.path) if ev["type"] == "ticket_transferred"]
    assert [(ev["no"], ev["window"], ev["to_svc"]) for ev in moved] == [("A001", 3, "B")]
    pad.press("pause")
    devices.wait_until(lambda: display.shows().split("\n")[1] == "Paused", WAIT, "the window paused",
                       seen=display.shows)
    devices.wait_until(shows(pad, "Paused"), WAIT, "the pad saying so", seen=pad.shows)
    pad.press("resume")
    devices.wait_until(lambda: display.shows().split("\n")[1] == "-", WAIT, "the window open again",
                       seen=display.shows)
