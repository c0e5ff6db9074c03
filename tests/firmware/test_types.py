"""The firmware and protocol type-check against micropython-esp32-stubs: the modules, names
and signatures of MicroPython on an ESP32, not CPython's."""
import glob
import os
import subprocess
import sys
import sysconfig

from tests.firmware.test_firmware import HERE

REPO = os.path.dirname(os.path.dirname(HERE))
SITE = sysconfig.get_paths()["purelib"]


def stub_folder(tmp_path):
    """mypy will not search site-packages for loose .pyi files, so the ESP32 stubs are linked
    into a folder of their own."""
    record = glob.glob(os.path.join(SITE, "micropython_esp32_stubs-*.dist-info", "RECORD"))
    assert record, "micropython-esp32-stubs is not installed (pip install -e '.[test]')"
    top = set()
    with open(record[0]) as f:
        for line in f:
            top.add(line.split(",")[0].split("/")[0])
    folder = tmp_path / "esp32-stubs"
    folder.mkdir()
    for name in sorted(top):
        if name.endswith(".pyi") or name in ("umqtt", "mip", "requests"):
            os.symlink(os.path.join(SITE, name), folder / name)
    os.symlink(os.path.join(SITE, "_mpy_shed"), folder / "_mpy_shed")
    return str(folder), sorted(n[:-4] if n.endswith(".pyi") else n for n in top
                               if n.endswith(".pyi") or n in ("umqtt", "mip", "requests"))


def quiet_config(tmp_path, modules):
    """The stubs are checked as sources from MYPYPATH; their own slips are not ours to fix."""
    path = tmp_path / "mypy.ini"
    sections = ["[mypy]"]
    for name in modules + ["_mpy_shed"]:
        sections.append("[mypy-%s,%s.*]\nignore_errors = True" % (name, name))
    path.write_text("\n".join(sections) + "\n")
    return str(path)


def test_firmware_type_checks_against_the_esp32_stubs(tmp_path):
    stubs, modules = stub_folder(tmp_path)
    env = dict(os.environ, MYPYPATH=os.pathsep.join([stubs, os.path.join(REPO, "firmware"), REPO]))
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", quiet_config(tmp_path, modules),
         "--custom-typeshed-dir", SITE, "--check-untyped-defs",
         "--explicit-package-bases", "--no-incremental", "--cache-dir", str(tmp_path / "cache"),
         "-p", "runtime", "-p", "apps", "-p", "drivers", "-p", "protocol"],
        cwd=os.path.join(REPO, "firmware"), env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout
