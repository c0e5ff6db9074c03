"""A printer writes its flash once per ticket (docs/technician.md, "Outbox"), so after a reset it
may send again a press whose ticket it printed already. The gateway's answer says so once the
print report has come in, and the printer does not print it twice."""


def test_a_press_sent_again_after_its_print_report_is_answered_printed(gateway, devices):
    printer = devices("printer-1")
    first = printer.wait_ack(printer.send("printer-1-7-1", "key", key="k1"))
    number = first["res"]["ticket"]["no"]
    printer.send("printer-1-7-1", "key", key="k1")          # a reset before the print
    before = printer.wait_ack("printer-1-7-1", count=2)
    assert before == first and "printed" not in before["res"], "not reported yet: it must print"
    printer.wait_ack(printer.send("printer-1-7-2", "printed", ticket=number, ok=True))
    printer.send("printer-1-7-1", "key", key="k1")          # a reset after the print
    after = printer.wait_ack("printer-1-7-1", count=3)
    assert after["res"]["printed"] is True and after["res"]["ticket"] == first["res"]["ticket"]
