"""The HTTP side of the gateway: the ticket status page (the QR code on each ticket),
GET /t/<hall>/<day>/<no>, and the counters for Prometheus: GET /metrics. Read-only; it
holds the gateway's lock only while it reads, and a bad request gets a plain 404 naming
what was not found.

Served by aiohttp on one event loop in one thread, because the page is reachable from every
citizen's phone: a thread per connection and no timeout let 1,018 half-open connections
exhaust the gateway's file descriptors. Here
- a connection that sends no complete request within IDLE_TIMEOUT_S (a half-open one, a
  slow one, one kept alive after its answer) is closed;
- at most MAX_CONNECTIONS are open at once, fewer if the descriptor limit is low (always
  RESERVED_FDS left for the broker link and the store); one more is closed as soon as it
  is accepted;
- pages are built on a pool of PAGE_THREADS threads (the lock may be busy with an event),
  never more, however many clients wait;
- a client that goes away early is nobody's error: nothing is logged for it.

The listening socket is bound when the server is made, so a taken port is found before the
gateway goes online (see cli.run_gateway).

With console=True the browser console (gateway/console/) is mounted on the same aiohttp
application at /console/, under the same connection limits; its pages run on the same pool.
"""
import asyncio
import concurrent.futures
import logging
import re
import resource
import socket
import threading

from aiohttp import web

from gateway import metrics, status_page

log = logging.getLogger("hallmesh.gateway")
METRICS_PATH = "/metrics"
ROUTE = re.compile(r"^/t/([a-z0-9_-]{1,32})/(\d{4}-\d{2}-\d{2})/([A-Z][0-9]{3,4})/?$")

IDLE_TIMEOUT_S = 10.0        # a phone loads the page in one request; nothing needs longer
MAX_CONNECTIONS = 2048       # at most; fewer if the process may open fewer descriptors
RESERVED_FDS = 128           # kept for the broker link, the store, logs, reconnects
PAGE_THREADS = 2
BACKLOG = 128


class PortTaken(OSError):
    """The HTTP port is in use (or not ours to bind)."""


def listening_socket(host, port):
    """A bound, listening TCP socket; PortTaken naming the address if it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise PortTaken("cannot serve HTTP on %s:%d: %s" % (host, port, exc.strerror or exc))
    sock.setblocking(False)
    return sock


def raise_descriptor_limit():
    """Let the process open as many descriptors as its hard limit allows (often 1,024 soft
    against far more hard): idle phones then wait their timeout instead of being refused."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            pass


