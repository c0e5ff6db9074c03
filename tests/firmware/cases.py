# Firmware unit tests on fake hardware (tests/firmware/fakes), no network. They run under the
# official MicroPython build (WebAssembly) and under CPython with the same harness, so they use
# only what both have: plain functions, asserts, no pytest.
import json
import os
import time

import machine
import network
from umqtt import simple

from drivers import escpos
from drivers.panel import Panel
from protocol import messages, topics
from runtime import settings
from runtime.keys import Keys
from runtime.outbox import Outbox, OutboxFull
from tests.firmware.rig import HALL, TICKET, deliver, events_sent, fresh, make, online, press, write
from tests.support.expect import raises, raises_naming

# --- outbox ------------------------------------------------------------------------

def test_outbox_keeps_events_across_a_reboot():
    root = fresh("ob1")
    box = Outbox(root + "outbox.json")
    box.add({"id": "a", "t": "key"})
    box.add({"id": "b", "t": "key"})
    again = Outbox(root + "outbox.json")
    assert [e["id"] for e in again.items] == ["a", "b"]
    assert again.take("a")["id"] == "a"
    assert again.take("a") is None
    assert [e["id"] for e in Outbox(root + "outbox.json").items] == ["a", "b"], "an ack alone writes nothing"
    again.add({"id": "c", "t": "key"})
    assert [e["id"] for e in Outbox(root + "outbox.json").items] == ["b", "c"], "the next write takes it along"


def test_a_full_outbox_refuses_new_events_and_keeps_the_old():
    root = fresh("ob2")
    box = Outbox(root + "outbox.json", limit=2)
    box.add({"id": "a"})
    box.add({"id": "b"})
    raises_naming(OutboxFull, "2 unacknowledged", lambda: box.add({"id": "c"}))
    assert [e["id"] for e in Outbox(root + "outbox.json").items] == ["a", "b"]


def test_a_power_cut_mid_write_leaves_the_outbox_whole():
    root = fresh("ob3")
    box = Outbox(root + "outbox.json")
    box.add({"id": "a"})
    write(root, "outbox.json.new", '[{"id": "a"}, {"id": "b"')   # the cut came mid-write
    assert [e["id"] for e in Outbox(root + "outbox.json").items] == ["a"]
    os.remove(root + "outbox.json")                              # cut between write and rename
    write(root, "outbox.json.new", '[{"id": "a"}, {"id": "b"}]')
    assert [e["id"] for e in Outbox(root + "outbox.json").items] == ["a", "b"]


# --- keys --------------------------------------------------------------------------

def test_a_bouncing_key_gives_one_press_at_its_first_edge():
    machine.clear()
    keys = Keys({"k1": 13, "k2": 14}, debounce_ms=300)   # chatter on a loaded host stays within it
    press(13, bounces=5)
    assert keys.poll() == ["k1"], "latched at the edge: no wait for the contacts to settle"
    press(13, bounces=3)                # chatter while held
    assert keys.poll() == ()
    for _ in range(3):                  # chatter at the release
        machine.pins[13].drive(1)
        machine.pins[13].drive(0)
    machine.pins[13].drive(1)
    assert keys.poll() == ()
    time.sleep_ms(310)                  # the finger is off the key a moment
    press(13)
    assert keys.poll() == ["k1"], "a second press after release counts"
    assert keys.presses == 2


def test_every_tap_during_a_stall_is_counted_even_after_release():
    machine.clear()
    keys = Keys({"k1": 13, "k2": 14}, debounce_ms=20)
    for pin in (13, 14, 13):            # three short taps while the loop is busy elsewhere
        machine.pins[pin].drive(0)
        time.sleep_ms(10)
        machine.pins[pin].drive(1)
        time.sleep_ms(25)
    assert keys.waiting()
    got = keys.poll()
    assert sorted(got) == ["k1", "k1", "k2"], got
    assert keys.poll() == () and not keys.waiting()


def test_a_10_ms_tap_during_a_blocking_publish_is_registered():
    dev = make("pad", "pad-tap")
    client = online(dev)
    plain = client.publish
    tapped = []

    def slow_publish(topic, msg, retain=False, qos=0):
        plain(topic, msg, retain, qos)
        if not tapped:                  # the broker takes its time with this PUBACK
            tapped.append(1)
            time.sleep_ms(30)
            pin = machine.pins[dev.board["keys"]["r2"]]
            pin.drive(0)
            time.sleep_ms(10)
            pin.drive(1)
            time.sleep_ms(100)
    client.publish = slow_publish
    press(dev.board["keys"]["call"])
    dev.step()                          # sends "call", stalled in its publish meanwhile
    machine.pins[dev.board["keys"]["call"]].drive(1)
    assert [e["key"] for e in events_sent(client, "key")] == ["call"]
    assert dev.app.keys.waiting(), "latched, waiting for the loop"
    dev.step()
    assert [e["level"] for e in events_sent(client, "rate")] == [2], "the tap came during the stall"


