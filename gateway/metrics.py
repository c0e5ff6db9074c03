"""The gateway's counters for Prometheus (prometheus_client): a collector that reads one
snapshot per scrape, so a scrape never sees a half-updated set, and the exposition bytes
an HTTP server returns for GET /metrics.

    registry = metrics.registry(gateway)        # gateway.mqtt.Gateway, or anything with
    body = metrics.exposition(registry)         # .lock and .service
"""
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from gateway.city.metrics import CityCollector
from gateway.counters import grouped

__all__ = ["CONTENT_TYPE", "GatewayCollector", "exposition", "registry"]


class GatewayCollector:
    def __init__(self, snapshot, hall_id):
        """snapshot() -> Service.snapshot()'s dict, taken under the gateway's lock."""
        self.snapshot, self.hall_id = snapshot, hall_id

    def describe(self):
        return []    # names are known only from a snapshot; registering must not take one

    def collect(self):
        snap = self.snapshot()
        groups = grouped(snap)
        hall = self.hall_id
        yield _labelled(CounterMetricFamily, "hallmesh_events", "device events handled, by outcome",
                        "outcome", groups["events"], hall)
        yield _labelled(CounterMetricFamily, "hallmesh_rejected_messages",
                        "messages refused for breaking the protocol, by reason", "reason", groups["rejected"], hall)
        yield _labelled(CounterMetricFamily, "hallmesh_failures",
                        "faults inside the gateway, by kind (internal_error must stay 0)", "kind",
                        groups["failures"], hall)
        yield _single(CounterMetricFamily, "hallmesh_internal_errors", "unexpected faults, each answered "
                      "with a failure ack", groups["failures"]["internal_error"], hall)
        yield _single(CounterMetricFamily, "hallmesh_refused_budget", "messages dropped for being over "
                      "their device's inbound budget", groups["refused_budget"], hall)
        yield _single(CounterMetricFamily, "hallmesh_clock_steps", "steps of the wall clock the gateway "
                      "noticed", groups["clock_steps"], hall)
        yield _labelled(CounterMetricFamily, "hallmesh_other", "other counted happenings, by name", "name",
                        groups["other"], hall)
        gauges = snap.get("gauges", {})
        yield _single(GaugeMetricFamily, "hallmesh_devices_online", "devices whose latest presence is a birth",
                      gauges.get("devices_online", 0), hall)
        yield _single(GaugeMetricFamily, "hallmesh_tickets_waiting", "tickets waiting to be called",
                      gauges.get("tickets_waiting", 0), hall)
        yield _single(GaugeMetricFamily, "hallmesh_inbound_queue_depth", "device messages waiting for the "
                      "gateway's worker", gauges.get("inbound_queue", 0), hall)


def _labelled(family, name, doc, label, values, hall):
    metric = family(name, doc, labels=["hall", label])
    for key in sorted(values):
        metric.add_metric([hall, key], values[key])
    return metric


def _single(family, name, doc, value, hall):
    metric = family(name, doc, labels=["hall"])
    metric.add_metric([hall], value)
    return metric


def registry(gateway):
    """A registry of its own (not the process-wide default), holding the gateway's collector."""
    def snapshot():
        with gateway.lock:
            return gateway.service.snapshot()
    reg = CollectorRegistry(auto_describe=False)
    reg.register(GatewayCollector(snapshot, gateway.hall.id))
    # looked up per scrape: the replicator starts after the registry is made
    reg.register(CityCollector(lambda: getattr(gateway, "replicator", None)))
    return reg


def exposition(reg):
    """The text format Prometheus scrapes (bytes), and its content type is CONTENT_TYPE."""
    return generate_latest(reg)
