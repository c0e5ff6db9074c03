"""A simulated day: scenario -> rig -> population and faults -> invariant check -> report.

The run ends when every planned citizen has pressed, every queue is empty and no window is
serving (or when the scenario's drain time runs out), and every scheduled fault has been
repaired. Then the people stop, the invariants are checked and the report is written.
"""
import os
import shutil
import sys
import time

from gateway.engine import fold
from sim import invariants, runreport
from sim import scenario as scenariolib
from sim.faults import Schedule
from sim.population import Population, Records
from sim.rig import Rig

CHECK_EVERY_REAL_S = 1.0


class Day:
    def __init__(self, scenario, out, broker=None, gateway=True, extra_faults=(), speed=None, seed=None,
                 poll_ms=None, echo=None, bound_s=20.0, exclude=()):
        self.scenario = scenario
        if speed:
            scenario.speed = speed
        if seed is not None:
            scenario.seed = seed
        self.out = out
        run_dir = os.path.join(out, "run")
        shutil.rmtree(run_dir, ignore_errors=True)
        # the hall opens `lead_s` before the first citizen may come: time for every device
        # to boot and link (in real time at any speed), without squeezing early arrivals
        self.lead_s = max(30.0, 3.0 * scenario.speed) if scenario.services else 0.0
        self.rig = Rig(scenario.hall_path, run_dir, speed=scenario.speed, day_start=scenario.start_epoch - self.lead_s,
                       broker=broker, gateway=gateway, poll_ms=poll_ms, echo=echo,
                       only=[d for d in scenario.hall.devices if d not in exclude] if exclude else None)
        self.plan = scenariolib.arrivals(scenario)
        self.faults = list(scenario.faults) + list(extra_faults)
        self.population = None
        self.schedule = None
        self.bound_s = bound_s
        self.state = None              # the gateway's state, folded from its log at each check
        self.log = []                  # the gateway's log as of that check
        self.started_real = None

    def start(self):
        self.rig.start()
        self.started_real = time.monotonic()
        self.rig.note("scenario %s: %d arrivals planned (seed %d), %d faults"
                      % (self.scenario.name, len(self.plan), self.scenario.seed, len(self.faults)))
        late = self.rig.timebase.sim_s() - self.lead_s
        if late > 0:
            self.rig.note("the hall was ready %.0f simulated s after the day's start: early arrivals come at once" % late)
        self.population = Population(self.rig, self.scenario, self.plan, self.lead_s).start()
        self.schedule = Schedule(self.rig.injector, self.faults, self.rig.timebase, self.lead_s).start()
        return self

    def refresh(self):
        self.log = self.rig.events_in_store()      # the live view narrates its tail
        self.state = fold(self.rig.hall, self.log)
        return self.state

    def drained(self):
        """Every citizen has pressed (each press answered or judged missed), no press is still
        on its way (no printer's outbox holds one), nobody waits and no window serves. Whether
        every press got its ticket is the tickets invariant's to say, not this one's: counting
        it here too made one lost press break "drained" as well, however empty the hall."""
        state = self.state
        if state is None or not self.population.arrivals_done.is_set():
            return False
        waiting = sum(len(line) for line in state.waiting.values()) + sum(len(l) for l in state.directed.values())
        serving = any(w.status == "serving" for w in state.windows.values())
        in_flight = any(dev.outbox() for dev in self.rig.devices.devices.values() if dev.kind == "printer")
        return not waiting and not serving and not in_flight

    def horizon_s(self):
        """The latest end of the run, in the rig's simulated seconds."""
        return self.lead_s + self.scenario.arrivals_end_s + self.scenario.drain_s

    def day_s(self):
        return self.rig.timebase.sim_s() - self.lead_s

    def finished(self):
        faults_done = self.rig.timebase.sim_s() >= self.schedule.end_s() + 1
        if self.rig.timebase.sim_s() >= self.horizon_s() and faults_done:
            return True
        return faults_done and self.drained()

    def run(self, on_tick=None):
        """Until finished; on_tick(day) after each check (the live view draws there)."""
        while True:
            self.refresh()
            if on_tick:
                on_tick(self)
            if self.finished():
                break
            time.sleep(CHECK_EVERY_REAL_S)
        self.population.halt()
        self.schedule.stop.set()
        self.schedule.finish()
        self.rig.note("people gone; checking invariants")

    def check(self):
        records = self.population.records if self.population else Records()
        results = invariants.check_all(self.rig.hall, self.rig.events_in_store, self.rig.devices.devices,
                                       records, self.population is not None,
                                       self.bound_s)
        for error in self.schedule.errors if self.schedule else []:
            results.append(("faults", False, ["a fault could not be applied", error]))
        if self.population and not self.drained():
            results.append(("drained", False, ["the queues were not empty when the drain time ran out"]))
        return results

    def report(self, results):
        events = self.rig.events_in_store()
        records = self.population.records if self.population else Records()
        data = runreport.summary(self.scenario, self.plan, events, records, results, self.rig.injector.applied,
                                 time.monotonic() - self.started_real, self.rig.timebase.sim_s(),
                                 self.rig.devices.devices)
        path = runreport.write(self.out, data, results, self.rig, self.scenario, list(self.rig.events))
        return data, path

    def stop(self):
        self.rig.stop()


def run_day(scenario, out, live=False, **kwargs):
    """The whole run; returns (passed, summary dict, report path)."""
    echo = None if live else kwargs.pop("echo", None)
    kwargs.pop("echo", None)
    day = Day(scenario, out, echo=echo, **kwargs)
    view = None
    try:
        day.start()
        if live:
            from sim.live import LiveView
            view = LiveView(day).start()
        day.run(on_tick=view.update if view else None)
        if view:
            view.stop()
        results = day.check()
        data, path = day.report(results)
    finally:
        if view:
            view.stop()
        day.stop()
    return all(ok for _, ok, _ in results), data, path, results


def run_day_cli(ns, out, faults):
    if ns.scenario:
        scenario = scenariolib.load(ns.scenario, ns.hall)
    else:
        scenario = scenariolib.quiet(ns.hall, ns.duration or 300.0)
    echo = None if ns.quiet else (lambda text: print(text, flush=True))
    print("hallmesh sim: %s on hall %s, speed x%g, out %s" % (scenario.name, scenario.hall.id,
                                                            ns.speed or scenario.speed, out), flush=True)
    passed, data, path, results = run_day(scenario, out, live=ns.live, broker=ns.broker, gateway=not ns.no_gateway,
                                          extra_faults=faults, speed=ns.speed, seed=ns.seed, poll_ms=ns.poll_ms,
                                          echo=echo, exclude=ns.exclude)
    print(invariants.format_results(results))
    print("report: %s" % path)
    sys.stdout.flush()
    return 0 if passed else 1
