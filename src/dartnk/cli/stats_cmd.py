"""``dartnk stats binomial|km``: a proportion with its interval and posterior; Kaplan–Meier and log-rank."""

from __future__ import annotations

from typing import Optional

import typer

stats_app = typer.Typer(help="Binomial inference and survival estimates (Kaplan–Meier, log-rank).", no_args_is_help=True)

_PROTOCOL = typer.Option(None, "--protocol", help="protocol YAML (default: the shipped one)")
_JSON = typer.Option(False, "--json", help="print JSON instead of text")


def register(app: typer.Typer) -> None:
    app.add_typer(stats_app, name="stats")


def parse_floats(option: str, text: str | None) -> list[float]:
    """``"180,365"`` → [180.0, 365.0]; anything else is the user-error contract naming the option."""
    import math

    from dartnk.cli.common import fail

    if text is None or not text.strip():
        return []
    out = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            fail(option, text, "comma-separated numbers")
        if not math.isfinite(value):
            fail(option, text, "comma-separated finite numbers")
        out.append(value)
    return out


@stats_app.command("binomial")
def binomial(x: int = typer.Option(..., "--x", help="events (e.g. responders)"),
             n: int = typer.Option(..., "--n", help="patients"),
             conf: float = typer.Option(0.95, "--conf", help="two-sided confidence level"),
             method: str = typer.Option("clopper-pearson", "--method", help="clopper-pearson | wilson | jeffreys"),
             threshold: Optional[float] = typer.Option(None, "--threshold",
                 help="report P(rate > threshold | data) (default: the protocol's futility p0)"),
             prior_a: Optional[float] = typer.Option(None, "--prior-a", help="Beta prior a (default: the protocol's selection prior)"),
             prior_b: Optional[float] = typer.Option(None, "--prior-b", help="Beta prior b"),
             protocol: Optional[str] = _PROTOCOL, as_json: bool = _JSON) -> None:
    """Estimate x/n with an exact (Clopper–Pearson), Wilson or Jeffreys interval, and a beta posterior."""
    from dartnk.analysis.binomial import beta_posterior, binomial_interval
    from dartnk.cli.common import echo_json, load_protocol

    p = load_protocol(protocol)
    a = p.selection.prior_a if prior_a is None else prior_a
    b = p.selection.prior_b if prior_b is None else prior_b
    theta = p.expansion.futility.p0 if threshold is None else threshold
    with options():
        interval = binomial_interval(x, n, conf, method)
        post = beta_posterior(x, n, a, b, theta, conf)
    out = interval.to_json() | {"ci": [interval.lower, interval.upper], "posterior": post.to_json()}
    if as_json:
        echo_json(out)
        return
    typer.echo(f"{x}/{n} = {interval.estimate:.4f}; {conf:.0%} {interval.method.value} interval "
               f"[{interval.lower:.4f}, {interval.upper:.4f}]")
    typer.echo(f"Beta({a:g}, {b:g}) prior → Beta({post.a:g}, {post.b:g}) posterior: mean {post.mean:.4f}, "
               f"{conf:.0%} credible [{post.lower:.4f}, {post.upper:.4f}], P(rate > {theta:g}) = {post.p_above:.4f}")


@stats_app.command("km")
def km(file: str = typer.Argument(..., help="CSV file with a header row, or - for standard input"),
       time: str = typer.Option(..., "--time", help="column of follow-up times"),
       event: str = typer.Option(..., "--event", help="column: 1 = event, 0 = censored"),
       group: Optional[str] = typer.Option(None, "--group", help="column of group names (log-rank across groups)"),
       at: Optional[str] = typer.Option(None, "--at", help="times for survival estimates, e.g. 180,365"),
       ci: str = typer.Option("log", "--ci", help="pointwise CI transform: log (R survival's default) | log-log"),
       conf: float = typer.Option(0.95, "--conf", help="confidence level"),
       as_json: bool = _JSON) -> None:
    """Kaplan–Meier: n, events, median with its CI, survival at times; log-rank test between groups."""
    from dartnk.analysis.survival import parse_survival_csv, survival_analysis
    from dartnk.cli.common import echo_json, read_text

    times, events, groups = parse_survival_csv(read_text(file), time, event, group)
    at_times = parse_floats("--at", at)
    with options():
        out = survival_analysis(times, events, groups, conf, ci, at_times)
    if as_json:
        echo_json(out)
        return
    for name, g in out["groups"].items():
        lo, hi = g["median_ci"]
        typer.echo(f"{name}: n={g['n']} events={g['events']} median={_fmt(g['median'])} "
                   f"{conf:.0%} CI ({ci}) [{_fmt(lo)}, {_fmt(hi)}]")
        for t, s in g["survival_at"].items():
            typer.echo(f"  S({t}) = {_fmt(s['s'])} [{_fmt(s['lower'])}, {_fmt(s['upper'])}]")
    if out["logrank"]:
        lr = out["logrank"]
        typer.echo(f"log-rank: chi2 = {lr['chi2']:.3f} on {lr['df']} df, p = {lr['p']:.4g}")


class options:
    """Name command-line options (``--x``) rather than function arguments (``x``) in user errors."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        from dartnk.errors import DartnkError, InputError, Problem

        if isinstance(exc, DartnkError):
            raise InputError([Problem(_option_name(p.field), p.expected, p.value, p.has_value)
                              for p in exc.problems]) from None
        return False


def _option_name(field: str) -> str:
    """``min_patients`` → ``--min-patients``; dotted protocol paths and other names stay as they are."""
    import re

    return "--" + field.replace("_", "-") if re.fullmatch(r"[a-z][a-z0-9_]*", field) else field


def _fmt(v) -> str:
    return "NA" if v is None else f"{v:.4g}"
