"""Hall days (issue 10): a day begins at its boundary whether or not anything happens, nothing
of a closed day comes back, a clock step back never reopens a day, time zones are IANA names."""
import datetime
import json

import pytest

from gateway import config, status_page, views
from gateway.engine import Refused, commands as c, days, decide, execute, new_state
from gateway.service import CLOCK_STEP_S, Service
from gateway.store import open_store
from protocol import topics
from tests.gateway.hall_fixture import DAY, T0, hall_dict, small_hall

HALL = small_hall()
MIDNIGHT = T0 + 15 * 3600          # 2026-11-24 00:00 in the hall (UTC+8)


def hall_in(zone, day_starts="00:00"):
    data = hall_dict()
    del data["hall"]["utc_offset"]
    data["hall"].update({"time_zone": zone, "day_starts": day_starts})
    return config.parse(data, "zone.toml")


def test_the_morning_before_the_first_ticket_calls_nothing_of_yesterday():
    state = new_state(HALL)
    execute(state, c.issue("A", "p"), T0)                   # A001 waits overnight
    with pytest.raises(Refused, match="no ticket waiting for window 1"):
        decide(state, c.call(1), MIDNIGHT + 8 * 3600)
    assert state.tickets[1].status == "waiting", "decide never changes the state"


def test_the_day_boundary_closes_the_day_by_the_rules():
    state = new_state(HALL)
    execute(state, c.sign_in(1, "Li"), T0)
    execute(state, c.issue("A", "p"), T0)
    execute(state, c.issue("A", "p"), T0 + 1)
    execute(state, c.call(1), T0 + 2)
    events = execute(state, c.new_day(), MIDNIGHT)
    assert events == [{"type": "day_started", "at": MIDNIGHT, "day": "2026-11-24", "expired": [2],
                       "ended": [1], "reason": "not_called", "reset": [1, 2, 3], "signed_out": [1]}]
    assert execute(state, c.new_day(), MIDNIGHT + 1) == [], "one boundary, one day_started"
    assert state.tickets == {} and state.windows[1].staff is None
    assert views.window_view(state, 1)["ticket"] == "" and views.hall_view(state)["rows"] == []
    assert execute(state, c.issue("A", "p"), MIDNIGHT + 60)[-1]["no"] == "A001"


def test_a_clock_stepped_back_stays_in_the_current_day():
    state = new_state(HALL)
    execute(state, c.issue("A", "p"), T0)
    execute(state, c.new_day(), MIDNIGHT)
    execute(state, c.issue("A", "p"), MIDNIGHT + 60)          # A001 of the new day
    back = MIDNIGHT - 3600                                   # NTP not there yet: yesterday 23:00
    assert execute(state, c.new_day(), back) == []
    issued = execute(state, c.issue("A", "p"), back)
    assert [(ev["type"], ev["no"], ev["day"]) for ev in issued] == [("ticket_issued", "A002", "2026-11-24")]


def test_a_dst_zone_has_days_of_23_and_25_hours():
    hall = hall_in("Europe/Berlin")
    spring = datetime.date(2026, 3, 29)                      # clocks go 02:00 -> 03:00
    autumn = datetime.date(2026, 10, 25)                     # clocks go 03:00 -> 02:00
    for day, hours in ((spring, 23), (autumn, 25)):
        start = days.day_start(hall, day)
        end = days.day_start(hall, day + datetime.timedelta(days=1))
        assert (end - start) / 3600 == hours
        assert days.day_of(hall, start) == day.isoformat()
        assert days.day_of(hall, start - 1) == (day - datetime.timedelta(days=1)).isoformat()
        assert days.day_of(hall, end - 1) == day.isoformat()
    # summer: 00:00 local is 22:00 UTC the evening before
    assert days.day_start(hall, datetime.date(2026, 7, 1)) == datetime.datetime(
        2026, 6, 30, 22, 0, tzinfo=datetime.timezone.utc).timestamp()


def test_numbering_restarts_at_a_dst_boundary_with_a_late_day_start():
    hall = hall_in("Europe/Berlin", day_starts="05:00")
    state = new_state(hall)
    sunday = days.day_start(hall, datetime.date(2026, 3, 29))
    execute(state, c.issue("A", "p"), sunday - 60)           # Saturday's last minutes
    assert execute(state, c.issue("A", "p"), sunday - 1)[-1]["no"] == "A002"
    first = execute(state, c.issue("A", "p"), sunday)
    assert [ev["type"] for ev in first] == ["day_started", "ticket_issued"] and first[-1]["no"] == "A001"
    assert days.local_datetime(hall, sunday).strftime("%H:%M %Z") == "05:00 CEST"


