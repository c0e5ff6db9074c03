"""What the gateway's worker takes its inbound messages from: one queue per device, served in
turn, and an inbound budget per device (a token bucket, checked before anything is decoded).

One FIFO let a single device starve the hall (20,000 junk payloads from one device delayed
another's ticket by 31.5 s). Here a device that sends faster than its budget has its excess
dropped and counted, never queued, and whatever it does queue waits its turn behind one
message of every other device. A dropped event is not lost: the device keeps every event
until it is acknowledged and sends it again later.

Thread-safe: paho's thread puts, the worker thread takes.
"""
import collections
import threading
import time

# A real device sends an event per press and at most its outbox (24 events) at once after
# an outage; a ticket printer cannot print more than a few tickets a second.
BUDGET_RATE_PER_S = 20.0
BUDGET_BURST = 100
MAX_PENDING_PER_DEVICE = 200     # queued and not yet handled; beyond it, dropped as over budget


class TokenBucket:
    """`burst` messages at once, then `rate_per_s` a second on average."""

    def __init__(self, rate_per_s, burst, now_s):
        self.rate_per_s, self.burst = rate_per_s, burst
        self.tokens = float(burst)
        self.stamp_s = now_s

    def take(self, now_s):
        """True if one message fits the budget now (and spend it)."""
        elapsed_s = max(0.0, now_s - self.stamp_s)
        self.tokens = min(float(self.burst), self.tokens + elapsed_s * self.rate_per_s)
        self.stamp_s = now_s
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Budget:
    """The inbound budget of every device: rate and burst alike for all; None means unlimited."""

    def __init__(self, rate_per_s=BUDGET_RATE_PER_S, burst=BUDGET_BURST, clock=time.monotonic):
        self.rate_per_s, self.burst, self.clock = rate_per_s, burst, clock
        self._buckets = {}

    def allows(self, source):
        bucket = self._buckets.get(source)
        now_s = self.clock()
        if bucket is None:
            bucket = self._buckets[source] = TokenBucket(self.rate_per_s, self.burst, now_s)
        return bucket.take(now_s)


class FairInbox:
    """Control items (connected, stop) go first; messages are taken one per source in turn.
    budget None: no rate limit; max_pending None: no limit on what a source may queue."""

    def __init__(self, budget=None, max_pending=MAX_PENDING_PER_DEVICE):
        self.budget, self.max_pending = budget, max_pending
        self._cond = threading.Condition()
        self._control = collections.deque()
        self._pending = collections.OrderedDict()    # source -> deque, in turn order
        self._refused = collections.Counter()         # source -> messages dropped, not yet reported

    def put_control(self, item):
        with self._cond:
            self._control.append(item)
            self._cond.notify()

    def put(self, source, item):
        """Queue `item` from `source` (a device id) unless that source is over its budget.
        Returns False for a dropped item (counted, see take_refused)."""
        with self._cond:
            waiting = self._pending.get(source)
            over = waiting is not None and self.max_pending is not None and len(waiting) >= self.max_pending
            if over or (self.budget is not None and not self.budget.allows(source)):
                self._refused[source] += 1
                return False
            if waiting is None:
                waiting = self._pending[source] = collections.deque()
            waiting.append(item)
            self._cond.notify()
            return True

    def get(self, timeout_s):
        """The next item, or None after timeout_s with nothing to do."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not self._control and not self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            if self._control:
                return self._control.popleft()
            return self._next_message()

    def take_messages(self, limit):
        """Up to `limit` messages queued now, in the same turn order as get(), without waiting;
        none once a control item is waiting (it goes first)."""
        taken = []
        with self._cond:
            while len(taken) < limit and self._pending and not self._control:
                taken.append(self._next_message())
        return taken

    def _next_message(self):
        source, waiting = self._pending.popitem(last=False)
        item = waiting.popleft()
        if waiting:                  # back of the line: every other source goes first
            self._pending[source] = waiting
        return item

    def take_refused(self):
        """{source: count} dropped since the last call."""
        with self._cond:
            refused, self._refused = self._refused, collections.Counter()
        return refused

    def depth(self):
        """Messages queued and not yet handled."""
        with self._cond:
            return sum(len(waiting) for waiting in self._pending.values())
