"""Device text: composed in the hall's language, encoded for the part that draws it, and
checked at config load so that a panel never meets a character it cannot show."""
import base64
import dataclasses

import pytest

from gateway import config, device_text, wording
from gateway.config import ConfigError
from sim.render.panel import rasterise
from tests.gateway.hall_fixture import HALL_TOML

EN = config.parse(__import__("tomllib").loads(HALL_TOML))
ZH = dataclasses.replace(EN, language="zh", name="河畔政务服务中心", status_url="https://q.example/{hall}/{day}/{no}")


def gb(line, codec="gb2312"):
    return base64.b64decode(line["gb"]).decode(codec)


def test_ascii_text_travels_as_text_only():
    assert device_text.encoded("A001 -> window 3") == {"t": "A001 -> window 3"}


def test_chinese_text_carries_its_gb2312_bytes():
    line = device_text.encoded("请到3号窗口")
    assert gb(line) == "请到3号窗口" and base64.b64decode(line["gb"])[:2] == "请".encode("gb2312")


def test_a_character_no_panel_can_show_is_named():
    with pytest.raises(device_text.TextError, match="'\U0001F600' is not in GB2312"):
        device_text.encoded("Welcome \U0001F600")


def test_views_get_their_lines_in_the_halls_language():
    window = device_text.decorate_view(ZH, {"kind": "window", "win": 5, "ticket": "A023", "state": "serving",
                                            "call": 2, "due": 100})
    assert [gb(line) if "gb" in line else line["t"] for line in window["lines"]] == ["5号窗口", "A023"]
    assert gb(window["over"]) == "已超时"
    hall = device_text.decorate_view(ZH, {"kind": "hall", "rows": [["A023", 5, 7], ["B002", 1, 3]], "notice": ""})
    assert [gb(line) for line in hall["lines"]] == ["A023 请到5号窗口", "B002 请到1号窗口"]
    assert [(gb(s), s["w"], s["n"]) for s in hall["say"]] == [("请 A023 号到 5 号窗口", 5, 7),
                                                               ("请 B002 号到 1 号窗口", 1, 3)]
    pad = device_text.decorate_view(EN, {"kind": "pad", "serving": "", "rate": "A023"})
    assert pad["lines"] == [{"t": "Window open"}, {"t": "Please rate A023"}] and pad["thanks"] == {"t": "Thank you!"}


def test_a_ticket_is_printed_in_gb18030_with_its_status_qr():
    ticket = {"no": "A023", "svc": "A", "name": "户籍办理", "ahead": 4, "wait": [6, 14], "at": 1795420800,
              "hall": ZH.name, "green": False}
    printed = device_text.decorate_ticket(ZH, ticket)
    assert base64.b64decode(printed["gb"]["hall"]).decode("gb18030") == "河畔政务服务中心"
    assert base64.b64decode(printed["gb"]["name"]).decode("gb18030") == "户籍办理"
    assert base64.b64decode(printed["gb"]["info"]).decode("gb18030") == "前面还有4人 预计等候6-14分钟"
    assert printed["url"] == "https://q.example/testhall/2026-11-23/A023"
    english = device_text.decorate_ticket(EN, dict(ticket, name="Residence permits", hall="Riverside"))
    assert "gb" not in english and english["info"] == "4 ahead, wait 6-14 min"
    assert english["time"] == "Issued 2026-11-23 16:00" and "url" not in english


@pytest.mark.parametrize("language", wording.LANGUAGES)
def test_every_string_a_hall_shows_has_a_glyph_for_every_character(language):
    hall = dataclasses.replace(ZH if language == "zh" else EN, language=language)
    for text in device_text.hall_strings(hall):
        device_text.encoded(text)                       # the controller's code page has it
        for ch in set(text) - {" "}:
            assert rasterise(ch, 16).getbbox() is not None, "no glyph for %r in %r" % (ch, text)


def test_a_hall_whose_names_a_panel_cannot_show_is_refused_at_load():
    bad = HALL_TOML.replace('name = "Residence permits"', 'name = "Residence permits \U0001F600"', 1)
    assert bad != HALL_TOML
    with pytest.raises(ConfigError, match="cannot show every text"):
        config.parse(__import__("tomllib").loads(bad))
    with pytest.raises(ConfigError, match="language must be one of en, zh"):
        config.parse(__import__("tomllib").loads(HALL_TOML.replace("[hall]", '[hall]\nlanguage = "fr"', 1)))


def test_a_status_url_with_an_unknown_placeholder_is_refused_at_load():
    bad = HALL_TOML.replace("[hall]", '[hall]\nstatus_url = "https://q.example/{ticket}"', 1)
    with pytest.raises(ConfigError, match=r"only \{hall\}, \{no\} and \{day\}"):
        config.parse(__import__("tomllib").loads(bad))


def test_a_paused_window_says_so_on_its_pad_and_the_hall_notice_travels_as_a_line():
    pad = device_text.decorate_view(ZH, {"kind": "pad", "serving": "", "rate": "", "paused": True})
    assert gb(pad["lines"][0]) == "暂停服务"
    hall = device_text.decorate_view(ZH, {"kind": "hall", "rows": [], "notice": "今日办理社保业务请带身份证"})
    assert gb(hall["notice_line"]) == "今日办理社保业务请带身份证"


def test_a_hall_view_of_many_windows_keeps_the_newest_calls_that_fit_a_payload():
    from protocol import codec
    rows = [["A%03d" % i, i, 1] for i in range(40, 0, -1)]          # 40 windows, newest first
    view = device_text.decorate_view(ZH, {"v": 1, "kind": "hall", "seq": 10 ** 9, "rows": rows,
                                          "notice": "请带好随身物品"})
    assert len(codec.encode(dict(view))) <= codec.MAX_PAYLOAD
    kept = len(view["rows"])
    assert 5 <= kept < 40 and view["rows"] == rows[:kept]
    assert len(view["lines"]) == len(view["say"]) == kept


def test_a_lease_brings_its_offline_ticket_texts_in_the_halls_language():
    lease = device_text.decorate_lease(ZH, {"kind": "lease", "svc": "A", "day": "2026-03-02", "first": 990})
    pieces = lease["print"]

    def printed(line):
        return base64.b64decode(line["gb"]).decode("gb18030") if "gb" in line else line["t"]
    assert lease["first"] == 990 and printed(pieces["hall"]) == ZH.name
    assert printed(pieces["name"]) == ZH.services["A"].name
    assert printed(pieces["offline"]) == "离线取号 暂无等候预计" and printed(pieces["issued"]) == "取号时间"
    english = device_text.decorate_lease(EN, {"kind": "lease", "svc": "A"})["print"]
    assert english["offline"] == {"t": "Offline ticket: no waiting estimate"} and english["issued"] == {"t": "Issued"}
