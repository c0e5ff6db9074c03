"""The invariant check every simulated run ends with. A run fails when one is broken.

  tickets     every press became exactly one ticket; numbers never repeat within a day;
              every issued ticket was printed once on paper or its failed print was reported
              (paper out), and nothing came out of a printer that the gateway did not issue
  ratings     every rating is counted at most once; a citizen who saw "Thank you" has their
              level counted for their own ticket at the window that served them
  displays    within `bound_s` after the last repair, every display and pad shows the
              gateway's state (its current call, the hall's latest calls)
  outboxes    every device's outbox is empty: nothing accepted is left unsent
  firmware    no device's firmware crashed
Each check returns (name, ok, detail lines).
"""
import collections
import time

from gateway.engine import fold
from gateway.views import hall_rows


def _ticket_no(ticket):
    line = ticket.largest()
    return line.text.strip() if line is not None else ""


def check_tickets(events, devices, presses):
    issued = [(e["day"], e["no"]) for e in events if e["type"] == "ticket_issued"]
    detail = []
    twice = [k for k, n in collections.Counter(issued).items() if n > 1]
    if twice:
        detail.append("issued twice: %s" % twice[:10])
    if presses is not None and presses != len(issued):
        # presses: the key events the printers' firmware made that the gateway answered with
        # a ticket (sim/device.py keeps the ledger); each is exactly one issued ticket
        detail.append("%d presses answered with a ticket but %d tickets issued" % (presses, len(issued)))
    reports = collections.defaultdict(list)
    for e in events:
        if e["type"] == "ticket_printed":
            reports[e["no"]].append(e["ok"])
    numbers = [no for _, no in issued]
    unreported = [no for no in numbers if no not in reports]
    if unreported:
        detail.append("issued but neither printed nor reported failed: %s" % unreported[:10])
    printed = [(dev_id, t) for dev_id, dev in devices.items() if dev.kind == "printer" for t in dev.tickets()]
    paper = collections.Counter(_ticket_no(t) for _, t in printed)
    garbled = ["%s %s: %s" % (dev_id, _ticket_no(t), "; ".join(t.problems)) for dev_id, t in printed if t.problems]
    if garbled:         # what a real printer would have ignored, garbled or broken (sim/escpos_model.py)
        detail.append("printed wrongly: %s" % garbled[:5])
    on_paper_twice = [no for no, n in paper.items() if n > 1]
    if on_paper_twice:
        detail.append("printed twice on paper: %s" % on_paper_twice[:10])
    stray = [no for no in paper if no not in numbers]
    if stray:
        detail.append("on paper but never issued: %s" % stray[:10])
    said_ok = [no for no, oks in reports.items() if any(oks) and no not in paper]
    if said_ok:
        detail.append("reported printed but not on paper: %s" % said_ok[:10])
    failed = sorted(no for no, oks in reports.items() if not any(oks))
    summary = "%d issued, %d on paper, %d failed prints reported%s" % (
        len(issued), sum(paper.values()), len(failed), (" (%s)" % ", ".join(failed[:8])) if failed else "")
    return "tickets", not detail, [summary] + detail


def check_ratings(events, records):
    counted = collections.defaultdict(list)
    for e in events:
        if e["type"] == "rating_counted":
            counted[e["no"]].append(e)
    finished_at = {e["no"]: e["window"] for e in events if e["type"] == "ticket_finished"}
    detail = []
    twice = [no for no, evs in counted.items() if len(evs) > 1]
    if twice:
        detail.append("counted more than once: %s" % twice[:10])
    for no, evs in counted.items():
        if evs[0]["window"] != finished_at.get(no):
            detail.append("%s rated at window %s but finished at window %s" % (no, evs[0]["window"], finished_at.get(no)))
    thanked = 0
    for no, (level, window, was_thanked) in records.rated.items():
        if not was_thanked:
            continue
        thanked += 1
        evs = counted.get(no)
        if not evs:
            detail.append("%s: the citizen saw 'Thank you' for level %d but no rating was counted" % (no, level))
        elif evs[0]["level"] != level or evs[0]["window"] != window:
            detail.append("%s: pressed %d at window %d, counted %d at window %d"
                          % (no, level, window, evs[0]["level"], evs[0]["window"]))
    flagged = sum(1 for e in events if e["type"] == "rating_flagged")
    summary = "%d counted (%d thanked presses), %d flagged presses" % (len(counted), thanked, flagged)
    return "ratings", not detail, [summary] + detail


