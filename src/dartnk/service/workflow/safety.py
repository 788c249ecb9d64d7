"""Adverse events, DLT adjudication (proposed by ``dartnk.clinical.dlt``, confirmed by the medical
monitor), and closing DLT windows so the engine can count the cohort and propose the next step."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dartnk.errors import ConflictError, InputError, NotFoundError, problems_from_pydantic
from dartnk.service.auth import Action
from dartnk.service.context import Conduct
from dartnk.service.schemas import AdverseEventChange, AdverseEventIn, DltConfirmation
from dartnk.service.workflow.engine import check_not_future, current_state, engine_day, record
from dartnk.service.workflow.patients import load_patient, writable_patient
from dartnk.service.workflow.treatment import infusion_dates
from dartnk.store.models import AdverseEvent as AeRow, DltAdjudication

GRADE_INPUTS = ("grade", "crs", "icans", "lab")


def _clinical_event(row_like: dict[str, Any], day0: date, field_prefix: str = ""):
    """The ``dartnk.clinical`` adverse event with study days counted from ``day0``."""
    from dartnk.clinical.adverse_event import AdverseEvent

    data = {k: row_like[k] for k in ("term", "attribution", "serious") if row_like.get(k) is not None}
    data.update({k: v for k, v in row_like.get("inputs", {}).items() if v is not None})
    if row_like.get("category"):
        data["category"] = row_like["category"]
    data["onset_day"] = (row_like["onset_on"] - day0).days
    if row_like.get("resolved_on") is not None:
        data["resolution_day"] = (row_like["resolved_on"] - day0).days
    try:
        return AdverseEvent.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_pydantic(exc, field_prefix)
        raise InputError([_rename(p) for p in problems]) from None


def _rename(p):
    from dataclasses import replace

    return replace(p, field=p.field.replace("onset_day", "onset_on").replace("resolution_day", "resolved_on"))


def add_adverse_event(c: Conduct, patient_id: str, body: AdverseEventIn) -> dict[str, Any]:
    """Grade the event (ASTCT for CRS/ICANS, CTCAE v5.0 otherwise), store it, re-adjudicate DLTs."""
    from dartnk.trial.events import AdverseEventReported

    check_not_future("onset_on", body.onset_on, c.today)
    if body.resolved_on is not None:
        check_not_future("resolved_on", body.resolved_on, c.today)
    with c.db.write() as session:
        patient = writable_patient(c, session, patient_id)
        if body.onset_on < patient.registered_on:
            raise InputError.field("onset_on", body.onset_on.isoformat(), f"a date not before registration ({patient.registered_on})")
        given = infusion_dates(session, patient_id)
        inputs = {k: getattr(body, k) for k in GRADE_INPUTS}
        like = {"term": body.term, "attribution": body.attribution, "serious": body.serious, "inputs": inputs,
                "category": body.category, "onset_on": body.onset_on, "resolved_on": body.resolved_on}
        event = _clinical_event(like, given[0] if given else body.onset_on)
        grading = event.grading(c.protocol.ctcae)
        if grading.grade == 0:
            raise InputError.field("grade", 0, "an adverse event of grade ≥ 1 (the inputs grade to 0: " + grading.reason + ")")
        row = c.recorder(session).create(AeRow(
            patient_id=patient_id, term=event.term, category=event.ae_category.value, grade=grading.grade,
            grading={"inputs": {k: v for k, v in inputs.items() if v is not None}, "reason": grading.reason},
            onset_on=body.onset_on, resolved_on=body.resolved_on, serious=body.serious, attribution=body.attribution))
        if patient_id in current_state(session, c).patients:
            record(c, session, AdverseEventReported, body.onset_on, patient_id=patient_id,
                   category=event.ae_category.value, grade=grading.grade)
        readjudicate(c, session, patient_id, "new adverse event")
        advance(c, session)
        return adverse_event_json(row, given[0] if given else None)


def change_adverse_event(c: Conduct, patient_id: str, ae_id: int, body: AdverseEventChange) -> dict[str, Any]:
    """Record a resolution or correct an event (with a reason); DLTs are re-adjudicated."""
    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        row = session.get(AeRow, ae_id)
        if row is None or row.patient_id != patient_id:
            raise NotFoundError.field("ae_id", ae_id, "an adverse event of this patient")
        values = {k: v for k, v in body.model_dump(exclude={"reason"}).items() if v is not None}
        if "resolved_on" in values:
            check_not_future("resolved_on", values["resolved_on"], c.today)
            if values["resolved_on"] < row.onset_on:
                raise InputError.field("resolved_on", values["resolved_on"].isoformat(), f"a date on or after onset ({row.onset_on})")
        if "grade" in values:
            if "grade" not in row.grading.get("inputs", {}):
                raise InputError.field("grade", values["grade"], "no grade: this event is graded from its crs/icans/lab inputs")
            values["grading"] = {**row.grading, "inputs": {**row.grading["inputs"], "grade": values["grade"]},
                                 "reason": f"{row.term} grade {values['grade']} (as reported)"}
        c.recorder(session).change(row, values, body.reason)
        readjudicate(c, session, patient_id, "adverse event changed: " + body.reason)
        advance(c, session)
        given = infusion_dates(session, patient_id)
        return adverse_event_json(row, given[0] if given else None)


def adverse_event_json(a: AeRow, day0: date | None) -> dict[str, Any]:
    return {"id": a.id, "term": a.term, "category": a.category, "grade": a.grade, "grading_reason": a.grading.get("reason"),
            "onset_on": a.onset_on.isoformat(), "resolved_on": a.resolved_on.isoformat() if a.resolved_on else None,
            "onset_day": (a.onset_on - day0).days if day0 else None, "serious": a.serious, "attribution": a.attribution}


def readjudicate(c: Conduct, session: Session, patient_id: str, why: str) -> DltAdjudication | None:
    """Propose the patient's DLT status from their events (``dartnk.clinical.dlt.adjudicate``)."""
    from dartnk.clinical.dlt import adjudicate, window_last_day

    given = infusion_dates(session, patient_id)
    if not given:
        return None
    day0 = given[0]
    last = window_last_day(c.protocol)
    rows = session.execute(select(AeRow).where(AeRow.patient_id == patient_id).order_by(AeRow.id)).scalars().all()
    events = [_clinical_event({"term": r.term, "attribution": r.attribution, "serious": r.serious,
                               "inputs": r.grading.get("inputs", {}), "category": r.category,
                               "onset_on": r.onset_on, "resolved_on": r.resolved_on}, day0) for r in rows]
    observed = max([(c.today - day0).days] + [e.onset_day for e in events] +
                   [e.resolution_day for e in events if e.resolution_day is not None])
    result = adjudicate(c.protocol, events, infusions_received=sum(1 for d in given if (d - day0).days <= last),
                        observed_through_day=observed)
    values = {"status": result.status.value, "rule_id": result.rule_id, "evaluable": bool(result.evaluable),
              "reason": result.reason,
              "details": {"event_ids": [r.id for r in rows], "event_index": result.event_index,
                          "evaluable": result.evaluable, "evaluability_reason": result.evaluability_reason,
                          "observed_through_day": observed, "events": [v.model_dump(mode="json") for v in result.events]}}
    row = session.execute(select(DltAdjudication).where(DltAdjudication.patient_id == patient_id)).scalar_one_or_none()
    rec = c.recorder(session)
    if row is None:
        return rec.create(DltAdjudication(patient_id=patient_id, proposed_at=c.now, **values))
    if row.status != values["status"] and row.confirmed_dlt is False:
        values.update(confirmed_dlt=None, confirmed_by=None, confirmed_at=None)
    rec.change(row, values | {"proposed_at": c.now} if row.status != values["status"] else values, why)
    return row


