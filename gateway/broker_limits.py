"""The Mosquitto settings every broker config the project writes or starts shares: limits that
keep one client from exhausting the broker, queues large enough that a burst loses nothing,
persistence, and Nagle off.

Why these numbers:
- max_packet_size: the protocol's largest message is 2,048 bytes (protocol/codec.py) plus
  its topic; 16 KiB leaves room and refuses a 64 MB publish at the broker, which then
  drops that client's connection, before any of it reaches the gateway.
- max_queued_messages: Mosquitto's default of 1,000 per client silently drops QoS 1
  messages for a subscriber that falls behind in a burst (the gateway after a restart,
  while a whole hall resends its outboxes). 100,000 messages of at most 16 KiB, with
  max_queued_bytes as a second bound on the broker's memory for one client.
- max_inflight_messages: QoS 1 messages sent to one client before it acknowledges;
  more wait in its queue (above), none are dropped.
- persistence: retained views and births and the gateway's session survive a broker
  restart, so devices show the right thing at once and nothing queued is forgotten.
- set_tcp_nodelay: without it every ack waits on TCP's Nagle algorithm (88 ms per ticket
  measured, 1.25 ms without).
"""
MAX_PACKET_BYTES = 16384
MAX_QUEUED_MESSAGES = 100000
MAX_QUEUED_BYTES = 256 * 1024 * 1024
MAX_INFLIGHT_MESSAGES = 100


def mosquitto_lines(persistence_dir):
    """Config lines (global options, valid anywhere in mosquitto.conf) with the limits above;
    persistence_dir is where Mosquitto keeps mosquitto.db (it must be able to write there)."""
    location = persistence_dir.rstrip("/") + "/"
    return ["# limits and settings every hallmesh broker shares (gateway/broker_limits.py)",
            "max_packet_size %d" % MAX_PACKET_BYTES,
            "max_queued_messages %d" % MAX_QUEUED_MESSAGES,
            "max_queued_bytes %d" % MAX_QUEUED_BYTES,
            "max_inflight_messages %d" % MAX_INFLIGHT_MESSAGES,
            "set_tcp_nodelay true",
            "persistence true",
            "persistence_location %s" % location]
