"""`hallmesh city ranking|export`: the district's quarterly ranking and the rating export,
read from the city's PostgreSQL (see docs/city.md)."""
import datetime
import os
import sys

from gateway.city.cli import DSN_ENV


def register(sub):
    cmd = sub.add_parser("city", help="district reports from the city's PostgreSQL: ranking, rating export")
    what = cmd.add_subparsers(dest="action", required=True)
    ranking = what.add_parser("ranking", help="every window and staff of every hall ranked per quarter")
    ranking.add_argument("--year", type=int, required=True)
    export = what.add_parser("export", help="every counted rating (ticket, service, window, staff, time)")
    export.add_argument("--from", dest="first", type=datetime.date.fromisoformat, required=True,
                        metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="last", type=datetime.date.fromisoformat, required=True,
                        metavar="YYYY-MM-DD", help="included")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    for each in (ranking, export):
        each.add_argument("--hall", required=True, help="the district's reference hall config (TOML): "
                          "its time zone, satisfied levels, working-day calendar and [awards] rule")
        each.add_argument("--dsn", default=os.environ.get(DSN_ENV), help="default $%s" % DSN_ENV)
    cmd.set_defaults(run=run)


def run(ns):
    import psycopg
    from gateway.cli import load_hall
    if not ns.dsn:
        print("hallmesh: say where the city is: --dsn or $%s" % DSN_ENV, file=sys.stderr)
        return 2
    hall = load_hall(ns.hall)
    try:
        with psycopg.connect(ns.dsn, connect_timeout=10) as conn:
            text = _ranking(conn, hall, ns.year) if ns.action == "ranking" else _export(conn, hall, ns)
    except psycopg.Error as exc:
        print("hallmesh: the city's database: %s" % " ".join(str(exc).split())[:300], file=sys.stderr)
        return 2
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _ranking(conn, hall, year):
    from gateway.city.reports import city_figures, ranking_text
    from gateway.reports.period import around
    periods = [around(hall, "quarter", datetime.date(year, month, 1)) for month in (1, 4, 7, 10)]
    return ranking_text(hall, periods, city_figures(conn, hall, periods))


def _export(conn, hall, ns):
    from gateway.city.export import export_ratings, to_csv, to_json
    from gateway.reports.period import days
    period = days(hall, ns.first, ns.last)
    rows = export_ratings(conn, period.start, period.end)
    return to_csv(rows) if ns.format == "csv" else to_json(rows)
