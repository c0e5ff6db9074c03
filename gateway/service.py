"""The gateway's message handling, apart from paho: one inbound MQTT message in, zero or more
publishes out through `publish(topic, payload, retain)`. Runs on a single worker thread.

Order for a device event: decode -> validate -> known device? -> seen before? -> command ->
decide -> store events + dedup record in one transaction -> apply -> ack -> views. The ack
goes out only after the commit, so an acknowledged effect survives any crash; a resent event
id finds its dedup record and gets the very same ack, and nothing is applied twice.
"""
import collections
import logging
import time

from gateway import dedup, device_text, hallchange, intake, narrate, snapshots, views
from gateway.counters import Totals
from gateway.logtext import escape
from gateway.rejects import RejectLog
from gateway.engine import Refused, apply, commands, days, decide, leases
from gateway.engine.devices import on_paper, reprints_owed
from gateway.presence import Fleet
from gateway.store import StoreError
from protocol import ProtocolError, codec, events, messages, topics

log = logging.getLogger("hallmesh.gateway")
narration = logging.getLogger("hallmesh.gateway.narration")   # what happened, in the hall's language

VIEW_SEQ_BLOCK = 1_000_000   # view seq starts at session * this, so it keeps rising over restarts
REPRINT_GRACE_S = 5.0        # after a printer's birth: time for it to report what it printed before
MAX_ERR = 160                # characters of a refusal's reason in an ack
CLOCK_STEP_S = 120.0         # the wall clock moving this much more or less than real time is a step


