"""``dartnk calendar --start DATE``: a patient's dated dosing and visit schedule."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("calendar")(calendar)


def calendar(start: str = typer.Option(..., "--start", help="date of the first CAR-NK infusion (Day 0), YYYY-MM-DD"),
             as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
             overdue_on: Optional[str] = typer.Option(None, "--overdue-on",
                 help="only the visits overdue on this date (YYYY-MM-DD)"),
             done: list[str] = typer.Option([], "--done", help="name of a visit already done (repeatable)"),
             protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped one)")) -> None:
    """Lymphodepletion, infusions, DLT visits, sampling, scans, second cycle, follow-up and long-term follow-up."""
    from dartnk.cli.common import echo_json, load_protocol
    from dartnk.clinical.calendar import overdue_visits, visit_calendar

    day0 = _date("--start", start)
    visits = visit_calendar(load_protocol(protocol), day0)
    if overdue_on is not None:
        visits = overdue_visits(visits, _date("--overdue-on", overdue_on), set(done))
    if as_json:
        echo_json([v.to_json() for v in visits])
        return
    typer.echo(f"{'date':<10}  {'day':>5}  {'window':<23}  {'kind':<19}  visit")
    for v in visits:
        window = "" if v.window_start == v.window_end else f"{v.window_start} – {v.window_end}"
        typer.echo(f"{v.date}  {v.study_day:>5}  {window:<23}  {v.kind.value:<19}  {v.name}")


def _date(option: str, text: str):
    from datetime import date

    from dartnk.cli.common import fail

    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(option, text, "a date YYYY-MM-DD")
