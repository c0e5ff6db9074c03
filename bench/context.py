"""What the benchmarks of one run share: the size preset, one Mosquitto, the floor measured
in this run, a work folder, and the synthetic year of history (made once, used twice)."""
import os
import shutil
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HALL_FILE = os.path.join(REPO, "halls", "example.toml")

# sizes: the full run aims at ~5 minutes on 2 cores, --quick at under a minute
FULL = {"floor_samples": 400, "per_key": 80, "days": 300, "repeats": 3, "latency_samples": 60,
        "scale_max": 130, "memory_events": 400, "day_minutes": 480, "city_halls": (1, 4, 10)}
QUICK = {"floor_samples": 100, "per_key": 15, "days": 15, "repeats": 1, "latency_samples": 12,
         "scale_max": 10, "memory_events": 60, "day_minutes": 60, "city_halls": (1, 2)}


class Context:
    def __init__(self, quick=False, workdir=None):
        self.quick = quick
        self.size = dict(QUICK if quick else FULL)
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="hm-bench-")
        self.hall_file = HALL_FILE
        self._broker = None
        self._floor = None
        self._history = None

    @property
    def broker(self):
        """One Mosquitto on a free port for the whole run, started on first use."""
        if self._broker is None:
            from tests.support.broker import Mosquitto
            self._broker = Mosquitto().start()
        return self._broker

    @property
    def port(self):
        return self.broker.port

    def floor(self):
        """The broker's own QoS 1 round trip with paho, measured once per run."""
        if self._floor is None:
            from bench.floor import broker_round_trip
            self._floor = broker_round_trip(self.port, self.size["floor_samples"])
        return self._floor

    def history(self):
        """(db path, summary) of a store holding the synthetic busy year."""
        if self._history is None:
            from bench.history import write_year
            path = os.path.join(self.workdir, "year.db")
            self._history = (path, write_year(self.hall_file, path, days=self.size["days"]))
        return self._history

    def path(self, name):
        return os.path.join(self.workdir, name)

    def close(self):
        if self._broker is not None:
            self._broker.stop()
            self._broker = None
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
