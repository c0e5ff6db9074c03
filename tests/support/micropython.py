"""Run test modules under the official MicroPython WebAssembly build (via Node)."""
import os
import shutil
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER_DIR = os.path.join(REPO, "tools", "upy")


def runner_ready():
    return shutil.which("node") is not None and os.path.isdir(
        os.path.join(RUNNER_DIR, "node_modules", "@micropython", "micropython-webassembly-pyscript"))


def run(modules, mounts, heap=256 * 1024, timeout=120, paths=(), script=None, args=(), files=()):
    """Run every test_* of `modules` (or one `script`) under MicroPython; returns (exit code,
    output). `paths` are mounted folders put first on MicroPython's sys.path; `files` maps a
    path in MicroPython's filesystem to a host file copied there."""
    if not runner_ready():
        raise RuntimeError("MicroPython WebAssembly runner missing: run 'make test' (npm install in tools/upy)")
    cmd = ["node", os.path.join(RUNNER_DIR, "run.mjs"), "--root", REPO, "--heap", str(heap)]
    for mount in mounts:
        cmd += ["--mount", mount]
    for path in paths:
        cmd += ["--path", path]
    if script:
        cmd += ["--exec", script]
    for arg in args:
        cmd += ["--arg", arg]
    for target, host in dict(files).items():
        cmd += ["--file", host + "=" + target]
    cmd += list(modules)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr
