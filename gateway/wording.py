"""The words a hall's devices show, print and say, in the hall's language. Pure.

The gateway composes every text a device displays (devices only draw what they are sent), so
a hall switches language in its config and no firmware changes."""

WORDS = {
    "en": {
        "window": "Window {win}",
        "idle": "-",
        "paused": "Paused",
        "over": "Over time",
        "call_row": "{no} -> window {win}",
        "announce": "Ticket {no}, please go to window {win}",
        "ahead": "{ahead} ahead, wait {lo}-{hi} min",
        "issued": "Issued {time}",
        "offline": "Offline ticket: no waiting estimate",
        "booking": "Appointment {code}",
        "serving": "Serving {no}",
        "open": "Window open",
        "rate": "Please rate {no}",
        "thanks": "Thank you!",
        "away": "Service paused",
        "why": "Why? Press 1-{n}",
        "transfer": "Transfer {no} to?",
    },
    "zh": {
        "window": "{win}号窗口",
        "idle": "-",
        "paused": "暂停服务",
        "over": "已超时",
        "call_row": "{no} 请到{win}号窗口",
        "announce": "请 {no} 号到 {win} 号窗口",
        "ahead": "前面还有{ahead}人 预计等候{lo}-{hi}分钟",
        "issued": "取号时间 {time}",
        "offline": "离线取号 暂无等候预计",
        "booking": "预约号 {code}",
        "serving": "正在办理 {no}",
        "open": "窗口开放",
        "rate": "请为 {no} 评价",
        "thanks": "谢谢您的评价!",
        "away": "系统维护 暂停服务",
        "why": "请按1-{n}选择原因",
        "transfer": "{no}转到哪项业务?",
    },
}
LANGUAGES = tuple(WORDS)


def say(language, key, **values):
    return WORDS[language][key].format(**values)


def every_template(language):
    return list(WORDS[language].values())
