# Wi-Fi and MQTT supervision: connect with a last-will, publish the birth, subscribe, keep the
# link alive with pings, and when anything fails drop the link and retry with backoff and
# jitter. umqtt.simple blocks on a dead socket, so its socket is wrapped (Watched) to bound
# every blocking read and to note when the broker last said anything.
import random
import time

try:
    import socket
except ImportError:       # a port without sockets (the WebAssembly build of the heap checks)
    socket = None  # type: ignore[assignment]

import network
from umqtt.simple import MQTTClient

from protocol import codec, messages, topics

BLOCK_S = 5               # longest a read may block before the link counts as dead
STALL_MS = 5000           # default stall_ms: longest a publish, or a connect's subscribing, holds the loop
BACKOFF_MIN_MS = 1000
BACKOFF_MAX_MS = 30000
MSGS_PER_POLL = 8
PID_LAST = 65535          # umqtt.simple never wraps its packet id: the firmware does (publish)


def no_delay(sock):
    # Nagle off where the port's socket has the option (ESP32's lwIP does): else every
    # event waits for the broker's delayed ACK
    opt = getattr(socket, "TCP_NODELAY", None)
    if opt is not None and hasattr(sock, "setsockopt"):
        try:
            sock.setsockopt(getattr(socket, "IPPROTO_TCP", 6), opt, 1)
        except OSError:
            pass


class Watched:
    """The MQTT socket, seen through a lens: blocking reads time out, and all of them together
    within one operation's deadline (so a broker that keeps talking cannot hold a publish
    either); inbound bytes are dated."""

    def __init__(self, sock):
        self.sock = sock
        self.heard = time.ticks_ms()
        self.empty = False        # the last read found nothing waiting
        self.deadline = None      # ticks by which the current operation must be done
        self.blocking = True

    def read(self, n):
        self._bound()
        data = self.sock.read(n)
        self.empty = data is None
        if data:
            self.heard = time.ticks_ms()
        return data

    def start(self, ms):
        self.deadline = time.ticks_add(time.ticks_ms(), ms)

    def done(self):
        self.deadline = None

    def _bound(self):
        if self.deadline is None:
            return
        left = time.ticks_diff(self.deadline, time.ticks_ms())
        if left <= 0:
            raise OSError(110, "operation over its time")   # ETIMEDOUT
        if self.blocking and left < BLOCK_S * 1000:
            self.sock.settimeout(left / 1000)

    def write(self, *args):
        return self.sock.write(*args)

    def setblocking(self, flag):
        self.blocking = flag
        if flag:
            self.sock.settimeout(BLOCK_S)
        else:
            self.sock.setblocking(False)

    def settimeout(self, value):
        self.sock.settimeout(value)

    def close(self):
        self.sock.close()


