"""Each app's live heap under real MicroPython stays within an ESP32's 64 KB after a run of
events (the benchmark runs longer and prints the figures: bench/memory.py)."""
import pytest

from bench.memory import APPS, BUDGET, peak_heap


@pytest.mark.parametrize("app", APPS)
def test_the_app_fits_an_esp32_heap(app):
    baseline, peak = peak_heap(app, 60)
    assert 0 < peak - baseline < BUDGET, "%s peaked at %d bytes" % (app, peak - baseline)
