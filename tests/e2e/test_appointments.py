"""A citizen with an appointment scans the booking code at the printer: the running gateway
knows the booking imported a moment ago, checks the citizen in and the ticket says so."""
import time

from gateway import cli

from tests.e2e.conftest import HALL_FILE, WAIT, stored_events


def local_hhmm(hall, seconds_from_now):
    at = time.time() + seconds_from_now + hall.utc_offset_s
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(at))


def test_a_scanned_booking_is_checked_in_and_printed(gateway, devices, hall, tmp_path, capsys):
    bookings = tmp_path / "bookings.csv"
    bookings.write_text("code,service,time,name\nX7K2,A,%s,Li Wei\n" % local_hhmm(hall, 600))
    assert cli.main(["appointments", "import", str(bookings), "--hall", HALL_FILE, "--db", gateway.store.path]) == 0
    assert "1 booking(s) loaded" in capsys.readouterr().out
    devices.wait_until(lambda: "X7K2" in gateway.state.bookings, WAIT, "the running gateway to know the booking")
    printer = devices["printer-1"]
    printer.press("k1")                                  # a walk-in first
    devices.wait_until(lambda: len(printer.tickets()) == 1, WAIT, "the walk-in's ticket")
    printer.scan("X7K2")
    devices.wait_until(lambda: len(printer.tickets()) == 2, WAIT, "the appointment's ticket")
    ticket = printer.tickets()[1]
    assert "Appointment X7K2" in ticket.text()
    issued = [ev for ev in stored_events(gateway.store.path) if ev["type"] == "ticket_issued"]
    assert [ev.get("appt", "") for ev in issued] == ["", "X7K2"]
    with gateway.lock:
        line = [gateway.state.tickets[tid].no for tid in gateway.state.waiting["A"]]
    assert line[0] == ticket.largest().text, "on time: ahead of the walk-in"
    printer.scan("X7K2")                                 # the same code again: refused, no ticket
    time.sleep(1.5)
    assert len(printer.tickets()) == 2
