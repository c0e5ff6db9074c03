"""`hallmesh devices add|list|remove|import|broker-files`: enrolment gives each device its place
in the hall and a password of its own, and every mistake is named with its fix."""
import os
import stat

import pytest

from gateway import cli
from gateway.fleet import broker_auth
from gateway.fleet.registry import Registry
from tests.e2e.conftest import HALL_FILE


@pytest.fixture
def fleet(tmp_path):
    return str(tmp_path / "fleet.db")


def devices(*args):
    return cli.main(["devices", *args])


def test_add_gives_a_place_and_a_password_of_its_own(fleet, capsys):
    assert devices("add", "--kind", "rating-pad", "--window", "5", "--hall", HALL_FILE, "--fleet", fleet) == 0
    assert "enrolled pad-5: pad at window 5, board hm-pad-v1" in capsys.readouterr().out
    assert devices("add", "--kind", "printer", "--fleet", fleet) == 0        # the hall is remembered
    assert "enrolled printer-1: printer at hall" in capsys.readouterr().out
    registry = Registry(fleet)
    pad, printer = registry.get("pad-5"), registry.get("printer-1")
    assert len(pad.password) >= 20 and pad.password != printer.password
    assert stat.S_IMODE(os.stat(fleet).st_mode) == 0o600, "the passwords are readable by their owner only"


@pytest.mark.parametrize("args, named", [
    (["--kind", "toaster"], "unknown kind 'toaster'"),
    (["--kind", "pad"], "give --window"),
    (["--kind", "printer", "--window", "2"], "leave out the window"),
    (["--kind", "pad", "--window", "42"], "window 42 is not a window of hall riverside"),
    (["--kind", "pad", "--window", "two"], "window must be a window number"),
    (["--kind", "pad", "--window", "1", "--board", "hm-printer-v1"], "board hm-printer-v1 is for a printer"),
    (["--kind", "pad", "--window", "1", "--id", "hallmesh-gw"], "may not start with 'hallmesh-'"),
])
def test_enrolment_mistakes_are_named(fleet, capsys, args, named):
    assert devices("add", *args, "--hall", HALL_FILE, "--fleet", fleet) == 2
    assert named in capsys.readouterr().err


def test_a_window_holds_one_pad_and_a_removed_id_is_never_reused(fleet, capsys):
    assert devices("add", "--kind", "pad", "--window", "3", "--hall", HALL_FILE, "--fleet", fleet) == 0
    assert devices("add", "--kind", "pad", "--window", "3", "--fleet", fleet) == 2
    assert "window 3 already has a pad (pad-3): remove it first" in capsys.readouterr().err
    assert devices("remove", "pad-3", "--fleet", fleet) == 0
    assert "broker-files" in capsys.readouterr().out
    assert devices("remove", "pad-3", "--fleet", fleet) == 2
    assert "was removed" in capsys.readouterr().err
    assert devices("add", "--kind", "pad", "--window", "3", "--id", "pad-3", "--fleet", fleet) == 2
    assert "already taken" in capsys.readouterr().err
    assert devices("list", "--all", "--fleet", fleet) == 0
    assert "removed" in capsys.readouterr().out


def test_a_csv_batch_enrols_every_row_or_names_each_bad_one(fleet, tmp_path, capsys):
    good = tmp_path / "today.csv"
    good.write_text("kind,window,board\nrating-pad,1,hm-pad-v1\ncall-display,1,hm-display-v1\nprinter,,\n")
    assert devices("import", str(good), "--hall", HALL_FILE, "--fleet", fleet) == 0
    assert "3 device(s) enrolled" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,colour\npad,red\n")
    assert devices("import", str(bad), "--fleet", fleet) == 2
    assert "colour" in capsys.readouterr().err
    assert [d.id for d in Registry(fleet).list()] == ["pad-1", "display-1", "printer-1"]


def test_broker_files_let_each_device_write_only_its_own_topics(fleet, tmp_path):
    assert devices("import", HALL_FILE, "--fleet", fleet) == 0
    out = tmp_path / "broker"
    assert devices("broker-files", "--fleet", fleet, "--out", str(out), "--listen", "127.0.0.1:1884") == 0
    acl = (out / "acl").read_text()
    block = acl.split("user pad-3\n")[1].split("\n\n")[0].splitlines()
    assert block == ["topic write hm/riverside/dev/pad-3/evt", "topic write hm/riverside/dev/pad-3/state",
                     "topic read hm/riverside/dev/pad-3/#", "topic read hm/riverside/gw/state"]
    lines = dict(line.split(":", 1) for line in (out / "passwd").read_text().splitlines())
    registry = Registry(fleet)
    assert broker_auth.verify(registry.get("pad-3").password, lines["pad-3"])
    assert not broker_auth.verify("guess", lines["pad-3"])
    conf = (out / "mosquitto.conf").read_text()
    assert "allow_anonymous false" in conf and "use_username_as_clientid true" in conf
    assert devices("broker-files", "--fleet", fleet, "--listen", "nowhere") == 2
