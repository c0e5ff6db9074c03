"""The report as an Excel workbook (openpyxl), for administrators who live in spreadsheets:
real numbers (shares formatted as percentages, minutes with one decimal) under the hall's
column names, a bold total row, frozen headings, and the cases on a sheet of their own."""
from openpyxl import Workbook
from openpyxl.styles import Font

from gateway.reports.period import local_day
from gateway.reports.render import CASE_FIELDS, case_rows, cases_total, level_text
from gateway.reports.table import width
from gateway.reports.words import column_name, period_label, say, words

FIGURE_COLUMNS = ["issued", "served", "no_show", "transferred", "wait_median", "wait_p90", "service_median",
                  "service_p90", "on_time", "counted", "satisfaction", "sat_low", "sat_high", "response", "misuse",
                  "in_range", "cases_open", "cases_called_back", "cases_resolved"]
PERCENT = {"on_time", "satisfaction", "sat_low", "sat_high", "response", "in_range"}
MINUTES = {"wait_median", "wait_p90", "service_median", "service_p90"}
BOLD = Font(bold=True)


def _heading(sheet, title, headers):
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = BOLD
    sheet.freeze_panes = "B4"


def _figure_row(sheet, key, f, bold=False):
    sheet.append([key] + [f[c] for c in FIGURE_COLUMNS])
    for column, cell in zip(FIGURE_COLUMNS, sheet[sheet.max_row][1:]):
        if column in PERCENT:
            cell.number_format = "0.0%"
        elif column in MINUTES:
            cell.number_format = "0.0"
    if bold:
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD


def _fit_columns(sheet):
    """Column widths from the headings and cells below row 2 (the title may run wide)."""
    for column in sheet.columns:
        longest = max([width(c.value) for c in column[2:] if c.value is not None] or [8])
        sheet.column_dimensions[column[0].column_letter].width = min(40, longest + 2)


def figures_sheet(sheet, hall, period, by, rows, total):
    sheet.title = say(hall, "sheet_figures")
    title = say(hall, "heading", hall=hall.name, id=hall.id, period=period_label(hall, period), by=words(hall)["by"][by])
    _heading(sheet, title, [words(hall)["by"][by]] + [column_name(hall, c) for c in FIGURE_COLUMNS])
    for key, f in rows:
        _figure_row(sheet, key, f)
    if total is not None and by != "hall":
        _figure_row(sheet, say(hall, "total"), total, bold=True)
    _fit_columns(sheet)


def cases_sheet(sheet, hall, cases, now, period):
    sheet.title = say(hall, "sheet_cases")
    w = words(hall)
    title = say(hall, "cases_heading", hall=hall.name, id=hall.id, period=period_label(hall, period),
                today=local_day(hall, now).isoformat())
    _heading(sheet, title, [w["case_columns"][f] for f in CASE_FIELDS])
    rows = case_rows(hall, cases, now)
    for r in rows:
        sheet.append([r["case"], r["opened"], r["deadline"], w["overdue_mark"] if r["overdue"] else "",
                      w["case_status"][r["status"]], r["ticket"], r["svc"], r["window"], r["staff"],
                      level_text(hall, r), r["reason"] or w["no_reason"], r["note"]])
    sheet.append([])
    sheet.append([cases_total(hall, rows)])
    sheet[sheet.max_row][0].font = BOLD
    _fit_columns(sheet)


def awards_sheet(sheet, hall, text):
    sheet.title = say(hall, "sheet_awards")
    for line in text.splitlines():
        sheet.append([line])
    sheet.column_dimensions["A"].width = 100


def figures_workbook(path, hall, period, by, rows, total, awards_text=None, cases=None, now=None):
    book = Workbook()
    figures_sheet(book.active, hall, period, by, rows, total)
    if awards_text:
        awards_sheet(book.create_sheet(), hall, awards_text)
    if cases is not None:
        cases_sheet(book.create_sheet(), hall, cases, now, period)
    book.save(path)


def cases_workbook(path, hall, cases, now, period):
    book = Workbook()
    cases_sheet(book.active, hall, cases, now, period)
    book.save(path)
