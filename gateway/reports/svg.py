"""Two charts as plain SVG text, written here so a report needs no plotting library:
satisfaction by window (bar = rate, whisker = Wilson 95 % interval) and the waiting-time
distribution by hour of issue (bar = median, whisker up to p90)."""
from xml.sax.saxutils import escape

from gateway.reports.stats import quantile

W, H, LEFT, BOTTOM, TOP = 640, 320, 50, 40, 30


def _frame(title, ylabel, ymax, ticks):
    plot_h = H - BOTTOM - TOP
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
             'font-size="11">' % (W, H), '<rect width="100%" height="100%" fill="white"/>',
             '<text x="%d" y="18" font-size="14">%s</text>' % (LEFT, escape(title)),
             '<text x="12" y="%d" transform="rotate(-90 12 %d)">%s</text>' % (TOP + plot_h // 2, TOP + plot_h // 2,
                                                                              escape(ylabel))]
    for tick in ticks:
        y = TOP + plot_h - plot_h * tick / ymax
        parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (LEFT, W - 10, y, y))
        parts.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (LEFT - 4, y + 4, tick))
    return parts, plot_h


def _bars(parts, plot_h, ymax, items):
    """items: [(label, value, whisker_low, whisker_high)] with values in y units."""
    slot = (W - 10 - LEFT) / max(1, len(items))
    for n, (label, value, low, high) in enumerate(items):
        x = LEFT + n * slot + slot * 0.15
        width = slot * 0.7
        y = TOP + plot_h - plot_h * value / ymax
        parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#4a7ab5"/>'
                     % (x, y, width, TOP + plot_h - y))
        if low is not None and high is not None:
            mid = x + width / 2
            y1, y2 = (TOP + plot_h - plot_h * v / ymax for v in (low, high))
            parts.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="black"/>' % (mid, mid, y1, y2))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                     % (x + width / 2, H - BOTTOM + 16, escape(str(label))))


def satisfaction_by_window(rows, title="Satisfaction by window"):
    """rows: [(window, figures)]; windows without ratings are left out."""
    parts, plot_h = _frame(title, "satisfied (%), 95% interval", 100, [0, 25, 50, 75, 100])
    items = [(key, 100 * f["satisfaction"], 100 * f["sat_low"], 100 * f["sat_high"])
             for key, f in rows if f["satisfaction"] is not None]
    _bars(parts, plot_h, 100, items)
    return "\n".join(parts + ["</svg>"]) + "\n"


def waiting_by_hour(hours, title="Waiting time by hour of issue"):
    """hours: {hour: [minutes]} -> median bars with a whisker up to p90."""
    p90s = [quantile(v, 0.9) for v in hours.values()]
    top = max([m for m in p90s if m is not None] + [1.0])
    step = max(1, int(top / 4 + 0.999))
    ymax = step * 4
    parts, plot_h = _frame(title, "minutes (median, whisker to p90)", ymax, [step * n for n in range(5)])
    items = [("%02d" % hour, quantile(v, 0.5), quantile(v, 0.5), quantile(v, 0.9)) for hour, v in hours.items()]
    _bars(parts, plot_h, ymax, items)
    return "\n".join(parts + ["</svg>"]) + "\n"
