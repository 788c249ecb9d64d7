"""What the reports and the SDTM export read: the trial's data as plain, frozen dataclasses.

A :class:`TrialData` is a snapshot at a data cut-off, built from the conduct database by
:func:`dartnk.export.store_reader.read_trial` (or by hand in tests). Dates are real calendar dates;
``study_day`` is the protocol's study day, Day 0 = the patient's first CAR-NK infusion (so the
Day 7 infusion has study day 7). Grades are CTCAE v5.0, except CRS and ICANS (ASTCT 2019).
Nothing here reads files or a database: the reports are pure functions of a ``TrialData``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Iterable


class Phase(str, Enum):
    ESCALATION = "escalation"
    EXPANSION = "expansion"


class VitalStatus(str, Enum):
    ALIVE = "alive"
    DEAD = "dead"
    LOST = "lost_to_follow_up"
    WITHDRAWN = "withdrawn"


class AdministrationKind(str, Enum):
    LYMPHODEPLETION = "lymphodepletion"
    INFUSION = "infusion"


def study_day(on: date | None, day0: date | None) -> int | None:
    """Protocol study day of ``on`` (Day 0 = first CAR-NK infusion); None when either is unknown."""
    if on is None or day0 is None:
        return None
    return (on - day0).days


@dataclass(frozen=True)
class PatientData:
    """A pseudonymous subject: identity, assignment, antigen profile, vital status at cut-off."""

    subject_id: str
    site_id: str
    sex: str  # "M", "F" or "U" (SDTM SEX codelist C66731)
    birth_year: int
    registered_on: date
    consent_on: date | None = None
    arm: str | None = None  # construct id; None if never assigned
    dose_level: str | None = None
    cohort: int | None = None
    phase: Phase = Phase.ESCALATION
    enrolled_on: date | None = None
    day0: date | None = None  # first CAR-NK infusion
    eligible: bool | None = None
    antigen_positive: dict[str, bool] = field(default_factory=dict)
    vital_status: VitalStatus = VitalStatus.ALIVE
    status_on: date | None = None  # last date known alive, or date of death/withdrawal
    death_cause: str | None = None
    withdrawn_on: date | None = None

    @property
    def treated(self) -> bool:
        return self.day0 is not None

    @property
    def age_at_consent(self) -> int | None:
        """Age in completed years is unknowable from a birth year alone: year difference at consent."""
        ref = self.consent_on or self.registered_on
        return ref.year - self.birth_year

    def antigen_profile(self) -> str:
        """e.g. ``DLL3+ CD56+ GD2−``, antigens in protocol order as stored."""
        return " ".join(f"{a}{'+' if pos else '−'}" for a, pos in self.antigen_positive.items()) or "not profiled"


@dataclass(frozen=True)
class Exposure:
    """One administration: a lymphodepletion agent (mg/m²) or a CAR-NK infusion (cells)."""

    subject_id: str
    kind: AdministrationKind
    agent: str
    dose: float
    unit: str
    given_on: date
    study_day: int | None
    lot_number: str | None = None
    dose_level: str | None = None


@dataclass(frozen=True)
class AdverseEventData:
    """An adverse event with its grade, timing, attribution and DLT adjudication."""

    subject_id: str
    seq: int
    term: str
    category: str  # the protocol's DLT categories: crs, icans, neutropenia, infection, …
    grade: int
    onset_on: date
    resolved_on: date | None
    onset_day: int | None
    serious: bool = False
    attribution: str = "unrelated"  # unrelated, unlikely, possible, probable, definite
    is_dlt: bool = False
    dlt_rule: str | None = None

    @property
    def duration_days(self) -> int | None:
        """Days from onset to resolution (``resolved_on`` is the first day no longer at this grade, as
        the conduct service records it and the DLT rules count it); None while unresolved."""
        return None if self.resolved_on is None else (self.resolved_on - self.onset_on).days

    @property
    def related(self) -> bool:
        return self.attribution in ("possible", "probable", "definite")


@dataclass(frozen=True)
class DltStatus:
    """A patient's DLT adjudication (the engine's proposal and the monitor's confirmation)."""

    subject_id: str
    status: str  # e.g. dlt, no_dlt, pending, not_evaluable
    evaluable: bool
    is_dlt: bool
    rule_id: str | None
    reason: str
    confirmed_by: str | None = None


@dataclass(frozen=True)
class LabData:
    subject_id: str
    test: str
    value: float
    unit: str
    collected_on: date
    study_day: int | None
    grade: int | None = None
    lln: float | None = None  # reference range, in ``unit``
    uln: float | None = None


@dataclass(frozen=True)
class PersistenceData:
    subject_id: str
    collected_on: date
    study_day: int | None
    copies_per_ug: float


