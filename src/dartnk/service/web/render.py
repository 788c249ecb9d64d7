"""Rendering pages with Jinja2, and turning a form's mistakes into a message on the same page."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from dartnk.errors import DartnkError, InputError, problems_from_pydantic
from dartnk.service.errors import status_of
from dartnk.service.web.deps import Page

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

NAV = (("/", "Dashboard"), ("/patients", "Patients"), ("/decisions", "Decisions"), ("/reports", "Reports"),
       ("/simulate", "Simulate"))

M = TypeVar("M", bound=BaseModel)


def render(request: Request, p: Page | None, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """A full page: the template with the signed-in user, the CSRF token, the protocol and the nav."""
    base = {"user": p.principal if p else None, "csrf": p.csrf if p else "", "nav": NAV,
            "protocol": request.app.state.protocol, "path": request.url.path}
    return TEMPLATES.TemplateResponse(request, template, base | ctx, status_code=status)


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: see-other to the page that shows the result (no resubmission)."""
    return RedirectResponse(url, status_code=303)


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate a form's values with the API's own body model; mistakes become an InputError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_pydantic(exc)) from None


def attempt(action: Callable[[], Any]) -> tuple[Any, DartnkError | None, int]:
    """Run a workflow step; return (result, error, HTTP status) so the page can show the message."""
    try:
        return action(), None, 200
    except DartnkError as exc:
        return None, exc, status_of(exc)[0]


def clean(form: dict[str, Any]) -> dict[str, Any]:
    """A form's fields without the CSRF token and without empty values (empty = not given)."""
    return {k: v for k, v in form.items() if k != "csrf_token" and v not in ("", None)}
