"""The waiting estimate printed on a ticket: a [low, high] range in whole minutes.

With k people ahead and n windows serving the service, the new ticket is called once the k
ahead have been called. At best they go quickly (the fast quarter of recent service times);
at worst they and the ones now at the windows go slowly (the slow quarter). A range is
honest: visitors plan around the high end, and a single number would be wrong every time.
"""
import math

from gateway.engine.state import PAUSED

DEFAULT_SERVICE_S = 300.0   # before any history: five minutes a visit
MAX_DEFAULT_SHARE = 0.5     # ... but never more than half the service's time limit


def service_times(state, svc):
    """(fast, slow) seconds: lower and upper quartile of recent service times."""
    recent = sorted(state.durations.get(svc, ()))
    if not recent:
        limit_s = state.hall.services[svc].time_limit_min * 60.0
        typical = min(DEFAULT_SERVICE_S, limit_s * MAX_DEFAULT_SHARE)
        return typical * 0.5, typical * 1.5
    return _quantile(recent, 0.25), _quantile(recent, 0.75)


def _quantile(ordered, q):
    pos = q * (len(ordered) - 1)
    low = int(math.floor(pos))
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def serving_windows(state, svc):
    """Windows that serve the service and are not paused; all of them if all are paused."""
    numbers = [n for n, w in state.windows.items() if svc in w.services]
    open_now = [n for n in numbers if state.windows[n].status != PAUSED]
    return max(1, len(open_now) or len(numbers))


def wait_range(state, svc, ahead):
    """[low, high] minutes for a ticket with `ahead` people before it."""
    fast, slow = service_times(state, svc)
    windows = serving_windows(state, svc)
    low = math.floor(ahead * fast / windows / 60.0)
    high = math.ceil((ahead + 1) * slow / windows / 60.0)
    return [int(low), int(max(high, low))]
