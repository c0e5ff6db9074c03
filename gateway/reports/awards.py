"""The quarterly red-flag window (红旗窗口) and service star (服务之星) ranking. The rule comes
from the hall config [awards] and is printed with the result, so a window that missed out can
see why (in the hall's language). Ranking by the lower end of the Wilson interval, not the raw
rate: 10 ratings all satisfied must not beat 400 ratings 99 % satisfied."""
from gateway.reports.words import WORDS


def _misuse_share(f):
    presses = f["counted"] + f["misuse"]
    return f["misuse"] / presses if presses else 0.0


def why_not(f, rule, language="en"):
    """'' if eligible, else the first reason it is not."""
    w = WORDS[language]
    if f["counted"] < rule.min_ratings:
        return w["why_ratings"].format(n=f["counted"], min=rule.min_ratings)
    if f["satisfaction"] < rule.min_satisfaction:
        return w["why_sat"].format(v=100 * f["satisfaction"], min=100 * rule.min_satisfaction)
    if (f["on_time"] or 0.0) < rule.min_on_time:
        return w["why_on_time"].format(v=100 * (f["on_time"] or 0.0), min=100 * rule.min_on_time)
    if _misuse_share(f) > rule.max_misuse_share:
        return w["why_misuse"].format(v=100 * _misuse_share(f), min=100 * rule.max_misuse_share)
    return ""


def rank(rows, rule, awarded, language="en"):
    """rows [(key, figures)] -> [(place or None, key, figures, award bool, why not)], eligible
    ones first by (Wilson low, on-time rate, counted) descending."""
    judged = [(key, f, why_not(f, rule, language)) for key, f in rows if key != "-"]
    eligible = sorted([j for j in judged if not j[2]],
                      key=lambda j: (-j[1]["sat_low"], -(j[1]["on_time"] or 0.0), -j[1]["counted"], str(j[0])))
    out = [(n, key, f, n <= awarded, "") for n, (key, f, _) in enumerate(eligible, 1)]
    return out + [(None, key, f, False, why) for key, f, why in judged if why]
