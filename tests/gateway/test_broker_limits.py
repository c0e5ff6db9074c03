"""The limits every broker the project starts or writes a config for: packet size, queues a
burst does not overflow, persistence, Nagle off; and Nagle off on the gateway's own link."""
import gc
import os
import socket
import threading

import paho.mqtt.client as mqtt

from gateway import broker_limits
from gateway.broker import EmbeddedBroker, free_port
from gateway.fleet.broker_auth import conf_text
from tests.gateway.conftest import wait_until
from tests.support.broker import Mosquitto


class Client:
    def __init__(self, port, client_id, clean=True):
        self.got, self.lost = [], threading.Event()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean)
        self.client.max_inflight_messages_set(1000)
        self.client.on_message = lambda c, u, msg: self.got.append((msg.topic, bytes(msg.payload)))
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.on_disconnect = lambda *args: self.lost.set()
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()

    def subscribe(self, topic):
        self.subscribed.clear()
        self.client.subscribe(topic, 1)
        assert self.subscribed.wait(10), "no SUBACK"

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def test_the_broker_refuses_an_oversized_packet_and_drops_its_sender(mosquitto):
    listener, sender = Client(mosquitto.port, "listener"), Client(mosquitto.port, "sender")
    try:
        listener.subscribe("probe/#")
        sender.client.publish("probe/big", b"x" * (broker_limits.MAX_PACKET_BYTES + 1), qos=1)
        assert sender.lost.wait(10), "the broker kept a client that sent an oversized packet"
        other = Client(mosquitto.port, "other")
        other.client.publish("probe/small", b"fine", qos=1).wait_for_publish(10)
        wait_until(lambda: listener.got, what="the small message")
        assert listener.got == [("probe/small", b"fine")]
        other.close()
    finally:
        listener.close()
        sender.close()


def test_a_burst_for_an_offline_subscriber_loses_nothing(mosquitto):
    """Mosquitto's default queue (1,000) would drop most of this burst for the absent client."""
    burst = 5000
    slow = Client(mosquitto.port, "slow-gateway", clean=False)
    slow.subscribe("burst/#")
    slow.close()                                       # away, its session kept
    sender = Client(mosquitto.port, "hall")
    for n in range(burst):
        sender.client.publish("burst/%d" % n, b"e", qos=1)
    sender.client.publish("burst/end", b"end", qos=1).wait_for_publish(30)
    back = Client(mosquitto.port, "slow-gateway", clean=False)
    try:
        wait_until(lambda: ("burst/end", b"end") in back.got, timeout=60, what="the end of the burst")
        assert len(back.got) == burst + 1
    finally:
        back.close()
        sender.close()


def test_a_clean_restart_keeps_retained_messages():
    with Mosquitto() as broker:
        keeper = Client(broker.port, "keeper")
        keeper.client.publish("hm/x/gw/state", b"kept", qos=1, retain=True).wait_for_publish(10)
        keeper.close()
        broker.stop()
        broker.start()
        reader = Client(broker.port, "reader")
        reader.subscribe("hm/#")
        wait_until(lambda: reader.got, what="the retained message after the restart")
        assert reader.got == [("hm/x/gw/state", b"kept")]
        reader.close()


def test_the_generated_hall_config_carries_every_limit(tmp_path):
    text = conf_text(tmp_path / "passwd", tmp_path / "acl", "127.0.0.1", 1883,
                     persistence_dir=str(tmp_path / "data"))
    lines = text.splitlines()
    for wanted in ("max_packet_size %d" % broker_limits.MAX_PACKET_BYTES,
                   "max_queued_messages %d" % broker_limits.MAX_QUEUED_MESSAGES,
                   "max_queued_bytes %d" % broker_limits.MAX_QUEUED_BYTES,
                   "max_inflight_messages %d" % broker_limits.MAX_INFLIGHT_MESSAGES,
                   "set_tcp_nodelay true", "persistence true",
                   "persistence_location %s/" % (tmp_path / "data")):
        assert wanted in lines, wanted
    assert "persistence false" not in lines


def _tcp_sockets_to(port):
    """The server-side sockets of this process's connections accepted on `port`."""
    found = []
    for obj in gc.get_objects():
        if isinstance(obj, socket.socket) and obj.fileno() >= 0 and obj.family == socket.AF_INET:
            try:
                if obj.getsockname()[1] == port and obj.getpeername():
                    found.append(obj)
            except OSError:
                continue
    return found


def test_the_embedded_broker_turns_nagle_off_on_every_connection():
    with EmbeddedBroker(port=free_port()) as broker:
        client = Client(broker.port, "probe")
        try:
            client.subscribe("probe/#")
            accepted = wait_until(lambda: _tcp_sockets_to(broker.port), what="the accepted connection")
            for sock in accepted:
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        finally:
            client.close()


def test_the_gateway_turns_nagle_off_on_its_broker_connection(gateway):
    sock = gateway._client.socket()
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
