"""A hall file edited between restarts (gateway/engine/changes.py, gateway/hallchange.py):
the gateway starts and serves, open items that lost their window or service end with a
reason, reports keep removed parts under their old names, another hall's file is refused
naming both halls, and `hallmesh hall check` tells all of it beforehand without writing."""
import json

import pytest

from gateway import cli, config, hallchange
from gateway.engine.state import CALLED, EXPIRED, WAITING
from gateway.reports import service_figures, window_figures
from gateway.service import Service
from gateway.store import open_store
from tests.gateway import hall_edits as edit
from tests.gateway.hall_fixture import T0


class Gateway:
    """A Service over a real store, started from a hall file on disk; restart() = a new process."""

    def __init__(self, db, hall_path):
        self.db, self.now, self.acks, self.n = db, T0, [], 0
        self.start(hall_path)

    def start(self, hall_path):
        self.hall = config.load(hall_path)
        self.store = open_store(self.db)
        self.service = Service(self.hall, self.store, self._publish, clock=lambda: self.now)
        self.service.begin_session(1)

    def restart(self, hall_path):
        self.store.close()
        self.start(hall_path)

    def _publish(self, topic, payload, retain):
        if topic.endswith("/ack"):
            self.acks.append(json.loads(payload))

    def send(self, device, kind="key", **fields):
        self.n += 1
        self.now += 1
        body = dict({"v": 1, "id": "%s-t-%d" % (device, self.n), "t": kind, "at": 0}, **fields)
        self.service.on_message("hm/riverside/dev/%s/evt" % device, json.dumps(body).encode())
        return self.acks[-1]

    def ticket(self, no):
        return next(t for t in self.service.state.tickets.values() if t.no == no)

    def events(self, kind):
        return [ev for ev in self.store.load_events() if ev["type"] == kind]


@pytest.fixture
def hall_v1(tmp_path):
    return edit.write(tmp_path, "v1.toml", edit.example())


def morning_at_window_8(gw):
    """F001 called at window 8, F002 waiting; D001 sent by transfer to window 8; A001 waiting."""
    assert gw.send("printer-1", key="k6")["res"]["ticket"]["no"] == "F001"
    gw.send("printer-1", key="k6")
    gw.send("printer-1", key="k4")                                  # D001
    gw.send("printer-1", key="k1")                                  # A001
    assert gw.send("pad-8", key="call")["res"]["ticket"] == "F001"
    assert gw.send("pad-6", key="call")["res"]["ticket"] == "D001"
    assert gw.send("pad-6", key="transfer", to="w8")["ok"]          # D001 now waits for window 8


def test_removing_window_8_the_gateway_starts_serves_and_ends_its_ticket_with_a_reason(tmp_path, hall_v1):
    gw = Gateway(tmp_path / "hall.db", hall_v1)
    morning_at_window_8(gw)
    gw.restart(edit.write(tmp_path, "v2.toml", edit.without_window_8()))   # was KeyError: 8
    f001 = gw.ticket("F001")
    assert f001.status == EXPIRED and f001.ended == "window 8 was removed from the hall file"
    d001 = gw.ticket("D001")
    assert d001.status == WAITING and d001.to_window is None and d001.tid in gw.service.state.waiting["D"]
    assert gw.ticket("F002").status == WAITING                       # window 2 still serves F
    (change,) = gw.events("hall_changed")[-1:]
    assert change["removed_windows"] == [8] and change["ended"] == [[f001.tid, f001.ended]]
    # it serves: window 2 calls, a new ticket is issued, window 6 gets D001 back
    assert gw.send("pad-2", key="call")["res"]["ticket"] in ("A001", "F002")
    assert gw.send("printer-1", key="k6")["res"]["ticket"]["no"] == "F003"
    assert gw.send("pad-6", key="call")["res"]["ticket"] == "D001"
    # the report keeps window 8's history
    assert 8 in window_figures(gw.service.state) and 8 not in gw.service.state.windows
    # a second start with the same file records nothing more
    before = len(gw.events("hall_changed"))
    gw.restart(gw.hall.source)
    assert len(gw.events("hall_changed")) == before


