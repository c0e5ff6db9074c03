"""The gateway under a million fuzzed payloads (tests/support/fuzz.py): in-process against a
Service with a real SQLite store, driven as the MQTT adapter drives it, so the figures are
the gateway's own handling, not the broker's.

    python -m bench.fuzz_bench [--payloads 1000000] [--seed 1]     # prints the figures
    python -m bench --only fuzz                                     # the same as table rows

Prints: payloads sent, rejected by reason, internal errors (must be 0), readable ids left
unanswered (must be 0), warning lines logged (the reject log's rate limit), payloads/s beside
decoding alone, and the process's RSS before and after.
"""
import argparse
import logging
import os
import shutil
import sys
import tempfile
import time

from bench.stats import row

CONTROL_EVERY = 10000     # the untouched pad calls, and its display must show the call


def rss_mb():
    """Resident set size of this process now (Linux /proc), in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class _CountingHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = 0

    def emit(self, record):
        self.lines += 1


def decode_only_rate(payloads):
    """Payloads/s of codec.decode + check_event alone: what the contract's checks cost."""
    from protocol import ProtocolError, codec, events
    start = time.perf_counter()
    for _, payload in payloads:
        try:
            events.check_event(codec.decode(payload))
        except ProtocolError:
            pass
    return len(payloads) / (time.perf_counter() - start)


def run(count, seed=1, db_dir=None, echo=None):
    """The figures of one fuzz run, as a dict."""
    from tests.gateway.hall_fixture import T0, small_hall
    from tests.support import fuzz

    own_dir = db_dir is None
    if own_dir:
        base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        db_dir = tempfile.mkdtemp(prefix="hm-fuzz-", dir=base)
    gateway_log = logging.getLogger("hallmesh.gateway")
    counting = _CountingHandler()
    saved = gateway_log.propagate, gateway_log.level
    gateway_log.addHandler(counting)
    gateway_log.propagate, gateway_log.level = False, logging.INFO   # counted, not printed
    try:
        baseline = decode_only_rate(list(fuzz.payloads(seed + 1, min(count, 20000))))
        before = rss_mb()
        rig = fuzz.FuzzRig(small_hall(), os.path.join(db_dir, "hall.db"), T0)
        control_failures = 0
        start = time.perf_counter()
        for n, (topic, payload) in enumerate(fuzz.payloads(seed, count)):
            rig.send(topic, payload)
            if n % CONTROL_EVERY == 0:
                ack, shown = rig.control_step(n)
                control_failures += not (ack["ok"] and shown.get("ticket") == (ack.get("res") or {}).get("ticket"))
                if echo and n:
                    echo("[fuzz] %d sent, %.0f/s, RSS %.1f MiB" % (n, n / (time.perf_counter() - start), rss_mb()))
        elapsed = time.perf_counter() - start
        after = rss_mb()
        problems = rig.integrity()
        rig.close()
    finally:
        gateway_log.removeHandler(counting)
        gateway_log.propagate, gateway_log.level = saved
        if own_dir:
            shutil.rmtree(db_dir, ignore_errors=True)
    from gateway.counters import REJECT_REASONS
    counters = rig.service.counters
    return {"sent": rig.sent, "fuzzed": count, "seconds": elapsed, "rate": rig.sent / elapsed,
            "decode_rate": baseline, "rss_before": before, "rss_after": after,
            "rejected": {r: counters[r] for r in REJECT_REASONS if counters.get(r)},
            "internal_errors": counters.get("internal_error", 0), "view_errors": counters.get("view_error", 0),
            "escaped": rig.escaped_count, "unanswered": rig.unanswered_count,
            "accepted": rig.service.stats["accepted"], "refused_acks": rig.service.stats["refused"],
            "log_lines": counting.lines, "control_failures": control_failures, "store_problems": problems,
            "samples": rig.escaped[:3] + rig.unanswered[:3]}


def rows(figures):
    note = "seed-determined mutations of every device topic and type, Service + SQLite in process"
    out = [row("fuzz: payloads sent", figures["sent"], "", note=note,
               limit="a control call every %d payloads is included" % CONTROL_EVERY),
           row("fuzz: internal errors (must be 0)", figures["internal_errors"], "",
               note="escaped exceptions %d, view errors %d" % (figures["escaped"], figures["view_errors"])),
           row("fuzz: readable ids left unanswered (must be 0)", figures["unanswered"], "",
               note="refusal acks %d, accepted %d" % (figures["refused_acks"], figures["accepted"])),
           row("fuzz: untouched display missed a call (must be 0)", figures["control_failures"], ""),
           row("fuzz: store problems (must be 0)", len(figures["store_problems"]), "",
               note="; ".join(figures["store_problems"]) or "integrity_check ok, log folds to the live state"),
           row("fuzz: rejected, all reasons", sum(figures["rejected"].values()), "",
               note=", ".join("%s %d" % kv for kv in sorted(figures["rejected"].items())))]
    for reason, n in sorted(figures["rejected"].items()):
        out.append(row("  rejected: %s" % reason, n, ""))
    out += [row("fuzz: warning lines logged", figures["log_lines"], "", baseline=sum(figures["rejected"].values()),
                baseline_name="rejects", limit="10 lines per reason a minute + a summary"),
            row("fuzz: payloads handled per second", figures["rate"], "/s", baseline=figures["decode_rate"],
                baseline_name="decode + check alone", limit="SQLite commit per accepted event, views refreshed"),
            row("fuzz: gateway RSS after", figures["rss_after"], "MiB", baseline=figures["rss_before"],
                baseline_name="RSS before", limit="state of the day's tickets; dedup lives in the store")]
    return out


def bench(ctx):
    """`python -m bench --only fuzz`: 1,000,000 payloads (--quick: 20,000)."""
    return rows(run(20000 if ctx.quick else 1000000, echo=print))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.fuzz_bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--payloads", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    figures = run(args.payloads, args.seed, echo=lambda text: print(text, flush=True))
    print("sent %d payloads in %.0f s (%.0f/s; decode + check alone %.0f/s)" % (
        figures["sent"], figures["seconds"], figures["rate"], figures["decode_rate"]))
    print("rejected by reason: " + ", ".join("%s %d" % kv for kv in sorted(figures["rejected"].items())))
    print("refusal acks %d, accepted %d" % (figures["refused_acks"], figures["accepted"]))
    print("internal errors %d, escaped exceptions %d, readable ids unanswered %d, control misses %d"
          % (figures["internal_errors"], figures["escaped"], figures["unanswered"], figures["control_failures"]))
    print("store: %s" % ("; ".join(figures["store_problems"]) or "whole"))
    print("warning lines logged %d (the rejects' rate limit)" % figures["log_lines"])
    print("RSS before %.1f MiB, after %.1f MiB" % (figures["rss_before"], figures["rss_after"]))
    for sample in figures["samples"]:
        print("sample of a failure: %r" % (sample,))
    bad = figures["internal_errors"] or figures["escaped"] or figures["unanswered"] or figures["store_problems"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
