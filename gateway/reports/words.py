"""The words of the reports (headings, column names, definitions, chart text) in the hall's
language: a Chinese hall's administrator reads a Chinese report. Pure.

Column keys are the figure names of gateway/reports/periodic.py; a key missing in a language
falls back to English only in a test's eyes: tests/gateway/test_zh_everywhere.py fails then."""

DEFINITIONS_ZH = """\
- 票号计入其取号所在的统计期，计入最后叫号（办结或过号）的窗口和工作人员，以及转移后最终办理的业务
- 取号：统计期内取号数（仅按大厅、按业务统计：叫号前号票不属于任何窗口）
- 办结 / 过号：办理完毕 / 最终过号；转出：从本窗口转出的号票
- 等候时间：取号至首次叫号；办理时间：叫号至办结（分钟，中位数与第90百分位）
- 按时办结率：在业务办结时限内办结的比例
- 满意率：计入的评价中好评所占比例，附 Wilson 95% 置信区间；参评率：计入评价 / 办结；
  无效按键：被标记、从不计入的按键
- 回访：差评均开启回访工单，须在15个工作日（按大厅日历）内整改；逾期：过期限仍未整改；
  回访率：已回访工单 / 开启工单
- 预计准确率：实际等候时间落在号票所印预计范围内的比例"""

WORDS = {
    "en": {
        "by": {"hall": "hall", "window": "window", "staff": "staff", "service": "service"},
        "columns": {"issued": "issued", "served": "served", "no_show": "no-show", "transferred": "transf",
                    "wait_median": "wait med", "wait_p90": "wait p90", "service_median": "svc med",
                    "service_p90": "svc p90", "on_time": "on time", "counted": "ratings",
                    "satisfaction": "satisfied [95% CI]", "response": "response", "misuse": "misuse",
                    "in_range": "in range", "cases": "cases o/cb/r", "cases_overdue": "overdue",
                    "callback_rate": "call-back"},
        "heading": "{hall} ({id}) - {period}, by {by}",
        "minutes": "Times in minutes.",
        "total": "total",
        "all": "all of the log",
        "range": "{first} to {last}",
        "quarter": "{year}-Q{q}", "month": "{year}-{month:02d}", "year": "{year}",
        "ranking": "Ranking for {period}: red-flag window and service star",
        "red_flag": "Red-flag window", "star": "Service star", "nobody": "  (nobody to rank)",
        "not_eligible": "  -  {who} not eligible: {why}",
        "placed": "  {place}. {who} {interval}  on time {on_time}  {counted} ratings{award}",
        "award": "  <- AWARD",
        "why_ratings": "{n} counted ratings < {min}", "why_sat": "satisfaction {v:.1f} % < {min:.0f} %",
        "why_on_time": "on time {v:.1f} % < {min:.0f} %", "why_misuse": "misuse {v:.1f} % > {min:.0f} %",
        "rule": ("rule: ranked by the lower end of the 95% Wilson interval of the satisfaction rate, then by "
                 "on-time rate; eligible with at least {min_ratings} counted ratings, satisfaction >= {sat:.0f} %, "
                 "on-time >= {on_time:.0f} %, misuse <= {misuse:.0f} % of presses; red flag to the top {red} "
                 "window(s), service star to the top {stars} staff"),
        # the queue as it stands (gateway/reports/table.py)
        "state_services": "Tickets per service",
        "state_windows": "Windows (satisfied = ratings at {levels}; flagged presses never count)",
        "flagged": "Flagged presses: {counts}",
        "state_columns": {"svc": "svc", "service": "service", "issued": "issued", "served": "served",
                          "no_show": "no-show", "serving": "serving", "waiting": "waiting", "expired": "expired",
                          "window": "window", "ratings": "ratings", "satisfied": "satisfied", "flagged": "flagged"},
        "flag_reasons": {},          # English: the reason codes as the log and the docs name them
        # follow-up cases
        "case_columns": {"case": "case", "opened": "opened", "deadline": "deadline", "overdue": "overdue",
                         "status": "status", "ticket": "ticket", "svc": "svc", "window": "window", "staff": "staff",
                         "level": "level", "reason": "reason", "note": "last note"},
        "case_status": {"open": "open", "called_back": "called_back", "resolved": "resolved"},
        "overdue_mark": "OVERDUE", "no_reason": "no reason given",
        "cases_heading": "{hall} ({id}) - follow-up cases opened in {period}, as of {today}",
        "cases_total": "total: {n} case(s), {open} open, {called} called back, {resolved} resolved, "
                       "{overdue} overdue (due within {days} working days), call-back rate {callback}",
        "state_cases": "Follow-up cases: {n} opened, {unresolved} not resolved, {overdue} overdue, "
                       "call-back rate {callback} (every bad review opens one, due within {days} working days)",
        # charts
        "chart_sat": "Satisfaction by window", "chart_wait": "Waiting time by hour of issue",
        "axis_window": "window", "axis_sat": "satisfied (%), whisker: 95% interval",
        "axis_hour": "hour of issue", "axis_minutes": "minutes (bar: median, whisker: p90)",
        "target": "target {v:g} %", "no_data": "no ratings in this period",
        "sheet_figures": "figures", "sheet_cases": "cases", "sheet_awards": "awards", "yes": "yes", "no": "no",
    },
    "zh": {
        "by": {"hall": "大厅", "window": "窗口", "staff": "工作人员", "service": "业务"},
        "columns": {"issued": "取号", "served": "办结", "no_show": "过号", "transferred": "转出",
                    "wait_median": "等候中位", "wait_p90": "等候P90", "service_median": "办理中位",
                    "service_p90": "办理P90", "on_time": "按时办结率", "counted": "评价数",
                    "satisfaction": "满意率[95%区间]", "response": "参评率", "misuse": "无效按键",
                    "in_range": "预计准确率", "cases": "回访 待/已回访/已整改", "cases_overdue": "逾期",
                    "callback_rate": "回访率"},
        "heading": "{hall}（{id}）{period} 按{by}统计",
        "minutes": "时间单位：分钟。",
        "total": "合计",
        "all": "全部记录",
        "range": "{first} 至 {last}",
        "quarter": "{year}年第{q}季度", "month": "{year}年{month}月", "year": "{year}年",
        "ranking": "{period}评比：红旗窗口与服务之星",
        "red_flag": "红旗窗口", "star": "服务之星", "nobody": "  （无人参评）",
        "not_eligible": "  -  {who} 不参评：{why}",
        "placed": "  {place}. {who} {interval}  按时办结率 {on_time}  评价 {counted} 条{award}",
        "award": "  ← 获评",
        "why_ratings": "计入评价 {n} 条 < {min} 条", "why_sat": "满意率 {v:.1f}% < {min:.0f}%",
        "why_on_time": "按时办结率 {v:.1f}% < {min:.0f}%", "why_misuse": "无效按键 {v:.1f}% > {min:.0f}%",
        "rule": ("规则：按满意率 Wilson 95% 置信区间下限排名，其次按按时办结率；参评条件：计入评价至少 {min_ratings} 条，"
                 "满意率 ≥ {sat:.0f}%，按时办结率 ≥ {on_time:.0f}%，无效按键 ≤ {misuse:.0f}%；红旗窗口取前 {red} 名，"
                 "服务之星取前 {stars} 名"),
        "state_services": "各业务取号情况",
        "state_windows": "各窗口情况（满意 = 评价为 {levels}；无效按键从不计入）",
        "flagged": "无效按键：{counts}",
        "state_columns": {"svc": "代码", "service": "业务", "issued": "取号", "served": "办结", "no_show": "过号",
                          "serving": "办理中", "waiting": "等候", "expired": "作废", "window": "窗口",
                          "ratings": "评价数", "satisfied": "满意率", "flagged": "无效按键"},
        "flag_reasons": {"nothing_to_rate": "无可评价", "already_rated": "重复评价", "timed_out": "超时评价",
                         "wrong_ticket": "号票不符"},
        "case_columns": {"case": "工单", "opened": "开启日期", "deadline": "整改期限", "overdue": "逾期",
                         "status": "状态", "ticket": "号码", "svc": "业务", "window": "窗口", "staff": "工作人员",
                         "level": "评价", "reason": "原因", "note": "最后备注"},
        "case_status": {"open": "待回访", "called_back": "已回访", "resolved": "已整改"},
        "overdue_mark": "已逾期", "no_reason": "未说明",
        "cases_heading": "{hall}（{id}）{period} 开启的回访工单，截至 {today}",
        "cases_total": "合计：{n} 件，待回访 {open} 件，已回访 {called} 件，已整改 {resolved} 件，"
                       "逾期 {overdue} 件（须在 {days} 个工作日内整改），回访率 {callback}",
        "state_cases": "回访工单：共 {n} 件，未整改 {unresolved} 件，逾期 {overdue} 件，回访率 {callback}"
                       "（每条差评开启一件，须在 {days} 个工作日内整改）",
        "chart_sat": "各窗口满意率", "chart_wait": "各时段等候时间（按取号时间）",
        "axis_window": "窗口", "axis_sat": "满意率（%），误差线：95%置信区间",
        "axis_hour": "取号时段（时）", "axis_minutes": "分钟（柱：中位数，误差线：P90）",
        "target": "目标 {v:g}%", "no_data": "本期无评价",
        "sheet_figures": "统计", "sheet_cases": "回访工单", "sheet_awards": "评比", "yes": "是", "no": "否",
    },
}