def test_a_broker_that_keeps_talking_cannot_hold_a_publish_past_its_bound():
    from runtime.link import Watched

    class Chatty:                       # a PUBLISH stream that never brings our PUBACK
        def read(self, n):
            time.sleep_ms(5)
            return b"\x30" * n

        def settimeout(self, value):
            pass

        def setblocking(self, flag):
            pass
    sock = Watched(Chatty())
    sock.start(40)
    reads = 0
    try:
        while reads < 10000:
            sock.read(1)
            reads += 1
    except OSError as exc:
        assert "over its time" in str(exc)
    assert 0 < reads < 10000, "the operation ended at its deadline"
    sock.done()
    assert sock.read(2) == b"\x30\x30", "no deadline outside an operation"


# --- drivers -----------------------------------------------------------------------

class Paper:
    """What a printer's UART received: the bytes of one job."""

    def __init__(self):
        self.data = bytearray()

    def write(self, data):
        self.data.extend(data)
        return len(data)


def ticket_job(ticket, cols=32, fs_and=True):
    paper = Paper()
    escpos.ticket(paper, ticket, cols, fs_and)
    return bytes(paper.data)


def test_an_escpos_ticket_has_the_number_big_a_qr_code_and_a_cut():
    job = ticket_job(TICKET)
    assert job.startswith(escpos.INIT) and job.endswith(escpos.CUT)
    assert escpos.size(4, 4) + b"A023" in job
    assert b"4 ahead, wait 6-14 min" in job
    assert b"\x1d(k" in job and b"https://q.example/t/A023" in job


def test_chinese_text_is_printed_from_the_gateways_gb18030_bytes():
    import binascii
    gb = b"\xbb\xa7\xd5\xfe\xb0\xec\xc0\xed"    # 户政办理 in GB18030
    ticket = dict(TICKET, name="\u6237\u653f\u529e\u7406", gb={"name": binascii.b2a_base64(gb).decode().strip()})
    job = ticket_job(ticket)
    assert gb + b"\n" in job
    assert escpos.text("\u6237A") == b"?A", "without gateway bytes, no mojibake: a '?' per character"


def test_every_ticket_line_fits_the_paper_and_wraps_at_a_space():
    name = "Residence permits and household registration"
    for cols in (32, 48):
        job = ticket_job(dict(TICKET, name=name), cols)
        text_lines = [line for line in job.split(b"\n") if not line.startswith(escpos.INIT)]
        for line in text_lines[:-1]:
            plain = line.replace(escpos.size(1, 1), b"").replace(escpos.size(4, 4), b"")
            assert len(plain) <= cols, (cols, plain)
    job = ticket_job(dict(TICKET, name=name), 32)
    assert b"Residence permits and household\nregistration\n" in job
    from apps.printer import COLUMNS
    assert COLUMNS[80] == 48 and COLUMNS[58] == 32


def test_wrapping_never_splits_a_chinese_character():
    lines = escpos.wrap(b"A" + LONG_NAME_GB, 32)
    assert lines == [b"A" + LONG_NAME_GB[:30], LONG_NAME_GB[30:]], "31 columns: the 16th character goes on"
    assert escpos.wrap(b"\x81\x30\x81\x30" * 20, 32)[0] == b"\x81\x30\x81\x30" * 16, "4-byte GB18030 is one character"


def test_chinese_mode_is_switched_on_only_for_chinese_text_and_only_where_needed():
    import binascii
    gb = {"name": binascii.b2a_base64(LONG_NAME_GB).decode().strip()}
    assert ticket_job(dict(TICKET, gb=gb)).startswith(escpos.INIT + escpos.CHINESE_ON + escpos.CENTRE)
    assert escpos.CHINESE_ON not in ticket_job(TICKET), "ASCII alone: the printer's own mode"
    assert escpos.CHINESE_ON not in ticket_job(dict(TICKET, gb=gb), fs_and=False), "a printer always in GB mode"
    assert ticket_job(TICKET).endswith(b"\x1dVA\x03"), "GS V 65 takes its feed byte"


