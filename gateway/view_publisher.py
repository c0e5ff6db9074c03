"""What each device is shown: its view (and a printer's leases) published retained whenever
it changes. One device's view that cannot be built or encoded stops only that device's view,
logged and counted once per failure."""
import logging

from gateway import device_text, views
from gateway.logtext import escape
from protocol import codec, topics

log = logging.getLogger("hallmesh.gateway")

VIEW_SEQ_BLOCK = 1_000_000   # view seq starts at session * this, so it keeps rising over restarts


class ViewPublisher:
    def __init__(self, hall, counters):
        self.hall, self.counters = hall, counters
        self._seq = 0
        self._shown = {}               # (device id, topic suffix) -> last published body without seq
        self._broken = set()           # devices whose view failed and has not recovered

    def begin_session(self, session):
        self._seq = session * VIEW_SEQ_BLOCK

    def forget(self):
        """What was published is unknown (held publishes dropped): the next refresh sends all."""
        self._shown.clear()

    def refresh(self, state, now, publish, force=False, only=None):
        """publish(topic, payload, retain) every view that changed since it was last published
        (or all, if forced; `only` one device, always sent)."""
        for dev_id, device in self.hall.devices.items():
            if only is not None and dev_id != only:
                continue
            try:
                self._refresh_one(state, device, now, publish, force or only is not None)
            except Exception as exc:  # noqa: BLE001 - contained to this device
                self._failed(dev_id, exc)
            else:
                self._recovered(dev_id)

    def _refresh_one(self, state, device, now, publish, force):
        for suffix, body in views.device_messages(state, device, now):
            shown = (device.id, suffix)
            if not force and self._shown.get(shown) == body:
                continue
            if suffix == topics.VIEW:
                view = device_text.decorate_view(self.hall, dict(body, seq=self._seq + 1))
                payload = codec.encode(view)
                self._seq += 1
                topic = topics.device(self.hall.id, device.id, topics.VIEW)
            else:          # a printer's lease of one service (views.device_messages)
                payload = codec.encode(device_text.decorate_lease(self.hall, body))
                topic = topics.lease(self.hall.id, device.id, body["svc"])
            publish(topic, payload, True)
            self._shown[shown] = body

    def _failed(self, dev_id, exc):
        """Counted and logged once per failure, not on every refresh while it lasts."""
        if dev_id in self._broken:
            return
        self._broken.add(dev_id)
        self.counters["view_error"] += 1
        log.error("%s: view not published (%s: %s); other devices' views go on", dev_id,
                  type(exc).__name__, escape(str(exc)))

    def _recovered(self, dev_id):
        if dev_id in self._broken:
            self._broken.discard(dev_id)
            log.info("%s: view published again", dev_id)