def confirm_dlt(c: Conduct, patient_id: str, body: DltConfirmation) -> dict[str, Any]:
    """The medical monitor adjudicates the proposal; a DLT is sent to the engine."""
    from dartnk.trial.events import DltAdjudicated

    c.principal.require(Action.CONFIRM_DLT)
    with c.db.write() as session:
        load_patient(c, session, patient_id)
        row = readjudicate(c, session, patient_id, "re-adjudicated before confirmation")
        if row is None:
            raise ConflictError.field("id", patient_id, "a dosed patient (DLTs are adjudicated from Day 0)")
        if row.confirmed_dlt is not None:
            raise ConflictError.field("id", patient_id, "a DLT proposal not yet confirmed "
                                      f"(confirmed {'DLT' if row.confirmed_dlt else 'no DLT'} by {row.confirmed_by})")
        proposed_dlt = row.status == "dlt"
        if body.is_dlt != proposed_dlt and not body.comment.strip():
            raise InputError.field("comment", body.comment, f"a comment when overruling the proposal ({row.status})")
        if row.status == "pending" and not body.is_dlt:
            raise ConflictError.field("is_dlt", False, "a decided proposal: an ongoing event may still become a DLT "
                                      f"({row.reason})")
        state = current_state(session, c)
        p = state.patients.get(patient_id)
        counted = p is None or p.resolved
        if body.is_dlt and counted:
            raise ConflictError.field("is_dlt", True, "a patient whose DLT window is still open (this patient has "
                                      "been counted without a DLT: report the late DLT to the committee)")
        c.recorder(session).change(row, {"confirmed_dlt": body.is_dlt, "confirmed_by": c.principal.name,
                                         "confirmed_at": c.now, "comment": body.comment or None},
                                   f"medical monitor adjudication: {'DLT' if body.is_dlt else 'no DLT'}")
        if not counted:
            record(c, session, DltAdjudicated, c.today, patient_id=patient_id, is_dlt=body.is_dlt)
        advance(c, session)
        return dlt_json(row)


