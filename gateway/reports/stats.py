"""Small statistics for the reports: quantiles, the Wilson interval. Pure Python."""
import math

Z95 = 1.959964   # two-sided 95 % normal quantile


def quantile(values, q):
    """Linear interpolation between order statistics (q in 0..1); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    pos = q * (len(ordered) - 1)
    low = int(math.floor(pos))
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def share(part, whole):
    return None if not whole else part / whole


def wilson(successes, n, z=Z95):
    """(low, high) of the Wilson score interval for a proportion; None when n is 0.
    Used instead of p +- z*sqrt(p(1-p)/n) because a window with 12 ratings, all satisfied,
    must not be reported as 100 % +- 0."""
    if n == 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
