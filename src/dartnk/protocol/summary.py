"""A readable summary of a protocol, line by line (used by ``dartnk protocol show`` and reports)."""

from __future__ import annotations

from dartnk.protocol.model import Protocol


def _cells(x: float) -> str:
    mant, exp = f"{x:.1e}".split("e")
    return f"{mant} × 10^{int(exp)}"


def summary_lines(p: Protocol) -> list[str]:
    """The trial in about forty lines: identity, products, doses, schedule, rules and follow-up."""
    e = p.escalation
    a, b = e.cohort_size, e.cohort_expansion
    lines = [
        f"{p.trial.id} — {p.trial.registry_id} — Phase {p.trial.phase} — sponsor {p.trial.sponsor}",
        p.trial.condition,
        f"Participants: at most {p.trial.max_participants}",
        "",
        "Antigens (IHC positivity):",
    ]
    for ag in p.antigens:
        rule = []
        if ag.positivity.min_percent_cells is not None:
            rule.append(f"≥ {ag.positivity.min_percent_cells:g}% tumour cells at ≥ {ag.positivity.min_intensity}+")
        if ag.positivity.min_h_score is not None:
            rule.append(f"H-score ≥ {ag.positivity.min_h_score:g}")
        join = " or " if ag.positivity.combine.value == "any" else " and "
        alias = f" ({', '.join(ag.aliases)})" if ag.aliases else ""
        lines.append(f"  {ag.id}{alias}: {join.join(rule)} — {ag.assay}")
    lines += ["", "Constructs (one escalation arm each):"]
    for c in p.constructs:
        need = "both" if c.qualifies_when.value == "all_targets" else "either"
        lines.append(f"  {c.id}: {c.product}, targets {' + '.join(c.targets)} (tumour must express {need}); "
                     f"{c.safety_switch}; {c.persistence_element}")
    lines += ["", "Dose levels (CAR-NK cells per infusion):"]
    for d in p.dose_levels:
        start = "  ← start" if d.id == e.start_level else ""
        lines.append(f"  {d.id}: {_cells(d.cells_per_infusion)}{start}")
    ld = "; ".join(f"{ag.agent} {ag.dose_mg_m2:g} mg/m² on days {', '.join(str(x) for x in ag.days)}"
                   for ag in p.lymphodepletion.agents)
    lines += ["", f"Lymphodepletion: {ld}",
              f"Infusions: days {', '.join(str(x) for x in p.infusions.days)} (± {p.infusions.window_days} day)",
              f"Second cycle: {'allowed' if p.second_cycle.allowed else 'not allowed'} for "
              f"{'/'.join(r.value for r in p.second_cycle.eligible_responses)}, days "
              f"{p.second_cycle.earliest_day}–{p.second_cycle.latest_day}",
              "",
              f"Escalation: {e.design.value} (A={a}, B={b}): escalate with ≤ {e.escalate_max_dlts}/{a} DLTs, "
              f"add {b} with ≤ {e.expand_max_dlts}/{a}, escalate with ≤ {e.escalate_max_dlts_expanded}/{a + b}; "
              f"deescalate={str(e.deescalate).lower()}, expand_top_level={str(e.expand_top_level).lower()}, "
              f"start {e.start_level}; sentinel {e.stagger.sentinel_days} days",
              f"DLT window: {p.dlt.window_days} days; attributions {', '.join(x.value for x in p.dlt.attributions)}"]
    lines += [f"  DLT: {r.text}" for r in p.dlt.rules]
    lines += [f"Evaluable: {p.evaluability.required_infusions} infusions received or a DLT",
              f"Assignment: {p.assignment.policy}; waitlist up to {p.assignment.max_wait_days} days",
              f"Safety monitoring committee: {p.committee.approvals_required} signed approval(s) make a proposal effective",
              "",
              "Interim selection gates: "
              f"RP2D declared, DLT rate ≤ {p.selection.gates.max_dlt_rate_at_rp2d:g}, "
              f"manufacturing success ≥ {p.selection.gates.min_manufacturing_success:g}; weights "
              + ", ".join(f"{w.criterion.value} {w.weight:g}" for w in p.selection.weights),
              f"Expansion: {p.expansion.size} patients at the RP2D; toxicity {p.expansion.toxicity.method.value} "
              f"(θ = {p.expansion.toxicity.threshold:g}); futility {p.expansion.futility.method.value} "
              f"(p0 = {p.expansion.futility.p0:g}, p1 = {p.expansion.futility.p1:g})",
              f"Follow-up: {p.follow_up.clinical_months} months; long-term {p.follow_up.long_term_years} years",
              "",
              f"Eligibility: {len(p.eligibility.inclusion)} inclusion and {len(p.eligibility.exclusion)} exclusion criteria"]
    lines += [f"  + {c.text}" for c in p.eligibility.inclusion]
    lines += [f"  − {c.text}" for c in p.eligibility.exclusion]
    return lines
