"""Runs the benchmarks in order, prints the table and writes bench/results.json.

Each benchmark is a function(ctx) -> [row]. A benchmark that fails becomes one row saying so,
so one broken figure never hides the others.
"""
import datetime
import json
import os
import platform
import sys
import time
import traceback

from bench.stats import unavailable


def machine_info():
    return {"cpu_count": os.cpu_count(), "python": sys.version.split()[0],
            "implementation": platform.python_implementation(), "platform": platform.platform(),
            "processor": platform.processor() or platform.machine()}


def run_all(benchmarks, ctx, only=None, echo=print):
    """benchmarks: [(name, function)]. Returns (rows, seconds per benchmark)."""
    known = [name for name, _ in benchmarks]
    for name in only or ():
        if name not in known:
            raise SystemExit("unknown benchmark %r (known: %s)" % (name, ", ".join(known)))
    rows, durations = [], {}
    for name, function in benchmarks:
        if only and name not in only:
            continue
        echo("[bench] %s ..." % name)
        start = time.perf_counter()
        try:
            produced = function(ctx)
        except Exception as exc:  # noqa: BLE001 - report it as a row, keep the other figures
            traceback.print_exc()
            produced = [unavailable(name, "failed: %s: %s" % (type(exc).__name__, exc))]
        durations[name] = time.perf_counter() - start
        for item in produced:
            item["bench"] = name
        rows.extend(produced)
        echo("[bench] %s done in %.1f s" % (name, durations[name]))
    return rows, durations


def _number(value, unit=""):
    if value is None:
        return "-"
    if isinstance(value, float):
        text = "%.3g" % value if abs(value) < 100 else "%.0f" % value
    else:
        text = str(value)
    return (text + " " + unit).strip()


def _cells(item):
    if item.get("unavailable"):
        return [item["figure"], item["note"], "", "", ""]
    baseline = ""
    if item["baseline"] is not None:
        baseline = "%s (%s)" % (_number(item["baseline"], item["unit"]), item["baseline_name"])
    ratio = "" if item["ratio"] is None else "%.2fx" % item["ratio"]
    return [item["figure"], _number(item["value"], item["unit"]), baseline, ratio, item["limit"]]


def table(rows):
    """A Markdown table (readable in a terminal, pasteable into docs/performance.md)."""
    headers = ["figure", "value", "baseline (same run)", "ratio", "what limits it"]
    lines = [_cells(item) for item in rows]
    widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(headers)]

    def fmt(cells):
        return "| " + " | ".join("%-*s" % (w, c) for w, c in zip(widths, cells)) + " |"

    out = [fmt(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [fmt(line) for line in lines]
    return "\n".join(out)


def notes(rows):
    """The notes under the table: how each figure was measured."""
    return "\n".join("- %s: %s" % (item["figure"], item["note"]) for item in rows
                     if item.get("note") and not item.get("unavailable"))


def write_results(path, rows, durations, args, total_s):
    doc = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "machine": machine_info(), "args": args, "total_s": round(total_s, 1),
           "bench_s": {k: round(v, 1) for k, v in durations.items()}, "rows": rows}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, path)
    return doc
