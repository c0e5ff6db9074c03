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


def test_the_answer_says_printed_after_a_gateway_restart_too(mosquitto, tmp_path, hall, devices):
    """The knowledge is the log's, not the running gateway's memory: a gateway restarted
    between the print report and the resent press still answers "printed"."""
    from gateway.mqtt import Gateway
    from gateway.store import open_store
    gateway = Gateway(hall, open_store(tmp_path / "hall.db"), "127.0.0.1", mosquitto.port, owns_store=True)
    assert gateway.start(wait=15)
    printer = devices("printer-1")
    first = printer.wait_ack(printer.send("printer-1-8-1", "key", key="k1"))
    printer.wait_ack(printer.send("printer-1-8-2", "printed", ticket=first["res"]["ticket"]["no"], ok=True))
    gateway.stop()
    gateway = Gateway(hall, open_store(tmp_path / "hall.db"), "127.0.0.1", mosquitto.port, owns_store=True)
    assert gateway.start(wait=15)
    try:
        printer.send("printer-1-8-1", "key", key="k1")      # the printer's reset, after the gateway's
        after = printer.wait_ack("printer-1-8-1", count=2)
        assert after["res"]["printed"] is True and after["res"]["ticket"] == first["res"]["ticket"]
    finally:
        gateway.stop()
