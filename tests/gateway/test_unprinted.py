"""Nothing acknowledged is lost: a ticket acked to a printer that never reported it printed
(a reset or UART fault between ack and print) is known, printed again when the printer is
back, and listed for staff (hallmesh hall unprinted)."""
import json

from gateway import cli
from gateway.engine.devices import unprinted
from gateway.service import Service
from gateway.store import open_store
from tests.gateway.hall_fixture import T0, small_hall

PRINTER = "hm/testhall/dev/printer-1/"


class Hall:
    def __init__(self, path, grace_s=5.0):
        self.now, self.sent, self.n = T0, [], 0
        self.store = open_store(path)
        self.service = Service(small_hall(), self.store, self._publish, clock=lambda: self.now,
                               reprint_grace_s=grace_s, reprint_clock=lambda: self.now)
        self.service.begin_session(1)

    def _publish(self, topic, payload, retain):
        self.sent.append((topic, json.loads(payload)))

    def event(self, kind, **fields):
        self.n += 1
        body = dict({"v": 1, "id": "printer-1-s-%d" % self.n, "t": kind, "at": 0}, **fields)
        self.service.on_message(PRINTER + "evt", json.dumps(body).encode())
        return self.sent[-1][1]

    def birth(self):
        body = {"v": 1, "on": True, "ses": 2, "kind": "printer", "fw": "0.3.0", "board": "hm-printer-v1",
                "heap": 40000, "rssi": -60, "rst": "power"}
        self.service.on_message(PRINTER + "state", json.dumps(body).encode())

    def print_commands(self):
        return [msg["ticket"]["no"] for topic, msg in self.sent
                if topic == PRINTER + "cmd" and msg.get("c") == "print"]


def test_a_ticket_acked_but_never_reported_printed_is_known_and_printed_when_the_printer_is_back(tmp_path):
    hall = Hall(tmp_path / "h.db")
    assert hall.event("key", key="k1")["res"]["ticket"]["no"] == "A001"
    assert hall.event("key", key="k1")["res"]["ticket"]["no"] == "A002"
    hall.event("printed", ticket="A002", ok=True)                 # A001: the printer reset before printing
    assert [t.no for t in unprinted(hall.service.state)["printer-1"]] == ["A001"]
    hall.birth()
    hall.service.tick()
    assert hall.print_commands() == []                            # the grace: it may report it itself
    hall.now += 5.0
    hall.service.tick()
    assert hall.print_commands() == ["A001"]
    hall.service.tick()
    assert hall.print_commands() == ["A001"]                      # once, not on every tick
    hall.event("printed", ticket="A001", ok=True)
    assert unprinted(hall.service.state) == {}


def test_a_print_reported_within_the_grace_is_not_printed_twice(tmp_path):
    hall = Hall(tmp_path / "h.db")
    hall.event("key", key="k1")
    hall.birth()
    hall.event("printed", ticket="A001", ok=True)                  # printed from its own flash
    hall.now += 10.0
    hall.service.tick()
    assert hall.print_commands() == []


def test_the_knowledge_survives_a_restart_and_a_called_ticket_needs_no_paper(tmp_path):
    hall = Hall(tmp_path / "h.db")
    hall.event("key", key="k1")
    hall.event("key", key="k2")
    hall.store.close()
    again = Hall(tmp_path / "h.db")
    assert [t.no for t in unprinted(again.service.state)["printer-1"]] == ["A001", "B001"]
    again.service.on_message("hm/testhall/dev/pad-1/evt", json.dumps(
        {"v": 1, "id": "pad-1-s-1", "t": "key", "at": 0, "key": "call"}).encode())
    assert [t.no for t in unprinted(again.service.state)["printer-1"]] == ["B001"]   # A001 is at window 1


def test_staff_see_the_unprinted_tickets(tmp_path, capsys):
    hall = Hall(tmp_path / "h.db")
    hall.event("key", key="k2")
    hall.store.close()
    hall_file = tmp_path / "hall.toml"
    from tests.gateway.hall_fixture import HALL_TOML
    hall_file.write_text(HALL_TOML, encoding="utf-8")
    assert cli.main(["hall", "unprinted", "--hall", str(hall_file), "--db", str(tmp_path / "h.db")]) == 0
    out = capsys.readouterr().out
    assert "B001" in out and "printer-1" in out and "never reported printed" in out
    assert cli.main(["hall", "unprinted", "--json", "--hall", str(hall_file), "--db", str(tmp_path / "h.db")]) == 0
    rows = json.loads(capsys.readouterr().out)["unprinted"]
    assert [(r["printer"], r["no"], r["service"]) for r in rows] == [("printer-1", "B001", "Business licences")]
