"""Each app under real MicroPython (the WebAssembly build, 32-bit) runs a stretch of events in
a 64 KB heap that may not grow (bench/memory.py runs 1,000 and prints the figures), and what
the gateway sends a printer stays small whatever the number of its services."""
import json

import pytest

from bench.memory import APPS, BUDGET, HeapGrew, gateway_messages, peak_heap
from protocol import codec

EVENTS = 60
# The hall display of a 20-window hall is not yet within 64 KB: it peaks near 81 KB above the
# harness (the retained hall view of 16 calls, decoded while the last one is held). Strict,
# so the day it fits this test says so.
OVER_BUDGET = {"hall-display"}


@pytest.mark.parametrize("app", [a for a in APPS if a not in OVER_BUDGET])
def test_the_app_runs_in_a_64_kb_heap_that_may_not_grow(app):
    got = peak_heap(app, EVENTS)
    assert got["total"] < BUDGET + got["baseline"] + 1024, "the heap was not kept at 64 KB: %r" % got
    assert got["baseline"] < got["live"] <= got["need"] < got["total"], got


@pytest.mark.parametrize("app", sorted(OVER_BUDGET))
@pytest.mark.xfail(strict=True, raises=HeapGrew, reason="known: needs more than 64 KB (see OVER_BUDGET)")
def test_the_apps_known_to_need_more_than_64_kb(app):
    peak_heap(app, EVENTS)


def test_the_check_fails_an_app_that_needs_more_than_it_is_given():
    with pytest.raises(HeapGrew, match="printer-1 needed more than its"):
        peak_heap("printer-1", 10, budget=40 * 1024)


def test_no_message_a_printer_reads_grows_with_its_services():
    sizes = {n: [len(codec.encode(dict(msg))) for _, msg in gateway_messages(n)["printer-1"][0]] for n in (6, 20)}
    assert len(sizes[20]) == 21, "the view and one lease per service"
    assert max(sizes[20]) < 400 and max(sizes[6]) < 400, sizes


def test_a_printer_of_20_services_fits_too():
    got = peak_heap("printer-1", 30, services=20)
    assert got["total"] < BUDGET + got["baseline"] + 1024


def test_the_printer_view_leaves_the_leases_to_their_own_topics():
    sent = dict((suffix, msg) for suffix, msg in gateway_messages(6)["printer-1"][0])
    assert "lease" not in sent["view"] and len(sent["view"]["keys"]) == 6
    assert sorted(s for s in sent if s.startswith("lease/")) == ["lease/" + c for c in "ABCDEF"]
    assert json.loads(json.dumps(sent["lease/A"]))["svc"] == "A"
