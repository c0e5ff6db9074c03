"""A gateway without MQTT for console tests: the real Service on a real store, its views
collected instead of published; the console served by the real StatusServer on a free port;
and a small HTTP client with a cookie jar that never follows redirects (so each answer is
seen as it is)."""
import http.cookiejar
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

from gateway import config
from gateway.service import Service
from gateway.web import StatusServer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
T0 = 1_795_420_800.0
PASSWORD = "correct horse battery"


class HallGateway:
    """What the console reads of a gateway: hall, store, lock, service, clock."""

    def __init__(self, hall, store, clock):
        self.hall, self.store, self.clock = hall, store, clock
        self.lock = threading.RLock()
        self.published = []
        self.service = Service(hall, store, lambda topic, payload, retain: self.published.append((topic, payload)),
                               clock)

    @property
    def state(self):
        return self.service.state


def serve(tmp_path, hall_file="example.toml", now=T0 + 3600):
    from gateway.store import open_store
    hall = config.load(os.path.join(REPO, "halls", hall_file))
    gw = HallGateway(hall, open_store(str(tmp_path / "hall.db")), lambda: now)
    server = StatusServer(gw, "127.0.0.1", 0, console=True).start()
    return gw, server


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """GET/POST with cookies; (status, headers, text) for every answer, 3xx and 4xx included."""

    def __init__(self, server):
        self.base = "http://127.0.0.1:%d" % server.port
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def get(self, path):
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path, fields, headers=None):
        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base + path, data=data, headers=headers or {}))

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.headers, answer.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode("utf-8", "replace")

    def csrf(self, path="/console/login"):
        status, _, text = self.get(path)
        match = re.search(r'name="_csrf" value="([^"]+)"', text)
        assert match, "a CSRF field on %s (%d): %s" % (path, status, text[:300])
        return match.group(1)

    def login(self, name, password=PASSWORD):
        token = self.csrf()
        return self.post("/console/login", {"_csrf": token, "name": name, "password": password})
