"""The supervisor's follow-up cases: /console/cases lists every case of a bad review with its
deadline (CASE_WORKING_DAYS working days of the hall's calendar, gateway/engine/cases.py),
status, reason and notes, overdue first; /console/cases/{case} records the call-back or the
resolution with a note, as `hallmesh case update` does: the engine's case_update command, run
through console.execute so the log holds it with the signed-in account as the actor."""
import aiohttp_jinja2
from aiohttp import web

from gateway.console.guard import account, require
from gateway.engine import cases as case_rules
from gateway.engine import commands, days
from gateway.engine.workdays import CASE_WORKING_DAYS
from gateway.reports import render
from gateway.reports.words import words as report_words

ACTIONS = (case_rules.CALLED_BACK, case_rules.RESOLVED)
NOTE_MAX_CHARS = 500

WORDS = {
    "en": {"cases_title": "Follow-up cases", "cases_rule": "Every bad review opens a case; it is due within "
           "{days} working days of the hall's calendar. Overdue cases come first.",
           "case_no": "Case", "case_opened": "Opened", "case_deadline": "Deadline", "case_status": "Status",
           "case_ticket": "Ticket", "case_window": "Window", "case_staff": "Staff", "case_level": "Rating",
           "case_reason": "Reason", "case_notes": "Notes", "case_overdue": "OVERDUE", "case_note": "Note",
           "case_act_called_back": "Called back", "case_act_resolved": "Resolve", "no_cases": "No cases.",
           "cases_counts": "{n} case(s): {open} open, {called} called back, {resolved} resolved, {overdue} overdue",
           "bad_case": "No such case: {what}.", "bad_case_action": "Choose called back or resolve.",
           "case_done": "Case {case}: {status}.", "note_too_long": "The note is longer than {n} characters."},
    "zh": {"cases_title": "回访工单", "cases_rule": "每条差评开启一张回访工单，须在大厅日历的{days}个工作日内整改；"
           "逾期工单排在最前。",
           "case_no": "工单", "case_opened": "开启日期", "case_deadline": "整改期限", "case_status": "状态",
           "case_ticket": "号票", "case_window": "窗口", "case_staff": "工作人员", "case_level": "评价",
           "case_reason": "原因", "case_notes": "记录", "case_overdue": "已逾期", "case_note": "说明",
           "case_act_called_back": "已回访", "case_act_resolved": "整改完成", "no_cases": "暂无工单。",
           "cases_counts": "共{n}张：待回访{open}，已回访{called}，已整改{resolved}，逾期{overdue}",
           "bad_case": "没有这张工单：{what}。", "bad_case_action": "请选择“已回访”或“整改完成”。",
           "case_done": "工单{case}：{status}。", "note_too_long": "说明超过{n}个字。"},
}


def routes(console):
    console.add_words(WORDS)
    console.add_nav("cases", {"en": "Cases", "zh": "回访工单"}, "supervisor")

    @require("supervisor")
    async def page(request):
        info = await console.run(case_list, console.gateway)
        return aiohttp_jinja2.render_template("cases.html", request, info)

    @require("supervisor")
    async def update(request):
        form = await request.post()
        text = str(request.match_info["case"])
        status, note = str(form.get("status", "")), str(form.get("note", "")).strip()
        if not text.isdigit():
            await console.flash(request, console.say("bad_case", what=text[:20]), "bad")
        elif status not in ACTIONS:
            await console.flash(request, console.say("bad_case_action"), "bad")
        elif len(note) > NOTE_MAX_CHARS:
            await console.flash(request, console.say("note_too_long", n=NOTE_MAX_CHARS), "bad")
        else:
            actor = account(request)["name"]
            outcome = await console.execute(commands.case_update(int(text), status, note, actor), actor)
            said = status_words(console.hall)[status]
            await console.flash(request, console.say("case_done", case=text, status=said) if outcome.ok
                                else console.say("refused", why=outcome.text), "good" if outcome.ok else "bad")
        raise web.HTTPFound(console.url("cases"))

    return [web.get("/cases", page), web.post("/cases/{case}", update)]


def status_words(hall):
    return report_words(hall)["case_status"]


def case_list(gateway):
    """What the cases page shows: {"cases": [row], "counts": {...}, "days": N}, read under the
    gateway's lock; the rows are the CLI's (render.case_rows) with every note added."""
    with gateway.lock:
        hall, now = gateway.hall, gateway.clock()
        cases = [dict(c, notes=list(c["notes"])) for c in gateway.service.state.cases.values()]
    rows = render.case_rows(hall, cases, now)
    names = status_words(hall)
    notes = {c["case"]: c["notes"] for c in cases}
    for row in rows:
        row["status_text"] = names[row["status"]]
        row["level_text"] = render.level_text(hall, row)
        row["notes"] = [{"day": local_time(hall, at), "status": names.get(status, status), "text": text,
                         "by": by or ""} for at, status, text, by in notes[row["case"]]]
        row["actions"] = [a for a in ACTIONS if ACTIONS.index(a) >= _rank(row["status"])]
    rows.sort(key=order)
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in case_rules.STATUSES}
    return {"cases": rows, "days": CASE_WORKING_DAYS,
            "counts": {"n": len(rows), "open": counts["open"], "called": counts["called_back"],
                       "resolved": counts["resolved"], "overdue": sum(1 for r in rows if r["overdue"])}}


def _rank(status):
    """The actions still possible: status only moves forward (open -> called_back -> resolved)."""
    return case_rules.STATUSES.index(status)


def order(row):
    """Overdue first, then the cases still to do by deadline, the resolved ones last (newest first)."""
    done = row["status"] == case_rules.RESOLVED
    return (not row["overdue"], done, row["deadline"] if not done else "", -row["case"] if done else row["case"])


def local_time(hall, at):
    return days.local_datetime(hall, at).strftime("%Y-%m-%d %H:%M")
