"""A simulated ESP32 with MicroPython on a pseudo-terminal, for the real `mpremote`.

It answers MicroPython's raw REPL the way the board does (what mpremote's transport_serial
sends and expects): Ctrl-A enters raw mode ("raw REPL; CTRL-B to exit\\r\\n>"), Ctrl-D on an
empty line soft-resets, Ctrl-D after code answers "OK", the output, \\x04, the error text,
\\x04 and the ">" prompt; "\\x05A\\x01" negotiates raw-paste mode with flow control windows.
The code mpremote sends (its fs commands are small Python snippets: os.ilistdir, os.stat,
open(...).write(b'...'), hashlib, ...) runs in CPython with MicroPython-shaped os, sys,
machine, time and gc modules and an `open` whose file system is a host directory: the
board's flash. Errors print like MicroPython's ("OSError: [Errno 2] ENOENT"), which is what
mpremote parses. machine.reset() reboots to the friendly REPL and counts a reset; the board
does not run main.py itself: sim.device boots the firmware from the same flash directory.

    board = RawReplBoard("/tmp/flash").start()     # board.port: "/dev/pts/7"
    subprocess.run([".venv/bin/mpremote", "connect", board.port, "fs", "ls"])
    board.stop()
"""
import builtins
import errno
import io
import os
import posixpath
import select
import struct
import sys
import threading
import time
import traceback
import tty
import types

RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n>"
PASTE_WINDOW = 512
# MicroPython version -> (.mpy version, sub-version), from docs/reference/mpyfiles
MPY_OF = [((1, 23), (6, 3)), ((1, 22), (6, 2)), ((1, 20), (6, 1)), ((1, 19), (6, 0)), ((1, 12), (5, 0))]
ARCH_XTENSAWIN = 10          # MP_NATIVE_ARCH_XTENSAWIN, in sys.implementation._mpy bits 10+
IMPORTABLE = {"hashlib", "binascii", "json", "struct", "errno", "io", "random", "math", "collections"}


class _HardReset(BaseException):
    """machine.reset(): a BaseException so board code's `except Exception` cannot swallow it."""


