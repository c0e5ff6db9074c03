"""`hallmesh` command line: gateway, report, sim."""
import argparse
import os
import logging
import signal
import sys
import threading

from gateway import config

log = logging.getLogger("hallmesh.gateway")

SUBCOMMANDS = ("gateway", "report", "case", "staff", "appointments", "devices", "stats", "hall", "sim", "demo", "console", "replicate", "city")
LOG_MAX_MB = 10      # one log file's size before it is rotated
LOG_KEEP = 5         # rotated files kept: the log never takes more than (1 + 5) x 10 MB


def parse_broker(text):
    """'host:port' -> (host, port); argparse turns the ValueError into a usage error."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError("expected HOST:PORT, got %r" % text)
    return host, int(port)


def build_parser():
    parser = argparse.ArgumentParser(prog="hallmesh", description="hallmesh queue-calling system")
    sub = parser.add_subparsers(dest="command", required=True)
    gw = sub.add_parser("gateway", help="run the gateway of one hall until SIGINT/SIGTERM")
    gw.add_argument("--hall", required=True, help="hall config (TOML)")
    gw.add_argument("--db", required=True, help="SQLite store (created if missing)")
    where = gw.add_mutually_exclusive_group()
    where.add_argument("--broker", type=parse_broker, default=("127.0.0.1", 1883),
                       metavar="HOST:PORT", help="MQTT broker (default 127.0.0.1:1883)")
    where.add_argument("--embedded-broker", action="store_true",
                       help="run an in-process broker on 127.0.0.1:1883 (or a free port)")
    gw.add_argument("--http", type=parse_broker, metavar="HOST:PORT",
                    help="serve the ticket status pages the tickets' QR codes open (see status_url) "
                    "and the browser console at /console/")
    gw.add_argument("--fleet", metavar="DB", help="device registry: log in to the broker with the gateway's "
                    "account (see 'hallmesh devices broker-files') and record each device's presence")
    gw.add_argument("--city", metavar="DSN", help="ship the event log to the city's PostgreSQL (libpq "
                    "connection string) in a thread of its own; the hall never waits on it")
    gw.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    gw.add_argument("--log-file", metavar="PATH", help="log to this file, rotated (default: standard error)")
    gw.add_argument("--log-max-mb", type=_positive, default=LOG_MAX_MB, metavar="MB",
                    help="rotate the log file at this size (default %d)" % LOG_MAX_MB)
    gw.add_argument("--log-keep", type=_positive, default=LOG_KEEP, metavar="N",
                    help="rotated log files kept (default %d)" % LOG_KEEP)
    from gateway.reports import cli as office
    rep = sub.add_parser("report", help="figures for a period, follow-up cases, awards, charts")
    rep.add_argument("--hall", required=True)
    rep.add_argument("--db", required=True)
    office.add_report_arguments(rep)
    office.add_office_parsers(sub)
    # everything after 'sim' goes to the simulator's own parser untouched (see main)
    sub.add_parser("sim", help="run simulated devices (see 'hallmesh sim --help')", add_help=False)
    from gateway.fleet import cli as fleet_cli
    fleet_cli.register(sub)
    from gateway import hall_cli
    hall_cli.register(sub)
    from gateway import stats_cli
    stats_cli.register(sub)
    from gateway.console import cli as console_cli
    console_cli.register(sub)
    from gateway.city import cli as city_cli
    city_cli.register(sub)
    from gateway.city import report_cli as city_report_cli
    city_report_cli.register(sub)
    sub.add_parser("demo", help="a scripted morning in a simulated hall (see 'hallmesh demo --help')",
                   add_help=False)
    return parser


def _positive(text):
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of 1 or more, got %r" % text)
    return int(text)


def log_handler(log_file=None, max_bytes=LOG_MAX_MB * 1024 * 1024, keep=LOG_KEEP):
    from logging.handlers import RotatingFileHandler
    from gateway.logtext import EscapingFilter
    if log_file:
        handler = RotatingFileHandler(log_file, maxBytes=max_bytes, backupCount=keep, encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.addFilter(EscapingFilter())
    return handler


def setup_logging(verbose=False, log_file=None, max_mb=LOG_MAX_MB, keep=LOG_KEEP):
    """Standard error, or a file rotated at `max_mb` with `keep` old files. Either way every
    line is escaped (gateway/logtext.py): device text cannot forge a line."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        handlers=[log_handler(log_file, max_mb * 1024 * 1024, keep)],
                        format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("amqtt", "transitions"):   # the embedded broker's own chatter
        logging.getLogger(noisy).setLevel(logging.WARNING)


def load_hall(path):
    try:
        return config.load(path)
    except config.ConfigError as exc:
        print("hallmesh: %s" % exc, file=sys.stderr)
        raise SystemExit(2)


