"""flash.sh needs LittleFS on the board (docs/technician.md, "Flash wear and the file system"):
a FAT board is refused with the fix before anything is copied, whether the board's MicroPython
lists its mounts (1.23 and later) or not; a LittleFS board is taken (its full flash, start to
birth, is tests/fleet/test_flash_e2e.py)."""
import os

import pytest

from gateway.fleet.board import Board
from sim.rawrepl_board import RawReplBoard
from tests.fleet.test_flash_e2e import HOST_UMQTT, flash, hall_site, site_args  # noqa: F401 (fixtures)


@pytest.mark.parametrize("version", [(1, 24, 1), (1, 22, 0)])
def test_a_board_with_a_fat_file_system_is_refused_with_the_fix(site_args, tmp_path, version):  # noqa: F811
    flash_dir = tmp_path / "fat"
    with RawReplBoard(str(flash_dir), version=version, filesystem="fat") as board:
        code, out = flash("--port", board.port, "--device", "pad-5", *site_args, "--umqtt-dir", HOST_UMQTT,
                          "--no-wait")
    assert code == 1, out
    assert "the board at %s has a FAT file system, not LittleFS" % board.port in out
    assert "--micropython" in out and "erases the flash" in out
    assert not os.listdir(flash_dir), "nothing was copied"


@pytest.mark.parametrize("version", [(1, 24, 1), (1, 22, 0)])
def test_the_probe_tells_littlefs_from_fat(tmp_path, version):
    for filesystem, name in (("littlefs", "VfsLfs2"), ("fat", "VfsFat")):
        flash_dir = tmp_path / ("%s-%d%d" % (filesystem, version[0], version[1]))
        with RawReplBoard(str(flash_dir), version=version, filesystem=filesystem) as board:
            probe = Board(board.port, timeout=20).probe()
        assert probe.filesystem == name and probe.littlefs is (filesystem == "littlefs")
        assert not os.listdir(flash_dir), "the probe leaves no file behind"
