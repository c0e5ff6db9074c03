"""Waiting for a freshly flashed device's birth on the broker.

The watcher subscribes BEFORE the board is reset, and ignores retained messages: those are
births of an earlier boot (or the last-will), delivered at once on subscription. A birth
published after the subscription reaches us with the retain flag cleared, so the first
non-retained `"on": true` on the device's state topic is this boot's birth.
"""
import threading

import paho.mqtt.client as mqtt

from gateway.fleet import FleetError
from protocol import ProtocolError, codec, events, topics


class BirthWatcher:
    def __init__(self, host, port, user, password, hall_id, device_id):
        self.topic = topics.device(hall_id, device_id, topics.STATE)
        self.host, self.port = host, port
        self.birth = None
        self._seen = threading.Event()
        self._ready = threading.Event()
        self._refused = None
        # paho's own client id; with use_username_as_clientid the broker uses the user name
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="hallmesh-flash-" + device_id)
        self.client.username_pw_set(user, password)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *args: self._ready.set()
        self.client.on_message = self._on_message

    def start(self, timeout=10.0):
        """Connect and subscribe; FleetError if the broker cannot be reached or refuses us."""
        try:
            self.client.connect(self.host, self.port, keepalive=30)
        except OSError as exc:
            raise FleetError("cannot reach the broker at %s:%d to watch for the device's birth (%s): "
                             "check --broker, or pass --no-wait to skip this check"
                             % (self.host, self.port, exc.strerror or exc))
        self.client.loop_start()
        if not self._ready.wait(timeout):
            self.stop()
            why = "it refused the login (%s)" % self._refused if self._refused else "no answer"
            raise FleetError("the broker at %s:%d did not let us watch %s: %s; regenerate its files with "
                             "`hallmesh devices broker-files` and reload it" % (self.host, self.port, self.topic, why))
        return self

    def wait(self, timeout):
        """The birth dict, or None if none came within `timeout` seconds."""
        self._seen.wait(timeout)
        return self.birth

    def stop(self):
        self.client.loop_stop()
        try:
            self.client.disconnect()
        except Exception:   # noqa: BLE001 - already gone is fine
            pass

    def _on_connect(self, client, userdata, flags, reason, properties=None):
        if reason.is_failure:
            self._refused = str(reason)
            return
        client.subscribe(self.topic, qos=1)

    def _on_message(self, client, userdata, msg):
        # paho's thread: never raise
        if msg.retain:
            return
        try:
            presence = events.check_presence(codec.decode(msg.payload))
        except (ProtocolError, Exception):  # noqa: BLE001 - a bad payload is not a birth
            return
        if presence.get("on") is True:
            self.birth = presence
            self._seen.set()
