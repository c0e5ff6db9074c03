"""One gateway per store and per hall, checked before a gateway goes online.

Two gateways on one store issued 109 of 300 numbers twice, and two of one hall share the
broker client id, so each knocks the other off. So a gateway first takes an exclusive lock
on a file beside its store (the kernel drops it when the process dies, however it dies),
then asks the broker whether the hall's gateway is already online (its retained birth),
with a client id of its own so the asking pushes nobody off.
"""
import fcntl
import os
import threading
import uuid

import paho.mqtt.client as mqtt

from protocol import ProtocolError, codec, topics

LOCK_SUFFIX = ".lock"


class AlreadyRunning(RuntimeError):
    """Another gateway has this store or this hall."""


class LockError(RuntimeError):
    """The lock file beside the store cannot be made (a folder that cannot be written)."""


class BrokerUnreachable(RuntimeError):
    """The broker did not answer the check."""


class StoreLock:
    """An exclusive lock on `<store>.lock`, held for as long as the gateway runs."""

    def __init__(self, db_path):
        self.path = os.path.abspath(str(db_path)) + LOCK_SUFFIX
        self._fd = None

    def acquire(self):
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)   # as the store makes its folder
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockError("cannot make the gateway's lock file %s: %s" % (self.path, exc.strerror or exc))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_pid(fd)
            os.close(fd)
            raise AlreadyRunning("another gateway%s is running on the store %s (it holds %s): "
                                 "one store has one gateway; stop that one first"
                                 % (" (pid %s)" % holder if holder else "", self.path[:-len(LOCK_SUFFIX)], self.path))
        os.ftruncate(fd, 0)
        os.write(fd, b"%d\n" % os.getpid())
        self._fd = fd
        return self

    def release(self):
        if self._fd is not None:
            os.close(self._fd)       # closing drops the lock; the file stays for the next one
            self._fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def _read_pid(fd):
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


def hall_gateway_online(host, port, hall_id, credentials=None, timeout_s=10.0):
    """The retained birth of the hall's gateway if the broker says it is online, else None.
    BrokerUnreachable if the broker does not answer within timeout_s."""
    probe = _Probe(hall_id)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="hallmesh-check-%s-%s"
                         % (hall_id, uuid.uuid4().hex[:8]), clean_session=True)
    if credentials:
        client.username_pw_set(*credentials)
    client.on_connect, client.on_subscribe, client.on_message = probe.connected, probe.subscribed, probe.message
    try:
        client.connect(host, port, keepalive=max(5, int(timeout_s)))
    except OSError as exc:
        raise BrokerUnreachable("no broker at %s:%d: %s" % (host, port, exc))
    client.loop_start()
    try:
        if not probe.done.wait(timeout_s):
            raise BrokerUnreachable("the broker at %s:%d did not answer within %.0f s%s"
                                    % (host, port, timeout_s, probe.refused))
    finally:
        client.disconnect()
        client.loop_stop()
    return probe.birth if probe.birth and probe.birth.get("on") else None


class _Probe:
    """Subscribes to the hall's gateway state, then to a second topic: the broker sends the
    retained state right after the first SUBACK, so by the second SUBACK it has come, if any."""

    def __init__(self, hall_id):
        self.state_topic = topics.gateway_state(hall_id)
        self.marker_topic = self.state_topic + "/check"
        self.birth, self.refused = None, ""
        self.done = threading.Event()
        self._marker_mid = None

    def connected(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            self.refused = ": it refused the connection (%s)" % reason_code
            return
        client.subscribe(self.state_topic, 1)

    def subscribed(self, client, userdata, mid, reason_codes, properties):
        if self._marker_mid is None:
            self._marker_mid = client.subscribe(self.marker_topic, 0)[1]
        elif mid == self._marker_mid:
            self.done.set()

    def message(self, client, userdata, msg):
        if msg.topic != self.state_topic or not msg.payload:
            return
        try:
            self.birth = codec.decode(msg.payload)
        except ProtocolError:
            self.birth = None
