"""Group commit: what the worker decides for the messages it takes together is written to the
store in one transaction (one fsync), and everything it would publish meanwhile (acks,
views, commands) is held until that commit has returned.

The service decides and applies each event in the order it arrived, exactly as it would one
at a time; only the writing is gathered. So an ack never goes out before the event it answers
is durable, and a crash before the commit loses only events nobody was told about: their
devices still hold them and send them again. A lone event is not delayed: the worker commits
as soon as the inbox has nothing more for it (gateway/mqtt.py), with no timer.
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

    def publish(self, topic, payload, retain):
        self.publishes.append((topic, payload, retain))

    def holds(self, device, event_id):
        """True if this batch already decided an event with that id (not yet durable)."""
        return (device, event_id) in self.event_ids

    def commit(self, store):
        """Write every append in one transaction; [(first, last) positions] of those with
        events. Raises StoreError with nothing written."""
        if not self.appends:
            return []
        lasts = store.append_many(self.appends)
        return [(last - len(events) + 1, last) for (events, _), last in zip(self.appends, lasts)
                if events and last is not None]

    def event_count(self):
        return sum(len(events) for events, _ in self.appends)
