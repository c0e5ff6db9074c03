# What every app has: its keys and LEDs from the board file, and quiet defaults for the
# events it does not care about.
from drivers.leds import Leds
from runtime.keys import Keys


class App:
    def __init__(self, device, keys=True):
        self.device = device
        board = device.board
        self.keys = Keys(board.get("keys", {}) if keys else {}, board.get("key_active", 0),
                         external=board.get("external_pull") or ())
        self.leds = Leds(board.get("leds", {}))
        self.online = False

    def on_link(self, up):
        self.online = up

    def on_gateway(self, on):
        pass

    def on_key(self, name):
        pass

    def on_ack(self, event, ack):
        pass

    def on_view(self, view):
        pass

    def on_lease(self, svc, lease):
        pass

    def on_command(self, cmd):
        pass

    def tick(self):
        # steady status LED = in service; a blink (identify, error) takes precedence
        if "status" not in self.leds.blink_until:
            self.leds.set("status", self.online and self.device.gateway_on)
        self.leds.tick()