def connection_limit(wanted=MAX_CONNECTIONS):
    """`wanted`, or fewer so that RESERVED_FDS descriptors always stay free for the rest of
    the gateway: clients can never exhaust them."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(16, min(wanted, soft - RESERVED_FDS))


class StatusServer:
    def __init__(self, gateway, host="0.0.0.0", port=8080, idle_timeout_s=IDLE_TIMEOUT_S,
                 max_connections=None, console=False):
        self.gateway = gateway
        self.with_console = console
        self.console = None               # gateway.console.app.Console once served
        self.metrics = metrics.registry(gateway)     # GET /metrics: the counters for Prometheus
        self.idle_timeout_s = idle_timeout_s
        self.max_connections = connection_limit() if max_connections is None else max_connections
        self.sock = listening_socket(host, port)
        self.host, self.port = self.sock.getsockname()[:2]
        self.refused_connections = 0      # closed at once: MAX_CONNECTIONS were open
        self.open = 0                     # connections open, counted from the moment each is accepted
        self._pages = concurrent.futures.ThreadPoolExecutor(PAGE_THREADS, thread_name_prefix="hallmesh-page")
        self._loop = None
        self._runner = None
        self._server = None
        self._ready = threading.Event()
        self._error = None
        self.thread = threading.Thread(target=self._main, name="hallmesh-web", daemon=True)

    def start(self):
        self.thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        log.info("ticket status pages on http://%s:%d/t/%s/<day>/<ticket>, metrics on /metrics",
                 self.host, self.port, self.gateway.hall.id)
        if self.console is not None:
            log.info("hall console on %s", self.console_url())
        return self

    def stop(self):
        if self._loop is not None and self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self.thread.join(10)
        self._pages.shutdown(wait=False)
        self.sock.close()

    def open_connections(self):
        """Connections open now (for tests and the metrics)."""
        return self.open

    def console_url(self):
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return "http://%s:%d/console/" % ("[%s]" % host if ":" in host else host, self.port)

    # --- what is served -----------------------------------------------------------------

    def page(self, path):
        """(HTTP status, HTML or text) for a request path."""
        match = ROUTE.match(path.split("?", 1)[0])
        if not match:
            return 404, status_page.not_found(self.gateway.hall)
        hall_id, day, no = match.groups()
        if hall_id != self.gateway.hall.id:
            return 404, status_page.not_found(self.gateway.hall, asked_hall=hall_id)
        with self.gateway.lock:          # an index lookup: the lock is held for microseconds
            status = status_page.ticket_status(self.gateway.state, day, no)
            today = self.gateway.state.day
        if status["state"] == "unknown" and day != today:
            # an earlier day: the store's index finds it, outside the gateway's lock
            status = status_page.earlier(self.gateway.hall, day, no, self.gateway.store.find_ticket(day, no))
        code = 404 if status["state"] == "unknown" else 200
        return code, status_page.render(self.gateway.hall, status)

    def reply(self, path):
        """(HTTP status, body bytes, content type) for a GET of `path`."""
        if path.split("?", 1)[0] == METRICS_PATH:
            return 200, metrics.exposition(self.metrics), metrics.CONTENT_TYPE
        code, body = self.page(path)
        kind = "text/html" if body.startswith("<!doctype") else "text/plain"
        return code, body.encode("utf-8"), kind + "; charset=utf-8"

    # --- the server -----------------------------------------------------------------------

    def _main(self):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._open())
        except Exception as exc:  # noqa: BLE001 - reported to start() instead of lost in a thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    def application(self):
        """The aiohttp application: the console's sub-app (if any), then every other GET is a
        status page, /metrics or the status pages' 404."""
        app = web.Application()
        if self.with_console:
            from gateway.console.app import mount      # jinja2, argon2 ...: only when served
            self.console = mount(app, self.gateway, self._pages)
        app.router.add_route("*", "/{path:.*}", self._handle)
        return app

    async def _open(self):
        # keepalive_timeout also closes a connection that never completes a request
        self._runner = web.AppRunner(self.application(), handle_signals=False, access_log=None,
                                     keepalive_timeout=self.idle_timeout_s)
        await self._runner.setup()
        server = self._runner.server
        # aiohttp's own list of connections fills only when the event loop gets round to each
        # one: count from acceptance (_protocol) to the connection's end, here
        forget = server.connection_lost

        def connection_lost(handler, exc=None):
            self.open -= 1
            forget(handler, exc)

        server.connection_lost = connection_lost
        self._server = await self._loop.create_server(self._protocol, sock=self.sock)

    def _protocol(self):
        """A connection past the limit gets a protocol that closes it at once."""
        if self.open >= self.max_connections:
            self.refused_connections += 1
            return _CloseAtOnce()
        self.open += 1
        return self._runner.server()

    async def _handle(self, request):
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405, text="read-only: GET a ticket page", headers={"Allow": "GET, HEAD"})
        code, data, kind = await self._loop.run_in_executor(self._pages, self.reply, request.path_qs)
        return web.Response(status=code, body=data, headers={"Content-Type": kind})

    async def _close(self):
        if self._server is not None:
            self._server.close()
        if self._runner is not None:
            await self._runner.cleanup()


class _CloseAtOnce(asyncio.Protocol):
    def connection_made(self, transport):
        transport.abort()
