"""The hall console: the browser side of the gateway for window staff, supervisors and
administrators (docs/supervisor.md, docs/staff.md, docs/administrator.md). An adapter like
MQTT: requests become engine commands, pages read the gateway's state; the engine stays pure.

Served by gateway/web.py (StatusServer(..., console=True), i.e. `hallmesh gateway --http`)
as an aiohttp sub-app at /console/, beside the citizens' /t/... pages and /metrics.

Interfaces for page modules (cases.py, reports.py, admin.py, hall.py, window.py)
--------------------------------------------------------------------------------
A page module is listed in app.PAGE_MODULES and has

    def routes(console):            # called once at start
        console.add_nav("cases", {"en": "Cases", "zh": "回访工单"}, "supervisor")
        console.add_words({"en": {"cases_title": "..."}, "zh": {"cases_title": "..."}})
        return [web.get("/cases", cases_page), web.post("/cases/{case}", update_case)]

Routes are relative to /console (console.url("cases") -> "/console/cases").

Guard (gateway/console/guard.py):
    @require("staff" | "supervisor" | "admin")  on every handler; roles rank staff <
        supervisor < admin, a higher role is admitted too. A handler without it still needs a
        signed-in account (the middleware's default), @public opens one (login only).
    account(request) -> {"name", "role", "disabled", "created_at"} of the signed-in account.
    Every POST must carry the CSRF token: in a template `{{ csrf_field() }}` inside the
    <form>, or the header X-CSRF-Token: {{ csrf_token }} for fetch(); else 403 before the
    handler runs.

Templates (gateway/console/templates/, Jinja2 via aiohttp-jinja2, autoescaped):
    {% extends "base.html" %} with blocks title, head, main, scripts. The context has
    say(key, **values) (the hall's language), url(name, **query), static(file), account,
    nav, path, hall_name, language, csrf_field(), csrf_token, flash.
    Render: aiohttp_jinja2.render_template("cases.html", request, {...}).
    Styles: static/console.css (.card, .grid, .flash.good/.bad, table, button.secondary).

The Console object (app.console_of(request), or the one routes() gets):
    console.gateway            the gateway: .hall, .store, .lock, .state, .service, .clock
                               (hold `with console.gateway.lock:` while reading .state)
    console.hall, console.language ("en" | "zh"), console.say(key, **values)
    await console.run(fn, *args)        blocking work (a report, a store read) off the loop
    await console.execute(command, actor) -> Outcome(ok, text, events)
        an engine command (gateway/engine/commands.py, e.g. commands.case_update(...)) run
        as a pad's staff key runs it: decided under the gateway's lock, stored with a
        console_action audit event naming `actor`, applied, devices' views published;
        refused -> ok False and text = the refusal in the hall's language (gateway/wording.py)
    await console.record(kind, actor, **detail)   an audit event (gateway/engine/audit.py:
        ACCOUNT_ADDED, ACCOUNT_CHANGED, LOGIN, LOGIN_REFUSED, LOGOUT, ACTION) for things that
        are no engine command (an account changed, an import previewed)
    await console.flash(request, text, kind="good"|"bad")   shown once on the next page
    console.accounts           accounts.Accounts: add(name, role, password), set_role,
                               set_password, set_disabled, get(name), all(), verify(...)
                               (argon2: slow, call through console.run); AccountError says why
    console.changed            an asyncio.Event set after every action (live pages push)

Accounts are in the table console_accounts of the hall's SQLite store; the first
administrator: `hallmesh console add-user --role admin NAME --hall H --db D` (gateway/console/cli.py).
"""
