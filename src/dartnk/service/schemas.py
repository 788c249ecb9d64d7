"""Request and response bodies of the API (pydantic, unknown fields refused).

Dates are ISO 8601 calendar dates; ``reason`` is required whenever a record is changed after its
first entry (21 CFR 11.10(e)).
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sex(str, Enum):
    FEMALE = "female"
    MALE = "male"


class PatientIn(Body):
    site: str = Field(min_length=1, max_length=32, description="site id")
    sex: Sex
    birth_year: int = Field(ge=1900, le=2100)
    registered_on: Optional[date] = Field(default=None, description="default: today (UTC)")


class PatientChange(Body):
    sex: Optional[Sex] = None
    birth_year: Optional[int] = Field(default=None, ge=1900, le=2100)
    reason: str = Field(min_length=1, description="why the registered data change")


class ConsentIn(Body):
    signed_on: date
    version: str = Field(min_length=1, max_length=32, description="informed consent form version")
    reason: Optional[str] = Field(default=None, description="required when replacing a consent already entered")


class ConsentWithdrawal(Body):
    withdrawn_on: date
    reason: str = Field(min_length=1)


class EnrollmentIn(Body):
    requested_on: Optional[date] = Field(default=None, description="default: today (UTC)")


class ProductLotIn(Body):
    lot_number: str = Field(min_length=1, max_length=64)
    status: Literal["manufactured", "released", "failed"]
    cell_dose: Optional[float] = Field(default=None, gt=0, description="viable CAR+ NK cells per infusion")
    manufactured_on: date


class ProductLotChange(Body):
    status: Literal["manufactured", "released", "failed"]
    cell_dose: Optional[float] = Field(default=None, gt=0)
    on: date = Field(description="date of the release decision or failure")
    reason: str = Field(min_length=1)


class LymphodepletionIn(Body):
    agent: str = Field(min_length=1, max_length=64)
    dose_mg_m2: float = Field(gt=0)
    given_on: date


class InfusionIn(Body):
    given_on: date
    lot_number: str = Field(min_length=1, max_length=64)
    cells: float = Field(gt=0, description="viable CAR+ NK cells infused")


Attribution = Literal["unrelated", "unlikely", "possible", "probable", "definite"]


class AdverseEventIn(Body):
    """One adverse event: give exactly one of ``grade``, ``crs``, ``icans`` (ASTCT 2019 inputs) or ``lab``
    (a value graded by CTCAE v5.0), as in ``dartnk.clinical.adverse_event.AdverseEvent``, with dates."""

    term: str = Field(min_length=1, max_length=200, description="CTCAE v5.0 term (or the ASTCT ICANS term)")
    grade: Optional[int] = Field(default=None, ge=1, le=5)
    crs: Optional[dict[str, Any]] = Field(default=None, description="ASTCT CRS inputs (dartnk crs)")
    icans: Optional[dict[str, Any]] = Field(default=None, description="ASTCT ICANS inputs (dartnk icans)")
    lab: Optional[dict[str, Any]] = Field(default=None, description="a lab value to grade by CTCAE v5.0")
    category: Optional[str] = Field(default=None, max_length=48, description="overrides the category derived from term")
    onset_on: date
    resolved_on: Optional[date] = Field(default=None, description="first date no longer at this grade")
    serious: bool = False
    attribution: Attribution


class AdverseEventChange(Body):
    resolved_on: Optional[date] = None
    grade: Optional[int] = Field(default=None, ge=1, le=5, description="only for events reported with a grade")
    serious: Optional[bool] = None
    attribution: Optional[Attribution] = None
    reason: str = Field(min_length=1)


class DltConfirmation(Body):
    is_dlt: bool = Field(description="the medical monitor's adjudication: is this patient's event a DLT?")
    comment: str = Field(default="", max_length=2000, description="required when overruling the engine's proposal")


class LabIn(Body):
    """A lab value; with ``ctcae_term`` (and the normal limits it needs) it is graded by NCI CTCAE v5.0."""

    test: str = Field(min_length=1, max_length=48)
    value: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=24)
    collected_on: date
    lln: Optional[float] = Field(default=None, allow_inf_nan=False, description="lower limit of normal, in unit")
    uln: Optional[float] = Field(default=None, allow_inf_nan=False, description="upper limit of normal, in unit")
    ctcae_term: Optional[str] = Field(default=None, max_length=100, description="e.g. Neutrophil count decreased")


class PersistenceIn(Body):
    collected_on: date
    copies_per_ug_dna: float = Field(ge=0, description="transgene copies per µg genomic DNA")


class TumorAssessmentIn(Body):
    """A RECIST 1.1 assessment: the baseline (``target_lesions`` with sizes, ``non_target`` PRESENT/NONE)
    or a follow-up (``target_lesions`` by id and status, ``non_target`` response, ``new_lesions``)."""

    assessed_on: date
    baseline: bool = Field(default=False, description="true for the baseline assessment (one per patient)")
    target_lesions: list[dict[str, Any]] = Field(default_factory=list)
    non_target: Optional[str] = None
    new_lesions: Optional[bool] = Field(default=None, description="required for a follow-up assessment")


class SurvivalIn(Body):
    status: Literal["alive", "dead", "lost_to_follow_up", "withdrawn"]
    as_of: date
    cause: Optional[str] = Field(default=None, max_length=200)


class FollowUpIn(Body):
    contacted_on: date
    kind: Literal["visit", "phone", "record_review"]
    findings: str = Field(default="", max_length=4000)


class SignatureIn(Body):
    meaning: Literal["approved", "rejected"] = Field(description="what the signature means (21 CFR 11.50)")
    comment: str = Field(default="", max_length=2000)
    password: Optional[str] = Field(default=None, max_length=200,
                                    description="the signer's password (required through the API when the signer "
                                                "has one: 21 CFR 11.200(a)(1), two identification components)")


class UserIn(Body):
    name: str = Field(min_length=1, max_length=100)
    role: str
    site: Optional[str] = None
    password: Optional[str] = Field(default=None, min_length=8, max_length=200)


class UserChange(Body):
    active: bool = Field(description="false deactivates the user (their token and password stop working)")
    reason: str = Field(min_length=1)


class SiteIn(Body):
    id: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)


class TokenRequest(Body):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class AuditVerification(BaseModel):
    ok: bool
    entries: int
    first_bad: Optional[int] = None
    problem: Optional[str] = None
