"""``dartnk design simon|monitor|futility``: Simon two-stage designs and the expansion's stopping boundaries."""

from __future__ import annotations

from typing import Optional

import typer

design_app = typer.Typer(help="Phase II designs: Simon two-stage, toxicity and futility monitoring boundaries.",
                         no_args_is_help=True)

_PROTOCOL = typer.Option(None, "--protocol", help="protocol YAML whose expansion settings are the defaults")
_JSON = typer.Option(False, "--json", help="print JSON instead of text")
_RATES = typer.Option(None, "--rates", help="true rates for the operating characteristics, e.g. 0.1,0.2,0.3")


def register(app: typer.Typer) -> None:
    app.add_typer(design_app, name="design")


@design_app.command("simon")
def simon(p0: float = typer.Option(..., "--p0", help="uninteresting response rate"),
          p1: float = typer.Option(..., "--p1", help="target response rate"),
          alpha: float = typer.Option(0.05, "--alpha", help="P(declare promising | p0) at most"),
          beta: float = typer.Option(0.2, "--beta", help="P(not promising | p1) at most"),
          as_json: bool = _JSON) -> None:
    """Optimal and minimax two-stage designs by exact search (Simon 1989)."""
    from dartnk.cli.common import echo_json
    from dartnk.cli.stats_cmd import options
    from dartnk.design.simon import simon_designs

    with options():
        result = simon_designs(p0, p1, alpha, beta)
    if as_json:
        echo_json(result.to_json())
        return
    for name, d in (("optimal", result.optimal), ("minimax", result.minimax)):
        typer.echo(f"{name}: r1/n1 = {d.r1}/{d.n1}, r/n = {d.r}/{d.n}; EN(p0) = {d.en_p0:.2f}, PET(p0) = {d.pet_p0:.3f}, "
                   f"alpha = {d.alpha:.4f}, power = {d.power:.4f}")


def _settings(model, base, updates: dict, option_names: dict[str, str]):
    """Re-validate protocol settings with command-line overrides; errors name the option."""
    from pydantic import ValidationError

    from dartnk.errors import InputError, Problem, problems_from_pydantic

    data = base.model_dump() | {k: v for k, v in updates.items() if v is not None}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_pydantic(exc)
        raise InputError([Problem(option_names.get(p.field.split(".")[0], p.field), p.expected, p.value, p.has_value)
                          for p in problems]) from None


def _rates(text: Optional[str], default: list[float]) -> list[float]:
    from dartnk.cli.stats_cmd import parse_floats

    return parse_floats("--rates", text) or default


def _print_boundary(boundary, ocs, what: str) -> None:
    key = "stop_if_at_least" if boundary.direction.value == "at_least" else "stop_if_at_most"
    word = "≥" if key == "stop_if_at_least" else "≤"
    typer.echo(f"{boundary.method} boundary, max n = {boundary.max_n}:")
    for row in boundary.table():
        span = str(row["n_from"]) if row["n_from"] == row["n_to"] else f"{row['n_from']}–{row['n_to']}"
        typer.echo(f"  n = {span}: stop if {word} {row[key]} {what}")
    if boundary.final_success_at_least is not None:
        typer.echo(f"  at n = {boundary.max_n}: promising if ≥ {boundary.final_success_at_least} {what}")
    for o in ocs:
        extra = "" if o.p_promising is None else f", P(promising) = {o.p_promising:.4f}"
        typer.echo(f"  rate {o.rate:g}: P(stop) = {o.p_stop:.4f}, P(stop early) = {o.p_stop_early:.4f}, "
                   f"E(N) = {o.expected_n:.2f}{extra}")


@design_app.command("monitor")
def monitor(max_n: Optional[int] = typer.Option(None, "--max-n", help="evaluable patients (default: expansion size)"),
            threshold: Optional[float] = typer.Option(None, "--threshold", help="unacceptable DLT rate θ"),
            method: Optional[str] = typer.Option(None, "--method", help="bayesian | pocock"),
            probability: Optional[float] = typer.Option(None, "--probability", help="bayesian: stop if P(rate > θ) > this"),
            alpha: Optional[float] = typer.Option(None, "--alpha", help="pocock: P(stop) when the rate is θ"),
            prior_a: Optional[float] = typer.Option(None, "--prior-a", help="bayesian: Beta prior a"),
            prior_b: Optional[float] = typer.Option(None, "--prior-b", help="bayesian: Beta prior b"),
            min_patients: Optional[int] = typer.Option(None, "--min-patients", help="first look after this many"),
            rates: Optional[str] = _RATES, protocol: Optional[str] = _PROTOCOL, as_json: bool = _JSON) -> None:
    """Toxicity stopping boundary "stop if ≥ b DLTs among the first n" with exact OCs."""
    from dartnk.cli.common import echo_json, load_protocol
    from dartnk.design.toxicity_monitoring import toxicity_boundary
    from dartnk.protocol.expansion import ToxicityMonitoring

    p = load_protocol(protocol)
    updates = {"threshold": threshold, "method": method, "probability": probability, "alpha": alpha,
               "prior_a": prior_a, "prior_b": prior_b, "min_patients": min_patients}
    names = {k: "--" + k.replace("_", "-") for k in updates}
    settings = _settings(ToxicityMonitoring, p.expansion.toxicity, updates, names)
    n = p.expansion.size if max_n is None else max_n
    from dartnk.cli.stats_cmd import options

    with options():
        boundary = toxicity_boundary(settings, n)
    default = sorted({0.1, 0.2, 0.3, 0.4, 0.5, settings.threshold})
    rs = _rates(rates, default)
    if as_json:
        echo_json(boundary.to_json(rs))
        return
    _print_boundary(boundary, boundary.operating_characteristics(rs), "DLTs")


