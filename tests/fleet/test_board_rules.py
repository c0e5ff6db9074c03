"""Board files are checked at load, by the gateway's fleet tools and by the firmware at boot:
a key on an input-only pin needs an external pull, a strapping pin refuses parts that would
stop the board booting, and the shipped boards pass."""
import json
import os
import subprocess
import sys

import pytest

from gateway.fleet import FleetError, boards
from protocol import boardrules

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def board(**changes):
    spec = {"name": "test-pad", "mcu": "esp32", "kind": "pad", "keys": {"call": 13, "r1": 4}, "key_active": 0,
            "leds": {"status": 2}}
    spec.update(changes)
    return spec


def write(tmp_path, spec):
    with open(tmp_path / (spec["name"] + ".json"), "w") as f:
        json.dump(spec, f)


@pytest.mark.parametrize("name", boards.known())
def test_every_shipped_board_passes(name):
    assert boardrules.problems(boards.load(name)) == []


@pytest.mark.parametrize("changes, named", [
    ({"keys": {"call": 35}}, "call on GPIO35: a key there has no pull resistor"),
    ({"keys": {"call": 39}, "external_pull": ["r9"]}, "external_pull r9: external_pull lists a key the board does not"),
    ({"buzzer": 12}, "buzzer on GPIO12: a strapping pin"),
    ({"keys": {"call": 0}}, "call on GPIO0: a strapping pin"),
    ({"leds": {"status": 12}}, "status on GPIO12: a strapping pin"),
    ({"buzzer": 15}, "buzzer on GPIO15: a strapping pin"),
    ({"leds": {"status": 36}}, "status on GPIO36: GPIO34-39 are inputs only"),
    ({"panel": {"uart": 1, "tx": 34, "rx": 16}}, "panel tx on GPIO34: GPIO34-39 are inputs only"),
])
def test_the_fleet_tools_refuse_a_board_that_cannot_work_and_say_why(tmp_path, changes, named):
    write(tmp_path, board(**changes))
    with pytest.raises(FleetError, match=named):
        boards.load("test-pad", str(tmp_path))


def test_what_is_allowed_stays_allowed(tmp_path):
    write(tmp_path, board(keys={"call": 35, "r1": 15, "r5": 5}, external_pull=["call"], leds={"status": 2},
                          panel={"uart": 1, "tx": 32, "rx": 35}))
    assert boards.load("test-pad", str(tmp_path))["keys"]["call"] == 35


def test_the_firmware_refuses_such_a_board_at_boot(tmp_path):
    """settings.load applies the same rules (run in a child so the fakes stay out of this process)."""
    code = ("import json, sys; sys.path[:0] = [%r, %r, %r]\n"
            "from runtime import settings\n"
            "root = %r + '/'\n"
            "json.dump({'id': 'pad-1', 'hall': 'h', 'kind': 'pad', 'broker': {'host': 'b'}}, open(root + 'config.json', 'w'))\n"
            "json.dump(%r, open(root + 'board.json', 'w'))\n"
            "try:\n    settings.load(root)\nexcept settings.ConfigError as exc:\n    print('refused:', exc)\n"
            % (os.path.join(REPO, "tests", "firmware", "fakes"), os.path.join(REPO, "firmware"), REPO, str(tmp_path),
               board(buzzer=12)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert "refused: board.json: buzzer on GPIO12: strapping pin" in out, out