class RawReplBoard:
    def __init__(self, flash_dir, version=(1, 27, 0), micropython=True, flash_size=2 * 1024 * 1024,
                 machine="Generic ESP32 module with ESP32", on_reset=None):
        """micropython=False: an erased board (no MicroPython): it never shows a REPL."""
        self.flash = Flash(flash_dir, flash_size)
        self.version, self.micropython, self.machine_name = tuple(version), micropython, machine
        self.on_reset = on_reset            # called (from the board's thread) after machine.reset()
        self.resets = 0                     # hard resets so far
        self.execs = 0                      # code blocks run so far
        self.port = None
        self._mode, self._buf, self._pasted = "friendly", bytearray(), 0
        self._stop = threading.Event()
        self._thread = None
        self._globals = None
        os.makedirs(flash_dir, exist_ok=True)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self):
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)             # no echo or CR/LF mangling even before pyserial's setup
        self.port = os.ttyname(self._slave)
        self._thread = threading.Thread(target=self._loop, name="rawrepl-board", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(5)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def unplug(self):
        """The board goes silent (USB cable pulled, brown-out): nothing is answered any more."""
        self._mode = "dead"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _loop(self):
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self._master, 4096)
            except OSError:             # nobody has the port open right now
                time.sleep(0.02)
                continue
            for byte in data:
                self._feed(byte)

    def _send(self, data):
        while data and not self._stop.is_set():
            try:
                data = data[os.write(self._master, data):]
            except BlockingIOError:
                time.sleep(0.001)

    # -- the REPL state machine ---------------------------------------------------------------

    def _feed(self, byte):
        if self._mode == "dead":
            return
        if not self.micropython:
            if byte == 0x01:            # an erased ESP32 boot-loops; it never answers Ctrl-A
                self._send(b"invalid header: 0xffffffff\r\n")
            return
        {"friendly": self._friendly, "raw": self._raw, "paste": self._paste}[self._mode](byte)

    def _friendly(self, byte):
        if byte == 0x01:
            self._mode, self._buf = "raw", bytearray()
            self._send(b"\r\n" + RAW_BANNER)
        elif byte == 0x03:
            self._send(b"\r\n>>> ")
        elif byte == 0x04:
            self._globals = None
            self._send(b"MPY: soft reboot\r\n" + self._banner())

    def _raw(self, byte):
        if byte == 0x01:
            if bytes(self._buf) == b"\x05A":       # raw-paste request
                self._mode, self._buf, self._pasted = "paste", bytearray(), 0
                self._send(b"R\x01" + struct.pack("<H", PASTE_WINDOW))
            else:
                self._buf = bytearray()
                self._send(b"\r\n" + RAW_BANNER)
        elif byte == 0x02:
            self._mode = "friendly"
            self._send(b"\r\n" + self._banner())
        elif byte == 0x03:
            self._buf = bytearray()
        elif byte == 0x04 and not self._buf:       # soft reset; stays in raw mode
            self._globals = None
            self._send(b"OK\r\nMPY: soft reboot\r\n" + RAW_BANNER)
        elif byte == 0x04:
            self._send(b"OK")
            self._run()
        else:
            self._buf.append(byte)

    def _paste(self, byte):
        if byte == 0x04:
            self._send(b"\x04")                      # end of data acknowledged
            self._mode = "raw"
            self._run()
            return
        self._buf.append(byte)
        self._pasted += 1
        if self._pasted % PASTE_WINDOW == 0:
            self._send(b"\x01")                      # room for one more window

    def _run(self):
        code, self._buf = bytes(self._buf), bytearray()
        self.execs += 1
        try:
            out, err = self._execute(code)
        except _HardReset:
            self._hard_reset()
            return
        self._send(out + b"\x04" + err + b"\x04>")

    def _hard_reset(self):
        self._mode, self._buf, self._globals = "friendly", bytearray(), None
        self.resets += 1
        self._send(b"\r\nets Jun  8 2016 00:22:57\r\n\r\nrst:0xc (SW_CPU_RESET),boot:0x13 "
                   b"(SPI_FAST_FLASH_BOOT)\r\n" + self._banner())
        if self.on_reset:
            try:
                self.on_reset(self)
            except Exception:   # noqa: BLE001 - a failing boot hook must not silence the board
                sys.stderr.write("rawrepl_board: on_reset failed:\n" + traceback.format_exc())

    def _banner(self):
        version = ".".join(str(n) for n in self.version)
        return ("MicroPython v%s on 2024-11-29; %s\r\nType \"help()\" for more information.\r\n>>> "
                % (version, self.machine_name)).encode()

    # -- running code -------------------------------------------------------------------------

    def _execute(self, code):
        """Run one block like the board: (stdout bytes, error text bytes)."""
        out = io.StringIO()
        if self._globals is None:
            self._globals = {"__name__": "__main__", "__builtins__": self._builtins()}
        self._globals["__builtins__"]["print"] = _printer(out)
        try:
            exec(compile(code.decode("utf-8"), "<stdin>", "exec"), self._globals)
            err = ""
        except _HardReset:
            raise
        except SyntaxError as exc:
            err = 'Traceback (most recent call last):\n  File "<stdin>", line %s\nSyntaxError: invalid syntax\n' % exc.lineno
        except BaseException as exc:    # noqa: BLE001 - the board reports every error as text
            err = _traceback(exc)
        return _crlf(out.getvalue()), _crlf(err)

    def _builtins(self):
        modules = {"os": self.flash.os_module(), "sys": self._sys(), "machine": self._machine(),
                   "time": _time_module(), "gc": _gc_module()}

        def _import(name, globals=None, locals=None, fromlist=(), level=0):
            if name in modules:
                return modules[name]
            if name.split(".")[0] in IMPORTABLE:
                return builtins.__import__(name, globals, locals, fromlist, level)
            raise ImportError("no module named '%s'" % name)

        table = dict(builtins.__dict__)
        table.update(__import__=_import, open=self.flash.open)
        return table

    def _sys(self):
        major, sub = next((m for v, m in MPY_OF if self.version[:2] >= v), (0, 0))
        impl = types.SimpleNamespace(name="micropython", version=self.version + ("",),
                                     _machine=self.machine_name, _mpy=major | sub << 8 | ARCH_XTENSAWIN << 10)
        return types.SimpleNamespace(implementation=impl, platform="esp32", byteorder="little",
                                     path=["", ".frozen", "/lib"], maxsize=2 ** 31 - 1, modules={},
                                     version="3.4.0; MicroPython v%s" % ".".join(map(str, self.version)))

    def _machine(self):
        def reset():
            raise _HardReset()
        return types.SimpleNamespace(reset=reset, soft_reset=reset, reset_cause=lambda: 1,
                                     unique_id=lambda: b"\x24\x0a\xc4\x00\x00\x01", freq=lambda *a: 240000000,
                                     PWRON_RESET=1, HARD_RESET=2, WDT_RESET=3, DEEPSLEEP_RESET=4, SOFT_RESET=5)


