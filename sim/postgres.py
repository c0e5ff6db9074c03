"""A throwaway PostgreSQL server from the system's packages, for tests and benches: initdb
into a fresh directory, started on a private unix socket (no TCP port, so nothing else on
the machine can reach it or collide with it), killed or stopped on demand, removed after.

PostgreSQL refuses to run as root; as root the server runs as the `postgres` user (Debian's
package makes it) on a directory it owns.

    with Postgres() as pg:
        conn = psycopg.connect(pg.dsn)
"""
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time


class PostgresUnavailable(RuntimeError):
    pass


def bin_dir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise PostgresUnavailable("no PostgreSQL server binaries under /usr/lib/postgresql "
                                  "(make test-deps installs the postgresql package)")
    return os.path.dirname(found[-1])


class Postgres:
    def __init__(self, settings=()):
        self.bin = bin_dir()
        self.root = tempfile.mkdtemp(prefix="hmpg-")
        self.data = os.path.join(self.root, "data")
        self.sockets = os.path.join(self.root, "s")
        self.settings = ["-c", "fsync=on", "-c", "max_connections=40"] + list(settings)
        self.user = "postgres" if os.geteuid() == 0 else None
        os.makedirs(self.sockets)
        if self.user:
            shutil.chown(self.root, self.user)
            shutil.chown(self.sockets, self.user)
            os.chmod(self.root, 0o755)
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions")

    @property
    def dsn(self):
        return "host=%s user=postgres dbname=postgres" % self.sockets

    def _run(self, tool, *args, check=True):
        cmd = [os.path.join(self.bin, tool)] + list(args)
        if self.user:
            cmd = ["runuser", "-u", self.user, "--"] + cmd
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        if check and done.returncode:
            raise PostgresUnavailable("%s failed: %s" % (tool, done.stdout[-2000:]))
        return done

    def start(self):
        """Start and return once it accepts connections (pg_ctl -w waits for that)."""
        options = " ".join(["-k", self.sockets, "-c", "listen_addresses="] + self.settings)
        logfile = os.path.join(self.root, "server.log")
        try:
            self._run("pg_ctl", "start", "-w", "-t", "60", "-D", self.data, "-l", logfile, "-o", options)
        except PostgresUnavailable as exc:
            with open(logfile, errors="replace") as f:
                raise PostgresUnavailable("%s; server log: %s" % (exc, f.read()[-1500:])) from None
        return self

    def stop(self):
        """A clean shutdown that does not wait for clients to leave."""
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", self.data, check=False)

    def kill(self):
        """SIGKILL the postmaster and every backend at once, as a power cut would; the next
        start() runs crash recovery."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        group = [pid] + _children(pid)
        for each in group:
            _signal(each, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(_alive(each) for each in group) and time.monotonic() < deadline:
            time.sleep(0.05)
        # this machine's init may leave the dead postmaster a zombie for a while, and a zombie
        # still "exists" for PostgreSQL's stale-lock check: the lock files go, as after a reboot
        for lock in (os.path.join(self.data, "postmaster.pid"), os.path.join(self.sockets, ".s.PGSQL.5432.lock")):
            if os.path.exists(lock):
                os.unlink(lock)

    def postmaster_pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _children(pid):
    kids = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.split("/")[2]))
    return kids


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
