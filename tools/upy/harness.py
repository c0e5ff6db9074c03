# Tiny test harness run inside MicroPython: calls every test_* function of each module
# and prints one line per result, then a summary. Returns the number of failures.
import gc
import sys


def _run_one(name, fn):
    try:
        fn()
        print("ok   " + name)
        return 0
    except Exception as exc:
        print("FAIL " + name + ": " + repr(exc))
        if hasattr(sys, "print_exception"):
            sys.print_exception(exc)
        else:                       # the same harness runs under CPython
            import traceback
            traceback.print_exception(exc)
        return 1


def run_modules(names):
    passed = failed = 0
    for mod_name in names.split(","):
        module = __import__(mod_name, None, None, ["*"])
        for attr in sorted(dir(module)):
            fn = getattr(module, attr)
            if attr.startswith("test_") and callable(fn):
                result = _run_one(mod_name + "." + attr, fn)
                failed += result
                passed += 1 - result
                gc.collect()
    print("micropython %s: %d ok, %d failed" % (".".join(str(p) for p in sys.implementation.version[:3]), passed, failed))
    return failed
