"""The pure queue engine: no MQTT, SQL, clock or other I/O. See core.py for the shape."""
from gateway.engine import commands
from gateway.engine.core import apply, decide, execute, fold
from gateway.engine.ratings import FLAG_REASONS, rating_open
from gateway.engine.state import Refused, State, Ticket, new_state

__all__ = ["apply", "commands", "decide", "execute", "fold", "new_state", "rating_open",
           "FLAG_REASONS", "Refused", "State", "Ticket"]