def test_a_panel_row_is_sent_only_when_it_changes():
    machine.clear()
    panel = Panel({"uart": 1, "rows": 2, "cols": 8})
    panel.show(0, "A001")
    panel.show(0, b"A001")
    panel.show(1, "Window 12345", True)
    assert bytes(machine.uarts[1].written) == b"\x0200A001\x03\x0211Window 1\x03"
    panel.show(0, b"A1 abcd\xb4\xb0")     # 8 cells: 7 ASCII fit, half a hanzi is not drawn
    assert bytes(machine.uarts[1].written).endswith(b"\x0200A1 abcd\x03")
    panel.show(0, b"A1 \xb4\xb0\xbf\xda")
    assert bytes(machine.uarts[1].written).endswith(b"\x0200A1 \xb4\xb0\xbf\xda\x03")


# --- apps on a connected device ------------------------------------------------------

def test_a_printer_prints_the_ticket_the_gateway_acknowledged():
    dev = make("printer", "printer-1")
    client = online(dev)
    press(dev.board["keys"]["k1"])
    time.sleep_ms(50)
    dev.step()
    keys = events_sent(client, "key")
    assert [e["key"] for e in keys] == ["k1"] and keys[0]["id"].startswith("printer-1-")
    deliver(dev, "ack", messages.ack(keys[0]["id"], result={"ticket": TICKET}))
    assert b"A023" in machine.uarts[1].written
    printed = events_sent(client, "printed")
    assert [(e["ticket"], e["ok"]) for e in printed] == [("A023", True)]
    assert [e["id"] for e in dev.outbox.items] == [printed[0]["id"]]


def _reboot(dev):
    """RAM lost, flash kept: the same flash folder boots again."""
    from runtime.device import Device
    cfg, board = settings.load(dev.root)
    return Device(dev.root, cfg, board, settings.count_boot(dev.root))


def test_a_reset_between_ack_and_print_prints_the_ticket_on_boot():
    dev = make("printer", "printer-ack")
    client = online(dev)
    press(dev.board["keys"]["k1"])
    dev.step()
    key = events_sent(client, "key")[0]
    uart = machine.uarts[1]

    def power_fails(data):               # the ack is in, the board resets before printing
        raise machine.ResetCalled()
    uart.write = power_fails
    raises(machine.ResetCalled, lambda: deliver(dev, "ack", messages.ack(key["id"], result={"ticket": TICKET})))
    again = _reboot(dev)
    assert [e["id"] for e in again.outbox.items] == [key["id"]], "the answered press is still in flash"
    client = online(again)
    assert [e["id"] for e in events_sent(client, "key")] == [key["id"]], "sent again on boot"
    deliver(again, "ack", messages.ack(key["id"], result={"ticket": TICKET}))   # the gateway's same answer
    assert bytes(machine.uarts[1].written).count(escpos.size(4, 4) + b"A023") == 1, "printed once, after the reset"
    assert [(e["ticket"], e["ok"]) for e in events_sent(client, "printed")] == [("A023", True)]


def test_a_press_answered_as_printed_after_a_reset_is_not_printed_again():
    dev = make("printer", "printer-ack2")
    client = online(dev)
    press(dev.board["keys"]["k1"])
    dev.step()
    key = events_sent(client, "key")[0]
    deliver(dev, "ack", messages.ack(key["id"], result={"ticket": TICKET}))
    assert bytes(machine.uarts[1].written).count(escpos.size(4, 4) + b"A023") == 1
    again = _reboot(dev)                 # before any other write: the press is still in flash
    client = online(again)
    deliver(again, "ack", messages.ack(key["id"], result={"ticket": TICKET, "printed": True}))
    assert machine.uarts[1].written == bytearray(), "the gateway had its print report: not again"
    assert len(again.outbox) == 0


def test_an_online_ticket_and_a_rating_cost_one_flash_write_each():
    dev = make("printer", "printer-wear")
    client = online(dev)
    before = dev.outbox.writes
    for n in range(5):
        press(dev.board["keys"]["k1"])
        dev.step()
        machine.pins[dev.board["keys"]["k1"]].drive(1)
        key = events_sent(client, "key")[-1]
        deliver(dev, "ack", messages.ack(key["id"], result={"ticket": dict(TICKET, no="A%03d" % n)}))
        printed = events_sent(client, "printed")[-1]
        deliver(dev, "ack", messages.ack(printed["id"], result={}))
        time.sleep_ms(40)
    assert len(events_sent(client, "printed")) == 5 and len(dev.outbox) == 0
    assert dev.outbox.writes - before == 5, dev.outbox.writes - before
    pad = make("pad", "pad-wear")
    client = online(pad)
    before = pad.outbox.writes
    for n in range(3):
        press(pad.board["keys"]["r5"])
        pad.step()
        machine.pins[pad.board["keys"]["r5"]].drive(1)
        rate = events_sent(client, "rate")[-1]
        deliver(pad, "ack", messages.ack(rate["id"], result={"counted": True, "ticket": ""}))
        time.sleep_ms(40)
    assert pad.outbox.writes - before == 3


