# A JSON value kept in flash so that a power cut never leaves it half written: each save
# writes a new file and renames it over the old one (a rename is atomic on the board's
# filesystem). A cut between the write and the rename leaves the complete new file beside.
import json
import os


def load(path, kind, default):
    """The saved value if it is of `kind` (list, dict), else `default`."""
    for name in (path, path + ".new"):
        try:
            with open(name) as f:
                value = json.load(f)
            if isinstance(value, kind):
                return value
        except (OSError, ValueError):
            pass
    return default


def save(path, value):
    tmp = path + ".new"
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.rename(tmp, path)
