"""Shared set-ups of the office pages' tests (cases, reports, administration): a served
ticket rated badly (a case), a few days of synthetic history in the store, accounts."""
import csv
import io
import os
import subprocess
import sys

from bench.history import write_year
from gateway.engine import commands, decide
from tests.console.harness import PASSWORD, REPO, serve

EXAMPLE_HALL = os.path.join(REPO, "halls", "example.toml")
ACCOUNTS = (("wang", "supervisor"), ("li", "staff"), ("chen", "admin"))


def start(tmp_path, history_days=0, hall_file="example.toml", now=None):
    """(gateway, server) with the accounts; history_days of the bench's synthetic year first."""
    if history_days:
        write_year(os.path.join(REPO, "halls", hall_file), str(tmp_path / "hall.db"), days=history_days)
    gw, server = serve(tmp_path, hall_file, **({"now": now} if now else {}))
    for name, role in ACCOUNTS:
        server.console.accounts.add(name, role, PASSWORD)
    return gw, server


def run(gw, command):
    with gw.lock:
        return gw.service.commit_own(decide(gw.state, command, gw.clock()))


def bad_review(gw, window=1, svc="A", staff="staff-07", level=1):
    """A ticket issued, called, served and rated `level` at `window`: opens a case."""
    run(gw, commands.sign_in(window, staff))
    run(gw, commands.issue(svc, "printer-1"))
    run(gw, commands.call(window))
    no = gw.state.current(window).no
    run(gw, commands.finish(window))
    run(gw, commands.rate(window, level, no, gw.clock()))
    return max(gw.state.cases)


def cli_csv(db_path, *args, hall=EXAMPLE_HALL):
    """`hallmesh report --format csv ...` as a subprocess: {key: {column: text}}."""
    out = subprocess.run([sys.executable, "-m", "gateway", "report", "--hall", hall, "--db", str(db_path),
                          "--format", "csv", *args], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert out.returncode == 0, out.stderr
    return {row[next(iter(row))]: row for row in csv.DictReader(io.StringIO(out.stdout))}
