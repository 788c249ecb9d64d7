"""Registration, consent, screening (eligibility with reasons) and the antigen profile."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dartnk.errors import ConflictError, InputError
from dartnk.service.auth import Action, visible_patient
from dartnk.service.context import Conduct
from dartnk.service.schemas import ConsentIn, ConsentWithdrawal, PatientChange, PatientIn
from dartnk.store.models import AntigenProfile, Consent, Patient, Screening, Site


def load_patient(c: Conduct, session: Session, patient_id: str) -> Patient:
    """The patient, or 404 when it does not exist or belongs to a site the user cannot see."""
    c.principal.require(Action.READ_PATIENTS)
    return visible_patient(c.principal, session.get(Patient, patient_id), patient_id)


def writable_patient(c: Conduct, session: Session, patient_id: str) -> Patient:
    """As :func:`load_patient`, and the user's role may enter patient data (403 otherwise)."""
    patient = load_patient(c, session, patient_id)
    c.principal.require(Action.WRITE_PATIENT_DATA)
    return patient


def _check_date(field: str, value: date, not_before: date | None, today: date) -> None:
    if value > today:
        raise InputError.field(field, value.isoformat(), f"a date not after today ({today.isoformat()})")
    if not_before is not None and value < not_before:
        raise InputError.field(field, value.isoformat(), f"a date not before {not_before.isoformat()}")


def register(c: Conduct, body: PatientIn) -> dict[str, Any]:
    """Register a pseudonymous patient at a site; the subject id is ``SITE-NNNN``."""
    c.principal.require(Action.WRITE_PATIENT_DATA)
    c.principal.require_site(body.site)
    registered_on = body.registered_on or c.today
    _check_date("registered_on", registered_on, None, c.today)
    if body.birth_year > registered_on.year:
        raise InputError.field("birth_year", body.birth_year, f"a year not after registration ({registered_on.year})")
    with c.db.write() as session:
        if session.get(Site, body.site) is None:
            raise InputError.field("site", body.site, "the id of a site of the trial")
        n = session.execute(select(func.count()).select_from(Patient).where(Patient.site_id == body.site)).scalar_one()
        patient = Patient(id=f"{body.site}-{n + 1:04d}", site_id=body.site, sex=body.sex.value,
                          birth_year=body.birth_year, registered_on=registered_on, created_at=c.now)
        c.recorder(session).create(patient)
        return patient_json(patient)


def change(c: Conduct, patient_id: str, body: PatientChange) -> dict[str, Any]:
    with c.db.write() as session:
        patient = writable_patient(c, session, patient_id)
        values = {k: (v.value if hasattr(v, "value") else v) for k, v in body.model_dump(exclude={"reason"}).items()
                  if v is not None}
        c.recorder(session).change(patient, values, body.reason)
        return patient_json(patient)


def patient_json(p: Patient) -> dict[str, Any]:
    return {"id": p.id, "site": p.site_id, "sex": p.sex, "birth_year": p.birth_year,
            "registered_on": p.registered_on.isoformat()}


def consent(c: Conduct, patient_id: str, body: ConsentIn) -> dict[str, Any]:
    """Record informed consent (a second entry replaces the first and needs a reason)."""
    with c.db.write() as session:
        patient = writable_patient(c, session, patient_id)
        _check_date("signed_on", body.signed_on, patient.registered_on, c.today)
        existing = session.execute(select(Consent).where(Consent.patient_id == patient_id)).scalar_one_or_none()
        rec = c.recorder(session)
        if existing is None:
            existing = rec.create(Consent(patient_id=patient_id, signed_on=body.signed_on, version=body.version))
        else:
            rec.change(existing, {"signed_on": body.signed_on, "version": body.version}, body.reason)
        return consent_json(existing)


def withdraw_consent(c: Conduct, patient_id: str, body: ConsentWithdrawal) -> dict[str, Any]:
    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        existing = session.execute(select(Consent).where(Consent.patient_id == patient_id)).scalar_one_or_none()
        if existing is None:
            raise ConflictError.field("consent", None, "a consent on record before it can be withdrawn")
        _check_date("withdrawn_on", body.withdrawn_on, existing.signed_on, c.today)
        c.recorder(session).change(existing, {"withdrawn_on": body.withdrawn_on}, body.reason)
        from dartnk.service.workflow.engine import record_withdrawal

        record_withdrawal(c, session, patient_id, body.withdrawn_on, "consent withdrawn: " + body.reason)
        return consent_json(existing)


def consent_json(x: Consent) -> dict[str, Any]:
    return {"signed_on": x.signed_on.isoformat(), "version": x.version,
            "withdrawn_on": x.withdrawn_on.isoformat() if x.withdrawn_on else None}


def require_consent(session: Session, patient_id: str) -> Consent:
    consent_row = session.execute(select(Consent).where(Consent.patient_id == patient_id)).scalar_one_or_none()
    if consent_row is None or consent_row.withdrawn_on is not None:
        raise ConflictError.field("consent", None if consent_row is None else "withdrawn",
                                  "informed consent signed and not withdrawn before screening")
    return consent_row


def screen(c: Conduct, patient_id: str, record: Any, reason: str | None) -> dict[str, Any]:
    """Evaluate eligibility on the screening record (the JSON ``dartnk eligibility`` reads) and store both."""
    from dartnk.clinical.eligibility import evaluate_eligibility

    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        consent_row = require_consent(session, patient_id)
        _require_not_enrolled(session, patient_id, "screening")
        result = evaluate_eligibility(c.protocol, record).to_json()
        eligible = bool(result.get("eligible"))
        existing = session.execute(select(Screening).where(Screening.patient_id == patient_id)).scalar_one_or_none()
        rec = c.recorder(session)
        if existing is None:
            rec.create(Screening(patient_id=patient_id, record=record, eligible=eligible, result=result,
                                 screened_on=max(c.today, consent_row.signed_on)))
        else:
            rec.change(existing, {"record": record, "eligible": eligible, "result": result}, reason)
        return result


def profile_antigens(c: Conduct, patient_id: str, record: Any, reason: str | None) -> dict[str, Any]:
    """Profile DLL3, CD56 and GD2 (the JSON ``dartnk antigens`` reads): the qualifying constructs."""
    from dartnk.clinical.antigens import profile_antigens as profile

    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        require_consent(session, patient_id)
        _require_not_enrolled(session, patient_id, "antigens")
        result = profile(c.protocol, record).to_json()
        qualifying = list(result.get("qualifying_constructs", []))
        existing = session.execute(select(AntigenProfile).where(AntigenProfile.patient_id == patient_id)).scalar_one_or_none()
        rec = c.recorder(session)
        if existing is None:
            rec.create(AntigenProfile(patient_id=patient_id, record=record, qualifying_constructs=qualifying, result=result))
        else:
            rec.change(existing, {"record": record, "qualifying_constructs": qualifying, "result": result}, reason)
        return result


def _require_not_enrolled(session: Session, patient_id: str, field: str) -> None:
    from dartnk.store.models import Enrollment, WaitlistEntry

    if session.execute(select(Enrollment.id).where(Enrollment.patient_id == patient_id)).first() or \
            session.execute(select(WaitlistEntry.id).where(WaitlistEntry.patient_id == patient_id)).first():
        raise ConflictError.field(field, patient_id, "a patient not yet enrolled or waitlisted (the engine has already decided)")
