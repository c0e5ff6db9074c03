"""`hallmesh hall check` and `hallmesh hall unprinted`: what a changed hall file will do to a
store before the restart, and the tickets printers were given but never reported printed."""
import json
import os
import sys
import time

from gateway import config, hallchange, snapshots
from gateway.engine.devices import unprinted
from gateway.store import StoreError, open_store


def register(sub):
    hall = sub.add_parser("hall", help="the hall file against a store: dry run of a change, unprinted tickets")
    verbs = hall.add_subparsers(dest="hall_command", required=True)
    check = verbs.add_parser("check", help="what starting the gateway with this hall file would do to the "
                             "store (writes nothing)")
    listing = verbs.add_parser("unprinted", help="tickets given to a printer and never reported printed, "
                               "still waiting")
    for p in (check, listing):
        p.add_argument("--hall", required=True, help="hall config (TOML), e.g. the edited one")
        p.add_argument("--db", required=True, help="the hall's SQLite store")
    listing.add_argument("--json", action="store_true", help="one JSON object, for a console")
    hall.set_defaults(run=run)


def run(ns):
    try:
        hall = config.load(ns.hall)
    except config.ConfigError as exc:
        return _fail("the hall file cannot be used: %s" % exc)
    if not os.path.exists(ns.db):
        return _fail("no store at %s (the gateway creates it at its first start)" % ns.db)
    try:
        with open_store(ns.db) as store:
            if ns.hall_command == "check":
                return _check(store, hall)
            return _unprinted(store, hall, ns.json)
    except StoreError as exc:
        return _fail(str(exc))


def _check(store, hall):
    try:
        hallchange.check_identity(store, hall)     # before folding another hall's log
    except hallchange.ForeignStore as exc:
        return _fail("REFUSED: %s" % exc)
    code, lines = hallchange.dry_run(store, snapshots.rebuild(hall, store).state, hall, time.time())
    print("\n".join(lines))
    return code


def _unprinted(store, hall, as_json):
    try:
        hallchange.check_identity(store, hall)
    except hallchange.ForeignStore as exc:
        return _fail(str(exc))
    owed = unprinted_listing(snapshots.rebuild(hall, store).state)
    if as_json:
        print(json.dumps({"unprinted": owed}, ensure_ascii=False))
    elif not owed:
        print("every ticket given to a printer was reported printed")
    else:
        for row in owed:
            print("%(no)s  %(service)s  issued %(issued)s on %(printer)s: never reported printed" % row)
    return 0


def unprinted_listing(state):
    """[{printer, no, svc, service, day, issued}] oldest first: what staff (or a console) show."""
    rows = []
    for dev_id, tickets in sorted(unprinted(state).items()):
        for ticket in tickets:
            service = state.hall.services.get(ticket.svc)
            rows.append({"printer": dev_id, "no": ticket.no, "svc": ticket.svc,
                         "service": service.name if service else state.service_names.get(ticket.svc, ticket.svc),
                         "day": ticket.day, "issued_at": ticket.issued_at,
                         "issued": time.strftime("%H:%M", time.gmtime(ticket.issued_at + state.hall.utc_offset_s))})
    return sorted(rows, key=lambda row: row["issued_at"])


def _fail(text):
    print("hallmesh: %s" % text, file=sys.stderr)
    return 2
