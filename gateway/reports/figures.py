"""Report figures from the folded state: per service and per window. Pure.

Satisfaction rate = share of counted ratings that are good reviews: the hall's satisfied levels,
by default the national 好差评 scheme (with 5 levels: 3, 4 and 5). Flagged presses are shown
next to it, never inside it.
"""
from gateway.engine.state import CALLED, EXPIRED, FINISHED, SKIPPED, WAITING


def satisfied(level, hall):
    return hall.rules.satisfied(level)


def service_figures(state):
    # removed services too, under the last name they had (engine/changes.py)
    names = dict(state.service_names, **{code: svc.name for code, svc in state.hall.services.items()})
    rows = {code: {"name": name, "issued": 0, "served": 0, "no_show": 0, "serving": 0, "waiting": 0,
                   "expired": 0} for code, name in names.items()}
    status_column = {FINISHED: "served", SKIPPED: "no_show", CALLED: "serving", WAITING: "waiting",
                     EXPIRED: "expired"}
    for ticket in state.tickets.values():
        row = rows.setdefault(ticket.svc, {"name": ticket.svc, "issued": 0, "served": 0, "no_show": 0,
                                           "serving": 0, "waiting": 0, "expired": 0})
        row["issued"] += 1
        column = status_column.get(ticket.status)
        if column:
            row[column] += 1
    return rows


def window_figures(state):
    levels = state.hall.rating_levels
    every = dict(state.retired_windows)     # removed windows keep their rows
    every.update(state.windows)
    rows = {n: {"served": 0, "no_show": 0, "counted": 0, "satisfied": 0, "satisfaction": None,
                "flagged": win.flagged} for n, win in every.items()}
    for ticket in state.tickets.values():
        if ticket.window is None:
            continue
        row = rows[ticket.window]
        if ticket.status == FINISHED:
            row["served"] += 1
        elif ticket.status == SKIPPED:
            row["no_show"] += 1
        if ticket.rating is not None:
            row["counted"] += 1
            row["satisfied"] += 1 if satisfied(ticket.rating, state.hall) else 0
    for row in rows.values():
        if row["counted"]:
            row["satisfaction"] = row["satisfied"] / row["counted"]
    return rows


def flagged_by_reason(state):
    counts = {}
    for ev in state.flagged:
        counts[ev["reason"]] = counts.get(ev["reason"], 0) + 1
    return counts
