"""Stand-in for micropython-lib's umqtt.simple, for firmware running in the simulator.

Same API (MQTTClient with connect/disconnect/ping/publish/subscribe/wait_msg/check_msg,
set_callback, set_last_will, MQTTException) and the same failure behaviour the firmware must
cope with on a board: connect blocks; a dead or closed socket raises OSError; check_msg
never blocks waiting for a first byte but blocks for the rest of a message; publish with
QoS 1 and subscribe block until the broker answers. Written for MQTT 3.1.1 from the
specification; it speaks through sim.net.SimSocket so that network cuts reach it.

It also keeps the real module's rough edges (micropython-lib 1.7.0/1.8.0), so the simulator
cannot hide them (tests/sim/test_umqtt_standin.py pins each):
- the packet id counts up for ever and goes out as its low 16 bits: the 65,536th QoS 1 packet
  of a connection carries id 0, which a broker answers by dropping the connection;
- a user with `password=None` makes connect() raise TypeError (the password's length is
  taken whenever a user is set); a user of "" means no login at all.
"""
import struct

from sim import board as boards
from sim import net


class MQTTException(Exception):
    pass


def _varlen(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(value):
    if isinstance(value, str):
        value = value.encode()
    return struct.pack("!H", len(value)) + value


class MQTTClient:
    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0,
                 ssl=None, ssl_params=None):
        if ssl:
            raise MQTTException("the simulator's umqtt stand-in has no TLS")
        self.client_id = client_id
        self.server = server
        self.port = port or 1883
        self.user = user
        self.pswd = password
        self.keepalive = keepalive
        self.sock = None
        self.cb = None
        self.pid = 0
        self.lw_topic = None
        self.lw_msg = None
        self.lw_qos = 0
        self.lw_retain = False

    def set_callback(self, f):
        self.cb = f

    def set_last_will(self, topic, msg, retain=False, qos=0):
        if not topic:
            raise ValueError("last will needs a topic")
        if not 0 <= qos <= 2:
            raise ValueError("qos must be 0-2")
        self.lw_topic, self.lw_msg, self.lw_retain, self.lw_qos = topic, msg, retain, qos

    # --- connection ---------------------------------------------------------------

    def connect(self, clean_session=True, timeout=None):
        sock = net.SimSocket(boards.current())
        sock.settimeout(timeout)
        sock.connect(net.getaddrinfo(self.server, self.port)[0][-1])
        self.sock = sock
        flags = 0x02 if clean_session else 0
        payload = _string(self.client_id)
        if self.lw_topic:
            flags |= 0x04 | (self.lw_qos << 3) | (0x20 if self.lw_retain else 0)
            payload += _string(self.lw_topic) + _string(self.lw_msg)
        if self.user:
            # as the real module: both flags whenever a user is set; len(None) is a TypeError
            _ = len(self.user) + len(self.pswd)
            flags |= 0xC0
            payload += _string(self.user) + _string(self.pswd)
        body = _string("MQTT") + bytes([4, flags]) + struct.pack("!H", self.keepalive) + payload
        self.sock.write(b"\x10" + _varlen(len(body)) + body)
        resp = self.sock.read(4)
        if len(resp) < 4:
            raise OSError(-1, "connection closed before CONNACK")
        if resp[0] != 0x20 or resp[1] != 0x02:
            raise MQTTException("unexpected reply to CONNECT: %r" % resp)
        if resp[3] != 0:
            raise MQTTException(resp[3])
        return resp[2] & 1

    def disconnect(self):
        self.sock.write(b"\xe0\x00")
        self.sock.close()

    def ping(self):
        self.sock.write(b"\xc0\x00")

    # --- publishing and subscribing -------------------------------------------------

    def _next_pid(self):
        # never wrapped, as the real module: struct.pack_into keeps the low 16 bits
        self.pid += 1
        return self.pid & 0xFFFF

    def publish(self, topic, msg, retain=False, qos=0):
        if qos not in (0, 1):
            raise MQTTException("QoS %r is not supported" % qos)
        if isinstance(msg, str):
            msg = msg.encode()
        body = _string(topic)
        pid = 0
        if qos:
            pid = self._next_pid()
            body += struct.pack("!H", pid)
        body += msg
        self.sock.write(bytes([0x30 | (qos << 1) | (1 if retain else 0)]) + _varlen(len(body)) + body)
        while qos:
            op = self.wait_msg()
            if op == 0x40:
                size = self.sock.read(1)
                got = self.sock.read(2)
                if size == b"\x02" and struct.unpack("!H", got)[0] == pid:
                    return

    def subscribe(self, topic, qos=0):
        if self.cb is None:
            raise MQTTException("subscribe before set_callback")
        pid = self._next_pid()
        body = struct.pack("!H", pid) + _string(topic) + bytes([qos])
        self.sock.write(b"\x82" + _varlen(len(body)) + body)
        while True:
            op = self.wait_msg()
            if op == 0x90:
                resp = self.sock.read(4)
                if resp[1:3] != struct.pack("!H", pid):
                    continue
                if resp[3] == 0x80:
                    raise MQTTException("subscription to %r refused" % topic)
                return

    # --- receiving ------------------------------------------------------------------

    def _read_len(self):
        n, shift = 0, 0
        while True:
            byte = self.sock.read(1)
            if not byte:
                raise OSError(-1, "connection closed")
            n |= (byte[0] & 0x7F) << shift
            if not byte[0] & 0x80:
                return n
            shift += 7

    def wait_msg(self):
        """Handle one incoming packet. Returns None for nothing waiting (non-blocking), a
        PINGRESP or a PUBLISH (given to the callback); otherwise the packet type byte, with
        the rest of that packet left for the caller to read."""
        first = self.sock.read(1)
        self.sock.setblocking(True)
        if first is None:
            return None
        if first == b"":
            raise OSError(-1, "connection closed")
        if first == b"\xd0":
            if self.sock.read(1) != b"\x00":
                raise MQTTException("malformed PINGRESP")
            return None
        op = first[0]
        if op & 0xF0 != 0x30:
            return op
        size = self._read_len()
        tlen = struct.unpack("!H", self.sock.read(2))[0]
        topic = self.sock.read(tlen)
        size -= tlen + 2
        pid = None
        if op & 6:
            pid = struct.unpack("!H", self.sock.read(2))[0]
            size -= 2
        msg = self.sock.read(size) if size else b""
        self.cb(topic, msg)
        if op & 6 == 2:
            self.sock.write(b"\x40\x02" + struct.pack("!H", pid))
        elif op & 6 == 4:
            raise MQTTException("QoS 2 is not supported")
        return None

    def check_msg(self):
        self.sock.setblocking(False)
        return self.wait_msg()
