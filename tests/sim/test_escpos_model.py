"""The simulated thermal printer reads ESC/POS as a real receipt printer does, and says what a
real one would have ignored, garbled or broken."""
from sim.escpos_model import EscPosInterpreter, for_board
from sim.render.ticket import render


def qr_store(data):
    return b"\x1d(k" + bytes([len(data) + 3, 0, 49, 80, 48]) + data


QR_PRINT = b"\x1d(k\x03\x00" + bytes([49, 81, 48])
CUT = b"\x1dVB\x00"


def sample_job():
    return (b"\x1b@\x1c&\x1ba\x01" + "河畔政务服务中心".encode("gb18030") + b"\n"
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
    assert ticket.unknown == [] and ticket.problems == []


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
    assert ticket.problems == ["unknown command 1b 99"]
    assert ticket.text() == "hello"


def test_rendered_ticket_is_a_picture_with_ink():
    ticket = EscPosInterpreter().feed(sample_job())[0]
    img = render(ticket)
    assert img.width == 384 and img.height > 150
    assert img.getextrema()[0] == 0   # some black dots were printed


def test_gb_bytes_without_chinese_mode_print_as_symbols():
    job = b"\x1b@" + "户籍办理".encode("gb18030") + b"\n" + CUT
    ticket = EscPosInterpreter().feed(job)[0]
    assert ticket.lines[0].text != "户籍办理" and len(ticket.lines[0].text) == 8
    assert "without Chinese mode" in ticket.problems[0]
    # ESC @ ends the mode FS & set: it must come again after every initialise
    again = EscPosInterpreter().feed(b"\x1b@\x1c&\x1b@" + "户籍".encode("gb18030") + b"\n" + CUT)[0]
    assert again.lines[0].text != "户籍" and again.problems
    china = EscPosInterpreter(starts_chinese=True).feed(job)[0]
    assert china.lines[0].text == "户籍办理" and china.problems == [], "a printer that starts in GB mode"


def test_alignment_mid_line_is_ignored():
    ticket = EscPosInterpreter().feed(b"\x1b@ab\x1ba\x01cd\n\x1ba\x02ef\n" + CUT)[0]
    assert [(line.text, line.align) for line in ticket.lines] == [("abcd", "left"), ("ef", "right")]
    assert ticket.problems == ["ESC a in the middle of a line: ignored"]


def test_the_cut_modes_take_their_own_number_of_bytes():
    for cut, rest in ((b"\x1dV\x00", b""), (b"\x1dV1", b""), (b"\x1dVA\x03", b""), (b"\x1dVB\x05", b"")):
        printer = EscPosInterpreter()
        tickets = printer.feed(b"x\n" + cut + b"next\n" + b"\x1dV\x00")
        assert [t.text() for t in tickets] == ["x", "next"], cut
        assert all(t.problems == [] for t in tickets), cut
    # a 3-byte mode 65 swallows the first byte of what follows as its feed count
    tickets = EscPosInterpreter().feed(b"x\n\x1dVAnext\n\x1dV\x00")
    assert tickets[1].text() == "ext"


def test_a_line_longer_than_the_paper_is_broken_where_the_paper_ends():
    long_name = "Residence permits and household registration"        # 44 characters
    ticket = EscPosInterpreter(columns=32).feed(b"\x1b@" + long_name.encode() + b"\n" + CUT)[0]
    assert [line.text for line in ticket.lines] == [long_name[:32], long_name[32:]]
    assert ticket.problems == ["a line longer than 32 columns: broken by the printer"]
    wide = EscPosInterpreter(columns=48).feed(b"\x1b@" + long_name.encode() + b"\n" + CUT)[0]
    assert wide.problems == [] and wide.lines[0].text == long_name
    cjk = EscPosInterpreter(columns=32, starts_chinese=True).feed(("户" * 17).encode("gb18030") + b"\n" + CUT)[0]
    assert [len(line.text) for line in cjk.lines] == [16, 1], "a CJK character takes two columns"
    big = EscPosInterpreter(columns=32).feed(b"\x1d!\x33" + b"A0123456\n" + CUT)[0]
    assert [line.text for line in big.lines] == ["A0123456"] and big.problems == [], "8 at width 4 fit 32"
    bigger = EscPosInterpreter(columns=32).feed(b"\x1d!\x33" + b"A01234567\n" + CUT)[0]
    assert bigger.problems and bigger.lines[1].text == "7"


def test_a_board_file_says_which_printer_it_has():
    narrow = for_board({"printer": {"uart": 1}})
    assert (narrow.columns, narrow.starts_chinese) == (32, False)
    wide = for_board({"printer": {"uart": 1, "paper_mm": 80, "fs_and": False}})
    assert (wide.columns, wide.starts_chinese) == (48, True)


def test_the_firmwares_tickets_print_clean_on_both_papers():
    """The device's own ESC/POS, read by this model: no problem on 58 or 80 mm, Chinese or not."""
    import base64
    from sim import firmware_path
    firmware_path.install()
    from drivers import escpos
    name = "户籍办理和居住证明业务窗口一二三四五六"
    ticket = {"no": "A023", "name": name, "hall": "Riverside", "ahead": 3, "wait": [5, 9], "url": "https://q/t/A023",
              "info": "3 ahead, wait 5-9 minutes, please take a seat and watch the display",
              "gb": {"name": base64.b64encode(name.encode("gb18030")).decode()}}
    for cols in (32, 48):
        paper = EscPosInterpreter(columns=cols)
        escpos.ticket(paper, ticket, cols)
        printed = paper.tickets[0]
        assert printed.problems == [] and printed.unknown == [], (cols, printed.problems)
        assert "".join(line.text for line in printed.lines if name[0] in line.text or name[-1] in line.text) == name
        assert printed.largest().text == "A023" and printed.qr_codes == ["https://q/t/A023"]
