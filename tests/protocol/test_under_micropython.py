"""The protocol's own tests, run again under real MicroPython (WebAssembly build)."""
import re

from tests.support import micropython


def test_protocol_cases_pass_under_micropython():
    code, out = micropython.run(
        ["tests.protocol.test_protocol_cases"],
        mounts=["protocol", "tests/support/expect.py", "tests/protocol/test_protocol_cases.py"])
    summary = re.search(r"micropython (\S+): (\d+) ok, (\d+) failed", out)
    assert summary, out
    assert summary.group(3) == "0", out
    assert int(summary.group(2)) >= 8, out
    assert code == 0, out
