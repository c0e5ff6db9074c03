"""`hallmesh devices add|list|remove|import|broker-files`: enrolment gives each device its place
in the hall and a password of its own, and every mistake is named with its fix."""
import json
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


def test_a_csv_with_bad_rows_names_each_by_line_and_enrols_none(fleet, tmp_path, capsys):
    bad = tmp_path / "mixed.csv"
    bad.write_text("kind,window,board\npad,2,\ntoaster,3,\n# spare\npad,2,\nprinter,,hm-nope-v1\n")
    assert devices("import", str(bad), "--hall", HALL_FILE, "--fleet", fleet) == 2
    err = capsys.readouterr().err
    assert "nothing enrolled, fix these and run again" in err
    assert "row 3: unknown kind 'toaster'" in err
    assert "row 5: window 2 already has a pad (pad-2)" in err, "a clash inside the file counts too"
    assert "row 6: no board file" in err and "hm-nope-v1" in err
    assert "row 2" not in err
    assert Registry(fleet).list() == []


def test_list_shows_board_firmware_birth_and_signal_as_the_gateway_saw_them(fleet, capsys):
    assert devices("import", HALL_FILE, "--fleet", fleet) == 0
    registry = Registry(fleet)
    birth = {"on": True, "fw": "0.3.0", "board": "hm-printer-v1", "heap": 91000, "rssi": -61, "ses": 4}
    assert registry.update_presence("printer-1", birth, True, at=1_700_000_000.0)
    assert registry.update_presence("pad-3", dict(birth, board="hm-display-v1"), True, at=1_700_000_000.0)
    assert registry.update_presence("pad-3", {"on": False, "ses": 4}, False, at=1_700_000_100.0)
    assert not registry.update_presence("printer-1", {"on": False, "ses": 3}, False, at=1_700_000_200.0), \
        "the late will of an earlier boot does not take a live device offline"
    assert not registry.update_presence("pad-99", birth, True, at=1.0)
    capsys.readouterr()
    assert devices("list", "--fleet", fleet) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["printer-1"].split()[3:6] == ["hm-printer-v1", "0.3.0", "yes"]
    assert rows["printer-1"].split()[-2:] == ["91000", "-61"]
    assert "hm-pad-v1!(hm-display-v1)" in rows["pad-3"] and " no " in rows["pad-3"]
    assert "never seen" in rows["pad-1"]
    assert devices("list", "--json", "--fleet", fleet) == 0
    listed = json.loads(capsys.readouterr().out)
    assert all("password" not in d for d in listed), "passwords never leave the registry this way"


def test_a_mistyped_registry_is_named_not_taken_for_an_empty_hall(tmp_path, capsys):
    typo = str(tmp_path / "flet.db")
    for verb in (["list"], ["remove", "pad-1"], ["broker-files", "--out", str(tmp_path / "b")]):
        assert devices(*verb, "--fleet", typo) == 2
        assert "no device registry at %s: check --fleet" % typo in capsys.readouterr().err
    assert not os.path.exists(typo)
    assert devices("add", "--kind", "pad", "--window", "1", "--fleet", typo) == 2
    assert "which hall? pass --hall" in capsys.readouterr().err
