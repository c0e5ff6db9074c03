"""The report charts, drawn with matplotlib and written as SVG (text kept as text) and PNG:
satisfaction by window (bar = rate with its value, whisker = Wilson 95 % interval, a dashed
target line) and waiting time by hour of issue (bar = median, whisker up to p90).

The satisfaction scale is zoomed to the rates and the target (e.g. 92-100 %), because the
differences that matter between windows are a few points: on 0-100 % every bar looks alike.
A Chinese hall's charts are in Chinese, in Noto Sans CJK (Debian's fonts-noto-cjk)."""
import math
import os

import matplotlib

matplotlib.use("Agg")          # files only: no display, no GUI toolkit
from matplotlib import font_manager                      # noqa: E402
from matplotlib.figure import Figure                     # noqa: E402

from gateway.reports.stats import quantile               # noqa: E402
from gateway.reports.words import period_label, say      # noqa: E402

CJK_FAMILY = "Noto Sans CJK SC"
LATIN_FAMILY = "DejaVu Sans"
BAR, TARGET, WHISKER = "#4a7ab5", "#c0392b", "#222222"
SIZE_IN, DPI = (8.0, 4.5), 120


class ChartError(RuntimeError):
    """A chart that cannot be drawn as asked (no CJK font for a Chinese hall)."""


def _has_family(family):
    try:
        font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        return True
    except ValueError:
        return False


def font_family(hall):
    """The font list for the hall's language; ChartError naming the package when a Chinese
    hall's font is missing (a chart of empty boxes helps nobody)."""
    if hall.language != "zh":
        return [LATIN_FAMILY]
    if not _has_family(CJK_FAMILY):
        font_manager._load_fontmanager(try_read_cache=False)   # installed after the font cache was made
        if not _has_family(CJK_FAMILY):
            raise ChartError("no CJK font for the Chinese charts: install Debian's fonts-noto-cjk "
                             "(apt-get install fonts-noto-cjk)")
    return [CJK_FAMILY, LATIN_FAMILY]


def _figure(hall, title, xlabel, ylabel):
    fig = Figure(figsize=SIZE_IN, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=12, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _title(hall, key, period):
    return "%s · %s · %s" % (hall.name, say(hall, key), period_label(hall, period))


def satisfaction_scale(rates, target):
    """(low, high) in percent: the rates, their intervals and the target with a margin, on
    whole steps of 1, 2 or 5 points, never above 100 or below 0."""
    values = [v for v in rates if v is not None] + [target]
    low, high = min(values), max(values)
    margin = max(1.0, (high - low) * 0.15)
    step = 1 if high - low < 8 else 2 if high - low < 20 else 5
    return max(0.0, math.floor((low - margin) / step) * step), min(100.0, math.ceil((high + margin) / step) * step)


def satisfaction_figure(hall, rows, period, target):
    """rows: [(window, figures)]; windows without ratings are left out. target: 0..1."""
    fig, ax = _figure(hall, _title(hall, "chart_sat", period), say(hall, "axis_window"), say(hall, "axis_sat"))
    rated = [(key, f) for key, f in rows if f["satisfaction"] is not None]
    target_pct = 100 * target
    if not rated:
        ax.text(0.5, 0.5, say(hall, "no_data"), transform=ax.transAxes, ha="center", va="center")
        ax.set_ylim(*satisfaction_scale([], target_pct))
    else:
        labels = [str(key) for key, _ in rated]
        rates = [100 * f["satisfaction"] for _, f in rated]
        lows = [100 * f["sat_low"] for _, f in rated]
        highs = [100 * f["sat_high"] for _, f in rated]
        low, high = satisfaction_scale(lows + highs + rates, target_pct)
        # room above the scale for the value labels (a rate of 100 % must not hit the title),
        # with no tick above the scale's own top
        ax.set_ylim(low, high + 0.08 * (high - low))
        ax.set_yticks([t for t in ax.get_yticks() if low <= t <= high])
        # a bar starts at the scale's floor: its height shows the differences, its label the value
        ax.bar(labels, [r - low for r in rates], bottom=low, color=BAR, width=0.6)
        # max(0, ...): the interval's ends may miss the rate by a rounding error at 0 % or 100 %
        ax.errorbar(labels, rates, yerr=[[max(0.0, r - lo) for r, lo in zip(rates, lows)],
                                         [max(0.0, hi - r) for r, hi in zip(rates, highs)]],
                    fmt="none", ecolor=WHISKER, capsize=4, linewidth=1)
        for x, rate, hi in zip(labels, rates, highs):
            ax.annotate("%.1f" % rate, (x, min(hi, high)), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom", fontsize=9)
    ax.axhline(target_pct, color=TARGET, linestyle="--", linewidth=1.2, label=say(hall, "target", v=round(target_pct, 1)))
    fig.legend(loc="outside upper right", frameon=False, fontsize=9)     # beside the title, never on a bar
    return fig


def waiting_figure(hall, hours, period):
    """hours: {local hour of issue: [waiting minutes]}."""
    fig, ax = _figure(hall, _title(hall, "chart_wait", period), say(hall, "axis_hour"), say(hall, "axis_minutes"))
    labels = ["%02d" % hour for hour in hours]
    medians = [quantile(v, 0.5) for v in hours.values()]
    p90s = [quantile(v, 0.9) for v in hours.values()]
    if labels:
        ax.bar(labels, medians, color=BAR, width=0.6)
        ax.errorbar(labels, medians, yerr=[[0] * len(medians), [max(0.0, p - m) for p, m in zip(p90s, medians)]],
                    fmt="none", ecolor=WHISKER, capsize=4, linewidth=1)
        for x, median in zip(labels, medians):     # beside the whisker, which rises from the bar's middle
            ax.annotate("%.1f" % median, (x, median), xytext=(3, 2), textcoords="offset points",
                        ha="left", va="bottom", fontsize=9)
        ax.set_ylim(0, max(p90s) * 1.1 + 0.5)
    return fig


def write(directory, hall, window_rows, hours, period, target):
    """Both charts as SVG and PNG into `directory`: -> the paths written."""
    family = font_family(hall)
    os.makedirs(directory, exist_ok=True)
    written = []
    with matplotlib.rc_context({"font.family": family, "svg.fonttype": "none", "font.size": 10}):
        figures = {"satisfaction_by_window": satisfaction_figure(hall, window_rows, period, target),
                   "waiting_by_hour": waiting_figure(hall, hours, period)}
        for name, fig in figures.items():
            for ext in ("svg", "png"):
                path = os.path.join(directory, "%s.%s" % (name, ext))
                fig.savefig(path, format=ext, metadata=_metadata(ext, hall, period))
                written.append(path)
    return written


def _metadata(ext, hall, period):
    title = "%s %s" % (hall.name, period_label(hall, period))
    return {"Title": title} if ext == "svg" else {"Title": title, "Software": "hallmesh"}
