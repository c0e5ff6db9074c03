"""`hallmesh sim --script`: a passing script exits 0; a failing one exits 1 and names the step,
what was expected and what was seen; a bad script is refused before anything runs."""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(REPO, "scenarios", "first-ticket.toml")


def sim(*args, timeout=120):
    run = subprocess.run([sys.executable, "-m", "gateway", "sim", *args], cwd=REPO, capture_output=True,
                         text=True, timeout=timeout)
    return run.returncode, run.stdout + run.stderr


def test_the_example_script_passes_and_takes_pictures(tmp_path):
    code, out = sim("--script", EXAMPLE, "--out", str(tmp_path))
    assert code == 0, out[-3000:]
    assert "PASSED: 21 steps" in out
    ticket = tmp_path / "pictures" / "ticket-A001.png"
    assert ticket.exists() and ticket.stat().st_size > 500
    assert (tmp_path / "pictures" / "hall-display.png").exists()


def test_a_failing_script_names_the_step_the_expectation_and_what_was_seen(tmp_path):
    script = tmp_path / "wrong.toml"
    script.write_text('[script]\nhall = "%s"\ndevices = ["printer-1", "pad-1", "display-1"]\ntimeout_s = 3\n'
                      '[[step]]\npress = "printer-1:k2"\n'
                      '[[step]]\nexpect_ticket = "printer-1"\ncontains = "B001"\n'
                      '[[step]]\npress = "pad-1:call"\n'
                      '[[step]]\nwait_show = "display-1"\ntext = "B001"\n'
                      '[[step]]\npress = "printer-1:k1"\n' % os.path.join(REPO, "halls", "example.toml"))
    code, out = sim("--script", str(script), "--out", str(tmp_path / "out"))
    assert code == 1, out[-3000:]
    assert "step 4 (wait_show = 'display-1') failed" in out
    assert "expected: display-1 to show 'B001' within 3 s" in out
    assert "Window 1" in out            # what the display showed instead: window 1 serves A only
    assert "step  5" not in out         # stops at the first unmet expectation


def test_a_script_naming_an_unknown_device_or_step_is_refused(tmp_path):
    bad_kind = tmp_path / "kind.toml"
    bad_kind.write_text('[script]\nhall = "%s"\n[[step]]\njump = "printer-1"\n' % os.path.join(REPO, "halls", "example.toml"))
    code, out = sim("--script", str(bad_kind), "--out", str(tmp_path / "a"))
    assert code == 2 and "step 1: needs exactly one of press" in out
    bad_fault = tmp_path / "fault.toml"
    bad_fault.write_text('[script]\nhall = "%s"\n[[step]]\nfault = "flood:printer-1"\n' % os.path.join(REPO, "halls", "example.toml"))
    code, out = sim("--script", str(bad_fault), "--out", str(tmp_path / "b"), "--fault", "flood@3")
    assert code == 2 and "unknown fault kind 'flood'" in out


def test_the_script_that_found_the_reconnect_bug_passes_now(tmp_path):
    code, out = sim("--script", os.path.join(REPO, "scenarios", "press-after-reconnect.toml"), "--out", str(tmp_path))
    assert code == 0, out[-3000:]
    assert "PASSED: 10 steps" in out
