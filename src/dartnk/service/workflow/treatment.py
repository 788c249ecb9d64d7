"""Product lots, lymphodepletion and CAR-NK infusions (Day 0, 7, 14 with their windows)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dartnk.errors import ConflictError, InputError, NotFoundError
from dartnk.service.context import Conduct
from dartnk.service.schemas import InfusionIn, LymphodepletionIn, ProductLotChange, ProductLotIn
from dartnk.service.workflow.engine import check_not_future, current_state, record, require_known
from dartnk.service.workflow.patients import writable_patient
from dartnk.store.models import Administration, Enrollment, ProductLot

INFUSION = "infusion"
LYMPHODEPLETION = "lymphodepletion"


def enrollment_of(session: Session, patient_id: str) -> Enrollment:
    e = session.execute(select(Enrollment).where(Enrollment.patient_id == patient_id)).scalar_one_or_none()
    if e is None:
        raise ConflictError.field("id", patient_id, "a patient enrolled in an arm")
    return e


def add_product_lot(c: Conduct, patient_id: str, body: ProductLotIn) -> dict[str, Any]:
    """Record the patient's product lot; a released or failed lot is reported to the engine."""
    check_not_future("manufactured_on", body.manufactured_on, c.today)
    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        e = enrollment_of(session, patient_id)
        if session.execute(select(ProductLot.id).where(ProductLot.lot_number == body.lot_number)).first():
            raise ConflictError.field("lot_number", body.lot_number, "a lot number not already recorded")
        if body.status == "released" and body.cell_dose is None:
            raise InputError.field("cell_dose", None, "the released lot's cell dose (viable CAR+ NK cells per infusion)")
        lot = c.recorder(session).create(ProductLot(patient_id=patient_id, lot_number=body.lot_number, construct=e.arm,
                                                    status=body.status, cell_dose=body.cell_dose,
                                                    manufactured_on=body.manufactured_on))
        if body.status != "manufactured":
            _report_outcome(c, session, patient_id, body.status, body.manufactured_on)
        return lot_json(lot)


def change_product_lot(c: Conduct, patient_id: str, lot_number: str, body: ProductLotChange) -> dict[str, Any]:
    """Release or fail a manufactured lot (a change, so it needs a reason)."""
    check_not_future("on", body.on, c.today)
    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        lot = session.execute(select(ProductLot).where(ProductLot.lot_number == lot_number,
                                                       ProductLot.patient_id == patient_id)).scalar_one_or_none()
        if lot is None:
            raise NotFoundError.field("lot_number", lot_number, "a lot of this patient")
        if lot.status != "manufactured":
            raise ConflictError.field("status", lot.status, "a lot still awaiting release (status manufactured)")
        if body.status == "released" and (body.cell_dose or lot.cell_dose) is None:
            raise InputError.field("cell_dose", None, "the released lot's cell dose")
        values: dict[str, Any] = {"status": body.status}
        if body.cell_dose is not None:
            values["cell_dose"] = body.cell_dose
        c.recorder(session).change(lot, values, body.reason)
        if body.status != "manufactured":
            _report_outcome(c, session, patient_id, body.status, body.on)
        return lot_json(lot)


def _report_outcome(c: Conduct, session: Session, patient_id: str, status: str, on: date) -> None:
    from dartnk.trial.events import ManufacturingOutcome, ProductManufactured

    state = current_state(session, c)
    p = require_known(state, patient_id)
    if p.product is not None:
        raise ConflictError.field("status", status, f"one release decision per patient (already {p.product.value})")
    record(c, session, ProductManufactured, on, patient_id=patient_id, outcome=ManufacturingOutcome(status))


def lot_json(lot: ProductLot) -> dict[str, Any]:
    return {"lot_number": lot.lot_number, "construct": lot.construct, "status": lot.status, "cell_dose": lot.cell_dose,
            "manufactured_on": lot.manufactured_on.isoformat()}


def add_lymphodepletion(c: Conduct, patient_id: str, body: LymphodepletionIn) -> dict[str, Any]:
    """One day's dose of a conditioning agent of the protocol (fludarabine, cyclophosphamide…)."""
    from dartnk.trial.events import LymphodepletionStarted

    check_not_future("given_on", body.given_on, c.today)
    agents = {a.agent: a for a in c.protocol.lymphodepletion.agents}
    if body.agent not in agents:
        raise InputError.field("agent", body.agent, "a lymphodepletion agent of the protocol (" + ", ".join(agents) + ")")
    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        enrollment_of(session, patient_id)
        first = not session.execute(select(Administration.id).where(Administration.patient_id == patient_id,
                                                                    Administration.kind == LYMPHODEPLETION)).first()
        row = c.recorder(session).create(Administration(patient_id=patient_id, kind=LYMPHODEPLETION, agent=body.agent,
                                                        dose=body.dose_mg_m2, unit="mg/m2", given_on=body.given_on))
        if first:
            require_known(current_state(session, c), patient_id)
            record(c, session, LymphodepletionStarted, body.given_on, patient_id=patient_id)
        return administration_json(row)


def add_infusion(c: Conduct, patient_id: str, body: InfusionIn) -> dict[str, Any]:
    """A CAR-NK infusion from the patient's released lot; the first is the patient's Day 0.

    Later infusions must fall on the protocol's days (7, 14) ± ``infusions.window_days``; the
    engine enforces the sentinel stagger on Day 0 (409 with the first allowed date).
    """
    from dartnk.trial.events import Infused

    check_not_future("given_on", body.given_on, c.today)
    with c.db.write() as session:
        writable_patient(c, session, patient_id)
        enrollment_of(session, patient_id)
        lot = session.execute(select(ProductLot).where(ProductLot.lot_number == body.lot_number,
                                                       ProductLot.patient_id == patient_id)).scalar_one_or_none()
        if lot is None or lot.status != "released":
            raise ConflictError.field("lot_number", body.lot_number, "a released product lot of this patient")
        given = infusion_dates(session, patient_id)
        _check_schedule(c, given, body.given_on)
        row = c.recorder(session).create(Administration(patient_id=patient_id, kind=INFUSION, agent=lot.construct,
                                                        dose=body.cells, unit="cells", given_on=body.given_on,
                                                        lot_number=lot.lot_number))
        record(c, session, Infused, body.given_on, patient_id=patient_id)
        return {**administration_json(row), "study_day": (body.given_on - (given[0] if given else body.given_on)).days}


def _check_schedule(c: Conduct, given: list[date], on: date) -> None:
    days = c.protocol.infusions.days
    if len(given) >= len(days):
        raise ConflictError.field("given_on", on.isoformat(), f"at most {len(days)} infusions per cycle (infusions.days)")
    if not given:
        return
    target, window = days[len(given)], c.protocol.infusions.window_days
    study_day = (on - given[0]).days
    if abs(study_day - target) > window or on <= given[-1]:
        raise InputError.field("given_on", on.isoformat(), f"study Day {target} ± {window} (infusions.days, "
                               f"infusions.window_days; Day 0 was {given[0].isoformat()})")


def infusion_dates(session: Session, patient_id: str) -> list[date]:
    return list(session.execute(select(Administration.given_on).where(
        Administration.patient_id == patient_id, Administration.kind == INFUSION).order_by(Administration.given_on)).scalars())


def administration_json(a: Administration) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "agent": a.agent, "dose": a.dose, "unit": a.unit,
            "given_on": a.given_on.isoformat(), "lot_number": a.lot_number}
