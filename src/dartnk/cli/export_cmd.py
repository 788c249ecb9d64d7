"""``dartnk export sdtm``: CDISC SDTM datasets (SDTMIG 3.4) as SAS XPT v5 or CSV, with define.json."""

from __future__ import annotations

from typing import Optional

import typer

export_app = typer.Typer(help="Export the trial's data in submission standards.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


@export_app.command("sdtm")
def sdtm(out: str = typer.Option(..., "--out", help="output directory (created if missing)"),
         fmt: str = typer.Option("xpt", "--format", help="xpt (SAS XPORT v5) or csv"),
         db: Optional[str] = typer.Option(None, "--db", help="database URL (default: $DARTNK_DATABASE_URL, else "
                                                            "sqlite:///dartnk.sqlite in the working directory)"),
         cutoff: Optional[str] = typer.Option(None, "--cutoff", help="data cut-off date YYYY-MM-DD (default: latest)"),
         protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped protocol)")) -> None:
    """DM, DS, EX, AE (+SUPPAE), LB, TU, TR, RS, TA, TE and TS, one file each, and define.json."""
    from dartnk.cli.common import fail
    from dartnk.cli.report_cmd import load_trial
    from dartnk.export.sdtm import build_datasets, write_datasets

    if fmt not in ("xpt", "csv"):
        fail("--format", fmt, "xpt or csv")
    data = load_trial(db, protocol, cutoff)
    datasets = build_datasets(data)
    paths = write_datasets(datasets, out, fmt, study=data.protocol.trial.id)
    counts = ", ".join(f"{name} {len(ds.rows)}" for name, ds in datasets.items())
    typer.echo(f"wrote {len(paths)} files to {out} (SDTMIG 3.4, {fmt}; records: {counts})")
