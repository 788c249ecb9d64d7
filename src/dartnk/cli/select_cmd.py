"""``dartnk select FILE|-``: the interim construct selection on a JSON summary of the arms."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("select")(select)


def select(file: str = typer.Argument(..., help='JSON: a list of arm summaries or {"arms": [...]}, or - for stdin'),
           protocol: Optional[str] = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped one)"),
           seed: Optional[int] = typer.Option(None, "--seed",
               help="weight sensitivity by random draws from this seed (default: a deterministic grid)"),
           as_json: bool = typer.Option(False, "--json", help="print JSON instead of text")) -> None:
    """Gates, scores, composite, ranking, P(best) and weight sensitivity; the selected construct and why."""
    from pydantic import ValidationError

    from dartnk.cli.common import echo_json, fail, load_protocol, read_json
    from dartnk.design.selection import ArmSummary, select_construct
    from dartnk.errors import InputError, problems_from_pydantic

    data = read_json(file)
    prefix = "arms"
    if isinstance(data, dict):
        if set(data) != {"arms"}:
            fail("input", sorted(data), 'a list of arm summaries or an object {"arms": [...]}')
        data = data["arms"]
    if not isinstance(data, list) or not data:
        fail(prefix, data if not isinstance(data, list) else "[]", "a non-empty list of arm summaries")
    p = load_protocol(protocol)
    known = [c.id for c in p.constructs]
    arms, problems = [], []
    for i, record in enumerate(data):
        try:
            arm = ArmSummary.model_validate(record)
        except ValidationError as exc:
            problems += problems_from_pydantic(exc, f"{prefix}.{i}")
            continue
        if arm.construct not in known:
            fail(f"{prefix}.{i}.construct", arm.construct, "a construct id of the protocol (" + ", ".join(known) + ")")
        levels = [d.id for d in p.dose_levels]
        if arm.rp2d_level is not None and arm.rp2d_level not in levels:
            fail(f"{prefix}.{i}.rp2d_level", arm.rp2d_level, "a dose level id of the protocol (" + ", ".join(levels) + ")")
        arms.append(arm)
    if problems:
        raise InputError(problems)
    rng = None
    if seed is not None:
        import numpy as np

        rng = np.random.default_rng(seed)
    result = select_construct(p.selection, arms, rng)
    if as_json:
        echo_json(result.to_json())
        return
    typer.echo(result.reason)
    for c in sorted(result.constructs, key=lambda c: c.rank):
        failed = [g.reason for g in c.gates if not g.passed]
        status = "eligible" if c.eligible else "excluded: " + "; ".join(failed)
        scores = ", ".join(f"{k} {v:.2f}" for k, v in c.scores.items())
        typer.echo(f"  {c.rank}. {c.construct}: composite {c.composite:.3f} ({scores}); {status}")