@design_app.command("futility")
def futility(max_n: Optional[int] = typer.Option(None, "--max-n", help="evaluable patients (default: expansion size)"),
             method: Optional[str] = typer.Option(None, "--method", help="simon | predictive"),
             p0: Optional[float] = typer.Option(None, "--p0", help="uninteresting ORR"),
             p1: Optional[float] = typer.Option(None, "--p1", help="target ORR"),
             alpha: Optional[float] = typer.Option(None, "--alpha"),
             beta: Optional[float] = typer.Option(None, "--beta"),
             r1: Optional[int] = typer.Option(None, "--r1", help="simon: stop if ≤ r1 responses among n1"),
             n1: Optional[int] = typer.Option(None, "--n1"),
             threshold: Optional[float] = typer.Option(None, "--threshold", help="predictive: stop if PP < this (θ_L)"),
             efficacy_probability: Optional[float] = typer.Option(None, "--efficacy-probability",
                 help="predictive: success if P(ORR > p0 | data) > this (θ_T)"),
             prior_a: Optional[float] = typer.Option(None, "--prior-a"),
             prior_b: Optional[float] = typer.Option(None, "--prior-b"),
             min_patients: Optional[int] = typer.Option(None, "--min-patients", help="predictive: first look"),
             calibrate: bool = typer.Option(False, "--calibrate",
                 help="predictive: search θ_T and θ_L for α and power at this n (Lee & Liu 2008), smallest EN(p0)"),
             rates: Optional[str] = _RATES, protocol: Optional[str] = _PROTOCOL, as_json: bool = _JSON) -> None:
    """Futility boundary for the ORR "stop if ≤ f responses among the first n" with exact OCs."""
    from dartnk.cli.common import echo_json, fail, load_protocol
    from dartnk.cli.stats_cmd import options
    from dartnk.design.futility_monitoring import calibrate_predictive, futility_boundary
    from dartnk.protocol.expansion import FutilityMonitoring

    p = load_protocol(protocol)
    base = p.expansion.futility
    if (p0 is not None or p1 is not None or alpha is not None or beta is not None) and r1 is None and n1 is None:
        base = base.model_copy(update={"r1": None, "n1": None})  # new hypotheses: derive the Simon stage anew
    updates = {"method": method, "p0": p0, "p1": p1, "alpha": alpha, "beta": beta, "r1": r1, "n1": n1,
               "predictive_threshold": threshold, "efficacy_probability": efficacy_probability,
               "prior_a": prior_a, "prior_b": prior_b, "min_patients": min_patients}
    names = {k: "--" + k.replace("_", "-") for k in updates} | {"predictive_threshold": "--threshold"}
    settings = _settings(FutilityMonitoring, base, updates, names)
    n = p.expansion.size if max_n is None else max_n
    calibration = None
    if calibrate:
        if settings.method.value != "predictive":
            fail("--calibrate", settings.method.value, "--method predictive (Simon designs come from `design simon`)")
        with options():
            calibration = calibrate_predictive(settings, n)
        settings = settings.model_copy(update={"efficacy_probability": calibration.efficacy_probability,
                                               "predictive_threshold": calibration.predictive_threshold})
    with options():
        boundary = futility_boundary(settings, n)
    rs = _rates(rates, sorted({settings.p0, settings.p1}))
    if as_json:
        out = boundary.to_json(rs)
        if calibration is not None:
            out["calibration"] = calibration.to_json()
        echo_json(out)
        return
    if calibration is not None:
        c = calibration
        typer.echo(f"calibrated: θ_T = {c.efficacy_probability:g}, θ_L = {c.predictive_threshold:g} "
                   f"(α = {c.alpha:.4f}, power = {c.power:.4f}, EN(p0) = {c.en_p0:.2f}; "
                   f"{c.candidates_meeting_constraints} pairs met both)")
    _print_boundary(boundary, boundary.operating_characteristics(rs), "responses")
