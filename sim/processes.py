"""Child processes the simulator, the tests and the benchmarks start and stop: a Mosquitto on a
free loopback port, and any command (the gateway) with its output in a log file. One place,
so that every part kills, stops and waits the same way."""
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, host="127.0.0.1", timeout=10.0):
    """True once something accepts connections on host:port, False after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def mosquitto_binary():
    """The path of a mosquitto binary, or None."""
    for path in (shutil.which("mosquitto"), "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"):
        if path and os.path.exists(path):
            return path
    return None


class ChildProcess:
    """A command run in the repository with its output appended to a log file."""

    def __init__(self, cmd, log_path, env=None):
        self.cmd, self.log_path, self.env = cmd, log_path, env
        self.proc = None

    def start(self):
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(self.command(), cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                         env=self.env)
        return self

    def command(self):
        """The command line (subclasses may build it at each start)."""
        return self.cmd

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """A crash: SIGKILL, nothing of the process's own shutdown runs."""
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, grace_s=10.0):
        """A clean stop: SIGTERM, and SIGKILL if it is not gone within grace_s."""
        if self.running():
            self.proc.terminate()
            try:
                self.proc.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""


class Mosquitto(ChildProcess):
    """A Mosquitto on 127.0.0.1 (a free port unless given). `extra_conf` lines are appended to
    its config (password file, ACL ...). It has the limits every hallmesh broker has
    (gateway/broker_limits.py: packet size, queues large enough that a burst after an outage
    is not dropped, Nagle off) and persists to its folder: a clean stop and start keeps the
    retained messages and sessions, as a hall's broker would; a kill loses what it had not
    saved yet, as a crash would."""

    def __init__(self, port=None, extra_conf="", workdir=None):
        binary = mosquitto_binary()
        if binary is None:
            raise RuntimeError("no mosquitto binary: install it (apt-get install mosquitto) or run 'make test'")
        self.port = port or free_port()
        self.extra_conf = extra_conf
        self.dir = workdir or tempfile.mkdtemp(prefix="hm-mosq-")
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        ChildProcess.__init__(self, [binary, "-c", self.conf], os.path.join(self.dir, "mosquitto.log"))

    def start(self):
        from gateway.broker_limits import mosquitto_lines
        with open(self.conf, "w") as f:
            # `user`: a broker started as root keeps our user, who can write its folder
            f.write("listener %d 127.0.0.1\nallow_anonymous true\nmax_keepalive 65535\nuser %s\n"
                    % (self.port, getpass.getuser()))
            f.write("\n".join(mosquitto_lines(self.dir)) + "\n")
            f.write(self.extra_conf)
        ChildProcess.start(self)
        if not wait_port(self.port):
            self.stop()
            raise RuntimeError("mosquitto did not listen on 127.0.0.1:%d:\n%s" % (self.port, self.log()[-2000:]))
        return self

    def stop(self, grace_s=5.0):
        ChildProcess.stop(self, grace_s)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
