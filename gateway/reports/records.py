"""The event log -> one record per ticket, the flagged presses and the follow-up cases.
Pure: every report figure is computed from these, so a figure can always be traced back to
the events it came from.

Attribution: a ticket belongs to the window and staff member that called it last (and so
finished or skipped it); a transfer is counted for the window, staff and service it left.
"""
from dataclasses import dataclass, field


@dataclass
class Record:
    tid: int
    no: str
    svc: str                 # the service it ended in (after transfers)
    issued_svc: str
    issued_at: float
    green: bool
    appt: str
    printed_wait: tuple      # the [low, high] minutes printed on it
    called_at: float | None = None       # the first call
    window: int | None = None
    staff: str | None = None
    outcome: str = "waiting"             # waiting, serving, served, no_show, expired
    served_s: float | None = None
    on_time: bool | None = None
    rating: int | None = None
    transfers: list = field(default_factory=list)    # (at, window, staff, from service)

    @property
    def wait_s(self):
        return None if self.called_at is None else self.called_at - self.issued_at


@dataclass
class Log:
    records: dict            # tid -> Record
    flagged: list            # rating_flagged events
    cases: dict              # case id -> dict(window, staff, svc, opened_at, status, reason)


def _issued(log, ev):
    log.records[ev["tid"]] = Record(ev["tid"], ev["no"], ev["svc"], ev["svc"], ev["at"], ev["green"],
                                    ev.get("appt", ""), tuple(ev["wait"]))


def _called(log, ev):
    rec = log.records[ev["tid"]]
    if rec.called_at is None:
        rec.called_at = ev["at"]
    rec.outcome, rec.window, rec.staff = "serving", ev["window"], ev["staff"]


def _finished(log, ev):
    rec = log.records[ev["tid"]]
    rec.outcome, rec.window, rec.staff = "served", ev["window"], ev["staff"]
    rec.served_s = ev["served_s"]
    limit = ev.get("limit_s")
    rec.on_time = ev.get("on_time", True if limit is None else ev["served_s"] <= limit)


def _skipped(log, ev):
    rec = log.records[ev["tid"]]
    rec.window, rec.staff = ev["window"], ev["staff"]
    rec.outcome = "waiting" if ev.get("rejoin") else "no_show"


def _transferred(log, ev):
    rec = log.records[ev["tid"]]
    rec.transfers.append((ev["at"], ev["window"], ev["staff"], ev["svc"]))
    rec.outcome, rec.svc = "waiting", ev["to_svc"]


def _expired(log, ev):
    for tid in list(ev["expired"]) + list(ev.get("ended", ())):
        if tid in log.records:
            log.records[tid].outcome = "expired"


def _counted(log, ev):
    log.records[ev["tid"]].rating = ev["level"]


def _case_opened(log, ev):
    log.cases[ev["case"]] = {"case": ev["case"], "no": ev["no"], "svc": ev["svc"], "window": ev["window"],
                             "staff": ev["staff"], "level": ev["level"], "opened_at": ev["at"],
                             "status": "open", "reason": "", "notes": []}


def _case_reason(log, ev):
    log.cases[ev["case"]]["reason"] = ev["reason"]


def _case_updated(log, ev):
    case = log.cases[ev["case"]]
    case["status"] = ev["status"]
    case["notes"].append((ev["at"], ev["status"], ev.get("note", ""), ev.get("staff")))


_READERS = {"ticket_issued": _issued, "ticket_called": _called, "ticket_finished": _finished,
            "ticket_skipped": _skipped, "ticket_transferred": _transferred, "day_started": _expired,
            "rating_counted": _counted, "rating_flagged": lambda log, ev: log.flagged.append(ev),
            "case_opened": _case_opened, "case_reason": _case_reason, "case_updated": _case_updated}


def read(events):
    """Events of the log, in order (an iterable: it may stream from the store) -> Log. A part
    of the log may be read: events of a ticket issued before that part are left out."""
    log = Log({}, [], {})
    for ev in events:
        reader = _READERS.get(ev["type"])
        if reader is None or (ev["type"] in _OF_A_TICKET and ev["tid"] not in log.records):
            continue
        reader(log, ev)
    return log


_OF_A_TICKET = ("ticket_called", "ticket_finished", "ticket_skipped", "ticket_transferred", "rating_counted")
