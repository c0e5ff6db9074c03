"""The firmware imports only what MicroPython on an ESP32 has, plus its own packages and
protocol: nothing of CPython's standard library sneaks onto a board."""
import ast
import glob
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MICROPYTHON = {"machine", "network", "time", "asyncio", "json", "os", "gc", "sys", "random", "binascii",
               "micropython", "struct", "errno", "select", "socket", "umqtt.simple", "umqtt",
               "io"}          # io: built into MicroPython (StringIO for a traceback's text)
OWN = {"protocol", "runtime", "apps", "drivers"}


def imported(path):
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.module


def test_firmware_and_protocol_import_only_micropython_modules():
    files = glob.glob(os.path.join(REPO, "firmware", "**", "*.py"), recursive=True)
    files += glob.glob(os.path.join(REPO, "protocol", "*.py"))
    assert len(files) > 15
    strangers = []
    for path in files:
        for name in imported(path):
            if name not in MICROPYTHON and name.split(".")[0] not in OWN:
                strangers.append("%s imports %s" % (os.path.relpath(path, REPO), name))
    assert strangers == []