def test_a_refused_event_leaves_the_outbox_and_is_never_sent_again():
    dev = make("printer", "printer-1")
    client = online(dev)
    press(dev.board["keys"]["k1"])
    time.sleep_ms(50)
    dev.step()
    printed_before = len(machine.uarts[1].written)
    sent = [e["id"] for e in events_sent(client, "key")]
    deliver(dev, "ack", messages.ack(sent[0], ok=False, error="bad_field: key event field 'at' must be 0-"))
    assert len(dev.outbox) == 0, dev.outbox.items
    assert len(machine.uarts[1].written) == printed_before
    dev.resend(force=True)
    assert [e["id"] for e in events_sent(client, "key")] == sent


def test_a_printer_without_paper_reports_it_instead_of_printing():
    dev = make("printer", "printer-2")
    client = online(dev)
    machine.pins[dev.board["paper_sensor"]].drive(0)
    dev.app.print_ticket(TICKET)
    assert machine.uarts[1].written == bytearray()
    assert [(e["part"], e["state"]) for e in events_sent(client, "status")] == [("paper", "out")]
    assert [(e["ticket"], e["ok"], e["why"]) for e in events_sent(client, "printed")] == [("A023", False, "paper out")]
    assert machine.pins[dev.board["leds"]["paper"]].value() == 1


def test_a_press_while_offline_is_kept_and_sent_after_reconnect():
    dev = make("pad", "pad-3")
    online(dev)
    simple.broker["dead"] = True
    network.link_up[0] = False
    dev.step()
    assert not dev.link.up()
    press(dev.board["keys"]["r5"])
    time.sleep_ms(50)
    dev.step()
    assert [(e["t"], e["level"]) for e in dev.outbox.items] == [("rate", 5)]
    simple.broker["dead"] = False
    network.link_up[0] = True
    deadline = time.ticks_add(time.ticks_ms(), 4000)
    while not dev.link.up() and time.ticks_diff(deadline, time.ticks_ms()) > 0:
        dev.step()
        time.sleep_ms(20)
    assert dev.link.up(), "no reconnect: " + dev.link.last_error
    client = simple.last()
    deliver(dev, "gw", messages.gateway_birth(2, 1795420900))
    rates = events_sent(client, "rate")
    assert [(e["level"], e["id"]) for e in rates] == [(5, dev.outbox.items[0]["id"])]
    deliver(dev, "ack", messages.ack(rates[0]["id"], result={"counted": True, "ticket": ""}))
    assert len(dev.outbox) == 0


def test_a_silent_broker_is_found_out_by_the_keepalive():
    dev = make("display", "display-3")
    client = online(dev)
    client.ping = lambda: None           # pings vanish: the broker has gone quiet
    time.sleep_ms(1100)                  # keepalive is 1 s in these tests
    dev.step()
    assert not dev.link.up()
    assert "silent" in dev.link.last_error


def test_malformed_messages_are_counted_and_the_device_goes_on():
    dev = make("display", "display-4")
    client = online(dev)
    for payload in (b"not json", b'{"v": 1, "kind": "window"}', b'{"v": 9}', b"[]"):
        client.inbox.append((topics.device(HALL, dev.id, topics.VIEW).encode(), payload))
        dev.step()
    assert dev.link.bad == 4
    deliver(dev, "view", {"kind": "window", "seq": 5, "win": 4, "ticket": "B002", "state": "serving", "call": 1,
                          "lines": [{"t": "Window 4"}, {"t": "B002"}]})
    assert b"B002" in machine.uarts[1].written


def test_the_window_display_blinks_a_new_call_and_shows_a_pause():
    dev = make("display", "display-5")
    online(dev)
    view = {"kind": "window", "seq": 1, "win": 5, "ticket": "C001", "state": "serving", "call": 1,
            "lines": [{"t": "Window 5"}, {"t": "C001"}]}
    deliver(dev, "view", view)
    assert dev.app.panel.shown[1] == (b"C001", False), "the state at boot does not blink"
    deliver(dev, "view", dict(view, seq=2, ticket="C002", call=2, lines=[{"t": "Window 5"}, {"t": "C002"}]))
    assert dev.app.panel.shown[1] == (b"C002", True)
    deliver(dev, "view", dict(view, seq=3, state="paused", call=2, lines=[{"t": "Window 5"}, {"t": "Paused"}]))
    assert dev.app.panel.shown[1] == (b"Paused", False)
    over = dict(view, seq=4, call=3, due=1795420800 - 60, over={"t": "Over time"})
    deliver(dev, "view", over)
    assert dev.app.panel.shown[2] == (b"Over time", False), "past the time limit by the device clock"


