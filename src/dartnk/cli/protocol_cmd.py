"""``dartnk protocol check|show``: validate a protocol file; print a readable summary of the trial."""

from __future__ import annotations

from typing import Optional

import typer

protocol_app = typer.Typer(help="Validate and summarise a protocol file.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(protocol_app, name="protocol")


@protocol_app.command("check")
def check(file: Optional[str] = typer.Argument(None, help="protocol YAML (default: the shipped DART-NK-SCLC protocol)")) -> None:
    """Validate a protocol; print every problem with its field path (exit 2 on any)."""
    from dartnk.cli.common import read_text
    from dartnk.protocol import default_protocol_text, protocol_problems

    text = default_protocol_text() if file is None else read_text(file)
    protocol, problems = protocol_problems(text)
    if protocol is not None:
        problems = _clinical_problems(protocol)
    if problems:
        for p in problems:
            typer.echo(f"error: {p}", err=True)
        typer.echo(f"{len(problems)} problem(s) in {file or 'the default protocol'}", err=True)
        raise typer.Exit(2)
    assert protocol is not None
    typer.echo(f"ok: {protocol.trial.id} ({protocol.trial.registry_id}) protocol is valid")


def _clinical_problems(protocol) -> list:
    """Settings only the clinical rules can judge (e.g. an eligibility lab no rule knows)."""
    from dartnk.clinical.eligibility import criterion_rules
    from dartnk.errors import ProtocolError

    try:
        criterion_rules(protocol)
    except ProtocolError as exc:
        return exc.problems
    return []


@protocol_app.command("show")
def show(file: Optional[str] = typer.Argument(None, help="protocol YAML (default: the shipped protocol)")) -> None:
    """Print a readable summary of the trial the protocol describes."""
    from dartnk.cli.common import load_protocol
    from dartnk.protocol.summary import summary_lines

    typer.echo("\n".join(summary_lines(load_protocol(file))))
