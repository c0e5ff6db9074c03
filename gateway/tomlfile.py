"""Reading a TOML file for any of hallmesh's inputs (hall configs, scenarios, scripts), with
the error every one of them gives: the file name, and what is wrong with it."""
import os
import tomllib


def read(path, what, error):
    """The decoded document; `error` (an exception class) naming the file if it cannot be
    read or is not TOML. `what` says what the file should be, e.g. "hall config"."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise error("%s: cannot read %s: %s" % (path, what, exc.strerror or exc))
    except tomllib.TOMLDecodeError as exc:
        raise error("%s: not valid TOML: %s" % (path, exc))


def beside(path, name):
    """A path named inside a file, taken relative to that file's folder unless absolute."""
    return name if os.path.isabs(name) else os.path.join(os.path.dirname(os.path.abspath(path)), name)


def hall_file(path, named, override, error, missing):
    """The hall file a scenario or script uses: the --hall override as given, else the file's
    own `hall = "..."` relative to the file; `error(missing)` when there is neither."""
    if override:
        return override
    if not named:
        raise error(missing)
    return beside(path, named)
