"""A device loses its power (RAM gone, flash kept) with a rating still unacknowledged: after it
boots again, from the same flash, the rating arrives exactly once."""
from tests.e2e.conftest import WAIT, stored_events


def test_a_rating_kept_in_flash_survives_a_power_cut(gateway, devices):
    printer, pad = devices["printer-1"], devices["pad-3"]
    printer.press("k1")
    devices.wait_until(printer.tickets, WAIT, "a ticket")
    pad.press("call")
    pad.press("finish")
    devices.wait_until(lambda: "Please rate A001" in pad.shows(), WAIT, "the prompt", seen=pad.shows)
    pad.cut_network()
    pad.press("r2")
    devices.wait_until(pad.outbox, WAIT, "the rating in the flash outbox")
    pad.power_cycle(off_s=0.3)
    pad.restore_network()
    devices.wait_until(lambda: not pad.outbox(), WAIT * 2, "the outbox drained after the reboot", seen=pad.outbox)
    rated = [ev for ev in stored_events(gateway.store.path) if ev["type"] in ("rating_counted", "rating_flagged")]
    assert [(ev["type"], ev["no"], ev["level"]) for ev in rated] == [("rating_counted", "A001", 2)]
    with gateway.lock:
        assert gateway.fleet.get("pad-3").ses == 2, "the second boot announced itself"
        assert gateway.fleet.get("pad-3").rst == "power"
