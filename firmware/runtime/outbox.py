# Events waiting for the gateway's acknowledgement, kept in flash (runtime/flashfile.py: a
# cut mid-write leaves the old list whole) so that a press survives a lost link and a power cut.
#
# Flash wears with every write, so the file is written only when something new must survive
# a reset: a press, a rating, a status. Everything else changes the list in RAM and reaches
# flash with the next such write: an ack removing an event, and a report added `later` (a
# print outcome). So an online ticket costs one write (its press) and a rating one. What may
# therefore be found in flash after a reset is an event already acknowledged; it is sent
# again and the gateway answers it as before (docs/technician.md, "Outbox").
from runtime import flashfile


class OutboxFull(Exception):
    pass


class Outbox:
    def __init__(self, path, limit=24):
        self.path = path
        self.limit = limit
        self.items = self._load()
        self.stale = False                # RAM differs from flash (written with the next add)
        self.writes = 0                   # flash writes since boot

    def _load(self):
        return flashfile.load(self.path, list, [])

    def _save(self):
        flashfile.save(self.path, self.items)
        self.writes += 1
        self.stale = False

    def add(self, event, later=False):
        """Keep an event until it is acknowledged: in flash now, or with `later` at the next
        write. A full outbox refuses new events rather than drop old ones: an accepted press
        is never thrown away."""
        if len(self.items) >= self.limit:
            raise OutboxFull("outbox holds " + str(self.limit) + " unacknowledged events")
        self.items.append(event)
        if later:
            self.stale = True
        else:
            self._save()

    def take(self, event_id):
        """Remove and return the event with this id (None if it is not here); flash follows
        at the next write."""
        for i in range(len(self.items)):
            if self.items[i]["id"] == event_id:
                self.stale = True
                return self.items.pop(i)
        return None

    def flush(self):
        """Write what RAM knows, if flash is behind (e.g. before a planned reboot)."""
        if self.stale:
            self._save()

    def __len__(self):
        return len(self.items)
