"""The ticket status page the QR code on a ticket opens: where the citizen stands now (people
ahead and the waiting range, computed as for the printed ticket), or which window to go to.
Pure: state in, dict or HTML out; gateway/web.py serves it."""
import html

from gateway.engine.estimate import wait_range
from gateway.engine.state import CALLED, EXPIRED, FINISHED, SKIPPED, WAITING

PAGE_WORDS = {
    "en": {"title": "Ticket {no}", "waiting": "{ahead} ahead of you, about {lo}-{hi} min",
           "called": "Please go to window {win}", "finished": "Served. Thank you!",
           "skipped": "Your turn has passed: please ask at the information desk",
           "expired": "This ticket is from an earlier day", "unknown": "No ticket {no} on {day}"},
    "zh": {"title": "{no} 号", "waiting": "前面还有{ahead}人，预计等候{lo}-{hi}分钟",
           "called": "请到{win}号窗口办理", "finished": "已办理完毕，谢谢！",
           "skipped": "已过号，请到咨询台", "expired": "此号不是当天的号", "unknown": "{day} 没有 {no} 号"},
}


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
    return out


def _sentence(language, status):
    words = PAGE_WORDS[language]
    kind = status["state"]
    if kind == WAITING:
        return words["waiting"].format(ahead=status["ahead"], lo=status["wait"][0], hi=status["wait"][1])
    if kind == CALLED:
        return words["called"].format(win=status["window"])
    if kind in (FINISHED, SKIPPED, EXPIRED):
        return words[kind]
    return words["unknown"].format(no=status["no"], day=status["day"])


def render(hall, status, refresh_s=15):
    """A small page that refreshes itself; readable on any phone without scripts."""
    words = PAGE_WORDS[hall.language]
    title = words["title"].format(no=status["no"])
    service = status.get("service", "")
    return ("<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta http-equiv=\"refresh\" content=\"%d\"><title>%s</title></head>"
            "<body><p id=\"hall\">%s</p><h1 id=\"ticket\">%s</h1><p id=\"service\">%s</p>"
            "<p id=\"status\" data-state=\"%s\">%s</p></body></html>"
            % (hall.language, refresh_s, html.escape(title), html.escape(hall.name), html.escape(status["no"]),
               html.escape(service), status["state"], html.escape(_sentence(hall.language, status))))
