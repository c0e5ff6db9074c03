"""Halls with rule options for the rule tests, and a script runner shared by them."""
import copy

from gateway import config
from gateway.engine import Refused, decide, execute, new_state
from tests.gateway.hall_fixture import T0, hall_dict

MIN = 60


def hall_with(hall=None, services=None, windows=None, awards=None, devices=None):
    """The small test hall with [hall] fields, per-service and per-window fields overridden:
    services={"A": {"daily_cap": 2}}, windows={2: {"profile": "ordered"}}."""
    data = copy.deepcopy(hall_dict())
    data["hall"].update(hall or {})
    for entry in data["service"]:
        entry.update((services or {}).get(entry["code"], {}))
    for entry in data["window"]:
        entry.update((windows or {}).get(entry["number"], {}))
    if awards:
        data["awards"] = awards
    if devices:
        data["device"] += devices
    return config.parse(data, "rules-test.toml")


def play(hall, script):
    """Run (seconds after T0, command) steps; refused steps are kept as Refused in the result.
    Returns (state, [events or Refused per step])."""
    state, results = new_state(hall), []
    for at, cmd in script:
        try:
            results.append(execute(state, cmd, T0 + at))
        except Refused as exc:
            results.append(exc)
    return state, results


def last(hall, script):
    """(state, events of the last step) or raise its Refused."""
    state, results = play(hall, script[:-1])
    at, cmd = script[-1]
    return state, decide(state, cmd, T0 + at)
