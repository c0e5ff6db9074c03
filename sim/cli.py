"""`hallmesh sim`: run a simulated hall from the unchanged firmware/ files.

  hallmesh sim --script scenarios/first-ticket.toml            scripted check (CI); exit 1 on failure
  hallmesh sim --scenario scenarios/morning-rush.toml --live   a population, faults, a report
  hallmesh sim --hall halls/example.toml --fault wifi_loss:all@30+20 --duration 120

Exit status: 0 all well, 1 an expectation or invariant failed, 2 bad input (file, option).
docs/simulator.md is the technician's guide.
"""
import argparse
import logging
import os
import shutil
import sys
import tempfile

from gateway.config import ConfigError
from sim import faults as faultlib
from sim import script as scriptlib

OK, FAILED, BAD_INPUT = 0, 1, 2


def build_parser():
    p = argparse.ArgumentParser(prog="hallmesh sim", description="Run a simulated hall (docs/simulator.md).")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--script", help="TOML script of steps on named devices (exits 1 on the first unmet one)")
    what.add_argument("--scenario", help="TOML scenario: population, staff, faults, speed")
    p.add_argument("--hall", help="hall config (overrides the script's or scenario's hall)")
    p.add_argument("--broker", metavar="HOST:PORT", help="use this broker (default: start Mosquitto, else embedded)")
    p.add_argument("--no-gateway", action="store_true", help="do not start a gateway (yours runs on the broker)")
    p.add_argument("--speed", type=float, help="simulated seconds per real second (default: scenario's, else 1)")
    p.add_argument("--seed", type=int, help="random seed of the population (default: scenario's)")
    p.add_argument("--fault", action="append", default=[], metavar="SPEC",
                   help="KIND[:TARGET]@AT[+DURATION][,name=value]; repeatable (see sim/faults.py)")
    p.add_argument("--duration", type=float, help="simulated seconds to run without a scenario (hall only)")
    p.add_argument("--out", help="folder for the report, pictures and logs (default: a temporary folder)")
    p.add_argument("--live", action="store_true", help="live terminal view")
    p.add_argument("--poll-ms", type=int, help="firmware loop period in simulated ms (default 50 x speed)")
    p.add_argument("--exclude", action="append", default=[], metavar="DEVICE",
                   help="do not simulate this device of the hall (a real one takes its place); repeatable")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    return p


def main(argv=None):
    ns = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("hallmesh.sim").setLevel(logging.ERROR)   # firmware tracebacks go to the report
    out = ns.out or tempfile.mkdtemp(prefix="hallmesh-sim-")
    os.makedirs(out, exist_ok=True)
    try:
        faults = [faultlib.parse_spec(text) for text in ns.fault]
        if ns.script:
            return run_script(ns, out, faults)
        if ns.scenario or ns.hall:
            from sim.day import run_day_cli
            return run_day_cli(ns, out, faults)
    except (scriptlib.ScriptError, faultlib.FaultError, ConfigError, ValueError) as exc:
        if os.environ.get("HALLMESH_DEBUG"):
            raise
        print("hallmesh sim: %s" % exc, file=sys.stderr)
        return BAD_INPUT
    print("hallmesh sim: give --script FILE, --scenario FILE or --hall FILE (see --help)", file=sys.stderr)
    return BAD_INPUT


def _only(script, exclude):
    if not exclude:
        return script.devices
    from gateway import config
    names = script.devices or list(config.load(script.hall).devices)
    return [d for d in names if d not in exclude]


def fresh_run_dir(out):
    """out/run holds this run's store, flash folders and logs: a new run starts it empty."""
    path = os.path.join(out, "run")
    shutil.rmtree(path, ignore_errors=True)
    return path


def run_script(ns, out, faults):
    from sim.rig import Rig
    script = scriptlib.load(ns.script, ns.hall)
    say = (lambda *_: None) if ns.quiet else print
    print("script %s: hall %s, %d steps" % (script.name, script.hall, len(script.steps)))
    rig = Rig(script.hall, fresh_run_dir(out), speed=ns.speed or 1.0, broker=ns.broker,
              gateway=not ns.no_gateway, only=_only(script, ns.exclude), poll_ms=ns.poll_ms)
    try:
        rig.start(ready_timeout=script.timeout_s * 3)
        if faults:
            from sim.faults import Schedule
            Schedule(rig.injector, faults, rig.timebase).start()
        scriptlib.Runner(script, rig, os.path.join(out, "pictures"), say).run()
    except scriptlib.StepFailed as exc:
        print("FAILED: %s" % exc)
        return FAILED
    except AssertionError as exc:     # SimTimeout from wait_ready
        print("FAILED before the first step: %s" % exc)
        return FAILED
    finally:
        rig.stop()
    print("PASSED: %d steps of %s" % (len(script.steps), script.name))
    return OK


if __name__ == "__main__":
    sys.exit(main())
