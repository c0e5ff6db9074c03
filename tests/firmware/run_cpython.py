"""Run the firmware's unit cases under CPython exactly as under MicroPython: fake hardware and
firmware/ first on sys.path, MicroPython's time extras added, the same tiny harness.
usage: python tests/firmware/run_cpython.py MODULE [WORKDIR]"""
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [os.path.join(REPO, "tests", "firmware", "fakes"), os.path.join(REPO, "firmware"), REPO,
                os.path.join(REPO, "tools", "upy")]

from sim import clock  # noqa: E402

clock.install()
import harness  # noqa: E402

if len(sys.argv) > 2:
    os.chdir(sys.argv[2])
sys.exit(1 if harness.run_modules(sys.argv[1]) else 0)
