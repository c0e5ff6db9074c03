"""`hallmesh stats --db hall.db`: the gateway's counters as the store keeps them (saved every
few seconds while it runs and when it stops), for a technician who would otherwise grep."""
import json
import os
import sys
import time

from gateway.counters import SAVE_EVERY_S, grouped


def register(sub):
    cmd = sub.add_parser("stats", help="counters of the gateway: events, rejects by reason, errors")
    cmd.add_argument("--db", required=True, help="the gateway's store")
    cmd.add_argument("--json", action="store_true", help="the saved totals as JSON")
    cmd.set_defaults(run=run)


def run(ns):
    from gateway.store import StoreError, open_store
    if not os.path.exists(ns.db):
        print("hallmesh: no store at %s" % ns.db, file=sys.stderr)
        return 2
    try:
        with open_store(ns.db) as store:
            totals = store.load_totals()
    except StoreError as exc:
        print("hallmesh: %s" % exc, file=sys.stderr)
        return 2
    if ns.json:
        print(json.dumps(totals, indent=2, sort_keys=True))
    else:
        print("\n".join(lines(totals)))
    return 0


def lines(totals):
    if not totals:
        return ["no counters saved yet: the gateway saves them every %d s while it runs" % SAVE_EVERY_S]
    groups = grouped(totals)
    saved = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(totals.get("saved_at", 0)))
    gauges = totals.get("gauges", {})
    return [
        "counters since the store was made (saved %s)" % saved,
        "events: " + _pairs(groups["events"]),
        "rejected messages: " + (_pairs(groups["rejected"]) or "none"),
        "internal errors: %d" % groups["failures"]["internal_error"],
        "other failures: " + _pairs({k: n for k, n in groups["failures"].items() if k != "internal_error"}),
        "refused for budget: %d" % groups["refused_budget"],
        "clock steps: %d" % groups["clock_steps"],
        "other: " + (_pairs(groups["other"]) or "none"),
        "when saved: devices online %d, tickets waiting %d, inbound queue %d" % (
            gauges.get("devices_online", 0), gauges.get("tickets_waiting", 0), gauges.get("inbound_queue", 0)),
    ]


def _pairs(values):
    return ", ".join("%s %d" % (name, values[name]) for name in sorted(values))
