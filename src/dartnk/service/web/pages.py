"""Sign-in and sign-out, the trial dashboard, the patient list and the patient page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from dartnk.service.auth import Action
from dartnk.service.schemas import PatientIn
from dartnk.service.web import session as ws
from dartnk.service.web.deps import Page, checked_form, page, secret
from dartnk.service.web.render import attempt, clean, parse, redirect, render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a local path (no scheme, no host) may follow sign-in."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    return render(request, None, "login.html", next=_safe_next(next))


@router.post("/login")
async def login(request: Request):
    from dartnk.store.users import user_by_password

    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    with request.app.state.db.read() as session:
        user = user_by_password(session, name, password)
        user_id = user.id if user else None
    if user_id is None:
        return render(request, None, "login.html", status=401, name=name, next=_safe_next(str(form.get("next", "/"))),
                      error="Unknown user name or wrong password.")
    s = ws.new_session(user_id, ws.wall_clock())
    response = redirect(_safe_next(str(form.get("next", "/"))))
    response.set_cookie(ws.COOKIE_NAME, ws.encode(secret(request), s), max_age=ws.SESSION_SECONDS, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
async def logout(request: Request, p: Page = Depends(page)):
    await checked_form(request, p)
    response = redirect("/login")
    response.delete_cookie(ws.COOKIE_NAME)
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, p: Page = Depends(page)):
    from dartnk.service.workflow import decisions, views

    from dartnk.service.web.watchlist import watchlist

    trial = views.trial_summary(p.conduct)
    arms = views.arms(p.conduct)
    path = decisions.list_decisions(p.conduct, None)
    ending, overdue = watchlist(p.conduct, views.patient_list(p.conduct)) if p.principal.may(Action.READ_PATIENTS) else ([], [])
    return render(request, p, "dashboard.html", trial=trial, arms=arms, decision_path=path, ending=ending, overdue=overdue)


def _patients_page(request: Request, p: Page, values: dict[str, Any] | None = None, error: str | None = None,
                   status: int = 200) -> HTMLResponse:
    from dartnk.service.workflow import views

    return render(request, p, "patients.html", status=status, patients=views.patient_list(p.conduct),
                  can_write=p.principal.may(Action.WRITE_PATIENT_DATA), values=values or {}, error=error)


@router.get("/patients", response_class=HTMLResponse)
def patients(request: Request, p: Page = Depends(page)):
    return _patients_page(request, p)


@router.post("/patients")
async def register(request: Request, p: Page = Depends(page)):
    from dartnk.service.workflow import patients as wf

    values = clean(await checked_form(request, p))
    result, error, status = attempt(lambda: wf.register(p.conduct, parse(PatientIn, values)))
    if error:
        return _patients_page(request, p, values, str(error), status)
    return redirect(f"/patients/{result['id']}")


def patient_page(request: Request, p: Page, pid: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    """The patient page (also re-rendered with a message when a form on it fails)."""
    from dartnk.service.web.timeline import timeline
    from dartnk.service.workflow import views

    pt = views.patient_view(p.conduct, pid)
    cells = ""
    if pt.get("enrollment"):
        proto = request.app.state.protocol
        cells = f"{proto.dose_levels[proto.level_index(pt['enrollment']['dose_level'])].cells_per_infusion:.3g}"
    return render(request, p, "patient.html", status=status, pt=pt, timeline=timeline(pt), error=error,
                  can_write=p.principal.may(Action.WRITE_PATIENT_DATA), can_confirm=p.principal.may(Action.CONFIRM_DLT),
                  today=p.conduct.today.isoformat(), cells=cells,
                  overdue_names={v["name"] for v in pt.get("overdue_visits", [])})


@router.get("/patients/{pid}", response_class=HTMLResponse)
def patient(request: Request, pid: str, p: Page = Depends(page)):
    return patient_page(request, p, pid)
