# Assertion helpers that run under MicroPython as well as CPython (no pytest there).


def raises(exc_type, fn, *args, **kwargs):
    """Call fn and return the exception it raised; fail if it raised nothing or another type."""
    try:
        fn(*args, **kwargs)
    except exc_type as exc:
        return exc
    raise AssertionError("expected " + exc_type.__name__ + " from " + repr(fn))


def raises_naming(exc_type, text, fn, *args, **kwargs):
    """Like raises, and the error message must name `text` (errors must say what is wrong)."""
    exc = raises(exc_type, fn, *args, **kwargs)
    message = str(exc)
    assert text in message, "error %r does not name %r" % (message, text)
    return exc
