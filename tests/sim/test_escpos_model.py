"""The simulated thermal printer reads ESC/POS as a GB18030 receipt printer does."""
from sim.escpos_model import EscPosInterpreter
from sim.render.ticket import render


def qr_store(data):
    return b"\x1d(k" + bytes([len(data) + 3, 0, 49, 80, 48]) + data


QR_PRINT = b"\x1d(k\x03\x00" + bytes([49, 81, 48])
CUT = b"\x1dVB\x00"


def sample_job():
    return (b"\x1b@\x1ba\x01" + "河畔政务服务中心".encode("gb18030") + b"\n"
            + b"\x1d!\x11A023\n\x1d!\x00" + "户籍办理".encode("gb18030") + b"\n"
            + qr_store(b"hm://riverside/t/A023") + QR_PRINT + CUT)


def test_a_job_becomes_one_ticket_with_sizes_alignment_and_qr():
    printer = EscPosInterpreter()
    tickets = printer.feed(sample_job())
    assert len(tickets) == 1
    ticket = tickets[0]
    assert ticket.cut
    assert [line.text for line in ticket.lines] == ["河畔政务服务中心", "A023", "户籍办理"]
    assert ticket.largest().text == "A023"
    assert (ticket.largest().width, ticket.largest().height) == (2, 2)
    assert ticket.lines[0].align == "center"
    assert ticket.qr_codes == ["hm://riverside/t/A023"]
    assert ticket.unknown == []


def test_bytes_split_anywhere_give_the_same_ticket():
    data = sample_job()
    for cut_at in range(1, len(data)):
        printer = EscPosInterpreter()
        tickets = printer.feed(data[:cut_at]) + printer.feed(data[cut_at:])
        assert len(tickets) == 1, cut_at
        assert tickets[0].largest().text == "A023", cut_at


def test_utf8_sent_to_a_gb18030_printer_prints_garbage():
    # Why the gateway encodes Chinese text: a printer in GB18030 cannot read UTF-8.
    printer = EscPosInterpreter()
    ticket = printer.feed("户籍办理".encode("utf-8") + b"\n" + CUT)[0]
    assert ticket.lines[0].text != "户籍办理"


def test_unknown_commands_are_recorded_and_no_ticket_without_a_cut():
    printer = EscPosInterpreter()
    assert printer.feed(b"\x1b@\x1b\x99hello\n") == []
    ticket = printer.feed(CUT)[0]
    assert ticket.unknown == [b"\x1b\x99"]
    assert ticket.text() == "hello"


def test_rendered_ticket_is_a_picture_with_ink():
    ticket = EscPosInterpreter().feed(sample_job())[0]
    img = render(ticket)
    assert img.width == 384 and img.height > 150
    assert img.getextrema()[0] == 0   # some black dots were printed
