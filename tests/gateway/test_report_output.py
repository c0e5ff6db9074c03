"""Reports say what they did: a flag that does not apply is refused, never ignored; headings
name the period; tables end in a total row; the cases list has its dates, deadline and
overdue mark; charts come as SVG and PNG with their titles, labels and target; Excel opens."""
import csv
import datetime
import io
import pathlib
import shutil
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook
from PIL import Image

from gateway import cli
from gateway.reports import charts, records
from gateway.reports.period import around
from gateway.reports.periodic import report_rows
from gateway.store import open_store
from tests.gateway.synthetic_month import replay_month
from tests.gateway.test_reports import _toml, month_hall_dict

SVG = "{http://www.w3.org/2000/svg}"
ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "build" / "artifacts"


@pytest.fixture(scope="module")
def month():
    return replay_month()


@pytest.fixture(scope="module")
def files(month, tmp_path_factory):
    base = tmp_path_factory.mktemp("office")
    db = base / "hall.db"
    with open_store(db) as store:
        store.append(month.log)
    hall_file = base / "hall.toml"
    hall_file.write_text(_toml(month_hall_dict()), encoding="utf-8")
    return ["--hall", str(hall_file), "--db", str(db)]


def report(files, capsys, *args):
    code = cli.main(["report", *args, *files])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("args, complaint", [
    (["--period", "month", "--from", "2026-11-02"], "--period and --from/--to both"),
    (["--date", "2026-11-10"], "--date picks the day whose --period"),
    (["--to", "2026-11-10"], "--to needs --from"),
    (["cases", "--by", "staff"], "--by is for figures"),
    (["cases", "--chart", "x"], "--chart is for figures"),
    (["cases", "--awards"], "--awards is for figures"),
    (["--awards", "--format", "csv"], "--awards is a ranking"),
    (["--format", "xlsx"], "add --out FILE.xlsx"),
    (["--format", "xlsx", "--out", "report.csv"], "must end in .xlsx"),
    (["--target", "98"], "--target is the line on the charts"),
])
def test_a_flag_that_does_not_apply_is_refused(files, capsys, args, complaint):
    code, out, err = report(files, capsys, *args)
    assert code == 2 and complaint in err and out == ""


def test_a_month_asked_by_range_reports_the_range_it_names(files, capsys):
    code, out, _ = report(files, capsys, "--from", "2026-11-02", "--to", "2026-11-30", "--by", "hall")
    assert code == 0 and "2026-11-02 to 2026-11-30, by hall" in out


def test_the_figures_table_ends_in_the_halls_total(month, files, capsys):
    code, out, _ = report(files, capsys, "--period", "month", "--date", "2026-11-10")
    lines = out.splitlines()
    total = next(line for line in lines if line.startswith("total"))
    hall_total = report_rows(records.read(month.log), month.hall, around(month.hall, "month", datetime.date(2026, 11, 10)),
                             "hall")[0][1]
    assert total.split()[1:3] == [str(hall_total["issued"]), str(hall_total["served"])]
    assert lines[lines.index(total) - 1].startswith("----"), "a rule above the total"


def test_the_ranking_names_its_period(files, capsys):
    code, out, _ = report(files, capsys, "--awards", "--period", "month", "--date", "2026-11-10")
    assert code == 0 and "Ranking for 2026-11: red-flag window and service star" in out
    code, out, _ = report(files, capsys, "--awards")
    assert "Ranking for 2026-Q4" in out


def test_the_cases_list_has_dates_deadline_and_overdue_and_follows_the_period(month, files, capsys):
    code, out, _ = report(files, capsys, "cases", "--period", "month", "--date", "2026-11-10")
    assert code == 0
    lines = out.splitlines()
    assert "follow-up cases opened in 2026-11" in lines[0]
    header = lines[2].split()
    assert header[:4] == ["case", "opened", "deadline", "overdue"] and "window" in header and "staff" in header
    first = lines[4].split()
    opened, deadline = datetime.date.fromisoformat(first[1]), datetime.date.fromisoformat(first[2])
    assert 15 <= (deadline - opened).days <= 15 + 2 * 3 + 2, "15 working days, weekends not counted"
    assert "OVERDUE" in out, "cases of November 2026 still open are overdue by now"
    assert lines[-1].startswith("total: ") and "overdue" in lines[-1]
    opened_in_nov = sum(1 for ev in month.log if ev["type"] == "case_opened")
    assert "total: %d case(s)" % opened_in_nov in lines[-1]
    code, out, _ = report(files, capsys, "cases", "--from", "2026-11-02")
    assert "total: %d case(s)" % sum(1 for line in out.splitlines()[4:-2] if line.strip()) in out


def test_cases_as_csv(files, capsys):
    code, out, _ = report(files, capsys, "cases", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and set(rows[0]) >= {"case", "opened", "deadline", "overdue", "window", "staff"}
    assert {r["overdue"] for r in rows} <= {"yes", "no"}


def test_excel_export_has_figures_total_and_cases(files, tmp_path, capsys):
    path = tmp_path / "month.xlsx"
    code, _, err = report(files, capsys, "--period", "month", "--date", "2026-11-10", "--format", "xlsx",
                          "--out", str(path), "--awards")
    assert code == 0 and str(path) in err
    book = load_workbook(path)
    assert book.sheetnames == ["figures", "awards", "cases"]
    sheet = book["figures"]
    assert "2026-11" in sheet["A1"].value
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == list(range(1, 9)) + ["total"]
    assert rows[-1][2] == sum(r[2] for r in rows[:-1]), "served adds up"
    assert isinstance(rows[0][11], float) and sheet.cell(4, 12).number_format == "0.0%"
    assert "Ranking for 2026-11" in book["awards"]["A1"].value


def chart_texts(path):
    return [el.text for el in ET.parse(path).getroot().iter(SVG + "text") if el.text]


def test_charts_as_svg_and_png_with_titles_labels_and_target(files, tmp_path, capsys):
    folder = ARTIFACTS / "charts-en"          # kept for a look: build/artifacts/charts-en/*.png
    shutil.rmtree(folder, ignore_errors=True)
    code, _, err = report(files, capsys, "--period", "month", "--date", "2026-11-10", "--chart", str(folder),
                          "--target", "98")
    assert code == 0
    for name in ("satisfaction_by_window", "waiting_by_hour"):
        assert str(folder / (name + ".svg")) in err and str(folder / (name + ".png")) in err
        with Image.open(folder / (name + ".png")) as png:
            assert png.size[0] >= 800 and png.getextrema()[0][0] < 100, "a real picture, not a blank"
    texts = chart_texts(folder / "satisfaction_by_window.svg")
    joined = " ".join(texts)
    assert "Riverside Service Centre · Satisfaction by window · 2026-11" in texts
    assert "window" in texts and any(t.startswith("satisfied (%)") for t in texts)
    assert "target 98 %" in texts
    assert "82.8" in texts and "98.5" in texts, "value labels (window 6 and 1 of the month)"
    assert "0" not in [t.strip() for t in texts], "the scale does not start at 0: %s" % joined


def test_the_scale_shows_differences_of_a_few_points():
    low, high = charts.satisfaction_scale([93.0, 94.5, 95.2, 97.0], 98.0)
    assert 90 <= low <= 93 and 98 < high <= 100
    low, high = charts.satisfaction_scale([76.0, 96.0], 95.0)
    assert low <= 76 and high <= 100
