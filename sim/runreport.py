"""The run report: figures in simulated time, charts (PNG), pictures, the invariant check.

`summary(...)` is a dict in two parts. `deterministic` holds what the seed decides (the
plan, tickets per service, the faults applied, the verdict); a second run with the same seed
must give the same. `measured` holds what depends on thread timing (waits, ratings counted,
retries). `write(...)` puts report.md, summary.json, charts/ and pictures/ in the out folder.
"""
import collections
import json
import os

from PIL import Image, ImageDraw

from sim import pictures
from sim.invariants import format_results
from sim.scenario import planned_per_hour
from sim.timebase import local_hhmm


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _minutes(seconds):
    return None if seconds is None else round(seconds / 60.0, 1)


def measured_figures(events, records):
    waits, served = collections.defaultdict(list), collections.defaultdict(list)
    for e in events:
        if e["type"] == "ticket_called":
            waits[e["svc"]].append(e["waited_s"])
        elif e["type"] == "ticket_finished":
            served[e["svc"]].append(e["served_s"])
    per_service = {}
    for svc in sorted(set(waits) | set(served)):
        per_service[svc] = {"calls": len(waits[svc]), "wait_p50_min": _minutes(percentile(waits[svc], 50)),
                            "wait_p90_min": _minutes(percentile(waits[svc], 90)),
                            "wait_max_min": _minutes(max(waits[svc], default=None)),
                            "finished": len(served[svc]), "service_p50_min": _minutes(percentile(served[svc], 50))}
    levels = collections.Counter(e["level"] for e in events if e["type"] == "rating_counted")
    return {"per_service": per_service,
            "ratings": {str(k): levels[k] for k in sorted(levels)},
            "flagged": sum(1 for e in events if e["type"] == "rating_flagged"),
            "skipped": sum(1 for e in events if e["type"] == "ticket_skipped"),
            "missed_presses": len(records.missed), "retries": records.retries, "breaks": records.breaks}


def summary(scenario, plan, events, records, results, fault_log, real_s, sim_s, devices):
    issued = collections.Counter(e["svc"] for e in events if e["type"] == "ticket_issued")
    deterministic = {
        "scenario": scenario.name if scenario else "",
        "seed": scenario.seed if scenario else None,
        "speed": scenario.speed if scenario else None,
        "planned_arrivals": planned_per_hour(scenario, plan) if scenario else {},
        "planned_total": len(plan),
        "issued_per_service": dict(sorted(issued.items())),
        "faults": [label for _, label in fault_log],
        "invariants": {name: ok for name, ok, _ in results},
        "passed": all(ok for _, ok, _ in results),
    }
    measured = measured_figures(events, records)
    measured.update({"real_s": round(real_s, 1), "sim_s": round(sim_s, 1), "devices": len(devices),
                     "boots": sum(d.boots for d in devices.values())})
    return {"deterministic": deterministic, "measured": measured}


# --- charts ----------------------------------------------------------------------------------

def bar_chart(path, title, bars, unit=""):
    """bars: [(label, value)]. A plain PNG bar chart (no plotting library needed)."""
    width, bar_h, left = 640, 22, 150
    height = 40 + bar_h * max(1, len(bars)) + 10
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    draw.text((10, 10), title, fill="black")
    top = max([v for _, v in bars if v is not None] + [1])
    for i, (label, value) in enumerate(bars):
        y = 36 + i * bar_h
        draw.text((10, y + 4), str(label)[:22], fill="black")
        length = int((width - left - 80) * (value or 0) / top)
        draw.rectangle((left, y + 2, left + length, y + bar_h - 4), fill=(60, 110, 180))
        draw.text((left + length + 6, y + 4), "%s%s" % (value, unit), fill="black")
    img.save(path)
    return path


