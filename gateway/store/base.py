"""What the gateway needs from a store. SQLite implements it now; a PostgreSQL store can
implement the same methods later without the gateway noticing.

Contract:
- append(events, dedup=None): the events (JSON-able dicts) and, if given, the dedup record
  (device, event id, ack dict, body digest, seen_at s) are durable together or not at all;
  returns after commit.
- append_many([(events, dedup), ...]): several appends in one transaction (one fsync), all
  durable or none; returns each one's last position (None where it had no events).
- load_events(): every appended event, in append order (the log the state is folded from).
- seen(device, event_id): the ack dict stored with that device event, or None.
- recall(device, event_id): {body digest: ack dict} of every body this id was seen with.
- heard_again(device, event_id, digest, at): a resend arrived at `at`; keeps its record longer.
- prune_dedup(before): drops dedup records last heard before `before` s; returns how many.
- read_meta(key) / write_meta(key, value): small named texts of the store (its hall id).
- next_session(): increments and returns the gateway's start counter (durably).
- log_position(): the position of the latest appended event (0 for an empty log).
- events_after(position): [(position, event)] appended after `position`, in order: how a
  running gateway learns of events other tools (bookings import, case updates) appended.
- iter_events(after=0): (position, event) after `after`, in order, streamed in batches.
- save_snapshot(position, hall, version, day, body) / latest_snapshot(hall, version) ->
  (position, body) or None: the state after every event up to `position` (gateway/snapshots.py).
- find_ticket(day, no): the ticket_issued event of that ticket, by an index, or None.
- load_totals() / save_totals(totals): the gateway's counters (gateway/counters.py), a
  JSON-able dict kept across restarts; {} before the first save.
- close().
"""


class StoreError(RuntimeError):
    """The store cannot do what was asked (disk full, locked, corrupt); nothing was written."""


class Store:
    def append(self, events, dedup=None):
        raise NotImplementedError

    def append_many(self, entries):
        raise NotImplementedError

    def load_events(self):
        raise NotImplementedError

    def seen(self, device, event_id):
        raise NotImplementedError

    def recall(self, device, event_id):
        raise NotImplementedError

    def heard_again(self, device, event_id, digest, at):
        raise NotImplementedError

    def prune_dedup(self, before):
        raise NotImplementedError

    def read_meta(self, key):
        raise NotImplementedError

    def write_meta(self, key, value):
        raise NotImplementedError

    def next_session(self):
        raise NotImplementedError

    def log_position(self):
        raise NotImplementedError

    def events_after(self, position):
        raise NotImplementedError

    def iter_events(self, after=0):
        raise NotImplementedError

    def save_snapshot(self, position, hall, version, day, body):
        raise NotImplementedError

    def latest_snapshot(self, hall, version):
        raise NotImplementedError

    def find_ticket(self, day, no):
        raise NotImplementedError

    def load_totals(self):
        raise NotImplementedError

    def save_totals(self, totals):
        raise NotImplementedError

    def close(self):
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
