"""The MQTT adapter: paho on one side, the gateway Service on a single worker thread.

paho's callbacks run on paho's network thread; they never raise and only put work on the
inbox (gateway/inbox.py: a queue per device served in turn, each device within its inbound
budget), so a slow disk, a bad message or a flooding device can never stall or kill the
network loop nor starve the other devices. The worker handles one message at a time, which
keeps the engine single-threaded. Nagle is off on the broker connection (gateway/tcp.py):
an ack must not wait for the next packet.

In-process use (tests, simulator, demo):
    gw = Gateway.from_files("halls/example.toml", "run/hall.db", "127.0.0.1", 1883)
    gw.start()          # True once online: state replayed, views and birth published
    ...                 # gw.counters, gw.stats, gw.fleet; `with gw.lock:` to read gw.state
    gw.stop()
"""
import logging
import threading
import time

import paho.mqtt.client as mqtt

from gateway import config, tcp
from gateway.inbox import MAX_PENDING_PER_DEVICE, Budget, FairInbox
from gateway.service import Service
from gateway.store import open_store
from protocol import codec, messages, topics

log = logging.getLogger("hallmesh.gateway")

TICK_S = 0.5          # the worker wakes this often: day boundary, clock steps, pad rating timeouts,
                      # events of other tools
BUDGET_LOG_EVERY_S = 10.0   # a device over its budget is logged at most this often
MAX_BATCH = 64        # messages committed together at most: bounds the lock's hold and an ack's wait
_STOP = ("stop",)
_UNDEFAULTED = object()


