"""The lean engine's mutable records: decisions, patients and arms (slotted classes)."""

from __future__ import annotations

ENROLLING, AWAITING, CLOSED = 0, 1, 2


class Decision:
    """A decision with the fields of :class:`dartnk.trial.decisions.Decision` (a plain slotted
    class: creating frozen dataclasses dominated the cost of a simulated screening)."""

    __slots__ = ("kind", "day", "reason", "id", "requires_committee", "construct", "level", "patient_id",
                 "n_patients", "action")

    def __init__(self, kind, day, reason, id="", requires_committee=False, construct=None, level=None,
                 patient_id=None, n_patients=None, action=None):
        self.kind, self.day, self.reason, self.id = kind, day, reason, id
        self.requires_committee, self.construct, self.level = requires_committee, construct, level
        self.patient_id, self.n_patients, self.action = patient_id, n_patients, action


class _Patient:
    __slots__ = ("pid", "arm", "level", "expansion", "cohort", "assigned", "product", "product_day", "day0",
                 "infusions", "dlt", "window_closed", "off", "replaced", "response", "persistence")

    def __init__(self, pid, arm, level, expansion, cohort, assigned):
        self.pid, self.arm, self.level, self.expansion, self.cohort, self.assigned = pid, arm, level, expansion, cohort, assigned
        self.product = self.product_day = self.day0 = self.response = None
        self.infusions = 0
        self.dlt = self.window_closed = self.replaced = False
        self.off = None
        self.persistence = []

    @property
    def treated(self):
        return self.day0 is not None

    @property
    def resolved(self):
        return self.window_closed or self.off is not None


class _Arm:
    __slots__ = ("construct", "status", "level", "tallies", "c_number", "c_level", "c_size", "c_pids", "c_stagger",
                 "open_since", "mtd", "load", "active")

    def __init__(self, construct, start, n_levels, size, stagger):
        self.construct, self.status, self.level = construct, ENROLLING, start
        self.tallies = [[0, 0] for _ in range(n_levels)]
        self.c_number, self.c_level, self.c_size, self.c_pids, self.c_stagger = 1, start, size, [], stagger
        self.open_since, self.mtd, self.load = 0, None, 0
        self.active = 0  # patients of the current cohort not replaced
