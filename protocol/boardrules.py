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


def problems(board):
    """What is wrong with the board file's pins, as sentences naming the part and pin; [] if
    nothing (or the MCU is not one these rules are for)."""
    if not isinstance(board, dict) or board.get("mcu") not in CHECKED_MCUS:
        return []
    pulled = board.get("external_pull") or []
    keys = board.get("keys") or {}
    found = []
    for name in pulled:
        if name not in keys:
            found.append("external_pull names " + repr(name) + ", which is not a key")
    for part, name, pin in _uses(board):
        if pin in INPUT_ONLY:
            if part in OUTPUT_PARTS or name.endswith(" tx"):
                found.append(name + " on GPIO" + str(pin) + ": GPIO34-39 are inputs only")
            elif part == "keys" and name not in pulled:
                found.append("key " + name + " on GPIO" + str(pin) + " has no pull resistor (GPIO34-39 have"
                             " none inside): fit one and list the key in \"external_pull\"")
        refused = STRAPPING.get(pin, ())
        if "*" in refused or part in refused:
            found.append(name + " on GPIO" + str(pin) + ": a strapping pin, read at boot; this part would"
                         " stop the board booting")
    return found