class Service:
    def __init__(self, hall, store, publish, clock, on_presence=None, monotonic=None,
                 reprint_grace_s=REPRINT_GRACE_S, reprint_clock=time.monotonic):
        """clock() is the wall clock (s since the epoch) the hall's days are read from;
        monotonic(), when given, is a clock that never steps, to notice when the wall clock does."""
        self.hall, self.store, self.publish, self.clock = hall, store, publish, clock
        # the grace is real seconds (reprint_clock): a printer's resends take real time, also
        # when the hall's clock runs accelerated in a simulation
        self.reprint_grace_s, self.reprint_clock = reprint_grace_s, reprint_clock
        self._reprint_at = {}                   # printer id -> when to print what it still owes
        self.on_presence = on_presence   # e.g. the device registry's presence record
        self.monotonic = monotonic
        self._clock_offset_s = None      # wall clock minus monotonic clock at the latest look
        self.counters = collections.Counter()   # rejected messages by reason
        # accepted, refused, duplicate events; days_begun, clock_step_back, clock_step_forward
        self.stats = collections.Counter()
        self.fleet = Fleet()
        self.rejects = RejectLog()
        self.totals = Totals(store)                # counters of earlier runs, saved again as they grow
        self.queue_depth = None                    # the adapter's inbound backlog, a callable
        self._acked = False                     # an ack went out for the message in hand
        hallchange.check_identity(store, hall)        # another hall's store is refused first
        self.rebuilt = snapshots.rebuild(hall, store)     # latest snapshot + the log's tail
        self.state = self.rebuilt.state
        changed = hallchange.adopt(store, self.state, hall, clock())   # what the hall file changed, recorded
        self.log_seen = store.log_position() if changed else self.rebuilt.position   # all of it is in self.state
        self._snapshots = snapshots.Schedule(since=self.rebuilt.tail + len(changed))
        self.own = set()                        # positions this gateway appended, not yet seen
        self.session = 0
        self._view_seq = 0
        self._shown = {}                          # (device id, topic suffix) -> last published body without seq
        self._view_broken = set()                 # devices whose view failed and has not recovered
        self._pruned_at = float("-inf")           # when dedup records were last pruned

    def begin_session(self, session):
        self.session = session
        self._view_seq = session * VIEW_SEQ_BLOCK

    # --- time ----------------------------------------------------------------------

    def _watch_clock(self, now):
        if self.monotonic is None:
            return
        offset = now - self.monotonic()
        previous, self._clock_offset_s = self._clock_offset_s, offset
        if previous is None:
            self._check_against_log(now)
            return
        step = offset - previous
        if abs(step) > CLOCK_STEP_S:
            self._record_step(now, step, "since the last look")

    def _check_against_log(self, now):
        """At start: a clock behind the latest event of the log has stepped back while the
        gateway was down (a box that boots before NTP, an RTC reset)."""
        behind = self.state.last_at - now
        if behind > CLOCK_STEP_S:
            self._record_step(now, -behind, "behind the latest event in the log")

    def _record_step(self, now, step, how):
        direction = "back" if step < 0 else "forward"
        self.stats["clock_step_" + direction] += 1
        log.warning("the clock stepped %s by %.0f s (%s); the hall stays on day %s, numbers go on",
                    direction, abs(step), how, days.current_day(self.state, now))
        self._commit_own(decide(self.state, commands.clock_step(step), now))

    def _begin_day(self, now):
        """Close the current day and begin the next once the clock has reached it."""
        if days.due(self.state, now) is None:
            return
        self._after_events(self._commit_own(decide(self.state, commands.new_day(), now)))

    def _commit_own(self, events):
        """Store and apply events the gateway makes itself (no device waits for an ack).
        A store fault is logged and counted; the next tick tries again."""
        if not events:
            return []
        try:
            last = self.store.append(events)
        except StoreError as exc:
            self.counters["store_error"] += 1
            log.error("%s NOT stored: %s", events[0]["type"], exc)
            return []
        if last is not None:
            self.own.update(range(last - len(events) + 1, last + 1))
        for ev in events:
            apply(self.state, ev)
            text = narrate.line(self.hall, ev)
            if text:
                narration.info("%s", text)
        self._snapshot_if_due(events)
        return events

    def _after_events(self, events):
        """What a new day asks of the gateway besides the state: new leases for the printers."""
        if not any(ev["type"] == days.DAY_STARTED for ev in events):
            return
        self.stats["days_begun"] += 1
        for device in self.hall.devices.values():
            if device.kind == "printer" and self.fleet.get(device.id).online:
                self.lease(device)

    # --- inbound -------------------------------------------------------------------

    def on_message(self, topic, payload, retained=False):
        """Handle one inbound message. Never raises: an unexpected fault is counted as an
        internal error and an event whose id can be read still gets a failure ack."""
        self._acked = False
        try:
            self._on_message(topic, payload, retained)
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the hall
            self._internal_error(topic, payload, exc)

    def _on_message(self, topic, payload, retained):
        try:
            hall_id, dev_id, channel = topics.parse_device(topic)
        except (ProtocolError, UnicodeError) as exc:
            return self.reject("bad_topic", topic, exc)
        if hall_id != self.hall.id:
            return self.reject("wrong_hall", topic, "hall %r is not %r" % (hall_id, self.hall.id))
        if channel not in (topics.EVENTS, topics.STATE):
            return self.reject("bad_topic", topic, "the gateway takes no %r messages" % channel)
        try:
            msg = codec.decode(payload)
        except ProtocolError as exc:
            return self._refuse(dev_id, topic, exc.reason, exc, events.readable_id(payload) if channel == topics.EVENTS else None)
        if channel == topics.EVENTS:
            return self._event(topic, dev_id, msg)
        return self._presence(topic, dev_id, msg, retained)

    def reject(self, reason, topic, detail):
        self.counters[reason] += 1
        self.rejects.reject(reason, topic, detail)

    def _refuse(self, dev_id, topic, reason, detail, event_id):
        """Count and log a message that breaks the contract; answer it if its id can be read,
        so the device drops it instead of sending it forever. Nothing is stored: the same
        message is refused the same way again."""
        self.reject(reason, topic, detail)
        if event_id is not None:
            self.stats["refused"] += 1
            # in ASCII: the text may quote what the device sent, and a device shows `err` as is
            why = (reason + ": " + str(detail)).encode("ascii", "backslashreplace").decode("ascii")
            self._send_ack(dev_id, messages.ack(event_id, ok=False, error=_short(why)))

    def _internal_error(self, topic, payload, exc):
        self.counters["internal_error"] += 1
        log.error("internal error on %s (%s: %s), payload %s", escape(topic), type(exc).__name__,
                  escape(str(exc)), escape(payload))
        log.debug("internal error", exc_info=True)
        try:
            _, dev_id, channel = topics.parse_device(topic)
            event_id = events.readable_id(payload) if channel == topics.EVENTS else None
            if event_id is not None and not self._acked:
                self._send_ack(dev_id, messages.ack(event_id, ok=False, error="gateway failed: internal error"))
        except Exception:  # noqa: BLE001 - not even the failure ack could go out; it is counted
            log.error("no failure ack for %s", escape(topic))

    def _event(self, topic, dev_id, msg):
        try:
            events.check_event(msg)
        except ProtocolError as exc:
            return self._refuse(dev_id, topic, exc.reason, exc, events.event_id(msg))
        device = self.hall.devices.get(dev_id)
        if device is None:
            return self._refuse(dev_id, topic, "unknown_device", "%r is not a device of this hall" % dev_id, msg["id"])
        now = self.clock()
        self._prune_dedup(now)
        body = dedup.digest(msg)
        records = self.store.recall(device.id, msg["id"])
        earlier = dedup.answer(records, body)
        if earlier is not None:
            self.stats["duplicate"] += 1
            log.debug("%s: event %s seen before, same ack again", dev_id, escape(msg["id"]))
            self._heard_again(device.id, msg["id"], body if body in records else dedup.LEGACY, now)
            return self._send_ack(device.id, self._noting_paper(device.id, earlier))
        if records:
            # the same id with another body: another event (docs/protocol.md), applied as new
            self.counters["id_reused"] += 1
            log.warning("%s: event id %s reused with a different body: applied as a new event, "
                        "never answered with the earlier event's ack", dev_id, escape(msg["id"]))
        self._execute(device, msg, body, now)

    def _heard_again(self, dev_id, event_id, body, now):
        try:
            self.store.heard_again(dev_id, event_id, body, now)
        except StoreError as exc:   # the record stays as it was: only pruned a little sooner
            self.counters["store_error"] += 1
            log.error("%s: resend of %s not noted: %s", dev_id, escape(event_id), exc)

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
            return [], device_text.refused(self.hall, messages.ack(msg["id"], ok=False, error=str(exc)))
        return events, messages.ack(msg["id"], ok=True, result=self._printable(intake.ack_result(self.hall, events)))

    def _execute(self, device, msg, body, now):
        events, ack = self._decide(device, msg, now)
        # a refusal judged in a day the timer has not begun yet: that day begins now as well
        refused_in_new_day = not events and days.due(self.state, now) is not None
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
        if refused_in_new_day:
            self._begin_day(now)     # judged in the new day, so that day has begun
        self._snapshot_if_due(events)
        self._after_events(events)
        if any(ev["type"] == "device_status" and ev["state"] == "ok" for ev in events):
            self.reprint(device.id)
        if device.kind == "printer" and leases.holds_any(self.state, device.id):
            self.lease(device)       # a reported offline ticket spent its block, or a new day began

    def _noting_paper(self, dev_id, ack):
        """The earlier ack, saying "printed" when its ticket has been reported on paper since."""
        res = ack.get("res")
        ticket = res.get("ticket") if isinstance(res, dict) else None
        # a press the printer sends again after a reset (its flash is written once per
        # ticket, docs/technician.md) whose ticket is on paper already is answered "printed"
        if isinstance(ticket, dict) and on_paper(self.state, dev_id, ticket.get("no")):
            return dict(ack, res=dict(res, printed=True))
        return ack

    def _printable(self, result):
        """A ticket in an ack goes to a printer: add its lines in the printer's code page."""
        if result and isinstance(result.get("ticket"), dict):
            result = dict(result, ticket=device_text.decorate_ticket(self.hall, result["ticket"]))
        return result

    def _tell(self, device, msg, ack, events):
        if not ack["ok"]:
            self.stats["refused"] += 1
            log.info("%s: %s refused: %s", device.id, _what(msg), escape(ack["err"]))
            return
        self.stats["accepted"] += 1
        for ev in events:
            text = narrate.line(self.hall, ev)
            if text:
                narration.info("%s", text)

    def _send_ack(self, dev_id, ack):
        self._acked = True
        self.publish(topics.device(self.hall.id, dev_id, topics.ACK), codec.encode(dict(ack)), False)

    def _presence(self, topic, dev_id, msg, retained):
        try:
            events.check_presence(msg)
        except ProtocolError as exc:
            return self.reject(exc.reason, topic, exc)
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
        if msg.get("err"):     # the latest failure the device contained (its errors.json)
            log.warning("%s: last error %s at %s", device.id, msg["err"], msg.get("where", "?"))
        cmd = messages.command(messages.CMD_TIME, now=int(now))
        self.publish(topics.device(self.hall.id, device.id, topics.COMMAND), codec.encode(cmd), False)
        if device.kind == "printer":
            self.lease(device)
        self.refresh_views(only=device.id)
        if device.kind == "printer" and reprints_owed(self.state, device.id):
            # not at once: a printer that kept the ticket in flash may print it and say so first
            self._reprint_at[device.id] = self.reprint_clock() + self.reprint_grace_s

    def _due_reprints(self):
        """Reprints that came due (a printer's birth plus the grace)."""
        now = self.reprint_clock()
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
            if ev["type"] != "numbers_leased":
                continue
            log.info("%s: numbers %s%03d-%s%03d leased for offline issuing on %s", device.id, ev["svc"],
                     ev["first"], ev["svc"], ev["first"] + ev["count"] - 1, ev["day"])
        self._snapshot_if_due(events)
        self._after_events(events)

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
        """(Re)connected: everything retained goes out again, then the gateway's birth; the
        birth goes out even if views fail, or devices would show "paused" while we serve."""
        try:
            self.refresh_views(force=True)
        finally:
            birth = messages.gateway_birth(self.session, int(self.clock()))
            self.publish(topics.gateway_state(self.hall.id), codec.encode(birth), True)

    def goodbye(self):
        """The retained 'offline' a clean stop publishes itself (a will fires only on a crash)."""
        return topics.gateway_state(self.hall.id), codec.encode(messages.will(self.session))

    def tick(self):
        """Once a tick, busy or not (and once at start): events other tools appended, the reject
        log's summary, a step of the wall clock, and the hall's day begun at its boundary
        whether or not anything else happens (displays and pads then show the new day at once);
        the counters saved to the store when due."""
        self.catch_up()
        self.rejects.flush()
        if self.totals.due(self.counters, self.stats):
            self.save_totals()
        now = self.clock()
        self._watch_clock(now)
        self._begin_day(now)
        self._due_reprints()
        self._snapshot_if_due([])

    def _snapshot_if_due(self, events):
        """After applying `events`: a snapshot at a day boundary or every few thousand events,
        so a restart folds only the log's tail (gateway/snapshots.py)."""
        if not self._snapshots.note(events):
            return
        self.catch_up()              # the snapshot must hold every event up to its position
        try:
            snapshots.take(self.store, self.hall, self.state, self.log_seen)
        except StoreError as exc:
            self.counters["store_error"] += 1
            log.error("snapshot NOT stored (the next one is tried later): %s", exc)
            return
        self._snapshots.taken()
        self.stats["snapshots"] += 1
        log.debug("snapshot of day %s at event %d", self.state.day, self.log_seen)

    # --- counters ------------------------------------------------------------------

    def gauges(self):
        """What is true now: devices online, tickets waiting, messages waiting for the worker."""
        depth = self.queue_depth() if self.queue_depth is not None else 0
        return {"devices_online": len(self.fleet.online()),
                "tickets_waiting": sum(len(tids) for tids in self.state.waiting.values()),
                "inbound_queue": depth}

    def snapshot(self):
        """Totals across restarts (gateway/counters.py) and the gauges of now."""
        return dict(self.totals.sum(self.counters, self.stats), gauges=self.gauges())

    def save_totals(self):
        self.totals.save(self.counters, self.stats, self.gauges(), self.clock())

    def refresh_views(self, force=False, only=None):
        """Publish every view that changed since it was last published (or all, if forced).
        One device's view that cannot be built or encoded stops only that device's view."""
        now = self.clock()
        for dev_id, device in self.hall.devices.items():
            if only is not None and dev_id != only:
                continue
            try:
                self._refresh_view(device, now, force or only is not None)
            except Exception as exc:  # noqa: BLE001 - contained to this device
                self._view_failed(dev_id, exc)
            else:
                self._view_recovered(dev_id)

    def _refresh_view(self, device, now, force):
        for suffix, body in views.device_messages(self.state, device, now):
            shown = (device.id, suffix)
            if not force and self._shown.get(shown) == body:
                continue
            if suffix == topics.VIEW:
                view = device_text.decorate_view(self.hall, dict(body, seq=self._view_seq + 1))
                payload = codec.encode(view)
                self._view_seq += 1
                topic = topics.device(self.hall.id, device.id, topics.VIEW)
            else:          # a printer's lease of one service (views.device_messages)
                payload = codec.encode(device_text.decorate_lease(self.hall, body))
                topic = topics.lease(self.hall.id, device.id, body["svc"])
            self.publish(topic, payload, True)
            self._shown[shown] = body

    def _view_failed(self, dev_id, exc):
        """Counted and logged once per failure, not on every refresh while it lasts."""
        if dev_id in self._view_broken:
            return
        self._view_broken.add(dev_id)
        self.counters["view_error"] += 1
        log.error("%s: view not published (%s: %s); other devices' views go on", dev_id,
                  type(exc).__name__, escape(str(exc)))

    def _view_recovered(self, dev_id):
        if dev_id in self._view_broken:
            self._view_broken.discard(dev_id)
            log.info("%s: view published again", dev_id)


def _what(msg):
    if msg["t"] == messages.KEY:
        return "key " + msg["key"]
    return msg["t"] + " " + msg["id"]


def _short(text):
    return text if len(text) <= MAX_ERR else text[:MAX_ERR - 3] + "..."
