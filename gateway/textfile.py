"""Text files the way offices save them: UTF-8 with or without a byte-order mark, UTF-16 with
one (Excel's "Unicode text"), GB18030 and its subset GBK (what Excel and Notepad write on a
Chinese Windows), CRLF or LF line ends. decode() says which encoding it read, so an error
about the contents can name it, and refuses a file in none of them by naming what it tried."""
import codecs

UTF8, UTF8_BOM, UTF16, GB18030 = "UTF-8", "UTF-8 with BOM", "UTF-16", "GB18030/GBK"
TRIED = "UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK"


class EncodingError(ValueError):
    """Bytes that are text in none of the encodings offices use."""


def decode(data):
    """bytes -> (text with "\\n" line ends, encoding name). GB18030 is tried only after UTF-8
    fails: a Chinese GBK file is practically never valid UTF-8, while plain ASCII is both."""
    if data.startswith(codecs.BOM_UTF8):
        return _lines(_strict(data[3:], "utf-8", UTF8_BOM)), UTF8_BOM
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _lines(_strict(data, "utf-16", UTF16)), UTF16
    try:
        return _lines(data.decode("utf-8")), UTF8
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        return _lines(data.decode("gb18030")), GB18030
    except UnicodeDecodeError:
        raise EncodingError("is not text in %s: byte 0x%02X at offset %d is not UTF-8, and the file is not "
                            "GB18030 either; save it as UTF-8 (or, from Excel, as CSV)"
                            % (TRIED, data[first_bad], first_bad))


def read(path):
    """(text, encoding name) of the file at `path`; OSError and EncodingError pass through."""
    with open(path, "rb") as f:
        return decode(f.read())


def _strict(data, codec, name):
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise EncodingError("begins with the %s byte-order mark but byte %d is not %s; save it again as %s"
                            % (name, exc.start, name, UTF8))


def _lines(text):
    """CRLF (Windows) and lone CR (old Mac) line ends -> LF, which TOML and csv both read."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
