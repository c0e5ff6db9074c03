"""A running gateway learns of events other tools append to its log (a bookings import, a
follow-up case updated from the command line) without a restart, and never applies its own
events twice."""
from gateway.engine import commands as c
from gateway.engine import apply, decide, fold
from gateway.service import Service
from gateway.store import open_store
from tests.gateway.hall_fixture import small_hall

T0 = 1_795_420_800.0


def test_events_appended_by_another_tool_reach_the_running_gateway(tmp_path):
    hall = small_hall()
    db = str(tmp_path / "hall.db")
    published = []
    with open_store(db) as store:
        service = Service(hall, store, lambda *msg: published.append(msg), lambda: T0)
        service.begin_session(store.next_session())
        own = decide(service.state, c.issue("A", "printer-1"), T0)
        last = store.append(own)
        service.own.update(range(last - len(own) + 1, last + 1))
        for ev in own:
            apply(service.state, ev)
        with open_store(db) as other:                     # e.g. `hallmesh appointments import`
            booking = decide(fold(hall, other.load_events()), c.book("X7K2", "A", T0 + 3600, "Li Wei"), T0)
            other.append(booking)
        service.catch_up()
        assert "X7K2" in service.state.bookings
        assert len(service.state.tickets) == 1, "its own ticket was not applied a second time"
        service.catch_up()
        assert len(service.state.tickets) == 1 and service.own == set()
