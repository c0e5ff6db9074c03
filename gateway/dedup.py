"""Event identity at the gateway: which body an id was first seen with, and how long that is
remembered (docs/protocol.md, "Event ids and exactly-once").

A dedup record is (device, event id, body digest) -> the ack sent. A resend (same id, same
body) gets that very ack. The same id with another body is a different event -- a device
reflashed with an old firmware, two boards enrolled under one device id -- so it is applied
as new, logged and counted as `id_reused`, and gets an ack of its own: it is never answered
with another event's ack.

Records are kept HORIZON_S after the id was last heard, then pruned, so the table stays
bounded. An event whose press time is older than the horizon is refused without effect: its
record may be gone, so applying it could apply a resend twice.
"""
import hashlib
import json

DAY_S = 86400
HORIZON_S = 30 * DAY_S            # exactly-once holds for events pressed this recently
KEEP_S = HORIZON_S + DAY_S        # records outlive the horizon by a day: device clocks run ahead
PRUNE_EVERY_S = 3600
CLOCK_FLOOR_S = 1577836800        # 2020-01-01: an earlier press time is a clock never set
DIGEST_CHARS = 16                 # 64 bits of SHA-256: two bodies of one id never mix up
LEGACY = ""                       # records written before digests: they match any body
TOO_OLD = "event older than the %d-day dedup horizon: not applied" % (HORIZON_S // DAY_S)


def digest(msg):
    """The body of an event, independent of key order and of the protocol version field."""
    body = {k: v for k, v in msg.items() if k != "v"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def too_old(msg, now_s):
    """True when the event's press time is known and older than the horizon."""
    at_s = msg.get("at", 0) / 1000.0
    return CLOCK_FLOOR_S <= at_s < now_s - HORIZON_S


def answer(records, body_digest):
    """The ack already sent for this body of the id, or None. `records`: {digest: ack}."""
    if body_digest in records:
        return records[body_digest]
    return records.get(LEGACY)
