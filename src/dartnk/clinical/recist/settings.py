"""RECIST settings for one request: the protocol's ``response`` section, overridden by the input's
``"settings"`` object (field by field, validated with the same model)."""

from __future__ import annotations

from typing import Any, Mapping

from pydantic import ValidationError

from dartnk.errors import InputError, problems_from_pydantic
from dartnk.protocol.response import RecistSettings


def resolve_settings(base: RecistSettings | None, overrides: Mapping[str, Any] | None,
                     field: str = "settings") -> RecistSettings:
    """``base`` (default: RECIST 1.1 defaults) with ``overrides`` applied; bad values name ``field.x``."""
    base = base if base is not None else RecistSettings()
    if overrides is None:
        return base
    if not isinstance(overrides, Mapping):
        raise InputError.field(field, overrides, "an object of RECIST settings")
    try:
        return RecistSettings.model_validate({**base.model_dump(), **dict(overrides)})
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, field)) from None


def pydantic_problems(exc: ValidationError, prefix: str) -> list:
    """Pydantic's problems with list positions written ``lesions[0]`` (as every other field path here)."""
    import re
    from dataclasses import replace

    return [replace(p, field=re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", p.field))
            for p in problems_from_pydantic(exc, prefix)]


def prefixed(exc: InputError, prefix: str) -> InputError:
    """The same problems with ``prefix`` (e.g. ``[2]`` for the third record of a list) before each field."""
    from dataclasses import replace

    if not prefix:
        return exc
    return InputError([replace(p, field=f"{prefix}.{p.field}") for p in exc.problems])


#: Optional fields any record may carry: echoed back (``patient_id``) or ignored (``description``).
ANNOTATIONS = ("patient_id", "description")


def annotations(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record's ``patient_id``, to echo in the answer (a list's answers stay identifiable)."""
    return {"patient_id": record["patient_id"]} if "patient_id" in record else {}


def split_record(data: Any, prefix: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
    """Check a record's top-level keys: an object, nothing unknown, nothing required missing."""
    from dartnk.errors import Problem

    if not isinstance(data, dict):
        raise InputError.field(prefix or "input", data, f"an object with {', '.join(sorted(required))}")
    problems = [Problem(f"{prefix}.{k}" if prefix else k, "unknown field", has_value=False)
                for k in sorted(set(data) - allowed - set(ANNOTATIONS))]
    problems += [Problem(f"{prefix}.{k}" if prefix else k, "required field is missing", has_value=False)
                 for k in sorted(required - set(data))]
    if problems:
        raise InputError(problems)
    return data
