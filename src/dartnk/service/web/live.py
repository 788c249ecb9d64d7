"""Live grading for the forms: each answers what the clinical rule says of the values typed so far.

Nothing is stored. The same :mod:`dartnk.clinical` functions grade here as when the form is saved,
and every answer names the rule that fired. Bodies are the forms' fields (``application/json``);
the ``X-CSRF-Token`` header is required.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from dartnk.errors import DartnkError
from dartnk.service.web import record_forms as rf
from dartnk.service.web.ae_forms import adverse_event_body, tumor_assessment_body
from dartnk.service.web.deps import Page, page, require_csrf

router = APIRouter(prefix="/live")


async def _fields(request: Request, p: Page) -> dict[str, str]:
    require_csrf(request, p, None)
    data = await request.json()
    if not isinstance(data, dict):
        raise DartnkError("a JSON object of form fields")
    return {str(k): str(v) for k, v in data.items()}


def _answer(fn) -> JSONResponse:
    try:
        return JSONResponse({"ok": True} | fn())
    except DartnkError as exc:
        return JSONResponse({"ok": False, "error": str(exc), "field": exc.field_path}, status_code=200)


@router.post("/adverse-event")
async def adverse_event(request: Request, p: Page = Depends(page)):
    """The grade (ASTCT CRS/ICANS or CTCAE v5.0) and the reason; for ICANS also the ICE score."""
    from pydantic import ValidationError

    from dartnk.clinical.adverse_event import AdverseEvent
    from dartnk.errors import InputError, problems_from_pydantic

    form = await _fields(request, p)

    def grade() -> dict[str, Any]:
        body = adverse_event_body(form)
        data = {k: v for k, v in body.items() if k in ("term", "attribution", "serious", "crs", "icans", "lab", "grade")}
        try:
            event = AdverseEvent.model_validate(data | {"onset_day": 0})
        except ValidationError as exc:
            raise InputError(problems_from_pydantic(exc)) from None
        g = event.grading(request.app.state.protocol.ctcae)
        out = {"grade": g.grade, "reason": g.reason, "category": event.ae_category.value}
        if getattr(g, "ice_score", None) is not None:
            out["ice_score"] = g.ice_score
        return out

    return _answer(grade)


@router.post("/eligibility")
async def eligibility(request: Request, p: Page = Depends(page)):
    from dartnk.clinical.eligibility import evaluate_eligibility

    form = await _fields(request, p)
    protocol = request.app.state.protocol
    return _answer(lambda: evaluate_eligibility(protocol, rf.screening_record(form, rf.form_labs(protocol))).to_json())


@router.post("/antigens")
async def antigens(request: Request, p: Page = Depends(page)):
    from dartnk.clinical.antigens import profile_antigens

    form = await _fields(request, p)
    ids = [a.id for a in request.app.state.protocol.antigens]
    return _answer(lambda: profile_antigens(request.app.state.protocol, rf.antigen_record(form, ids)).to_json())


@router.post("/recist/{pid}")
async def recist(request: Request, pid: str, p: Page = Depends(page)):
    """Sum, % change from baseline, nadir and responses if this assessment were saved now."""
    from dartnk.service.schemas import TumorAssessmentIn
    from dartnk.service.web.render import parse
    from dartnk.service.workflow.outcomes import preview_tumor_assessment

    form = await _fields(request, p)
    return _answer(lambda: preview_tumor_assessment(p.conduct, pid, parse(TumorAssessmentIn, tumor_assessment_body(form))))
