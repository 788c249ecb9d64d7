"""The screening and antigen forms of a patient (pages of their own, with live results); the
one-step forms of the patient page are in :mod:`patient_steps`. A mistake re-renders the form with
the message and the values kept."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from dartnk.service.web import record_forms as rf
from dartnk.service.web.deps import Page, checked_form, page
from dartnk.service.web.render import attempt, redirect, render

router = APIRouter(prefix="/patients/{pid}")


# -- screening and antigens -------------------------------------------------------------------

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
    return render(request, p, "screening.html", pid=pid, groups=rf.SCREENING_FIELDS, labs=rf.form_labs(request.app.state.protocol),
                  values=rf.screening_values(record), existing=record is not None)


@router.post("/screening")
async def screening(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import patients as wf

    form = await checked_form(request, p)
    record = rf.screening_record(form, rf.form_labs(request.app.state.protocol))
    existing = _stored_record(p, pid, "Screening") is not None
    _, error, status = attempt(lambda: wf.screen(p.conduct, pid, record, form.get("reason") or None))
    if error:
        return render(request, p, "screening.html", status=status, pid=pid, groups=rf.SCREENING_FIELDS,
                      labs=rf.form_labs(request.app.state.protocol), values=form, existing=existing, error=str(error))
    return redirect(f"/patients/{pid}")


@router.get("/antigens", response_class=HTMLResponse)
def antigens_form(request: Request, pid: str, p: Page = Depends(page)):
    record = _stored_record(p, pid, "AntigenProfile")
    return render(request, p, "antigens.html", pid=pid, values=rf.antigen_values(record), existing=record is not None)


@router.post("/antigens")
async def antigens(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import patients as wf

    form = await checked_form(request, p)
    record = rf.antigen_record(form, [a.id for a in request.app.state.protocol.antigens])
    existing = _stored_record(p, pid, "AntigenProfile") is not None
    _, error, status = attempt(lambda: wf.profile_antigens(p.conduct, pid, record, form.get("reason") or None))
    if error:
        return render(request, p, "antigens.html", status=status, pid=pid, values=form, existing=existing, error=str(error))
    return redirect(f"/patients/{pid}")
