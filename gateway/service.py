"""The gateway's message handling, apart from paho: one inbound MQTT message in, zero or more
publishes out through `publish(topic, payload, retain)`. Runs on a single worker thread.

Order for a device event: decode -> validate -> known device? -> seen before? -> command ->
decide -> store events + dedup record in one transaction -> apply -> ack -> views. The ack
goes out only after the commit, so an acknowledged effect survives any crash; a resent event
id finds its dedup record and gets the very same ack, and nothing is applied twice.
"""
import collections
import logging

from gateway import dedup, device_text, hallchange, intake, narrate, views
from gateway.engine import Refused, apply, decide, fold, leases
from gateway.engine.devices import reprints_owed
from gateway.presence import Fleet
from gateway.store import StoreError
from protocol import ProtocolError, codec, messages, topics

log = logging.getLogger("hallmesh.gateway")

VIEW_SEQ_BLOCK = 1_000_000   # view seq starts at session * this, so it keeps rising over restarts
REPRINT_GRACE_S = 5.0        # after a printer's birth: time for it to report what it printed before


class Service:
    def __init__(self, hall, store, publish, clock, on_presence=None, reprint_grace_s=REPRINT_GRACE_S):
        self.hall, self.store, self.publish, self.clock = hall, store, publish, clock
        self.reprint_grace_s = reprint_grace_s
        self._reprint_at = {}                   # printer id -> when to print what it still owes
        self.on_presence = on_presence   # e.g. the device registry's presence record
        self.counters = collections.Counter()   # rejected messages by reason
        self.stats = collections.Counter()      # accepted, refused, duplicate events
        self.fleet = Fleet()
        hallchange.check_identity(store, hall)        # another hall's store is refused first
        self.state = fold(hall, store.load_events())
        hallchange.adopt(store, self.state, hall, clock())   # what the hall file changed, recorded
        self.log_seen = store.log_position()   # every event up to here is in self.state
        self.own = set()                        # positions this gateway appended, not yet seen
        self.session = 0
        self._view_seq = 0
        self._shown = {}                          # device id -> last published view without seq
        self._pruned_at = float("-inf")           # when dedup records were last pruned

    def begin_session(self, session):
        self.session = session
        self._view_seq = session * VIEW_SEQ_BLOCK

    # --- inbound -------------------------------------------------------------------

    def on_message(self, topic, payload, retained=False):
        try:
            hall_id, dev_id, channel = topics.parse_device(topic)
        except (ProtocolError, UnicodeError) as exc:
            return self.reject("bad_topic", topic, exc)
        if hall_id != self.hall.id:
            return self.reject("wrong_hall", topic, "hall %r is not %r" % (hall_id, self.hall.id))
        try:
            msg = codec.decode(payload)
        except ProtocolError as exc:
            reason = "bad_version" if "unsupported protocol version" in str(exc) else "malformed"
            return self.reject(reason, topic, exc)
        if channel == topics.EVENTS:
            return self._event(topic, dev_id, msg)
        if channel == topics.STATE:
            return self._presence(topic, dev_id, msg, retained)
        return self.reject("bad_topic", topic, "the gateway takes no %r messages" % channel)

    def reject(self, reason, topic, detail):
        self.counters[reason] += 1
        log.warning("rejected (%s) %s: %s", reason, topic, detail)

    def _event(self, topic, dev_id, msg):
        try:
            messages.check_event(msg)
        except ProtocolError as exc:
            return self.reject("bad_field", topic, exc)
        device = self.hall.devices.get(dev_id)
        if device is None:
            return self.reject("unknown_device", topic, "%r is not a device of this hall" % dev_id)
        now = self.clock()
        self._prune_dedup(now)
        body = dedup.digest(msg)
        records = self.store.recall(device.id, msg["id"])
        earlier = dedup.answer(records, body)
        if earlier is not None:
            self.stats["duplicate"] += 1
            log.debug("%s: event %s seen before, same ack again", dev_id, msg["id"])
            self._heard_again(device.id, msg["id"], body if body in records else dedup.LEGACY, now)
            return self._send_ack(device.id, earlier)
        if records:
            # the same id with another body: another event (docs/protocol.md), applied as new
            self.counters["id_reused"] += 1
            log.warning("%s: event id %s reused with a different body: applied as a new event, "
                        "never answered with the earlier event's ack", dev_id, msg["id"])
        self._execute(device, msg, body, now)

    def _heard_again(self, dev_id, event_id, body, now):
        try:
            self.store.heard_again(dev_id, event_id, body, now)
        except StoreError as exc:   # the record stays as it was: only pruned a little sooner
            self.counters["store_error"] += 1
            log.error("%s: resend of %s not noted: %s", dev_id, event_id, exc)

    def _prune_dedup(self, now):
        """Drop dedup records past the horizon (gateway/dedup.py), at most once an hour."""
        if now - self._pruned_at < dedup.PRUNE_EVERY_S and self._pruned_at <= now:
            return
        self._pruned_at = now
        try:
            dropped = self.store.prune_dedup(now - dedup.KEEP_S)
        except StoreError as exc:
            self.counters["store_error"] += 1
            log.error("dedup records not pruned: %s", exc)
            return
        if dropped:
            log.info("%d dedup records older than %d days dropped", dropped, dedup.KEEP_S // dedup.DAY_S)

    def _decide(self, device, msg, now):
        """(events, ack) for a new event; an event past the dedup horizon is refused unapplied."""
        if dedup.too_old(msg, now):
            self.counters["too_old"] += 1
            return [], messages.ack(msg["id"], ok=False, error=dedup.TOO_OLD)
        try:
            events = decide(self.state, intake.to_command(device, msg, now), now)
        except Refused as exc:
            return [], messages.ack(msg["id"], ok=False, error=str(exc))
        return events, messages.ack(msg["id"], ok=True, result=self._printable(intake.ack_result(self.hall, events)))

    def _execute(self, device, msg, body, now):
        events, ack = self._decide(device, msg, now)
        try:
            last = self.store.append(events, dedup=(device.id, msg["id"], ack, body, now))
            if events and last is not None:
                self.own.update(range(last - len(events) + 1, last + 1))
        except StoreError as exc:
            # not stored, so not acknowledged: the device keeps the event and sends it again
            self.counters["store_error"] += 1
            log.error("%s: event %s NOT stored, no ack: %s", device.id, msg["id"], exc)
            return
        for ev in events:
            apply(self.state, ev)
        self._tell(device, msg, ack, events)
        self._send_ack(device.id, ack)
        if any(ev["type"] == "device_status" and ev["state"] == "ok" for ev in events):
            self.reprint(device.id)
        if device.kind == "printer" and leases.holds_any(self.state, device.id):
            self.lease(device)       # a reported offline ticket spent its block, or a new day began

    def _printable(self, result):
        """A ticket in an ack goes to a printer: add its lines in the printer's code page."""
        if result and isinstance(result.get("ticket"), dict):
            result = dict(result, ticket=device_text.decorate_ticket(self.hall, result["ticket"]))
        return result

    def _tell(self, device, msg, ack, events):
        if not ack["ok"]:
            self.stats["refused"] += 1
            log.info("%s: %s refused: %s", device.id, _what(msg), ack["err"])
            return
        self.stats["accepted"] += 1
        for ev in events:
            text = narrate.line(self.hall, ev)
            if text:
                log.info("%s", text)

    def _send_ack(self, dev_id, ack):
        self.publish(topics.device(self.hall.id, dev_id, topics.ACK), codec.encode(dict(ack)), False)

    def _presence(self, topic, dev_id, msg, retained):
        try:
            messages.check_presence(msg)
        except ProtocolError as exc:
            return self.reject("bad_field", topic, exc)
        device = self.hall.devices.get(dev_id)
        if device is None:
            return self.reject("unknown_device", topic, "%r is not a device of this hall" % dev_id)
        now = self.clock()
        self._record_presence(device.id, msg, now)
        if msg["on"]:
            self._birth(device, msg, now, retained)
        elif self.fleet.will(dev_id, msg, now):
            log.info("%s: offline (session %d)", dev_id, msg["ses"])
        else:
            log.info("%s: late will of session %d ignored (session %d is up)",
                     dev_id, msg["ses"], self.fleet.get(dev_id).ses)

    def _record_presence(self, dev_id, msg, now):
        if self.on_presence is None:
            return
        try:
            self.on_presence(dev_id, msg, msg["on"], now)
        except Exception as exc:  # noqa: BLE001 - a registry fault must not stop the hall
            self.counters["presence_error"] += 1
            log.error("%s: presence not recorded: %s", dev_id, exc)

    def _birth(self, device, msg, now, retained):
        p = self.fleet.birth(device.id, msg, now)
        if retained:
            return   # an old birth kept by the broker: the device may have booted long ago
        log.info("%s: online (session %d, fw %s, heap %s, rssi %s, reset %s)",
                 device.id, p.ses, p.fw or "?", p.heap, p.rssi, p.rst or "?")
        cmd = messages.command(messages.CMD_TIME, now=int(now))
        self.publish(topics.device(self.hall.id, device.id, topics.COMMAND), codec.encode(cmd), False)
        if device.kind == "printer":
            self.lease(device)
        self.refresh_views(only=device.id)
        if device.kind == "printer" and reprints_owed(self.state, device.id):
            # not at once: a printer that kept the ticket in flash may print it and say so first
            self._reprint_at[device.id] = now + self.reprint_grace_s

    def tick(self):
        """Called by the adapter's worker a few times a second: reprints that came due."""
        now = self.clock()
        for dev_id, due in list(self._reprint_at.items()):
            if now >= due:
                del self._reprint_at[dev_id]
                self.reprint(dev_id)

    def lease(self, device):
        """Lease a printer today's blocks of numbers where it has none left (engine.leases), so
        it can go on issuing through an outage. Nothing to lease, a refusal or a store fault
        means only no new block now: the printer issues online as before."""
        now = self.clock()
        try:
            events = decide(self.state, leases.lease(device.id, views.printer_services(device)), now)
        except Refused as exc:
            log.warning("%s: no numbers leased: %s", device.id, exc)
            return
        if not events:
            return
        try:
            last = self.store.append(events)
        except StoreError as exc:
            self.counters["store_error"] += 1
            log.error("%s: lease NOT stored: %s", device.id, exc)
            return
        if last is not None:
            self.own.update(range(last - len(events) + 1, last + 1))
        for ev in events:
            apply(self.state, ev)
            log.info("%s: numbers %s%03d-%s%03d leased for offline issuing on %s", device.id, ev["svc"],
                     ev["first"], ev["svc"], ev["first"] + ev["count"] - 1, ev["day"])

    def reprint(self, dev_id):
        """Send a printer the tickets it failed to print that are still waiting: a failed print
        is reissued, never lost. The printer reports each outcome as for any ticket."""
        for ticket in reprints_owed(self.state, dev_id):
            result = intake.ticket_result(self.hall, {"no": ticket.no, "svc": ticket.svc, "ahead": ticket.ahead,
                                                      "wait": ticket.wait, "at": ticket.issued_at,
                                                      "green": ticket.green})
            cmd = messages.command(messages.CMD_PRINT, ticket=device_text.decorate_ticket(self.hall, result))
            self.publish(topics.device(self.hall.id, dev_id, topics.COMMAND), codec.encode(cmd), False)
            log.info("%s: printing %s again", dev_id, ticket.no)

    def catch_up(self):
        """Apply what other tools appended to the log since we last looked (bookings imported,
        follow-up cases updated from the command line), so a running gateway knows them."""
        try:
            rows = self.store.events_after(self.log_seen)
        except StoreError as exc:
            self.counters["store_error"] += 1
            log.error("cannot read the log: %s", exc)
            return
        for position, ev in rows:
            self.log_seen = position
            if position in self.own:
                self.own.discard(position)
                continue
            apply(self.state, ev)
            log.info("applied %s written by another tool", ev["type"])

    # --- outbound ------------------------------------------------------------------

    def on_connected(self):
        """(Re)connected: everything retained goes out again, then the gateway's birth."""
        self.refresh_views(force=True)
        birth = messages.gateway_birth(self.session, int(self.clock()))
        self.publish(topics.gateway_state(self.hall.id), codec.encode(birth), True)

    def goodbye(self):
        """The retained 'offline' a clean stop publishes itself (a will fires only on a crash)."""
        return topics.gateway_state(self.hall.id), codec.encode(messages.will(self.session))

    def refresh_views(self, force=False, only=None):
        """Publish every view that changed since it was last published (or all, if forced)."""
        current = views.all_views(self.state, self.clock())
        for dev_id, body in current.items():
            if only is not None and dev_id != only:
                continue
            if not force and only is None and self._shown.get(dev_id) == body:
                continue
            self._view_seq += 1
            view = device_text.decorate_view(self.hall, dict(body, seq=self._view_seq))
            self.publish(topics.device(self.hall.id, dev_id, topics.VIEW), codec.encode(view), True)
            self._shown[dev_id] = body


def _what(msg):
    if msg["t"] == messages.KEY:
        return "key " + msg["key"]
    return msg["t"] + " " + msg["id"]
