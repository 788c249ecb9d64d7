"""Read-only views: the arms' escalation status, and one patient with status, calendar and response."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from dartnk.service.auth import Action
from dartnk.service.context import Conduct
from dartnk.service.workflow.engine import current_state
from dartnk.service.workflow.patients import load_patient, patient_json
from dartnk.store import models as m


def arms(c: Conduct) -> list[dict[str, Any]]:
    """Per arm: construct, current level, cohort, open slots, patients and DLTs per level, pending decision."""
    from dartnk.trial.assignment import open_slots

    c.principal.require(Action.READ_TRIAL)
    with c.db.read() as session:
        state = current_state(session, c)
        enrolled = session.execute(select(m.Enrollment.arm, m.Enrollment.dose_level)).all()
    slots = open_slots(state, c.protocol)
    levels = [d.id for d in c.protocol.dose_levels]
    out = []
    for arm in state.arms:
        construct = c.protocol.construct(arm.construct)
        per_level = []
        for i, tally in enumerate(arm.tallies):
            n = sum(1 for a, lv in enrolled if a == arm.construct and lv == levels[i])
            per_level.append({"dose_level": levels[i], "cells_per_infusion": c.protocol.dose_levels[i].cells_per_infusion,
                              "patients": n, "evaluable": tally.treated, "dlts": tally.dlts})
        cohort = arm.cohort
        pending = [_pending_json(d) for d in state.pending if d.construct == arm.construct]
        out.append({
            "arm": arm.construct, "construct": arm.construct, "product": construct.product,
            "targets": list(construct.targets), "status": arm.status.value,
            "current_level": levels[arm.current_level],
            "cohort": None if cohort is None else {"number": cohort.number, "dose_level": levels[cohort.level],
                                                   "size": cohort.size, "patients": list(cohort.patient_ids)},
            "open_slots": slots.get(arm.construct, 0), "levels": per_level,
            "mtd": None if arm.mtd_level is None else levels[arm.mtd_level],
            "close_reason": arm.close_reason or None,
            "pending_decision": pending[0] if pending else None,
        })
    return out


def _pending_json(d) -> dict[str, Any]:
    return {"key": d.id, "kind": d.kind.value, "action": d.action, "dose_level": d.level, "reason": d.reason}


def trial_summary(c: Conduct) -> dict[str, Any]:
    c.principal.require(Action.READ_TRIAL)
    with c.db.read() as session:
        state = current_state(session, c)
    return {"trial": c.protocol.trial.id, "registry_id": c.protocol.trial.registry_id, "phase": state.phase.value,
            "day": state.day, "screened": state.screened, "treated": state.treated, "committed": state.committed,
            "waitlist": [w.patient_id for w in state.waitlist], "selected": state.selected,
            "pending_decisions": [_pending_json(d) for d in state.pending], "close_reason": state.close_reason or None,
            "expansion": _expansion_json(c, state)}


def _expansion_json(c: Conduct, state) -> dict[str, Any] | None:
    from dartnk.trial.assignment import open_slots

    ex = state.expansion
    if ex is None:
        return None
    return {"construct": ex.construct, "dose_level": c.protocol.dose_levels[ex.level].id, "size": ex.size,
            "patients": list(ex.patient_ids), "open_slots": open_slots(state, c.protocol).get(ex.construct, 0),
            "stopped": ex.stopped}


def patient_list(c: Conduct) -> list[dict[str, Any]]:
    c.principal.require(Action.READ_PATIENTS)
    with c.db.read() as session:
        q = select(m.Patient).order_by(m.Patient.id)
        if c.principal.role.site_scoped:
            q = q.where(m.Patient.site_id == c.principal.site_id)
        rows = session.execute(q).scalars().all()
        state = current_state(session, c)
        return [patient_json(p) | {"status": _status(session, state, p.id)} for p in rows]


def _one(session, model, patient_id: str):
    return session.execute(select(model).where(model.patient_id == patient_id)).scalar_one_or_none()


def _all(session, model, patient_id: str, order):
    return session.execute(select(model).where(model.patient_id == patient_id).order_by(order)).scalars().all()


def _status(session, state, patient_id: str) -> str:
    """The patient's place in the trial, from the records and the engine's state."""
    survival = session.execute(select(m.SurvivalStatus).where(m.SurvivalStatus.patient_id == patient_id)
                               .order_by(m.SurvivalStatus.as_of.desc(), m.SurvivalStatus.id.desc())).scalars().first()
    if survival is not None and survival.status != "alive":
        return survival.status
    consent = _one(session, m.Consent, patient_id)
    if consent is not None and consent.withdrawn_on is not None:
        return "withdrawn"
    p = state.patients.get(patient_id)
    if p is not None:
        if p.replaced and not p.treated:
            return "replaced"
        if p.off_study_day is not None:
            return "off_study"
        if not p.treated:
            return "enrolled"
        return "follow_up" if p.resolved else "dlt_window"
    w = _one(session, m.WaitlistEntry, patient_id)
    if w is not None:
        return "waitlisted" if w.status == "waiting" else f"waitlist_{w.status}"
    screening = _one(session, m.Screening, patient_id)
    if screening is not None:
        return "screened_eligible" if screening.eligible else "screen_failed"
    return "consented" if consent is not None else "registered"


def patient_view(c: Conduct, patient_id: str, today: date | None = None) -> dict[str, Any]:
    from dartnk.service.workflow.outcomes import response_json
    from dartnk.service.workflow.safety import adverse_event_json, dlt_json
    from dartnk.service.workflow.treatment import administration_json, lot_json

    today = today or c.today
    with c.db.read() as session:
        patient = load_patient(c, session, patient_id)
        state = current_state(session, c)
        consent = _one(session, m.Consent, patient_id)
        screening = _one(session, m.Screening, patient_id)
        profile = _one(session, m.AntigenProfile, patient_id)
        enrollment = _one(session, m.Enrollment, patient_id)
        admin = _all(session, m.Administration, patient_id, m.Administration.given_on)
        infusions = [a for a in admin if a.kind == "infusion"]
        day0 = infusions[0].given_on if infusions else None
        out = patient_json(patient) | {
            "status": _status(session, state, patient_id),
            "consent": None if consent is None else {"signed_on": consent.signed_on.isoformat(), "version": consent.version,
                                                     "withdrawn_on": consent.withdrawn_on.isoformat() if consent.withdrawn_on else None},
            "eligibility": None if screening is None else screening.result,
            "antigens": None if profile is None else profile.result,
            "enrollment": None if enrollment is None else {
                "arm": enrollment.arm, "dose_level": enrollment.dose_level, "cohort": enrollment.cohort,
                "slot": enrollment.slot, "enrolled_on": enrollment.enrolled_on.isoformat()},
            "product_lots": [lot_json(x) for x in _all(session, m.ProductLot, patient_id, m.ProductLot.id)],
            "administrations": [administration_json(a) for a in admin],
            "day0": day0.isoformat() if day0 else None,
            "study_day": (today - day0).days if day0 else None,
            "adverse_events": [adverse_event_json(a, day0) for a in _all(session, m.AdverseEvent, patient_id, m.AdverseEvent.id)],
            "dlt": dlt_json(_one(session, m.DltAdjudication, patient_id)),
            "response": response_json(session, c, patient_id, day0),
            "survival": [{"status": s.status, "as_of": s.as_of.isoformat(), "cause": s.cause}
                         for s in _all(session, m.SurvivalStatus, patient_id, m.SurvivalStatus.as_of)],
        }
        out["calendar"], out["overdue_visits"] = _calendar(c, session, patient_id, day0, today)
        return out


def overdue_visits(c: Conduct) -> list[dict[str, Any]]:
    """Every visible patient's required visits whose window closed without a matching record."""
    c.principal.require(Action.READ_PATIENTS)
    out = []
    with c.db.read() as session:
        q = select(m.Patient).order_by(m.Patient.id)
        if c.principal.role.site_scoped:
            q = q.where(m.Patient.site_id == c.principal.site_id)
        state = current_state(session, c)
        for p in session.execute(q).scalars().all():
            if _status(session, state, p.id) in ("dead", "withdrawn", "lost_to_follow_up"):
                continue
            first = session.execute(select(m.Administration.given_on).where(
                m.Administration.patient_id == p.id, m.Administration.kind == "infusion")
                .order_by(m.Administration.given_on).limit(1)).scalar_one_or_none()
            _, overdue = _calendar(c, session, p.id, first, c.today)
            if overdue:
                out.append({"patient": p.id, "site": p.site_id, "overdue": overdue})
    return out