def fleet_options(path, hall):
    """Broker credentials and presence recording from the device registry, if one is given."""
    if not path:
        return {}
    from gateway.fleet import FleetError
    from gateway.fleet.registry import Registry
    if not os.path.exists(path):
        print("hallmesh: no device registry at %s (hallmesh devices add ... creates it)" % path, file=sys.stderr)
        raise SystemExit(2)
    try:
        registry = Registry(path, hall=hall)
        return {"credentials": registry.account("gateway"), "on_presence": registry.update_presence}
    except FleetError as exc:
        print("hallmesh: %s" % exc, file=sys.stderr)
        raise SystemExit(2)


def run_gateway(ns):
    from gateway.broker import EmbeddedBroker
    from gateway.exclusive import AlreadyRunning, LockError, StoreLock
    from gateway.mqtt import Gateway
    from gateway.store import StoreError

    refusals = (AlreadyRunning, LockError, StoreError)
    if ns.http:                 # aiohttp takes a second to import: only when it serves
        from gateway.web import PortTaken, StatusServer, raise_descriptor_limit
        refusals += (PortTaken,)
        raise_descriptor_limit()
    setup_logging(ns.verbose, ns.log_file, ns.log_max_mb, ns.log_keep)
    hall = load_hall(ns.hall)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    # everything that can refuse is checked before the gateway goes online: the store's
    # lock, the HTTP port, another gateway of the hall on the broker
    lock, gateway, web, broker = StoreLock(ns.db), None, None, None
    try:
        lock.acquire()
        gateway = Gateway.from_files(hall, ns.db, *ns.broker, **fleet_options(ns.fleet, hall))
        web = StatusServer(gateway, *ns.http, console=True) if ns.http else None
        broker = EmbeddedBroker().start() if ns.embedded_broker else None
        if broker:
            gateway.host, gateway.port = broker.host, broker.port
        if not wait_for_no_twin(gateway, probe_credentials(ns.fleet, hall), stopping):
            return 0 if stopping.is_set() else 2
        if not gateway.start(wait=10.0):
            log.warning("no broker at %s:%d yet; still trying", gateway.host, gateway.port)
        if web:
            web.start()
        if ns.city:
            from gateway.city.replicate import Replicator
            gateway.replicator = Replicator(ns.db, ns.city, hall_id=hall.id).start()
        while not stopping.wait(1.0):
            pass
    except refusals as exc:
        print("hallmesh: %s" % exc, file=sys.stderr)
        return 2
    finally:
        if getattr(gateway, "replicator", None):
            gateway.replicator.stop()
        if web:
            web.stop()
        if gateway:
            gateway.stop()
        if broker:
            broker.stop()
        lock.release()
    return 0


def probe_credentials(path, hall):
    """The read-only tool account for asking the broker about the hall's gateway: with the
    gateway's own account (its user name is its client id) the asking would push it off."""
    if not path:
        return None
    from gateway.fleet.registry import Registry
    return Registry(path, hall=hall).account("tool")


def wait_for_no_twin(gateway, credentials, stopping):
    """True once the broker answers and says no gateway of this hall is online; False (and
    why, on stderr) if one is, or if asked to stop while waiting for the broker."""
    from gateway.exclusive import BrokerUnreachable, hall_gateway_online
    said = False
    while not stopping.is_set():
        try:
            twin = hall_gateway_online(gateway.host, gateway.port, gateway.hall.id, credentials)
        except BrokerUnreachable as exc:
            if not said:
                log.warning("%s; still trying (the gateway goes online once it answers)", exc)
                said = True
            stopping.wait(1.0)
            continue
        if twin is None:
            return True
        print("hallmesh: the gateway of hall %s is already online at %s:%d (session %s): one hall has "
              "one gateway; stop that one first (a gateway that died without a goodbye is marked "
              "offline by the broker within %d s)" % (gateway.hall.id, gateway.host, gateway.port,
                                                     twin.get("ses", "?"), gateway.keepalive * 3 // 2),
              file=sys.stderr)
        return False
    return False


def run_office(ns):
    """report, case, staff, appointments: see gateway/reports/cli.py."""
    from gateway.reports import cli as office
    runner = {"report": office.run_report, "case": office.run_case, "staff": office.run_staff,
              "appointments": office.run_appointments}[ns.command]
    return runner(ns, load_hall(ns.hall))


def run_sim(args):
    try:
        import sim.cli
    except ImportError as exc:
        print("hallmesh: the simulator is not available (%s): is sim/cli.py there?" % exc, file=sys.stderr)
        return 2
    return sim.cli.main(args)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "sim":
        return run_sim(argv[1:]) or 0
    if argv and argv[0] == "demo":
        import sim.demo
        return sim.demo.main(argv[1:]) or 0
    ns = build_parser().parse_args(argv)
    if ns.command in ("devices", "stats", "hall", "console", "replicate", "city"):
        return ns.run(ns) or 0
    runner = {"gateway": run_gateway, "report": run_office, "case": run_office, "staff": run_office,
              "appointments": run_office}[ns.command]
    return runner(ns) or 0


if __name__ == "__main__":
    sys.exit(main())
