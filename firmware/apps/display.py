# Call display: a window's panel (the ticket being served; a new call blinks) or the hall
# panel (the latest call of each window) with the voice announcement of each call.
from apps.base import App
from drivers.panel import Panel, Speaker

PAUSED_TEXT = "Service paused"


class Display(App):
    def __init__(self, device):
        App.__init__(self, device)
        self.panel = Panel(device.board["panel"])
        spec = device.board.get("speaker")
        self.speaker = Speaker(spec) if spec else None
        self.calls = None          # the window view's call counter last shown
        self.announced = {}        # hall rows already announced: window -> ticket
        self.view = None

    def on_gateway(self, on):
        self.panel.show(self.panel.rows - 1, "" if on else PAUSED_TEXT)
        if on and self.view:
            self.on_view(self.view)

    def on_view(self, view):
        self.view = view
        if view["kind"] == "window":
            self._window(view)
        elif view["kind"] == "hall":
            self._hall(view)

    def _window(self, view):
        state, ticket = view.get("state", "idle"), view.get("ticket", "")
        fresh = self.calls is not None and view.get("call") != self.calls
        self.calls = view.get("call")
        self.panel.show(0, "Window " + str(view.get("win", "")))
        if state == "paused":
            self.panel.show(1, "Paused")
        else:
            self.panel.show(1, ticket or "-", fresh and bool(ticket))
        if view.get("over"):
            self.panel.show(2, "Over time")

    def _hall(self, view):
        rows = view.get("rows", [])
        usable = self.panel.rows - 1        # the last row is for notices
        for i in range(usable):
            if i < len(rows):
                ticket, window = rows[i][0], rows[i][1]
                self.panel.show(i, ticket + " -> window " + str(window), i == 0)
            else:
                self.panel.show(i, "")
        self.panel.show(self.panel.rows - 1, view.get("notice", "") if self.device.gateway_on else PAUSED_TEXT)
        self._announce(rows)

    def _announce(self, rows):
        for row in rows:
            ticket, window = row[0], row[1]
            if self.announced.get(window) != ticket and self.speaker:
                self.speaker.say("Ticket " + ticket + ", please go to window " + str(window))
            self.announced[window] = ticket
