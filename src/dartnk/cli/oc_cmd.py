"""``dartnk oc`` (operating characteristics of one escalation arm) and ``dartnk decisions`` (the table).

Only Typer and the standard library are imported here; the engine is imported inside the commands.
Every argument is parsed here so that a mistake is one line naming the option, the value and what
was expected (exit 2).
"""

from __future__ import annotations

import math
from typing import Any, List, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("oc")(oc)
    app.command("decisions")(decisions)


# -- argument parsing (one clear line per mistake) ----------------------------------------------------

def _fail(field: str, value: Any, expected: str) -> None:
    from dartnk.cli.common import fail

    fail(field, value, expected)


def parse_tox(text: Optional[str]) -> list[float]:
    """``--tox 0.05,0.10,0.20``: true DLT probabilities, lowest level first, each in [0, 1]."""
    expected = "comma-separated DLT probabilities in [0, 1], lowest level first (e.g. 0.05,0.10,0.20)"
    if text is None:
        from dartnk.errors import InputError, Problem

        raise InputError(Problem("--tox", f"required: {expected}", has_value=False))
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(p == "" for p in parts):
        _fail("--tox", text, expected)
    values = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            _fail("--tox", p, "a number (a DLT probability in [0, 1])")
        if not (math.isfinite(v) and 0.0 <= v <= 1.0):
            _fail("--tox", p, "a DLT probability in [0, 1]")
        values.append(v)
    return values


def parse_int(option: str, text: str, low: int, high: int | None, what: str) -> int:
    """A whole number within [low, high] given on the command line."""
    rng = f"from {low} to {high}" if high is not None else f"≥ {low}"
    try:
        value = int(text.strip().replace("_", ""))
    except ValueError:
        _fail(option, text, f"{what}: a whole number {rng}")
    if value < low or (high is not None and value > high):
        _fail(option, text, f"{what}: a whole number {rng}")
    return value


def parse_sets(items: Optional[List[str]]) -> dict[str, str]:
    """``--set NAME=VALUE`` (repeatable) → {name: value text}."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            _fail("--set", item, "NAME=VALUE (e.g. deescalate=false)")
        out[name.strip()] = value.strip()
    return out


def escalation_settings(protocol_path: Optional[str], sets: Optional[List[str]]):
    """The protocol's escalation settings with the ``--set`` overrides applied."""
    from dartnk.cli.common import load_protocol
    from dartnk.design.escalation import settings_with

    overrides = parse_sets(sets)
    settings = load_protocol(protocol_path).escalation
    return settings_with(settings, field_prefix="--set", **overrides) if overrides else settings


def settings_json(settings, start_level: int | None = None) -> dict[str, Any]:
    from dartnk.design.escalation import RULE_FIELDS

    data = settings.model_dump(mode="json")
    out = {name: data[name] for name in RULE_FIELDS}
    if start_level is not None:
        out["start_level"] = start_level
    return out


# -- dartnk oc ---------------------------------------------------------------------------------------