def charts(folder, det, measured):
    os.makedirs(folder, exist_ok=True)
    made = []
    hours = collections.Counter()
    for row in det["planned_arrivals"].values():
        hours.update(row)
    if hours:
        made.append(bar_chart(os.path.join(folder, "arrivals-by-hour.png"), "Arrivals by hour (all services)",
                              sorted(hours.items())))
    if det["issued_per_service"]:
        made.append(bar_chart(os.path.join(folder, "tickets-per-service.png"), "Tickets issued per service",
                              list(det["issued_per_service"].items())))
    waits = [(svc, row["wait_p90_min"]) for svc, row in measured["per_service"].items()]
    if waits:
        made.append(bar_chart(os.path.join(folder, "wait-p90.png"), "Wait, 90th percentile (simulated minutes)",
                              waits, " min"))
    if measured["ratings"]:
        made.append(bar_chart(os.path.join(folder, "ratings.png"), "Counted ratings by level",
                              list(measured["ratings"].items())))
    return made


# --- the Markdown report ------------------------------------------------------------------------

def write(out, data, results, rig, scenario, notes):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
    made = charts(os.path.join(out, "charts"), data["deterministic"], data["measured"])
    shots = _pictures(out, rig)
    lines = _markdown(data, results, rig, scenario, notes, made, shots, out)
    path = os.path.join(out, "report.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def _pictures(out, rig):
    folder = os.path.join(out, "pictures")
    shots = []
    for dev in rig.devices.devices.values():
        if dev.kind == "printer":
            shots += pictures.ticket_pictures(dev, folder, limit=3)
        else:
            shots.append(pictures.panel_picture(dev, os.path.join(folder, "frame-%s.png" % dev.id)))
    return shots


def _markdown(data, results, rig, scenario, notes, made, shots, out):
    det, m = data["deterministic"], data["measured"]
    title = det["scenario"] or "hall " + rig.hall.id
    lines = ["# Simulated run: %s" % title, "",
             "Hall **%s** (%s), %d devices running firmware/ unchanged, speed x%g: %.0f simulated s in %.0f real s."
             % (rig.hall.name, rig.hall.id, m["devices"], rig.speed, m["sim_s"], m["real_s"]), ""]
    if scenario:
        lines += ["Seed %d, day %s from %s; all times below are simulated." % (scenario.seed, scenario.date, scenario.start), ""]
    lines += ["## Verdict", "", "```", format_results(results), "```", ""]
    lines += ["## Tickets and waits", "", "| service | planned | issued | calls | wait p50 | wait p90 | wait max | served p50 |",
              "|---|---|---|---|---|---|---|---|"]
    planned = {svc: sum(row.values()) for svc, row in det["planned_arrivals"].items()}
    for svc in sorted(set(planned) | set(det["issued_per_service"]) | set(m["per_service"])):
        row = m["per_service"].get(svc, {})
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            svc, planned.get(svc, 0), det["issued_per_service"].get(svc, 0), row.get("calls", 0),
            _min(row.get("wait_p50_min")), _min(row.get("wait_p90_min")), _min(row.get("wait_max_min")),
            _min(row.get("service_p50_min"))))
    lines += ["", "Ratings counted by level: %s; flagged presses: %d; no-shows skipped: %d; presses the firmware "
              "missed (citizen pressed again): %d; staff breaks: %d." % (
                  ", ".join("%s: %d" % kv for kv in m["ratings"].items()) or "none", m["flagged"], m["skipped"],
                  m["missed_presses"], m["breaks"]), ""]
    lines += ["## Faults", ""] + (["- %s" % f for f in det["faults"]] or ["none"]) + [""]
    lines += ["## Charts", ""] + ["![](%s)" % os.path.relpath(p, out) for p in made] + [""]
    lines += ["## Pictures (tickets from the printers' bytes, display frames at the end)", ""]
    lines += ["![](%s)" % os.path.relpath(p, out) for p in shots] + [""]
    lines += ["## Run log (simulated time)", "", "```"]
    lines += ["%s  %s" % (local_hhmm(rig.timebase.epoch + t, rig.hall.utc_offset_s), text) for t, text in notes[-200:]]
    lines += ["```", ""]
    return lines


def _min(value):
    return "-" if value is None else "%.1f min" % value
