"""`hallmesh devices add|list|remove|import|broker-files`.

Wiring: `register(subparsers)` adds the `devices` command to hallmesh's parser; the parsed
namespace then carries `run`, which takes the namespace and returns an exit code.
`main(argv)` runs the same thing on its own (`python -m gateway.fleet.cli list`).
"""
import argparse
import json
import os
import sys
import time

from gateway import config
from gateway.fleet import FleetError
from gateway.fleet.registry import DEFAULT_PATH, KINDS, Registry


def register(subparsers):
    """Add `devices` to an argparse subparsers object."""
    devices = subparsers.add_parser("devices", help="enrol devices, list them, write the broker's files")
    _build(devices)
    return devices


def build_parser():
    parser = argparse.ArgumentParser(prog="hallmesh devices")
    _build(parser)
    return parser


def main(argv=None):
    ns = build_parser().parse_args(argv)
    return ns.run(ns)


def _build(parser):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--fleet", default=DEFAULT_PATH, metavar="DB",
                        help="the device registry (default %(default)s; env HALLMESH_FLEET)")
    common.add_argument("--hall", metavar="TOML",
                        help="hall config (remembered by the registry after the first use)")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    add = verbs.add_parser("add", parents=[common], help="enrol one device")
    add.add_argument("--kind", required=True, help="printer, display or pad (also %s)"
                     % ", ".join(k for k, v in KINDS.items() if k != v))
    add.add_argument("--window", help="the window number (pads, window displays)")
    add.add_argument("--board", help="board name from boards/ (default: the hall config's, or hm-KIND-v1)")
    add.add_argument("--id", dest="device_id", help="choose the id instead of KIND-N")
    add.set_defaults(run=run_add)
    lst = verbs.add_parser("list", parents=[common], help="devices with their presence")
    lst.add_argument("--all", action="store_true", help="include removed devices")
    lst.add_argument("--json", action="store_true", help="machine-readable output (no passwords)")
    lst.set_defaults(run=run_list)
    rm = verbs.add_parser("remove", parents=[common], help="revoke a device (then regenerate the broker files)")
    rm.add_argument("device_id", metavar="ID")
    rm.set_defaults(run=run_remove)
    imp = verbs.add_parser("import", parents=[common], help="enrol from a CSV (kind,window,board[,id]) or a hall TOML")
    imp.add_argument("file", metavar="FILE")
    imp.set_defaults(run=run_import)
    bf = verbs.add_parser("broker-files", parents=[common], help="write Mosquitto's passwd, acl and mosquitto.conf")
    bf.add_argument("--out", default=os.path.join("run", "broker"), help="output directory (default %(default)s)")
    bf.add_argument("--listen", default="0.0.0.0:1883", metavar="HOST:PORT", help="default %(default)s")
    bf.add_argument("--tls-ca", help="CA certificate (PEM): adds a TLS listener (see --tls-port)")
    bf.add_argument("--tls-cert", help="the broker's certificate (PEM)")
    bf.add_argument("--tls-key", help="the broker's private key (PEM)")
    bf.add_argument("--tls-port", type=int, default=8883, help="the TLS listener's port (default %(default)s)")
    bf.set_defaults(run=run_broker_files)


def _guarded(fn):
    """FleetError and ConfigError become one line on stderr and exit code 2."""
    def run(ns):
        try:
            return fn(ns) or 0
        except (FleetError, config.ConfigError) as exc:
            print("hallmesh devices: %s" % exc, file=sys.stderr)
            return 2
    run.__name__ = fn.__name__
    return run


def open_registry(ns, need_hall=False, create=False):
    """The registry, bound to --hall or to the hall file it remembers. Only enrolling creates
    one: a mistyped --fleet must not look like an empty hall."""
    if not create and not os.path.exists(ns.fleet):
        raise FleetError("no device registry at %s: check --fleet, or enrol the first device with "
                         "`hallmesh devices add --hall HALL.toml --kind KIND [--window N]`" % ns.fleet)
    hall_path = ns.hall
    if hall_path is None and os.path.exists(ns.fleet):
        hall_path = Registry(ns.fleet).hall_file
    if hall_path is None and need_hall:
        raise FleetError("which hall? pass --hall halls/<hall>.toml")
    hall = config.load(hall_path) if hall_path else None
    return Registry(ns.fleet, hall=hall)


