"""Group commit: what the worker decides for the messages it takes together is written to the
store in one transaction (one fsync), and everything it would publish meanwhile (acks,
views, commands) is held until that commit has returned.

The service decides and applies each event in the order it arrived, exactly as it would one
at a time; only the writing is gathered. So an ack never goes out before the event it answers
is durable, and a crash before the commit loses only events nobody was told about: their
devices still hold them and send them again. A lone event is not delayed: the worker commits
as soon as the inbox has nothing more for it (gateway/mqtt.py), with no timer.

Outside a batch (tests, tools, the console) every append is its own transaction and every
publish goes out at once, as before.
"""


class PendingCommit:
    """The appends and publishes of one batch, in order, until `commit`."""

    def __init__(self):
        self.appends = []            # (events, dedup record or None), in decision order
        self.publishes = []          # (topic, payload, retain), in the order they were made
        self.event_ids = set()       # (device, event id) with a dedup record in this batch

    def append(self, events, dedup=None):
        self.appends.append((list(events), dedup))
        if dedup is not None:
            self.event_ids.add((dedup[0], dedup[1]))

    def event_count(self):
        return sum(len(events) for events, _ in self.appends)


class Writer:
    """The service's way to the store and the broker: at once, or gathered in a batch."""

    def __init__(self, store, publish):
        self.store, self.publish = store, publish
        self.pending = None          # PendingCommit while a batch is gathered

    def begin(self):
        self.pending = PendingCommit()

    def append(self, events, dedup=None):
        """[(first, last)] positions written now (none while a batch gathers them).
        Raises StoreError with nothing written."""
        if self.pending is not None:
            self.pending.append(events, dedup)
            return []
        last = self.store.append(events, dedup=dedup)
        return [(last - len(events) + 1, last)] if events and last is not None else []

    def send(self, topic, payload, retain):
        if self.pending is not None:
            self.pending.publishes.append((topic, payload, retain))
        else:
            self.publish(topic, payload, retain)

    def holds(self, device, event_id):
        """True if the batch in hand decided an event with that id (not yet durable)."""
        return self.pending is not None and (device, event_id) in self.pending.event_ids

    def has_work(self):
        return self.pending is not None and bool(self.pending.appends or self.pending.publishes)

    def commit(self):
        """Write the batch in one transaction, then publish what it held; [(first, last)]
        positions written. On StoreError nothing is written and the held publishes are
        dropped (the error is raised, with the batch's size in `held`)."""
        pending, self.pending = self.pending, None
        if pending is None or not pending.appends:
            written = []
        else:
            try:
                lasts = self.store.append_many(pending.appends)
            except Exception as exc:
                exc.held = (pending.event_count(), len(pending.appends))
                raise
            written = [(last - len(events) + 1, last) for (events, _), last in zip(pending.appends, lasts)
                       if events and last is not None]
        for topic, payload, retain in pending.publishes if pending else ():
            self.publish(topic, payload, retain)
        return written
