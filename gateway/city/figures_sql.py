"""Window and staff figures of every hall per period, computed inside PostgreSQL from the
replicated events, with the attribution rules of the hall's own report (gateway/reports/
records.py, periodic.py): a ticket counts in the period it was issued in, for the window and
staff member of its last call, finish or skip; served = its last move is a finish; a rating
counts when the ticket was served (the last rating_counted of it); misuse = flagged presses
in the period, by the window pressed at; cases = opened in the period, with their last status.

One statement does the scan for all periods and both groupings (GROUPING SETS), so a year of
a city is read once, not once per quarter and per grouping."""

FIGURES = """
WITH q AS (
    SELECT * FROM unnest(%(labels)s::text[], %(starts)s::float8[], %(ends)s::float8[]) AS q(label, q_start, q_end)
), issued AS (
    SELECT e.hall, (e.body->>'tid')::bigint AS tid, q.label
    FROM city_events e JOIN q ON e.at >= q.q_start AND e.at < q.q_end
    WHERE e.type = 'ticket_issued'
), last_move AS (
    SELECT DISTINCT ON (hall, tid) hall, (body->>'tid')::bigint AS tid, type, body
    FROM city_events
    WHERE type IN ('ticket_called', 'ticket_finished', 'ticket_skipped', 'ticket_transferred')
      AND at >= %(scan_from)s AND at < %(scan_to)s
    ORDER BY hall, (body->>'tid')::bigint, pos DESC
), last_placed AS (           -- the window and staff of the last call, finish or skip
    SELECT DISTINCT ON (hall, tid) hall, (body->>'tid')::bigint AS tid,
           (body->>'window')::int AS win, COALESCE(NULLIF(body->>'staff', ''), '-') AS staff
    FROM city_events
    WHERE type IN ('ticket_called', 'ticket_finished', 'ticket_skipped')
      AND at >= %(scan_from)s AND at < %(scan_to)s
    ORDER BY hall, (body->>'tid')::bigint, pos DESC
), rated AS (
    SELECT DISTINCT ON (hall, tid) hall, (body->>'tid')::bigint AS tid, (body->>'level')::int AS level
    FROM city_events
    WHERE type = 'rating_counted' AND at >= %(scan_from)s AND at < %(scan_to)s
    ORDER BY hall, (body->>'tid')::bigint, pos DESC
), tickets AS (
    SELECT i.hall, i.label, p.win, p.staff,
           (m.type = 'ticket_finished') AS served,
           (m.type = 'ticket_skipped' AND NOT COALESCE((m.body->>'rejoin')::boolean, false)) AS no_show,
           (m.type = 'ticket_finished' AND COALESCE((m.body->>'on_time')::boolean,
                (m.body->>'limit_s') IS NULL OR (m.body->>'served_s')::float8 <= (m.body->>'limit_s')::float8))
               AS on_time,
           CASE WHEN m.type = 'ticket_finished' THEN r.level END AS level
    FROM issued i
    JOIN last_placed p USING (hall, tid)
    JOIN last_move m USING (hall, tid)
    LEFT JOIN rated r USING (hall, tid)
), flagged AS (
    SELECT e.hall, q.label, (e.body->>'window')::int AS win, COALESCE(NULLIF(e.body->>'staff', ''), '-') AS staff
    FROM city_events e JOIN q ON e.at >= q.q_start AND e.at < q.q_end
    WHERE e.type = 'rating_flagged'
), facts AS (
    SELECT hall, label, win, staff, served, no_show, on_time, level, false AS misuse FROM tickets
    UNION ALL
    SELECT hall, label, win, staff, false, false, false, NULL, true FROM flagged
)
SELECT hall, label, win, staff, GROUPING(win) AS by_staff,
       COUNT(*) FILTER (WHERE served) AS served,
       COUNT(*) FILTER (WHERE no_show) AS no_show,
       COUNT(*) FILTER (WHERE on_time) AS on_time,
       COUNT(level) AS counted,
       COUNT(*) FILTER (WHERE level >= %(satisfied_from)s) AS satisfied,
       COUNT(*) FILTER (WHERE misuse) AS misuse
FROM facts
GROUP BY GROUPING SETS ((hall, label, win), (hall, label, staff))
"""

# cases opened in the periods, each with its last status (the overdue rule needs the hall's
# working-day calendar: it is applied in Python, to these few rows)
CASES = """
WITH q AS (
    SELECT * FROM unnest(%(labels)s::text[], %(starts)s::float8[], %(ends)s::float8[]) AS q(label, q_start, q_end)
), opened AS (
    SELECT e.hall, q.label, e.body->>'case' AS case_id, (e.body->>'window')::int AS win,
           COALESCE(NULLIF(e.body->>'staff', ''), '-') AS staff, e.body->>'svc' AS svc, e.at AS opened_at
    FROM city_events e JOIN q ON e.at >= q.q_start AND e.at < q.q_end
    WHERE e.type = 'case_opened'
), last_status AS (
    SELECT DISTINCT ON (hall, body->>'case') hall, body->>'case' AS case_id, body->>'status' AS status
    FROM city_events WHERE type = 'case_updated' AND at >= %(scan_from)s
    ORDER BY hall, body->>'case', pos DESC
), ever_called_back AS (
    SELECT DISTINCT hall, body->>'case' AS case_id FROM city_events
    WHERE type = 'case_updated' AND body->>'status' = 'called_back' AND at >= %(scan_from)s
)
SELECT o.hall, o.label, o.win, o.staff, o.svc, o.opened_at, COALESCE(s.status, 'open') AS status,
       c.case_id IS NOT NULL AS called_back
FROM opened o
LEFT JOIN last_status s USING (hall, case_id)
LEFT JOIN ever_called_back c USING (hall, case_id)
"""


def period_params(periods, satisfied_from, margin_s=86400 + 3600):
    """The query parameters for these periods (gateway.reports.period.Period). A ticket's
    events all fall within its hall day, so the scan reaches a day past the periods' ends."""
    return {"labels": [p.label for p in periods], "starts": [p.start for p in periods],
            "ends": [p.end for p in periods], "satisfied_from": satisfied_from,
            "scan_from": min(p.start for p in periods), "scan_to": max(p.end for p in periods) + margin_s}
