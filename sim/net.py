"""A device's TCP socket as MicroPython offers it (read/write/setblocking/settimeout), over a
real CPython socket, with what Wi-Fi loss does to it.

When the simulated network is cut the socket becomes a black hole: writes vanish, nothing
arrives, blocking reads time out; the broker hears nothing either, so it is the keepalive
that finds the device gone, as with a real radio. Blocking waits are sliced so that a power
cut stops the device's thread within a fraction of a second.
"""
import errno
import socket
import time

from sim import board as boards

SLICE_S = 0.1
CONNECT_TIMEOUT_S = 5.0


class SimSocket:
    def __init__(self, board):
        self.board = board
        self.sock = None
        self.timeout = None          # None = block for ever, 0 = non-blocking
        self.dark = False            # the network was cut under this socket
        board.sockets.append(self)

    # --- setup -------------------------------------------------------------------

    def connect(self, addr):
        self.board.check_power()
        if not self.board.net_up:
            time.sleep(0.05)
            raise OSError(errno.EHOSTUNREACH, "EHOSTUNREACH")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(CONNECT_TIMEOUT_S)
        try:
            sock.connect(addr)
        except OSError:
            sock.close()
            raise
        self.sock = sock

    def setblocking(self, flag):
        self.timeout = None if flag else 0

    def settimeout(self, value):
        self.timeout = value

    # --- traffic -----------------------------------------------------------------

    def write(self, data, length=None):
        self.board.check_power()
        data = bytes(data if length is None else data[:length])
        if self.dark:
            return len(data)
        self._live().settimeout(CONNECT_TIMEOUT_S)
        self.sock.sendall(data)
        return len(data)

    def read(self, n):
        """Non-blocking: None when nothing is waiting. Blocking: exactly n bytes, b'' at EOF,
        OSError(ETIMEDOUT) when the timeout passes."""
        if self.timeout == 0:
            return self._read_now(n)
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        got = bytearray()
        while len(got) < n:
            self.board.check_power()
            chunk = self._read_slice(n - len(got))
            if chunk == b"":
                return bytes(got)
            if chunk:
                got.extend(chunk)
            elif deadline is not None and time.monotonic() >= deadline:
                raise OSError(errno.ETIMEDOUT, "ETIMEDOUT")
        return bytes(got)

    def _read_now(self, n):
        self.board.check_power()
        if self.dark:
            return None
        sock = self._live()
        sock.setblocking(False)
        try:
            return sock.recv(n)
        except BlockingIOError:
            return None
        except OSError as exc:
            raise OSError(errno.ECONNRESET, str(exc))

    def _read_slice(self, n):
        """Up to n bytes within one slice; None if none came."""
        if self.dark:
            time.sleep(SLICE_S)
            return None
        sock = self._live()
        sock.settimeout(SLICE_S)
        try:
            return sock.recv(n)
        except socket.timeout:
            return None
        except OSError as exc:
            raise OSError(errno.ECONNRESET, str(exc))

    def _live(self):
        if self.sock is None:
            raise OSError(errno.ENOTCONN, "ENOTCONN")
        return self.sock

    # --- endings -----------------------------------------------------------------

    def close(self):
        """The firmware closes its socket. On a dark network the FIN never reaches the broker,
        so the real socket stays open until the network returns (see close_now)."""
        if not self.dark:
            self.close_now()

    def blackhole(self):
        self.dark = True

    def close_now(self):
        if self in self.board.sockets:
            self.board.sockets.remove(self)
        sock, self.sock = self.sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass


def getaddrinfo(host, port, *_):
    """MicroPython's socket.getaddrinfo shape: [(family, type, proto, canonname, addr)]."""
    boards.current().check_power()
    return socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
