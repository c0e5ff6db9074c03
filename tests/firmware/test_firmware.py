"""The firmware's unit cases (tests/firmware/cases.py), under CPython and under the official
MicroPython WebAssembly build: the same file, the same fake hardware, the same verdicts."""
import os
import re
import subprocess
import sys

from tests.support import micropython

HERE = os.path.dirname(os.path.abspath(__file__))
MOUNTS = ["protocol", "firmware", "boards", "tests/support/expect.py", "tests/firmware"]
PATHS = ["tests/firmware/fakes", "firmware"]
CASES = 33


def summary(out):
    found = re.search(r"micropython (\S+): (\d+) ok, (\d+) failed", out)
    assert found, out
    return int(found.group(2)), int(found.group(3))


def test_firmware_cases_pass_under_cpython(tmp_path):
    proc = subprocess.run([sys.executable, os.path.join(HERE, "run_cpython.py"), "tests.firmware.cases",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert summary(out) == (CASES, 0), out
    assert proc.returncode == 0, out


def test_firmware_cases_pass_under_micropython():
    code, out = micropython.run(["tests.firmware.cases"], mounts=MOUNTS, paths=PATHS)
    assert summary(out) == (CASES, 0), out
    assert code == 0, out