# figure names the tables fold into one column ("cases o/cb/r") or never show, named apart
# for the columns of CSV and Excel
_MORE_COLUMNS = {"en": {"sat_low": "95% CI low", "sat_high": "95% CI high", "cases_open": "cases open",
                        "cases_called_back": "cases called back", "cases_resolved": "cases resolved",
                        "satisfaction": "satisfied"},
                 "zh": {"sat_low": "置信区间下限", "sat_high": "置信区间上限", "cases_open": "待回访",
                        "cases_called_back": "已回访", "cases_resolved": "已整改", "satisfaction": "满意率"}}


def column_name(hall, column):
    """A figure's column name in the hall's language (CSV of a Chinese hall, Excel)."""
    more = _MORE_COLUMNS.get(hall.language, _MORE_COLUMNS["en"])
    return more.get(column) or words(hall)["columns"][column]


def words(hall):
    return WORDS.get(hall.language, WORDS["en"])


def say(hall, key, /, **values):
    return words(hall)[key].format(**values)


def period_label(hall, period):
    """The period as the hall's language names it: 2026-11, 2026-Q4 / 2026年第4季度, a range."""
    w = words(hall)
    if period.kind == "all":
        return w["all"]
    if period.kind == "range":
        return w["range"].format(first=period.first, last=period.last)
    if period.kind == "quarter":
        return w["quarter"].format(year=period.first.year, q=(period.first.month - 1) // 3 + 1)
    if period.kind in ("month", "year"):
        return w[period.kind].format(year=period.first.year, month=period.first.month)
    return period.label
