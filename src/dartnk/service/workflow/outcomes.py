"""Labs, persistence, RECIST 1.1 tumour assessments, survival and (long-term) follow-up contacts."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dartnk.errors import ConflictError, InputError
from dartnk.service.context import Conduct
from dartnk.service.schemas import FollowUpIn, LabIn, PersistenceIn, SurvivalIn, TumorAssessmentIn
from dartnk.service.workflow.engine import check_not_future, current_state, record
from dartnk.service.workflow.patients import writable_patient
from dartnk.service.workflow.treatment import infusion_dates
from dartnk.store.models import FollowUpContact, LabResult, PersistenceMeasurement, SurvivalStatus, TumorAssessment

FINAL_RESPONSES = frozenset({"CR", "PR", "PD"})
"""A best overall response that later assessments cannot change (confirmed CR/PR, or progression)."""


def add_lab(c: Conduct, patient_id: str, body: LabIn) -> dict[str, Any]:
    check_not_future("collected_on", body.collected_on, c.today)
    grading = None
    if body.ctcae_term:
        from dartnk.clinical.ctcae import grade_ctcae

        from dataclasses import replace

        from dartnk.errors import DartnkError

        try:
            grading = grade_ctcae(body.ctcae_term, body.value, body.unit, lln=body.lln, uln=body.uln,
                                  settings=c.protocol.ctcae)
        except DartnkError as exc:   # name this request's fields
            raise InputError([replace(p, field="ctcae_term" if p.field == "term" else p.field)
                              for p in exc.problems]) from None
    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        row = c.recorder(session).create(LabResult(
            patient_id=patient_id, test=body.test, value=body.value, unit=body.unit, collected_on=body.collected_on,
            lln=body.lln, uln=body.uln, ctcae_term=body.ctcae_term,
            ctcae_grade=grading.grade if grading else None, grade_reason=grading.reason if grading else None))
        return {"id": row.id, "test": row.test, "value": row.value, "unit": row.unit, "lln": row.lln, "uln": row.uln,
                "collected_on": row.collected_on.isoformat(), "ctcae_term": row.ctcae_term,
                "ctcae_grade": row.ctcae_grade, "grade_reason": row.grade_reason}


def add_persistence(c: Conduct, patient_id: str, body: PersistenceIn) -> dict[str, Any]:
    """Transgene copies per µg DNA on a date; the engine gets the patient's study day."""
    from dartnk.trial.events import PersistenceMeasured

    check_not_future("collected_on", body.collected_on, c.today)
    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        given = infusion_dates(session, patient_id)
        if not given or body.collected_on < given[0]:
            raise ConflictError.field("collected_on", body.collected_on.isoformat(),
                                      "a date on or after the patient's Day 0 (first infusion)")
        row = c.recorder(session).create(PersistenceMeasurement(patient_id=patient_id, collected_on=body.collected_on,
                                                                copies_per_ug_dna=body.copies_per_ug_dna))
        study_day = (body.collected_on - given[0]).days
        record(c, session, PersistenceMeasured, body.collected_on, patient_id=patient_id, study_day=study_day,
               copies=body.copies_per_ug_dna)
        return {"id": row.id, "collected_on": row.collected_on.isoformat(), "study_day": study_day,
                "copies_per_ug_dna": row.copies_per_ug_dna}


def add_tumor_assessment(c: Conduct, patient_id: str, body: TumorAssessmentIn) -> dict[str, Any]:
    """Store an assessment and compute RECIST 1.1 (time-point responses and best overall response)."""
    from dartnk.trial.events import BestResponse, ResponseEvaluated, TumourAssessed

    with c.db.write() as session:
        row, doc = _checked_draft(c, session, patient_id, body)
        result = _follow_up_result(doc)
        row.response = result or {}
        c.recorder(session).create(row)
        state = current_state(session, c)
        p = state.patients.get(patient_id)
        if result and p is not None and p.treated and not body.baseline:
            visit = result["visits"][-1]["overall"]
            record(c, session, TumourAssessed, body.assessed_on, patient_id=patient_id,
                   response=BestResponse(_engine_response(visit)))
            best = result["best_overall_response"]
            if best in FINAL_RESPONSES and current_state(session, c).patients[patient_id].best_response is None:
                record(c, session, ResponseEvaluated, body.assessed_on, patient_id=patient_id,
                       best_response=BestResponse(best))
        return {"id": row.id, "assessed_on": row.assessed_on.isoformat(), "recist": result}


def preview_tumor_assessment(c: Conduct, patient_id: str, body: TumorAssessmentIn) -> dict[str, Any]:
    """What RECIST 1.1 would say if this assessment were saved now; nothing is written.

    Baseline: the exact sum of the target lesions. Follow-up: this visit's result and the best
    overall response so far. The same checks as :func:`add_tumor_assessment` apply.
    """
    with c.db.read() as session:
        _, doc = _checked_draft(c, session, patient_id, body)
    if body.baseline:
        return {"baseline": True, "sum_mm": doc["baseline_sum_mm"], "lesions": len(body.target_lesions)}
    return {"baseline": False, "visit": doc["visits"][-1], "best_overall_response": doc["best_overall_response"]}


