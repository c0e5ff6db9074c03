"""The gateway's message handling, apart from paho: one inbound MQTT message in, zero or more
publishes out through `publish(topic, payload, retain)`. Runs on a single worker thread.

Order for a device event: decode -> validate -> known device? -> seen before? -> command ->
decide -> store events + dedup record in one transaction -> apply -> ack -> views. The ack
goes out only after the commit, so an acknowledged effect survives any crash; a resent event
id finds its dedup record and gets the very same ack, and nothing is applied twice.

Group commit (gateway/group_commit.py): between begin_batch() and commit_batch() every append
is gathered for one transaction and every publish is held until it has returned; events are
still decided and applied one after another in arrival order. Outside a batch each append is
its own transaction, as before. Views (gateway/view_publisher.py), presence (gateway/births.py)
and clock steps (gateway/clock_watch.py) live in modules of their own.
"""
import collections
import logging
import time

from gateway import hallchange, narrate, snapshots, views
from gateway.births import REPRINT_GRACE_S, Births
from gateway.clock_watch import CLOCK_STEP_S, ClockWatch
from gateway.counters import Totals
from gateway.device_events import DeviceEvents
from gateway.engine import Refused, apply, commands, days, decide, leases
from gateway.group_commit import Writer
from gateway.logtext import escape
from gateway.presence import Fleet
from gateway.rejects import RejectLog
from gateway.view_publisher import ViewPublisher
from gateway.store import StoreError
from protocol import ProtocolError, codec, events, messages, topics

log = logging.getLogger("hallmesh.gateway")
narration = logging.getLogger("hallmesh.gateway.narration")   # what happened, in the hall's language

MAX_ERR = 160                # characters of a refusal's reason in an ack
__all__ = ["Service", "CLOCK_STEP_S", "REPRINT_GRACE_S", "MAX_ERR"]