def _calendar(c: Conduct, session, patient_id: str, day0: date | None, today: date):
    """The visit calendar from Day 0, and required visits whose window closed without a matching record."""
    from dartnk.clinical.calendar import VisitKind, overdue_visits, visit_calendar

    if day0 is None:
        return [], []
    calendar = visit_calendar(c.protocol, day0)
    dated: dict[VisitKind, list[date]] = {
        VisitKind.INFUSION: [a.given_on for a in _all(session, m.Administration, patient_id, m.Administration.given_on)
                             if a.kind == "infusion"],
        VisitKind.LYMPHODEPLETION: [a.given_on for a in _all(session, m.Administration, patient_id, m.Administration.given_on)
                                    if a.kind == "lymphodepletion"],
        VisitKind.PERSISTENCE_SAMPLE: [x.collected_on for x in _all(session, m.PersistenceMeasurement, patient_id,
                                                                    m.PersistenceMeasurement.collected_on)],
        VisitKind.TUMOUR_ASSESSMENT: [x.assessed_on for x in _all(session, m.TumorAssessment, patient_id,
                                                                  m.TumorAssessment.assessed_on)],
    }
    contacts = [x.contacted_on for x in _all(session, m.FollowUpContact, patient_id, m.FollowUpContact.contacted_on)]
    for kind in (VisitKind.DLT_VISIT, VisitKind.FOLLOW_UP, VisitKind.END_OF_FOLLOW_UP, VisitKind.LONG_TERM_FOLLOW_UP):
        dated[kind] = contacts
    done = {v.name for v in calendar if any(v.window_start <= d <= v.window_end for d in dated.get(v.kind, []))}
    overdue = overdue_visits(calendar, today, done)
    return ([v.to_json() | {"done": v.name in done} for v in calendar], [v.to_json() for v in overdue])
