"""Files as offices produce them: hall files and bookings saved as GBK/GB18030 (Excel and
Notepad on a Chinese Windows), UTF-8 with a byte-order mark, UTF-16 "Unicode text", CRLF line
ends; a damaged store and another application's SQLite file, refused and left untouched."""
import codecs
import os
import shutil
import sqlite3

import pytest

from gateway import bookings, cli, config, textfile
from gateway.store import StoreError, open_store
from tests.gateway.hall_fixture import HALL_TOML, small_hall

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZH_HALL = os.path.join(REPO, "halls", "example-zh.toml")


def zh_hall_text():
    with open(ZH_HALL, encoding="utf-8") as f:
        return f.read()


@pytest.mark.parametrize("codec, bom, newline", [
    ("gb18030", b"", "\r\n"), ("gbk", b"", "\n"), ("utf-8", codecs.BOM_UTF8, "\r\n"),
    ("utf-8", b"", "\r\n"), ("utf-16-le", codecs.BOM_UTF16_LE, "\r\n")])
def test_the_chinese_hall_file_reads_the_same_in_every_office_encoding(tmp_path, codec, bom, newline):
    expected = config.load(ZH_HALL)
    path = tmp_path / "hall.toml"
    path.write_bytes(bom + zh_hall_text().replace("\n", newline).encode(codec))
    hall = config.load(path)
    assert hall.name == expected.name == "河畔政务服务中心"
    assert [s.name for s in hall.services.values()] == [s.name for s in expected.services.values()]
    assert hall.devices == expected.devices


def test_a_toml_error_in_a_gbk_file_names_the_encoding_it_was_read_in(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_bytes(zh_hall_text().replace('name = "户籍办理"', 'name = 户籍办理').encode("gbk"))
    with pytest.raises(config.ConfigError, match=r"not valid TOML \(read as GB18030/GBK\)"):
        config.load(path)


def test_a_file_in_no_office_encoding_is_refused_naming_what_was_tried(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_bytes(b'[hall]\nid = "x"\nname = "\x80\xff"\n')     # 0x80 and 0xFF begin no GB18030 character
    with pytest.raises(config.ConfigError) as err:
        config.load(path)
    text = str(err.value)
    assert str(path) in text and "UTF-8" in text and "GB18030" in text and "0x80" in text


def test_a_bom_that_lies_is_named():
    with pytest.raises(textfile.EncodingError, match="UTF-8 with BOM"):
        textfile.decode(codecs.BOM_UTF8 + "名".encode("gbk"))


BOOKINGS = "code,service,time,name\nX7K2,A,2026-11-23 10:00,张三\nK9,A,2026-11-23 11:00,李四\n"


@pytest.mark.parametrize("codec, bom, newline, sep", [
    ("gb18030", b"", "\r\n", ","), ("utf-8", codecs.BOM_UTF8, "\r\n", ","), ("gbk", b"", "\n", ","),
    ("utf-16-le", codecs.BOM_UTF16_LE, "\r\n", "\t")])
def test_bookings_saved_by_excel_read_correctly(tmp_path, codec, bom, newline, sep):
    path = tmp_path / "bookings.csv"
    path.write_bytes(bom + BOOKINGS.replace(",", sep).replace("\n", newline).encode(codec))
    cmds, problems = bookings.read_csv(small_hall(), path)
    assert problems == []
    assert [(cmd["code"], cmd["name"]) for _, cmd in cmds] == [("X7K2", "张三"), ("K9", "李四")]


def test_bookings_with_chinese_column_names(tmp_path):
    path = tmp_path / "bookings.csv"
    path.write_bytes("预约号,业务,预约时间,姓名\r\nX7K2,A,2026-11-23 10:00,张三\r\n".encode("gb18030"))
    cmds, problems = bookings.read_csv(small_hall(), path)
    assert problems == [] and cmds[0][1]["code"] == "X7K2" and cmds[0][1]["name"] == "张三"


def test_bookings_in_no_office_encoding_are_refused_by_the_command(tmp_path, capsys):
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(HALL_TOML)
    path = tmp_path / "bookings.csv"
    path.write_bytes(b"code,service,time\nX\x80\xff,A,2026-11-23 10:00\n")
    assert cli.main(["appointments", "import", str(path), "--hall", str(hall_file),
                     "--db", str(tmp_path / "hall.db")]) == 2
    err = capsys.readouterr().err
    assert "bookings.csv" in err and "GB18030" in err and "Traceback" not in err


def test_missing_columns_show_the_header_as_read(tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes("编号,业务\r\nX,A\r\n".encode("gbk"))
    with pytest.raises(bookings.BookingError, match=r"read as GB18030/GBK is 编号, service"):
        bookings.read_csv(small_hall(), path)


# --- stores that are not ours, or damaged -----------------------------------------------------

def a_store_with_events(path, count=400):
    with open_store(path) as store:
        store.append([{"type": "ticket_printed", "at": 1.0e9 + n, "device": "printer-1",
                       "no": "A%03d" % (n % 1000), "ok": True, "why": "x" * 200} for n in range(count)])
    # a closed store is a single file (WAL checkpointed), as a copy from a backup would be
    assert not os.path.exists(str(path) + "-wal") or os.path.getsize(str(path) + "-wal") == 0


def corrupt_middle(path):
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.seek(size // 2)
        f.write(b"\xde\xad\xbe\xef" * 1024)


def refused_untouched(path, *expected):
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        open_store(path)
    assert path.read_bytes() == before, "a refused file must be left byte for byte"
    for word in expected:
        assert word in str(err.value)
    return str(err.value)


def test_a_store_damaged_mid_file_is_named_and_left_untouched(tmp_path):
    path = tmp_path / "hall.db"
    a_store_with_events(path)
    corrupt_middle(path)
    refused_untouched(path, str(path), "damaged", "left untouched", "backup")


def test_another_applications_sqlite_file_gets_no_hallmesh_tables(tmp_path):
    path = tmp_path / "accounts.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    db.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    db.commit()
    db.close()
    refused_untouched(path, "another application", "invoices", "left untouched")
    db = sqlite3.connect(path)
    assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["invoices"]
    db.close()


def test_a_file_that_is_no_sqlite_at_all_is_named(tmp_path):
    path = tmp_path / "hall.db"
    path.write_bytes("code,service\nX,A\n".encode())
    refused_untouched(path, "not an SQLite database")


def test_the_report_and_the_gateway_give_the_message_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "hall.db"
    a_store_with_events(path)
    corrupt_middle(path)
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(HALL_TOML)
    assert cli.main(["report", "--hall", str(hall_file), "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "Traceback" not in err


def test_a_healthy_store_and_a_new_empty_file_still_open(tmp_path):
    path = tmp_path / "hall.db"
    a_store_with_events(path, 3)
    shutil.copy(path, tmp_path / "copy.db")
    with open_store(tmp_path / "copy.db") as store:
        assert store.count_events() == 3
    (tmp_path / "empty.db").write_bytes(b"")
    with open_store(tmp_path / "empty.db") as store:
        assert store.count_events() == 0
