"""Who may do what: the signed-in account of a request, `require(role)` for page handlers,
the CSRF token every form carries, and login throttling.

- Sessions are aiohttp-session's encrypted cookie (Fernet): the browser holds only ciphertext,
  the key is in the store's meta table so a restart keeps people signed in.
- Every POST (and any other state-changing method) must carry the session's CSRF token, as a
  form field `_csrf` or the header X-CSRF-Token; without it the answer is 403, nothing runs.
- Login throttling: after MAX_FAILURES wrong passwords for one name, or from one address,
  within WINDOW_S, further tries are refused for LOCKOUT_S without even checking the password.
"""
import collections
import functools
import hmac
import secrets
import time

from aiohttp import web
from aiohttp_session import get_session

from gateway.console.accounts import admits

CSRF_FIELD = "_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_FAILURES = 5
WINDOW_S = 15 * 60
LOCKOUT_S = 5 * 60
CONSOLE = web.AppKey("console", object)            # the console sub-app's Console
ACCOUNT = web.RequestKey("account", object)        # the signed-in account of a request, or None


async def csrf_token(request):
    """The session's CSRF token, made at its first use."""
    session = await get_session(request)
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


async def csrf_ok(request):
    if request.method in SAFE_METHODS:
        return True
    session = await get_session(request)
    expected = session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        given = (await request.post()).get(CSRF_FIELD)
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(given, expected)


def account(request):
    """The signed-in account of the request ({"name", "role"}) or None (set by the middleware)."""
    return request.get(ACCOUNT)


def require(role):
    """Decorator for a page handler: signed in with `role` or a higher one. Not signed in: a
    page is redirected to the login (then back), anything else gets 401; a lower role: 403."""
    def wrap(handler):
        @functools.wraps(handler)
        async def guarded(request):
            who = account(request)
            if who is None:
                if request.method == "GET" and "text/event-stream" not in request.headers.get("Accept", ""):
                    raise web.HTTPFound(request.app[CONSOLE].url("login", next=request.path_qs))
                raise web.HTTPUnauthorized(text="sign in first")
            if not admits(who["role"], role):
                raise web.HTTPForbidden(text="this page is for the %s role; you are %s" % (role, who["role"]))
            return await handler(request)
        guarded.required_role = role
        return guarded
    return wrap


def public(handler):
    """Mark a console handler as open without signing in (the login page, static files)."""
    handler.required_role = None
    return handler


class Throttle:
    """Counts failed logins per name and per address in a sliding window (memory only: a
    restart forgets them, which only ever lets someone try again sooner)."""

    def __init__(self, clock=time.monotonic, max_failures=MAX_FAILURES, window_s=WINDOW_S, lockout_s=LOCKOUT_S):
        self.clock, self.max_failures, self.window_s, self.lockout_s = clock, max_failures, window_s, lockout_s
        self._failures = collections.defaultdict(collections.deque)   # key -> failure times
        self._locked_until = {}

    def refused_for_s(self, *keys):
        """Seconds until a login of these keys (("name", n), ("addr", a)) may be tried; 0: now."""
        now = self.clock()
        return max([0.0] + [self._locked_until.get(key, 0) - now for key in keys])

    def failed(self, *keys):
        now = self.clock()
        for key in keys:
            times = self._failures[key]
            times.append(now)
            while times and times[0] < now - self.window_s:
                times.popleft()
            if len(times) >= self.max_failures:
                self._locked_until[key] = now + self.lockout_s
                times.clear()

    def succeeded(self, *keys):
        for key in keys:
            self._failures.pop(key, None)