def test_a_removed_service_ends_its_tickets_and_keeps_its_old_name_in_reports(tmp_path, hall_v1):
    gw = Gateway(tmp_path / "hall.db", hall_v1)
    morning_at_window_8(gw)
    text = edit.example()
    for n in (2, 8):                       # F leaves windows 2 and 8 and printer keys
        text = edit.set_field(text, "window", ("number", n), "services", {2: ["A"], 8: ["D", "E"]}[n])
    text = edit.drop_blocks(text, "service", code="F").replace(', k6 = "F"', "")
    gw.restart(edit.write(tmp_path, "v2.toml", text))
    assert gw.ticket("F001").status == EXPIRED and gw.ticket("F002").status == EXPIRED
    assert "service F was removed" in gw.ticket("F002").ended
    assert "F" not in gw.service.state.waiting
    assert service_figures(gw.service.state)["F"]["name"] == "Certificates"
    assert gw.send("pad-8", key="call")["res"]["ticket"] == "D001"   # window 8 serves D, E and its transfer


def test_renamed_service_and_renumbered_window(tmp_path, hall_v1):
    gw = Gateway(tmp_path / "hall.db", hall_v1)
    gw.send("printer-1", key="k3")                                     # C001
    assert gw.send("pad-5", key="call")["res"]["ticket"] == "C001"
    text = edit.set_field(edit.example(), "service", ("code", "C"), "name", "Social security")
    text = edit.set_field(text, "window", ("number", 5), "number", 15)
    text = edit.set_field(text, "device", ("id", "pad-5"), "window", 15)
    text = edit.set_field(text, "device", ("id", "display-5"), "window", 15)
    gw.restart(edit.write(tmp_path, "v2.toml", text))
    change = gw.events("hall_changed")[-1]
    assert change["renamed"] == {"C": ["Social insurance", "Social security"]}
    assert change["removed_windows"] == [5] and change["added_windows"] == [15]
    assert gw.ticket("C001").status == EXPIRED and "window 5" in gw.ticket("C001").ended
    gw.send("printer-1", key="k3")
    assert gw.send("pad-5", key="call")["res"]["ticket"] == "C002"     # pad-5 now at window 15
    assert gw.service.state.windows[15].current == gw.ticket("C002").tid


def test_another_halls_file_is_refused_naming_both_halls(tmp_path, hall_v1):
    gw = Gateway(tmp_path / "hall.db", hall_v1)
    gw.send("printer-1", key="k1")
    written = gw.store.log_position()
    gw.store.close()
    other = edit.example().replace('id = "riverside"', 'id = "eastgate"').replace(
        'name = "Riverside Service Centre"', 'name = "Eastgate Hall"')
    with open_store(tmp_path / "hall.db") as store:
        with pytest.raises(hallchange.ForeignStore) as err:
            Service(config.load(edit.write(tmp_path, "east.toml", other)), store, lambda *a: None, clock=lambda: T0)
        assert store.log_position() == written            # nothing added
    for name in ("riverside", "Riverside Service Centre", "eastgate", "Eastgate Hall"):
        assert name in str(err.value)


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_dry_run_tells_what_the_restart_will_do_and_writes_nothing(tmp_path, hall_v1, capsys):
    gw = Gateway(tmp_path / "hall.db", hall_v1)
    morning_at_window_8(gw)
    db = str(tmp_path / "hall.db")
    before = gw.store.log_position()
    new = edit.write(tmp_path, "v2.toml", edit.without_window_8())
    code, out = run_cli(capsys, "hall", "check", "--hall", new, "--db", db)
    assert code == 0, out
    assert "window 8 removed" in out
    assert "ticket F001 of %s ends: window 8 was removed from the hall file" % gw.ticket("F001").day in out
    assert "ticket D001, sent to a removed window, goes back to the line of service D" in out
    assert gw.store.log_position() == before
    code, out = run_cli(capsys, "hall", "check", "--hall", hall_v1, "--db", db)
    assert code == 0 and "changes nothing" in out