def test_an_unknown_zone_is_named_in_the_error():
    with pytest.raises(config.ConfigError, match="time_zone 'Mars/Olympus' is not a known IANA time zone"):
        hall_in("Mars/Olympus")
    data = hall_dict()
    data["hall"]["time_zone"] = "Asia/Shanghai"
    with pytest.raises(config.ConfigError, match="time_zone or utc_offset, not both"):
        config.parse(data, "both.toml")


def test_shanghai_is_utc_plus_8_all_year():
    hall = hall_in("Asia/Shanghai")
    assert days.day_of(hall, T0) == "2026-11-23" and days.offset_at(hall, T0) == 8 * 3600
    assert days.day_start(hall, "2026-11-24") == MIDNIGHT


# --- the gateway's timer and clock watch (Service, no broker) ------------------------------

class Clocks:
    """A wall clock that can be stepped, and a monotonic one that only moves forward."""

    def __init__(self, wall):
        self.wall, self.mono = wall, 1000.0

    def advance(self, seconds):
        self.wall += seconds
        self.mono += seconds

    def step(self, seconds):
        self.wall += seconds


def service_at(tmp_path, clocks):
    published = {}

    def publish(topic, payload, retain):
        published[topic] = json.loads(payload)

    service = Service(HALL, open_store(tmp_path / "hall.db"), publish, clock=lambda: clocks.wall,
                      monotonic=lambda: clocks.mono)
    service.begin_session(1)
    return service, published


def key(event_id, name):
    return json.dumps({"v": 1, "id": event_id, "t": "key", "at": 0, "key": name}).encode()


def evt(dev):
    return topics.device(HALL.id, dev, topics.EVENTS)


def test_the_timer_begins_the_day_and_the_views_show_it(tmp_path):
    clocks = Clocks(MIDNIGHT - 3600)
    service, published = service_at(tmp_path, clocks)
    service.tick()
    service.on_message(evt("printer-1"), key("p-1", "k1"))
    service.on_message(evt("pad-1"), key("s-1", "call"))
    service.refresh_views()
    assert published["hm/testhall/dev/display-1/view"]["ticket"] == "A001"
    clocks.advance(3600)
    service.tick()
    service.refresh_views()
    assert service.state.day == "2026-11-24" and service.stats["days_begun"] == 2
    assert published["hm/testhall/dev/display-1/view"]["ticket"] == ""
    assert published["hm/testhall/dev/hall-display/view"]["rows"] == []
    assert status_page.ticket_status(service.state, "2026-11-23", "A001")["state"] == "unknown"
    service.store.close()


def test_a_step_back_is_logged_counted_and_kept_and_issues_no_second_a001(tmp_path, caplog):
    clocks = Clocks(MIDNIGHT + 8 * 3600)
    service, published = service_at(tmp_path, clocks)
    service.tick()
    service.on_message(evt("printer-1"), key("p-1", "k1"))
    clocks.step(-(9 * 3600))                         # back into yesterday
    service.tick()
    assert service.stats["clock_step_back"] == 1 and service.state.clock_steps == 1
    assert service.state.last_clock_step["step_s"] == -9 * 3600
    assert "clock stepped back by 32400 s" in caplog.text
    service.on_message(evt("printer-1"), key("p-2", "k1"))
    ack = published["hm/testhall/dev/printer-1/ack"]
    assert ack["ok"] and ack["res"]["ticket"]["no"] == "A002"
    clocks.step(CLOCK_STEP_S / 2)                    # small corrections are no step
    service.tick()
    assert service.stats["clock_step_forward"] == 0 and service.state.clock_steps == 1
    service.store.close()


def test_a_clock_behind_the_log_at_start_is_a_step_back(tmp_path):
    clocks = Clocks(MIDNIGHT + 8 * 3600)
    service, _ = service_at(tmp_path, clocks)
    service.tick()
    service.on_message(evt("printer-1"), key("p-1", "k1"))
    service.store.close()
    clocks.step(-DAY)                                # the box booted with an old RTC time
    again, published = service_at(tmp_path, clocks)
    again.tick()
    assert again.stats["clock_step_back"] == 1 and again.state.day == "2026-11-24"
    again.on_message(evt("printer-1"), key("p-2", "k1"))
    assert published["hm/testhall/dev/printer-1/ack"]["res"]["ticket"]["no"] == "A002"
    again.store.close()
