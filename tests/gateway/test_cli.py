"""The hallmesh command line: report tables, argument errors, the lazy sim subcommand."""
import sys
import types

import pytest

from gateway import cli
from gateway.engine import commands as c, execute, new_state
from gateway.store import open_store
from tests.gateway.hall_fixture import HALL_TOML, T0, small_hall


@pytest.fixture
def hall_file(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_text(HALL_TOML)
    return path


def fill(db_path):
    state = new_state(small_hall())
    script = [c.issue("A", "printer-1"), c.issue("A", "printer-1"), c.issue("B", "printer-1"),
              c.call(1), c.finish(1), c.rate(1, 5, "A001", T0 + 5), c.rate(1, 5, "A001", T0 + 6),
              c.call(1), c.skip(1), c.call(2), c.finish(2), c.rate(2, 2, "B001", T0 + 11)]
    with open_store(db_path) as store:
        for n, cmd in enumerate(script):
            store.append(execute(state, cmd, T0 + n))


def test_report_prints_services_and_windows(tmp_path, hall_file, capsys):
    fill(tmp_path / "hall.db")
    assert cli.main(["report", "--hall", str(hall_file), "--db", str(tmp_path / "hall.db")]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    service_a = next(line for line in lines if line.startswith("A "))
    assert service_a.split()[-6:] == ["2", "1", "1", "0", "0", "0"]   # issued served no-show serving waiting expired
    window_1 = next(line for line in lines if line.strip().startswith("1 "))
    assert window_1.split() == ["1", "1", "1", "1", "100.0", "%", "1"]
    window_2 = next(line for line in lines if line.strip().startswith("2 "))
    assert window_2.split() == ["2", "1", "0", "1", "0.0", "%", "0"]
    assert "already_rated 1" in out


def test_report_without_a_store_says_so(tmp_path, hall_file, capsys):
    assert cli.main(["report", "--hall", str(hall_file), "--db", str(tmp_path / "none.db")]) == 2
    assert "no store at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_a_bad_broker_address_is_a_usage_error(hall_file, capsys):
    with pytest.raises(SystemExit):
        cli.main(["gateway", "--hall", str(hall_file), "--db", "x.db", "--broker", "localhost"])
    assert "expected HOST:PORT" in capsys.readouterr().err


def test_sim_gets_its_arguments_untouched(monkeypatch):
    seen = []
    fake = types.ModuleType("sim.cli")
    fake.main = lambda args: seen.append(args) or 0
    import sim
    monkeypatch.setitem(sys.modules, "sim.cli", fake)
    monkeypatch.setattr(sim, "cli", fake, raising=False)
    assert cli.main(["sim", "--hall", "h.toml", "--broker", "127.0.0.1:1"]) == 0
    assert seen == [["--hall", "h.toml", "--broker", "127.0.0.1:1"]]


def test_sim_missing_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sim.cli", None)      # makes the import fail
    assert cli.main(["sim"]) == 2
    assert "simulator is not available" in capsys.readouterr().err
