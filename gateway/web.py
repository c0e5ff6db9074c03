"""A small HTTP server beside the gateway for the ticket status page (the QR code on each
ticket): GET /t/<hall>/<day>/<no>. Read-only; it holds the gateway's lock only while it
reads the state, and a bad request gets a plain 404 naming what was not found."""
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gateway import status_page

log = logging.getLogger("hallmesh.gateway")
ROUTE = re.compile(r"^/t/([a-z0-9_-]{1,32})/(\d{4}-\d{2}-\d{2})/([A-Z][0-9]{3,4})/?$")


class StatusServer:
    def __init__(self, gateway, host="0.0.0.0", port=8080):
        self.gateway = gateway
        self.httpd = ThreadingHTTPServer((host, port), self._handler())
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="hallmesh-web", daemon=True)

    def start(self):
        self.thread.start()
        log.info("ticket status pages on http://%s:%d/t/%s/<day>/<ticket>", self.httpd.server_address[0],
                 self.port, self.gateway.hall.id)
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def page(self, path):
        """(HTTP status, HTML or text) for a request path."""
        match = ROUTE.match(path.split("?", 1)[0])
        if not match:
            return 404, "not a ticket page: use /t/<hall>/<YYYY-MM-DD>/<ticket>, e.g. /t/%s/2026-11-23/A001" \
                % self.gateway.hall.id
        hall_id, day, no = match.groups()
        if hall_id != self.gateway.hall.id:
            return 404, "this is the gateway of hall %s, not %s" % (self.gateway.hall.id, hall_id)
        with self.gateway.lock:          # an index lookup: the lock is held for microseconds
            status = status_page.ticket_status(self.gateway.state, day, no)
            today = self.gateway.state.day
        if status["state"] == "unknown" and day != today:
            # an earlier day: the store's index finds it, outside the gateway's lock
            status = status_page.earlier(self.gateway.hall, day, no, self.gateway.store.find_ticket(day, no))
        code = 404 if status["state"] == "unknown" else 200
        return code, status_page.render(self.gateway.hall, status)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                code, body = server.page(self.path)
                data = body.encode("utf-8")
                self.send_response(code)
                kind = "text/html" if body.startswith("<!doctype") else "text/plain"
                self.send_header("Content-Type", kind + "; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, fmt, *args):      # requests are not worth the gateway's log
                pass
        return Handler
