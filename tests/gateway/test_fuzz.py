"""A bounded mutational fuzz of every device topic and message type (tests/support/fuzz.py)
against a Service with a real SQLite store: nothing escapes, every readable id is answered,
the untouched device's view keeps flowing, and the store stays whole."""
import logging
import os
import shutil
import tempfile

import pytest

from tests.gateway.hall_fixture import T0, small_hall
from tests.support import fuzz

PAYLOADS = 2000
CONTROL_EVERY = 200


@pytest.fixture
def db_dir():
    # the real store, on tmpfs where there is one: an fsync there costs nothing, so the run
    # measures the gateway's handling and not the disk of a shared machine
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    path = tempfile.mkdtemp(prefix="hm-fuzz-", dir=base)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("seed", [11, 12])
def test_fuzzed_payloads_never_escape_and_every_readable_id_is_answered(db_dir, seed, caplog):
    caplog.set_level(logging.CRITICAL, logger="hallmesh.gateway")   # thousands of reject lines
    rig = fuzz.FuzzRig(small_hall(), os.path.join(db_dir, "hall.db"), T0)
    wanted = 0
    try:
        for n, (topic, payload) in enumerate(fuzz.payloads(seed, PAYLOADS)):
            wanted += fuzz.expected_id(topic, payload) is not None
            rig.send(topic, payload)
            if n % CONTROL_EVERY == 0:
                ack, shown = rig.control_step(n)
                assert ack["ok"], ack
                assert shown.get("ticket") == ack["res"]["ticket"], "display-2 did not show the call"
        assert rig.escaped == []
        assert rig.unanswered == []
        assert rig.service.counters["internal_error"] == 0
        assert rig.integrity() == []
    finally:
        rig.close()
    counted = rig.service.counters
    # the run did reach the classes it is about, not only valid messages
    for reason in ("malformed", "too_large", "too_deep", "bad_version", "bad_field", "unknown_device",
                   "bad_topic"):
        assert counted[reason] > 0, reason
    assert wanted > PAYLOADS // 2 and rig.service.stats["accepted"] > 50
