"""A ticket that failed to print is reported and printed again when the paper is back: never
silently lost. The paper LED tells the citizen meanwhile."""
from tests.e2e.conftest import WAIT, stored_events


def test_a_ticket_that_failed_for_want_of_paper_is_printed_after_the_refill(gateway, devices):
    printer = devices["printer-1"]
    printer.set_input("paper_sensor", 0)          # the roll runs out
    devices.wait_until(lambda: printer.led("paper") == 1, WAIT, "the paper LED on")
    printer.press("k1")
    devices.wait_until(lambda: any(ev["type"] == "ticket_printed" and not ev["ok"]
                                   for ev in stored_events(gateway.store.path)), WAIT, "the failed print reported")
    assert printer.tickets() == []
    printer.set_input("paper_sensor", 1)          # staff put in a new roll
    ticket = devices.wait_until(printer.tickets, WAIT, "the ticket printed after the refill")[0]
    assert ticket.largest().text == "A001"
    devices.wait_until(lambda: printer.led("paper") == 0, WAIT, "the paper LED off")

    def prints():
        return [(ev["no"], ev["ok"]) for ev in stored_events(gateway.store.path) if ev["type"] == "ticket_printed"]
    devices.wait_until(lambda: len(prints()) == 2, WAIT, "the reprint reported", seen=prints)
    assert prints() == [("A001", False), ("A001", True)]
    events = stored_events(gateway.store.path)
    assert [ev["no"] for ev in events if ev["type"] == "ticket_issued"] == ["A001"], "reprinted, not issued twice"
    with gateway.lock:
        assert gateway.state.unprinted["printer-1"] == []
