"""Baselines measured in the same run: the broker's own round trip (the latency floor) and a
do-nothing echo service (the throughput ceiling of a Python MQTT service on this machine)."""
import json
import time

from bench.mqtt_clients import Collector
from bench.stats import summary_ms


def broker_round_trip(port, samples=300):
    """Publish QoS 1 to a topic this same paho client subscribes to; time to receive it."""
    probe = Collector(port, "bench-floor", ["bench/floor"])
    times = []
    try:
        for i in range(samples):
            start = time.perf_counter()
            probe.client.publish("bench/floor", str(i), qos=1)
            probe.wait_count(i + 1)
            times.append(probe.messages[-1][0] - start)
    finally:
        probe.close()
    return summary_ms(times)


class EchoService:
    """Subscribes to every device event and answers each with an ack, storing nothing."""

    def __init__(self, port, hall):
        self.hall = hall
        self.svc = Collector(port, "bench-echo")
        self.svc.client.on_message = self._echo
        self.svc.subscribe("hm/%s/dev/+/evt" % hall)

    def _echo(self, client, userdata, msg):
        try:
            event_id = json.loads(msg.payload)["id"]
        except (ValueError, KeyError):
            return
        ack_topic = msg.topic[: -len("evt")] + "ack"
        client.publish(ack_topic, json.dumps({"v": 1, "ack": event_id, "ok": True}), qos=1)

    def close(self):
        self.svc.close()


def event_throughput(port, hall, device_ids, per_device):
    """Events per second acknowledged by whatever service answers on `hall` (QoS 1 both ways)."""
    load = Collector(port, "bench-load-%d" % time.monotonic_ns())
    for dev in device_ids:
        load.subscribe("hm/%s/dev/%s/ack" % (hall, dev))
    total = len(device_ids) * per_device
    start = time.perf_counter()
    for n in range(per_device):
        for dev in device_ids:
            event = {"v": 1, "id": "%s-b%d-%d" % (dev, start * 1000 % 100000, n), "t": "key", "at": 0, "key": "k1"}
            load.client.publish("hm/%s/dev/%s/evt" % (hall, dev), json.dumps(event), qos=1)
    load.wait_count(total, timeout=300)
    elapsed = load.messages[-1][0] - start
    load.close()
    return total / elapsed
