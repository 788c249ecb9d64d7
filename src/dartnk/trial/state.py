"""The trial's state: immutable snapshots, one per event.

Dose levels are 0-based indices into ``protocol.dose_levels`` inside the state (the decisions name
them by id). Mappings are never mutated: every transition builds new objects (copy on write).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping

from dartnk.trial.decisions import Decision
from dartnk.trial.events import BestResponse, ManufacturingOutcome


class Phase(str, Enum):
    ESCALATION = "escalation"
    SELECTION = "selection"
    EXPANSION = "expansion"
    CLOSED = "closed"


class ArmStatus(str, Enum):
    ENROLLING = "enrolling"                  # a cohort is open (slots may be full, windows running)
    AWAITING_COMMITTEE = "awaiting_committee"  # the cohort is complete; the 3+3 step awaits sign-off
    CLOSED = "closed"


class Stage(str, Enum):
    ESCALATION = "escalation"
    EXPANSION = "expansion"


@dataclass(frozen=True)
class PatientState:
    """One enrolled patient (assigned to an arm). Days are trial-calendar days."""

    patient_id: str
    construct: str
    level: int
    stage: Stage
    cohort: int                      # cohort number within the arm (0 in the expansion)
    assigned_day: int
    sentinel: bool = False
    product: ManufacturingOutcome | None = None
    product_day: int | None = None
    day0: int | None = None
    infusions: int = 0
    dlt: bool = False
    window_closed: bool = False
    off_study_day: int | None = None
    replaced: bool = False           # removed from the cohort's count (never dosed or not evaluable)
    best_response: BestResponse | None = None
    persistence: tuple[tuple[int, float], ...] = ()

    @property
    def treated(self) -> bool:
        return self.day0 is not None

    @property
    def resolved(self) -> bool:
        """The DLT window is over for this patient (closed, or they left the study)."""
        return self.window_closed or self.off_study_day is not None


@dataclass(frozen=True)
class Cohort:
    """The cohort in progress in an arm: ``size`` evaluable patients are needed at ``level``."""

    number: int
    level: int
    size: int
    patient_ids: tuple[str, ...] = ()
    staggered: bool = True
    opened_day: int = 0


@dataclass(frozen=True)
class LevelTally:
    """Evaluable patients treated and DLTs among them at one dose level (the 3+3 counts)."""

    treated: int = 0
    dlts: int = 0


@dataclass(frozen=True)
class ArmState:
    construct: str
    status: ArmStatus
    current_level: int
    tallies: tuple[LevelTally, ...]
    cohort: Cohort | None
    cohorts_completed: int = 0
    mtd_level: int | None = None
    close_reason: str = ""
    open_since: int | None = None    # day its slots last opened (for the longest-waiting policy)


@dataclass(frozen=True)
class WaitlistEntry:
    patient_id: str
    since_day: int
    constructs: tuple[str, ...]


@dataclass(frozen=True)
class ExpansionState:
    construct: str
    level: int
    size: int                        # patients to treat (capped by max_participants)
    patient_ids: tuple[str, ...] = ()
    stopped: str | None = None       # "toxicity" / "futility" once effective


@dataclass(frozen=True)
class TrialState:
    """A snapshot of the whole trial. Build the first with :func:`initial_state`."""

    phase: Phase
    arms: tuple[ArmState, ...]
    patients: Mapping[str, PatientState] = field(default_factory=dict)
    waitlist: tuple[WaitlistEntry, ...] = ()
    pending: tuple[Decision, ...] = ()
    expansion: ExpansionState | None = None
    selected: str | None = None
    selection_reason: str = ""
    day: int = 0
    seq: int = 0                     # proposals issued (numbers their ids)
    arrived: int = 0
    screened: int = 0
    screen_failures: int = 0
    refused: int = 0
    lost_to_wait: int = 0
    last_assigned: str | None = None  # construct, for round robin
    close_reason: str = ""

    def arm(self, construct: str) -> ArmState:
        for a in self.arms:
            if a.construct == construct:
                return a
        raise KeyError(construct)

    @property
    def committed(self) -> int:
        """Participants treated or assigned and still headed for treatment (counts against the cap)."""
        return sum(1 for p in self.patients.values() if p.treated or not (p.replaced or p.off_study_day is not None))

    @property
    def treated(self) -> int:
        return sum(1 for p in self.patients.values() if p.treated)

    @property
    def total_dlts(self) -> int:
        return sum(1 for p in self.patients.values() if p.dlt)


def initial_state(protocol) -> TrialState:
    """Every arm enrolling its first cohort at the start level (``cohort_size`` patients)."""
    esc = protocol.escalation
    start = protocol.level_index(esc.start_level)
    n_levels = len(protocol.dose_levels)
    arms = tuple(
        ArmState(construct=c.id, status=ArmStatus.ENROLLING, current_level=start,
                 tallies=tuple(LevelTally() for _ in range(n_levels)),
                 cohort=Cohort(number=1, level=start, size=esc.cohort_size, staggered=esc.stagger.sentinel_days > 0),
                 open_since=0)
        for c in protocol.constructs)
    return TrialState(phase=Phase.ESCALATION, arms=arms)
