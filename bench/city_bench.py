"""The city (gateway/city/): replication throughput and the district's quarterly ranking,
both on a real PostgreSQL started for the run (sim/postgres.py, a private unix socket).

Replication: the synthetic year's log shipped by the Replicator (a transaction per batch that
locks the hall's row, COPYs the batch, advances the position), beside a plain COPY of the same
rows into a table with no key, no index and no position, in one transaction: the floor.

Ranking: the year copied under more and more hall ids (server-side INSERT ... SELECT), then
every window and staff member of every hall ranked per quarter (city_figures + ranking text),
beside the plain SQL aggregate: finished tickets, counted and satisfied ratings per hall and
window per quarter straight from the events (no per-ticket attribution)."""
import datetime
import time

from bench.stats import best_of, row
from bench.year_ranking import quarters
from gateway import config

PLAIN_COPY_TABLE = "CREATE TABLE plain_copy (hall text, pos bigint, type text, at float8, body jsonb)"
PLAIN_AGGREGATE = """
SELECT e.hall, q.label, (e.body->>'window')::int,
       COUNT(*) FILTER (WHERE e.type = 'ticket_finished'),
       COUNT(*) FILTER (WHERE e.type = 'rating_counted'),
       COUNT(*) FILTER (WHERE e.type = 'rating_counted' AND (e.body->>'level')::int >= %(good)s)
FROM city_events e
JOIN unnest(%(labels)s::text[], %(starts)s::float8[], %(ends)s::float8[]) AS q(label, q_start, q_end)
  ON e.at >= q.q_start AND e.at < q.q_end
WHERE e.type IN ('ticket_finished', 'rating_counted')
GROUP BY e.hall, q.label, (e.body->>'window')::int
"""


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def _ship(db_path, dsn, hall_id, events):
    from gateway.city.replicate import Replicator
    shipper = Replicator(db_path, dsn, hall_id=hall_id, idle_poll_s=0.01)
    shipper.start()
    try:
        if not shipper.wait_for(events, 1800):
            raise RuntimeError("replication did not finish: %r" % shipper.figures())
    finally:
        shipper.stop()


def _plain_copy(db_path, conn):
    import sqlite3
    source = sqlite3.connect(db_path)
    try:
        with conn.transaction():
            conn.execute(PLAIN_COPY_TABLE)
            with conn.cursor().copy("COPY plain_copy FROM STDIN") as copy:
                for seq, kind, at, body in source.execute("SELECT seq, type, at, body FROM events ORDER BY seq"):
                    copy.write_row(("plain", seq, kind, at, body))
    finally:
        source.close()


def city(ctx):
    import psycopg
    from gateway.city.reports import city_figures, ranking_text
    from gateway.city.figures_sql import period_params
    from sim.postgres import Postgres
    db_path, summary = ctx.history()
    hall = config.load(ctx.hall_file)
    events = summary["events"]
    out = []
    with Postgres() as pg, psycopg.connect(pg.dsn, autocommit=True) as conn:
        ship_s, _ = _timed(_ship, db_path, pg.dsn, "h000", events)
        copy_s, _ = _timed(_plain_copy, db_path, conn)
        out.append(row("city replication of a hall log (%d days)" % summary["days"], events / ship_s, "events/s", baseline=events / copy_s,
                       baseline_name="one plain COPY of the same rows, no key or position",
                       limit="a transaction per 2,000-event batch (row lock, COPY into the keyed table, "
                             "position update, commit); reading and re-encoding each row from SQLite",
                       note="%d events in %.1f s (plain COPY %.1f s)" % (events, ship_s, copy_s)))
        conn.execute("VACUUM ANALYZE city_events")
        first, last = (datetime.date.fromisoformat(summary[k]) for k in ("first", "last"))
        periods = quarters(hall, first, last)
        params = dict(period_params(periods, hall.rules.satisfied_from), good=hall.rules.satisfied_from)
        halls = 1
        for target in ctx.size.get("city_halls", (1, 4, 10)):
            for n in range(halls, target):          # copies of the year under new hall ids
                conn.execute("INSERT INTO city_events SELECT %s, pos, type, at, body FROM city_events "
                             "WHERE hall = 'h000'", ("h%03d" % n,))
            halls = target
            conn.execute("ANALYZE city_events")
            runs, plain = [], []
            for _ in range(ctx.size["repeats"]):
                seconds, figures = _timed(lambda: ranking_text(hall, periods, city_figures(conn, hall, periods)))
                runs.append(seconds)
                plain.append(_timed(lambda: conn.execute(PLAIN_AGGREGATE, params).fetchall())[0])
            out.append(row("city quarterly ranking, %d hall(s) x %d days" % (halls, summary["days"]), best_of(runs), "s",
                           baseline=best_of(plain), baseline_name="plain SQL aggregate per hall, window, quarter",
                           limit="per-ticket attribution (DISTINCT ON the last move and rating of each ticket: "
                                 "sorts), GROUPING SETS; grows linearly with events",
                           note="%d events, %d quarters; best of %d" % (halls * events, len(periods),
                                                                        ctx.size["repeats"])))
    return out
