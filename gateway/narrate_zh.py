"""The narration of gateway/narrate.py for a hall with language = "zh": the same events, in
the words the hall's staff and visitors use (the national 好差评 level names for ratings)."""

FLAGS = {"nothing_to_rate": "无可评价", "already_rated": "重复评价", "timed_out": "超时评价",
         "wrong_ticket": "号票不符"}
STATUSES = {"open": "待回访", "called_back": "已回访", "resolved": "已整改"}


def _service_name(hall, code):
    svc = hall.services.get(code)
    return svc.name if svc else code


def _issued(hall, ev):
    green = "（绿色通道）" if ev["green"] else ""
    low, high = ev["wait"]
    return "%s：取号 %s（%s）%s，前面还有 %d 人，预计等候 %d-%d 分钟" % (
        ev["device"], ev["no"], _service_name(hall, ev["svc"]), green, ev["ahead"], low, high)


def _level(hall, ev):
    labels = hall.rules.rating_labels
    return "%d/%d（%s）" % (ev["level"], hall.rating_levels, labels[ev["level"] - 1])


def _flagged(hall, ev):
    return "%d号窗口：评价 %s 无效（%s，评价器显示 %s），不计入" % (
        ev["window"], _level(hall, ev), FLAGS.get(ev["reason"], ev["reason"]), ev["ticket"] or "无")


def _skipped(hall, ev):
    back = "，重新排队" if ev.get("rejoin") else ""
    return "%d号窗口：%s 未到（过号%s）" % (ev["window"], ev["no"], back)


def _transferred(hall, ev):
    if ev["to_window"] is not None:
        where = "%d号窗口" % ev["to_window"]
    else:
        where = "%s业务" % _service_name(hall, ev["to_svc"])
    return "%d号窗口：%s 转到%s" % (ev["window"], ev["no"], where)


def _finished(hall, ev):
    late = "" if ev.get("on_time", True) else "（超过办结时限）"
    return "%d号窗口：%s 办结%s" % (ev["window"], ev["no"], late)


def _printed(hall, ev):
    if ev["ok"]:
        return "%s：已打印 %s" % (ev["device"], ev["no"])
    return "%s：打印 %s 失败：%s" % (ev["device"], ev["no"], ev["why"] or "未说明原因")


def _day(hall, ev):
    expired = len(ev["expired"])
    if not expired:
        return "新的一天 %s：号码从头开始" % ev["day"]
    return "新的一天 %s：号码从头开始，之前仍在等候的 %d 张号票作废" % (ev["day"], expired)


LINES = {
    "day_started": _day,
    "ticket_issued": _issued,
    "ticket_called": lambda h, ev: "%d号窗口：呼叫 %s" % (ev["window"], ev["no"]),
    "ticket_recalled": lambda h, ev: "%d号窗口：重呼 %s" % (ev["window"], ev["no"]),
    "ticket_skipped": _skipped,
    "ticket_finished": _finished,
    "ticket_transferred": _transferred,
    "ticket_prioritised": lambda h, ev: "%s 转入绿色通道" % ev["no"],
    "staff_signed_in": lambda h, ev: "%d号窗口：%s 签到" % (ev["window"], ev["staff"]),
    "staff_signed_out": lambda h, ev: "%d号窗口：%s 签退" % (ev["window"], ev["staff"]),
    "case_opened": lambda h, ev: "%d号窗口：%s 差评，开启回访工单 %d" % (ev["window"], ev["no"], ev["case"]),
    "case_reason": lambda h, ev: "回访工单 %d：原因 %s" % (ev["case"], ev["reason"]),
    "case_reason_ended": lambda h, ev: "回访工单 %d：未说明原因（%d号窗口已呼叫下一位）" % (ev["case"], ev["window"]),
    "case_updated": lambda h, ev: "回访工单 %d：%s" % (ev["case"], STATUSES.get(ev["status"], ev["status"])),
    "appointment_booked": lambda h, ev: "预约 %s：%s业务" % (ev["code"], _service_name(h, ev["svc"])),
    "rating_counted": lambda h, ev: "%d号窗口：%s 评价 %s" % (ev["window"], ev["no"], _level(h, ev)),
    "rating_flagged": _flagged,
    "window_paused": lambda h, ev: "%d号窗口：暂停服务" % ev["window"],
    "window_resumed": lambda h, ev: "%d号窗口：恢复服务" % ev["window"],
    "ticket_printed": _printed,
    "device_status": lambda h, ev: "%s：%s %s" % (ev["device"], ev["part"], ev["state"]),
}
