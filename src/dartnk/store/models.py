"""The trial's system of record: SQLAlchemy 2 models of every conduct entity.

Patients are pseudonymous (a subject id, sex and birth year; never a name). Nothing is ever
hard-deleted: corrections are changes with a reason, recorded in :class:`AuditEntry`. The
``trial_events`` table is the source of truth for the engine's decisions (event sourcing): the
service rebuilds :mod:`dartnk.trial` state by replaying it in ``seq`` order.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


class Role(str, Enum):
    """Who a user is in the trial; what each role may do is :data:`dartnk.service.auth.PERMISSIONS`."""

    SITE_INVESTIGATOR = "site_investigator"
    SITE_COORDINATOR = "site_coordinator"
    MEDICAL_MONITOR = "medical_monitor"
    DATA_MANAGER = "data_manager"
    COMMITTEE_MEMBER = "committee_member"
    STATISTICIAN = "statistician"
    ADMINISTRATOR = "administrator"

    @property
    def site_scoped(self) -> bool:
        """Site staff see and change only their own site's patients."""
        return self in (Role.SITE_INVESTIGATOR, Role.SITE_COORDINATOR)


class Trial(Base):
    """One row per trial: the lock taken to serialise writes, and the audit chain's head."""

    __tablename__ = "trial"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    registry_id: Mapped[str] = mapped_column(String(64))
    audit_head_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_head_hash: Mapped[str] = mapped_column(String(64))


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    site_id: Mapped[Optional[str]] = mapped_column(ForeignKey("sites.id"))
    password_hash: Mapped[Optional[str]] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="SHA-256 of the API token")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class Patient(Base):
    """A pseudonymous trial subject: the subject id is ``SITE-NNNN``; no names are stored."""

    __tablename__ = "patients"
    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    sex: Mapped[str] = mapped_column(String(8))
    birth_year: Mapped[int] = mapped_column(Integer)
    registered_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class Consent(Base):
    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    version: Mapped[str] = mapped_column(String(32))
    withdrawn_on: Mapped[Optional[date]] = mapped_column(Date)


class Screening(Base):
    """A screening record (the JSON ``dartnk eligibility`` reads) and its eligibility result."""

    __tablename__ = "screenings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), unique=True)
    record: Mapped[dict[str, Any]]
    eligible: Mapped[bool] = mapped_column(Boolean)
    result: Mapped[dict[str, Any]]
    screened_on: Mapped[date] = mapped_column(Date)


class AntigenProfile(Base):
    __tablename__ = "antigen_profiles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), unique=True)
    record: Mapped[dict[str, Any]]
    qualifying_constructs: Mapped[list[Any]]
    result: Mapped[dict[str, Any]]


class Enrollment(Base):
    """An assigned slot: arm (construct id), dose level, cohort number and slot within the cohort."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("arm", "dose_level", "cohort", "slot", name="uq_enrollment_slot"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), unique=True)
    arm: Mapped[str] = mapped_column(String(48))
    dose_level: Mapped[str] = mapped_column(String(32))
    cohort: Mapped[int] = mapped_column(Integer)
    slot: Mapped[int] = mapped_column(Integer)
    enrolled_on: Mapped[date] = mapped_column(Date)


class WaitlistEntry(Base):
    __tablename__ = "waitlist"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), unique=True)
    requested_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="waiting", comment="waiting, assigned, lost")


class ProductLot(Base):
    __tablename__ = "product_lots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    lot_number: Mapped[str] = mapped_column(String(64), unique=True)
    construct: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16), comment="manufactured, released, failed")
    cell_dose: Mapped[Optional[float]] = mapped_column(Float, comment="viable CAR+ NK cells per infusion")
    manufactured_on: Mapped[date] = mapped_column(Date)


class Administration(Base):
    """A lymphodepletion dose or a CAR-NK infusion; ``study_day`` is relative to the patient's Day 0."""

    __tablename__ = "administrations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24), comment="lymphodepletion or infusion")
    agent: Mapped[str] = mapped_column(String(64))
    dose: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(24))
    given_on: Mapped[date] = mapped_column(Date)
    lot_number: Mapped[Optional[str]] = mapped_column(String(64))