class Link:
    def __init__(self, cfg, birth, on_message):
        self.cfg = cfg
        self.birth = birth                # () -> dict, fresh figures for every connect
        self.on_message = on_message      # (channel, msg dict) for our topics and "gw"
        self.keepalive = cfg["keepalive"]
        self.stall_ms = cfg.get("stall_ms", STALL_MS)
        self.client = None
        self.wlan = network.WLAN(network.STA_IF)
        self.wifi_asked = False
        self.retry_at = time.ticks_ms()
        self.backoff = BACKOFF_MIN_MS
        self.pinged = time.ticks_ms()
        self.down_since = time.ticks_ms()
        self.bad = 0                      # malformed messages received
        self.last_error = ""
        self.state_topic = topics.device(cfg["hall"], cfg["id"], topics.STATE)
        self.gw_topic = topics.gateway_state(cfg["hall"])
        self.prefix = topics.device_filter(cfg["hall"], cfg["id"])[:-1]

    def up(self):
        return self.client is not None

    def offline_ms(self):
        return 0 if self.client else time.ticks_diff(time.ticks_ms(), self.down_since)

    # --- the loop's entry point ------------------------------------------------------

    def poll(self, session):
        if self.client is None:
            if time.ticks_diff(time.ticks_ms(), self.retry_at) >= 0:
                self._connect(session)
            return
        if not self.wlan.isconnected():
            return self.drop("wifi lost")
        try:
            for _ in range(MSGS_PER_POLL):
                self.client.check_msg()
                if self.client is None or self.client.sock.empty:
                    break
            self._keep_alive()
        except OSError as exc:
            self.drop("socket: " + str(exc))

    def _keep_alive(self):
        if self.client is None:
            return
        now = time.ticks_ms()
        silent = time.ticks_diff(now, self.client.sock.heard)
        if silent > self.keepalive * 1000:
            return self.drop("broker silent for " + str(silent // 1000) + " s")
        if time.ticks_diff(now, self.pinged) > self.keepalive * 1000 // 3:
            self.client.ping()
            self.pinged = now

    # --- connecting ------------------------------------------------------------------

    def _wifi(self):
        if self.wlan.isconnected():
            return True
        if not self.wifi_asked:
            self.wlan.active(True)
            wifi = self.cfg.get("wifi") or {}
            self.wlan.connect(wifi.get("ssid", ""), wifi.get("key", ""))
            self.wifi_asked = True
        return self.wlan.isconnected()

    def _connect(self, session):
        if not self._wifi():
            return self._later("no wifi yet")
        cfg, broker = self.cfg, self.cfg["broker"]
        # umqtt.simple takes len() of the password whenever a user is set: never None then
        user = broker.get("user") or None
        password = (broker.get("password") or "") if user else None
        client = MQTTClient(cfg["id"], broker["host"], broker.get("port", 1883), user, password,
                            self.keepalive)
        client.set_callback(self._received)
        client.set_last_will(self.state_topic, codec.encode(messages.will(session)), True, 1)
        try:
            # TCP connect and CONNACK within BLOCK_S each; subscribing and the birth within
            # stall_ms together: a connect holds the loop up at most 2 x BLOCK_S + stall_ms
            client.connect(timeout=BLOCK_S)
            no_delay(client.sock)
            client.sock = Watched(client.sock)
            self.client = client
            client.sock.start(self.stall_ms)
            client.subscribe(self.prefix + "#", 1)
            client.subscribe(self.gw_topic, 1)
            client.publish(self.state_topic, codec.encode(self.birth()), True, 1)
            client.sock.done()
        except Exception as exc:   # OSError, or MQTTException when the broker refuses us
            self.client = client   # so drop() closes its socket
            return self.drop("connect: " + repr(exc))
        self.backoff = BACKOFF_MIN_MS
        self.pinged = time.ticks_ms()
        self.last_error = ""
        self.on_message("up", None)

    def _later(self, why):
        self.last_error = why
        jitter = random.getrandbits(10) * self.backoff // 2048   # up to half the backoff
        self.retry_at = time.ticks_add(time.ticks_ms(), self.backoff + jitter)
        self.backoff = min(self.backoff * 2, BACKOFF_MAX_MS)

    def drop(self, why):
        """Forget the connection (the broker publishes our will) and schedule a retry."""
        client, self.client = self.client, None
        if client is not None:
            try:
                client.sock.close()
            except Exception:
                pass
            self.down_since = time.ticks_ms()
            self.on_message("down", None)
        if self.wifi_asked and not self.wlan.isconnected():
            self.wifi_asked = False
        self._later(why)

    # --- traffic ---------------------------------------------------------------------

    def publish(self, topic, payload, retain=False):
        """True if the broker took it; on failure the link is dropped and False returned."""
        if self.client is None:
            return False
        if self.client.pid >= PID_LAST:
            # the next id would go out as 0 and the broker would drop us; ids are never in
            # flight together (a QoS 1 publish waits for its PUBACK), so start again at 1
            self.client.pid = 0
        sock = self.client.sock
        try:
            sock.start(self.stall_ms)     # waiting for the PUBACK holds the loop; not for ever
            self.client.publish(topic, payload, retain, 1)
            sock.done()
            return True
        except OSError as exc:
            self.drop("publish: " + str(exc))
            return False

    def _received(self, topic, payload):
        if isinstance(topic, bytes):
            topic = topic.decode()
        channel = "gw" if topic == self.gw_topic else topic[len(self.prefix):]
        if not payload:
            return        # a retained message the gateway cleared: nothing to act on
        try:
            msg = codec.decode(payload)
        except Exception:
            self.bad += 1
            return
        self.on_message(channel, msg)
