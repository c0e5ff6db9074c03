# The device's settings from flash: config.json (who it is, where the broker is) and
# board.json (which pins drive which parts), plus the boot counter kept beside them.
import json
import os

from runtime import flashfile

KINDS = ("printer", "display", "pad")
DEFAULTS = {"keepalive": 30, "poll_ms": 50, "debounce_ms": 30, "stall_ms": 5000, "wdt_ms": 60000, "resend_ms": 4000,
            "offline_reset_s": 900}


class ConfigError(Exception):
    pass


def read_json(root, name):
    try:
        with open(root + name) as f:
            return json.load(f)
    except OSError:
        raise ConfigError(name + " is missing from flash")
    except ValueError:
        raise ConfigError(name + " is not valid JSON")


def _need(cfg, name, kind):
    if name not in cfg or not isinstance(cfg[name], kind):
        raise ConfigError("config.json needs '" + name + "' (" + kind.__name__ + ")")
    return cfg[name]


def load(root):
    """(config, board) from flash; ConfigError naming the first missing or wrong field."""
    cfg = read_json(root, "config.json")
    if not isinstance(cfg, dict):
        raise ConfigError("config.json must hold an object")
    _need(cfg, "id", str)
    _need(cfg, "hall", str)
    if _need(cfg, "kind", str) not in KINDS:
        raise ConfigError("config.json 'kind' must be one of " + ", ".join(KINDS))
    _need(_need(cfg, "broker", dict), "host", str)
    for name in DEFAULTS:
        cfg.setdefault(name, DEFAULTS[name])
    board = read_json(root, "board.json")
    if not isinstance(board, dict) or board.get("kind") != cfg["kind"]:
        raise ConfigError("board.json is not a " + cfg["kind"] + " board")
    check_board(board)
    return cfg, board


def check_board(board):
    """ConfigError naming the first pin the board file wires wrongly (protocol/boardrules.py).
    The rules are needed once a boot: their module is dropped again to give its heap back."""
    import sys
    from protocol import boardrules
    bad = [boardrules.short(p) for p in boardrules.problems(board)]
    del boardrules
    if sys.implementation.name == "micropython":   # (the simulator boots boards in threads at once)
        sys.modules.pop("protocol.boardrules", None)
        import protocol
        if hasattr(protocol, "boardrules"):
            delattr(protocol, "boardrules")
    if bad:
        raise ConfigError("board.json: " + bad[0])


def count_boot(root):
    """Add one to the boot counter in flash and return it: the presence session that lets the
    gateway tell an old last-will from a new one. Written atomically (runtime/flashfile.py); a
    counter that cannot be written costs only that ordering, never an event id (those come
    from runtime/eventid.py and need no flash)."""
    session = flashfile.load(root + "session", int, 0) + 1
    try:
        flashfile.save(root + "session", session)
    except OSError:
        pass
    return session


CHANGEABLE = ("wifi", "broker", "keepalive", "poll_ms", "debounce_ms", "resend_ms", "offline_reset_s", "wdt_ms",
              "offline_after_s", "away_text")


def change(root, cfg, updates):
    """Apply a `config` command's fields to config.json (atomically); ConfigError naming a
    field that may not be changed remotely (id, hall, kind stay as enrolled)."""
    if not isinstance(updates, dict) or not updates:
        raise ConfigError("config change needs a non-empty object 'set'")
    for name in updates:
        if name not in CHANGEABLE:
            raise ConfigError("config field '" + name + "' cannot be changed remotely")
    saved = read_json(root, "config.json")
    for name in updates:
        saved[name] = updates[name]
    tmp = root + "config.json.new"
    with open(tmp, "w") as f:
        json.dump(saved, f)
    os.rename(tmp, root + "config.json")
