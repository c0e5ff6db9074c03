# Boot-loop guard. Every boot adds one to a counter in flash; a device that then runs
# healthy for a while (the main loop turning, its last step not failing; linked or not, so
# that an outage never counts) sets it back to zero. A device that keeps resetting before
# that -- an app that cannot start, a step that fails every time -- reaches SAFE_AFTER and
# boots in safe mode: no app, only the link, so it still connects and accepts a fix (the
# `config` command) or a reboot.
SAFE_AFTER = 5
HEALTHY_MS = 60000
NAME = "unstable"


def _read(root):
    try:
        with open(root + NAME) as f:
            return int(f.read())
    except (OSError, ValueError):
        return 0


def _write(root, count):
    with open(root + NAME, "w") as f:
        f.write(str(count))


def boot(root):
    """Count this boot; True if the device must start in safe mode."""
    count = _read(root) + 1
    _write(root, count)
    return count >= SAFE_AFTER


def healthy(root):
    if _read(root):
        _write(root, 0)