def test_the_hall_display_announces_every_call_and_recall_in_order():
    dev = make("display", "hall-display")
    online(dev)

    def hall(seq, rows):
        return {"kind": "hall", "seq": seq, "rows": [[no, w, n] for no, w, n in rows],
                "lines": [{"t": no + " -> " + str(w)} for no, w, n in rows],
                "say": [{"t": "say " + no + " " + str(w), "w": w, "n": n} for no, w, n in rows]}
    said = []

    def speak_all():
        for _ in range(20):
            dev.app.quiet_at = time.ticks_ms()                   # do not wait for the voice here
            dev.step()
        for frame in bytes(machine.uarts[2].written).split(b"\x03"):
            if frame.startswith(b"\x02V"):
                said.append(frame[2:].decode())
        machine.uarts[2].written = bytearray()

    deliver(dev, "view", hall(1, [("A001", 1, 1)]))             # retained at boot: not announced
    deliver(dev, "view", hall(2, [("B001", 2, 1), ("A001", 1, 1)]))
    deliver(dev, "view", hall(3, [("C001", 3, 1), ("A002", 1, 2), ("B001", 2, 1)]))  # two at once
    speak_all()
    deliver(dev, "view", hall(4, [("C001", 3, 2), ("A002", 1, 2), ("B001", 2, 1)]))  # a recall
    speak_all()
    assert said == ["say B001 2", "say A002 1", "say C001 3", "say C001 3"]
    dev.app.quiet_at = time.ticks_add(time.ticks_ms(), 60000)    # the voice is busy a while
    deliver(dev, "view", hall(5, [("D001", 4, 1), ("C001", 3, 2), ("A002", 1, 2), ("B001", 2, 1)]))
    deliver(dev, "view", hall(6, [("A003", 1, 3), ("D001", 4, 1), ("C001", 3, 2), ("B001", 2, 1)]))
    deliver(dev, "view", hall(7, [("A004", 1, 4), ("D001", 4, 1), ("C001", 3, 2), ("B001", 2, 1)]))
    assert [item[0] for item in dev.app.to_say] == [4, 1], "one waiting call per window, in order"
    speak_all()
    assert said[4:] == ["say D001 4", "say A004 1"], "a call superseded before it was spoken is not sent there"
    assert dev.app.panel.shown[0] == (b"A004 -> 1", True)


def test_the_pad_rates_the_ticket_its_view_offers():
    dev = make("pad", "pad-5")
    client = online(dev)
    deliver(dev, "view", {"kind": "pad", "seq": 1, "win": 5, "serving": "", "rate": "C001", "levels": 5,
                          "timeout": 30, "lines": [{"t": "Window open"}, {"t": "Please rate C001"}],
                          "thanks": {"t": "Thanks"}})
    assert dev.app.panel.shown[1][0] == b"Please rate C001"
    assert machine.pins[dev.board["leds"]["r5"]].value() == 1, "the rating keys light up"
    assert "buzzer" in dev.app.leds.blink_until, "and the pad beeps"
    press(dev.board["keys"]["r4"])
    time.sleep_ms(50)
    dev.step()
    rate = events_sent(client, "rate")
    assert [(e["level"], e["ticket"]) for e in rate] == [(4, "C001")]
    deliver(dev, "ack", messages.ack(rate[0]["id"], result={"counted": True, "ticket": "C001"}))
    assert dev.app.panel.shown[1][0] == b"Thanks"


def test_commands_set_the_time_blink_and_reboot():
    dev = make("printer", "printer-3")
    online(dev)
    deliver(dev, "cmd", messages.command("time", now=1795430000))
    assert 1795430000000 <= dev.clock.now_ms() < 1795430005000
    deliver(dev, "cmd", messages.command("identify", s=2))
    assert "status" in dev.app.leds.blink_until
    raises(machine.ResetCalled, lambda: deliver(dev, "cmd", messages.command("reboot")))


def test_the_gateway_going_away_pauses_the_pad():
    dev = make("pad", "pad-6")
    online(dev)
    deliver(dev, "gw", messages.will(1))
    assert dev.app.panel.shown[0][0] == b"Service paused"


# --- settings ------------------------------------------------------------------------

