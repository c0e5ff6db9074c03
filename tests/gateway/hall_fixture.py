"""A small hall for gateway tests: 3 services, 3 windows, a printer, displays and pads."""
import datetime

from gateway import config

# 2026-11-23 09:00 in the hall (UTC+8)
T0 = datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.timezone.utc).timestamp()
DAY = 86400


def hall_dict():
    return {
        "hall": {"id": "testhall", "name": "Test Hall", "rating_levels": 5, "rating_timeout_s": 30,
                 "utc_offset": "+08:00"},
        "service": [{"code": "A", "name": "Residence permits", "time_limit_min": 20},
                    {"code": "B", "name": "Business licences", "time_limit_min": 30},
                    {"code": "C", "name": "Certificates", "time_limit_min": 10}],
        "window": [{"number": 1, "services": ["A"]},
                   {"number": 2, "services": ["A", "B"]},
                   {"number": 3, "services": ["C"]}],
        "device": [
            {"id": "printer-1", "kind": "printer", "board": "hm-printer-v1",
             "keys": {"k1": "A", "k2": "B", "k3": "green:A", "k4": "C"}},
            {"id": "hall-display", "kind": "display", "board": "hm-display-v1", "shows": "hall"},
            {"id": "display-1", "kind": "display", "board": "hm-display-v1", "window": 1},
            {"id": "display-2", "kind": "display", "board": "hm-display-v1", "window": 2},
            {"id": "pad-1", "kind": "pad", "board": "hm-pad-v1", "window": 1},
            {"id": "pad-2", "kind": "pad", "board": "hm-pad-v1", "window": 2},
        ],
    }


def small_hall():
    return config.parse(hall_dict(), "test.toml")


HALL_TOML = """
[hall]
id = "testhall"
name = "Test Hall"
rating_levels = 5
rating_timeout_s = 30
utc_offset = "+08:00"

[[service]]
code = "A"
name = "Residence permits"
time_limit_min = 20

[[service]]
code = "B"
name = "Business licences"
time_limit_min = 30

[[window]]
number = 1
services = ["A"]

[[window]]
number = 2
services = ["A", "B"]

[[device]]
id = "printer-1"
kind = "printer"
board = "hm-printer-v1"
keys = { k1 = "A", k2 = "B", k3 = "green:A" }

[[device]]
id = "hall-display"
kind = "display"
board = "hm-display-v1"
shows = "hall"

[[device]]
id = "display-1"
kind = "display"
board = "hm-display-v1"
window = 1

[[device]]
id = "pad-1"
kind = "pad"
board = "hm-pad-v1"
window = 1

[[device]]
id = "pad-2"
kind = "pad"
board = "hm-pad-v1"
window = 2
"""