class Flash:
    """The board's file system: device paths ('/lib/x.py', relative to a cwd) inside a host
    directory, never outside it. `fail_writes_after(n)` models a failing flash chip."""

    def __init__(self, root, size):
        self.root, self.size, self.cwd = os.path.abspath(root), size, "/"
        self.write_budget = None

    def fail_writes_after(self, nbytes):
        self.write_budget = nbytes

    def host(self, path):
        path = str(path)
        if not path.startswith("/"):
            path = posixpath.join(self.cwd, path)
        return os.path.join(self.root, posixpath.normpath(path).lstrip("/"))

    def used(self):
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(self.root) for f in files)

    def _charge(self, n):
        if self.write_budget is not None:
            if n > self.write_budget:
                raise OSError(errno.EIO, "EIO")
            self.write_budget -= n
        if self.used() + n > self.size:
            raise OSError(errno.ENOSPC, "ENOSPC")

    def open(self, path, mode="r", *args, **kwargs):
        return _File(open(self.host(path), mode), self)

    def os_module(self):
        m = types.SimpleNamespace()
        m.listdir = lambda path="": sorted(os.listdir(self.host(path)))
        m.ilistdir = self._ilistdir
        m.stat = self._stat
        m.mkdir = lambda path: os.mkdir(self.host(path))
        m.rmdir = lambda path: os.rmdir(self.host(path))
        m.remove = lambda path: os.remove(self.host(path))
        m.rename = lambda old, new: os.rename(self.host(old), self.host(new))
        m.getcwd = lambda: self.cwd
        m.chdir = self._chdir
        m.statvfs = self._statvfs
        m.sync = lambda: None
        m.uname = lambda: ("esp32", "esp32", "1", "v1", "ESP32 module with ESP32")
        m.sep = "/"
        return m

    def _ilistdir(self, path=""):
        base = self.host(path)
        for name in sorted(os.listdir(base)):
            full = os.path.join(base, name)
            isdir = os.path.isdir(full)
            yield (name, 0x4000 if isdir else 0x8000, 0, 0 if isdir else os.path.getsize(full))

    def _stat(self, path):
        st = os.stat(self.host(path))
        isdir = os.path.isdir(self.host(path))
        mtime = int(st.st_mtime)
        return (0x4000 if isdir else 0x8000, 0, 0, 0, 0, 0, 0 if isdir else st.st_size, mtime, mtime, mtime)

    def _chdir(self, path):
        target = posixpath.normpath(posixpath.join(self.cwd, path))
        if not os.path.isdir(self.host(target)):
            raise OSError(errno.ENOENT, "ENOENT")
        self.cwd = target

    def _statvfs(self, path="/"):
        block = 4096
        free = max(0, self.size - self.used()) // block
        return (block, block, self.size // block, free, free, 0, 0, 0, 0, 255)


class _File:
    """A real file whose writes are charged to the flash (space, injected faults)."""

    def __init__(self, f, flash):
        self._f, self._flash = f, flash

    def write(self, data):
        self._flash._charge(len(data))
        return self._f.write(data)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __iter__(self):
        return iter(self._f)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def _printer(out):
    def _print(*args, sep=" ", end="\n", file=None):
        out.write(sep.join(str(a) for a in args) + end)
    return _print


def _time_module():
    start = time.monotonic()
    ticks = lambda: int((time.monotonic() - start) * 1000) & 0x3FFFFFFF     # noqa: E731
    return types.SimpleNamespace(time=lambda: int(time.time()), sleep=time.sleep, ticks_ms=ticks,
                                 sleep_ms=lambda ms: time.sleep(ms / 1000.0),
                                 ticks_diff=lambda a, b: ((a - b + 0x20000000) & 0x3FFFFFFF) - 0x20000000)


def _gc_module():
    return types.SimpleNamespace(collect=lambda: None, mem_free=lambda: 111168, mem_alloc=lambda: 9856)


def _traceback(exc):
    """MicroPython's way of reporting: OSError subclasses are plain OSError with the errno name."""
    line = 1
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<stdin>":
            line = tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, OSError) and exc.errno is not None:
        text = "OSError: [Errno %d] %s" % (exc.errno, errno.errorcode.get(exc.errno, str(exc.errno)))
    else:
        text = "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    return 'Traceback (most recent call last):\n  File "<stdin>", line %d, in <module>\n%s\n' % (line, text)


