"""A small driver for engine tests: apply events, collect decisions."""

from __future__ import annotations

from dartnk.trial import apply, initial_state
from dartnk.trial import events as ev
from dartnk.trial.decisions import DecisionKind as K


class Driver:
    def __init__(self, protocol, state=None):
        self.p = protocol
        self.s = state if state is not None else initial_state(protocol)
        self.log = []

    def __call__(self, event):
        self.s, ds = apply(self.p, self.s, event)
        self.log += ds
        return ds

    def kinds(self, ds):
        return [d.kind for d in ds]

    def screen(self, day, pid, constructs=("DLL3-CD56",)):
        return self(ev.PatientScreened(day, pid, True, tuple(constructs)))

    def release(self, day, pid):
        return self(ev.ProductManufactured(day, pid, ev.ManufacturingOutcome.RELEASED))

    def dose_all(self, day0, pid, days=(0, 7, 14)):
        out = []
        for d in days:
            out += self(ev.Infused(day0 + d, pid))
        return out

    def treat(self, pid, day0, dlt=False, window=28):
        """Release, 3 infusions, optional DLT, close the window; returns decisions of the close."""
        self.release(day0, pid)
        self.dose_all(day0, pid)
        if dlt:
            self(ev.DltAdjudicated(day0 + 3, pid, True))
        return self(ev.DltWindowClosed(day0 + window - 1, pid))

    def approve_all(self, day):
        out = []
        while self.s.pending:
            out += self(ev.CommitteeDecision(day, self.s.pending[0].id))
        return out

    def run_cohort(self, construct, pids, start_day, dlts=(), sentinel_days=7):
        """Screen, dose (sentinel first), close windows for one cohort; returns the close decisions."""
        for pid in pids:
            self.screen(start_day, pid, (construct,))
        out = []
        for i, pid in enumerate(pids):
            day0 = start_day + (0 if i == 0 else sentinel_days)
            self.release(start_day, pid)
            self.dose_all(day0, pid)
            if pid in dlts:
                self(ev.DltAdjudicated(day0 + 2, pid, True))
        last = start_day + sentinel_days + 27
        for i, pid in enumerate(pids):
            day0 = start_day + (0 if i == 0 else sentinel_days)
            out += self(ev.DltWindowClosed(max(day0 + 27, last if i == len(pids) - 1 else day0 + 27), pid))
        return out


def of_kind(ds, kind):
    return [d for d in ds if d.kind == kind]


__all__ = ["Driver", "of_kind", "K", "ev"]
