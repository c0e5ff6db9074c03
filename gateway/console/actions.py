"""What the console does to the hall: an engine command run as the pads' staff keys run
theirs, and the audit events of sign-ins and account changes. Blocking (the gateway's lock,
the store's fsync): page handlers call these through console.run(), off the event loop.

A command is decided on the gateway's state under the gateway's lock, its events and a
console_action audit event naming the actor are stored in one append, applied, and the
devices' views published, exactly as after a device's key press; a refusal is stored as an
audit event too (someone tried), and told in the hall's language (gateway/wording.py).
"""
import logging
from dataclasses import dataclass, field

from gateway import wording
from gateway.engine import Refused, audit, decide

log = logging.getLogger("hallmesh.gateway")


@dataclass
class Outcome:
    ok: bool
    text: str = ""                       # the refusal in the hall's language; "" when done
    events: list = field(default_factory=list)   # the engine's events (the audit event left out)


class Actions:
    def __init__(self, gateway, on_change=None):
        self.gateway = gateway
        self.language = gateway.hall.language
        self.on_change = on_change or (lambda: None)   # the live pages are told at once

    def execute(self, command, actor):
        """Run an engine command (gateway/engine/commands.py) for `actor` (an account name)."""
        gw = self.gateway
        with gw.lock:
            service = gw.service
            now = gw.clock()
            try:
                events, refused = decide(service.state, command, now), ""
            except Refused as exc:
                events, refused = [], str(exc)
            except (KeyError, TypeError, ValueError) as exc:   # a malformed command: a page's bug
                events, refused = [], "malformed command %r: %s" % (command.get("type"), exc)
            trail = audit.event(audit.ACTION, actor, now, command=command, ok=not refused, refused=refused)
            stored = service.commit_own(events + [trail])
            if not stored:
                return Outcome(False, self.say_refusal("the store refused the change: nothing was done"))
            service.after_events(stored)
            service.refresh_views()
        self.on_change()
        if refused:
            log.info("console: %s by %s refused: %s", command.get("type"), actor, refused)
            return Outcome(False, self.say_refusal(refused))
        return Outcome(True, "", events)

    def record(self, kind, actor, **detail):
        """Store an audit event (sign-in, sign-out, account change); False if the store refused."""
        gw = self.gateway
        with gw.lock:
            stored = gw.service.commit_own([audit.event(kind, actor, gw.clock(), **detail)])
        return bool(stored)

    def say_refusal(self, text):
        return wording.refusal(self.language, text)
