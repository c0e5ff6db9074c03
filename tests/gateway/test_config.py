"""Hall config: the example loads; every kind of fault names the file, the entry and the fault."""
import copy
import os

import pytest

from gateway import config
from gateway.config import ConfigError
from tests.gateway.hall_fixture import HALL_TOML, hall_dict

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_example_hall_loads():
    hall = config.load(os.path.join(REPO, "halls", "example.toml"))
    assert hall.id == "riverside" and hall.name == "Riverside Service Centre"
    assert hall.rating_levels == 5 and hall.rating_timeout_s == 30
    assert list(hall.services) == ["A", "B", "C", "D", "E", "F"]
    assert hall.services["A"].time_limit_min == 20
    assert hall.windows[8].services == ("F", "D", "E")
    assert hall.windows_serving("A") == [1, 2, 3]
    assert hall.devices["printer-1"].key_target("k2") == ("B", False)
    assert hall.devices["printer-1"].key_target("k8") is None
    assert hall.devices["hall-display"].shows == "hall"
    assert hall.devices["pad-3"].window == 3 and hall.devices["pad-3"].kind == "pad"


def test_a_file_round_trip_with_green_keys_and_offset(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_text(HALL_TOML)
    hall = config.load(path)
    assert hall.devices["printer-1"].key_target("k3") == ("A", True)
    assert hall.utc_offset_s == 8 * 3600
    assert hall.source == str(path)


def broken(mutate):
    data = copy.deepcopy(hall_dict())
    mutate(data)
    return data


def _set(path, value):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _delete(path):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


def _append(section, entry):
    return lambda data: data[section].append(entry)


PAD = {"id": "pad-9", "kind": "pad", "board": "hm-pad-v1"}

CASES = [
    ("unknown service in a window", _set(("window", 1, "services"), ["A", "Z"]),
     ["[[window]] #2 (number 2)", "unknown service 'Z'"]),
    ("a window listing a service twice", _set(("window", 0, "services"), ["A", "A"]), ["listed twice"]),
    ("a window with no services", _set(("window", 0, "services"), []), ["at least one service"]),
    ("duplicate window number", _set(("window", 1, "number"), 1), ["[[window]] #2", "duplicate window number 1"]),
    ("duplicate device id", _set(("device", 2, "id"), "printer-1"), ["[[device]] #3", "duplicate device id 'printer-1'"]),
    ("pad without a window", _append("device", PAD), ["[[device]] #7 (pad-9)", "a pad needs a 'window'"]),
    ("pad of an unknown window", _append("device", dict(PAD, window=9)), ["window 9 is not a [[window]]"]),
    ("bad device name", _set(("device", 0, "id"), "Printer 1"), ["[[device]] #1", "may use only"]),
    ("too long device name", _set(("device", 0, "id"), "p" * 33), ["1-32 characters"]),
    ("bad hall id", _set(("hall", "id"), "Test/Hall"), ["[hall]", "may use only"]),
    ("bad board name", _set(("device", 0, "board"), "HM+1"), ["[[device]] #1 (printer-1)", "may use only"]),
    ("unknown device kind", _set(("device", 0, "kind"), "kiosk"), ["kind must be one of"]),
    ("printer key to an unknown service", _set(("device", 0, "keys"), {"k1": "Q"}),
     ["key 'k1' maps to unknown service 'Q'"]),
    ("green key to an unknown service", _set(("device", 0, "keys"), {"k1": "green:Q"}), ["unknown service 'Q'"]),
    ("printer without keys", _set(("device", 0, "keys"), {}), ["at least one key"]),
    ("printer key to a number", _set(("device", 0, "keys"), {"k1": 1}), ["must map to a service code"]),
    ("printer with a window", _set(("device", 0, "window"), 1), ["a printer has no 'window'"]),
    ("display without window", _delete(("device", 2, "window")), ["a display needs a 'window'"]),
    ("display showing something else", _set(("device", 1, "shows"), "wall"), ["shows must be \"hall\""]),
    ("hall display with a window too", _set(("device", 1, "window"), 1), ["not both"]),
    ("display with keys", _set(("device", 2, "keys"), {"k1": "A"}), ["a display has no 'keys'"]),
    ("window as text", _set(("device", 2, "window"), "1"), ["field 'window' must be int"]),
    ("duplicate service code", _set(("service", 1, "code"), "A"), ["[[service]] #2", "duplicate service code 'A'"]),
    ("lower-case service code", _set(("service", 0, "code"), "a"), ["capital letters"]),
    ("service without a name", _delete(("service", 0, "name")), ["missing field 'name'"]),
    ("zero time limit", _set(("service", 0, "time_limit_min"), 0), ["time_limit_min must be positive"]),
    ("no services", _set(("service",), []), ["[[service]]", "at least one entry"]),
    ("no hall table", _delete(("hall",)), ["top level", "missing table [hall]"]),
    ("unknown top-level table", _set(("windows",), []), ["unknown field 'windows'"]),
    ("misspelt field", _set(("window", 0, "servics"), ["A"]), ["[[window]] #1", "unknown field 'servics'"]),
    ("too many rating levels", _set(("hall", "rating_levels"), 10), ["rating_levels must be 2-9"]),
    ("rating levels as text", _set(("hall", "rating_levels"), "5"), ["'rating_levels' must be int"]),
    ("negative rating timeout", _set(("hall", "rating_timeout_s"), -1), ["rating_timeout_s must be positive"]),
    ("bad utc offset", _set(("hall", "utc_offset"), "8h"), ["utc_offset must look like '+08:00'"]),
]


@pytest.mark.parametrize("name,mutate,expected", CASES, ids=[case[0] for case in CASES])
def test_broken_configs_name_the_fault(name, mutate, expected):
    with pytest.raises(ConfigError) as info:
        config.parse(broken(mutate), "halls/broken.toml")
    message = str(info.value)
    assert message.startswith("halls/broken.toml: ")
    for text in expected:
        assert text in message


def test_negative_utc_offset():
    hall = config.parse(broken(_set(("hall", "utc_offset"), "-03:30")))
    assert hall.utc_offset_s == -(3 * 3600 + 30 * 60)


def test_a_missing_file_is_named(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="nope.toml: cannot read hall config"):
        config.load(path)


def test_bad_toml_is_named(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[hall\nid = 1\n")
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        config.load(path)