class AdverseEvent(Base):
    __tablename__ = "adverse_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    term: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(48))
    grade: Mapped[int] = mapped_column(Integer)
    grading: Mapped[dict[str, Any]] = mapped_column(JSON, comment="the grade's inputs (grade, crs, icans or lab) and reason")
    onset_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[Optional[date]] = mapped_column(Date)
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    attribution: Mapped[str] = mapped_column(String(24))


class DltAdjudication(Base):
    """The engine's proposed DLT status for a patient, and the medical monitor's confirmation."""

    __tablename__ = "dlt_adjudications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    rule_id: Mapped[Optional[str]] = mapped_column(String(64))
    evaluable: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, comment="per-event verdicts and evaluability")
    confirmed_dlt: Mapped[Optional[bool]] = mapped_column(Boolean, comment="the medical monitor's adjudication")
    confirmed_by: Mapped[Optional[str]] = mapped_column(String(100))
    confirmed_at: Mapped[Optional[datetime]]
    comment: Mapped[Optional[str]] = mapped_column(Text)


class LabResult(Base):
    __tablename__ = "lab_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    test: Mapped[str] = mapped_column(String(48))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(24))
    collected_on: Mapped[date] = mapped_column(Date)
    lln: Mapped[Optional[float]] = mapped_column(Float, comment="lower limit of normal, in unit")
    uln: Mapped[Optional[float]] = mapped_column(Float, comment="upper limit of normal, in unit")
    ctcae_term: Mapped[Optional[str]] = mapped_column(String(100))
    ctcae_grade: Mapped[Optional[int]] = mapped_column(Integer, comment="NCI CTCAE v5.0 grade (0 = normal)")
    grade_reason: Mapped[Optional[str]] = mapped_column(Text)


class PersistenceMeasurement(Base):
    __tablename__ = "persistence_measurements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    collected_on: Mapped[date] = mapped_column(Date)
    copies_per_ug_dna: Mapped[float] = mapped_column(Float, comment="transgene copies per µg genomic DNA")


class TumorAssessment(Base):
    __tablename__ = "tumor_assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    lesions: Mapped[dict[str, Any]] = mapped_column(JSON)
    response: Mapped[dict[str, Any]] = mapped_column(JSON, comment="RECIST 1.1 result at this time point")


class SurvivalStatus(Base):
    __tablename__ = "survival_status"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), comment="alive, dead, lost_to_follow_up, withdrawn")
    as_of: Mapped[date] = mapped_column(Date)
    cause: Mapped[Optional[str]] = mapped_column(String(200))


class FollowUpContact(Base):
    __tablename__ = "follow_up_contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    contacted_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32), comment="visit, phone, record_review")
    findings: Mapped[str] = mapped_column(Text, default="")


class TrialEvent(Base):
    """One event of :mod:`dartnk.trial`, in order; replaying them rebuilds the engine state."""

    __tablename__ = "trial_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    study_day: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(100))


class Decision(Base):
    """A decision the engine proposed (escalation, DLT window, selection…) and its sign-off."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True, comment="the engine's identity of the decision")
    kind: Mapped[str] = mapped_column(String(48))
    arm: Mapped[Optional[str]] = mapped_column(String(48))
    dose_level: Mapped[Optional[str]] = mapped_column(String(32))
    proposal: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), comment="proposed or signed")
    proposed_at: Mapped[datetime]


class Signature(Base):
    """An electronic signature (21 CFR 11.50): the signer's printed name, the time and the meaning."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("decision_id", "user_id", name="uq_signature_signer"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(100))
    meaning: Mapped[str] = mapped_column(String(32), comment="approved or rejected")
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime]


class AuditEntry(Base):
    """One append-only, hash-chained audit record: who changed which field of what, when and why."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32), comment="UTC, ISO 8601 with microseconds")
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16), comment="create, change, sign, system")
    entity: Mapped[str] = mapped_column(String(48))
    entity_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    old: Mapped[Optional[str]] = mapped_column(Text, comment="canonical JSON of the old value")
    new: Mapped[Optional[str]] = mapped_column(Text, comment="canonical JSON of the new value")
    reason: Mapped[Optional[str]] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