def test_bad_settings_name_what_is_wrong():
    root = fresh("cfg")
    raises_naming(settings.ConfigError, "config.json is missing", lambda: settings.load(root))
    write(root, "config.json", "{nope")
    raises_naming(settings.ConfigError, "not valid JSON", lambda: settings.load(root))
    write(root, "config.json", {"id": "x", "hall": "h", "kind": "toaster", "broker": {"host": "b"}})
    raises_naming(settings.ConfigError, "'kind'", lambda: settings.load(root))
    write(root, "config.json", {"id": "x", "hall": "h", "kind": "pad", "broker": {"host": "b"}})
    write(root, "board.json", {"kind": "printer"})
    raises_naming(settings.ConfigError, "not a pad board", lambda: settings.load(root))


def test_every_boot_gets_a_new_session_number():
    root = fresh("boot")
    assert [settings.count_boot(root) for _ in range(3)] == [1, 2, 3]


def test_after_a_low_rating_the_rating_keys_give_the_reason():
    dev = make("pad", "pad-7")
    client = online(dev)
    deliver(dev, "view", {"kind": "pad", "seq": 1, "win": 7, "serving": "", "rate": "", "levels": 5,
                          "timeout": 30, "reasons": ["waited", "attitude"],
                          "lines": [{"t": "Why? Press 1-2"}, {"t": "1.waited 2.attitude"}]})
    press(dev.board["keys"]["r2"])
    time.sleep_ms(50)
    dev.step()
    assert [e["key"] for e in events_sent(client, "key")] == ["r2"]
    assert events_sent(client, "rate") == []
    assert dev.app.panel.shown[0][0] == b"Why? Press 1-2"


def test_a_long_notice_scrolls_on_the_hall_display_a_hanzi_at_a_time():
    dev = make("display", "hall-display-2")
    online(dev)
    notice = b"\xbb\xb6\xd3\xad" + b" welcome to the riverside hall"       # 2 hanzi, then ASCII
    view = {"kind": "hall", "seq": 1, "rows": [], "lines": [], "say": [], "notice": "x",
            "notice_line": {"t": "x", "gb": __import__("binascii").b2a_base64(notice).decode().strip()}}
    deliver(dev, "view", view)
    cols = dev.app.panel.cols
    assert dev.app.panel.shown[3][0] == notice[:cols]
    dev.app.panel.scroll(3)
    assert dev.app.panel.shown[3][0] == notice[2:2 + cols], "a hanzi moves as one"
    for _ in range(2):
        dev.app.panel.scroll(3)
    loop = notice + b"    " + notice
    assert dev.app.panel.shown[3][0] == loop[5:5 + cols], "and round again after a gap"


def test_a_device_that_keeps_failing_to_boot_comes_up_in_safe_mode_and_takes_a_fix():
    from runtime import bootguard
    dev = make("pad", "pad-8")
    assert [bootguard.boot(dev.root) for _ in range(bootguard.SAFE_AFTER)][-2:] == [False, True]
    from runtime.device import Device
    cfg, board = settings.load(dev.root)
    safe = Device(dev.root, cfg, board, 9, True)
    client = online(safe)
    births = [json.loads(p) for t, p, r, q in client.published if t.endswith("/state")]
    assert births[-1]["safe"] is True and births[-1]["ses"] == 9
    assert safe.app.keys.names == [], "no app keys in safe mode"
    raises(machine.ResetCalled, lambda: deliver(safe, "cmd", messages.command("config", set={"keepalive": 20})))
    assert settings.load(dev.root)[0]["keepalive"] == 20
    assert bootguard.boot(dev.root) is False, "a fix starts the count again"
    assert [(e["part"], e["state"]) for e in events_sent(client, "status")] == [("config", "applied")]


def test_a_remote_config_change_may_not_touch_the_devices_identity():
    dev = make("display", "display-6")
    client = online(dev)
    deliver(dev, "cmd", messages.command("config", set={"id": "display-7"}))
    assert settings.load(dev.root)[0]["id"] == "display-6"
    states = [e["state"] for e in events_sent(client, "status")]
    assert len(states) == 1 and states[0].startswith("rejected: config field 'id'")


def test_a_gateway_back_from_a_restart_is_greeted_after_a_short_random_delay():
    dev = make("display", "display-8")
    client = online(dev)
    deliver(dev, "gw", messages.will(1))
    before = len([t for t, p, r, q in client.published if t.endswith("/state")])
    deliver(dev, "gw", messages.gateway_birth(2, 1795420900))
    assert dev.announce_at is not None
    waited = 0
    while dev.announce_at is not None and waited < 4000:
        time.sleep_ms(50)
        waited += 50
        dev.step()
    births = [t for t, p, r, q in client.published if t.endswith("/state")]
    assert len(births) == before + 1 and waited <= 3100