def oc(
    tox: Optional[str] = typer.Option(None, "--tox", metavar="P1,P2,...",
                                      help="true DLT probability of each level, lowest first (the number of levels is its "
                                           "length); without it, the protocol's escalation.oc_scenarios on its dose levels"),
    start_level: Optional[str] = typer.Option(None, "--start-level", metavar="N",
                                              help="1-based start level (default 1 with --tox, else the protocol's start level)"),
    set_: Optional[List[str]] = typer.Option(None, "--set", metavar="NAME=VALUE",
                                             help="override a 3+3 setting, e.g. deescalate=false (repeatable)"),
    sims: Optional[str] = typer.Option(None, "--sims", metavar="N", help="simulate N trials instead of enumerating every dose path"),
    seed: Optional[str] = typer.Option(None, "--seed", metavar="S", help="seed of the simulation (default: fresh, reported)"),
    json_out: bool = typer.Option(False, "--json", help="print one JSON object (a list of them, one per protocol scenario, without --tox)"),
    protocol: Optional[str] = typer.Option(None, "--protocol", metavar="FILE", help="protocol YAML (default: the shipped protocol)"),
) -> None:
    """Operating characteristics of one escalation arm: P(each level is the MTD), expected patients and DLTs."""
    from dartnk.cli.common import load_protocol

    values = parse_tox(tox) if tox is not None else None
    n_sims = parse_int("--sims", sims, 1, None, "the number of simulated trials") if sims is not None else None
    if seed is not None and n_sims is None:
        _fail("--seed", seed, "only together with --sims")
    seed_value = parse_int("--seed", seed, 0, None, "the simulation seed") if seed is not None else None
    proto = load_protocol(protocol)
    settings = escalation_settings(protocol, set_)
    levels = [lv.id for lv in proto.dose_levels]
    if values is not None:
        scenarios = [(None, "", values)]
        default_start = 1
    else:
        scenarios = protocol_scenarios(proto)
        default_start = proto.level_index(proto.escalation.start_level) + 1
    k = len(scenarios[0][2])
    start = (parse_int("--start-level", start_level, 1, k, "the 1-based start level") if start_level is not None
             else default_start) - 1
    names = levels if len(levels) == k else None

    results = [(name, text, run_oc(settings, vals, start, n_sims, seed_value)) for name, text, vals in scenarios]
    if json_out:
        from dartnk.cli.common import echo_json

        objs = []
        for name, text, result in results:
            obj = result.to_json(settings_json(settings, start + 1))
            if name is not None:
                obj = {"scenario": name, "description": text, **obj}
            objs.append(obj)
        echo_json(objs[0] if values is not None else objs)
        return
    blocks = []
    for name, text, result in results:
        head = [f"Scenario {name}: {text}" if text else f"Scenario {name}"] if name is not None else []
        blocks.append("\n".join(head + oc_table_lines(result, settings, names)))
    typer.echo("\n\n".join(blocks))


def protocol_scenarios(proto) -> list[tuple[str, str, list[float]]]:
    """The protocol's design scenarios, each with one DLT probability per dose level."""
    scenarios = proto.escalation.oc_scenarios
    if not scenarios:
        from dartnk.errors import InputError, Problem

        raise InputError(Problem("--tox", "required: the protocol defines no escalation.oc_scenarios; give "
                                          "comma-separated DLT probabilities, lowest level first", has_value=False))
    k = len(proto.dose_levels)
    for i, sc in enumerate(scenarios):
        if len(sc.dlt_probabilities) != k:
            _fail(f"escalation.oc_scenarios.{i}.dlt_probabilities", list(sc.dlt_probabilities),
                  f"{k} probabilities, one per dose level")
    return [(sc.name, sc.description, list(sc.dlt_probabilities)) for sc in scenarios]


def run_oc(settings, values: list[float], start: int, n_sims: int | None, seed: int | None):
    """Exact operating characteristics, or simulated ones from ``seed`` (the same patients for every
    scenario: common random numbers) when ``n_sims`` is given."""
    if n_sims is None:
        from dartnk.design.exact_oc import exact_oc

        return exact_oc(settings, values, start)
    import numpy as np

    from dartnk.design.simulated_oc import simulated_oc

    seq = np.random.SeedSequence(seed)
    return simulated_oc(settings, values, start, n_sims, np.random.default_rng(seq), seed=int(seq.entropy))


