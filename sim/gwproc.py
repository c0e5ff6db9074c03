"""The gateway as its own process for the simulator, on the run's simulated clock.

`python -m sim.gwproc --hall H --db D --broker HOST:PORT --speed S --wall W --epoch E`
is `hallmesh gateway` plus a clock: the simulator can SIGKILL it (a real crash: no goodbye,
the broker publishes its will) and start it again on the same store.
"""
import argparse
import logging
import signal
import sys
import threading

from gateway import config
from gateway.mqtt import Gateway
from sim.timebase import wall_clock


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m sim.gwproc")
    p.add_argument("--hall", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--broker", required=True, help="HOST:PORT")
    p.add_argument("--speed", type=float, default=1.0)
    p.add_argument("--wall", type=float, required=True, help="time.time() at the run's anchor")
    p.add_argument("--epoch", type=float, required=True, help="simulated wall time at the anchor")
    p.add_argument("--keepalive", type=int, default=30)
    return p.parse_args(argv)


def main(argv=None):
    ns = parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    host, _, port = ns.broker.rpartition(":")
    gateway = Gateway.from_files(config.load(ns.hall), ns.db, host, int(port),
                                 clock=wall_clock(ns.speed, ns.wall, ns.epoch), keepalive=ns.keepalive)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    online = gateway.start(wait=20.0)
    print("gateway online" if online else "gateway not online yet", flush=True)
    while not stop.wait(0.5):
        pass
    gateway.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
