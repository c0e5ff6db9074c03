"""The inbox: a queue per device served in turn, and each device's inbound budget."""
from gateway.inbox import Budget, FairInbox, TokenBucket


class Clock:
    def __init__(self):
        self.now_s = 100.0

    def __call__(self):
        return self.now_s


def drain(inbox):
    items = []
    while True:
        item = inbox.get(0)
        if item is None:
            return items
        items.append(item)


def test_devices_are_served_in_turn_not_in_arrival_order():
    inbox = FairInbox()
    for n in range(5):
        inbox.put("flood", ("flood", n))
    inbox.put("quiet", ("quiet", 0))
    inbox.put("other", ("other", 0))
    order = drain(inbox)
    assert order[:3] == [("flood", 0), ("quiet", 0), ("other", 0)]
    assert order[3:] == [("flood", n) for n in range(1, 5)]      # each device's own order kept


def test_control_items_go_before_any_message():
    inbox = FairInbox()
    inbox.put("printer-1", "message")
    inbox.put_control("connected")
    assert drain(inbox) == ["connected", "message"]


def test_a_device_over_its_budget_has_its_excess_dropped_and_counted():
    clock = Clock()
    inbox = FairInbox(Budget(rate_per_s=2.0, burst=3, clock=clock))
    taken = [inbox.put("flood", n) for n in range(10)]
    assert taken == [True] * 3 + [False] * 7
    assert inbox.put("quiet", "q") is True                   # another device's budget is its own
    assert inbox.take_refused() == {"flood": 7}
    assert inbox.take_refused() == {}                        # reported once
    clock.now_s += 1.0                                       # two more tokens a second later
    assert [inbox.put("flood", n) for n in range(3)] == [True, True, False]
    assert inbox.depth() == 6


def test_a_device_cannot_queue_more_than_its_limit_even_within_budget():
    inbox = FairInbox(max_pending=4)
    assert sum(inbox.put("flood", n) for n in range(10)) == 4
    assert inbox.take_refused() == {"flood": 6}
    inbox.get(0)
    assert inbox.put("flood", "room again") is True


def test_a_bucket_never_holds_more_than_its_burst():
    bucket = TokenBucket(rate_per_s=10.0, burst=2, now_s=0.0)
    assert [bucket.take(1000.0) for _ in range(3)] == [True, True, False]


def test_a_clock_stepping_back_grants_nothing():
    bucket = TokenBucket(rate_per_s=10.0, burst=1, now_s=50.0)
    assert bucket.take(50.0) is True
    assert bucket.take(10.0) is False


def test_a_batch_is_taken_in_turn_order_and_stops_at_a_control_item():
    inbox = FairInbox()
    for n in range(3):
        inbox.put("flood", ("flood", n))
    inbox.put("quiet", ("quiet", 0))
    assert inbox.take_messages(3) == [("flood", 0), ("quiet", 0), ("flood", 1)]
    inbox.put_control("stop")
    assert inbox.take_messages(10) == []             # the control item goes first
    assert drain(inbox) == ["stop", ("flood", 2)]
