"""The quarterly red-flag window (红旗窗口) and service star (服务之星) ranking. The rule comes
from the hall config [awards] and is printed with the result, so a window that missed out can
see why. Ranking by the lower end of the Wilson interval, not the raw rate: 10 ratings all
satisfied must not beat 400 ratings 99 % satisfied."""


def _misuse_share(f):
    presses = f["counted"] + f["misuse"]
    return f["misuse"] / presses if presses else 0.0


def why_not(f, rule):
    """'' if eligible, else the first reason it is not."""
    if f["counted"] < rule.min_ratings:
        return "%d counted ratings < %d" % (f["counted"], rule.min_ratings)
    if f["satisfaction"] < rule.min_satisfaction:
        return "satisfaction %.1f %% < %.0f %%" % (100 * f["satisfaction"], 100 * rule.min_satisfaction)
    if (f["on_time"] or 0.0) < rule.min_on_time:
        return "on time %.1f %% < %.0f %%" % (100 * (f["on_time"] or 0.0), 100 * rule.min_on_time)
    if _misuse_share(f) > rule.max_misuse_share:
        return "misuse %.1f %% > %.0f %%" % (100 * _misuse_share(f), 100 * rule.max_misuse_share)
    return ""


def rank(rows, rule, awarded):
    """rows [(key, figures)] -> [(place or None, key, figures, award bool, why not)], eligible
    ones first by (Wilson low, on-time rate, counted) descending."""
    judged = [(key, f, why_not(f, rule)) for key, f in rows if key != "-"]
    eligible = sorted([j for j in judged if not j[2]],
                      key=lambda j: (-j[1]["sat_low"], -(j[1]["on_time"] or 0.0), -j[1]["counted"], str(j[0])))
    out = [(n, key, f, n <= awarded, "") for n, (key, f, _) in enumerate(eligible, 1)]
    return out + [(None, key, f, False, why) for key, f, why in judged if why]
