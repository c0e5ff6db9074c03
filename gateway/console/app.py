"""The console mounted on the gateway's aiohttp application (gateway/web.py) as a sub-app at
/console/: its own middlewares (session, sign-in, CSRF), templates and static files, so the
citizens' status pages and /metrics beside it are served exactly as before.

Page modules (PAGE_MODULES) each have `routes(console)` returning aiohttp route definitions
relative to /console (e.g. web.get("/cases", handler)); see gateway/console/__init__.py.
"""
import asyncio
import importlib
import os
import urllib.parse

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import get_session, new_session, setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet
from markupsafe import Markup, escape

from gateway.console import guard
from gateway.console.accounts import Accounts, admits
from gateway.console.actions import Actions
from gateway.console.words import WORDS
from gateway.engine import audit

PREFIX = "/console"
PAGE_MODULES = ("hall", "window", "cases", "reports", "admin")   # gateway.console.<name>
HERE = os.path.dirname(os.path.abspath(__file__))
COOKIE_KEY_META = "console_cookie_key"
SESSION_MAX_AGE_S = 12 * 3600          # a working day; then sign in again
KEY = guard.CONSOLE


class Console:
    """What page modules get: the gateway, accounts, words, navigation, actions."""

    def __init__(self, gateway, executor=None):
        self.gateway, self.hall, self.executor = gateway, gateway.hall, executor
        self.language = gateway.hall.language
        self.words = dict(WORDS[self.language])
        self.accounts = Accounts(gateway.store.path)
        self.throttle = guard.Throttle()
        self.changed = asyncio.Event()     # set after an action: live pages push at once
        self._loop = None
        self.actions = Actions(gateway, on_change=self._notify)
        self.nav = []                      # [(path, {"en", "zh"} label, role)]
        self.templates = None              # the Jinja2 environment, once mounted
        self._background = []              # coroutine functions run while the server runs
        self.feeds = []                    # feed.LiveFeed of the live pages

    # --- for page modules ---------------------------------------------------------------

    def url(self, name, **query):
        """The address of a console page: url("hall") -> "/console/hall"; "home" is the start."""
        path = PREFIX + "/" + ("" if name == "home" else name)
        return path + ("?" + urllib.parse.urlencode(query) if query else "")

    def say(self, key, **values):
        return self.words[key].format(**values) if values else self.words[key]

    def add_words(self, words):
        """{"en": {...}, "zh": {...}}: a page module's words; its keys must not clash."""
        for key, text in words[self.language].items():
            if key in self.words:
                raise ValueError("console word %r is defined twice" % key)
            self.words[key] = text

    def add_nav(self, name, label, role):
        """A link in the top bar for accounts of `role` and above; label {"en", "zh"}."""
        self.nav.append((self.url(name), label, role))

    def background(self, work):
        """Run the coroutine function `work()` from the server's start to its stop."""
        self._background.append(work)

    def render(self, template, **context):
        """A template (a live fragment) rendered outside a request: say and url are given."""
        return self.templates.get_template(template).render(say=self.say, url=self.url, **context)

    async def run(self, work, *args):
        """work(*args) off the event loop (it may wait for the gateway's lock or the disk)."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, work, *args)

    async def execute(self, command, actor):
        """Run an engine command for the account `actor`: Outcome(ok, text, events)."""
        return await self.run(self.actions.execute, command, actor)

    async def record(self, kind, actor, **detail):
        return await self.run(lambda: self.actions.record(kind, actor, **detail))

    async def flash(self, request, text, kind="good"):
        """A message shown once on the next page (after a redirect)."""
        (await get_session(request))["flash"] = {"text": text, "kind": kind}

    def _notify(self):
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.changed.set)


def mount(app, gateway, executor=None):
    """Add the console to the gateway's aiohttp `app`; returns the Console."""
    console = Console(gateway, executor)
    sub = web.Application(client_max_size=2 * 1024 * 1024)   # appointment files are uploaded
    sub[KEY] = console
    setup_sessions(sub, EncryptedCookieStorage(_cookie_key(gateway.store), cookie_name="HALLMESH_CONSOLE",
                                               max_age=SESSION_MAX_AGE_S, path=PREFIX, httponly=True,
                                               samesite="Lax"))
    sub.middlewares.append(_signed_in_and_csrf)
    console.templates = aiohttp_jinja2.setup(sub, loader=jinja2.FileSystemLoader(os.path.join(HERE, "templates")),
                         autoescape=jinja2.select_autoescape(default=True), context_processors=[_context])
    sub.router.add_static("/static/", os.path.join(HERE, "static"), name="static")
    sub.add_routes([web.get("/", home), web.get("/login", login_page), web.post("/login", login),
                    web.post("/logout", logout)])
    for name in PAGE_MODULES:
        module = importlib.import_module("gateway.console." + name)
        sub.add_routes(module.routes(console))
    sub.on_startup.append(_started)
    sub.on_shutdown.append(_closing)
    sub.on_cleanup.append(_stopped)
    app.add_subapp(PREFIX + "/", sub)
    return console