def dlt_json(row: DltAdjudication | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"proposed": row.status, "rule_id": row.rule_id, "reason": row.reason, "evaluable": row.details.get("evaluable"),
            "evaluability_reason": row.details.get("evaluability_reason"), "confirmed_dlt": row.confirmed_dlt,
            "confirmed_by": row.confirmed_by, "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else None}


def advance(c: Conduct, session: Session) -> list[str]:
    """Close every DLT window that is over (today past the last window day) and fully adjudicated.

    A window with a pending event, or an unconfirmed DLT proposal, stays open: the medical monitor
    decides first. Returns the patients whose window was closed.
    """
    from dartnk.clinical.dlt import window_last_day
    from dartnk.trial.events import DltWindowClosed

    _expire_waitlist(c, session)
    closed = []
    state = current_state(session, c)
    last = window_last_day(c.protocol)
    for p in list(state.patients.values()):
        if p.day0 is None or p.resolved:
            continue
        given = infusion_dates(session, p.patient_id)
        if not given or (c.today - given[0]).days <= last:
            continue
        row = readjudicate(c, session, p.patient_id, "DLT window over")
        if row is not None and (row.status == "pending" or (row.status == "dlt" and row.confirmed_dlt is None)):
            continue
        on = min(c.today, given[0] + timedelta(days=last + 1))
        if engine_day(session, c, on) < p.day0 + last:
            on = c.today
        record(c, session, DltWindowClosed, on, patient_id=p.patient_id)
        closed.append(p.patient_id)
    return closed


def _expire_waitlist(c: Conduct, session: Session) -> None:
    """Send the engine a ``Tick`` on the first day a waitlisted patient has waited too long
    (``assignment.max_wait_days``), not today: the calendar moves no further than needed."""
    from dartnk.service.workflow.engine import date_of_day
    from dartnk.trial.events import Tick

    state = current_state(session, c)
    limit = c.protocol.assignment.max_wait_days
    due = sorted(w.since_day + limit + 1 for w in state.waitlist)
    if due and due[0] <= engine_day(session, c, c.today):
        record(c, session, Tick, date_of_day(session, c, max(due[0], state.day)))


def advance_now(c: Conduct) -> dict[str, Any]:
    """``POST /api/v1/trial/advance``: close the DLT windows that are due (medical monitor, data manager)."""
    if not (c.principal.may(Action.CONFIRM_DLT) or c.principal.may(Action.WRITE_PATIENT_DATA)):
        c.principal.require(Action.CONFIRM_DLT)
    with c.db.write() as session:
        return {"closed_windows": advance(c, session)}
