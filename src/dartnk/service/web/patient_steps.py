"""The patient-page forms that post one workflow step each, as a table (not one handler apiece).

Each row names the form's path under ``/patients/{pid}``, the :mod:`dartnk.service.workflow`
function it calls (``module.function``) and the API body model its fields are validated with, so the
page enforces exactly what the API enforces. A failure re-renders the patient page with the message.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from dartnk.service import schemas as s
from dartnk.service.web.deps import Page, checked_form, page
from dartnk.service.web.pages import patient_page
from dartnk.service.web.render import attempt, clean, parse, redirect

router = APIRouter(prefix="/patients/{pid}")


@dataclass(frozen=True)
class Step:
    path: str
    workflow: str
    body: type[BaseModel]
    int_params: tuple[str, ...] = ()


STEPS: tuple[Step, ...] = (
    Step("consent", "patients.consent", s.ConsentIn),
    Step("enrollment", "enrollment.request_enrollment", s.EnrollmentIn),
    Step("product-lots", "treatment.add_product_lot", s.ProductLotIn),
    Step("lymphodepletion", "treatment.add_lymphodepletion", s.LymphodepletionIn),
    Step("infusions", "treatment.add_infusion", s.InfusionIn),
    Step("dlt/confirm", "safety.confirm_dlt", s.DltConfirmation),
    Step("adverse-events/{ae_id}", "safety.change_adverse_event", s.AdverseEventChange, ("ae_id",)),
    Step("persistence", "outcomes.add_persistence", s.PersistenceIn),
    Step("survival", "outcomes.add_survival", s.SurvivalIn),
    Step("follow-up", "outcomes.add_follow_up", s.FollowUpIn),
)


def _workflow(dotted: str):
    module, function = dotted.split(".")
    return getattr(importlib.import_module(f"dartnk.service.workflow.{module}"), function)


def _handler(step: Step):
    async def post(request: Request, pid: str, p: Page = Depends(page)) -> Any:
        form = await checked_form(request, p)
        extra = [int(request.path_params[name]) for name in step.int_params]
        fn = _workflow(step.workflow)
        _, error, status = attempt(lambda: fn(p.conduct, pid, *extra, parse(step.body, clean(form))))
        if error:
            return patient_page(request, p, pid, error=str(error), status=status)
        return redirect(f"/patients/{pid}")

    post.__name__ = "post_" + step.path.replace("/", "_").replace("-", "_").strip("{}")
    return post


for _step in STEPS:
    router.post(f"/{_step.path}")(_handler(_step))