def _checked_draft(c: Conduct, session: Session, patient_id: str, body: TumorAssessmentIn):
    """The assessment as a (not yet added) row, and RECIST 1.1 over every assessment including it."""
    check_not_future("assessed_on", body.assessed_on, c.today)
    writable_patient(c, session, patient_id)
    rows = _assessments(session, patient_id)
    has_baseline = any(r.lesions.get("baseline") for r in rows)
    if body.baseline and has_baseline:
        raise ConflictError.field("baseline", True, "one baseline assessment per patient")
    if not body.baseline and not has_baseline:
        raise ConflictError.field("baseline", False, "a baseline assessment first")
    if not body.baseline and body.new_lesions is None:
        raise InputError.field("new_lesions", None, "true or false for a follow-up assessment")
    if rows and body.assessed_on <= rows[-1].assessed_on:
        raise InputError.field("assessed_on", body.assessed_on.isoformat(), f"a date after the last assessment ({rows[-1].assessed_on})")
    lesions = body.model_dump(exclude={"assessed_on"}, exclude_none=True)
    row = TumorAssessment(patient_id=patient_id, assessed_on=body.assessed_on, lesions=lesions, response={})
    given = infusion_dates(session, patient_id)
    return row, _recist(c, [*rows, row], given[0] if given else None)


def _engine_response(overall: str) -> str:
    """RECIST categories the engine has no name for: non-CR/non-PD counts as SD, NED as NE."""
    return {"NON_CR_NON_PD": "SD", "NED": "NE"}.get(overall, overall)


def _assessments(session: Session, patient_id: str) -> list[TumorAssessment]:
    return list(session.execute(select(TumorAssessment).where(TumorAssessment.patient_id == patient_id)
                                .order_by(TumorAssessment.assessed_on)).scalars())


def _recist(c: Conduct, rows: list[TumorAssessment], day0: date | None) -> dict[str, Any] | None:
    """RECIST 1.1 over the baseline and follow-ups (``dartnk.clinical.recist.assess``, which also
    validates the baseline's target lesions), days counted from Day 0 (or the baseline date)."""
    from dartnk.clinical.recist import assess

    baseline = next((r for r in rows if r.lesions.get("baseline")), None)
    follow = [r for r in rows if not r.lesions.get("baseline")]
    if baseline is None:
        return None
    origin = day0 or baseline.assessed_on
    base = {"day": (baseline.assessed_on - origin).days, "target_lesions": baseline.lesions.get("target_lesions", [])}
    if baseline.lesions.get("non_target"):
        base["non_target"] = baseline.lesions["non_target"]
    visits = []
    for r in follow:
        v = {"day": (r.assessed_on - origin).days, "target_lesions": r.lesions.get("target_lesions", []),
             "new_lesions": bool(r.lesions.get("new_lesions"))}
        if r.lesions.get("non_target"):
            v["non_target"] = r.lesions["non_target"]
        visits.append(v)
    try:
        return assess(base, visits, c.protocol.response).to_dict()
    except InputError as exc:
        raise InputError([_renamed(p, len(visits)) for p in exc.problems]) from None


def _follow_up_result(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored response: RECIST's result once there is a follow-up, nothing for a baseline alone."""
    return doc if doc and doc["visits"] else None


def _renamed(p, n: int):
    """Point a RECIST problem at this request's fields (the newest visit is this assessment)."""
    from dataclasses import replace

    field = p.field
    for prefix in (f"visits.{n - 1}.", f"visits[{n - 1}].", "baseline."):
        if field.startswith(prefix):
            return replace(p, field=field[len(prefix):])
    return p


def response_json(session: Session, c: Conduct, patient_id: str, day0: date | None) -> dict[str, Any] | None:
    rows = _assessments(session, patient_id)
    if not rows:
        return None
    latest = rows[-1].response or None
    if not latest:
        return {"assessments": len(rows), "best_overall_response": None}
    return {"assessments": len(rows), "best_overall_response": latest.get("best_overall_response"),
            "reason": latest.get("best_overall_response_reason"), "visits": latest.get("visits")}


def add_survival(c: Conduct, patient_id: str, body: SurvivalIn) -> dict[str, Any]:
    """Survival status; a death or a withdrawal takes the patient off study in the engine."""
    from dartnk.trial.events import Died, Withdrew

    check_not_future("as_of", body.as_of, c.today)
    if body.status == "dead" and not body.cause:
        raise InputError.field("cause", None, "the cause of death")
    with c.db.write() as session:
        patient = writable_patient(c, session, patient_id)
        previous = session.execute(select(SurvivalStatus).where(SurvivalStatus.patient_id == patient_id,
                                                                SurvivalStatus.status == "dead")).first()
        if previous:
            raise ConflictError.field("status", body.status, "a patient not already recorded as dead")
        if body.as_of < patient.registered_on:
            raise InputError.field("as_of", body.as_of.isoformat(), f"a date not before registration ({patient.registered_on})")
        row = c.recorder(session).create(SurvivalStatus(patient_id=patient_id, status=body.status, as_of=body.as_of,
                                                        cause=body.cause))
        state = current_state(session, c)
        known = patient_id in state.patients
        if known and body.status == "dead":
            record(c, session, Died, body.as_of, patient_id=patient_id)
        elif known and body.status in ("withdrawn", "lost_to_follow_up"):
            record(c, session, Withdrew, body.as_of, patient_id=patient_id, reason=body.status)
        return {"id": row.id, "status": row.status, "as_of": row.as_of.isoformat(), "cause": row.cause}


def add_follow_up(c: Conduct, patient_id: str, body: FollowUpIn) -> dict[str, Any]:
    """A follow-up or long-term follow-up contact (15 years for gene-modified cells)."""
    check_not_future("contacted_on", body.contacted_on, c.today)
    with c.db.write() as session:
        patient = writable_patient(c, session, patient_id)
        if body.contacted_on < patient.registered_on:
            raise InputError.field("contacted_on", body.contacted_on.isoformat(),
                                   f"a date not before registration ({patient.registered_on})")
        row = c.recorder(session).create(FollowUpContact(patient_id=patient_id, contacted_on=body.contacted_on,
                                                         kind=body.kind, findings=body.findings))
        return {"id": row.id, "contacted_on": row.contacted_on.isoformat(), "kind": row.kind, "findings": row.findings}
