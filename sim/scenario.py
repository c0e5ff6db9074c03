"""A scenario file (TOML): who comes to the hall when, how staff work, which faults strike.

    [scenario]
    name = "Morning rush"
    hall = "../halls/example.toml"     # relative to this file
    date = "2026-03-02"                # the simulated day (hall local time)
    start = "08:00"                    # first arrival may come at this time
    end = "10:00"                      # no arrivals after it; the run drains the queues
    drain_min = 90                     # at most this long after `end` (simulated minutes)
    speed = 60                         # simulated seconds per real second
    seed = 7

    [population]
    no_show = 0.05                     # share of citizens who are not there when called
    green_share = 0.03                 # share using a printer's green key for their service
    appointment_share = 0.0            # see docs/simulator.md: needs a code reader (none yet)
    rate_share = 0.8                   # share who press a rating key
    rating_weights = [1, 1, 3, 10, 30] # relative weight of rating levels 1..N
    rate_delay_s = [2, 10]             # seconds from "Please rate" to the press
    bounce_share = 0.1                 # presses whose key bounces (worn keys)

    [service.A]
    arrivals = { "08" = 40, "09" = 60 }   # arrivals an hour, by the hour's local time
    service_min = [6, 3]                  # service time: mean and spread (minutes, log-normal)

    [[staff]]
    window = 3
    name = "Li Wei"
    shift = "08:00-17:00"              # default: the whole run
    breaks = ["10:30-10:45"]           # the window pauses (finishing its current citizen first)

    [[fault]]                          # see sim/faults.py
    kind = "wifi_loss"
    target = "display-*"
    at = "09:10"                       # local time, or at_s = seconds after the start
    duration_s = 120

Every fault in the file raises ScenarioError naming the file, the entry and the field.
"""
import math
import os
import random
import time
from dataclasses import dataclass, field

from gateway import config, tomlfile
from sim import faults as faultlib
from sim.timebase import day_start_epoch


class ScenarioError(ValueError):
    pass


@dataclass
class ServicePlan:
    code: str
    arrivals: dict                  # hour (0-23) -> arrivals an hour
    mean_min: float
    spread_min: float


@dataclass
class Staff:
    window: int
    name: str
    shift: tuple                    # (start s, end s) after the run's start
    breaks: list                    # [(start s, end s)]


@dataclass
class Scenario:
    name: str
    hall_path: str
    hall: object
    date: str
    start: str
    start_epoch: float
    arrivals_end_s: float
    drain_s: float
    speed: float
    seed: int
    no_show: float
    green_share: float
    appointment_share: float
    rate_share: float
    rating_weights: list
    rate_delay_s: tuple
    bounce_share: float
    services: dict
    staff: dict                     # window -> Staff
    faults: list = field(default_factory=list)
    path: str = ""


@dataclass(frozen=True)
class Arrival:
    at: float                       # simulated seconds after the start
    svc: str
    printer: str
    key: str
    green: bool
    bounces: int


def _hhmm(text, where):
    try:
        h, m = str(text).split(":")
        value = int(h) * 60 + int(m)
    except ValueError:
        raise ScenarioError("%s: %r is not a time like 08:30" % (where, text))
    if not 0 <= value <= 24 * 60:
        raise ScenarioError("%s: %r is not a time of day" % (where, text))
    return value


def _span(text, where, start_min):
    a, sep, b = str(text).partition("-")
    if not sep:
        raise ScenarioError("%s: %r is not a span like 10:30-10:45" % (where, text))
    lo, hi = (_hhmm(a, where) - start_min) * 60.0, (_hhmm(b, where) - start_min) * 60.0
    if hi <= lo:
        raise ScenarioError("%s: %r ends before it starts" % (where, text))
    return lo, hi


def _share(table, name, where, default=0.0):
    value = table.get(name, default)
    if not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ScenarioError("%s: %s must be a share between 0 and 1, got %r" % (where, name, value))
    return float(value)


def load(path, hall_override=None):
    return parse(tomlfile.read(path, "scenario", ScenarioError), path, hall_override)


