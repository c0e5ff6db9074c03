# Failure containment on fake hardware, under MicroPython and CPython alike (see cases.py): a
# failing step is caught, kept in flash and reported in the next birth; only a crash loop
# ends in safe mode, an outage never does; the time survives a reset, not a power cut.
import json
import time

import machine
from umqtt import simple

from runtime import bootguard, settings
from runtime import device as devmod
from tests.firmware.rig import deliver, make, online, press
from tests.support.expect import raises

NOW_S = 1795420800


def births(client):
    return [json.loads(p) for t, p, r, q in client.published if t.endswith("/state")]


def loop_step(dev):
    """What run() does around each step."""
    try:
        dev.step()
        dev.failing = 0
    except Exception as exc:
        devmod.contain(dev, exc)


def broken(*args):
    raise ZeroDivisionError("division by zero")


def test_a_failing_step_is_contained_kept_in_flash_and_told_in_the_next_birth():
    dev = make("printer", "printer-c1")
    online(dev)
    dev.app.on_key = broken
    press(dev.board["keys"]["k1"])
    time.sleep_ms(50)                 # past the debounce
    loop_step(dev)
    machine.pins[dev.board["keys"]["k1"]].drive(1)
    assert dev.failing == 1 and dev.link.up(), "one failure: the device goes on"
    with open(dev.root + "errors.json") as f:
        kept = json.load(f)
    assert [(e["err"], e["n"]) for e in kept] == [("ZeroDivisionError: division by zero", 1)]
    assert kept[0]["where"].startswith("step ") and ".py:" in kept[0]["where"], kept[0]["where"]
    for _ in range(devmod.RELINK_AFTER_STEPS - 1):
        try:
            broken()
        except ZeroDivisionError as exc:
            devmod.contain(dev, exc)
    assert not dev.link.up(), "failing step after step, the link starts afresh"
    del dev.app.on_key
    dev.link.retry_at = 0
    loop_step(dev)
    assert dev.link.up() and dev.failing == 0, "and the device recovers by itself"
    last = births(simple.last())[-1]
    newest = dev.errors.last()
    assert newest["n"] == devmod.RELINK_AFTER_STEPS and "cases_containment.py:" in newest["where"], newest
    assert (last["err"], last["where"]) == ("ZeroDivisionError: division by zero", newest["where"])


def test_a_crash_loop_resets_the_board_and_five_of_them_end_in_safe_mode():
    dev = make("pad", "pad-c2")
    root = dev.root
    from apps.pad import Pad
    Pad.tick = broken                 # every step fails, on every boot
    try:
        for boot in range(bootguard.SAFE_AFTER - 1):
            raises(machine.ResetCalled, lambda: devmod.run(root))
    finally:
        del Pad.tick
    with open(root + "errors.json") as f:
        kept = json.load(f)
    assert kept[-1]["n"] == devmod.CRASH_LOOP_STEPS, "the repeats are counted before the reset"
    cfg, board = settings.load(root)
    assert devmod.start(root, cfg, board).safe, "the fifth boot in a row comes up in safe mode"


def test_an_outage_of_any_length_never_ends_in_safe_mode():
    dev = make("display", "display-c3", offline_reset_s=0.3)
    root = dev.root
    simple.broker["dead"] = True      # no broker, boot after boot
    healthy = bootguard.HEALTHY_MS
    bootguard.HEALTHY_MS = 100        # a minute on a board: shortened for the test
    try:
        for boot in range(3 * bootguard.SAFE_AFTER):
            raises(machine.ResetCalled, lambda: devmod.run(root))   # the offline reset
    finally:
        bootguard.HEALTHY_MS = healthy
    cfg, board = settings.load(root)
    again = devmod.start(root, cfg, board)
    assert not again.safe and type(again.app).__name__ == "Display", "still the display after 15 outage resets"


def test_the_time_survives_a_reset_in_the_rtc_but_not_a_power_cut():
    dev = make("printer", "printer-c4")
    online(dev)
    deliver(dev, "cmd", {"c": "time", "now": NOW_S})
    cfg, board = settings.load(dev.root)
    after_reset = devmod.Device(dev.root, cfg, board, 2)
    assert NOW_S * 1000 <= after_reset.clock.now_ms() < NOW_S * 1000 + 5000, after_reset.clock.now_ms()
    machine.clear()                   # the power was cut: the RTC starts again at 2000-01-01
    after_cut = devmod.Device(dev.root, cfg, board, 3)
    assert after_cut.clock.now_ms() == 0 and not after_cut.clock.synced()
