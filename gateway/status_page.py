"""The ticket status page the QR code on a ticket opens, made for a phone: in the hall's
language, the ticket number large, then where the citizen stands now (people ahead and the
waiting range, computed as for the printed ticket) or which window to go to, and which
tickets of the service the windows are serving now. It reloads itself (a meta refresh: no
script, so it works on any phone browser) and says so. Pure: state in, dict or HTML out;
gateway/web.py serves it."""
import html

from gateway.engine.estimate import wait_range
from gateway.engine.state import CALLED, EXPIRED, FINISHED, SKIPPED, WAITING

REFRESH_S = 15
PAGE_WORDS = {
    "en": {"lang": "en", "title": "Ticket {no}", "your_ticket": "Your ticket",
           "waiting": "{ahead} ahead of you, about {lo}-{hi} min",
           "ahead_label": "people ahead", "wait_label": "estimated wait", "wait_unit": "min",
           "called": "Please go to window {win}", "finished": "Served. Thank you!",
           "skipped": "Your turn has passed: please ask at the information desk",
           "expired": "This ticket is from an earlier day", "unknown": "No ticket {no} on {day}",
           "serving": "Now serving", "serving_row": "window {win}", "nobody": "no window is calling now",
           "refresh": "This page updates itself every {s} seconds.",
           "no_page": "Not a ticket page: scan the QR code on your ticket (a page looks like {example})",
           "other_hall": "This is the ticket page of {here}, not of hall {asked}"},
    "zh": {"lang": "zh-CN", "title": "{no} 号", "your_ticket": "您的号码",
           "waiting": "前面还有{ahead}人，预计等候{lo}-{hi}分钟",
           "ahead_label": "前面等候人数", "wait_label": "预计等候", "wait_unit": "分钟",
           "called": "请到{win}号窗口办理", "finished": "已办理完毕，谢谢！",
           "skipped": "已过号，请到咨询台", "expired": "此号不是当天的号", "unknown": "{day} 没有 {no} 号",
           "serving": "正在办理", "serving_row": "{win}号窗口", "nobody": "暂无窗口叫号",
           "refresh": "本页每{s}秒自动刷新。",
           "no_page": "这不是号票查询页面，请扫描号票上的二维码（页面地址形如 {example}）",
           "other_hall": "这里是{here}的号票查询页面，不是 {asked} 的"},
}

STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
background:#f3f5f8;color:#1d2733}
main{max-width:30rem;margin:0 auto;padding:1rem}
#hall{margin:.2rem 0 1rem;font-size:1.05rem;color:#45566b;text-align:center}
.card{background:#fff;border-radius:.9rem;padding:1rem 1.2rem;margin-bottom:.9rem;box-shadow:0 1px 3px #0002}
.label{margin:0;font-size:.95rem;color:#5b6b7f}
#ticket{margin:.1rem 0;font-size:4.2rem;line-height:1.1;letter-spacing:.05em;text-align:center}
#service{margin:0;text-align:center;font-size:1.2rem}
#status{font-size:1.35rem;font-weight:600;text-align:center;margin:.2rem 0}
#status[data-state=called]{color:#0b6b2e;font-size:1.7rem}
#status[data-state=skipped],#status[data-state=unknown],#status[data-state=expired]{color:#a3261b}
#status[data-state=waiting]{font-size:1rem;font-weight:400;color:#45566b;margin-top:.8rem}
#figures{display:flex;gap:.8rem}
#figures div{flex:1;background:#eef3fa;border-radius:.6rem;padding:.6rem;text-align:center}
#figures b{display:block;font-size:2.2rem;white-space:nowrap}
#figures small{font-size:1rem;font-weight:400;margin-left:.2rem}
h2{font-size:1.05rem;margin:0 0 .5rem}
#serving ul{list-style:none;margin:0;padding:0}
#serving li{display:flex;justify-content:space-between;padding:.35rem 0;border-top:1px solid #e3e8ef;
font-size:1.2rem}
#serving li:first-child{border-top:0}
#refresh{font-size:.85rem;color:#6b7a8c;text-align:center}
"""


def find(state, day, no):
    """Today's ticket numbered `no` (numbers repeat from day to day), or None: by the state's
    index of today's numbers, no scan. Tickets of earlier days are in the store (earlier())."""
    ticket = state.tickets.get(state.by_no.get(no)) if day == state.day else None
    return ticket if ticket is not None and ticket.day == day else None


def earlier(hall, day, no, issued):
    """The page of a ticket of an earlier day, from its ticket_issued event (or None): that day
    is closed, whatever became of the ticket."""
    if issued is None:
        return {"state": "unknown", "no": no, "day": day}
    service = hall.services.get(issued["svc"])
    return {"state": EXPIRED, "no": no, "day": day, "svc": issued["svc"],
            "service": service.name if service else issued["svc"]}


def now_serving(state, svc):
    """[(ticket number, window)] the windows of service `svc` are serving now, by window."""
    out = []
    for number in sorted(state.windows):
        win = state.windows[number]
        if svc in win.services and win.current is not None:
            out.append((state.tickets[win.current].no, number))
    return out


def service_name(state, code):
    """The service's name now, or the last it had if the hall file no longer has it."""
    service = state.hall.services.get(code)
    return service.name if service else state.service_names.get(code, code)


def ticket_status(state, day, no):
    """{"state": waiting|called|finished|skipped|expired|unknown, ...}: what the page shows."""
    ticket = find(state, day, no)
    if ticket is None:
        return {"state": "unknown", "no": no, "day": day}
    out = {"state": ticket.status, "no": ticket.no, "day": day, "svc": ticket.svc,
           "service": service_name(state, ticket.svc)}
    if ticket.status == WAITING:
        ahead = state.waiting[ticket.svc].index(ticket.tid)
        out["ahead"], out["wait"] = ahead, wait_range(state, ticket.svc, ahead)
    elif ticket.status == CALLED:
        out["window"] = ticket.window
    if ticket.status in (WAITING, CALLED):
        out["serving"] = now_serving(state, ticket.svc)
    return out


def _sentence(words, status):
    kind = status["state"]
    if kind == WAITING:
        return words["waiting"].format(ahead=status["ahead"], lo=status["wait"][0], hi=status["wait"][1])
    if kind == CALLED:
        return words["called"].format(win=status["window"])
    if kind in (FINISHED, SKIPPED, EXPIRED):
        return words[kind]
    return words["unknown"].format(no=status["no"], day=status["day"])


def _figures(words, status):
    if status["state"] != WAITING:
        return ""
    lo, hi = status["wait"]
    return ('<div id="figures"><div><span class="label">%s</span><b id="ahead">%d</b></div>'
            '<div><span class="label">%s</span><b id="wait">%d-%d<small>%s</small></b></div></div>'
            % (html.escape(words["ahead_label"]), status["ahead"], html.escape(words["wait_label"]), lo, hi,
               html.escape(words["wait_unit"])))


def _serving(words, status):
    if "serving" not in status:
        return ""
    rows = "".join('<li><b>%s</b><span>%s</span></li>' % (html.escape(no), html.escape(words["serving_row"].format(win=w)))
                   for no, w in status["serving"])
    body = "<ul>%s</ul>" % rows if rows else '<p class="label">%s</p>' % html.escape(words["nobody"])
    return '<section class="card" id="serving"><h2>%s</h2>%s</section>' % (html.escape(words["serving"]), body)


def not_found(hall, asked_hall=None):
    """The plain text of a 404, in the hall's language: a path that is no ticket page, or a
    ticket page of another hall (`asked_hall`)."""
    words = PAGE_WORDS[hall.language]
    if asked_hall is not None:
        return words["other_hall"].format(here=hall.name, asked=asked_hall)
    return words["no_page"].format(example="/t/%s/2026-11-23/A001" % hall.id)


def render(hall, status, refresh_s=REFRESH_S):
    """The whole page: readable on a small phone, no script, no request but itself."""
    words = PAGE_WORDS[hall.language]
    e = html.escape
    return ('<!doctype html><html lang="%s"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta http-equiv="refresh" content="%d"><title>%s · %s</title><style>%s</style></head><body><main>'
            '<p id="hall">%s</p>'
            '<section class="card"><p class="label">%s</p><h1 id="ticket">%s</h1><p id="service">%s</p></section>'
            '<section class="card">%s<p id="status" data-state="%s">%s</p></section>%s'
            '<p id="refresh">%s</p></main></body></html>'
            % (words["lang"], refresh_s, e(words["title"].format(no=status["no"])), e(hall.name), STYLE,
               e(hall.name), e(words["your_ticket"]), e(status["no"]), e(status.get("service", "")),
               _figures(words, status), status["state"], e(_sentence(words, status)), _serving(words, status),
               e(words["refresh"].format(s=refresh_s))))
