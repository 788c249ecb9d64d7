"""Adverse-event and tumour-assessment forms (graded live as they are filled in; see :mod:`live`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from dartnk.service.schemas import AdverseEventIn, TumorAssessmentIn
from dartnk.service.web.ae_forms import adverse_event_body, tumor_assessment_body
from dartnk.service.web.deps import Page, checked_form, page
from dartnk.service.web.render import attempt, parse, redirect, render

router = APIRouter(prefix="/patients/{pid}")

BLANK_LESIONS = 5


def _terms() -> list[str]:
    from dartnk.clinical.adverse_event import CRS_TERM, ICANS_TERM
    from dartnk.clinical.ctcae import known_terms

    return [CRS_TERM, ICANS_TERM, *known_terms()]


def _ae_page(request: Request, p: Page, pid: str, values: dict[str, Any], error: str | None = None, status: int = 200):
    from dartnk.service.workflow.patients import load_patient

    with p.conduct.db.read() as session:
        load_patient(p.conduct, session, pid)
    return render(request, p, "adverse_event.html", status=status, pid=pid, values=values, terms=_terms(),
                  today=p.conduct.today.isoformat(), error=error)


@router.get("/adverse-events", response_class=HTMLResponse)
def adverse_event_form(request: Request, pid: str, p: Page = Depends(page)):
    return _ae_page(request, p, pid, {})


@router.post("/adverse-events")
async def adverse_event(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import safety

    form = await checked_form(request, p)
    _, error, status = attempt(lambda: safety.add_adverse_event(p.conduct, pid, parse(AdverseEventIn, adverse_event_body(form))))
    if error:
        return _ae_page(request, p, pid, form, str(error), status)
    return redirect(f"/patients/{pid}")


def _lesion_rows(p: Page, pid: str) -> tuple[bool, list[dict[str, Any]]]:
    """Baseline? and the rows to fill: blank rows at baseline, the baseline's lesions afterwards."""
    from sqlalchemy import select

    from dartnk.service.workflow.patients import load_patient
    from dartnk.store.models import TumorAssessment

    with p.conduct.db.read() as session:
        load_patient(p.conduct, session, pid)
        rows = session.execute(select(TumorAssessment).where(TumorAssessment.patient_id == pid)).scalars().all()
        base = next((r for r in rows if r.lesions.get("baseline")), None)
        if base is None:
            return True, [{"id": f"T{i + 1}"} for i in range(BLANK_LESIONS)]
        return False, [{"id": les["id"]} for les in base.lesions.get("target_lesions", [])]


def _tumor_page(request: Request, p: Page, pid: str, values: dict[str, Any], error: str | None = None, status: int = 200):
    is_baseline, lesions = _lesion_rows(p, pid)
    return render(request, p, "tumor_assessment.html", status=status, pid=pid, values=values, lesions=lesions,
                  is_baseline=is_baseline, today=p.conduct.today.isoformat(), error=error)


@router.get("/tumor-assessments", response_class=HTMLResponse)
def tumor_form(request: Request, pid: str, p: Page = Depends(page)):
    return _tumor_page(request, p, pid, {})


@router.post("/tumor-assessments")
async def tumor_assessment(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import outcomes

    form = await checked_form(request, p)
    _, error, status = attempt(lambda: outcomes.add_tumor_assessment(p.conduct, pid, parse(TumorAssessmentIn, tumor_assessment_body(form))))
    if error:
        return _tumor_page(request, p, pid, form, str(error), status)
    return redirect(f"/patients/{pid}")
