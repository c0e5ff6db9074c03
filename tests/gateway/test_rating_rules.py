"""Issue 10's rating rules: arrival time judges the timeout, a reason question ends at the next
call, the pad's keys mean one thing at a time, satisfied levels per hall, cases with deadlines
in the hall's working days, overdue cases and the call-back rate in reports."""
import copy
import datetime

import pytest
from hypothesis import given, settings, strategies as st

from gateway import config, views
from gateway.engine import Refused, commands as c, execute, new_state
from gateway.engine import cases, workdays
from gateway.engine.ratings import ARRIVAL_ALLOWANCE_S
from gateway.reports import records, render
from gateway.reports.period import everything
from gateway.reports.periodic import report_rows
from gateway.reports.table import report_text
from tests.gateway.hall_fixture import T0, hall_dict
from tests.gateway.rules_fixture import hall_with, play

HALL = hall_with()
TWO_SERVED_A001_LOW = [(0, c.issue("A", "printer-1")), (0, c.issue("A", "printer-1")),
                       (1, c.call(1)), (2, c.finish(1)), (5, c.rate(1, 2, "A001", T0 + 5))]


def _hall(hall=None, calendar=None):
    data = copy.deepcopy(hall_dict())
    data["hall"].update(hall or {})
    if calendar is not None:
        data["calendar"] = calendar
    return config.parse(data, "ratings-test.toml")


# --- the rating window: the gateway's clock at arrival ----------------------------------

def test_a_late_press_with_an_early_claimed_time_is_not_counted():
    state, _ = play(HALL, TWO_SERVED_A001_LOW[:4])
    late = T0 + 2 + HALL.rating_timeout_s + ARRIVAL_ALLOWANCE_S + 1
    events = execute(state, c.rate(1, 5, "A001", T0 + 3), late)
    assert [(e["type"], e["reason"]) for e in events] == [("rating_flagged", "timed_out")]
    assert state.tickets[1].rating is None


def test_a_press_within_the_allowance_counts_whatever_time_it_claims():
    state, _ = play(HALL, TWO_SERVED_A001_LOW[:4])
    arrival = T0 + 2 + HALL.rating_timeout_s + ARRIVAL_ALLOWANCE_S
    events = execute(state, c.rate(1, 5, "A001", T0 + 10 ** 6), arrival)
    assert events[0]["type"] == "rating_counted" and events[0]["at"] == arrival


# --- the reason question ends at the next call ------------------------------------------

def test_the_next_call_ends_the_reason_question_and_the_next_citizen_rates():
    state, _ = play(HALL, TWO_SERVED_A001_LOW)
    assert views.pad_view(state, 1, T0 + 6)["reasons"]
    called = execute(state, c.call(1), T0 + 10)
    assert [e["type"] for e in called] == [cases.REASON_ENDED, "ticket_called"]
    assert called[0]["case"] == 1 and called[0]["why"] == cases.NEXT_CALLED
    assert "reasons" not in views.pad_view(state, 1, T0 + 11)
    with pytest.raises(Refused, match="asks for a reason"):
        execute(state, c.reason(1, 1), T0 + 12)
    execute(state, c.finish(1), T0 + 20)      # A002, inside the old 60 s reason prompt
    view = views.pad_view(state, 1, T0 + 21)
    assert view["rate"] == "A002" and "reasons" not in view
    counted = execute(state, c.rate(1, 4, "A002", T0 + 22), T0 + 22)
    assert counted[0]["type"] == "rating_counted" and counted[0]["no"] == "A002"
    assert state.tickets[2].rating == 4
    assert state.cases[1]["status"] == cases.OPEN and state.cases[1]["reason"] == ""


def test_a_case_left_without_a_reason_says_so_in_the_cases_list():
    state, results = play(HALL, TWO_SERVED_A001_LOW + [(10, c.call(1))])
    log = records.read([e for r in results for e in r])
    text = render.cases_table(HALL, list(log.cases.values()), T0 + 60, everything())
    assert cases.NO_REASON in text.splitlines()[4]


def test_a_call_without_a_pending_question_adds_nothing():
    state, _ = play(HALL, TWO_SERVED_A001_LOW + [(8, c.reason(1, 2))])
    assert [e["type"] for e in execute(state, c.call(1), T0 + 10)] == ["ticket_called"]
    assert state.cases[1]["reason"] == "staff attitude"


