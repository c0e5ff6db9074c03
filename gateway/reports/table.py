"""Plain-text tables of the report figures, for a terminal or a printed daily check."""
from gateway.engine import cases as case_rules
from gateway.engine.workdays import CASE_WORKING_DAYS
from gateway.reports.figures import flagged_by_reason, service_figures, window_figures


def _table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, headers))
    out = [line, "  ".join("-" * w for w in widths)]
    for row in rows:
        out.append("  ".join(("%*s" if isinstance(v, (int, float)) else "%-*s") % (w, v)
                             for w, v in zip(widths, row)))
    return "\n".join(out)


def _percent(value):
    return "-" if value is None else "%.1f %%" % (100.0 * value)


def services_table(state):
    rows = [[code, f["name"], f["issued"], f["served"], f["no_show"], f["serving"], f["waiting"], f["expired"]]
            for code, f in service_figures(state).items()]
    return _table(["svc", "service", "issued", "served", "no-show", "serving", "waiting", "expired"], rows)


def windows_table(state):
    rows = [[n, f["served"], f["no_show"], f["counted"], _percent(f["satisfaction"]), f["flagged"]]
            for n, f in window_figures(state).items()]
    return _table(["window", "served", "no-show", "ratings", "satisfied", "flagged"], rows)


def cases_line(state, now=None):
    """One line on the follow-up cases: how many, how many overdue at `now`, the call-back rate."""
    cases = list(state.cases.values())
    if not cases:
        return "Follow-up cases: none (every bad review opens one, due within %d working days)" % CASE_WORKING_DAYS
    overdue = "" if now is None else ", %d overdue" % sum(1 for c in cases if case_rules.overdue(state.hall, c, now))
    called = sum(1 for c in cases if case_rules.called_back(c))
    still_open = sum(1 for c in cases if c["status"] != case_rules.RESOLVED)
    return "Follow-up cases: %d opened, %d not resolved%s, call-back rate %s (due within %d working days)" % (
        len(cases), still_open, overdue, _percent(called / len(cases)), CASE_WORKING_DAYS)


def report_text(state, now=None):
    hall = state.hall
    parts = ["%s (%s)" % (hall.name, hall.id), "", "Tickets per service", services_table(state), "",
             "Windows (satisfied = ratings at %s; flagged presses never count)"
             % hall.rules.satisfied_text(), windows_table(state)]
    reasons = flagged_by_reason(state)
    if reasons:
        parts += ["", "Flagged presses: " + ", ".join("%s %d" % kv for kv in sorted(reasons.items()))]
    parts += ["", cases_line(state, now)]
    return "\n".join(parts) + "\n"
