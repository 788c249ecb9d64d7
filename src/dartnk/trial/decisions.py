"""What the engine answers: decisions, each with a human-readable reason.

A decision with ``requires_committee`` is a *proposal*: it stays in ``TrialState.pending`` until a
:class:`~dartnk.trial.events.CommitteeDecision` with its ``id`` makes it effective (the simulator
signs automatically; the conduct service waits for the safety monitoring committee).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class DecisionKind(str, Enum):
    ASSIGN = "assign"                      # patient → (construct, level)
    WAITLIST = "waitlist"                  # no open slot in a qualifying arm: wait up to max_wait_days
    REFUSE = "refuse"                      # not enrolled (ineligible, no qualifying open arm, cap, closed)
    LOST_TO_WAIT = "lost_to_wait"          # waited longer than max_wait_days
    DOSE_FROM = "dose_from"                # patient may receive Day 0 from ``day`` (staggering)
    REPLACE = "replace"                    # non-evaluable or never dosed: the slot reopens
    ESCALATION = "escalation"              # the 3+3 rule's next step for an arm (proposal)
    OPEN_COHORT = "open_cohort"            # a cohort opens at (construct, level) for n patients
    CLOSE_ARM = "close_arm"                # arm done: MTD/RP2D declared, no tolerable dose, or cap
    SELECT_CONSTRUCT = "select_construct"  # interim selection (proposal)
    OPEN_EXPANSION = "open_expansion"      # expansion at the selected construct's RP2D
    STOP_EXPANSION = "stop_expansion"      # toxicity or futility stop (proposal)
    CLOSE_TRIAL = "close_trial"            # trial over (completed, stopped, nothing selected)
    CAP_REACHED = "cap_reached"            # max_participants committed: no more enrolment


@dataclass(frozen=True)
class Decision:
    """One decision of the engine.

    ``level`` is the protocol's dose-level id; ``action`` is the escalation action or the stop
    kind (``toxicity``/``futility``); ``id`` identifies proposals for the committee.
    """

    kind: DecisionKind
    day: int
    reason: str
    id: str = ""
    requires_committee: bool = False
    construct: str | None = None
    level: str | None = None
    patient_id: str | None = None
    n_patients: int | None = None
    action: str | None = None


@dataclass(frozen=True)
class Assignment:
    """The answer of :func:`dartnk.trial.assignment.assign`: enrol into this arm's current cohort."""

    patient_id: str
    construct: str
    level: str
    level_index: int
    sentinel: bool
    reason: str


@dataclass(frozen=True)
class Waitlisted:
    patient_id: str
    until_day: int
    constructs: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Refusal:
    patient_id: str
    reason: str


AssignmentResult = Assignment | Waitlisted | Refusal
