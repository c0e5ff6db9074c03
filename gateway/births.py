"""What a device's presence messages ask of the gateway: a birth gets the time, a printer its
leases, the device its view at once, and a printer that owes reprints gets them after a
grace; a will marks the device offline (a late will of an older session is ignored)."""
import logging

from gateway import device_text, intake
from gateway.engine.devices import reprints_owed
from protocol import ProtocolError, codec, events, messages, topics

log = logging.getLogger("hallmesh.gateway")

REPRINT_GRACE_S = 5.0        # after a printer's birth: time for it to report what it printed before


class Births:
    def __init__(self, service, grace_s, clock):
        # the grace is real seconds (clock): a printer's resends take real time, also when the
        # hall's clock runs accelerated in a simulation
        self.service, self.grace_s, self.clock = service, grace_s, clock
        self._reprint_at = {}                   # printer id -> when to print what it still owes

    def on_presence(self, topic, dev_id, msg, retained):
        svc = self.service
        try:
            events.check_presence(msg)
        except ProtocolError as exc:
            return svc.reject(exc.reason, topic, exc)
        device = svc.hall.devices.get(dev_id)
        if device is None:
            return svc.reject("unknown_device", topic, "%r is not a device of this hall" % dev_id)
        now = svc.clock()
        self._record(device.id, msg, now)
        if msg["on"]:
            self._birth(device, msg, now, retained)
        elif svc.fleet.will(dev_id, msg, now):
            log.info("%s: offline (session %d)", dev_id, msg["ses"])
        else:
            log.info("%s: late will of session %d ignored (session %d is up)",
                     dev_id, msg["ses"], svc.fleet.get(dev_id).ses)

    def _record(self, dev_id, msg, now):
        svc = self.service
        if svc.on_presence is None:
            return
        try:
            svc.on_presence(dev_id, msg, msg["on"], now)
        except Exception as exc:  # noqa: BLE001 - a registry fault must not stop the hall
            svc.counters["presence_error"] += 1
            log.error("%s: presence not recorded: %s", dev_id, exc)

    def _birth(self, device, msg, now, retained):
        svc = self.service
        p = svc.fleet.birth(device.id, msg, now)
        if retained:
            return   # an old birth kept by the broker: the device may have booted long ago
        log.info("%s: online (session %d, fw %s, heap %s, rssi %s, reset %s)",
                 device.id, p.ses, p.fw or "?", p.heap, p.rssi, p.rst or "?")
        if msg.get("err"):     # the latest failure the device contained (its errors.json)
            log.warning("%s: last error %s at %s", device.id, msg["err"], msg.get("where", "?"))
        cmd = messages.command(messages.CMD_TIME, now=int(now))
        svc.send(topics.device(svc.hall.id, device.id, topics.COMMAND), codec.encode(cmd), False)
        if device.kind == "printer":
            svc.lease(device)
        svc.refresh_views(only=device.id)
        if device.kind == "printer" and reprints_owed(svc.state, device.id):
            # not at once: a printer that kept the ticket in flash may print it and say so first
            self._reprint_at[device.id] = self.clock() + self.grace_s

    def due_reprints(self):
        """Reprints that came due (a printer's birth plus the grace)."""
        now = self.clock()
        for dev_id, due in list(self._reprint_at.items()):
            if now >= due:
                del self._reprint_at[dev_id]
                self.reprint(dev_id)

    def reprint(self, dev_id):
        """Send a printer the tickets it failed to print that are still waiting: a failed print
        is reissued, never lost. The printer reports each outcome as for any ticket."""
        svc = self.service
        for ticket in reprints_owed(svc.state, dev_id):
            result = intake.ticket_result(svc.hall, {"no": ticket.no, "svc": ticket.svc, "ahead": ticket.ahead,
                                                     "wait": ticket.wait, "at": ticket.issued_at,
                                                     "green": ticket.green})
            cmd = messages.command(messages.CMD_PRINT, ticket=device_text.decorate_ticket(svc.hall, result))
            svc.send(topics.device(svc.hall.id, dev_id, topics.COMMAND), codec.encode(cmd), False)
            log.info("%s: printing %s again", dev_id, ticket.no)