def expected_screens(hall, events):
    """device id -> text it must show, from the gateway's own state (the log folded)."""
    state = fold(hall, events)
    want = {}
    rows = hall_rows(state)
    for dev in hall.devices.values():
        if dev.kind == "display" and dev.shows == "hall":
            want[dev.id] = ["%s -> window %s" % (row[0], row[1]) for row in rows[:3]]
        elif dev.kind == "display":
            win = state.windows[dev.window]
            current = state.current(dev.window)
            want[dev.id] = ["Paused"] if win.status == "paused" else [current.no if current else "-"]
        elif dev.kind == "pad":
            current = state.current(dev.window)
            want[dev.id] = ["Serving " + current.no if current else "Window open"]
    return want


def check_displays(hall, events, devices, bound_s):
    want = expected_screens(hall, events)
    deadline = time.monotonic() + bound_s
    wrong = {}
    while True:
        wrong = {}
        for dev_id, texts in want.items():
            if dev_id not in devices:
                continue
            shown = devices[dev_id].shows()
            if not all(t in shown for t in texts):
                wrong[dev_id] = (texts, shown.replace("\n", " | "))
        if not wrong or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    detail = ["%s should show %s, shows %r" % (d, t, s) for d, (t, s) in sorted(wrong.items())]
    return "displays", not wrong, ["%d screens checked within %g s" % (len(want), bound_s)] + detail


def check_outboxes(devices, bound_s):
    deadline = time.monotonic() + bound_s
    while True:
        left = {d: len(dev.outbox()) for d, dev in devices.items() if dev.outbox()}
        if not left or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    detail = ["%s still holds %d event(s)" % item for item in sorted(left.items())]
    return "outboxes", not left, ["%d outboxes checked" % len(devices)] + detail


def check_firmware(devices):
    crashed = {d: dev.crashes for d, dev in devices.items() if dev.crashes}
    boots = sum(dev.boots for dev in devices.values())
    detail = ["%s crashed %d time(s)" % item for item in sorted(crashed.items())]
    return "firmware", not crashed, ["%d boots in all, no crash" % boots if not crashed else "%d boots" % boots] + detail


def presses_answered(devices):
    """Key events the printers made that the gateway answered with a ticket (an int)."""
    return sum(dev.presses_answered()[0] for dev in devices.values() if dev.kind == "printer")


def press_ledger(events, devices):
    """Per printer, its key events and their answers beside the tickets issued to it: where a
    broken ticket count came from (a flaky run is only worth its report if it says this)."""
    issued = collections.Counter(e.get("device") for e in events if e["type"] == "ticket_issued")
    lines = []
    for dev_id, dev in sorted(devices.items()):
        if dev.kind == "printer":
            with_ticket, refused, unanswered = dev.presses_answered()
            lines.append("%s: %d key events: %d answered with a ticket, %d refused, %d unanswered; %d tickets issued"
                         % (dev_id, len(dev.key_events), with_ticket, refused, unanswered, issued[dev_id]))
    return lines


def check_all(hall, events_fn, devices, records, count_presses, bound_s=20.0):
    """events_fn: () -> the store's events, read again after the displays had time to settle."""
    results = [check_outboxes(devices, bound_s)]
    events = events_fn()
    tickets = check_tickets(events, devices, presses_answered(devices) if count_presses else None)
    if not tickets[1] and count_presses:
        tickets[2].extend(press_ledger(events, devices))
    results.append(tickets)
    results.append(check_ratings(events, records))
    results.append(check_displays(hall, events, devices, bound_s))
    results.append(check_firmware(devices))
    return results


def format_results(results):
    lines = ["Invariant check:"]
    for name, ok, detail in results:
        lines.append("  %-9s %s  %s" % (name, "ok    " if ok else "BROKEN", detail[0]))
        lines.extend("            - " + d for d in detail[1:])
    lines.append("  => %s" % ("all invariants hold" if all(r[1] for r in results) else "INVARIANTS BROKEN"))
    return "\n".join(lines)
