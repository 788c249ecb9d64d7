"""Events of the trial calendar: what happened, to whom, on which day.

Every event is a frozen dataclass with ``day``: an integer day of the *trial calendar* (day 0 =
the day the trial opened; the service converts dates with one fixed origin). A patient's own study
day is ``day - day0`` where ``day0`` is the trial day of their first CAR-NK infusion.
Events are facts; the engine (:func:`dartnk.trial.transition.apply`) answers with decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Union


class ManufacturingOutcome(str, Enum):
    """Result of making one patient's product lot (release testing against the specification)."""

    RELEASED = "released"
    FAILED = "failed"


class BestResponse(str, Enum):
    """RECIST 1.1 best overall response (Eisenhauer et al., Eur J Cancer 2009;45:228–247, §4.4)."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NE = "NE"

    @property
    def is_response(self) -> bool:
        return self in (BestResponse.CR, BestResponse.PR)


@dataclass(frozen=True)
class Tick:
    """Time passes (the service sends one per day): expires waitlist entries past the maximum wait."""

    day: int


@dataclass(frozen=True)
class PatientArrived:
    """A patient was referred and consented to screening (counts arrivals; no decision yet)."""

    day: int
    patient_id: str


@dataclass(frozen=True)
class PatientScreened:
    """Screening finished: eligibility and the constructs the tumour's antigen profile qualifies for.

    ``qualifying_constructs`` comes from :func:`dartnk.trial.assignment.qualifying_constructs`
    (or the clinical antigen profile); ``reason`` explains an ineligible result.
    """

    day: int
    patient_id: str
    eligible: bool
    qualifying_constructs: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class ProductManufactured:
    """The patient's product lot was released, or failed manufacturing/release testing."""

    day: int
    patient_id: str
    outcome: ManufacturingOutcome


@dataclass(frozen=True)
class LymphodepletionStarted:
    day: int
    patient_id: str


@dataclass(frozen=True)
class Infused:
    """One CAR-NK infusion; the first one is the patient's Day 0."""

    day: int
    patient_id: str


@dataclass(frozen=True)
class AdverseEventReported:
    """An adverse event (category as in the protocol's DLT rules, CTCAE/ASTCT grade)."""

    day: int
    patient_id: str
    category: str
    grade: int


@dataclass(frozen=True)
class DltAdjudicated:
    """The adjudicated DLT status of a patient's event inside the DLT window."""

    day: int
    patient_id: str
    is_dlt: bool


@dataclass(frozen=True)
class DltWindowClosed:
    """The patient's DLT window (study days 0..window_days-1) is over: they can be counted."""

    day: int
    patient_id: str


@dataclass(frozen=True)
class TumourAssessed:
    """One RECIST 1.1 time-point response (a record; decisions use :class:`ResponseEvaluated`)."""

    day: int
    patient_id: str
    response: BestResponse


@dataclass(frozen=True)
class ResponseEvaluated:
    """The patient's best overall response for the ORR endpoint is final (confirmed where required)."""

    day: int
    patient_id: str
    best_response: BestResponse


@dataclass(frozen=True)
class SecondCycleStarted:
    day: int
    patient_id: str


@dataclass(frozen=True)
class Progressed:
    day: int
    patient_id: str


@dataclass(frozen=True)
class Died:
    day: int
    patient_id: str


@dataclass(frozen=True)
class Withdrew:
    """The patient left the study (consent withdrawn, lost to follow-up, or dropout before dosing)."""

    day: int
    patient_id: str
    reason: str = ""


@dataclass(frozen=True)
class PersistenceMeasured:
    """CAR transgene copies (per µg genomic DNA, ddPCR) on the patient's study day ``study_day``."""

    day: int
    patient_id: str
    study_day: int
    copies: float


@dataclass(frozen=True)
class CommitteeDecision:
    """The safety monitoring committee signs off (or not) a proposed decision, by its id."""

    day: int
    decision_id: str
    approved: bool = True
    note: str = ""


Event = Union[Tick, PatientArrived, PatientScreened, ProductManufactured, LymphodepletionStarted, Infused, AdverseEventReported,
              DltAdjudicated, DltWindowClosed, TumourAssessed, ResponseEvaluated, SecondCycleStarted, Progressed,
              Died, Withdrew, PersistenceMeasured, CommitteeDecision]
