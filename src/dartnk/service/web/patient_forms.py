"""The data-entry forms of a patient: consent, screening, antigens, enrollment, product, dosing,
adverse events, DLT confirmation and tumour assessments. Each posts to the same workflow function
as the API; a mistake re-renders the form with the message and the values kept."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from dartnk.service.schemas import (AdverseEventIn, ConsentIn, DltConfirmation, EnrollmentIn, InfusionIn,
                                    LymphodepletionIn, ProductLotIn, TumorAssessmentIn)
from dartnk.service.web import record_forms as rf
from dartnk.service.web.deps import Page, page, require_csrf
from dartnk.service.web.pages import patient_page
from dartnk.service.web.render import attempt, clean, parse, redirect, render

router = APIRouter(prefix="/patients/{pid}")


async def _form(request: Request, p: Page) -> dict[str, Any]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    require_csrf(request, p, form.get("csrf_token"))
    return form


def _on_patient_page(request: Request, p: Page, pid: str, step) -> Any:
    """Run a step posted from the patient page; back to the page, with the message if it failed."""
    _, error, status = attempt(step)
    if error:
        return patient_page(request, p, pid, error=str(error), status=status)
    return redirect(f"/patients/{pid}")


@router.post("/consent")
async def consent(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import patients as wf

    values = clean(await _form(request, p))
    return _on_patient_page(request, p, pid, lambda: wf.consent(p.conduct, pid, parse(ConsentIn, values)))


@router.post("/enrollment")
async def enrollment(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import enrollment as wf

    await _form(request, p)
    return _on_patient_page(request, p, pid, lambda: wf.request_enrollment(p.conduct, pid, EnrollmentIn()))


@router.post("/product-lots")
async def product_lot(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import treatment as wf

    values = clean(await _form(request, p))
    return _on_patient_page(request, p, pid, lambda: wf.add_product_lot(p.conduct, pid, parse(ProductLotIn, values)))


@router.post("/lymphodepletion")
async def lymphodepletion(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import treatment as wf

    values = clean(await _form(request, p))
    return _on_patient_page(request, p, pid, lambda: wf.add_lymphodepletion(p.conduct, pid, parse(LymphodepletionIn, values)))


@router.post("/infusions")
async def infusion(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import treatment as wf

    values = clean(await _form(request, p))
    return _on_patient_page(request, p, pid, lambda: wf.add_infusion(p.conduct, pid, parse(InfusionIn, values)))


@router.post("/dlt/confirm")
async def confirm_dlt(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import safety as wf

    values = clean(await _form(request, p))
    return _on_patient_page(request, p, pid, lambda: wf.confirm_dlt(p.conduct, pid, parse(DltConfirmation, values)))


# -- screening and antigens -------------------------------------------------------------------

def _stored(p: Page, pid: str, key: str) -> dict[str, Any] | None:
    from dartnk.service.workflow import views

    return views.patient_view(p.conduct, pid).get(key)


def _stored_record(p: Page, pid: str, model_name: str) -> dict[str, Any] | None:
    from sqlalchemy import select

    from dartnk.service.workflow.patients import load_patient
    from dartnk.store import models as m

    model = getattr(m, model_name)
    with p.conduct.db.read() as session:
        load_patient(p.conduct, session, pid)
        row = session.execute(select(model).where(model.patient_id == pid)).scalar_one_or_none()
        return None if row is None else row.record


@router.get("/screening", response_class=HTMLResponse)
def screening_form(request: Request, pid: str, p: Page = Depends(page)):
    record = _stored_record(p, pid, "Screening")
    return render(request, p, "screening.html", pid=pid, groups=rf.SCREENING_FIELDS, labs=rf.LAB_UNITS,
                  values=rf.screening_values(record), existing=record is not None)


@router.post("/screening")
async def screening(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import patients as wf

    form = await _form(request, p)
    record = rf.screening_record(form)
    existing = _stored_record(p, pid, "Screening") is not None
    _, error, status = attempt(lambda: wf.screen(p.conduct, pid, record, form.get("reason") or None))
    if error:
        return render(request, p, "screening.html", status=status, pid=pid, groups=rf.SCREENING_FIELDS,
                      labs=rf.LAB_UNITS, values=form, existing=existing, error=str(error))
    return redirect(f"/patients/{pid}")


@router.get("/antigens", response_class=HTMLResponse)
def antigens_form(request: Request, pid: str, p: Page = Depends(page)):
    record = _stored_record(p, pid, "AntigenProfile")
    return render(request, p, "antigens.html", pid=pid, values=rf.antigen_values(record), existing=record is not None)


@router.post("/antigens")
async def antigens(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import patients as wf

    form = await _form(request, p)
    record = rf.antigen_record(form, [a.id for a in request.app.state.protocol.antigens])
    existing = _stored_record(p, pid, "AntigenProfile") is not None
    _, error, status = attempt(lambda: wf.profile_antigens(p.conduct, pid, record, form.get("reason") or None))
    if error:
        return render(request, p, "antigens.html", status=status, pid=pid, values=form, existing=existing, error=str(error))
    return redirect(f"/patients/{pid}")
