"""Views: exactly the shapes of docs/protocol.md, computed from the state."""
from gateway import views
from gateway.engine import commands as c, execute, new_state
from protocol import codec, messages
from tests.gateway.hall_fixture import T0, small_hall

HALL = small_hall()


def hall_after(script):
    state = new_state(HALL)
    for at, cmd in script:
        execute(state, cmd, T0 + at)
    return state


def test_window_view_idle_serving_paused():
    state = hall_after([(0, c.issue("A", "printer-1")), (0, c.pause(2))])
    assert views.window_view(state, 1, seq=7) == {"v": 1, "kind": "window", "seq": 7, "win": 1,
                                                  "ticket": "", "state": "idle", "call": 0}
    assert views.window_view(state, 2)["state"] == "paused"
    execute(state, c.call(1), T0 + 1)
    execute(state, c.recall(1), T0 + 2)
    assert views.window_view(state, 1, seq=8) == {"v": 1, "kind": "window", "seq": 8, "win": 1,
                                                  "ticket": "A001", "state": "serving", "call": 2,
                                                  "due": int(T0 + 1 + 20 * 60)}


def test_hall_view_rows_newest_first_one_per_window():
    state = hall_after([(0, c.issue("A", "p")), (0, c.issue("A", "p")), (0, c.issue("A", "p")),
                        (1, c.call(1)), (2, c.call(2)), (3, c.finish(1)), (4, c.call(1))])
    assert views.hall_view(state, seq=9) == {"v": 1, "kind": "hall", "seq": 9,
                                             "rows": [["A003", 1, 2], ["A002", 2, 1]], "notice": ""}
    execute(state, c.recall(2), T0 + 5)    # a recall brings the window to the top again
    assert views.hall_view(state)["rows"] == [["A002", 2, 2], ["A003", 1, 2]], "and its counter moves: announce again"


def test_pad_view_asks_for_a_rating_until_rated_or_timed_out():
    state = hall_after([(0, c.issue("A", "p")), (0, c.issue("A", "p")), (1, c.call(1))])
    assert views.pad_view(state, 1, T0 + 1, seq=3) == {
        "v": 1, "kind": "pad", "seq": 3, "win": 1, "serving": "A001", "rate": "", "levels": 5,
        "timeout": 30, "due": int(T0 + 1 + 20 * 60), "to": ["B", "C"]}   # `to`: where a transfer may go
    execute(state, c.finish(1), T0 + 10)
    assert views.pad_view(state, 1, T0 + 11)["rate"] == "A001"
    assert views.pad_view(state, 1, T0 + 40)["rate"] == "A001"     # exactly at the timeout
    assert views.pad_view(state, 1, T0 + 41)["rate"] == ""
    execute(state, c.call(1), T0 + 12)
    pad = views.pad_view(state, 1, T0 + 13)
    assert pad["serving"] == "A002" and pad["rate"] == "A001"      # the last citizen may still rate
    execute(state, c.rate(1, 4, "A001", T0 + 14), T0 + 14)
    assert views.pad_view(state, 1, T0 + 15)["rate"] == ""


def test_printer_view_is_its_keys_map():
    view = views.printer_view(HALL.devices["printer-1"], seq=1)
    assert view == {"v": 1, "kind": "printer", "seq": 1,
                    "keys": {"k1": "A", "k2": "B", "k3": "green:A", "k4": "C"}}


def test_every_device_gets_a_valid_view():
    state = hall_after([(0, c.issue("A", "p")), (1, c.call(2))])
    every = views.all_views(state, T0 + 2)
    assert set(every) == set(HALL.devices)
    assert every["display-2"]["ticket"] == "A001"
    assert every["pad-2"]["serving"] == "A001"
    assert every["hall-display"]["rows"] == [["A001", 2, 1]]
    for view in every.values():
        decoded = codec.decode(codec.encode(dict(view)))
        assert messages.check_view(decoded) == view
