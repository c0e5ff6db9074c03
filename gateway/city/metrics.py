"""Replication to the city, for Prometheus: backlog, lag, the confirmed position and whether
the city is reachable. Nothing is yielded while the gateway ships to no city."""
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily


class CityCollector:
    def __init__(self, replicator):
        """replicator() -> the gateway's Replicator, or None when it ships to no city."""
        self.replicator = replicator

    def describe(self):
        return []

    def collect(self):
        shipper = self.replicator()
        if shipper is None:
            return
        f = shipper.figures()
        for family, name, doc, value in (
                (GaugeMetricFamily, "hallmesh_city_backlog_events", "events in the hall's log not yet in the "
                 "city's database", f["backlog"]),
                (GaugeMetricFamily, "hallmesh_city_lag_seconds", "age of the oldest event not yet in the "
                 "city's database (0 when none)", f["lag_s"]),
                (GaugeMetricFamily, "hallmesh_city_replicated_position", "log position the city's database "
                 "confirmed", f["position"]),
                (GaugeMetricFamily, "hallmesh_city_connected", "1 while the city's database answers",
                 1 if f["connected"] else 0),
                (CounterMetricFamily, "hallmesh_city_shipped_events", "events shipped to the city by this "
                 "process", f["shipped"])):
            metric = family(name, doc, labels=["hall"])
            metric.add_metric([f["hall"]], value)
            yield metric
