"""The embedded amqtt broker: pub/sub works, a taken port moves it to a free one, and the
gateway runs on it."""
import socket
import threading

import paho.mqtt.client as mqtt

from gateway.broker import EmbeddedBroker, free_port
from gateway.mqtt import Gateway
from tests.gateway.conftest import FakeDevice, wait_until


def test_publish_and_subscribe_through_the_embedded_broker():
    with EmbeddedBroker(port=free_port()) as broker:
        got, subscribed = [], threading.Event()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="probe")
        client.on_message = lambda c, u, msg: got.append((msg.topic, msg.payload))
        client.on_subscribe = lambda *args: subscribed.set()
        client.connect("127.0.0.1", broker.port)
        client.loop_start()
        try:
            client.subscribe("probe/#", qos=1)
            assert subscribed.wait(10)
            client.publish("probe/a", b"hello", qos=1).wait_for_publish(10)
            wait_until(lambda: got, what="the message back")
            assert got == [("probe/a", b"hello")]
        finally:
            client.disconnect()
            client.loop_stop()


def test_a_taken_port_moves_the_broker_and_says_where(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with EmbeddedBroker(port=busy) as broker:
            assert broker.port != busy
            with socket.create_connection(("127.0.0.1", broker.port), timeout=5):
                pass
    out = capsys.readouterr().out
    assert "port %d is taken" % busy in out and "127.0.0.1:%d" % broker.port in out


def test_the_gateway_serves_through_the_embedded_broker(tmp_path, hall):
    with EmbeddedBroker(port=free_port()) as broker:
        gw = Gateway.from_files(hall, tmp_path / "hall.db", port=broker.port)
        assert gw.start(wait=15)
        printer = FakeDevice(broker.port, "printer-1")
        try:
            ack = printer.wait_ack(printer.send("printer-1-1-1", "key", key="k2"))
            assert ack["res"]["ticket"]["no"] == "B001"
            assert printer.wait_view(lambda v: v["kind"] == "printer")["keys"]["k2"] == "B"
        finally:
            printer.close()
            gw.stop()