def test_the_transfer_choice_waits_while_the_keys_ask_a_rating():
    state, _ = play(HALL, [(0, c.issue("A", "printer-1")), (0, c.issue("A", "printer-1")),
                           (1, c.call(1)), (2, c.finish(1)), (3, c.call(1))])
    view = views.pad_view(state, 1, T0 + 4)
    assert view["rate"] == "A001" and view["serving"] == "A002" and "to" not in view
    later = views.pad_view(state, 1, T0 + 2 + HALL.rating_timeout_s + 1)
    assert later["rate"] == "" and later["to"] == ["B", "C"]


# the pad's firmware in one line: the view decides what a rating key sends
def pad_press(view, key_level):
    if view["rate"]:
        return c.rate(view["win"], key_level, view["rate"], 0)
    if view.get("reasons"):
        return c.reason(view["win"], key_level)
    return c.rate(view["win"], key_level, "", 0)


STEP = st.one_of(
    st.tuples(st.just("issue"), st.integers(0, 5)),
    st.tuples(st.just("call"), st.integers(0, 5)),
    st.tuples(st.just("finish"), st.integers(0, 15)),
    st.tuples(st.just("press"), st.integers(1, 5)),
    st.tuples(st.just("press"), st.integers(1, 2)),      # bad reviews, often
    st.tuples(st.just("wait"), st.sampled_from([1, 5, 20, 45, 90])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(STEP, min_size=5, max_size=40))
def test_the_pads_keys_mean_one_thing_and_a_reason_is_the_raters_own(steps):
    state, now, asked_by = new_state(HALL), T0, {}
    for kind, n in steps:
        now += n if kind in ("wait", "finish") else 1
        view = views.pad_view(state, 1, now)
        offered = [name for name in ("reasons", "to") if view.get(name)] + (["rate"] if view["rate"] else [])
        assert len(offered) <= 1, view
        cmd = {"issue": c.issue("A", "printer-1"), "call": c.call(1), "finish": c.finish(1),
               "wait": None}.get(kind) if kind != "press" else pad_press(view, n)
        if cmd is None:
            continue
        if cmd["type"] == "rate":
            cmd["pressed_at"] = now - 500       # an early claimed time never matters
        try:
            events = execute(state, cmd, now)
        except Refused:
            continue
        for ev in events:
            if ev["type"] == "case_opened":
                asked_by[ev["case"]] = state.windows[1].calls     # the call the rater was served in
            if ev["type"] == "case_reason":
                assert asked_by[ev["case"]] == state.windows[1].calls, "a reason given after the next call"
            if ev["type"] == "rating_counted":
                assert now <= state.tickets[ev["tid"]].finished_at + HALL.rating_timeout_s + ARRIVAL_ALLOWANCE_S


# --- satisfied levels ------------------------------------------------------------------

def test_the_national_scheme_by_default_level_3_is_satisfied():
    assert [HALL.rules.satisfied(level) for level in range(1, 6)] == [False, False, True, True, True]
    state, results = play(HALL, TWO_SERVED_A001_LOW[:4] + [(5, c.rate(1, 3, "A001", T0 + 5))])
    assert [e["type"] for e in results[-1]] == ["rating_counted"]       # no case
    assert "satisfied = ratings at 基本满意, 满意, 非常满意" in report_text(state)
    assert " 100.0 %" in report_text(state).split("Windows")[1].splitlines()[3]


def test_a_hall_may_count_only_the_top_two_as_satisfied():
    hall = _hall({"satisfied_from": 4})
    assert hall.rules.low_levels == 3 and not hall.rules.satisfied(3)
    _, results = play(hall, TWO_SERVED_A001_LOW[:4] + [(5, c.rate(1, 3, "A001", T0 + 5))])
    assert [e["type"] for e in results[-1]] == ["rating_counted", "case_opened"]
    (key, row), = report_rows(records.read([e for r in results for e in r]), hall, everything(), "hall")
    assert row["satisfaction"] == 0.0 and row["cases_open"] == 1


@pytest.mark.parametrize("fields,message", [
    ({"satisfied_from": 0}, "satisfied_from must be a level 1-5"),
    ({"satisfied_from": 6}, "satisfied_from must be a level 1-5"),
    ({"satisfied_from": 3, "low_levels": 1}, "disagree"),
    ({"satisfied_from": "3"}, "must be int"),
])
def test_bad_satisfied_levels_are_named(fields, message):
    with pytest.raises(config.ConfigError, match=message):
        _hall(fields)


# --- working days and deadlines -------------------------------------------------------

def test_fifteen_working_days_skip_weekends():
    # opened Monday 2026-11-23: three weeks of weekdays later, Monday 2026-12-14
    assert workdays.case_deadline(None, "2026-11-23") == datetime.date(2026, 12, 14)


def test_holidays_and_make_up_working_days_move_the_deadline():
    # National Day 2026 as a hall would list it: 1-7 October off, Sunday 27 September and
    # Saturday 10 October worked instead
    cal = {"holidays": ["2026-10-0%d" % d for d in range(1, 8)], "workdays": ["2026-09-27", "2026-10-10"]}
    hall = _hall(calendar=cal)
    opened = datetime.datetime(2026, 9, 25, 2, tzinfo=datetime.timezone.utc).timestamp()   # Fri 10:00
    # counted: 27 (Sun, worked), 28, 29, 30 Sep; 8, 9, 10 (Sat, worked), 12-16, 19, 20, 21 Oct
    assert cases.deadline(hall, {"opened_at": opened}) == datetime.date(2026, 10, 21)
    assert workdays.case_deadline(None, "2026-09-25") == datetime.date(2026, 10, 16)


@pytest.mark.parametrize("calendar,message", [
    ({"holidays": ["2026-13-01"]}, "holidays: '2026-13-01' is not a date"),
    ({"workdays": [20261010]}, "workdays: 20261010 is not a date"),
    ({"holidays": ["2026-10-10"], "workdays": ["2026-10-10"]}, "both as a holiday and as a working day"),
    ({"holiday": []}, "unknown field 'holiday'"),
])
def test_bad_calendars_are_named(calendar, message):
    with pytest.raises(config.ConfigError, match=r"\[calendar\]"):
        _hall(calendar=calendar)
    with pytest.raises(config.ConfigError, match=message):
        _hall(calendar=calendar)


def test_overdue_cases_and_the_call_back_rate_in_reports():
    script = [(0, c.issue("A", "printer-1")), (0, c.issue("A", "printer-1")), (0, c.issue("A", "printer-1")),
              (1, c.call(1)), (2, c.finish(1)), (3, c.rate(1, 1, "A001", T0 + 3)),
              (4, c.call(1)), (5, c.finish(1)), (6, c.rate(1, 2, "A002", T0 + 6)),
              (7, c.call(1)), (8, c.finish(1)), (9, c.rate(1, 5, "A003", T0 + 9)),
              (100, c.case_update(1, "called_back", "phoned")), (200, c.case_update(1, "resolved"))]
    state, results = play(HALL, script)
    log = records.read([e for r in results for e in r])
    deadline = cases.deadline(HALL, state.cases[2])
    assert deadline == datetime.date(2026, 12, 14)
    last_day = datetime.datetime(2026, 12, 14, 15, tzinfo=datetime.timezone.utc).timestamp()   # 23:00 local
    next_day = last_day + 3600
    (_, on_time), = report_rows(log, HALL, everything(), "hall", now=last_day)
    (_, late), = report_rows(log, HALL, everything(), "hall", now=next_day)
    assert (on_time["cases_overdue"], late["cases_overdue"]) == (0, 1)     # case 1 is resolved
    assert late["callback_rate"] == 0.5
    table = render.cases_table(HALL, sorted(log.cases.values(), key=lambda x: x["case"]), next_day, everything())
    rows = table.splitlines()
    assert rows[4].split()[:4] == ["1", "2026-11-23", "2026-12-14", "resolved"]
    assert rows[5].split()[:5] == ["2", "2026-11-23", "2026-12-14", "OVERDUE", "open"]
    assert rows[-1].startswith("total: 2 case(s)") and "1 overdue" in rows[-1]
    assert rows[-1].endswith("call-back rate 50.0%")
    summary = report_text(state, next_day).splitlines()[-1]
    assert "1 overdue" in summary and "call-back rate 50.0 %" in summary
