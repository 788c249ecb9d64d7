"""The web pages of the conduct service: server-rendered (Jinja2) with a little JavaScript.

:func:`mount_web` adds the pages, their live-grading endpoints and the static files to the API's
FastAPI app. Pages call the same :mod:`dartnk.service.workflow` functions as the API, with a
:class:`~dartnk.service.context.Conduct` built from the signed session cookie instead of a bearer
token, so roles and sites are enforced exactly as in the API.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from dartnk.service.web.deps import SignInRequired


def mount_web(app: FastAPI) -> None:
    """Mount sign-in, dashboard, patient, committee, report and simulation pages on ``app``."""
    from dartnk.service.web import committee, event_forms, live, pages, patient_forms, patient_steps, simulate_page

    key = os.environ.get("DARTNK_SECRET_KEY")
    app.state.web_secret = key.encode("utf-8") if key else secrets.token_bytes(32)
    app.state.simulation_jobs = simulate_page.JobBoard()
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    for module in (pages, patient_forms, patient_steps, event_forms, live, committee, simulate_page):
        app.include_router(module.router, include_in_schema=False)

    _html_errors(app)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _exc: SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET" or request.url.path.startswith("/live/"):
            from fastapi.responses import JSONResponse

            return JSONResponse({"error": "unauthorized", "detail": "sign in first"}, status_code=401)
        return RedirectResponse(f"/login?next={target}", status_code=303)


def _html_errors(app: FastAPI) -> None:
    """Pages answer a refused or unknown request with a page (same status); the API keeps its JSON."""
    from dartnk.errors import DartnkError
    from dartnk.service.errors import status_of

    api_handler = app.exception_handlers[DartnkError]

    async def handler(request: Request, exc: DartnkError):
        if request.url.path.startswith(("/api/", "/live/", "/simulate/jobs/")):
            return await _maybe_await(api_handler(request, exc))
        from dartnk.service.web.render import render

        status, name = status_of(exc)
        return render(request, None, "error.html", status=status, title=name.replace("_", " "), message=str(exc))

    app.add_exception_handler(DartnkError, handler)


async def _maybe_await(x):
    import inspect

    return await x if inspect.isawaitable(x) else x
