"""Enrollment: the engine assigns an arm, dose level and cohort slot, or waitlists, or refuses (409).

The request runs under the trial's write lock, so two simultaneous requests for the last slot are
decided one after the other: one is assigned, the other waitlisted; no slot is assigned twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dartnk.errors import ConflictError
from dartnk.service.context import Conduct
from dartnk.service.schemas import EnrollmentIn
from dartnk.service.workflow.engine import check_not_future, current_state, engine_day, record, slot_of
from dartnk.service.workflow.patients import require_consent, writable_patient
from dartnk.store.models import AntigenProfile, Enrollment, Screening, WaitlistEntry


def request_enrollment(c: Conduct, patient_id: str, body: EnrollmentIn) -> tuple[int, dict[str, Any]]:
    """201 with the assignment, 202 when waitlisted; 409 with the reason when the patient cannot enrol."""
    from dartnk.trial.assignment import assign
    from dartnk.trial.decisions import Refusal
    from dartnk.trial.events import PatientScreened

    on = body.requested_on or c.today
    check_not_future("requested_on", on, c.today)
    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        require_consent(session, patient_id)
        if session.execute(select(Enrollment.id).where(Enrollment.patient_id == patient_id)).first():
            raise ConflictError.field("id", patient_id, "a patient not already enrolled")
        if session.execute(select(WaitlistEntry.id).where(WaitlistEntry.patient_id == patient_id)).first():
            raise ConflictError.field("id", patient_id, "a patient not already on the waitlist")
        screening = session.execute(select(Screening).where(Screening.patient_id == patient_id)).scalar_one_or_none()
        if screening is None:
            raise ConflictError.field("screening", None, "a screening record before enrollment (POST …/screening)")
        if not screening.eligible:
            failed = [x.get("id") for x in screening.result.get("criteria", []) if x.get("met") is not True]
            raise ConflictError.field("eligible", False, "an eligible patient (not met or undetermined: "
                                      + ", ".join(str(f) for f in failed) + ")")
        profile = session.execute(select(AntigenProfile).where(AntigenProfile.patient_id == patient_id)).scalar_one_or_none()
        if profile is None:
            raise ConflictError.field("antigens", None, "an antigen profile before enrollment (POST …/antigens)")
        qualifying = tuple(profile.qualifying_constructs)
        state = current_state(session, c)
        day = max(engine_day(session, c, on), state.day)
        verdict = assign(c.protocol, state, patient_id, qualifying, day)
        if isinstance(verdict, Refusal):
            raise ConflictError.field("enrollment", patient_id, "an open or opening arm: " + verdict.reason)
        record(c, session, PatientScreened, on, patient_id=patient_id,
               eligible=True, qualifying_constructs=qualifying)
        return enrollment_answer(session, c, patient_id)


def enrollment_answer(session, c: Conduct, patient_id: str) -> tuple[int, dict[str, Any]]:
    e = session.execute(select(Enrollment).where(Enrollment.patient_id == patient_id)).scalar_one_or_none()
    if e is not None:
        return 201, enrollment_json(e)
    state = current_state(session, c)
    waiting = sorted(state.waitlist, key=lambda w: w.since_day)
    ids = [w.patient_id for w in waiting]
    entry = waiting[ids.index(patient_id)]
    return 202, {"waitlisted": True, "position": ids.index(patient_id) + 1, "constructs": list(entry.constructs),
                 "until_day": entry.since_day + c.protocol.assignment.max_wait_days}


def enrollment_json(e: Enrollment) -> dict[str, Any]:
    return {"arm": e.arm, "dose_level": e.dose_level, "cohort": e.cohort, "slot": e.slot,
            "enrolled_on": e.enrolled_on.isoformat()}


__all__ = ["request_enrollment", "enrollment_answer", "enrollment_json", "slot_of"]