def parse(data, path="<scenario>", hall_override=None):
    head = data.get("scenario", {})
    hall_path = tomlfile.hall_file(path, head.get("hall"), hall_override, ScenarioError,
                                   "%s: [scenario] needs hall = \"...\" (or give --hall)" % path)
    hall = config.load(hall_path)
    where = "%s [scenario]" % path
    start_min = _hhmm(head.get("start", "08:00"), where + " start")
    end_min = _hhmm(head.get("end", "17:00"), where + " end")
    if end_min <= start_min:
        raise ScenarioError("%s: end %s is not after start %s" % (where, head.get("end"), head.get("start")))
    date = str(head.get("date", "2026-03-02"))
    try:
        epoch = day_start_epoch(date, head.get("start", "08:00"), hall.utc_offset_s)
    except ValueError:
        raise ScenarioError("%s: date %r is not like 2026-03-02" % (where, date))
    pop = data.get("population", {})
    pwhere = "%s [population]" % path
    weights = pop.get("rating_weights", [1] * hall.rating_levels)
    if (not isinstance(weights, list) or len(weights) != hall.rating_levels
            or not all(isinstance(w, (int, float)) and w >= 0 for w in weights) or not sum(weights)):
        raise ScenarioError("%s: rating_weights needs %d non-negative weights (one per level of hall %s)"
                            % (pwhere, hall.rating_levels, hall.id))
    delay = pop.get("rate_delay_s", [2, 10])
    if not (isinstance(delay, list) and len(delay) == 2 and 0 <= delay[0] <= delay[1]):
        raise ScenarioError("%s: rate_delay_s must be [shortest, longest] seconds" % pwhere)
    if delay[1] >= hall.rating_timeout_s:
        raise ScenarioError("%s: rate_delay_s %r reaches the hall's rating timeout (%g s)"
                            % (pwhere, delay, hall.rating_timeout_s))
    scenario = Scenario(
        name=str(head.get("name", os.path.basename(path))), hall_path=hall_path, hall=hall, date=date,
        start=head.get("start", "08:00"), start_epoch=epoch, arrivals_end_s=(end_min - start_min) * 60.0,
        drain_s=float(head.get("drain_min", 120)) * 60.0, speed=float(head.get("speed", 60)),
        seed=int(head.get("seed", 1)), no_show=_share(pop, "no_show", pwhere),
        green_share=_share(pop, "green_share", pwhere), appointment_share=_share(pop, "appointment_share", pwhere),
        rate_share=_share(pop, "rate_share", pwhere, 0.8), rating_weights=list(weights),
        rate_delay_s=(float(delay[0]), float(delay[1])), bounce_share=_share(pop, "bounce_share", pwhere),
        services=_services(data.get("service", {}), hall, path, start_min), staff={}, path=path)
    if scenario.speed <= 0:
        raise ScenarioError("%s: speed must be positive" % where)
    scenario.staff = _staff(data.get("staff", []), hall, path, start_min, scenario)
    scenario.faults = _faults(data.get("fault", []), path, start_min)
    return scenario


def _services(table, hall, path, start_min):
    if not table:
        raise ScenarioError("%s: no [service.X] tables: nobody would come" % path)
    plans = {}
    for code, entry in table.items():
        where = "%s [service.%s]" % (path, code)
        if code not in hall.services:
            raise ScenarioError("%s: hall %s has no service %s (it has %s)"
                                % (where, hall.id, code, ", ".join(hall.services)))
        arrivals = {}
        for hour, rate in entry.get("arrivals", {}).items():
            if not str(hour).isdigit() or not 0 <= int(hour) <= 23:
                raise ScenarioError("%s: arrivals hour %r is not 00-23" % (where, hour))
            if not isinstance(rate, (int, float)) or rate < 0:
                raise ScenarioError("%s: arrivals at %s must be a number >= 0" % (where, hour))
            arrivals[int(hour)] = float(rate)
        times = entry.get("service_min", [8, 3])
        if not (isinstance(times, list) and len(times) == 2 and times[0] > 0 and times[1] >= 0):
            raise ScenarioError("%s: service_min must be [mean, spread] minutes, mean > 0" % where)
        plans[code] = ServicePlan(code, arrivals, float(times[0]), float(times[1]))
    return plans


def _staff(entries, hall, path, start_min, scenario):
    staff = {}
    whole = (0.0, scenario.arrivals_end_s + scenario.drain_s)
    for n, entry in enumerate(entries, 1):
        where = "%s [[staff]] #%d" % (path, n)
        window = entry.get("window")
        if window not in hall.windows:
            raise ScenarioError("%s: window %r is not a window of hall %s" % (where, window, hall.id))
        shift = _span(entry["shift"], where, start_min) if "shift" in entry else whole
        breaks = sorted(_span(b, where, start_min) for b in entry.get("breaks", []))
        staff[window] = Staff(window, str(entry.get("name", "staff %d" % window)), shift, breaks)
    for window in hall.windows:     # a window the file does not mention is staffed all day
        staff.setdefault(window, Staff(window, "staff %d" % window, whole, []))
    return staff


def _faults(entries, path, start_min):
    found = []
    for n, entry in enumerate(entries, 1):
        where = "%s [[fault]] #%d" % (path, n)
        entry = dict(entry)
        if isinstance(entry.get("at"), str):
            entry["at_s"] = (_hhmm(entry.pop("at"), where) - start_min) * 60.0
        try:
            found.append(faultlib.from_table(entry, where))
        except faultlib.FaultError as exc:
            raise ScenarioError(str(exc))
    return found


