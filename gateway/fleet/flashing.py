"""flash.sh's command line: one board (--port, --device) or a batch (--batch FILE).

    python -m gateway.fleet.flashing --port /dev/ttyUSB0 --device pad-5 \\
        --wifi-ssid hall-net --wifi-key secret --broker 192.168.10.2:1883

Wi-Fi and broker may also come from the environment (HM_WIFI_SSID, HM_WIFI_KEY, HM_BROKER),
so a day of flashing needs them typed once. Exit code: 0 all flashed, 1 some failed, 2 usage.
"""
import argparse
import os
import sys

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gateway import config
from gateway.fleet import FleetError
from gateway.fleet.build import Site, umqtt_source
from gateway.fleet.flasher import Flasher, Result
from gateway.fleet.registry import DEFAULT_PATH, Registry


def build_parser():
    p = argparse.ArgumentParser(prog="flash.sh", description="put the hallmesh firmware and a device's "
                                "config onto an ESP32 with MicroPython, and wait until it comes online")
    one = p.add_argument_group("one board")
    one.add_argument("--port", help="serial port, e.g. /dev/ttyUSB0")
    one.add_argument("--device", help="the enrolled device id, e.g. pad-5")
    p.add_argument("--batch", metavar="FILE", help="flash many boards: lines 'PORT,DEVICE' (# comments)")
    p.add_argument("--fleet", default=DEFAULT_PATH, help="device registry (default %(default)s)")
    p.add_argument("--hall", metavar="TOML", help="hall config (default: the one the registry remembers)")
    p.add_argument("--wifi-ssid", default=os.environ.get("HM_WIFI_SSID"), help="env HM_WIFI_SSID")
    p.add_argument("--wifi-key", default=os.environ.get("HM_WIFI_KEY", ""), help="env HM_WIFI_KEY")
    p.add_argument("--broker", default=os.environ.get("HM_BROKER"), metavar="HOST:PORT",
                   help="the broker as devices reach it (env HM_BROKER); also used to see the birth")
    p.add_argument("--micropython", metavar="IMAGE", help="first erase the board and write this MicroPython "
                   "firmware with esptool")
    p.add_argument("--umqtt-dir", metavar="DIR", help="halls without internet: install umqtt.simple from DIR "
                   "(a mip package.json, or umqtt/simple.py) instead of `mpremote mip install umqtt.simple`")
    p.add_argument("--no-wait", action="store_true", help="do not wait for the device's birth on the broker")
    p.add_argument("--birth-timeout", type=float, default=90.0, metavar="S", help="default %(default)s s")
    p.add_argument("--force-board", action="store_true", help="flash even if the board's chip or the "
                   "board.json on it names other hardware than the device's board file")
    p.add_argument("--keepalive", type=int, default=30, help="MQTT keepalive written to config.json")
    p.add_argument("--board-timeout", type=float, default=20.0, metavar="S",
                   help="how long a board may take to answer one step (default %(default)s s); a board "
                   "without MicroPython never answers, so this is also how long that takes to tell")
    return p


def site_from(ns):
    if not ns.wifi_ssid:
        raise FleetError("no Wi-Fi name: pass --wifi-ssid NAME (or set HM_WIFI_SSID)")
    if not ns.broker:
        raise FleetError("no broker: pass --broker HOST:PORT, the address devices use (or set HM_BROKER)")
    host, sep, port = ns.broker.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise FleetError("--broker must be HOST:PORT, got %r" % ns.broker)
    for name in ("birth_timeout", "board_timeout"):
        if not getattr(ns, name) > 0:
            raise FleetError("--%s must be a number of seconds above 0" % name.replace("_", "-"))
    if not 1 <= ns.keepalive <= 600:
        raise FleetError("--keepalive must be 1-600 seconds, got %d" % ns.keepalive)
    return Site(ns.wifi_ssid, ns.wifi_key or "", host, int(port), keepalive=ns.keepalive)


def read_batch(path):
    """[(port, device id)] from a batch file; FleetError listing every bad line."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as exc:
        raise FleetError("cannot read batch file %s: %s" % (path, exc.strerror or exc))
    jobs, errors = [], []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 2 or not all(parts):
            errors.append("line %d: expected PORT,DEVICE, got %r" % (number, line))
        else:
            jobs.append(tuple(parts))
    ports = [p for p, _ in jobs]
    errors += ["port %s is listed twice" % p for p in sorted(set(ports)) if ports.count(p) > 1]
    if errors:
        raise FleetError("%s: %s" % (path, "; ".join(errors)))
    if not jobs:
        raise FleetError("%s lists no boards (lines 'PORT,DEVICE')" % path)
    return jobs


def open_registry(ns):
    hall_path = ns.hall
    if hall_path is None:
        if not os.path.exists(ns.fleet):
            raise FleetError("no device registry at %s: enrol devices first with `hallmesh devices add`" % ns.fleet)
        hall_path = Registry(ns.fleet).hall_file
    return Registry(ns.fleet, hall=config.load(hall_path) if hall_path else None)


def flash_batch(flasher, jobs, console):
    """Flash each (port, device) in turn under a progress bar; the results, in order."""
    results = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("starting", total=len(jobs))
        for port, device_id in jobs:
            flasher.step = lambda text, d=device_id: progress.update(task, description=escape("%s: %s" % (d, text)))
            results.append(flasher.flash(port, device_id))
            progress.advance(task)
        progress.update(task, description="done")
    return results


def summary(results, console):
    table = Table(title="flash.sh: %d of %d boards flashed" % (sum(r.ok for r in results), len(results)))
    for column in ("device", "port", "result", "detail"):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(escape(r.device_id), escape(r.port), "[green]ok[/]" if r.ok else "[red]FAILED[/]",
                      escape(r.message))
    console.print(table)


def main(argv=None):
    ns = build_parser().parse_args(argv)
    console = Console(stderr=False, highlight=False)
    try:
        if bool(ns.batch) == bool(ns.port or ns.device):
            raise FleetError("give either --port and --device, or --batch FILE")
        if not ns.batch and not (ns.port and ns.device):
            raise FleetError("give both --port and --device")
        jobs = read_batch(ns.batch) if ns.batch else [(ns.port, ns.device)]
        umqtt_source(ns.umqtt_dir)          # a wrong --umqtt-dir is named before any board is touched
        flasher = Flasher(open_registry(ns), site_from(ns), umqtt_dir=ns.umqtt_dir, wait_birth=not ns.no_wait,
                          birth_timeout=ns.birth_timeout, force_board=ns.force_board, image=ns.micropython,
                          board_timeout=ns.board_timeout)
    except (FleetError, config.ConfigError) as exc:
        print("flash.sh: %s" % exc, file=sys.stderr)
        return 2
    if ns.batch:
        results = flash_batch(flasher, jobs, console)
        summary(results, console)
    else:
        flasher.step = lambda text: console.print("[dim]..[/] %s" % escape(text))
        results = [flasher.flash(*jobs[0])]
        report(results[0], console)
    return 0 if all(r.ok for r in results) else 1


def report(result: Result, console):
    if result.ok:
        console.print("[green]%s on %s: %s[/]" % (escape(result.device_id), escape(result.port), escape(result.message)))
    else:       # plain text: not wrapped, so staff can copy the command it names
        print("flash.sh: %s on %s FAILED: %s" % (result.device_id, result.port, result.message), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
