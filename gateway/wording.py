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

# What a hall's staff and citizens are told when the gateway refuses a key press, in the
# hall's language. Keyed by the English format string the engine raises Refused with, so a
# refusal is translated from its text and the engine stays free of languages; a test checks
# that every Refused(...) format in gateway/ has its entry here.
REFUSALS_ZH = {
    "window %r is not a window of this hall": "本厅没有{0}号窗口",
    "unknown service %r": "没有业务{0}",
    "no window open for service %s": "业务{0}暂无开放的窗口",
    "window %d is serving %s: finish or skip it first": "{0}号窗口正在办理{1}：请先办结或过号",
    "window %d is serving %s: finish or skip it before pausing": "{0}号窗口正在办理{1}：暂停前请先办结或过号",
    "window %d is serving %s: finish it before signing out": "{0}号窗口正在办理{1}：签退前请先办结",
    "window %d is paused: resume first": "{0}号窗口已暂停：请先恢复",
    "window %d is not serving anyone": "{0}号窗口当前没有办理中的号",
    "window %d is not paused": "{0}号窗口未暂停",
    "window %d is already paused": "{0}号窗口已经暂停",
    "window %d does not serve service %s": "{0}号窗口不办理业务{1}",
    "unknown command %r": "未知操作",
    "transfer needs a service or a window to send %s to": "转移{0}：请选择业务或窗口",
    "transfer needs 'to': a service code like B or a window like w3": "转移：请选择业务或窗口",
    "status must be one of %s, got %r": "状态无效",
    "sign-in needs a staff name or number": "签到需要工作人员姓名或工号",
    "service %s has issued all %d numbers today": "业务{0}今日{1}个号已全部发完",
    "reason %r is outside 1-%d": "原因须在1-{1}之间",
    "rating level %r is outside 1-%d": "评价须在1-{1}之间",
    "rating key %d is not mapped on %s": "评价键{0}未设置",
    "offline ticket %s was issued on %s, a day that is over": "离线号{0}取于{1}，该日已结束",
    "offline ticket %s has no press time (a printer without the time issues none)": "离线号{0}没有取号时间",
    "nobody is signed in at window %d": "{0}号窗口无人签到",
    "no ticket waiting for window %d (%s)": "{0}号窗口（{1}）暂无等候的号",
    "no ticket %s is waiting": "{0}号不在等候中",
    "no rating at window %d asks for a reason now": "{0}号窗口当前无需选择原因",
    "no follow-up case %r": "没有回访工单{0}",
    "key %s is not mapped on %s": "此按键未设置",
    "key %s is not a staff key (%s)": "此键不是工作人员键",
    "case %d is %s already: it cannot become %s": "工单{0}的状态不能倒退",
    "booking code must be 1-%d characters, got %r": "预约号须为1-{0}个字符",
    "booking code %s is not known": "预约号{0}不存在",
    "booking code %s exists already": "预约号{0}已存在",
    "booking %s: time must be seconds since the epoch, got %r": "预约{0}：时间无效",
    "booking %s was checked in already (%s)": "预约{0}已签到（{1}）",
    "booking %s is for %s: check in from %s": "预约{0}时间为{1}：请于{2}后签到",
    "a printer sends no %s events": "取号机不发送此类事件",
    "a pad sends no %s events": "评价器不发送此类事件",
    "a display sends no %s events": "显示屏不发送此类事件",
    "a lease is 1-%d numbers, not %r": "号段须为1-{0}个号",
    "%s: tickets are issued %s only": "{0}：仅在{1}取号",
    "%s: all %d tickets for today are issued": "{0}：今日{1}个号已取完",
    "%s was issued already": "{0}已发出",
    "%s was called again %d times already (limit %d): skip or finish it": "{0}已重呼{1}次（上限{2}次）：请过号或办结",
    "%s is signed in at window %d: sign out first": "{0}已在{1}号窗口签到：请先签退",
    "%s is signed in at window %d already": "{0}已在{1}号窗口签到",
    "%s is not in a block of numbers leased to %s for %s": "{0}不在分配给{1}的{2}号段内",
    "%s is in the green channel already": "{0}已在绿色通道",
    "%s is for service %s already": "{0}已是业务{1}的号",
    "%s is at window %d already": "{0}已在{1}号窗口",
    "%r is not a ticket number of service %s": "{0}不是业务{1}的号",
}
REFUSED_ZH = "操作未执行"        # a refusal without an entry (never English on a device)
_PLACEHOLDER = {"%d": r"(-?\d+)", "%s": r"(.*?)", "%r": r"(.*?)"}


def _pattern(english):
    import re
    parts = re.split(r"(%[dsr])", english)
    return re.compile("^" + "".join(_PLACEHOLDER.get(p) or re.escape(p) for p in parts) + "$", re.S)


# the longest formats first: "%s was issued already" must not catch a more specific one
_REFUSAL_PATTERNS = [(_pattern(en), zh) for en, zh in sorted(REFUSALS_ZH.items(), key=lambda kv: -len(kv[0]))]


def refusal(language, text):
    """A refusal's text (English, as the engine raised it) in the hall's language."""
    if language == "en":
        return text
    for pattern, template in _REFUSAL_PATTERNS:
        match = pattern.match(text)
        if match:
            return template.format(*(value.strip("'\"") for value in match.groups()))
    return REFUSED_ZH


DEFAULT_REASONS = {"en": ("waited too long", "staff attitude", "matter not solved", "other"),
                   "zh": ("等候时间太长", "服务态度不好", "事情没办成", "其他")}


def default_reasons(language):
    """The reasons a pad offers after a low rating when the hall file names none."""
    return DEFAULT_REASONS[language]
