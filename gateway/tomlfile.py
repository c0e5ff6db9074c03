"""Reading a TOML file for any of hallmesh's inputs (hall configs, scenarios, scripts), with
the error every one of them gives: the file name, and what is wrong with it. Files saved by
office tools (GBK/GB18030, a UTF-8 byte-order mark, CRLF) are read as they are (textfile)."""
import os
import tomllib

from gateway import textfile


def read(path, what, error):
    """The decoded document; `error` (an exception class) naming the file if it cannot be
    read or is not TOML. `what` says what the file should be, e.g. "hall config"."""
    try:
        text, encoding = textfile.read(path)
    except OSError as exc:
        raise error("%s: cannot read %s: %s" % (path, what, exc.strerror or exc))
    except textfile.EncodingError as exc:
        raise error("%s: cannot read %s: it %s" % (path, what, exc))
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        read_as = "" if encoding == textfile.UTF8 else " (read as %s)" % encoding
        raise error("%s: not valid TOML%s: %s" % (path, read_as, exc))


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