@_guarded
def run_add(ns):
    registry = open_registry(ns, need_hall=True, create=True)
    device = registry.add(ns.kind, ns.window, ns.board, ns.device_id)
    print("enrolled %s: %s at %s, board %s" % (device.id, device.kind, device.place, device.board))
    print("next: `hallmesh devices broker-files` (then reload Mosquitto) and "
          "`./flash.sh --port PORT --device %s`" % device.id)


@_guarded
def run_list(ns):
    registry = open_registry(ns)
    devices = registry.list(include_removed=ns.all)
    if ns.json:
        print(json.dumps([_public(d) for d in devices], indent=1))
        return 0
    sys.stdout.write(format_table(devices))


@_guarded
def run_remove(ns):
    registry = open_registry(ns)
    device = registry.remove(ns.device_id)
    print("removed %s (%s at %s): run `hallmesh devices broker-files` and reload Mosquitto "
          "(`systemctl reload mosquitto`) to lock it out" % (device.id, device.kind, device.place))


@_guarded
def run_import(ns):
    from gateway.fleet.importing import import_csv, import_hall

    if ns.file.endswith(".toml"):
        hall = config.load(ns.file)
        ns.hall = ns.hall or ns.file
        added = import_hall(open_registry(ns, need_hall=True, create=True), hall)
    else:
        added = import_csv(open_registry(ns, need_hall=True, create=True), ns.file)
    for device in added:
        print("enrolled %s: %s at %s, board %s" % (device.id, device.kind, device.place, device.board))
    print("%d device(s) enrolled" % len(added))


@_guarded
def run_broker_files(ns):
    from gateway.fleet.broker_auth import write_broker_files

    host, sep, port = ns.listen.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise FleetError("--listen must be HOST:PORT, got %r" % ns.listen)
    tls = None
    if ns.tls_ca or ns.tls_cert or ns.tls_key:
        if not 0 < ns.tls_port < 65536 or ns.tls_port == int(port):
            raise FleetError("--tls-port must be a free port other than the plain listener's, got %d" % ns.tls_port)
        tls = {"cafile": ns.tls_ca, "certfile": ns.tls_cert, "keyfile": ns.tls_key, "port": ns.tls_port}
    registry = open_registry(ns)
    paths = write_broker_files(registry, ns.out, host or "0.0.0.0", int(port), tls)
    user, _ = registry.account("gateway")
    print("wrote %s" % ", ".join(paths.values()))
    print("start: mosquitto -c %s   (or reload a running one: kill -HUP <pid>)" % paths["mosquitto.conf"])
    print("the gateway logs in as %s; its password is in %s" % (user, ns.fleet))


COLUMNS = ("id", "kind", "place", "board", "fw", "online", "last birth", "heap", "rssi")


def format_table(devices, now=None):
    """Plain aligned columns (greppable, no colour). A board that reported a different board
    name than it was enrolled with is marked with '!'."""
    rows = [COLUMNS]
    for d in devices:
        board = d.board if not d.seen_board or d.seen_board == d.board else "%s!(%s)" % (d.board, d.seen_board)
        state = "removed" if d.revoked_at else ("yes" if d.online else ("no" if d.last_change else "never seen"))
        rows.append((d.id, d.kind, d.place, board, d.fw or "-", state, _age(d.last_birth, now),
                     "-" if d.heap is None else str(d.heap), "-" if d.rssi is None else str(d.rssi)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    if not devices:
        lines.append("(no devices enrolled: `hallmesh devices add --kind KIND [--window N]`)")
    return "\n".join(lines) + "\n"


def _age(at, now=None):
    if at is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def _public(d):
    out = {k: getattr(d, k) for k in ("id", "kind", "board", "window", "online", "fw", "seen_board",
                                       "heap", "rssi", "ses", "rst", "last_birth", "enrolled_at", "revoked_at")}
    return out


if __name__ == "__main__":
    sys.exit(main())