# --- the population: drawn once, from the seed, before anything runs ------------------------

def printer_keys(hall):
    """service code -> [(printer id, key, green)] of every printer key that issues it."""
    keys = {}
    for dev in hall.devices.values():
        if dev.kind != "printer":
            continue
        for key in sorted(dev.keys):
            svc, green = dev.key_target(key)
            keys.setdefault(svc, []).append((dev.id, key, green))
    return keys


def arrivals(scenario):
    """Every citizen's arrival, in time order: a Poisson process per service and hour."""
    rng = random.Random("%d/arrivals" % scenario.seed)
    keys = printer_keys(scenario.hall)
    start_hour = _hhmm(scenario.start, "start") / 60.0
    plan = []
    for code in sorted(scenario.services):
        service = scenario.services[code]
        normal = [k for k in keys.get(code, []) if not k[2]]
        green = [k for k in keys.get(code, []) if k[2]]
        if not normal:
            raise ScenarioError("no printer key of hall %s issues service %s" % (scenario.hall.id, code))
        t = 0.0
        while True:
            hour = int(start_hour + t / 3600.0) % 24
            rate = service.arrivals.get(hour, 0.0)
            if rate <= 0:
                t = (math.floor(start_hour + t / 3600.0) + 1 - start_hour) * 3600.0   # next hour
            else:
                # Poisson arrivals are memoryless: a gap that runs past the end of the hour
                # is dropped, and drawing starts again at the boundary with the next rate
                boundary = (math.floor(start_hour + t / 3600.0) + 1 - start_hour) * 3600.0
                t += rng.expovariate(rate / 3600.0)
                if t >= boundary:
                    t = boundary
                    rate = 0
            if t >= scenario.arrivals_end_s:
                break
            if rate <= 0:
                continue
            use_green = bool(green) and rng.random() < scenario.green_share
            printer, key, _ = rng.choice(green if use_green else normal)
            bounces = rng.randint(1, 6) if rng.random() < scenario.bounce_share else 0
            plan.append(Arrival(round(t, 3), code, printer, key, use_green, bounces))
    plan.sort(key=lambda a: (a.at, a.svc))
    return plan


@dataclass(frozen=True)
class Citizen:
    """What the holder of one ticket does; drawn from the seed and the ticket's number, so
    it does not depend on which thread was quicker."""
    no_show: bool
    rating: int | None
    rate_delay_s: float
    service_s: float


def citizen(scenario, day, ticket_no, svc):
    rng = random.Random("%d/%s/%s" % (scenario.seed, day, ticket_no))
    plan = scenario.services.get(svc)
    mean, spread = (plan.mean_min, plan.spread_min) if plan else (8.0, 3.0)
    no_show = rng.random() < scenario.no_show
    rates = rng.random() < scenario.rate_share
    level = rng.choices(range(1, len(scenario.rating_weights) + 1), scenario.rating_weights)[0]
    delay = rng.uniform(*scenario.rate_delay_s)
    return Citizen(no_show, level if rates else None, delay, 60.0 * _lognormal(rng, mean, spread))


def _lognormal(rng, mean, spread):
    """A service time with this mean and spread (minutes), never below a fifth of the mean."""
    if spread <= 0:
        return mean
    sigma2 = math.log(1 + (spread / mean) ** 2)
    value = rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))
    return max(mean / 5, value)


def planned_per_hour(scenario, plan):
    """{service: {local hour "08": arrivals}}: the deterministic core of the report."""
    start_min = _hhmm(scenario.start, "start")
    table = {}
    for a in plan:
        hour = "%02d" % (((start_min * 60 + int(a.at)) // 3600) % 24)
        row = table.setdefault(a.svc, {})
        row[hour] = row.get(hour, 0) + 1
    return table


def quiet(hall_path, duration_s, speed=1.0):
    """No people: the hall's devices alone for `duration_s` (for faults given by hand)."""
    if not hall_path:
        raise ScenarioError("give --scenario FILE, or --hall FILE for a hall without people")
    hall = config.load(hall_path)
    now = time.time()
    return Scenario(name="hall %s without people" % hall.id, hall_path=hall_path, hall=hall,
                    date=time.strftime("%Y-%m-%d", time.gmtime(now + hall.utc_offset_s)),
                    start=time.strftime("%H:%M", time.gmtime(now + hall.utc_offset_s)), start_epoch=now,
                    arrivals_end_s=float(duration_s), drain_s=0.0, speed=speed, seed=0, no_show=0.0,
                    green_share=0.0, appointment_share=0.0, rate_share=0.0,
                    rating_weights=[1] * hall.rating_levels, rate_delay_s=(1.0, 2.0), bounce_share=0.0,
                    services={}, staff={})
