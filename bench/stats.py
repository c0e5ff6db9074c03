"""Small statistics and the result rows every benchmark returns."""
import statistics


def percentile(values, q):
    """q in [0, 100]; nearest-rank on the sorted values."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(q / 100.0 * (len(ordered) - 1)))))
    return ordered[rank]


def summary_ms(seconds):
    ms = [s * 1000.0 for s in seconds]
    return {"median": statistics.median(ms), "p99": percentile(ms, 99), "n": len(ms)}


def row(figure, value, unit, baseline=None, baseline_name="", limit="", note=""):
    """One line of the results table. A time is always reported beside its baseline."""
    ratio = None
    if baseline not in (None, 0):
        ratio = value / baseline
    return {"figure": figure, "value": value, "unit": unit, "baseline": baseline,
            "baseline_name": baseline_name, "ratio": ratio, "limit": limit, "note": note}


def unavailable(figure, reason):
    """A figure that could not be measured in this run: shown with the reason, never as a number."""
    result = row(figure, None, "", note="not available: %s" % reason)
    result["unavailable"] = reason
    return result


def best_of(runs):
    """The fastest of repeated timings: the least disturbed by other work on a noisy machine."""
    if not runs:
        raise ValueError("best_of of no runs")
    return min(runs)
