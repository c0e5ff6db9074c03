"""paho-mqtt helpers shared by the benchmarks: a connected client and a message collector."""
import threading
import time

import paho.mqtt.client as mqtt

from gateway import tcp


class Collector:
    """A connected paho client that records (arrival time, topic, payload) of what it receives.
    Nagle is off on its socket, as on the gateway's and on every broker the project starts."""

    def __init__(self, port, client_id, subscriptions=()):
        self.messages = []
        self.cond = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.max_inflight_messages_set(1000)
        self.client.on_message = self._on_message
        self.client.on_socket_open = lambda client, userdata, sock: tcp.no_delay(sock)
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        for topic in subscriptions:
            self.subscribe(topic)

    def subscribe(self, topic, qos=1):
        result, mid = self.client.subscribe(topic, qos)
        time.sleep(0.05)  # SUBACK arrives on the network thread; a short settle is enough on loopback

    def _on_message(self, client, userdata, msg):
        with self.cond:
            self.messages.append((time.perf_counter(), msg.topic, msg.payload))
            self.cond.notify_all()

    def wait_count(self, count, timeout=30.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("received %d of %d messages" % (len(self.messages), count))
                self.cond.wait(left)

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()
