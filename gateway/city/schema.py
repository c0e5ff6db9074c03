"""The city's PostgreSQL tables. One row per (hall, log position): the primary key is what
makes "exactly once" hold even if two shippers of one hall ever ran at once.

city_events: every event of every hall, as the hall's log holds it (body is the event JSON).
city_halls:  per hall, the log position replicated so far and when it last advanced; the
             shipper locks this row for each batch, so batches of one hall never interleave.
"""
SCHEMA = """
CREATE TABLE IF NOT EXISTS city_halls (
    hall        text PRIMARY KEY,
    position    bigint NOT NULL DEFAULT 0,
    shipped_at  double precision
);
CREATE TABLE IF NOT EXISTS city_events (
    hall  text NOT NULL,
    pos   bigint NOT NULL,
    type  text NOT NULL,
    at    double precision NOT NULL,
    body  jsonb NOT NULL,
    PRIMARY KEY (hall, pos)
);
CREATE INDEX IF NOT EXISTS city_events_type_at ON city_events (type, at);
"""


def ensure(conn):
    """Create the tables if missing (idempotent; safe for several halls starting at once)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(7150715)")   # CREATE IF NOT EXISTS races otherwise
        conn.execute(SCHEMA)
