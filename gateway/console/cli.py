"""`hallmesh console add-user`: an account of the browser console, the first administrator
included. The password is asked twice on a terminal, or read as the first line of standard
input (`echo "$PW" | hallmesh console add-user ...`); it is stored only as an argon2 hash.
The account's creation is an event of the log (console_account_added), by "cli"."""
import getpass
import os
import sys
import time

from gateway import config, hallchange
from gateway.engine import audit
from gateway.store import StoreError, open_store

CLI_ACTOR = "cli"


def register(sub):
    console = sub.add_parser("console", help="accounts of the browser console (served with --http)")
    verbs = console.add_subparsers(dest="console_command", required=True)
    add = verbs.add_parser("add-user", help="make an account: window staff, supervisor or administrator")
    add.add_argument("name", help="the sign-in name (for window staff: the name or number the reports use)")
    add.add_argument("--role", required=True, choices=("staff", "supervisor", "admin"))
    add.add_argument("--hall", required=True, help="hall config (TOML)")
    add.add_argument("--db", required=True, help="the hall's SQLite store")
    console.set_defaults(run=run)


def run(ns):
    from gateway.console.accounts import AccountError, Accounts, check_name, check_password
    try:
        hall = config.load(ns.hall)
    except config.ConfigError as exc:
        return _fail("the hall file cannot be used: %s" % exc)
    try:
        check_name(ns.name)
        password = _password()
        check_password(password)
    except AccountError as exc:
        return _fail(str(exc))
    if not os.path.exists(ns.db):
        return _fail("no store at %s (the gateway creates it at its first start)" % ns.db)
    try:
        with open_store(ns.db) as store:
            hallchange.check_identity(store, hall)
            accounts = Accounts(ns.db)
            try:
                accounts.add(ns.name, ns.role, password)
            finally:
                accounts.close()
            store.append([audit.event(audit.ACCOUNT_ADDED, CLI_ACTOR, time.time(), name=ns.name, role=ns.role)])
    except (AccountError, StoreError) as exc:
        return _fail(str(exc))
    print("account %s (%s) made: sign in at http://<gateway>:<http port>/console/" % (ns.name, ns.role))
    return 0


def _password():
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        from gateway.console.accounts import AccountError
        raise AccountError("the two passwords differ: nothing was made")
    return first


def _fail(text):
    print("hallmesh: %s" % text, file=sys.stderr)
    return 2
