"""The console's own words, in the hall's language (gateway/wording.py has the devices'
words and the engine's refusals). Page modules add theirs with console.add_words()."""

WORDS = {
    "en": {
        "lang": "en", "console": "Hall console", "sign_in": "Sign in", "sign_out": "Sign out",
        "name": "Name", "password": "Password", "signed_in_as": "{name} ({role})",
        "bad_login": "Wrong name or password.",
        "throttled": "Too many failed sign-ins: try again in {s} seconds.",
        "forbidden": "This page is not for your role.",
        "role_staff": "window staff", "role_supervisor": "supervisor", "role_admin": "administrator",
        "home": "Home", "nothing_here": "Nothing for your role here yet.",
        "done": "Done.", "refused": "Refused: {why}",
    },
    "zh": {
        "lang": "zh-CN", "console": "大厅管理台", "sign_in": "登录", "sign_out": "退出",
        "name": "用户名", "password": "密码", "signed_in_as": "{name}（{role}）",
        "bad_login": "用户名或密码错误。",
        "throttled": "登录失败次数过多，请{s}秒后再试。",
        "forbidden": "您的角色不能打开此页面。",
        "role_staff": "窗口人员", "role_supervisor": "值班主管", "role_admin": "管理员",
        "home": "首页", "nothing_here": "暂无适合您角色的页面。",
        "done": "已完成。", "refused": "未执行：{why}",
    },
}
