"""``dartnk demo``: fill a new database with a complete virtual trial, entered through the service's API."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(db: Optional[str] = typer.Option(None, "--db", help="database URL of a new, empty database (default: "
                                                             "$DARTNK_DATABASE_URL, else sqlite:///dartnk.sqlite)"),
         patients: int = typer.Option(45, "--patients", help="patients to register (some fail screening or qualify for no arm)"),
         seed: int = typer.Option(20260302, "--seed", help="random seed: the same seed gives the same trial"),
         follow_up_days: int = typer.Option(365, "--follow-up-days", help="days of follow-up simulated after each Day 0"),
         start: str = typer.Option("2026-03-02", "--start", help="first trial date YYYY-MM-DD"),
         verbose: bool = typer.Option(False, "--verbose", help="print each committee decision as it is signed"),
         protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped protocol)")) -> None:
    """A virtual DART-NK-SCLC trial through the conduct API (seeded): every report and export has data."""
    import warnings
    from datetime import date

    from dartnk.cli.common import fail, load_protocol
    from dartnk.service.demo import run_demo
    from dartnk.store.db import describe_url, resolve_url

    try:
        first = date.fromisoformat(start)
    except ValueError:
        fail("--start", start, "a date YYYY-MM-DD")
    url = resolve_url(db)
    warnings.filterwarnings("ignore", message=".*httpx.*")  # starlette's TestClient notice, not the user's concern
    summary = run_demo(url, load_protocol(protocol), patients=patients, seed=seed, start=first,
                       follow_up_days=follow_up_days, log=typer.echo if verbose else None)
    typer.echo(f"demo trial in {describe_url(url)}: {summary.registered} registered, {summary.enrolled} enrolled, "
               f"{summary.treated} treated, {summary.dlts} DLTs confirmed, {summary.decisions_signed} committee "
               f"decisions signed, {summary.deaths} deaths; {summary.first_day} to {summary.last_day} "
               f"({summary.api_calls} API calls)")
