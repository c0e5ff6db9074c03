# Events waiting for the gateway's acknowledgement, kept in flash so that a press survives a
# lost link and a power cut. Each change writes a new file and renames it over the old one:
# a rename is atomic on the board's filesystem, so a cut mid-write leaves the old list whole.
import json
import os


class OutboxFull(Exception):
    pass


class Outbox:
    def __init__(self, path, limit=24):
        self.path = path
        self.limit = limit
        self.items = self._load()

    def _load(self):
        for path in (self.path, self.path + ".new"):
            try:
                with open(path) as f:
                    items = json.load(f)
                if isinstance(items, list):
                    return items
            except (OSError, ValueError):
                pass
        return []

    def _save(self):
        tmp = self.path + ".new"
        with open(tmp, "w") as f:
            json.dump(self.items, f)
        os.rename(tmp, self.path)

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
