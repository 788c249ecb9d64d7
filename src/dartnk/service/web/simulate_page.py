"""The simulation page: a small ``dartnk simulate`` run in the background, its progress and report.

Runs are kept in memory (a :class:`JobBoard` per app) and are bounded in size: this page is for a
quick look; protocol-appendix runs belong to the CLI (``dartnk simulate``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from itertools import count

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from dartnk.errors import InputError
from dartnk.service.auth import Action
from dartnk.service.web.deps import Page, checked_form, page
from dartnk.service.web.render import redirect, render

router = APIRouter(prefix="/simulate")

MAX_TRIALS = 5000


@dataclass
class Job:
    id: int
    scenario: str
    trials: int
    seed: int
    done: int = 0
    status: str = "running"
    error: str = ""
    report_html: str = ""

    def to_json(self) -> dict:
        return {"id": self.id, "scenario": self.scenario, "trials": self.trials, "seed": self.seed, "done": self.done,
                "status": self.status, "error": self.error}


@dataclass
class JobBoard:
    jobs: dict[int, Job] = field(default_factory=dict)
    _ids: count = field(default_factory=lambda: count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, protocol, scenario: str, trials: int, seed: int) -> Job:
        with self._lock:
            job = Job(id=next(self._ids), scenario=scenario, trials=trials, seed=seed)
            self.jobs[job.id] = job
        threading.Thread(target=_run, args=(job, protocol), daemon=True).start()
        return job


def _run(job: Job, protocol) -> None:
    """The CLI's study on one scenario: simulate, summarise (with MC errors), render the report."""
    from dartnk.analysis.simulation_report import render_report
    from dartnk.sim.scenario import shipped_scenario
    from dartnk.sim.study import run_study

    def progress(n: int) -> None:
        job.done += n

    try:
        doc = run_study(protocol, [shipped_scenario(job.scenario, protocol)], trials=job.trials, seed=job.seed,
                        progress=progress)
        job.report_html = render_report(doc)
        job.status = "done"
    except Exception as exc:  # shown on the page; the run is the user's, not the server's
        job.status, job.error = "failed", str(exc)


def _check(form: dict[str, str], names: list[str]) -> tuple[str, int, int]:
    scenario = form.get("scenario", "")
    if scenario not in names:
        raise InputError.field("scenario", scenario, "one of " + ", ".join(names))
    out = []
    for key, lo, hi in (("trials", 10, MAX_TRIALS), ("seed", 0, 2**63 - 1)):
        raw = form.get(key, "")
        if not raw.isdigit() or not lo <= int(raw) <= hi:
            raise InputError.field(key, raw, f"a whole number from {lo} to {hi}")
        out.append(int(raw))
    return scenario, out[0], out[1]


@router.get("", response_class=HTMLResponse)
def simulate_page(request: Request, job: int | None = None, p: Page = Depends(page)):
    from dartnk.sim.scenario import shipped_names

    p.principal.require(Action.READ_TRIAL)
    board: JobBoard = request.app.state.simulation_jobs
    return render(request, p, "simulate.html", scenarios=shipped_names(), job=board.jobs.get(job) if job else None)


@router.post("")
async def start(request: Request, p: Page = Depends(page)):
    from dartnk.errors import DartnkError
    from dartnk.sim.scenario import shipped_names

    form = await checked_form(request, p)
    p.principal.require(Action.READ_TRIAL)
    try:
        scenario, trials, seed = _check(form, shipped_names())
    except DartnkError as exc:
        return render(request, p, "simulate.html", status=422, scenarios=shipped_names(), job=None, error=str(exc))
    job = request.app.state.simulation_jobs.start(request.app.state.protocol, scenario, trials, seed)
    return redirect(f"/simulate?job={job.id}")


@router.get("/jobs/{job_id}")
def job_status(request: Request, job_id: int, p: Page = Depends(page)):
    job = request.app.state.simulation_jobs.jobs.get(job_id)
    if job is None:
        return JSONResponse({"error": "not_found", "detail": f"job: no run {job_id}"}, status_code=404)
    return JSONResponse(job.to_json())


@router.get("/jobs/{job_id}/report", response_class=HTMLResponse)
def job_report(request: Request, job_id: int, p: Page = Depends(page)):
    job = request.app.state.simulation_jobs.jobs.get(job_id)
    if job is None or job.status != "done":
        return render(request, p, "simulate.html", status=404, scenarios=[], job=job,
                      error=f"job: run {job_id} has no report (yet)")
    return HTMLResponse(job.report_html)