def oc_table_lines(result, settings, names: list[str] | None = None) -> list[str]:
    """A readable table: level, true DLT probability, P(MTD), E[patients], E[DLTs] (± SE when simulated).

    Levels are numbered 1..K, with the protocol's dose level ids when ``--tox`` gives one per level."""
    sim = result.method == "simulation"
    how = (f"simulation of {result.n_sims:,} trials (seed {result.seed}); ± Monte Carlo standard error" if sim
           else "exact: every dose path enumerated")
    s = settings
    lines = [f"Operating characteristics — {how}",
             f"Modified 3+3: A = {s.cohort_size}, B = {s.cohort_expansion}; escalate ≤ {s.escalate_max_dlts}/{s.cohort_size}, "
             f"expand ≤ {s.expand_max_dlts}/{s.cohort_size}, escalate ≤ {s.escalate_max_dlts_expanded}/{s.max_per_level}; "
             f"deescalate = {str(s.deescalate).lower()}, expand_top_level = {str(s.expand_top_level).lower()}, "
             f"mtd_rule = {s.mtd_rule.value}; start level {result.start + 1}", ""]

    def cell(value: float, se: float | None, digits: int) -> str:
        return f"{value:.{digits}f}" + (f" ± {se:.{digits}f}" if se is not None else "")

    se = result.se if sim else {}
    sel_se = se.get("p_select", [None] * len(result.p_select))
    pat_se = se.get("mean_patients", [None] * len(result.mean_patients))
    dlt_se = se.get("mean_dlts", [None] * len(result.mean_dlts))
    rows = [("none", "", cell(result.p_select[0], sel_se[0], 4), "", "")]
    for i, p in enumerate(result.true_tox):
        mark = " *" if i == result.start else ""
        label = f"{i + 1} ({names[i]})" if names else f"{i + 1}"
        rows.append((f"{label}{mark}", f"{p:.3f}", cell(result.p_select[i + 1], sel_se[i + 1], 4),
                     cell(result.mean_patients[i], pat_se[i], 3), cell(result.mean_dlts[i], dlt_se[i], 3)))
    rows.append(("total", "", cell(sum(result.p_select), None, 4), cell(result.mean_n, se.get("mean_n"), 3),
                 cell(result.mean_total_dlts, se.get("mean_total_dlts"), 3)))
    head = ("Level", "True DLT", "P(MTD)", "E[patients]", "E[DLTs]")
    widths = [max(len(head[j]), *(len(r[j]) for r in rows)) for j in range(5)]
    fmt = lambda r: "  ".join(r[j].ljust(widths[j]) if j == 0 else r[j].rjust(widths[j]) for j in range(5)).rstrip()
    lines += [fmt(head), fmt(tuple("-" * w for w in widths))] + [fmt(r) for r in rows]
    lines += ["", "* start level", "P(n patients): " + ", ".join(f"{n}: {_prob(p)}" for n, p in sorted(result.p_n.items()))]
    ttl = result.target_toxicity_level
    lines.append("Expected true DLT rate of the declared MTD (Lin & Shih's target toxicity level): "
                 + ("none is declared" if ttl is None else f"{ttl:.4f}")
                 + f"; overall DLT rate E[DLTs]/E[patients]: {result.overall_dlt_rate:.4f}")
    from dartnk.design.peer_tools import same_rules_as

    peers = same_rules_as(settings, result.start)
    if peers:
        lines.append("The same rules as: " + "; ".join(peers))
    return lines


def _prob(p: float) -> str:
    return "<0.0001" if 0 < p < 0.00005 else f"{p:.4f}"


# -- dartnk decisions --------------------------------------------------------------------------------

def decisions(
    set_: Optional[List[str]] = typer.Option(None, "--set", metavar="NAME=VALUE", help="override a 3+3 setting (repeatable)"),
    json_out: bool = typer.Option(False, "--json", help="print the table as JSON"),
    protocol: Optional[str] = typer.Option(None, "--protocol", metavar="FILE", help="protocol YAML (default: the shipped protocol)"),
) -> None:
    """The escalation decision table: for each number treated and with a DLT at the current level, the action."""
    from dartnk.design.decision_table import decision_rows, decision_table_lines, status_action_text

    settings = escalation_settings(protocol, set_)
    if json_out:
        from dartnk.cli.common import echo_json

        echo_json({"settings": settings_json(settings),
                   "rows": [{"treated": r.treated, "dlts": r.dlts, "status": r.status.value,
                             "action": status_action_text(settings, r.status)} for r in decision_rows(settings)],
                   "rules": decision_table_lines(settings)[-4:]})
        return
    typer.echo("\n".join(decision_table_lines(settings)))
