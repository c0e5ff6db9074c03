"""`make demo`, the README's first command, exactly as it stands; then `hallmesh demo` in every
shipped hall, on a reused store, and outside a hall's issuing hours. Every run must end with the
morning's summary and print no traceback of any library."""
import glob
import os
import re
import subprocess
import sys

import pytest

from gateway import config
from sim.processes import mosquitto_binary
from tests.e2e.conftest import REPO

HALLS = sorted(glob.glob(os.path.join(REPO, "halls", "*.toml")))
README_COMMAND = "make demo"
TIMEOUT_S = 300


def demo(*args):
    run = subprocess.run([sys.executable, "-m", "gateway", "demo"] + list(args), cwd=REPO,
                         capture_output=True, text=True, timeout=TIMEOUT_S)
    return run.returncode, run.stdout + run.stderr, run.stdout


def assert_a_clean_morning(code, out, stdout, hall, citizens):
    assert code == 0, out[-4000:]
    assert "Traceback" not in out and "Error" not in out.replace("errors", ""), out[-4000:]
    english = hall.language == "en"
    assert out.count("a citizen presses" if english else "一位群众在") == citizens, out[-4000:]
    assert len(re.findall(r"(ticket|取号) [A-Z]{1,2}\d{3}", out)) >= citizens
    assert (" devices online" if english else " 台设备在线") in out
    summary = stdout.rstrip().splitlines()
    assert summary[-1].startswith("Follow-up cases:" if english else "回访工单："), summary[-5:]
    marker = "--- the morning's report ---" if english else "--- 上午的统计 ---"
    assert stdout.count(marker) == 1, stdout[-3000:]
    assert stdout.split(marker)[1].strip().startswith(hall.name + " (" + hall.id + ")")


def test_make_demo_as_the_readme_says():
    readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    assert "\n%s " % README_COMMAND in readme
    # from a newcomer's shell: not as a sub-make of `make test` (which prints its directories)
    shell = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")}
    run = subprocess.run(README_COMMAND.split(), cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT_S,
                         env=shell)
    out = run.stdout + run.stderr
    hall = config.load(os.path.join(REPO, "halls", "example.toml"))
    assert_a_clean_morning(run.returncode, out, run.stdout, hall, 14)
    assert "19 devices online" in out
    broker = "broker Mosquitto" if mosquitto_binary() else "broker amqtt"
    assert broker in out


@pytest.mark.parametrize("path", HALLS, ids=[os.path.basename(p) for p in HALLS])
def test_every_shipped_hall_plays_a_morning(path):
    hall = config.load(path)
    code, out, stdout = demo("--hall", path, "--citizens", "3", "--seed", "5")
    assert_a_clean_morning(code, out, stdout, hall, 3)
    assert ("%d devices online" if hall.language == "en" else "%d 台设备在线") % len(hall.devices) in out
    if hall.language == "zh":          # the demo's narration is Chinese too
        assert not re.search(r"\b(window|ticket|citizen|rates|printed|issued)\b", out), out[-3000:]


def test_a_reused_store_goes_on_numbering(tmp_path):
    db = str(tmp_path / "hall.db")
    hall = config.load(os.path.join(REPO, "halls", "example.toml"))
    first = demo("--db", db, "--citizens", "3", "--seed", "1")
    assert_a_clean_morning(*first, hall, 3)
    second = demo("--db", db, "--citizens", "3", "--seed", "1")
    assert_a_clean_morning(*second, hall, 3)
    numbers = [re.findall(r"ticket ([A-Z]\d{3}) ", out) for _, out, _ in (first, second)]
    assert len(numbers[1]) == 3 and not set(numbers[0]) & set(numbers[1]), numbers


def test_outside_the_issuing_hours_the_demo_shows_the_next_morning(tmp_path):
    path = os.path.join(REPO, "halls", "outpatient.toml")
    hall = config.load(path)
    db = str(tmp_path / "hall.db")
    code, out, stdout = demo("--hall", path, "--db", db, "--now", "2026-12-01T22:40", "--citizens", "3")
    assert_a_clean_morning(code, out, stdout, hall, 3)
    assert ("It is 22:40 at Eastgate Hospital Outpatients: outside its issuing hours (Internal medicine "
            "07:30-11:30, 13:30-16:30; Paediatrics 07:30-11:30, 13:30-16:30). The demo runs on a simulated "
            "clock from 2026-12-02 07:30.") in out
    assert re.search(r"07:3\d:\d\d printer-1: ticket [MPX]001 ", out), out[:3000]
    # the same store again: its morning is taken, the next one is shown
    code, out, stdout = demo("--hall", path, "--db", db, "--now", "2026-12-01T22:45", "--citizens", "3")
    assert_a_clean_morning(code, out, stdout, hall, 3)
    assert "simulated clock from 2026-12-03 07:30" in out
    assert "new day 2026-12-03" in out


def test_the_embedded_broker_fallback_plays_the_morning():
    hall = config.load(os.path.join(REPO, "halls", "example.toml"))
    code, out, stdout = demo("--embedded-broker", "--citizens", "3")
    assert_a_clean_morning(code, out, stdout, hall, 3)
    assert "broker amqtt" in out and "dropped" not in out


def test_a_hall_file_that_cannot_be_read_is_named_not_a_traceback(tmp_path):
    code, out, _ = demo("--hall", str(tmp_path / "missing.toml"))
    assert code == 2 and "missing.toml: cannot read hall config" in out and "Traceback" not in out
