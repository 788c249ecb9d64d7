"""``dartnk eligibility FILE|-``: evaluate screening records against the protocol's criteria."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("eligibility")(eligibility)


def eligibility(file: str = typer.Argument(..., help="screening record JSON (one object or a list), or - for stdin"),
                protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped one)")) -> None:
    """Evaluate screening record(s): {"eligible": true|false|null, "criteria": [{id, text, kind, met, reason}]}.

    met: the patient passes (for an exclusion: is not excluded); null: data missing, named in the reason.
    """
    from dartnk.cli.common import each_record, echo_json, load_protocol, read_json
    from dartnk.clinical.eligibility import evaluate_eligibility
    from dartnk.clinical.screening_record import parse_screening_record

    proto = load_protocol(protocol)
    data = read_json(file)
    echo_json(each_record(data, lambda rec, prefix: evaluate_eligibility(proto, parse_screening_record(rec, prefix)).to_json()))
