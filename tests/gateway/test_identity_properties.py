"""Properties of identity and change over random runs against a small reference model:
presses, resends, reflashed printers (new firmware: a fresh random session; old firmware: ids
from 1 again), restarts with hall-file edits (windows removed and renumbered, a service
removed, renamed and added), and days going by. Through it all:
  - a resend gets exactly the ack its first copy got; an id reused with another body gets an
    ack of its own, never another event's;
  - every distinct press that was given a ticket has its own number, no number twice in a day;
  - the gateway starts on every edited file; after it, no ticket is served at a window the
    file lacks or waits for a service it lacks, and every ticket that lost one ended with a reason;
  - the state after a restart is the fold of the log."""
import copy
import json
import tempfile

from hypothesis import given, settings, strategies as st

from gateway import config
from gateway.engine import fold
from gateway.engine.state import CALLED, EXPIRED, WAITING
from gateway.service import Service
from gateway.store import open_store
from tests.gateway.hall_fixture import DAY, T0, hall_dict


def _variant(name):
    d = copy.deepcopy(hall_dict())
    if name == "no_window_2":
        d["window"] = [w for w in d["window"] if w["number"] != 2]
        d["device"] = [x for x in d["device"] if x.get("window") != 2]
    elif name == "renumbered_2_to_12":
        for entry in d["window"] + d["device"]:
            if entry.get("number") == 2:
                entry["number"] = 12
            if entry.get("window") == 2:
                entry["window"] = 12
    elif name == "no_service_C":
        d["service"] = [s for s in d["service"] if s["code"] != "C"]
        d["window"][2]["services"] = ["A"]
        del d["device"][0]["keys"]["k4"]
    elif name == "renamed_B_and_window_4":
        d["service"][1]["name"] = "Company registration"
        d["window"].append({"number": 4, "services": ["B", "C"]})
    return config.parse(d, name + ".toml")


VARIANTS = ["original", "no_window_2", "renumbered_2_to_12", "no_service_C", "renamed_B_and_window_4"]
HALLS = {name: _variant(name) for name in VARIANTS}

press = st.tuples(st.just("press"), st.sampled_from(["k1", "k2", "k3", "k4"]))
staff = st.tuples(st.just("staff"), st.sampled_from(["pad-1", "pad-2"]), st.sampled_from(["call", "finish"]))
resend = st.tuples(st.just("resend"), st.integers(0, 10 ** 6))
reflash = st.tuples(st.just("reflash"), st.sampled_from(["new_firmware", "old_firmware"]))
restart = st.tuples(st.just("restart"), st.sampled_from(VARIANTS))
later = st.tuples(st.just("later"), st.sampled_from([5, 30, 600, DAY]))
action = st.one_of(press, press, staff, staff, resend, reflash, restart, later)


class Model:
    """What the devices sent and were answered, and the gateway under test."""

    def __init__(self, folder):
        self.db = folder + "/hall.db"
        self.now, self.hall_name = T0, "original"
        self.sessions = {"printer-1": 0, "pad-1": 0, "pad-2": 0}
        self.seqs = {dev: 0 for dev in self.sessions}
        self.sent = []           # (device, payload) of every message sent
        self.first_ack = {}      # (device, payload) -> the ack it got first
        self.acks = []
        self.start()

    def start(self):
        self.hall = HALLS[self.hall_name]
        self.store = open_store(self.db)
        self.service = Service(self.hall, self.store, self._publish, clock=lambda: self.now)
        self.service.begin_session(1)

    def _publish(self, topic, payload, retain):
        if topic.endswith("/ack"):
            self.acks.append(json.loads(payload))

    def send(self, device, payload):
        before = len(self.acks)
        self.service.on_message("hm/testhall/dev/%s/evt" % device, payload)
        if device not in self.hall.devices:
            return
        assert len(self.acks) == before + 1, "an event of a known device gets exactly one ack"
        ack = self.acks[-1]
        key = (device, payload)
        if key in self.first_ack:
            # the same answer; a ticket's may say since that it is on paper (no second print)
            assert without_printed(ack) == without_printed(self.first_ack[key]), "a resend got another ack"
        else:
            self.first_ack[key] = ack
            self.sent.append(key)

    def new_event(self, device, **fields):
        self.seqs[device] += 1
        event_id = "%s-%d-%d" % (device, self.sessions[device], self.seqs[device])
        body = dict({"v": 1, "id": event_id, "t": "key", "at": int(self.now * 1000)}, **fields)
        self.send(device, json.dumps(body, sort_keys=True).encode())

    def do(self, step):
        kind = step[0]
        self.now += 1
        if kind == "press":
            self.new_event("printer-1", key=step[1])
        elif kind == "staff":
            self.new_event(step[1], key=step[2])
        elif kind == "resend" and self.sent:
            self.send(*self.sent[step[1] % len(self.sent)])
        elif kind == "reflash":
            # new firmware: a session never seen; old firmware: the counter restarts at 1
            self.sessions["printer-1"] = (max(self.sessions.values()) + 100 if step[1] == "new_firmware" else 1)
            self.seqs["printer-1"] = 0
        elif kind == "restart":
            self.store.close()
            self.hall_name = step[1]
            self.start()
            self.check_after_start()
        elif kind == "later":
            self.now += step[1]
            self.service.tick()

    def check_after_start(self):
        state = self.service.state
        for ticket in state.tickets.values():
            if ticket.status == CALLED:
                assert ticket.window in self.hall.windows, "served at a window the file lacks"
            if ticket.status in (WAITING, CALLED):
                assert ticket.svc in self.hall.services, "open for a service the file lacks"
            if ticket.status == WAITING and ticket.to_window is not None:
                assert ticket.to_window in self.hall.windows
        for number, win in state.windows.items():
            assert number in self.hall.windows or win.current is None
        assert repr(fold(self.hall, self.store.load_events()).tickets) == repr(state.tickets)

    def check(self):
        issued = [ev for ev in self.store.load_events() if ev["type"] == "ticket_issued"]
        assert len({(ev["day"], ev["no"]) for ev in issued}) == len(issued), "a number twice in a day"
        given = [self.first_ack[key]["res"]["ticket"] for key in self.sent
                 if self.first_ack[key]["ok"] and isinstance((self.first_ack[key].get("res") or {}).get("ticket"), dict)]
        assert len(given) == len(issued), "every press given a ticket issued one, once"
        assert len({(t["no"], t["at"]) for t in given}) == len(given), "two presses answered with one ticket"
        tickets = self.service.state.tickets
        days_of = {ev["tid"]: ev["day"] for ev in issued}
        for change in (ev for ev in self.store.load_events() if ev["type"] == "hall_changed"):
            for tid, why in change["ended"]:
                if tid not in tickets:      # a closed day's ticket: in the log, no longer in memory
                    assert days_of[tid] < self.service.state.day
                    continue
                assert tickets[tid].status == EXPIRED and tickets[tid].ended == why


def without_printed(ack):
    res = ack.get("res")
    if isinstance(res, dict) and "printed" in res:
        return dict(ack, res={k: v for k, v in res.items() if k != "printed"})
    return ack


@settings(max_examples=30, deadline=None)
@given(st.lists(action, min_size=10, max_size=60))
def test_identity_and_hall_changes_keep_every_answer_right(steps):
    with tempfile.TemporaryDirectory() as folder:
        model = Model(folder)
        try:
            for step in steps:
                model.do(step)
            model.do(("restart", model.hall_name))
            model.check()
        finally:
            model.store.close()
