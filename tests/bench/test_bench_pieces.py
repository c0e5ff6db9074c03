"""The benchmark suite's pieces run at tiny sizes. No timing is asserted: timings are for
`make bench`; this only checks that each piece produces the rows it should."""
import json

from bench import runner
from bench.context import HALL_FILE, Context
from bench.history import make_year, working_days, write_year
from bench.reports_bench import plain_pass, _quarter_of
from bench.stats import percentile, row, unavailable
from gateway import config
from gateway.engine.core import fold
from gateway.store import open_store


def test_percentile_is_nearest_rank():
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile([1, 2, 3, 4], 100) == 4
    assert percentile([7], 99) == 7


def test_a_row_has_a_ratio_only_beside_a_baseline():
    assert row("x", 2.0, "s", baseline=4.0)["ratio"] == 0.5
    assert row("x", 2.0, "s")["ratio"] is None
    gone = unavailable("y", "no simulator")
    assert gone["value"] is None and gone["note"] == "not available: no simulator"


def test_working_days_skip_sundays():
    days = working_days(14)
    assert len(days) == 14
    assert all(day.weekday() != 6 for day in days)


def test_the_synthetic_history_is_reproducible_and_folds(tmp_path):
    hall = config.load(HALL_FILE)
    first = [events for _, events in make_year(hall, 2, seed=3)]
    again = [events for _, events in make_year(hall, 2, seed=3)]
    assert first == again
    summary = write_year(HALL_FILE, str(tmp_path / "y.db"), days=2, seed=3)
    with open_store(str(tmp_path / "y.db")) as store:
        events = store.load_events()
    assert len(events) == summary["events"] == sum(len(e) for e in first)
    state = fold(hall, events)
    kinds = {ev["type"] for ev in events}
    assert {"ticket_issued", "ticket_called", "ticket_finished", "rating_counted", "day_started"} <= kinds
    assert summary["tickets"] > 200
    last_day = [ev for ev in first[-1] if ev["type"] == "ticket_issued"]
    assert len(state.tickets) == len(last_day) > 100, "the state keeps the current day only"
    served, rated = plain_pass(hall, events, _quarter_of(hall))
    assert sum(n for (q, key), n in served.items() if isinstance(key, int)) == \
        sum(1 for ev in events if ev["type"] == "ticket_finished")


def test_the_runner_writes_a_table_and_results(tmp_path):
    ctx = Context(quick=True, workdir=str(tmp_path))

    def fine(ctx):
        return [row("fine figure", 3.0, "ms", baseline=1.5, baseline_name="floor", limit="the wire")]

    def broken(ctx):
        raise RuntimeError("boom")

    rows, durations = runner.run_all([("fine", fine), ("broken", broken)], ctx, echo=lambda *a: None)
    ctx.close()
    text = runner.table(rows)
    assert "| fine figure" in text and "2.00x" in text
    assert "not available: failed: RuntimeError: boom" in text
    out = str(tmp_path / "results.json")
    runner.write_results(out, rows, durations, {"quick": True}, 0.1)
    with open(out) as f:
        doc = json.load(f)
    assert doc["machine"]["cpu_count"] >= 1 and doc["machine"]["python"]
    assert [r["bench"] for r in doc["rows"]] == ["fine", "broken"]


def test_quick_floor_run_prints_the_table_and_writes_results(tmp_path, capsys):
    from bench.__main__ import main
    out = str(tmp_path / "results.json")
    assert main(["--quick", "--only", "floor", "--out", out]) == 0
    printed = capsys.readouterr().out
    assert "broker round trip, median (floor)" in printed
    with open(out) as f:
        doc = json.load(f)
    assert doc["args"]["quick"] is True
    assert [r["figure"] for r in doc["rows"]] == ["broker round trip, median (floor)", "broker round trip, p99 (floor)"]
    assert all(r["value"] > 0 for r in doc["rows"])


def test_an_unknown_benchmark_name_is_refused(tmp_path):
    import pytest
    from bench.__main__ import main
    with pytest.raises(SystemExit) as exc:
        main(["--quick", "--only", "nosuch", "--out", str(tmp_path / "r.json")])
    assert "unknown benchmark 'nosuch'" in str(exc.value)


def test_the_scale_hall_file_loads_with_every_device():
    from bench.hall_bench import hall_toml
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "h.toml")
        with open(path, "w") as f:
            f.write(hall_toml(5))
        hall = config.load(path)
    assert len(hall.windows) == 5
    assert len(hall.devices) == 2 * 5 + 2
