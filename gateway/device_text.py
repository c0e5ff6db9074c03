"""Device text: the lines a panel shows, the phrases a speaker says, the lines a ticket
prints, composed in the hall's language and encoded for the parts that draw them.

Encodings are decided here because MicroPython has no codecs for them (docs/protocol.md,
"Text on devices"): LED panel controllers and voice modules take GB2312 (their font ROM and
speech set), thermal printers take GB18030. A text that is plain ASCII travels as "t" only; any
other text also carries "gb", the encoded bytes in base64, and the device sends those bytes."""
import base64
import json

from gateway import wording
from gateway.engine import days
from protocol import codec


class TextError(ValueError):
    pass


def encoded(text, codec="gb2312"):
    """{"t": text} plus "gb" when the text is not ASCII; TextError naming a character the
    part cannot show."""
    if text.isascii():
        return {"t": text}
    try:
        data = text.encode(codec)
    except UnicodeEncodeError as exc:
        raise TextError("%r cannot be shown: %r is not in %s" % (text, text[exc.start], codec.upper()))
    # the text itself stays out: devices send only the bytes, and views must fit a payload
    return {"gb": base64.b64encode(data).decode()}


def _line(hall, key, blink=False, **values):
    line = encoded(wording.say(hall.language, key, **values))
    if blink:
        line["b"] = 1
    return line


def window_lines(hall, view):
    """Rows of a window display: the window, the ticket (blinking is the device's call), the overrun."""
    if view.get("state") == "paused":
        middle = _line(hall, "paused")
    elif view.get("ticket"):
        middle = encoded(view["ticket"])
    else:
        middle = _line(hall, "idle")
    return [_line(hall, "window", win=view["win"]), middle]


def hall_lines(hall, view):
    """One row per window with a call, newest first, and what the speaker says for each call:
    `n` is the window's call counter, so a recall (same ticket, new n) is announced again."""
    lines, say = [], []
    for row in view["rows"]:
        no, win = row[0], row[1]
        lines.append(_line(hall, "call_row", no=no, win=win))
        phrase = _line(hall, "announce", no=no, win=win)
        phrase.update(w=win, n=row[2] if len(row) > 2 else 0)
        say.append(phrase)
    return lines, say


def pad_lines(hall, view):
    reasons = view.get("reasons")
    if reasons:      # a low rating: the rating keys now choose the reason
        listed = " ".join("%d.%s" % (i + 1, r) for i, r in enumerate(reasons))
        return [_line(hall, "why", n=len(reasons)), encoded(listed)]
    if view.get("serving"):
        top = _line(hall, "serving", no=view["serving"])
    else:
        top = _line(hall, "paused" if view.get("paused") else "open")
    bottom = _line(hall, "rate", no=view["rate"]) if view.get("rate") else encoded("")
    return [top, bottom]


def refused(hall, ack):
    """A refusal ack with "line": its reason as a pad shows it, in the hall's language (an
    English hall's pad shows "err" itself). A reason a panel cannot draw (a name outside
    GB2312) says only that nothing was done."""
    if hall.language == "en" or ack.get("ok") or not ack.get("err"):
        return ack
    try:
        line = encoded(wording.refusal(hall.language, ack["err"]))
    except TextError:
        line = encoded(wording.REFUSED_ZH)
    return dict(ack, line=line)


def decorate_view(hall, view):
    """Add the device text to a view from gateway.views (a new dict). A hall not in English
    also sends what its devices show while the gateway is away (firmware says it in English)."""
    view = dict(view)
    kind = view["kind"]
    if hall.language != "en" and kind in ("window", "hall", "pad"):
        view["away"] = _line(hall, "away")
    if kind == "window":
        view["lines"] = window_lines(hall, view)
        if view.get("due"):
            view["over"] = _line(hall, "over")
    elif kind == "hall":
        if view.get("notice"):
            view["notice_line"] = encoded(view["notice"])
        view["lines"], view["say"] = hall_lines(hall, view)
        _fit(view)
    elif kind == "pad":
        view["lines"] = pad_lines(hall, view)
        view["thanks"] = _line(hall, "thanks")
        if view.get("to"):       # what the rating keys mean after the transfer key
            view["choose"] = [_line(hall, "transfer", no=view["serving"]),
                              encoded(" ".join("%d.%s" % (i + 1, code) for i, code in enumerate(view["to"])))]
    return view


def _fit(view):
    """A hall of many windows: keep the newest calls that fit one payload (older calls were
    announced and shown long ago; the panel pages through what is kept)."""
    while view["rows"] and len(json.dumps(view).encode()) > codec.MAX_PAYLOAD - 96:
        for name in ("rows", "lines", "say"):
            view[name] = view[name][:-1]


def local_time(hall, at):
    return days.local_datetime(hall, at).strftime("%Y-%m-%d %H:%M")


def decorate_ticket(hall, ticket):
    """The printed ticket: the gateway's fields plus the lines in the printer's code page."""
    ticket = dict(ticket)
    lo, hi = ticket["wait"]
    ticket["info"] = wording.say(hall.language, "ahead", ahead=ticket["ahead"], lo=lo, hi=hi)
    ticket["time"] = wording.say(hall.language, "issued", time=local_time(hall, ticket["at"]))
    if ticket.get("appt"):
        ticket["booking"] = wording.say(hall.language, "booking", code=ticket["appt"])
    if hall.status_url:
        ticket["url"] = status_url(hall, ticket["no"], local_time(hall, ticket["at"])[:10])
    gb = {}
    for field in ("hall", "name", "info", "time", "booking"):
        if field not in ticket:
            continue
        line = encoded(ticket[field], "gb18030")
        if "gb" in line:
            gb[field] = line["gb"]
    if gb:
        ticket["gb"] = gb
    return ticket


def status_url(hall, no, day):
    return hall.status_url.format(hall=hall.id, no=no, day=day)


def check_status_url(hall):
    """TextError naming a placeholder other than {hall}, {no}, {day}: caught at load, not at
    the first ticket."""
    try:
        status_url(hall, "A001", "2026-01-01")
    except (KeyError, IndexError, ValueError) as exc:
        raise TextError("status_url %r: only {hall}, {no} and {day} can be filled in (%s)"
                        % (hall.status_url, exc))


def hall_strings(hall, sample_no="A001"):
    """Every string this hall's devices can show or say, for checking at config load."""
    out = [hall.name, hall.notice] + [svc.name for svc in hall.services.values()]
    for win in hall.windows:
        for key in ("window", "call_row", "announce"):
            out.append(wording.say(hall.language, key, win=win, no=sample_no))
    for key in ("idle", "paused", "over", "open", "thanks", "away"):
        out.append(wording.say(hall.language, key))
    out.append(wording.say(hall.language, "why", n=len(hall.rules.reasons)))
    out.extend(hall.rules.reasons)
    for key in ("serving", "rate", "transfer"):
        out.append(wording.say(hall.language, key, no=sample_no))
    return out


def check_hall(hall):
    """TextError naming the first string a panel could not show, or a bad status_url."""
    check_status_url(hall)
    for text in hall_strings(hall):
        encoded(text)
