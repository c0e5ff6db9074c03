"""A hall in Chinese, end to end: the printer prints GB18030 from the gateway, panels and the
voice module get GB2312, and the simulator's parts read them back as a real printer, panel
controller and voice module would; pictures of the ticket and the panels are rendered."""
import os

from gateway import config
from gateway.mqtt import Gateway
from sim.hall import SimHall
from sim.render import panel as panel_picture
from sim.render import ticket as ticket_picture
from tests.e2e.conftest import FEW, KEEPALIVE, REPO, WAIT


def test_a_chinese_hall_prints_shows_and_says_chinese(mosquitto, tmp_path):
    hall = config.load(os.path.join(REPO, "halls", "example-zh.toml"))
    gateway = Gateway.from_files(hall, str(tmp_path / "hall.db"), "127.0.0.1", mosquitto.port)
    assert gateway.start(wait=WAIT)
    devices = SimHall(hall, "127.0.0.1", mosquitto.port, str(tmp_path / "flash"), keepalive=KEEPALIVE,
                      only=FEW).start()
    try:
        devices.wait_ready(WAIT)
        printer, pad, display, hall_display = (devices[d] for d in ("printer-1", "pad-3", "display-3", "hall-display"))
        printer.press("k1")
        ticket = devices.wait_until(printer.tickets, WAIT, "a ticket")[0]
        assert ticket.largest().text == "A001"
        text = ticket.text()
        assert "河畔政务服务中心" in text and "户籍办理" in text and "前面还有0人" in text
        day = text.split("取号时间 ")[1][:10]
        assert ticket.qr_codes == ["https://queue.example.gov.cn/t/riverside-zh/%s/A001" % day]
        pad.press("call")
        devices.wait_until(lambda: "A001 请到3号窗口" in hall_display.shows(), WAIT, "the call in Chinese",
                           seen=hall_display.shows)
        devices.wait_until(lambda: hall_display.spoken(), WAIT, "the announcement")
        assert hall_display.spoken() == ["请 A001 号到 3 号窗口"]
        devices.wait_until(lambda: display.shows().split("\n")[:2] == ["3号窗口", "A001"], WAIT,
                           "the window display in Chinese", seen=display.shows)
        devices.wait_until(lambda: pad.shows().split("\n")[0] == "正在办理 A001", WAIT, "the pad in Chinese",
                           seen=pad.shows)

        picture = ticket_picture.render(ticket)
        picture.save(tmp_path / "ticket.png")
        assert picture.getbbox() is not None and picture.height > 200
        board = display.panel()
        lit = panel_picture.render(list(zip(board.rows, board.blink)), cols=32)
        lit.save(tmp_path / "display-3.png")
        assert lit.getcolors(1 << 20) and any(c == (255, 40, 20) for _, c in lit.getcolors(1 << 20))
    finally:
        devices.stop()
        gateway.stop()
