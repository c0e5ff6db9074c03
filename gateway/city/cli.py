"""`hallmesh replicate run|status`: ship a hall's log to the city by itself (a process of its
own beside the gateway), or show how far it got. `hallmesh gateway --city DSN` runs the same
shipper in a thread of the gateway instead."""
import json
import logging
import os
import signal
import sys
import threading
import time

DSN_ENV = "HALLMESH_CITY_DSN"     # so a password need not be on the command line


def register(sub):
    cmd = sub.add_parser("replicate", help="ship the hall's event log to the city's PostgreSQL, or show lag")
    what = cmd.add_subparsers(dest="action", required=True)
    run_cmd = what.add_parser("run", help="ship until SIGINT/SIGTERM; resumes where the city left off")
    status_cmd = what.add_parser("status", help="replicated position, backlog and lag of a hall's store")
    for each in (run_cmd, status_cmd):
        each.add_argument("--db", required=True, help="the hall gateway's store")
        each.add_argument("--dsn", default=os.environ.get(DSN_ENV),
                          help="the city's PostgreSQL (libpq connection string; default $%s)" % DSN_ENV)
        each.add_argument("--hall-id", help="the hall id (default: the one the store names)")
    status_cmd.add_argument("--json", action="store_true")
    cmd.set_defaults(run=run)


def run(ns):
    if not os.path.exists(ns.db):
        print("hallmesh: no store at %s" % ns.db, file=sys.stderr)
        return 2
    return run_shipper(ns) if ns.action == "run" else show_status(ns)


def run_shipper(ns):
    from gateway.city.replicate import Replicator
    if not ns.dsn:
        print("hallmesh: say where the city is: --dsn or $%s" % DSN_ENV, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        shipper = Replicator(ns.db, ns.dsn, hall_id=ns.hall_id).start()
    except ValueError as exc:
        print("hallmesh: %s" % exc, file=sys.stderr)
        return 2
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        shipper.stop()
    return 0


def show_status(ns):
    from gateway.city.source import LogSource
    from gateway.city.status import ReplicationStatus
    source = LogSource(ns.db)
    try:
        hall = ns.hall_id or source.hall_id()
        status = ReplicationStatus(ns.db + ".city.json", hall)
        city_says = _city_position(ns.dsn, hall) if ns.dsn else None
        if isinstance(city_says, int):
            status.position, status.error = city_says, None     # the city's word is the authority
        figures = status.figures(source, time.time(), connected=isinstance(city_says, int))
        figures["error"] = city_says if isinstance(city_says, str) else status.error
    finally:
        source.close()
    if ns.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
    else:
        print("\n".join(lines(figures, asked_city=bool(ns.dsn))))
    return 0


def lines(f, asked_city):
    source = "as the city confirms it" if asked_city and f["connected"] else "as last saved by the shipper"
    out = ["hall %s: replicated up to log position %d (%s)" % (f["hall"], f["position"], source),
           "backlog: %d events not yet in the city; lag %.0f s (age of the oldest of them)" % (f["backlog"],
                                                                                              f["lag_s"])]
    if f["advanced_at"]:
        out.append("last advanced: %s" % time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(f["advanced_at"])))
    if f["error"]:
        out.append("city: %s" % f["error"])
    return out


def _city_position(dsn, hall):
    """The position the city holds for `hall` (0 if none yet), or the error text."""
    import psycopg
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            row = conn.execute("SELECT position FROM city_halls WHERE hall = %s", (hall,)).fetchone()
    except psycopg.errors.UndefinedTable:
        return 0
    except psycopg.Error as exc:
        return "cannot ask the city: %s" % " ".join(str(exc).split())[:200]
    return row[0] if row else 0
