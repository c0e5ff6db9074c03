"""Server-Sent Events for the live pages: one fragment of HTML, rebuilt when the hall may have
changed and pushed to every open page only when it differs from the last one sent.

"May have changed": at once after a console action (console.changed); when the page's
signature() changes, looked at every POLL_S on the event loop (a device's key press reaches
the state on the gateway's worker thread: the signature is a few numbers, e.g. events folded
and devices' presence, read only if the gateway's lock is free at that instant, so the loop
never waits for it); and every REFRESH_S regardless (minutes waited move on by themselves).
A browser's EventSource reconnects by itself; a page that went away is dropped at the next
push or heartbeat.
"""
import time
import asyncio
import logging

from aiohttp import web

log = logging.getLogger("hallmesh.gateway")
POLL_S = 0.05             # how often the signature is looked at: a device's event waits at most this
REFRESH_S = 5.0           # rebuilt at least this often while a page is open (the minutes go on)
HEARTBEAT_S = 15.0        # a comment line, so proxies keep the stream and dead pages are found
MAX_PAGES = 64            # open live pages at once; one more is told to retry later


class LiveFeed:
    def __init__(self, console, build, name="live", signature=None):
        """build() -> str, blocking (it takes the gateway's lock): the fragment to show;
        signature() -> a value that changes when the fragment may, or None when it cannot be
        read without waiting (never blocking: it runs on the event loop)."""
        self.console, self.build, self.name = console, build, name
        self.signature = signature or (lambda: None)
        self._signed = None
        self._built_at = 0.0
        self.pages = set()             # asyncio.Queue per open page, holding the newest fragment
        self.latest = None
        self.pushes = 0
        self.closing = False
        console.feeds.append(self)

    def close(self):
        """The server stops: every open stream ends now (not at its next heartbeat)."""
        self.closing = True
        for queue in list(self.pages):
            _replace(queue, None)

    async def run(self):
        """The feed's loop (a console background task): rebuild, compare, push."""
        while True:
            try:
                await asyncio.wait_for(self.console.changed.wait(), POLL_S)
            except asyncio.TimeoutError:
                pass
            asked = self.console.changed.is_set()
            self.console.changed.clear()
            if not self.pages:
                self.latest = None       # nobody watches: the next page starts from a fresh one
                continue
            signed = self.signature()
            moved = signed is not None and signed != self._signed
            if not (asked or moved or time.monotonic() - self._built_at >= REFRESH_S):
                continue
            self._signed = signed if signed is not None else self._signed
            self._built_at = time.monotonic()
            try:
                fragment = await self.console.run(self.build)
            except Exception:  # noqa: BLE001 - a page bug must not end the feed
                log.exception("console: the %s page could not be built", self.name)
                continue
            if fragment != self.latest:
                self.latest = fragment
                self.pushes += 1
                for queue in list(self.pages):
                    _replace(queue, fragment)

    async def stream(self, request):
        """GET handler: text/event-stream of fragments, the current one first."""
        if self.closing or len(self.pages) >= MAX_PAGES:
            raise web.HTTPServiceUnavailable(text="too many live pages open", headers={"Retry-After": "10"})
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                               "X-Accel-Buffering": "no"})
        await response.prepare(request)
        queue = asyncio.Queue(maxsize=1)
        if self.latest is None:          # the first page: the loop compares with this one
            self.latest = await self.console.run(self.build)
        _replace(queue, self.latest)
        self.pages.add(queue)            # only now: the loop pushes nothing this page has
        try:
            while True:
                try:
                    fragment = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
                except asyncio.TimeoutError:
                    await response.write(b": still here\n\n")
                    continue
                if fragment is None:
                    break
                await response.write(frame(self.name, fragment))
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.pages.discard(queue)
        return response


def frame(event, text):
    """One SSE message: every line of `text` as a data line (a fragment has many)."""
    lines = "".join("data: %s\n" % line for line in text.split("\n"))
    return ("event: %s\n%s\n" % (event, lines)).encode("utf-8")


def _replace(queue, fragment):
    """Only the newest fragment matters: a slow page skips the ones it had no time for."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(fragment)