class Gateway:
    """One hall's gateway. `state`, `counters`, `stats`, `fleet` are for reading only
    (hold `lock` while reading `state` from another thread)."""

    def __init__(self, hall, store, host="127.0.0.1", port=1883, clock=time.time, keepalive=30,
                 owns_store=False, credentials=None, on_presence=None, budget=_UNDEFAULTED, monotonic=None):
        """credentials: (user, password) for a broker that checks them (hallmesh devices
        broker-files); on_presence(device, birth-or-will, online, at) hears every birth and will;
        budget: each device's inbound budget (inbox.Budget; None: unlimited, for benchmarks);
        monotonic: a clock that never steps, to notice steps of `clock` (default: with the real
        wall clock, time.monotonic; a simulated clock runs at its own pace and has none)."""
        if monotonic is None and clock is time.time:
            monotonic = time.monotonic
        self.monotonic = monotonic
        self.hall, self.store, self.host, self.port = hall, store, host, port
        self.credentials, self.on_presence = credentials, on_presence
        self.clock, self.keepalive, self._owns_store = clock, keepalive, owns_store
        self.lock = threading.RLock()
        self.ready = threading.Event()     # subscribed, views and birth published
        if budget is _UNDEFAULTED:
            self._inbox = FairInbox(Budget())
        else:                              # None: unlimited, queue included (benchmarks)
            self._inbox = FairInbox(budget, max_pending=None if budget is None else MAX_PENDING_PER_DEVICE)
        self._budget_logged = {}           # device -> monotonic time of its last budget warning
        self._over_budget = {}             # device -> drops not yet logged
        self._cleared = set()              # event topics whose retained message we erased
        self._worker = None
        self._client = None
        self.service = None
        self._store_closed = False

    @classmethod
    def from_files(cls, hall, db_path, host="127.0.0.1", port=1883, **kwargs):
        """A gateway that opens (and on stop closes) its own SQLite store. `hall` is a
        config.Hall or the path of a hall file."""
        if not isinstance(hall, config.Hall):
            hall = config.load(hall)
        return cls(hall, open_store(db_path), host, port, owns_store=True, **kwargs)

    # read-only views of the service, for tests, the simulator and tools
    @property
    def state(self):
        return self.service.state

    @property
    def counters(self):
        return self.service.counters

    @property
    def stats(self):
        return self.service.stats

    @property
    def fleet(self):
        return self.service.fleet

    @property
    def session(self):
        return self.service.session

    def start(self, wait=10.0):
        """Rebuild the state from the store, connect, publish views and birth.
        Returns True once online; False if not online within `wait` s (it keeps trying)."""
        self.service = Service(self.hall, self.store, self._publish, self.clock, self.on_presence,
                               monotonic=self.monotonic)
        self.service.begin_session(self.store.next_session())
        self.service.queue_depth = self.queue_depth
        rebuilt = self.service.rebuilt
        log.info("hall %s: state rebuilt in %.2f s from %s + %d events of the log, session %d", self.hall.id,
                 rebuilt.seconds, "the snapshot at event %d" % rebuilt.from_snapshot if rebuilt.from_snapshot
                 else "no snapshot", rebuilt.tail, self.service.session)
        self.service.tick()      # a day that began while the gateway was down begins before any view
        self._client = self._make_client()
        self._worker = threading.Thread(target=self._run, name="hallmesh-gw-worker", daemon=True)
        self._worker.start()
        self._client.connect_async(self.host, self.port, keepalive=self.keepalive)
        self._client.loop_start()
        return self.ready.wait(wait) if wait else False

    def stop(self):
        """Say 'offline' (retained), disconnect, finish the queued work, close an owned store
        (also when the gateway never started: a check before going online refused it)."""
        if self._client is None:
            if self.service is None and self._owns_store and not self._store_closed:
                self._store_closed = True
                self.store.close()
            return
        client, self._client = self._client, None
        try:
            topic, payload = self.service.goodbye()
            info = client.publish(topic, payload, qos=1, retain=True)
            if client.is_connected():
                info.wait_for_publish(2.0)
        except (RuntimeError, ValueError) as exc:
            log.warning("could not say goodbye: %s", exc)
        client.disconnect()
        client.loop_stop()
        self._inbox.put_control(_STOP)
        self._worker.join(10)
        with self.lock:
            self.service.save_totals()
        if self._owns_store:
            self._store_closed = True
            self.store.close()
        log.info("hall %s: gateway stopped", self.hall.id)

    # --- paho side: runs on paho's thread, never raises --------------------------------

    def _make_client(self):
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="hallmesh-gw-" + self.hall.id,
                             clean_session=False)
        will = codec.encode(messages.will(self.service.session))
        client.will_set(topics.gateway_state(self.hall.id), will, qos=1, retain=True)
        if self.credentials:
            client.username_pw_set(*self.credentials)
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.max_inflight_messages_set(100)
        client.on_socket_open = self._on_socket_open
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def _on_socket_open(self, client, userdata, sock):
        try:
            tcp.no_delay(sock)
        except Exception:  # noqa: BLE001 - a callback must never raise into paho
            log.exception("on_socket_open")

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        try:
            if reason_code.is_failure:
                log.error("broker %s:%d refused the gateway: %s", self.host, self.port, reason_code)
                return
            self._inbox.put_control(("connected",))
        except Exception:  # noqa: BLE001 - a callback must never raise into paho
            log.exception("on_connect")

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        try:
            if any(code.is_failure for code in reason_codes):
                log.error("broker %s:%d refused the gateway's subscriptions: %s", self.host, self.port,
                          ", ".join(str(code) for code in reason_codes))
                return
            self._inbox.put_control(("subscribed",))
        except Exception:  # noqa: BLE001 - a callback must never raise into paho
            log.exception("on_subscribe")

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        try:
            self.ready.clear()
            if self._client is not None:
                log.warning("lost the broker %s:%d (%s), reconnecting", self.host, self.port, reason_code)
        except Exception:  # noqa: BLE001
            pass

    def _on_message(self, client, userdata, msg):
        try:
            # a payload over the protocol's limit is refused as too large all the same: its
            # first bytes (enough to read its id) are all the queue needs to hold
            payload = bytes(msg.payload[:codec.MAX_PAYLOAD + 1])
            self._inbox.put(_source(msg.topic), ("message", msg.topic, payload, bool(msg.retain)))
        except Exception:  # noqa: BLE001
            log.exception("on_message")

    def _publish(self, topic, payload, retain):
        client = self._client
        if client is not None:
            client.publish(topic, payload, qos=1, retain=retain)

    # --- worker side ---------------------------------------------------------------

    def _run(self):
        next_look = time.monotonic()
        while True:
            item = self._inbox.get(TICK_S)
            if item is _STOP:
                return
            try:
                with self.lock:
                    self._count_refused()
                    self._handle_batch(item)
                    if time.monotonic() >= next_look:   # at most once a tick, busy or not
                        next_look = time.monotonic() + TICK_S
                        self.service.tick()          # other tools' events, the day boundary, clock steps
                    self.service.refresh_views()     # once a batch: what every device shows now
            except Exception:  # noqa: BLE001 - one bad message must not stop the hall
                self.service.counters["internal_error"] += 1
                log.exception("internal error handling %r", item[:2] if item else item)

    def _handle_batch(self, item):
        """The item taken and every message waiting behind it (at most MAX_BATCH), decided in
        turn and committed together: one fsync for all, then their acks (group commit,
        gateway/group_commit.py). Nothing waits for company: what is waiting now is the batch."""
        if item is None or item[0] != "message":
            return self._handle(item)
        self.service.begin_batch()
        try:
            self._handle(item)
            for more in self._inbox.take_messages(MAX_BATCH - 1):
                self._handle(more)
        finally:
            self.service.commit_batch()

    def _handle(self, item):
        if item is None:
            return
        if item[0] == "connected":
            self._subscribe()
            self.service.on_connected()
        elif item[0] == "subscribed":
            # online only once the broker has the subscription: an event published before
            # it would find no subscriber on a broker that never saw this gateway
            self.ready.set()
            log.info("hall %s: gateway online at %s:%d (session %d)", self.hall.id, self.host,
                     self.port, self.service.session)
        elif item[0] == "message" and not self._retained_event(*item[1:]):
            self.service.on_message(item[1], item[2], item[3])

    def _retained_event(self, topic, payload, retained):
        """A device event the broker kept (published with retain): refused, counted, erased
        from the broker, never handled. Its live copy, if any, was handled when it was
        published; the device resends any event it has no ack for."""
        if not topic.endswith("/" + topics.EVENTS):
            return False
        if retained:
            self.service.counters["retained_event"] += 1
            log.warning("refused a retained event on %r: events are never retained; erased it", topic)
            self._cleared.add(topic)
            self._publish(topic, b"", True)
            return True
        if not payload and topic in self._cleared:   # our own erasing, come back to us
            self._cleared.discard(topic)
            return True
        return False

    def _count_refused(self):
        """Messages the inbox dropped for being over a device's budget -> counters, and a
        warning per device at most every BUDGET_LOG_EVERY_S."""
        now = time.monotonic()
        for source, count in self._inbox.take_refused().items():
            self.service.counters["refused_budget"] += count
            self._over_budget[source] = self._over_budget.get(source, 0) + count
            if now - self._budget_logged.get(source, -BUDGET_LOG_EVERY_S) >= BUDGET_LOG_EVERY_S:
                self._budget_logged[source] = now
                log.warning("%r is over its inbound budget: %d messages dropped since the last warning",
                            source, self._over_budget.pop(source))

    def queue_depth(self):
        """Inbound messages waiting for the worker."""
        return self._inbox.depth()

    def _subscribe(self):
        client = self._client
        if client is not None:
            client.subscribe([(topics.all_devices(self.hall.id, topics.EVENTS), 1),
                              (topics.all_devices(self.hall.id, topics.STATE), 1)])


def _source(topic):
    """Whose budget a message spends: the device segment of its topic (a malformed topic
    spends a shared one)."""
    parts = topic.split("/")
    return parts[3][:64] if len(parts) == 5 else "(bad topic)"