def test_transfer_then_a_rating_key_sends_the_citizen_to_that_service():
    dev = make("pad", "pad-9")
    client = online(dev)
    deliver(dev, "view", {"kind": "pad", "seq": 1, "win": 3, "serving": "A001", "rate": "", "levels": 5,
                          "timeout": 30, "to": ["B", "C"], "lines": [{"t": "Serving A001"}, {"t": ""}],
                          "choose": [{"t": "Transfer A001 to?"}, {"t": "1.B 2.C"}]})
    for key in ("transfer", "r2"):
        press(dev.board["keys"][key])
        time.sleep_ms(50)
        dev.step()
        machine.pins[dev.board["keys"][key]].drive(1)
        dev.step()
        if key == "transfer":
            assert dev.app.panel.shown[1][0] == b"1.B 2.C"
    keys = events_sent(client, "key")
    assert [(e["key"], e["to"]) for e in keys] == [("transfer", "C")]
    assert events_sent(client, "rate") == [], "the rating key chose, it did not rate"
    assert dev.app.panel.shown[0][0] == b"Serving A001"


def test_a_scanned_booking_code_is_sent_for_check_in():
    dev = make("printer", "printer-4")
    client = online(dev)
    scanner = machine.uarts[dev.board["scanner"]["uart"]]
    scanner.incoming.extend(b"X7K2\r\n\x00\x01noise-without-end")
    dev.step()
    scanner.incoming.extend(b"\r\nQ9\r")
    dev.step()
    assert [(e["key"], e["code"]) for e in events_sent(client, "key")] == [("scan", "X7K2"), ("scan", "Q9")]


# --- offline issuing -------------------------------------------------------------------

NOW_S = 1795420800          # the gateway time online() gives


def lease_view(seq=1, first=990, count=3, used=0, start=NOW_S - 3600):
    lease = {"day": "2026-11-23", "first": first, "count": count, "prefix": "A", "from": start,
             "until": start + 86400, "used": used, "tz": 8 * 3600, "print": dict(ZH_PIECES, name=LONG_NAME_LINE)}
    return {"kind": "printer", "seq": seq, "keys": {"k1": "A", "k2": "green:B"}, "lease": {"A": lease}}


HALL_GB = b"\xba\xd3\xc5\xcf\xd5\xfe\xce\xf1\xb7\xfe\xce\xf1\xd6\xd0\xd0\xc4"       # 河畔政务服务中心
LONG_NAME_GB = (b"\xbb\xa7\xbc\xae\xb0\xec\xc0\xed\xba\xcd\xbe\xd3\xd7\xa1\xd6\xa4\xc3\xf7\xd2\xb5\xce\xf1"
                b"\xb4\xb0\xbf\xda\xd2\xbb\xb6\xfe\xc8\xfd\xcb\xc4\xce\xe5\xc1\xf9")   # 户籍办理和居住证明业务窗口一二三四五六: 38 columns
ZH_PIECES = {"hall": {"gb": "utPFz9X+zvG3/s7x1tDQxA=="}, "offline": {"gb": "wOvP38ihusUg1N3O3rXIuvLUpLzG"},
             "issued": {"gb": "yKG6xcqxvOQ="}}
LONG_NAME_LINE = {"gb": "u6e8rrDswO26zb7T16HWpMP30rXO8bSwv9rSu7b+yP3LxM7lwfk="}


def cut_off_printer(name):
    """A printer that had its lease, then lost the gateway (offline at once: offline_after_s 0)."""
    dev = make("printer", name, offline_after_s=0)
    client = online(dev)
    deliver(dev, "view", lease_view())
    deliver(dev, "gw", messages.will(1))
    return dev, client


def press_key(dev, key):
    press(dev.board["keys"][key])
    time.sleep_ms(10)
    dev.step()
    machine.pins[dev.board["keys"][key]].drive(1)
    time.sleep_ms(40)                   # off the key longer than the debounce
    dev.step()


def printed_numbers(dev):
    job = bytes(machine.uarts[1].written)
    return [part[:4].decode() for part in job.split(escpos.size(4, 4))[1:]]


