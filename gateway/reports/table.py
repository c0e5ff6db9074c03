"""Plain-text tables of the report figures, for a terminal or a printed daily check."""
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


def report_text(state):
    hall = state.hall
    parts = ["%s (%s)" % (hall.name, hall.id), "", "Tickets per service", services_table(state), "",
             "Windows (satisfied = ratings in the top two of %d levels; flagged presses never count)"
             % hall.rating_levels, windows_table(state)]
    reasons = flagged_by_reason(state)
    if reasons:
        parts += ["", "Flagged presses: " + ", ".join("%s %d" % kv for kv in sorted(reasons.items()))]
    return "\n".join(parts) + "\n"