def _crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


class FlashBooter:
    """What a real board does at power-on and after machine.reset(): run the firmware in its
    flash. Used by the command-line board, so a board flashed by hand comes online: each
    reset stops the device that ran and boots what the flash holds now."""

    def __init__(self, flash_dir, say=print):
        self.flash_dir, self.say = flash_dir, say
        self.device = None
        self._lock = threading.Lock()

    def __call__(self, _board=None):
        from sim.device import SimDevice          # only the command line needs the simulator
        with self._lock:
            self.stop()
            if not os.path.exists(os.path.join(self.flash_dir, "config.json")):
                self.say("reset: no config.json in the flash yet: nothing to boot")
                return
            try:
                self.device = SimDevice.from_flash(self.flash_dir)
            except (ValueError, OSError) as exc:
                self.say("reset: cannot boot the flash: %s" % exc)
                return
            self.device.start()
            self.say("reset: booted %s from the flash (broker %s:%s)" % (
                self.device.id, self.device.config["broker"]["host"], self.device.config["broker"]["port"]))

    def stop(self):
        if self.device is not None:
            self.device.power_off()
            self.device = None


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(
        prog="python -m sim.rawrepl_board",
        description="A simulated ESP32 with MicroPython on a pseudo-terminal: give its port to mpremote or "
                    "flash.sh. After flashing, the board resets and boots the flashed firmware, which comes "
                    "online at the broker written into its config.json.")
    parser.add_argument("flash_dir", nargs="?", default="run/flash-board",
                        help="host folder holding the board's flash (default run/flash-board)")
    parser.add_argument("--micropython", default="1.27.0", metavar="VERSION",
                        help="the MicroPython version the board reports (default 1.27.0)")
    parser.add_argument("--no-boot", action="store_true",
                        help="only the REPL: never run the flashed firmware (as before flashing)")
    ns = parser.parse_args(argv)
    try:
        version = tuple(int(part) for part in ns.micropython.split("."))
    except ValueError:
        parser.error("--micropython: expected a version like 1.27.0, got %r" % ns.micropython)
    booter = None if ns.no_boot else FlashBooter(ns.flash_dir, lambda text: print(text, flush=True))
    board = RawReplBoard(ns.flash_dir, version=version, on_reset=booter).start()
    print("simulated ESP32 on %s (flash: %s); Ctrl-C to stop" % (board.port, board.flash.root), flush=True)
    if booter is not None:
        booter()                     # power-on: a board flashed before boots at once
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        if booter is not None:
            booter.stop()
        board.stop()
    return 0


if __name__ == "__main__":      # a board for manual use: python -m sim.rawrepl_board FLASH_DIR
    sys.exit(main())