def test_the_dry_run_names_the_administrators_mistakes(tmp_path, hall_v1, capsys):
    gw = Gateway(tmp_path / "hall.db", hall_v1)
    gw.send("printer-1", key="k1")
    db = str(tmp_path / "hall.db")
    # the window removed but its pad left in the file
    half = edit.drop_blocks(edit.example(), "window", number=8)
    code, out = run_cli(capsys, "hall", "check", "--hall", edit.write(tmp_path, "half.toml", half), "--db", db)
    assert code == 2 and "window 8 is not a [[window]] of this hall" in out and "Traceback" not in out
    # a service removed but a printer key still maps to it
    keyed = edit.drop_blocks(edit.example(), "service", code="F")
    code, out = run_cli(capsys, "hall", "check", "--hall", edit.write(tmp_path, "keyed.toml", keyed), "--db", db)
    assert code == 2 and "'F'" in out
    # two windows given the same number in the renumbering
    twice = edit.set_field(edit.example(), "window", ("number", 7), "number", 6)
    code, out = run_cli(capsys, "hall", "check", "--hall", edit.write(tmp_path, "twice.toml", twice), "--db", db)
    assert code == 2 and "duplicate window number 6" in out
    # the other hall's file, or a store that is not there
    other = edit.example().replace('id = "riverside"', 'id = "eastgate"')
    code, out = run_cli(capsys, "hall", "check", "--hall", edit.write(tmp_path, "e.toml", other), "--db", db)
    assert code == 2 and "REFUSED" in out and "'riverside'" in out and "'eastgate'" in out
    code, out = run_cli(capsys, "hall", "check", "--hall", hall_v1, "--db", str(tmp_path / "typo.db"))
    assert code == 2 and "no store at" in out and not (tmp_path / "typo.db").exists()


def test_a_store_from_before_stores_knew_their_hall_is_adopted_and_its_history_folds(tmp_path, hall_v1):
    gw = Gateway(tmp_path / "hall.db", hall_v1)
    morning_at_window_8(gw)
    gw.store.write_meta("hall_id", "")                 # as if written before hall records existed
    gw.store._transaction(lambda db: db.execute("DELETE FROM meta WHERE key LIKE 'hall_%'"))
    gw.store._transaction(lambda db: db.execute("DELETE FROM events WHERE type = 'hall_changed'"))
    gw.restart(edit.write(tmp_path, "v2.toml", edit.without_window_8()))
    assert gw.ticket("F001").status == EXPIRED
    assert gw.store.read_meta("hall_id") == "riverside"
    assert gw.ticket("F002").status == WAITING and gw.ticket("A001").status in (WAITING, CALLED)


def test_office_commands_refuse_another_halls_store_too(tmp_path, hall_v1, capsys):
    gw = Gateway(tmp_path / "hall.db", hall_v1)
    gw.send("printer-1", key="k1")
    written = gw.store.log_position()
    gw.store.close()
    db = str(tmp_path / "hall.db")
    other = edit.write(tmp_path, "east.toml", edit.example().replace('id = "riverside"', 'id = "eastgate"'))
    for argv in (["report", "--hall", other, "--db", db],
                 ["staff", "sign-in", "--window", "1", "--name", "Li", "--hall", other, "--db", db],
                 ["hall", "unprinted", "--hall", other, "--db", db]):
        code, out = run_cli(capsys, *argv)
        assert code == 2 and "'riverside'" in out and "'eastgate'" in out, (argv, out)
    with open_store(db) as store:
        assert store.log_position() == written
