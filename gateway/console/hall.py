"""The supervisor's live hall: /console/hall, kept current by Server-Sent Events from
/console/hall/live (gateway/console/feed.py); what it shows is gateway/console/live.py."""
import aiohttp_jinja2
from aiohttp import web

from gateway.console import live
from gateway.console.feed import LiveFeed
from gateway.console.guard import require

WORDS = {
    "en": {"hall_title": "Live hall", "windows": "Windows", "window_no": "Window", "serving": "Serving",
           "since": "Since", "minutes": "min", "staff": "Staff", "state": "State", "overrun": "over time",
           "paused": "paused", "idle": "idle", "no_staff": "nobody signed in",
           "services": "Queues", "service": "Service", "waiting": "Waiting", "oldest": "Oldest wait",
           "estimate": "Estimate (min)", "open_windows": "Open windows",
           "green": "Green channel", "appointments": "Appointments due", "none": "none",
           "devices": "Devices", "device": "Device", "kind": "Kind", "online": "online", "offline": "offline",
           "paper": "Paper", "firmware": "Firmware", "heap": "Heap", "rssi": "RSSI", "last_seen": "Last seen",
           "last_error": "Last error", "alerts": "Alerts", "no_alerts": "No alerts.",
           "alert_device_offline": "Device offline", "alert_paper_out": "Printer out of paper",
           "alert_part_fault": "Device fault", "alert_low_rating": "Low rating",
           "alert_case_overdue": "Case overdue", "alert_clock_step": "Clock step",
           "updated": "Updated {clock}", "live_lost": "Live updates interrupted: reconnecting ...", "late": "late"},
    "zh": {"hall_title": "大厅实况", "windows": "窗口", "window_no": "窗口", "serving": "正在办理",
           "since": "叫号时间", "minutes": "分钟", "staff": "工作人员", "state": "状态", "overrun": "已超时",
           "paused": "暂停", "idle": "空闲", "no_staff": "无人签到",
           "services": "排队", "service": "业务", "waiting": "等候人数", "oldest": "最长等候",
           "estimate": "预计等候（分钟）", "open_windows": "开放窗口",
           "green": "绿色通道", "appointments": "待到预约", "none": "无",
           "devices": "设备", "device": "设备", "kind": "类型", "online": "在线", "offline": "离线",
           "paper": "纸张", "firmware": "固件", "heap": "内存", "rssi": "信号", "last_seen": "最近上线",
           "last_error": "最近错误", "alerts": "告警", "no_alerts": "暂无告警。",
           "alert_device_offline": "设备离线", "alert_paper_out": "打印机缺纸",
           "alert_part_fault": "设备故障", "alert_low_rating": "差评",
           "alert_case_overdue": "工单超期", "alert_clock_step": "时钟跳变",
           "updated": "更新于 {clock}", "live_lost": "实时更新中断，正在重连……", "late": "已迟到"},
}


def routes(console):
    console.add_words(WORDS)
    console.add_nav("hall", {"en": "Live hall", "zh": "大厅实况"}, "supervisor")
    feed = LiveFeed(console, lambda: fragment(console), name="hall", signature=lambda: signature(console.gateway))
    console.hall_feed = feed
    console.background(feed.run)

    @require("supervisor")
    async def page(request):
        body = await console.run(fragment, console)
        return aiohttp_jinja2.render_template("hall.html", request, {"live": body})

    @require("supervisor")
    async def stream(request):
        return await feed.stream(request)

    return [web.get("/hall", page), web.get("/hall/live", stream)]


def snapshot(gateway):
    """The live hall's figures, read under the gateway's lock."""
    with gateway.lock:
        return live.hall_now(gateway.service.state, gateway.service.fleet, gateway.clock())


def signature(gateway):
    """What changes whenever the live hall may: events folded, each device's presence. None
    when the gateway's lock is taken right now (the feed looks again a moment later)."""
    if not gateway.lock.acquire(blocking=False):
        return None
    try:
        service = gateway.service
        return (service.state.applied,
                tuple((d, p.online, p.ses, p.last_change) for d, p in service.fleet.devices.items()))
    finally:
        gateway.lock.release()


def fragment(console):
    return console.render("hall_live.html", hall=snapshot(console.gateway))
