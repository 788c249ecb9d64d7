"""``dartnk report safety|selection|final``: committee, interim and final reports from the trial database.

The output file's suffix chooses the format: ``.html`` (self-contained page, figures embedded) or
``.pdf`` (for signature).
"""

from __future__ import annotations

from typing import List, Optional

import typer

report_app = typer.Typer(help="Committee safety, interim selection and final analysis reports (HTML or PDF).",
                         no_args_is_help=True)

DB_HELP = "database URL (default: $DARTNK_DATABASE_URL, else sqlite:///dartnk.sqlite in the working directory)"
OUT_HELP = "output file: .html (self-contained) or .pdf"
CUTOFF_HELP = "data cut-off date YYYY-MM-DD (default: the latest date in the database)"
PROTOCOL_HELP = "protocol YAML (default: the shipped protocol)"


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


def parse_cutoff(value: Optional[str]):
    """``--cutoff`` as a date (None when not given); a bad date is a user error."""
    from datetime import date

    from dartnk.cli.common import fail

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail("--cutoff", value, "a date YYYY-MM-DD")


def check_out(out: str) -> None:
    """Refuse a bad ``--out`` before reading the database (the same rule as the writer's)."""
    from pathlib import Path

    from dartnk.cli.common import fail

    path = Path(out)
    if path.suffix.lower() not in (".html", ".pdf"):
        fail("--out", out, "a file name ending in .html or .pdf")
    if not path.parent.exists():
        fail("--out", out, "a file in an existing directory")


def load_trial(db: Optional[str], protocol: Optional[str], cutoff: Optional[str]):
    from dartnk.cli.common import load_protocol
    from dartnk.export.store_reader import read_trial

    return read_trial(db, load_protocol(protocol), parse_cutoff(cutoff))


def _write(report, out: str, data) -> None:
    from dartnk.analysis.reports import write_report

    path = write_report(report, out, source=f"{data.source}, data cut-off {data.data_cutoff.isoformat()}")
    typer.echo(f"wrote {path} ({report.title}; {len(data.treated())} patients treated, cut-off {data.data_cutoff})")


@report_app.command("safety")
def safety(arm: str = typer.Option(..., "--arm", help="construct id, e.g. DLL3-CD56"),
           level: Optional[str] = typer.Option(None, "--level", help="one dose level (default: every level of the arm)"),
           out: str = typer.Option(..., "--out", help=OUT_HELP),
           db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
           cutoff: Optional[str] = typer.Option(None, "--cutoff", help=CUTOFF_HELP),
           protocol: Optional[str] = typer.Option(None, "--protocol", help=PROTOCOL_HELP)) -> None:
    """The safety monitoring committee's report for one arm (and dose level), with a signature block."""
    from dartnk.analysis.reports.safety import safety_report

    check_out(out)
    data = load_trial(db, protocol, cutoff)
    _write(safety_report(data, arm, level), out, data)


@report_app.command("selection")
def selection(out: str = typer.Option(..., "--out", help=OUT_HELP),
              rp2d: List[str] = typer.Option([], "--rp2d", help="ARM=LEVEL: an RP2D to use instead of the engine's "
                                                                 "(repeatable; for what-if review)"),
              db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
              cutoff: Optional[str] = typer.Option(None, "--cutoff", help=CUTOFF_HELP),
              protocol: Optional[str] = typer.Option(None, "--protocol", help=PROTOCOL_HELP)) -> None:
    """The interim construct-selection report: gates, scores, composite, P(best), weight sensitivity."""
    from dartnk.analysis.reports.selection import selection_report

    check_out(out)
    data = load_trial(db, protocol, cutoff)
    _write(selection_report(data, _rp2d(rp2d, data.protocol)), out, data)


def _rp2d(items: List[str], protocol) -> dict[str, str]:
    from dartnk.cli.common import fail

    arms = [c.id for c in protocol.constructs]
    levels = [d.id for d in protocol.dose_levels]
    out = {}
    for item in items:
        arm, sep, level = item.partition("=")
        if not sep or arm not in arms or level not in levels:
            fail("--rp2d", item, f"ARM=LEVEL with ARM in {', '.join(arms)} and LEVEL in {', '.join(levels)}")
        out[arm] = level
    return out


@report_app.command("final")
def final(out: str = typer.Option(..., "--out", help=OUT_HELP),
          db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
          cutoff: Optional[str] = typer.Option(None, "--cutoff", help=CUTOFF_HELP),
          protocol: Optional[str] = typer.Option(None, "--protocol", help=PROTOCOL_HELP)) -> None:
    """The final analysis: DLTs, MTD/RP2D, ORR, BOR, waterfall, spider, swimmer, Kaplan–Meier, persistence."""
    from dartnk.analysis.reports.final import final_report

    check_out(out)
    data = load_trial(db, protocol, cutoff)
    _write(final_report(data), out, data)
