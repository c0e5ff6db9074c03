# Events waiting for the gateway's acknowledgement, kept in flash (runtime/flashfile.py: a
# cut mid-write leaves the old list whole) so that a press survives a lost link and a power cut.
from runtime import flashfile


class OutboxFull(Exception):
    pass


class Outbox:
    def __init__(self, path, limit=24):
        self.path = path
        self.limit = limit
        self.items = self._load()

    def _load(self):
        return flashfile.load(self.path, list, [])

    def _save(self):
        flashfile.save(self.path, self.items)

    def add(self, event):
        """Keep an event until it is acknowledged. A full outbox refuses new events rather
        than drop old ones: an accepted press is never thrown away."""
        if len(self.items) >= self.limit:
            raise OutboxFull("outbox holds " + str(self.limit) + " unacknowledged events")
        self.items.append(event)
        self._save()

    def take(self, event_id):
        """Remove and return the event with this id (None if it is not here)."""
        for i in range(len(self.items)):
            if self.items[i]["id"] == event_id:
                event = self.items.pop(i)
                self._save()
                return event
        return None

    def __len__(self):
        return len(self.items)
