"""Noticing a step of the wall clock: the wall clock compared with a clock that never steps
(time.monotonic), and at start with the latest event of the log."""

CLOCK_STEP_S = 120.0         # the wall clock moving this much more or less than real time is a step


class ClockWatch:
    def __init__(self, monotonic):
        """monotonic None: nothing to compare with (a simulated clock), no step is ever seen."""
        self.monotonic = monotonic
        self._offset_s = None        # wall clock minus monotonic clock at the latest look

    def look(self, now, last_event_at):
        """(step_s, how) if the wall clock `now` stepped since the last look, else None. At the
        first look: a clock behind the log's latest event stepped back while the gateway was
        down (a box that boots before NTP, an RTC reset)."""
        if self.monotonic is None:
            return None
        offset = now - self.monotonic()
        previous, self._offset_s = self._offset_s, offset
        if previous is None:
            behind_s = last_event_at - now
            return (-behind_s, "behind the latest event in the log") if behind_s > CLOCK_STEP_S else None
        step_s = offset - previous
        return (step_s, "since the last look") if abs(step_s) > CLOCK_STEP_S else None
