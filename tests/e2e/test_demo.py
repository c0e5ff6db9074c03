"""`hallmesh demo` (the README's first command) runs a morning and exits 0."""
import subprocess
import sys

from tests.e2e.conftest import REPO


def test_the_demo_plays_a_morning_and_prints_the_report():
    run = subprocess.run([sys.executable, "-m", "gateway", "demo", "--citizens", "5", "--seed", "3"],
                         cwd=REPO, capture_output=True, text=True, timeout=240)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    assert "19 devices online" in out
    assert out.count("a citizen presses") == 5
    assert out.count(") issued") == 5 and out.count(": printed ") == 5
    assert "the morning's report" in out and "Tickets per service" in out
    assert "embedded MQTT broker" in out or "broker 127.0.0.1:1883" in out
