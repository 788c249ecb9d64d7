"""``dartnk recist timepoint|assess|best FILE|-``: RECIST 1.1 response assessment (one object or a list)."""

from __future__ import annotations

from typing import Optional

import typer

recist_app = typer.Typer(help="RECIST 1.1 tumour response: time point, lesion assessment, best overall response.",
                         no_args_is_help=True)

_FILE = typer.Argument(..., help="JSON file, or - for standard input (one object or a list of objects)")
_PROTOCOL = typer.Option(None, "--protocol", help="protocol YAML whose response settings apply (default: shipped)")


def register(app: typer.Typer) -> None:
    app.add_typer(recist_app, name="recist")


@recist_app.command("timepoint")
def timepoint(file: str = _FILE) -> None:
    """Overall time point response from target, non-target and new-lesion findings (Tables 1 and 2)."""
    from dartnk.cli.common import each_record, echo_json, read_json
    from dartnk.clinical.recist.timepoint import timepoint_record

    echo_json(each_record(read_json(file), timepoint_record))


@recist_app.command("assess")
def assess(file: str = _FILE, protocol: Optional[str] = _PROTOCOL) -> None:
    """Per-visit sums, target and overall responses and the best overall response from lesion records."""
    from dartnk.cli.common import each_record, echo_json, load_protocol, read_json
    from dartnk.clinical.recist.assessment import assess_record

    data = read_json(file)
    settings = load_protocol(protocol).response
    echo_json(each_record(data, lambda record, prefix: assess_record(record, settings, prefix)))


@recist_app.command("best")
def best(file: str = _FILE, protocol: Optional[str] = _PROTOCOL) -> None:
    """Best overall response from time point responses, with or without confirmation (§4.4, Table 3)."""
    from dartnk.cli.common import each_record, echo_json, load_protocol, read_json
    from dartnk.clinical.recist.best_response import best_record

    data = read_json(file)
    settings = load_protocol(protocol).response
    echo_json(each_record(data, lambda record, prefix: best_record(record, settings, prefix)))
