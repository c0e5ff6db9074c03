"""Failure containment (tests/firmware/cases_containment.py) under CPython and under the
official MicroPython WebAssembly build: the same cases, the same verdicts."""
import os
import subprocess
import sys

from tests.firmware.test_firmware import HERE, MOUNTS, PATHS, summary
from tests.support import micropython

CASES = 4


def test_containment_cases_pass_under_cpython(tmp_path):
    proc = subprocess.run([sys.executable, os.path.join(HERE, "run_cpython.py"), "tests.firmware.cases_containment",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert summary(out) == (CASES, 0), out
    assert proc.returncode == 0, out


def test_containment_cases_pass_under_micropython():
    code, out = micropython.run(["tests.firmware.cases_containment"], mounts=MOUNTS, paths=PATHS)
    assert summary(out) == (CASES, 0), out
    assert code == 0, out
