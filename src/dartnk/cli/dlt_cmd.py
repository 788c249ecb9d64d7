"""``dartnk dlt FILE|-``: adjudicate a patient's adverse events against the protocol's DLT definition.

Input: ``{"events": [AE, ...], "infusions_received", "observed_through_day"}`` (or a list of such
records). Output: ``{"status": "dlt"|"no_dlt"|"pending", "rule_id", "event_index", "reason",
"evaluable", "evaluability_reason", "events": [per-event verdicts]}``.
"""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("dlt")(dlt)


def dlt(file: str = typer.Argument(..., help="JSON file with one patient record or a list (- for standard input)"),
        protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped protocol)")) -> None:
    """Adjudicate DLTs and evaluability for one patient's adverse events (or a list of patients)."""
    from dartnk.cli.common import each_record, echo_json, load_protocol, read_json
    from dartnk.cli.grade_cmd import with_record_prefix, validated_record
    from dartnk.clinical.dlt import PatientAdverseEvents, adjudicate

    proto = load_protocol(protocol)

    def one(record):
        patient = validated_record(PatientAdverseEvents, record)
        return adjudicate(proto, patient.events, infusions_received=patient.infusions_received,
                          observed_through_day=patient.observed_through_day).model_dump(mode="json")

    echo_json(each_record(read_json(file), lambda record, prefix: with_record_prefix(lambda: one(record), prefix)))

