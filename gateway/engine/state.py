"""The queue state: what folding the event log yields. Only `apply` (engine.core) changes it.

Tickets are keyed by `tid`, a number that never repeats across days, because the printed
number ("A001") starts again every day. The state holds the current day and the items still
open (engine.days drops the rest at each day boundary), so its size does not grow with the
years of log behind it; engine.snapshot writes it out and reads it back.
"""
from collections import deque
from dataclasses import dataclass, field

HISTORY = 20      # recent service times kept per service for the waiting estimate

WAITING, CALLED, FINISHED, SKIPPED, EXPIRED = "waiting", "called", "finished", "skipped", "expired"
# priority classes in a line: green channel, appointment checked in on time, walk-in
GREEN, APPOINTMENT, WALK_IN = 0, 1, 2
IDLE, SERVING, PAUSED = "idle", "serving", "paused"


class Refused(Exception):
    """A command the rules do not allow now; str() is the reason told to the device."""


@dataclass
class Ticket:
    tid: int
    no: str
    svc: str
    green: bool
    day: str
    device: str
    issued_at: float
    ahead: int = 0
    wait: tuple = (0, 0)
    status: str = WAITING
    window: int | None = None
    staff: str | None = None
    called_at: float | None = None
    finished_at: float | None = None
    calls: int = 0
    rating: int | None = None
    appt: str = ""                    # booking code when checked in with one
    prio: int = WALK_IN               # GREEN, APPOINTMENT or WALK_IN: where it stands in a line
    recalls: int = 0                  # recalls since the latest call
    skips: int = 0                    # times skipped and rejoined
    transfers: int = 0
    to_window: int | None = None      # transferred to one window: only that window calls it
    on_time: bool | None = None       # finished within the service's time limit
    ended: str = ""                   # why it ended with its day (engine.days), if it did


@dataclass
class WindowState:
    number: int
    services: tuple
    status: str = IDLE
    current: int | None = None        # tid being served
    calls: int = 0                    # calls and recalls: a change makes the display announce
    open_rating: int | None = None    # tid of the last ticket finished here, until rated
    finished_by_no: dict = field(default_factory=dict)   # "A001" -> tid, latest finished here
    flagged: int = 0
    staff: str | None = None          # staff member signed in here
    svc_calls: dict = field(default_factory=dict)   # service -> calls today (weighted profile)
    asking_reason: int | None = None  # case id whose reason the pad asks for


@dataclass
class State:
    hall: object                      # gateway.config.Hall: the rules' parameters
    windows: dict                     # number -> WindowState
    waiting: dict                     # service code -> [tid], green ones first, each FIFO
    durations: dict                   # service code -> deque of recent service seconds
    day: str | None = None            # the current hall day: the latest begun, never goes back
    numbers: dict = field(default_factory=dict)     # service code -> last number issued today
    next_tid: int = 1
    tickets: dict = field(default_factory=dict)     # tid -> Ticket
    last_calls: dict = field(default_factory=dict)  # window -> (call order, tid)
    call_seq: int = 0
    flagged: list = field(default_factory=list)     # flagged rating presses, as events
    parts: dict = field(default_factory=dict)       # device -> {part: condition}, e.g. paper
    print_failures: list = field(default_factory=list)   # (device, ticket no, why)
    unprinted: dict = field(default_factory=dict)   # device -> [tid] issued there, not on paper yet
    applied: int = 0                                # events folded so far
    last_at: float = 0.0                            # latest `at` of the events folded
    directed: dict = field(default_factory=dict)    # window -> [tid] transferred to that window
    bookings: dict = field(default_factory=dict)    # booking code -> dict (svc, at, name, used)
    cases: dict = field(default_factory=dict)       # case id -> dict (follow-up of a low rating)
    next_case: int = 1
    leases: dict = field(default_factory=dict)      # service -> [block of numbers leased to a printer]
    retired_windows: dict = field(default_factory=dict)   # number -> WindowState, removed from the hall
    service_names: dict = field(default_factory=dict)     # code -> name, of every service the log knew
    hall_record: dict = field(default_factory=dict)       # windows and services of the last hall_changed
    by_no: dict = field(default_factory=dict)       # "A001" -> tid, today's tickets: lookups by number
    clock_steps: int = 0                            # clock jumps the gateway logged (engine.days)
    last_clock_step: dict | None = None             # {"at", "step_s"} of the latest

    def ticket(self, tid):
        return self.tickets.get(tid)

    def current(self, window):
        """The Ticket being served at a window, or None."""
        tid = self.windows[window].current
        return self.tickets[tid] if tid is not None else None


def new_state(hall):
    """The state of a hall with an empty log."""
    windows = {n: WindowState(n, w.services) for n, w in hall.windows.items()}
    return State(hall=hall, windows=windows,
                 waiting={code: [] for code in hall.services},
                 durations={code: deque(maxlen=HISTORY) for code in hall.services},
                 directed={n: [] for n in hall.windows})
