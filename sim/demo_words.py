"""What `hallmesh demo` says in its own voice, in the hall's language (the gateway's narration of
events is gateway/narrate.py)."""

WORDS = {
    "en": {
        "start": "hallmesh demo: {hall}, broker {broker} {host}:{port}, store {db}",
        "no_mosquitto": "Mosquitto is not installed (make demo installs it): using the embedded amqtt broker",
        "mosquitto_failed": "Mosquitto did not start ({why}): using the embedded amqtt broker",
        "outside_hours": "It is {now} at {hall}: outside its issuing hours ({hours}). The demo runs on a "
                         "simulated clock from {start}.",
        "store_ahead": "The store already holds {hall}'s day up to {latest}: the demo runs on a simulated "
                       "clock from {start}.",
        "online": "{n} devices online, running firmware/ unchanged",
        "console": "hall console: {url}  sign in as {admin} / {password} (administrator: live hall, "
                   "everything) or {staff} / {password} (window staff: the window caller); "
                   "add --forever (make demo ARGS=--forever) to keep it open after the morning",
        "presses": "  . a citizen presses {svc} ({name}) on {printer}",
        "rates": "  . the citizen with {no} rates {level} ({label}) at window {win}",
        "reason": "  . ... and gives a reason: {reason}",
        "no_reason": "  . ... and gives no reason (the next call at window {win} ends the question)",
        "report": "\n--- the morning's report ---\n",
        "broker_errors": "the embedded broker dropped {n} connection(s); see the lines above",
        "forever": "the hall keeps running (Ctrl-C to stop); store: {db}",
        "failed": "hallmesh demo: the morning stopped: {why}",
    },
    "zh": {
        "start": "hallmesh 演示：{hall}，MQTT 服务器 {broker} {host}:{port}，数据库 {db}",
        "no_mosquitto": "未安装 Mosquitto（make demo 会安装）：使用内置的 amqtt 服务器",
        "mosquitto_failed": "Mosquitto 未能启动（{why}）：使用内置的 amqtt 服务器",
        "outside_hours": "{hall}现在是 {now}，不在取号时间内（{hours}）。演示使用模拟时钟，从 {start} 开始。",
        "store_ahead": "数据库中已有{hall}截至 {latest} 的记录：演示使用模拟时钟，从 {start} 开始。",
        "online": "{n} 台设备在线，运行的是未经改动的 firmware/",
        "console": "大厅管理台：{url}  管理员用 {admin} / {password} 登录（大厅实况等全部页面），"
                   "窗口人员用 {staff} / {password} 登录（窗口叫号）；加 --forever（make demo ARGS=--forever）"
                   "可在上午结束后继续打开",
        "presses": "  . 一位群众在 {printer} 上按下 {svc}（{name}）",
        "rates": "  . {no} 号群众在 {win} 号窗口评价 {level}（{label}）",
        "reason": "  . …… 并选择原因：{reason}",
        "no_reason": "  . …… 未选择原因（{win} 号窗口呼叫下一位时结束提问）",
        "report": "\n--- 上午的统计 ---\n",
        "broker_errors": "内置服务器断开了 {n} 个连接，详见上文",
        "forever": "大厅继续运行（按 Ctrl-C 停止）；数据库：{db}",
        "failed": "hallmesh 演示：上午的流程中断：{why}",
    },
}


def say(hall, key, /, **values):
    return WORDS.get(hall.language, WORDS["en"])[key].format(**values)