async def _started(sub):
    console = sub[KEY]
    console._loop = asyncio.get_running_loop()
    console.changed = asyncio.Event()      # bound to the server's own loop
    console._tasks = [asyncio.create_task(work()) for work in console._background]


async def _closing(sub):
    for feed in sub[KEY].feeds:
        feed.close()


async def _stopped(sub):
    for task in getattr(sub[KEY], "_tasks", ()):
        task.cancel()


def _cookie_key(store):
    """The sessions' encryption key, kept in the store so a restart signs nobody out."""
    key = store.read_meta(COOKIE_KEY_META)
    if not key:
        key = Fernet.generate_key().decode("ascii")
        store.write_meta(COOKIE_KEY_META, key)
    return Fernet(key.encode("ascii"))


def console_of(request):
    return request.app[KEY]


@web.middleware
async def _signed_in_and_csrf(request, handler):
    """Every console request: who is signed in (request["account"]); a state-changing one
    without the session's CSRF token is refused (403) before any handler runs; a handler that
    neither requires a role nor is public still needs a signed-in account."""
    console = console_of(request)
    session = await get_session(request)
    who = console.accounts.get(session["name"]) if session.get("name") else None
    request[guard.ACCOUNT] = who if who and not who["disabled"] else None
    if not await guard.csrf_ok(request):
        raise web.HTTPForbidden(text="refused: the form's CSRF token is missing or wrong (reload the page)")
    target = getattr(request.match_info, "handler", None)
    required = getattr(target, "required_role", "staff")
    if required is not None and not request.path.startswith(PREFIX + "/static/"):
        return await guard.require(required)(handler)(request)
    return await handler(request)


async def _context(request):
    console = console_of(request)
    token = await guard.csrf_token(request)
    who = guard.account(request)
    session = await get_session(request)
    flash = session.pop("flash", None)
    nav = [{"path": path, "label": label[console.language]} for path, label, role in console.nav
           if who and admits(who["role"], role)]
    return {"say": console.say, "url": console.url, "account": who, "nav": nav, "flash": flash,
            "path": request.path, "hall_name": console.hall.name, "language": console.language,
            "static": lambda name: PREFIX + "/static/" + name,
            "csrf_token": token,
            "csrf_field": lambda: Markup('<input type="hidden" name="%s" value="%s">' % (guard.CSRF_FIELD, escape(token)))}


# --- sign-in, sign-out, the start page --------------------------------------------------------

@guard.require("staff")
async def home(request):
    return aiohttp_jinja2.render_template("home.html", request, {})


@guard.public
async def login_page(request):
    return aiohttp_jinja2.render_template("login.html", request, {"next": _safe_next(request.query.get("next"))})


@guard.public
async def login(request):
    console = console_of(request)
    form = await request.post()
    name, password = str(form.get("name", "")).strip()[:40], str(form.get("password", ""))
    keys = (("name", name), ("addr", request.remote or "?"))
    wait_s = console.throttle.refused_for_s(*keys)
    if wait_s > 0:
        await console.record(audit.LOGIN_REFUSED, name, why="throttled", addr=request.remote or "")
        return _login_again(request, console.say("throttled", s=int(wait_s) + 1), 429)
    who = await console.run(console.accounts.verify, name, password)
    if who is None:
        console.throttle.failed(*keys)
        await console.record(audit.LOGIN_REFUSED, name, why="wrong name or password", addr=request.remote or "")
        return _login_again(request, console.say("bad_login"), 401)
    console.throttle.succeeded(*keys)
    session = await new_session(request)        # a fresh session id and CSRF token at sign-in
    session["name"] = who["name"]
    await console.record(audit.LOGIN, who["name"], role=who["role"], addr=request.remote or "")
    raise web.HTTPFound(_safe_next(form.get("next")) or console.url("home"))


def _login_again(request, error, status):
    response = aiohttp_jinja2.render_template("login.html", request, {"next": "", "error": error})
    response.set_status(status)
    return response


def _safe_next(target):
    """Only a console address is followed after sign-in (no open redirect to elsewhere)."""
    target = str(target or "")
    return target if target.startswith(PREFIX + "/") and not target.startswith("//") else ""


@guard.require("staff")
async def logout(request):
    console = console_of(request)
    await console.record(audit.LOGOUT, guard.account(request)["name"])
    (await get_session(request)).invalidate()
    raise web.HTTPFound(console.url("login"))
