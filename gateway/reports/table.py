"""Plain-text tables of the report figures, for a terminal or a printed daily check. Columns
are aligned by display width (East Asian Width, via wcwidth): a Chinese character takes two
terminal columns, so 户籍办理 is as wide as "Residence" less one, not four."""
from wcwidth import wcswidth

from gateway.engine import cases as case_rules
from gateway.engine.workdays import CASE_WORKING_DAYS
from gateway.reports.figures import flagged_by_reason, service_figures, window_figures
from gateway.reports.words import say, words


def width(text):
    """Terminal columns of `text` (a control character counts as one, never as -1)."""
    text = str(text)
    columns = wcswidth(text)
    return columns if columns >= 0 else len(text)


def _pad(value, columns, right):
    text = str(value)
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def _table(headers, rows, total=None):
    """Numbers right-aligned, text left; `total` (a row) under a rule of its own."""
    every = list(rows) + ([total] if total else [])
    widths = [max([width(h)] + [width(r[i]) for r in every]) for i, h in enumerate(headers)]

    def line(row):
        return "  ".join(_pad(v, w, isinstance(v, (int, float))) for w, v in zip(widths, row)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [line(headers), rule] + [line(row) for row in rows]
    if total:
        out += [rule, line(total)]
    return "\n".join(out)


def _percent(value):
    return "-" if value is None else "%.1f %%" % (100.0 * value)


def services_table(state):
    cols = words(state.hall)["state_columns"]
    figures = service_figures(state)
    rows = [[code, f["name"], f["issued"], f["served"], f["no_show"], f["serving"], f["waiting"], f["expired"]]
            for code, f in figures.items()]
    total = [say(state.hall, "total"), ""] + [sum(r[i] for r in rows) for i in range(2, 8)]
    return _table([cols[k] for k in ("svc", "service", "issued", "served", "no_show", "serving", "waiting",
                                     "expired")], rows, total)


def windows_table(state):
    cols = words(state.hall)["state_columns"]
    figures = window_figures(state)
    rows = [[n, f["served"], f["no_show"], f["counted"], _percent(f["satisfaction"]), f["flagged"]]
            for n, f in figures.items()]
    counted = sum(f["counted"] for f in figures.values())
    satisfied = sum(f["satisfied"] for f in figures.values())
    total = [say(state.hall, "total"), sum(r[1] for r in rows), sum(r[2] for r in rows), counted,
             _percent(satisfied / counted if counted else None), sum(r[5] for r in rows)]
    return _table([cols[k] for k in ("window", "served", "no_show", "ratings", "satisfied", "flagged")],
                  rows, total)


def satisfied_levels(hall):
    """Which levels count as satisfied, in the hall's rating labels: '满意, 非常满意'."""
    return ", ".join(label for n, label in enumerate(hall.rules.rating_labels, 1) if hall.rules.satisfied(n))


def cases_line(state, now):
    """The follow-up cases in one line: opened, not resolved, overdue at `now`, call-back rate."""
    cases = list(state.cases.values())
    called = sum(1 for c in cases if case_rules.called_back(c))
    return say(state.hall, "state_cases", n=len(cases),
               unresolved=sum(1 for c in cases if c["status"] != case_rules.RESOLVED),
               overdue=sum(1 for c in cases if case_rules.overdue(state.hall, c, now)),
               callback=_percent(called / len(cases)) if cases else "-", days=CASE_WORKING_DAYS)


def report_text(state, now=None):
    """`now`: when the report is read (for overdue cases); default the latest event's time."""
    hall = state.hall
    parts = ["%s (%s)" % (hall.name, hall.id), "", say(hall, "state_services"), services_table(state), "",
             say(hall, "state_windows", levels=satisfied_levels(hall)), windows_table(state)]
    reasons = flagged_by_reason(state)
    if reasons:
        names = words(hall)["flag_reasons"]
        parts += ["", say(hall, "flagged", counts=", ".join("%s %d" % (names.get(k, k), n)
                                                             for k, n in sorted(reasons.items())))]
    parts += ["", cases_line(state, _latest(state) if now is None else now)]
    return "\n".join(parts) + "\n"


def _latest(state):
    times = [c["opened_at"] for c in state.cases.values()] + [t.issued_at for t in state.tickets.values()]
    return max(times) if times else 0
