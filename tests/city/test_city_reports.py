"""City figures from PostgreSQL equal each hall's own report for that hall; the district
ranking prints the awards rule; the rating export holds every counted rating."""
import csv
import io
import json

import psycopg
import pytest

from gateway.city.export import export_ratings, CSV_COLUMNS
from gateway.city.reports import city_figures, ranking_text
from gateway.city.replicate import Replicator
from gateway.reports import periodic, records
from gateway.reports.period import around
from gateway.store import open_store
from tests.gateway.synthetic_month import replay_month

COMPARED = ("served", "no_show", "on_time", "counted", "satisfaction", "sat_low", "sat_high", "response",
            "misuse", "cases_overdue")
HALLS = {"north": 7, "south": 11}      # hall id -> the seed of its synthetic month


@pytest.fixture(scope="module")
def city(tmp_path_factory, postgres):
    months = {}
    for hall_id, seed in HALLS.items():
        month = replay_month(seed=seed, workdays=5)
        db = tmp_path_factory.mktemp(hall_id) / "hall.db"
        with open_store(str(db)) as store:
            store.write_meta("hall_id", hall_id)
            for event in month.log:
                store.append([event])
        shipper = Replicator(db, postgres.dsn).start()
        try:
            assert shipper.wait_for(len(month.log), 120)
        finally:
            shipper.stop()
        months[hall_id] = month
    return months


def test_city_figures_equal_each_halls_own_report(city, postgres):
    hall = next(iter(city.values())).hall
    first_at = min(ev["at"] for ev in next(iter(city.values())).log)
    from gateway.reports.period import local_day
    period = around(hall, "quarter", local_day(hall, first_at))
    now = period.end + 40 * 86400           # late enough that some open cases are overdue
    with psycopg.connect(postgres.dsn) as conn:
        figures = city_figures(conn, hall, [period], now=now)
    overdue_seen = 0
    for hall_id, month in city.items():
        log = records.read(month.log)
        for by in ("window", "staff"):
            own = dict(periodic.report_rows(log, month.hall, period, by, now=now))
            own.pop("-", None)
            theirs = {who: f for (label, kind, h, who), f in figures.items()
                      if label == period.label and kind == by and h == hall_id and who != "-"}
            assert set(theirs) == set(own), (hall_id, by)
            for who, f in own.items():
                assert {k: theirs[who][k] for k in COMPARED} == pytest.approx({k: f[k] for k in COMPARED}), \
                    (hall_id, by, who)
                assert theirs[who]["cases"] == f["cases_open"] + f["cases_called_back"] + f["cases_resolved"]
                overdue_seen += f["cases_overdue"]
            assert sum(f["served"] for f in own.values()) > 100
    assert overdue_seen > 0

    text = ranking_text(hall, [period], figures)
    assert "rule" in text.lower() or "规则" in text
    assert "north #" in text and "south #" in text


def test_rating_export_has_every_counted_rating(city, postgres):
    with psycopg.connect(postgres.dsn) as conn:
        rows = export_ratings(conn, 0, 4e9)
    for hall_id, month in city.items():
        expected = sorted((ev["tid"], ev["level"]) for ev in month.log if ev["type"] == "rating_counted")
        got = sorted((r["tid"], r["level"]) for r in rows if r["hall"] == hall_id)
        assert got == expected and expected
    sample = next(r for r in rows if r["window"] is not None)
    assert set(CSV_COLUMNS) <= set(sample)
    assert sample["ticket"] and sample["service"] and sample["rated_at"].endswith("Z")
    from gateway.city.export import to_csv, to_json
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert len(parsed) == len(rows) and list(parsed[0]) == list(CSV_COLUMNS)
    assert json.loads(to_json(rows))["ratings"][0]["hall"] == rows[0]["hall"]


def test_the_city_commands_print_the_ranking_and_the_export(city, postgres):
    import subprocess
    import sys
    from tests.gateway.synthetic_month import EXAMPLE
    root = str(EXAMPLE.parents[1])
    year = "2026"                          # the synthetic months are in November 2026

    def hallmesh(*args):
        done = subprocess.run([sys.executable, "-m", "gateway", "city", *args, "--hall", str(EXAMPLE),
                               "--dsn", postgres.dsn], cwd=root, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    ranking = hallmesh("ranking", "--year", year)
    assert ranking.count("north #") >= 8 and "south #" in ranking and "Wilson" in ranking
    exported = hallmesh("export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv")
    counted = sum(ev["type"] == "rating_counted" for month in city.values() for ev in month.log)
    assert exported.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert len(exported.splitlines()) == counted + 1
    refused = subprocess.run([sys.executable, "-m", "gateway", "city", "ranking", "--year", year, "--hall",
                              str(EXAMPLE), "--dsn", "host=/nonexistent-dir user=x"], cwd=root,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "city's database" in refused.stderr and "Traceback" not in refused.stderr
