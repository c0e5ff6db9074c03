# What a board file may wire to which pin of a classic ESP32, checked where a board file is
# read: by the firmware at boot (runtime/settings.py) and by the gateway's fleet tools
# (gateway/fleet/boards.py), so a board that cannot work is refused with the reason before
# anyone solders to it. Shared here because both sides must apply the same rules.
#  - GPIO34-39 are inputs only and have no internal pull resistors: a key there must be in
#    "external_pull" (a resistor on the board), else it floats and presses itself.
#  - GPIO0, 2, 5, 12 and 15 are strapping pins, read at reset: a part that pulls one of them
#    the wrong way stops the board booting (GPIO12 high selects 1.8 V flash; GPIO0 low, a
#    held key, enters the ROM loader). Which parts each refuses is in STRAPPING.
INPUT_ONLY = (34, 35, 36, 37, 38, 39)
OUTPUT_PARTS = ("leds", "buzzer")
# strapping pin -> the parts that would disturb booting there ("*": any part)
STRAPPING = {0: ("keys", "leds", "buzzer"), 2: ("keys", "buzzer"), 5: ("buzzer",), 12: ("*",),
             15: ("buzzer",)}
CHECKED_MCUS = ("esp32",)


def _uses(board):
    """[(part, name, pin)] of every pin the board file wires."""
    out = []
    for part in ("keys", "leds"):
        spec = board.get(part) or {}
        for name in spec if isinstance(spec, dict) else ():
            out.append((part, name, spec[name]))
    for part in ("buzzer", "paper_sensor"):
        if isinstance(board.get(part), int):
            out.append((part, part, board[part]))
    for part in ("printer", "panel", "speaker", "scanner"):
        spec = board.get(part)
        if isinstance(spec, dict):
            for end in ("tx", "rx"):
                if isinstance(spec.get(end), int):
                    out.append((part, part + " " + end, spec[end]))
    return out


# what each rule broken means, for whoever reports it (kept short: the firmware loads this
# module at every boot, and every string here costs heap there)
PULL, INPUT_ONLY_PIN, STRAPPING_PIN, NOT_A_KEY = "needs external_pull", "input only", "strapping pin", "no such key"


def problems(board):
    """[(part name, pin, rule)] of what is wrong with the board file's pins; [] if nothing (or
    the MCU is not one these rules are for). rule: PULL, INPUT_ONLY_PIN, STRAPPING_PIN, NOT_A_KEY."""
    if not isinstance(board, dict) or board.get("mcu") not in CHECKED_MCUS:
        return []
    pulled = board.get("external_pull") or []
    keys = board.get("keys") or {}
    found = [("external_pull " + str(name), None, NOT_A_KEY) for name in pulled if name not in keys]
    for part, name, pin in _uses(board):
        if pin in INPUT_ONLY:
            if part in OUTPUT_PARTS or name.endswith(" tx"):
                found.append((name, pin, INPUT_ONLY_PIN))
            elif part == "keys" and name not in pulled:
                found.append((name, pin, PULL))
        refused = STRAPPING.get(pin, ())
        if "*" in refused or part in refused:
            found.append((name, pin, STRAPPING_PIN))
    return found


def short(problem):
    """'k8 on GPIO35: needs external_pull'"""
    name, pin, rule = problem
    return name + ("" if pin is None else " on GPIO" + str(pin)) + ": " + rule
