"""Real edits of a real hall file (halls/example.toml), as an administrator makes them in a
text editor: blocks removed, numbers and names changed. Each returns the new file's text."""
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(REPO, "halls", "example.toml")


def example():
    with open(EXAMPLE, encoding="utf-8") as f:
        return f.read()


def _blocks(text):
    """The file cut before every [[table]] header: [preamble, block, block ...]."""
    return re.split(r"(?m)^(?=\[\[)", text)


def drop_blocks(text, header, **fields):
    """Remove every [[header]] block whose fields have these values (e.g. number=8)."""
    def matches(block):
        if not block.startswith("[[%s]]" % header):
            return False
        return all(re.search(r"(?m)^%s = %s\s*(#.*)?$" % (name, re.escape(_toml(value))), block)
                   for name, value in fields.items())
    return "".join(block for block in _blocks(text) if not matches(block))


def set_field(text, header, match, name, value):
    """In the [[header]] block with `match` (name, value), set field `name` to `value`."""
    key, want = match
    out = []
    for block in _blocks(text):
        if block.startswith("[[%s]]" % header) and re.search(r"(?m)^%s = %s\s*$" % (key, re.escape(_toml(want))), block):
            block = re.sub(r"(?m)^%s = .*$" % name, "%s = %s" % (name, _toml(value)), block)
        out.append(block)
    return "".join(out)


def _toml(value):
    if isinstance(value, str):
        return '"%s"' % value
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def without_window_8(text=None):
    """Window 8 is closed for good, with its display and pad."""
    text = example() if text is None else text
    for header, fields in (("window", {"number": 8}), ("device", {"window": 8})):
        text = drop_blocks(text, header, **fields)
    return text


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)