class Service:
    def __init__(self, hall, store, publish, clock, on_presence=None, monotonic=None,
                 reprint_grace_s=REPRINT_GRACE_S, reprint_clock=time.monotonic):
        """clock() is the wall clock (s since the epoch) the hall's days are read from;
        monotonic(), when given, is a clock that never steps, to notice when the wall clock does."""
        self.hall, self.store, self.publish, self.clock = hall, store, publish, clock
        self.on_presence = on_presence   # e.g. the device registry's presence record
        self.births = Births(self, reprint_grace_s, reprint_clock)
        self.device_events = DeviceEvents(self)
        self.clock_watch = ClockWatch(monotonic)
        self.writer = Writer(store, publish)     # appends and publishes, at once or in a batch
        self.counters = collections.Counter()   # rejected messages by reason
        # accepted, refused, duplicate events; days_begun, clock_step_back, clock_step_forward
        self.stats = collections.Counter()
        self.fleet = Fleet()
        self.rejects = RejectLog()
        self.views = ViewPublisher(hall, self.counters)
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

    def begin_session(self, session):
        self.session = session
        self.views.begin_session(session)

    # --- group commit (gateway/group_commit.py) -----------------------------------------

    def begin_batch(self):
        """From now until commit_batch(): appends gathered, publishes held."""
        self.writer.begin()

    def commit_batch(self):
        """One transaction for everything gathered since begin_batch(); then the held publishes
        go out, in order. If the commit fails nothing of the batch was told to anyone: the held
        publishes are dropped, the state is folded again from the store, and the devices send
        their unacknowledged events again."""
        try:
            self._written(self.writer.commit())
        except StoreError as exc:
            self.counters["store_error"] += 1
            log.error("%d events of %d messages NOT stored, no acks: %s", *exc.held, exc)
            self._fold_again()

    def durable_first(self, device, event_id):
        """A resend of an event this very batch decided: commit the batch so far, so the
        resend is answered from the store like any other."""
        if self.writer.holds(device, event_id):
            self._flush()

    def _flush(self):
        """Commit what the batch holds so far and go on gathering."""
        if self.writer.has_work():
            self.commit_batch()
            self.begin_batch()

    def _fold_again(self):
        """After a failed group commit: the state as the store has it, every view sent again."""
        try:
            rebuilt = snapshots.rebuild(self.hall, self.store)
        except StoreError as exc:
            self.counters["store_error"] += 1
            log.error("cannot read the store back after a failed commit: %s", exc)
            return
        self.state, self.log_seen = rebuilt.state, rebuilt.position
        self.own.clear()
        self.views.forget()

    def append(self, events, dedup=None):
        """Store events (with a device event's dedup record): gathered in a batch, else at once.
        Raises StoreError with nothing written."""
        self._written(self.writer.append(events, dedup))

    def _written(self, spans):
        for first, last in spans:
            self.own.update(range(first, last + 1))     # ours: catch_up must not apply them again

    def send(self, topic, payload, retain):
        """Publish now, or once the batch in hand is durable."""
        self.writer.send(topic, payload, retain)

    # --- time ----------------------------------------------------------------------

    def _watch_clock(self, now):
        step = self.clock_watch.look(now, self.state.last_at)
        if step is not None:
            self._record_step(now, *step)

    def _record_step(self, now, step, how):
        direction = "back" if step < 0 else "forward"
        self.stats["clock_step_" + direction] += 1
        log.warning("the clock stepped %s by %.0f s (%s); the hall stays on day %s, numbers go on",
                    direction, abs(step), how, days.current_day(self.state, now))
        self.commit_own(decide(self.state, commands.clock_step(step), now))

    def begin_day(self, now):
        """Close the current day and begin the next once the clock has reached it."""
        if days.due(self.state, now) is None:
            return
        self.after_events(self.commit_own(decide(self.state, commands.new_day(), now)))

    def commit_own(self, events):
        """Store and apply events the gateway makes itself (no device waits for an ack).
        A store fault is logged and counted; the next tick tries again."""
        if not events:
            return []
        try:
            self.append(events)
        except StoreError as exc:
            self.counters["store_error"] += 1
            log.error("%s NOT stored: %s", events[0]["type"], exc)
            return []
        for ev in events:
            apply(self.state, ev)
            text = narrate.line(self.hall, ev)
            if text:
                narration.info("%s", text)
        self.snapshot_if_due(events)
        return events

    def after_events(self, events):
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
            return self.refuse(dev_id, topic, exc.reason, exc, events.readable_id(payload) if channel == topics.EVENTS else None)
        if channel == topics.EVENTS:
            return self.device_events.on_event(topic, dev_id, msg)
        return self.births.on_presence(topic, dev_id, msg, retained)

    def reject(self, reason, topic, detail):
        self.counters[reason] += 1
        self.rejects.reject(reason, topic, detail)

    def refuse(self, dev_id, topic, reason, detail, event_id):
        """Count and log a message that breaks the contract; answer it if its id can be read,
        so the device drops it instead of sending it forever. Nothing is stored: the same
        message is refused the same way again."""
        self.reject(reason, topic, detail)
        if event_id is not None:
            self.stats["refused"] += 1
            # in ASCII: the text may quote what the device sent, and a device shows `err` as is
            why = (reason + ": " + str(detail)).encode("ascii", "backslashreplace").decode("ascii")
            self.send_ack(dev_id, messages.ack(event_id, ok=False, error=_short(why)))

    def _internal_error(self, topic, payload, exc):
        self.counters["internal_error"] += 1
        log.error("internal error on %s (%s: %s), payload %s", escape(topic), type(exc).__name__,
                  escape(str(exc)), escape(payload))
        log.debug("internal error", exc_info=True)
        try:
            _, dev_id, channel = topics.parse_device(topic)
            event_id = events.readable_id(payload) if channel == topics.EVENTS else None
            if event_id is not None and not self._acked:
                self.send_ack(dev_id, messages.ack(event_id, ok=False, error="gateway failed: internal error"))
        except Exception:  # noqa: BLE001 - not even the failure ack could go out; it is counted
            log.error("no failure ack for %s", escape(topic))

    def send_ack(self, dev_id, ack):
        self._acked = True
        self.send(topics.device(self.hall.id, dev_id, topics.ACK), codec.encode(dict(ack)), False)

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
        stored = self.commit_own(events)         # a store fault: logged, no new block now
        for ev in stored:
            if ev["type"] == "numbers_leased":
                log.info("%s: numbers %s%03d-%s%03d leased for offline issuing on %s", device.id, ev["svc"],
                         ev["first"], ev["svc"], ev["first"] + ev["count"] - 1, ev["day"])
        self.after_events(stored)

    def reprint(self, dev_id):
        """Send a printer the tickets it failed to print that are still waiting (gateway/births.py)."""
        self.births.reprint(dev_id)

    def catch_up(self):
        """Apply what other tools appended to the log since we last looked (bookings imported,
        follow-up cases updated from the command line), so a running gateway knows them."""
        self._flush()                # our own appends must be in the log to be told from theirs
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
            self.send(topics.gateway_state(self.hall.id), codec.encode(birth), True)

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
        self.begin_day(now)
        self.births.due_reprints()
        self.snapshot_if_due([])

    def snapshot_if_due(self, events):
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
        self.views.refresh(self.state, self.clock(), self.send, force=force, only=only)


def _short(text):
    return text if len(text) <= MAX_ERR else text[:MAX_ERR - 3] + "..."
