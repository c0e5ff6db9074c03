"""Board files (boards/<name>.json): the one place enrolment and flashing read them from."""
import json
import os

from gateway.fleet import FleetError
from protocol import boardrules

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOARDS_DIR = os.path.join(REPO, "boards")

# mpy-cross -march per MCU family: the classic ESP32 and the S2/S3 are Xtensa (windowed ABI),
# the C3/C6 are RISC-V. Only native code depends on it; plain bytecode runs on either.
MARCH = {"esp32": "xtensawin", "esp32s2": "xtensawin", "esp32s3": "xtensawin",
         "esp32c3": "rv32imc", "esp32c6": "rv32imc"}


def known(boards_dir=BOARDS_DIR):
    try:
        return sorted(n[:-5] for n in os.listdir(boards_dir) if n.endswith(".json"))
    except OSError:
        return []


def load(name, boards_dir=BOARDS_DIR):
    """The board file `name` as a dict; FleetError naming the file and the known boards."""
    path = os.path.join(boards_dir, name + ".json")
    try:
        with open(path) as f:
            board = json.load(f)
    except FileNotFoundError:
        raise FleetError("no board file %s (known boards: %s)" % (path, ", ".join(known(boards_dir)) or "none"))
    except (OSError, ValueError) as exc:
        raise FleetError("board file %s cannot be read: %s" % (path, exc))
    if not isinstance(board, dict) or board.get("name") != name:
        raise FleetError("board file %s must be an object whose \"name\" is %r" % (path, name))
    if board.get("mcu") not in MARCH:
        raise FleetError("board file %s: unknown \"mcu\" %r (known: %s)" % (path, board.get("mcu"), ", ".join(MARCH)))
    wrong = boardrules.problems(board)      # the same pin rules the firmware applies at boot
    if wrong:
        raise FleetError("board file %s: %s" % (path, "; ".join(explain(p) for p in wrong)))
    return board


WHY = {boardrules.PULL: "a key there has no pull resistor (GPIO34-39 have none inside): fit one and list "
                        "the key in \"external_pull\"",
       boardrules.INPUT_ONLY_PIN: "GPIO34-39 are inputs only",
       boardrules.STRAPPING_PIN: "a strapping pin, read at boot: this part there would stop the board booting",
       boardrules.NOT_A_KEY: "external_pull lists a key the board does not have"}


def explain(problem):
    """One broken pin rule as a sentence naming the part, the pin and the fix."""
    name, pin, rule = problem
    return "%s%s: %s" % (name, "" if pin is None else " on GPIO%d" % pin, WHY[rule])


def path_of(name, boards_dir=BOARDS_DIR):
    return os.path.join(boards_dir, name + ".json")
