"""A device event, from a validated message to its ack: seen before? (gateway/dedup.py) ->
command -> decide -> store events + dedup record together -> apply -> ack. The ack goes out
only after the commit (at once, or with its batch: gateway/group_commit.py), so an
acknowledged effect survives any crash; a resent event id finds its dedup record and gets the
very same ack, and nothing is applied twice."""
import logging

from gateway import dedup, device_text, intake, narrate
from gateway.engine import Refused, apply, days, decide, leases
from gateway.engine.devices import on_paper
from gateway.logtext import escape
from gateway.store import StoreError
from protocol import ProtocolError, events, messages

log = logging.getLogger("hallmesh.gateway")
narration = logging.getLogger("hallmesh.gateway.narration")   # what happened, in the hall's language


class DeviceEvents:
    def __init__(self, service):
        self.service = service
        self._pruned_at = float("-inf")           # when dedup records were last pruned

    def on_event(self, topic, dev_id, msg):
        svc = self.service
        try:
            events.check_event(msg)
        except ProtocolError as exc:
            return svc.refuse(dev_id, topic, exc.reason, exc, events.event_id(msg))
        device = svc.hall.devices.get(dev_id)
        if device is None:
            return svc.refuse(dev_id, topic, "unknown_device", "%r is not a device of this hall" % dev_id, msg["id"])
        now = svc.clock()
        self._prune_dedup(now)
        svc.durable_first(device.id, msg["id"])
        body = dedup.digest(msg)
        records = svc.store.recall(device.id, msg["id"])
        earlier = dedup.answer(records, body)
        if earlier is not None:
            svc.stats["duplicate"] += 1
            log.debug("%s: event %s seen before, same ack again", dev_id, escape(msg["id"]))
            self._heard_again(device.id, msg["id"], body if body in records else dedup.LEGACY, now)
            return svc.send_ack(device.id, self._noting_paper(device.id, earlier))
        if records:
            # the same id with another body: another event (docs/protocol.md), applied as new
            svc.counters["id_reused"] += 1
            log.warning("%s: event id %s reused with a different body: applied as a new event, "
                        "never answered with the earlier event's ack", dev_id, escape(msg["id"]))
        self._execute(device, msg, body, now)

    def _heard_again(self, dev_id, event_id, body, now):
        svc = self.service
        try:
            svc.store.heard_again(dev_id, event_id, body, now)
        except StoreError as exc:   # the record stays as it was: only pruned a little sooner
            svc.counters["store_error"] += 1
            log.error("%s: resend of %s not noted: %s", dev_id, escape(event_id), exc)

    def _prune_dedup(self, now):
        """Drop dedup records past the horizon (gateway/dedup.py), at most once an hour."""
        svc = self.service
        if now - self._pruned_at < dedup.PRUNE_EVERY_S and self._pruned_at <= now:
            return
        self._pruned_at = now
        try:
            dropped = svc.store.prune_dedup(now - dedup.KEEP_S)
        except StoreError as exc:
            svc.counters["store_error"] += 1
            log.error("dedup records not pruned: %s", exc)
            return
        if dropped:
            log.info("%d dedup records older than %d days dropped", dropped, dedup.KEEP_S // dedup.DAY_S)

    def _decide(self, device, msg, now):
        """(events, ack) for a new event; an event past the dedup horizon is refused unapplied."""
        svc = self.service
        if dedup.too_old(msg, now):
            svc.counters["too_old"] += 1
            return [], messages.ack(msg["id"], ok=False, error=dedup.TOO_OLD)
        try:
            events = decide(svc.state, intake.to_command(device, msg, now), now)
        except Refused as exc:
            return [], device_text.refused(svc.hall, messages.ack(msg["id"], ok=False, error=str(exc)))
        return events, messages.ack(msg["id"], ok=True, result=self._printable(intake.ack_result(svc.hall, events)))

    def _execute(self, device, msg, body, now):
        svc = self.service
        events, ack = self._decide(device, msg, now)
        # a refusal judged in a day the timer has not begun yet: that day begins now as well
        refused_in_new_day = not events and days.due(svc.state, now) is not None
        try:
            svc.append(events, dedup=(device.id, msg["id"], ack, body, now))
        except StoreError as exc:
            # not stored, so not acknowledged: the device keeps the event and sends it again
            svc.counters["store_error"] += 1
            log.error("%s: event %s NOT stored, no ack: %s", device.id, msg["id"], exc)
            return
        for ev in events:
            apply(svc.state, ev)
        self._tell(device, msg, ack, events)
        svc.send_ack(device.id, ack)
        if refused_in_new_day:
            svc.begin_day(now)     # judged in the new day, so that day has begun
        svc.snapshot_if_due(events)
        svc.after_events(events)
        if any(ev["type"] == "device_status" and ev["state"] == "ok" for ev in events):
            svc.births.reprint(device.id)
        if device.kind == "printer" and leases.holds_any(svc.state, device.id):
            svc.lease(device)       # a reported offline ticket spent its block, or a new day began

    def _noting_paper(self, dev_id, ack):
        """The earlier ack, saying "printed" when its ticket has been reported on paper since."""
        svc = self.service
        res = ack.get("res")
        ticket = res.get("ticket") if isinstance(res, dict) else None
        # a press the printer sends again after a reset (its flash is written once per
        # ticket, docs/technician.md) whose ticket is on paper already is answered "printed"
        if isinstance(ticket, dict) and on_paper(svc.state, dev_id, ticket.get("no")):
            return dict(ack, res=dict(res, printed=True))
        return ack

    def _printable(self, result):
        """A ticket in an ack goes to a printer: add its lines in the printer's code page."""
        svc = self.service
        if result and isinstance(result.get("ticket"), dict):
            result = dict(result, ticket=device_text.decorate_ticket(svc.hall, result["ticket"]))
        return result

    def _tell(self, device, msg, ack, events):
        svc = self.service
        if not ack["ok"]:
            svc.stats["refused"] += 1
            log.info("%s: %s refused: %s", device.id, _what(msg), escape(ack["err"]))
            return
        svc.stats["accepted"] += 1
        for ev in events:
            text = narrate.line(svc.hall, ev)
            if text:
                narration.info("%s", text)


def _what(msg):
    if msg["t"] == messages.KEY:
        return "key " + msg["key"]
    return msg["t"] + " " + msg["id"]
