"""A patient's treatment and follow-up records: lots, lymphodepletion, infusions, AEs, DLTs, labs,
persistence, tumour assessments, survival and follow-up contacts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path

from dartnk.service.context import Conduct
from dartnk.service.errors import ERROR_RESPONSES
from dartnk.service.routers.deps import conduct
from dartnk.service.schemas import (AdverseEventChange, AdverseEventIn, DltConfirmation, FollowUpIn, InfusionIn, LabIn,
                                    LymphodepletionIn, PersistenceIn, ProductLotChange, ProductLotIn, SurvivalIn,
                                    TumorAssessmentIn)
from dartnk.service.workflow import outcomes, safety, treatment

router = APIRouter(prefix="/patients/{patient_id}", tags=["patient records"], responses=ERROR_RESPONSES)


@router.post("/product-lots", status_code=201)
def add_product_lot(patient_id: str, body: ProductLotIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return treatment.add_product_lot(c, patient_id, body)


@router.patch("/product-lots/{lot_number}")
def change_product_lot(patient_id: str, lot_number: str, body: ProductLotChange,
                       c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return treatment.change_product_lot(c, patient_id, lot_number, body)


@router.post("/lymphodepletion", status_code=201)
def add_lymphodepletion(patient_id: str, body: LymphodepletionIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return treatment.add_lymphodepletion(c, patient_id, body)


@router.post("/infusions", status_code=201)
def add_infusion(patient_id: str, body: InfusionIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """A CAR-NK infusion; the first is Day 0 (409 before the sentinel's observation is over)."""
    return treatment.add_infusion(c, patient_id, body)


@router.post("/adverse-events", status_code=201)
def add_adverse_event(patient_id: str, body: AdverseEventIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """Grade and store an adverse event; the patient's DLT status is re-adjudicated."""
    return safety.add_adverse_event(c, patient_id, body)


@router.patch("/adverse-events/{ae_id}")
def change_adverse_event(patient_id: str, body: AdverseEventChange, ae_id: int = Path(ge=1, le=2**31 - 1),
                         c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return safety.change_adverse_event(c, patient_id, ae_id, body)


@router.post("/dlt/confirm")
def confirm_dlt(patient_id: str, body: DltConfirmation, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """The medical monitor confirms (or overrules, with a comment) the engine's DLT proposal."""
    return safety.confirm_dlt(c, patient_id, body)


@router.post("/labs", status_code=201)
def add_lab(patient_id: str, body: LabIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return outcomes.add_lab(c, patient_id, body)


@router.post("/persistence", status_code=201)
def add_persistence(patient_id: str, body: PersistenceIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return outcomes.add_persistence(c, patient_id, body)


@router.post("/tumor-assessments", status_code=201)
def add_tumor_assessment(patient_id: str, body: TumorAssessmentIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """A RECIST 1.1 assessment; answers the time-point responses and the best overall response."""
    return outcomes.add_tumor_assessment(c, patient_id, body)


@router.post("/survival", status_code=201)
def add_survival(patient_id: str, body: SurvivalIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return outcomes.add_survival(c, patient_id, body)


@router.post("/follow-up", status_code=201)
def add_follow_up(patient_id: str, body: FollowUpIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return outcomes.add_follow_up(c, patient_id, body)
