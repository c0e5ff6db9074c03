"""Every counted rating of every hall, for upward reporting to a provincial good/bad review
(好差评) system, in a documented layout (docs/city.md):

CSV, UTF-8, one header row, one rating a row, columns in this order:
  hall      the hall id
  tid       the ticket's number in the hall's log (unique within the hall)
  ticket    the number printed on the ticket (A012)
  service   the service code the ticket was in when rated
  window    the window number rated at
  staff     the staff id serving it ('' when none signed in)
  level     the rating, 1 (worst) .. the hall's rating levels
  rated_at  when it was rated, UTC, ISO 8601 with a Z (2026-11-02T01:23:45Z)
JSON: {"ratings": [ {the same keys}, ... ]}, the same order (hall, then rated_at).
"""
import csv
import datetime
import io
import json

CSV_COLUMNS = ("hall", "tid", "ticket", "service", "window", "staff", "level", "rated_at")

QUERY = """
SELECT hall, (body->>'tid')::bigint, body->>'no', body->>'svc', (body->>'window')::int,
       COALESCE(body->>'staff', ''), (body->>'level')::int, at
FROM city_events
WHERE type = 'rating_counted' AND at >= %s AND at < %s
ORDER BY hall, at, pos
"""


def export_ratings(conn, start_at, end_at):
    """[{column: value}] of ratings counted in [start_at, end_at) s, every hall."""
    return [dict(zip(CSV_COLUMNS, row[:7] + (_utc(row[7]),))) for row in conn.execute(QUERY, (start_at, end_at))]


def _utc(at):
    return datetime.datetime.fromtimestamp(at, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_json(rows):
    return json.dumps({"ratings": rows}, ensure_ascii=False, indent=1)
