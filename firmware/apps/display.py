# Call display: a window's panel (the ticket being served; a new call blinks) or the hall
# panel (the latest call of each window, a page at a time) with a voice announcement of every
# call and recall. The gateway composes the text (view "lines", "say"); this app decides when
# to blink, page and speak.
import time

from apps.base import App
from drivers.panel import Panel, Speaker
from drivers.text import line_bytes

AWAY = {"t": "Service paused"}
PAGE_MS = 5000          # a hall page stays this long when there are more calls than rows
MS_PER_BYTE = 120       # how long the voice module takes per byte of text, roughly
SAY_GAP_MS = 800


class Display(App):
    def __init__(self, device):
        App.__init__(self, device)
        self.panel = Panel(device.board["panel"])
        spec = device.board.get("speaker")
        self.speaker = Speaker(spec) if spec else None
        self.away = device.cfg.get("away_text") or AWAY
        self.calls = None          # the window view's call counter last seen
        self.fresh = False         # the ticket shown came with a new call: it blinks
        self.said = {}             # window -> call counter already announced (or queued)
        self.to_say = []           # [window, text] waiting for the speaker, oldest first
        self.quiet_at = time.ticks_ms()
        self.page = 0
        self.page_at = time.ticks_ms()
        self.view = None
        self.shown_over = False

    def on_gateway(self, on):
        self._draw()

    def on_view(self, view):
        if view["kind"] == "window":
            calls = view.get("call")
            self.fresh = self.calls is not None and calls != self.calls
            self.calls = calls
        elif view["kind"] == "hall":
            if self._queue_calls(view.get("say") or []):
                self.page, self.page_at = 0, time.ticks_ms()     # a new call shows at once
            # keep only what the panel shows: the rest of a full hall view is most of 2 KB
            # of JSON, and the next view is decoded while this one is still held
            view = {"kind": "hall", "lines": view.get("lines"), "notice_line": view.get("notice_line")}
        self.view = view
        self._draw()

    def _draw(self):
        view = self.view
        usable = self.panel.rows - 1        # the bottom row is for notices and "paused"
        lines = self._lines(view, usable)
        for row in range(usable):
            line = lines[row] if row < len(lines) else None
            blink = self._blinks(view, row)
            self.panel.show(row, line_bytes(line) if line else b"", blink)
        self.panel.show(usable, self._bottom(view))

    def _bottom(self, view):
        """The notice row: "paused" while the gateway is away, else the hall's notice (the
        panel scrolls it when it is longer than a row)."""
        if not self.device.gateway_on:      # the view's "away" is in the hall's language
            return line_bytes((view or {}).get("away") or self.away)
        return line_bytes(view.get("notice_line")) if view else b""

    def _lines(self, view, usable):
        if view is None:
            return []
        if view["kind"] == "window":
            lines = (view.get("lines") or [])[:usable]
            if self._overrun(view):
                return lines[:2] + [view["over"]]
            return lines
        return self._hall_page(view.get("lines") or [], usable)

    def _overrun(self, view):
        """Past the service's time limit by the device's own (gateway-set) clock."""
        due = view.get("due")
        now_s = self.device.clock.now_ms() // 1000
        return bool(due and now_s and view.get("over") and now_s > due)

    def _blinks(self, view, row):
        if view is None:
            return False
        if view["kind"] == "window":
            return row == 1 and self.fresh and bool(view.get("ticket"))
        return row == 0 and self.page == 0          # the newest call

    def _hall_page(self, lines, usable):
        pages = (len(lines) + usable - 1) // usable or 1
        self.page %= pages
        start = self.page * usable
        return lines[start:start + usable]

    def _queue_calls(self, say):
        """Queue what is new (True if anything); rows come newest first, so the loop runs
        oldest first: windows are announced in the order they called, none is skipped."""
        new = False
        for i in range(len(say) - 1, -1, -1):
            phrase = say[i]
            window, count = phrase.get("w"), phrase.get("n")
            if self.said.get(window) != count:
                self.said[window] = count
                if self.view is not None:       # not the backlog a fresh boot finds retained
                    self._enqueue(window, line_bytes(phrase))
                    new = True
        return new

    def _enqueue(self, window, text):
        """At most one announcement per window waits: a newer call at the same window replaces
        the one not yet spoken (that citizen's turn has passed), so the queue stays bounded
        by the number of windows and keeps its order."""
        for item in self.to_say:
            if item[0] == window:
                item[1] = text
                return
        self.to_say.append([window, text])

    def tick(self):
        App.tick(self)
        now = time.ticks_ms()
        if self.view and self.view["kind"] == "window" and self._overrun(self.view) != self.shown_over:
            self.shown_over = not self.shown_over
            self._draw()
        if self.view and self.view["kind"] == "hall" and time.ticks_diff(now, self.page_at) > PAGE_MS:
            self.page += 1
            self.page_at = now
            self._draw()
        self.panel.tick()
        if self.to_say and self.speaker and time.ticks_diff(now, self.quiet_at) >= 0:
            text = self.to_say.pop(0)[1]
            self.speaker.say(text)
            self.quiet_at = time.ticks_add(now, len(text) * MS_PER_BYTE + SAY_GAP_MS)
