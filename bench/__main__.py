"""`python -m bench [--quick] [--only NAME ...]`: run the benchmarks, print the table, and
write bench/results.json (date, machine, every row)."""
import argparse
import logging
import os
import sys
import time

from bench import runner
from bench.context import Context
from bench.suite import BENCHMARKS, ON_REQUEST

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json")
# a run of some benchmarks only never replaces the complete run's file
RESULTS_ONLY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "results-only.json")


def parse(argv):
    names = [name for name, _ in BENCHMARKS + ON_REQUEST]
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run under a minute")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this benchmark (repeatable): " + ", ".join(names))
    ap.add_argument("--out", help="where to write the results (default bench/results.json; with --only "
                    "bench/out/results-only.json)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.out is None:
        args.out = RESULTS_ONLY if args.only else RESULTS
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx = Context(quick=args.quick)
    start = time.perf_counter()
    try:
        rows, durations = runner.run_all(BENCHMARKS + (ON_REQUEST if args.only else []), ctx, only=args.only)
    finally:
        ctx.close()
    total = time.perf_counter() - start
    doc = runner.write_results(args.out, rows, durations, vars(args), total)
    print()
    print("hallmesh benchmarks, %s, %s cores, Python %s%s" % (
        doc["date"], doc["machine"]["cpu_count"], doc["machine"]["python"], " (--quick)" if args.quick else ""))
    print(runner.table(rows))
    print()
    print(runner.notes(rows))
    print("\n%d figures in %.0f s; written to %s" % (len(rows), total, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
