"""Forms after dosing: an adverse event's resolution or correction (with the reason the audit trail
needs), persistence samples, survival status and (long-term) follow-up contacts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from dartnk.service.schemas import AdverseEventChange, FollowUpIn, PersistenceIn, SurvivalIn
from dartnk.service.web.deps import Page, page, require_csrf
from dartnk.service.web.pages import patient_page
from dartnk.service.web.render import attempt, clean, parse, redirect

router = APIRouter(prefix="/patients/{pid}")


async def _values(request: Request, p: Page) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    require_csrf(request, p, form.get("csrf_token"))
    return clean(form)


def _back(request: Request, p: Page, pid: str, step):
    _, error, status = attempt(step)
    if error:
        return patient_page(request, p, pid, error=str(error), status=status)
    return redirect(f"/patients/{pid}")


@router.post("/adverse-events/{ae_id}")
async def change_adverse_event(request: Request, pid: str, ae_id: int, p: Page = Depends(page)):
    """Record a resolution date or correct an event; the reason is required (21 CFR 11.10(e))."""
    from dartnk.service.workflow import safety

    values = await _values(request, p)
    return _back(request, p, pid, lambda: safety.change_adverse_event(p.conduct, pid, ae_id, parse(AdverseEventChange, values)))


@router.post("/persistence")
async def persistence(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import outcomes

    values = await _values(request, p)
    return _back(request, p, pid, lambda: outcomes.add_persistence(p.conduct, pid, parse(PersistenceIn, values)))


@router.post("/survival")
async def survival(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import outcomes

    values = await _values(request, p)
    return _back(request, p, pid, lambda: outcomes.add_survival(p.conduct, pid, parse(SurvivalIn, values)))


@router.post("/follow-up")
async def follow_up(request: Request, pid: str, p: Page = Depends(page)):
    from dartnk.service.workflow import outcomes

    values = await _values(request, p)
    return _back(request, p, pid, lambda: outcomes.add_follow_up(p.conduct, pid, parse(FollowUpIn, values)))
