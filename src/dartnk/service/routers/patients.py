"""Patients: registration, consent, screening, antigen profile, enrollment, and the patient view."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse

from dartnk.service.context import Conduct
from dartnk.service.errors import ERROR_RESPONSES
from dartnk.service.routers.deps import conduct
from dartnk.service.schemas import ConsentIn, ConsentWithdrawal, EnrollmentIn, PatientChange, PatientIn
from dartnk.service.workflow import enrollment, patients, views

router = APIRouter(tags=["patients"], responses=ERROR_RESPONSES)

REASON = Query(default=None, max_length=2000, description="required when replacing a record already entered")


@router.post("/patients", status_code=201)
def register_patient(body: PatientIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """Register a pseudonymous patient (no names); answers the subject id."""
    return patients.register(c, body)


@router.get("/patients")
def list_patients(c: Conduct = Depends(conduct)) -> list[dict[str, Any]]:
    """Patients the user can see (their own site's, for site staff), with their status."""
    return views.patient_list(c)


@router.get("/patients/{patient_id}")
def get_patient(patient_id: str, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """Everything about one patient, with the computed status, visit calendar, DLT status and response."""
    return views.patient_view(c, patient_id)


@router.patch("/patients/{patient_id}")
def change_patient(patient_id: str, body: PatientChange, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return patients.change(c, patient_id, body)


@router.post("/patients/{patient_id}/consent", status_code=201)
def record_consent(patient_id: str, body: ConsentIn, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return patients.consent(c, patient_id, body)


@router.post("/patients/{patient_id}/consent/withdrawal")
def withdraw_consent(patient_id: str, body: ConsentWithdrawal, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    return patients.withdraw_consent(c, patient_id, body)


@router.post("/patients/{patient_id}/screening")
def screen_patient(patient_id: str, record: dict[str, Any] = Body(..., description="the record `dartnk eligibility` reads"),
                   reason: Optional[str] = REASON, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """Evaluate eligibility: ``{"eligible", "criteria": [...]}`` with a reason per criterion."""
    return patients.screen(c, patient_id, record, reason)


@router.post("/patients/{patient_id}/antigens")
def profile_antigens(patient_id: str, record: dict[str, Any] = Body(..., description="the record `dartnk antigens` reads"),
                     reason: Optional[str] = REASON, c: Conduct = Depends(conduct)) -> dict[str, Any]:
    """Profile DLL3, CD56 and GD2: the constructs the patient qualifies for."""
    return patients.profile_antigens(c, patient_id, record, reason)


@router.post("/patients/{patient_id}/enrollment", status_code=201,
             responses={202: {"description": "waitlisted: {\"waitlisted\": true, \"position\"}"}})
def enroll(patient_id: str, body: Optional[EnrollmentIn] = Body(default=None), c: Conduct = Depends(conduct)):
    """The engine assigns arm, dose level, cohort and slot (201), waitlists (202) or refuses (409 with the reason)."""
    status, answer = enrollment.request_enrollment(c, patient_id, body or EnrollmentIn())
    return JSONResponse(answer, status_code=status)
