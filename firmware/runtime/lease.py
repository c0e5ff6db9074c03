# The numbers the gateway leased this printer for issuing while it cannot reach the gateway
# (docs/protocol.md, "Offline issuing"): per service one block of one hall day, and how many
# of it are spent. A number is spent in flash BEFORE its ticket is printed, by a new file
# renamed over the old (atomic, as the outbox): a power cut may waste a number, never print
# one twice. The key map is kept too, so a key still means its service after a reboot.
# The texts of an offline ticket (hall, service names, notice, in the hall's language) come
# with each lease and are kept per service in a flash file of their own (offline-A.json),
# read only to print one: they take no RAM, and are written only when they change.
from runtime import flashfile

TEXTS = ("hall", "name", "offline", "issued")   # of an offline ticket (apps/offline_ticket.py)


def _whole(entry):
    """A lease as the view gives it, or None when a field is missing or of the wrong type."""
    if not isinstance(entry, dict):
        return None
    for name in ("first", "count", "from", "until"):
        value = entry.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return None
    for name in ("day", "prefix"):
        if not isinstance(entry.get(name), str) or not entry[name]:
            return None
    used = entry.get("used", 0)
    tz = entry.get("tz", 0)
    if not isinstance(used, int) or not isinstance(tz, int):
        return None
    return {"day": entry["day"], "first": entry["first"], "count": entry["count"], "prefix": entry["prefix"],
            "from": entry["from"], "until": entry["until"], "used": used, "tz": tz}


class Leases:
    def __init__(self, path, texts_prefix):
        self.path = path
        self.texts_prefix = texts_prefix          # + "A.json": service A's offline texts
        saved = self._load()
        self.keys = saved.get("keys") or {}     # key name -> "A" or "green:A", from the view
        self.held = saved.get("lease") or {}    # service -> lease, "used" counted here

    def _load(self):
        return flashfile.load(self.path, dict, {})

    def _save(self):
        flashfile.save(self.path, {"keys": self.keys, "lease": self.held})

    def update(self, keys, offered):
        """Take the key map of a printer view, and leases (from the view or a lease message,
        with the texts of their offline tickets). The block held already keeps the higher used
        count (flash or the gateway's); a new block replaces a spent or old one. Flash is
        written only when something changed."""
        changed = isinstance(keys, dict) and keys != self.keys
        if changed:
            self.keys = keys
        for svc in offered if isinstance(offered, dict) else ():
            new = _whole(offered[svc])
            if new is None:
                continue
            self._keep_texts(svc, offered[svc].get("print"))
            old = self.held.get(svc)
            if old is not None and old["day"] == new["day"] and old["first"] == new["first"]:
                if new["used"] <= old["used"]:
                    continue
            self.held[svc] = new
            changed = True
        if changed:
            self._save()

    def _keep_texts(self, svc, texts):
        """Keep a lease's offline ticket texts (hall, name, offline, issued) in the service's
        flash file; written only when they changed."""
        if not isinstance(texts, dict) or not svc.isalpha():
            return
        path = self.texts_prefix + svc + ".json"
        kept = flashfile.load(path, dict, {})
        changed = False
        for name in TEXTS:
            line = texts.get(name)
            if isinstance(line, dict) and line != kept.get(name):
                kept[name] = line
                changed = True
        if changed:
            flashfile.save(path, kept)

    def service(self, key):
        """(service, green) of a key, or None when the key is not mapped."""
        value = self.keys.get(key)
        if not isinstance(value, str) or not value:
            return None
        if value.startswith("green:"):
            return value[6:], True
        return value, False

    def left(self, svc, now_s):
        """Numbers still to issue from the service's block at `now_s` (s since the epoch; 0 =
        the time is unknown): none when the block is of another day by the clock."""
        lease = self.held.get(svc)
        if lease is None or now_s <= 0 or not lease["from"] <= now_s < lease["until"]:
            return 0
        return max(0, lease["count"] - lease["used"])

    def take(self, svc, now_s):
        """Spend the service's next number in flash and return it ("A991"), or None."""
        if not self.left(svc, now_s):
            return None
        lease = self.held[svc]
        number = lease["first"] + lease["used"]
        lease["used"] += 1
        self._save()
        return "%s%03d" % (lease["prefix"], number)

    def local_time(self, svc, now_s):
        """b'2026-11-23 09:05' at the hall: the lease's day and the hall's offset it carries."""
        lease = self.held[svc]
        local = (now_s + lease["tz"]) % 86400
        return ("%s %02d:%02d" % (lease["day"], local // 3600, local // 60 % 60)).encode()
