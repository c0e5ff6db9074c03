"""Can the hall serve what a scenario asks of it? A fluid model of each group of windows
(windows that share a service serve one pool of work): the work planned each hour (tickets
times their mean service time plus the per-ticket overhead) against the window time staffed
in that hour, carrying the backlog over. Pure: scenario and plan in, minutes out.

A scenario whose queues cannot drain within its drain time ends "INVARIANTS BROKEN: drained"
however well the hall works; the shipped scenarios are checked against this before a run."""
from sim import scenario as scenariolib

# Window time a ticket costs beyond its service time, in simulated seconds: the call and the
# walk, the rating, a no-show's 2 x 30 s recall and skip, and the pad's round trips (each a few
# tenths of a real second, times the speed). Measured on the hospital scenario at x90 on a
# loaded 2-core machine: 114 s mean; at x60 less.
OVERHEAD_S = 90.0


def window_groups(hall):
    """[(set of services, [window numbers])]: windows joined by any service they share."""
    groups = []
    for number, win in sorted(hall.windows.items()):
        services, windows = set(win.services), [number]
        for group in [g for g in groups if g[0] & services]:
            groups.remove(group)
            services |= group[0]
            windows += group[1]
        groups.append((services, sorted(windows)))
    return groups


def _staffed_s(staff, lo, hi):
    """Seconds of [lo, hi) the staff member is on shift and not on a break."""
    start, end = max(lo, staff.shift[0]), min(hi, staff.shift[1])
    on = max(0.0, end - start)
    for b_lo, b_hi in staff.breaks:
        on -= max(0.0, min(end, b_hi) - max(start, b_lo))
    return on


def drain_needed_min(scenario, plan, overhead_s=OVERHEAD_S):
    """{frozenset(services): minutes after the last arrival the group needs to empty its queues}."""
    start_min = scenariolib._hhmm(scenario.start, "start")
    per_hour = scenariolib.planned_per_hour(scenario, plan)
    first_hour, last_s = start_min // 60, scenario.arrivals_end_s
    out = {}
    for services, windows in window_groups(scenario.hall):
        backlog_s, lo = 0.0, 0.0
        hour = first_hour
        while lo < last_s:
            hi = min(last_s, (hour + 1) * 3600.0 - start_min * 60.0)
            work = sum(per_hour.get(svc, {}).get("%02d" % (hour % 24), 0) *
                       (scenario.services[svc].mean_min * 60.0 + overhead_s)
                       for svc in services if svc in scenario.services)
            capacity = sum(_staffed_s(scenario.staff[w], lo, hi) for w in windows)
            backlog_s = max(0.0, backlog_s + work - capacity)
            lo, hour = hi, hour + 1
        after = sum(_staffed_s(scenario.staff[w], last_s, last_s + 3600.0) for w in windows) / 3600.0
        out[frozenset(services)] = float("inf") if backlog_s and not after else backlog_s / max(after, 1e-9) / 60.0
    return out