@dataclass(frozen=True)
class LesionMeasurement:
    """One lesion at one assessment: a target's longest diameter (short axis for nodes), or a status."""

    subject_id: str
    lesion_id: str
    role: str  # target, non_target, new
    location: str
    assessed_on: date
    study_day: int | None
    diameter_mm: float | None = None
    status: str | None = None  # non-target: present, absent, unequivocal progression; new: present


@dataclass(frozen=True)
class ResponseAssessment:
    """The RECIST 1.1 time-point response and the target sum, with % change from baseline and nadir."""

    subject_id: str
    assessed_on: date
    study_day: int | None
    overall: str  # CR, PR, SD, PD, NE
    target_sum_mm: float | None = None
    pct_from_baseline: float | None = None
    pct_from_nadir: float | None = None
    is_baseline: bool = False


@dataclass(frozen=True)
class ManufacturingLot:
    subject_id: str
    lot_number: str
    construct: str
    status: str  # manufactured, released, failed
    manufactured_on: date
    cell_dose: float | None = None


@dataclass(frozen=True)
class SignatureData:
    signer: str
    meaning: str
    signed_at: str
    comment: str = ""


@dataclass(frozen=True)
class DecisionData:
    """A decision the engine proposed (escalation, selection, …), its reason and its signatures."""

    key: str
    kind: str
    arm: str | None
    dose_level: str | None
    proposal: dict[str, Any]
    reason: str
    status: str
    proposed_at: str
    signatures: tuple[SignatureData, ...] = ()


@dataclass(frozen=True)
class TrialData:
    """Everything the reports and the export need, at one data cut-off."""

    protocol: Any  # dartnk.protocol.Protocol
    data_cutoff: date
    patients: tuple[PatientData, ...] = ()
    exposures: tuple[Exposure, ...] = ()
    adverse_events: tuple[AdverseEventData, ...] = ()
    dlts: tuple[DltStatus, ...] = ()
    labs: tuple[LabData, ...] = ()
    persistence: tuple[PersistenceData, ...] = ()
    lesions: tuple[LesionMeasurement, ...] = ()
    responses: tuple[ResponseAssessment, ...] = ()
    lots: tuple[ManufacturingLot, ...] = ()
    decisions: tuple[DecisionData, ...] = ()
    source: str = ""  # where the data came from (database path, without password)

    # -- lookups -------------------------------------------------------------------------------
    def patient(self, subject_id: str) -> PatientData:
        for p in self.patients:
            if p.subject_id == subject_id:
                return p
        raise KeyError(subject_id)

    def treated(self, arm: str | None = None, dose_level: str | None = None,
                phase: Phase | None = None) -> list[PatientData]:
        """Patients with a first infusion, optionally of one arm, dose level and phase."""
        return [p for p in self.patients if p.treated and (arm is None or p.arm == arm)
                and (dose_level is None or p.dose_level == dose_level) and (phase is None or p.phase == phase)]

    def arms(self) -> list[str]:
        """Arms in protocol order that have at least one assigned patient."""
        used = {p.arm for p in self.patients if p.arm}
        return [c.id for c in self.protocol.constructs if c.id in used]

    def levels(self, arm: str | None = None) -> list[str]:
        """Dose levels in protocol order with at least one treated patient (of ``arm``)."""
        used = {p.dose_level for p in self.treated(arm)}
        return [d.id for d in self.protocol.dose_levels if d.id in used]

    def of(self, items: Iterable[Any], subjects: Iterable[PatientData] | set[str]) -> list[Any]:
        """The items (AEs, labs, …) belonging to the given patients."""
        ids = {s if isinstance(s, str) else s.subject_id for s in subjects}
        return [x for x in items if x.subject_id in ids]

    def dlt_of(self, subject_id: str) -> DltStatus | None:
        found = [d for d in self.dlts if d.subject_id == subject_id]
        return found[-1] if found else None


#: Store lab test name → the CTCAE v5.0 term that grades a low value of it.
LAB_CTCAE_TERMS = {"anc": "Neutrophil count decreased", "neutrophils": "Neutrophil count decreased",
                   "platelets": "Platelet count decreased", "wbc": "White blood cell decreased",
                   "lymphocytes": "Lymphocyte count decreased", "alc": "Lymphocyte count decreased",
                   "hemoglobin": "Anemia"}


def lab_grade(test: str, value: float, unit: str) -> int | None:
    """CTCAE v5.0 grade of a low blood count (``dartnk.clinical.ctcae``); None when not gradable.

    No LLN is stored with results, so a value that could only be grade 0 or 1 (grade 1 is relative
    to the LLN) is reported as None rather than guessed.
    """
    from dartnk.clinical.ctcae import grade_ctcae
    from dartnk.errors import DartnkError

    term = LAB_CTCAE_TERMS.get(test.strip().lower())
    if term is None:
        return None
    try:
        return grade_ctcae(term, value, unit).grade
    except DartnkError:
        return None
