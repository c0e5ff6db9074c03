"""The administrator's reports: /console/reports shows any period (day, month, quarter, year,
range) by hall, window, staff or service with the figures, charts and red-flag window /
service star ranking of `hallmesh report`; /console/reports/download gives the same report as
CSV, Excel or a chart's PNG. The work is gateway/console/report_data.py (the CLI's functions)."""

import aiohttp_jinja2
from aiohttp import web

from gateway.console import report_data
from gateway.console.guard import require
from gateway.reports.periodic import BY, DEFINITIONS
from gateway.reports.words import DEFINITIONS_ZH

FORMATS = {"csv": ("text/csv", "csv"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
           "png": ("image/png", "png"), "svg": ("image/svg+xml", "svg")}

WORDS = {
    "en": {"reports_title": "Reports", "rep_period": "Period", "rep_date": "A day in it", "rep_from": "From",
           "rep_to": "To", "rep_by": "By", "rep_show": "Show", "period_day": "day", "period_month": "month",
           "period_quarter": "quarter", "period_year": "year", "period_range": "range of days",
           "by_hall": "hall", "by_window": "window", "by_staff": "staff", "by_service": "service",
           "rep_download": "Download", "rep_csv": "CSV", "rep_xlsx": "Excel", "rep_png_sat": "Satisfaction chart (PNG)",
           "rep_png_wait": "Waiting chart (PNG)", "rep_no_rows": "No tickets in this period.",
           "rep_definitions": "How the figures are counted", "rep_bad_query": "The report cannot be made: {why}",
           "rep_award": "award", "rep_not_eligible": "not eligible: {why}", "rep_charts": "Charts",
           "rep_ratings": "{n} ratings", "rep_on_time": "on time {v}"},
    "zh": {"reports_title": "统计报表", "rep_period": "统计期", "rep_date": "其中某日", "rep_from": "起始日期",
           "rep_to": "截止日期", "rep_by": "分组", "rep_show": "查询", "period_day": "日", "period_month": "月",
           "period_quarter": "季度", "period_year": "年", "period_range": "日期范围",
           "by_hall": "大厅", "by_window": "窗口", "by_staff": "工作人员", "by_service": "业务",
           "rep_download": "下载", "rep_csv": "CSV", "rep_xlsx": "Excel", "rep_png_sat": "满意率图（PNG）",
           "rep_png_wait": "等候时间图（PNG）", "rep_no_rows": "本统计期内没有号票。",
           "rep_definitions": "统计口径", "rep_bad_query": "无法生成报表：{why}",
           "rep_award": "获评", "rep_not_eligible": "不参评：{why}", "rep_charts": "图表",
           "rep_ratings": "{n}条评价", "rep_on_time": "按时办结 {v}"},
}


def routes(console):
    console.add_words(WORDS)
    console.add_nav("reports", {"en": "Reports", "zh": "统计报表"}, "admin")

    @require("admin")
    async def page(request):
        query = dict(request.query)
        context = {"query": _form_values(query, console), "kinds": report_data.KINDS, "by_choices": BY,
                   "definitions": DEFINITIONS_ZH if console.language == "zh" else DEFINITIONS}
        try:
            report = await console.run(report_data.build, console.hall, console.gateway.store.path, query,
                                       console.gateway.clock())
        except report_data.ReportQueryError as exc:
            context["error"] = console.say("rep_bad_query", why=exc)
            return aiohttp_jinja2.render_template("reports.html", request, context, status=400)
        context.update(heading=report_data.heading(report), table=report_data.table(report),
                       ranking=report_data.ranking(report), shown=_shown(report))
        return aiohttp_jinja2.render_template("reports.html", request, context)

    @require("admin")
    async def download(request):
        query = dict(request.query)
        fmt = str(query.pop("format", "csv"))
        chart = str(query.pop("chart", "satisfaction_by_window"))
        if fmt not in FORMATS:
            raise web.HTTPBadRequest(text="format: %r is none of %s" % (fmt[:20], ", ".join(FORMATS)))
        try:
            body, name = await console.run(_download, console, query, fmt, chart)
        except report_data.ReportQueryError as exc:
            raise web.HTTPBadRequest(text=console.say("rep_bad_query", why=exc))
        kind, _ = FORMATS[fmt]
        inline = fmt in ("png", "svg") and request.query.get("inline") == "1"
        disposition = "%s; filename=\"%s\"" % ("inline" if inline else "attachment", name)
        return web.Response(body=body, content_type=kind, headers={"Content-Disposition": disposition})

    return [web.get("/reports", page), web.get("/reports/download", download)]


def _download(console, query, fmt, chart):
    report = report_data.build(console.hall, console.gateway.store.path, query, console.gateway.clock())
    stem = report_data.file_stem(report)
    if fmt == "csv":
        return report_data.csv_bytes(report), stem + ".csv"
    if fmt == "xlsx":
        return report_data.xlsx_bytes(report), stem + ".xlsx"
    return report_data.chart_bytes(report, chart, fmt), "%s-%s.%s" % (stem, chart, fmt)


def _form_values(query, console):
    """The form as the query filled it (a first visit: today's day, by window)."""
    today = report_data.local_day(console.hall, console.gateway.clock()).isoformat()
    return {"period": query.get("period") or "day", "date": query.get("date") or "",
            "from": query.get("from") or today, "to": query.get("to") or "", "by": query.get("by") or "window",
            "today": today}


def _shown(report):
    """The query that reproduces the report shown (for the download links)."""
    period = report.period
    if period.kind == "range":
        return {"period": "range", "from": period.first.isoformat(), "to": period.last.isoformat(), "by": report.by}
    return {"period": period.kind, "date": period.first.isoformat(), "by": report.by}


