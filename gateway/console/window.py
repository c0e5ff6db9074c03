"""The window caller: window staff signed in at a window call, recall, skip, finish,
transfer, pause and resume from the window's PC, with the very engine commands of the pad's
staff keys (gateway/engine/commands.py), attributed to the signed-in account. Which window
is the engine's own record (staff_signed_in): signing in here is the same event as at the pad
or with `hallmesh staff sign-in`, so the reports credit the same person either way.
"""
import aiohttp_jinja2
from aiohttp import web

from gateway.console.guard import account, require
from gateway.engine import commands
from gateway.engine.state import PAUSED

ACTIONS = {"call": commands.call, "recall": commands.recall, "skip": commands.skip, "finish": commands.finish,
           "pause": commands.pause, "resume": commands.resume}

WORDS = {
    "en": {"caller_title": "Window caller", "choose_window": "Sign in at a window", "window_label": "Window",
           "sign_in_here": "Sign in at this window", "leave_window": "Sign out of the window",
           "at_window": "Window {win}", "now_serving": "Now serving", "nobody_served": "nobody",
           "waiting_here": "Waiting for this window: {n}", "act_call": "Call next", "act_recall": "Recall",
           "act_skip": "Skip (did not come)", "act_finish": "Finish", "act_pause": "Pause",
           "act_resume": "Resume", "act_transfer": "Transfer", "to_service": "to service",
           "to_window": "to window", "any": "-", "window_paused": "This window is paused.",
           "bad_window": "Choose a window of this hall.", "bad_action": "Unknown action: {what}."},
    "zh": {"caller_title": "窗口叫号", "choose_window": "窗口签到", "window_label": "窗口",
           "sign_in_here": "在此窗口签到", "leave_window": "窗口签退",
           "at_window": "{win}号窗口", "now_serving": "正在办理", "nobody_served": "无",
           "waiting_here": "本窗口等候：{n}人", "act_call": "叫下一位", "act_recall": "重呼",
           "act_skip": "过号", "act_finish": "办结", "act_pause": "暂停",
           "act_resume": "恢复", "act_transfer": "转移", "to_service": "转到业务",
           "to_window": "转到窗口", "any": "-", "window_paused": "本窗口已暂停。",
           "bad_window": "请选择本厅的窗口。", "bad_action": "未知操作：{what}。"},
}


def routes(console):
    console.add_words(WORDS)
    console.add_nav("window", {"en": "Window caller", "zh": "窗口叫号"}, "staff")

    @require("staff")
    async def page(request):
        info = await console.run(desk, console.gateway, account(request)["name"])
        return aiohttp_jinja2.render_template("window.html", request, info)

    @require("staff")
    async def sign_in(request):
        form = await request.post()
        number = _number(form.get("window"))
        if number not in console.hall.windows:
            await console.flash(request, console.say("bad_window"), "bad")
        else:
            await _run(console, request, commands.sign_in(number, account(request)["name"]))
        raise web.HTTPFound(console.url("window"))

    @require("staff")
    async def act(request):
        form = await request.post()
        name = account(request)["name"]
        number = await console.run(window_of, console.gateway, name)
        action = str(form.get("action", ""))
        if number is None:
            await console.flash(request, console.say("bad_window"), "bad")
        elif action in ACTIONS:
            await _run(console, request, ACTIONS[action](number, name))
        elif action == "transfer":
            to_svc = str(form.get("to_svc") or "") or None
            await _run(console, request, commands.transfer(number, to_svc, _number(form.get("to_window")), name))
        elif action == "sign_out":
            await _run(console, request, commands.sign_out(number, name))
        else:
            await console.flash(request, console.say("bad_action", what=action[:40]), "bad")
        raise web.HTTPFound(console.url("window"))

    return [web.get("/window", page), web.post("/window/sign-in", sign_in), web.post("/window/act", act)]


async def _run(console, request, command):
    outcome = await console.execute(command, account(request)["name"])
    await console.flash(request, console.say("done") if outcome.ok else console.say("refused", why=outcome.text),
                        "good" if outcome.ok else "bad")


def _number(value):
    text = str(value or "").strip().lstrip("wW")
    return int(text) if text.isdigit() else None


def window_of(gateway, staff):
    """The window `staff` is signed in at, or None."""
    with gateway.lock:
        return next((n for n, w in gateway.service.state.windows.items() if w.staff == staff), None)


def desk(gateway, staff):
    """What the caller page shows for `staff`: their window, its ticket and line, the choices."""
    with gateway.lock:
        state = gateway.service.state
        number = next((n for n, w in state.windows.items() if w.staff == staff), None)
        free = [n for n, w in sorted(state.windows.items()) if w.staff is None]
        services = [(code, s.name) for code, s in state.hall.services.items()]
        if number is None:
            return {"window": None, "free": free, "services": services}
        win = state.windows[number]
        ticket = state.current(number)
        waiting = sum(len(state.waiting.get(code, ())) for code in win.services) + len(state.directed.get(number, ()))
        return {"window": number, "free": free, "services": services, "serving": ticket.no if ticket else "",
                "paused": win.status == PAUSED, "waiting": waiting,
                "others": [n for n in sorted(state.windows) if n != number]}
