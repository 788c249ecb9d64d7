"""Committee pages: the decisions the engine proposed, signing them, and the reports to read first."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from dartnk.service.auth import Action
from dartnk.service.schemas import SignatureIn
from dartnk.service.web.deps import Page, checked_form, page
from dartnk.service.web.render import attempt, clean, parse, redirect, render

router = APIRouter()


def _decisions_page(request: Request, p: Page, error: str | None = None, status: int = 200) -> HTMLResponse:
    from dartnk.service.workflow import decisions

    return render(request, p, "decisions.html", status=status, decisions=decisions.list_decisions(p.conduct, None),
                  can_sign=p.principal.may(Action.SIGN_DECISION), error=error,
                  approvals_required=decisions.approvals_required(p.conduct))


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, p: Page = Depends(page)):
    return _decisions_page(request, p)


@router.post("/decisions/{decision_id}/sign")
async def sign(request: Request, decision_id: int, p: Page = Depends(page)):
    from dartnk.service.workflow import decisions

    form = await checked_form(request, p)
    if form.get("attest") != "yes":
        return _decisions_page(request, p, "attest: tick the box to sign electronically in your own name", 422)
    values = {k: v for k, v in clean(form).items() if k in ("meaning", "comment", "password")}
    # the password again at signing: name + password are the two components of 21 CFR 11.200(a)(1)
    _, error, status = attempt(lambda: decisions.sign(p.conduct, decision_id, parse(SignatureIn, values),
                                                      require_password=True))
    if error:
        return _decisions_page(request, p, str(error), status)
    return redirect(f"/decisions#decision-{decision_id}")


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request, p: Page = Depends(page)):
    p.principal.require(Action.READ_TRIAL)
    return render(request, p, "reports.html")


def _trial_data(request: Request, p: Page):
    from dartnk.export.store_reader import read_trial

    p.principal.require(Action.READ_TRIAL)
    return read_trial(request.app.state.settings.database_url, request.app.state.protocol, cutoff=p.conduct.today)


def _html(report, request: Request) -> Response:
    from dartnk.analysis.reports.render import render_html

    return HTMLResponse(render_html(report, source=f"dartnk web, {request.url.path}"))


@router.get("/reports/safety")
def safety_report(request: Request, arm: str, level: str | None = None, p: Page = Depends(page)):
    """The committee safety report of one arm (and level), as the CLI writes it."""
    from dartnk.analysis.reports.safety import safety_report as build

    data = _trial_data(request, p)
    report, error, status = attempt(lambda: build(data, arm, level or None))
    if error:
        return render(request, p, "reports.html", status=status, error=str(error))
    return _html(report, request)


@router.get("/reports/selection")
def selection_report(request: Request, p: Page = Depends(page)):
    from dartnk.analysis.reports.selection import selection_report as build

    data = _trial_data(request, p)
    report, error, status = attempt(lambda: build(data))
    if error:
        return render(request, p, "reports.html", status=status, error=str(error))
    return _html(report, request)


@router.get("/reports/final")
def final_report(request: Request, p: Page = Depends(page)):
    from dartnk.analysis.reports.final import final_report as build

    data = _trial_data(request, p)
    report, error, status = attempt(lambda: build(data))
    if error:
        return render(request, p, "reports.html", status=status, error=str(error))
    return _html(report, request)
