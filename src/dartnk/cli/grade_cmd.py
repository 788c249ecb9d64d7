"""``dartnk grade ctcae|crs|icans FILE|-``: grade lab values (CTCAE v5.0), CRS and ICANS (ASTCT 2019).

Each command reads one JSON object or a list of them and answers in kind: ``{"grade", "reason"}``
(ICANS adds ``"ice_score"``). ``dartnk grade terms`` lists the CTCAE terms that can be graded.
"""

from __future__ import annotations

from typing import Any, Optional

import typer

grade_app = typer.Typer(help="Grade lab values (CTCAE v5.0), CRS and ICANS (ASTCT 2019).", no_args_is_help=True)

FILE_HELP = "JSON file with one record or a list of records (- for standard input)"


def register(app: typer.Typer) -> None:
    app.add_typer(grade_app, name="grade")


def validated_record(model: Any, record: Any) -> Any:
    """Validate one JSON record with a pydantic model (field paths relative to the record)."""
    from pydantic import ValidationError

    from dartnk.errors import InputError, problems_from_pydantic

    if not isinstance(record, dict):
        raise InputError.field("input", record, "a JSON object")
    try:
        return model.model_validate(record)
    except ValidationError as exc:
        raise InputError(problems_from_pydantic(exc)) from None


def with_record_prefix(fn: Any, prefix: str) -> Any:
    """Run ``fn()``; a user error's field paths get the record's prefix in a list (``[2].lln``)."""
    from dartnk.errors import DartnkError, InputError, Problem

    try:
        return fn()
    except DartnkError as exc:
        if not prefix:
            raise
        raise InputError([Problem(prefix if p.field == "input" else f"{prefix}.{p.field}", p.expected, p.value,
                                  p.has_value) for p in exc.problems]) from None


def _run(file: str, grade_one: Any) -> None:
    from dartnk.cli.common import each_record, echo_json, read_json

    echo_json(each_record(read_json(file), lambda rec, prefix: with_record_prefix(lambda: grade_one(rec, prefix), prefix)))


@grade_app.command("ctcae")
def ctcae(file: str = typer.Argument(..., help=FILE_HELP),
          protocol: Optional[str] = typer.Option(None, "--protocol",
                                                 help="protocol YAML whose ctcae settings apply (default: shipped)")) -> None:
    """Grade lab values by CTCAE v5.0: {"term", "value", "unit", "lln"?, "uln"?, "baseline"?, flags?, "settings"?}.

    "settings" overrides the protocol's ctcae: section for that record (unreported_clinical_criteria,
    abnormal_baseline_rule, inr_anticoagulated, fibrinogen_percent_decrease).
    """
    from dartnk.cli.common import load_protocol
    from dartnk.clinical.ctcae import grade_record

    base = load_protocol(protocol).ctcae
    _run(file, lambda rec, prefix: grade_record(rec, base).model_dump())


@grade_app.command("crs")
def crs(file: str = typer.Argument(..., help=FILE_HELP)) -> None:
    """Grade CRS by ASTCT 2019: {"temperature_c", "fever_masked", "hypotension", "vasopressin_added", "oxygen", "oxygen_flow_l_min"?, "death_due_to_crs"?}."""
    from dartnk.clinical.crs import CrsAssessment, grade_crs

    _run(file, lambda rec, prefix: grade_crs(validated_record(CrsAssessment, rec)).model_dump())


@grade_app.command("icans")
def icans(file: str = typer.Argument(..., help=FILE_HELP)) -> None:
    """Grade adult ICANS by ASTCT 2019 with the ICE score: {"ice_score"? | "ice_items"?, "consciousness", "seizure", "motor", "raised_icp", "global_aphasia"?}."""
    from dartnk.clinical.icans import IcansAssessment, grade_icans

    _run(file, lambda rec, prefix: grade_icans(validated_record(IcansAssessment, rec)).model_dump())


@grade_app.command("terms")
def terms() -> None:
    """List the CTCAE v5.0 terms ``dartnk grade ctcae`` grades, with their accepted units."""
    from dartnk.clinical.ctcae_table import TERMS
    from dartnk.clinical.units import accepted_units

    for spec in TERMS:
        units = ", ".join(u for u in accepted_units(spec.quantity)) or "(none)"
        typer.echo(f"{spec.term}\t[{units}]")