def test_a_printer_without_the_gateway_prints_from_its_lease_and_keeps_the_report():
    dev, client = cut_off_printer("printer-5")
    press_key(dev, "k1")
    press_key(dev, "k1")
    assert printed_numbers(dev) == ["A990", "A991"]
    job = bytes(machine.uarts[1].written)
    assert job.startswith(escpos.INIT + escpos.CHINESE_ON), "Chinese mode right after ESC @"
    assert HALL_GB + b"\n" in job, "the hall's name, in its language"
    assert b"\xc8\xa1\xba\xc5\xca\xb1\xbc\xe4 2026-11-23 16:00\n" in job, "issue date and time at the hall"
    assert LONG_NAME_GB[:32] + b"\n" + LONG_NAME_GB[32:] + b"\n" in job, "a long name wraps at 32 columns"
    kept = [(e["t"], e.get("key"), e.get("offline") or e.get("ticket")) for e in dev.outbox.items]
    assert kept == [("key", "k1", "A990"), ("printed", None, "A990"), ("key", "k1", "A991"), ("printed", None, "A991")]
    assert all(e["at"] >= NOW_S * 1000 for e in dev.outbox.items), "each report carries its press time"
    from runtime.lease import Leases
    assert Leases(dev.root + "lease.json", dev.root + "offline-").held["A"]["used"] == 2, "spent in flash"
    deliver(dev, "gw", messages.gateway_birth(2, NOW_S + 60))   # the gateway is back: reports go out
    offline = [e["offline"] for e in events_sent(client, "key") if "offline" in e]
    assert offline[-2:] == ["A990", "A991"]
    deliver(dev, "ack", messages.ack(dev.outbox.items[0]["id"], result={"ticket": dict(TICKET, no="A990")}))
    assert printed_numbers(dev) == ["A990", "A991"], "the ack of an offline ticket prints nothing again"


def test_a_reboot_never_prints_a_leased_number_twice():
    dev, client = cut_off_printer("printer-6")
    press_key(dev, "k1")
    from runtime.device import Device
    cfg, board = settings.load(dev.root)
    again = Device(dev.root, cfg, board, settings.count_boot(dev.root))   # RAM lost, flash kept
    online(again)
    deliver(again, "view", lease_view(seq=2))       # the retained view does not know A990 yet
    deliver(again, "gw", messages.will(2))
    press_key(again, "k1")
    press_key(again, "k1")
    press_key(again, "k1")
    assert printed_numbers(again) == ["A991", "A992"], "on from flash, and no further than the block"
    last = again.outbox.items[-1]
    assert last["t"] == "key" and "offline" not in last, "the block spent: the press waits for the gateway"
    assert [e.get("offline") for e in again.outbox.items if e["t"] == "key"] == ["A990", "A991", "A992", None]


def test_a_newer_count_from_the_gateway_moves_the_lease_on_and_a_new_block_replaces_it():
    dev, client = cut_off_printer("printer-7")
    deliver(dev, "view", lease_view(seq=2, used=2))   # e.g. the flash was wiped after two tickets
    press_key(dev, "k1")
    deliver(dev, "view", lease_view(seq=3, first=980, count=2))
    press_key(dev, "k2")                              # a green key issues from its service's block
    assert printed_numbers(dev) == ["A992"], "k2 is service B: no block for it"
    press_key(dev, "k1")
    assert printed_numbers(dev) == ["A992", "A980"]


def test_no_offline_ticket_without_a_lease_for_today_or_without_the_time():
    dev = make("printer", "printer-8", offline_after_s=0)
    online(dev)
    deliver(dev, "view", {"kind": "printer", "seq": 1, "keys": {"k1": "A"}})
    deliver(dev, "gw", messages.will(1))
    press_key(dev, "k1")
    deliver(dev, "view", lease_view(seq=2, start=NOW_S - 90000))      # yesterday's block
    press_key(dev, "k1")
    deliver(dev, "view", lease_view(seq=3))
    dev.clock.base_ms = 0                                            # as after a reboot: no time
    press_key(dev, "k1")
    assert machine.uarts[1].written == bytearray(), "nothing printed"
    assert [(e["key"], "offline" in e) for e in dev.outbox.items] == [("k1", False)] * 3, "kept for the gateway"
    left = time.ticks_diff(dev.app.leds.blink_until["status"], time.ticks_ms())
    assert 1000 < left <= 1500, "the status LED tells: kept, the ticket comes when the service is back"


def test_a_short_gateway_blip_is_waited_out_online():
    dev = make("printer", "printer-9", offline_after_s=30)
    online(dev)
    deliver(dev, "view", lease_view())
    deliver(dev, "gw", messages.will(1))
    press_key(dev, "k1")
    assert machine.uarts[1].written == bytearray()
    assert [("offline" in e) for e in dev.outbox.items] == [False]
