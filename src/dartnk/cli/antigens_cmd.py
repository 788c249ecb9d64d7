"""``dartnk antigens FILE|-``: IHC results → antigen positivity and qualifying constructs."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("antigens")(antigens)


def antigens(file: str = typer.Argument(..., help='IHC record JSON {"antigens": {...}} (one object or a list), or -'),
             protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped one)")) -> None:
    """Antigen positivity per the protocol's IHC rules, and the constructs the tumour qualifies for."""
    from dartnk.cli.common import each_record, echo_json, load_protocol, read_json
    from dartnk.clinical.antigens import profile_antigens

    proto = load_protocol(protocol)
    data = read_json(file)
    echo_json(each_record(data, lambda rec, prefix: profile_antigens(proto, rec, prefix).to_json()))
