# Firmware cases of event identity (runtime/eventid.py, the boot counter), run under
# MicroPython and CPython by tests/firmware/test_event_ids.py. Plain asserts, no pytest.
from runtime import eventid, settings
from tests.firmware.rig import events_sent, fresh, make, online, write


class Ids:
    """What runtime/eventid.py needs of a Device: its id, session and sequence."""

    def __init__(self, device_id):
        self.id, self.ids_session, self.seq = device_id, "", 0


def test_a_reflashed_device_never_repeats_an_event_id():
    seen = set()
    for _ in range(50):             # fifty reflashes: every one starts with an empty flash
        dev = Ids("printer-1")
        for _ in range(3):
            event_id = eventid.next_id(dev)
            assert event_id not in seen, event_id
            seen.add(event_id)
    assert len(seen) == 150


def test_an_id_is_device_session_seq_and_fits_the_protocol():
    dev = Ids("p" * 32)
    first = eventid.next_id(dev)
    device, session, seq = first.rsplit("-", 2)
    assert device == "p" * 32 and seq == "1" and len(session) == 10
    dev.seq = eventid.SEQ_MAX - 1
    last = eventid.next_id(dev)
    assert last.endswith("-" + str(eventid.SEQ_MAX)) and len(last) <= 48
    rolled = eventid.next_id(dev)   # past 4 digits: a new session, not a longer id
    assert rolled.endswith("-1") and rolled.rsplit("-", 2)[1] != session and len(rolled) <= 48


def test_a_boot_counter_that_cannot_be_read_still_gives_new_ids():
    dev = make("printer", "printer-9")
    client = online(dev)
    dev.send("key", key="k1")
    before = [e["id"] for e in events_sent(client)]
    write(dev.root, "session", "garbage")        # the counter is lost: it starts at 1 again
    assert settings.count_boot(dev.root) == 1
    again = make("printer", "printer-9")          # a fresh flash folder, the same device id
    client = online(again)
    again.send("key", key="k1")
    after = [e["id"] for e in events_sent(client)]
    assert before and after and not set(before) & set(after), (before, after)


def test_the_boot_counter_is_written_whole():
    root = fresh("boot2")
    assert [settings.count_boot(root) for _ in range(3)] == [1, 2, 3]
    write(root, "session.new", "4")               # a cut after the new file, before the rename
    write(root, "session", "")
    assert settings.count_boot(root) == 5
