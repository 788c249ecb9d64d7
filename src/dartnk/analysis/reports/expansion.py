"""The Phase 2 expansion's efficacy rule applied to the observed responses (final analysis section).

The boundary is :func:`dartnk.design.futility_monitoring.futility_boundary` — for DART-NK-SCLC the
Simon two-stage design of the protocol (stop if ≤ r1 responses among the first n1; the null
hypothesis ORR ≤ p0 is rejected if at least r + 1 of n respond; Simon, Control Clin Trials
1989;10:1–10). Responses are confirmed CR/PR best overall responses, patients in Day 0 order.
"""

from __future__ import annotations

from dartnk.analysis.report_data import Phase, TrialData
from dartnk.analysis.reports import tables as T
from dartnk.analysis.reports.document import Report, Table


def expansion_section(report: Report, data: TrialData, bor: dict) -> None:
    """Add the expansion's looks and final test, if the trial has expansion patients."""
    from dartnk.design.futility_monitoring import futility_boundary

    patients = sorted((p for p in data.treated(phase=Phase.EXPANSION)), key=lambda p: (p.day0, p.subject_id))
    if not patients:
        return
    exp = data.protocol.expansion
    boundary = futility_boundary(exp.futility, exp.size)
    responded = [bor[p.subject_id].category in ("CR", "PR") for p in patients]
    s = report.section("Phase 2 expansion: efficacy rule")
    params = boundary.parameters
    s.text(f"{patients[0].arm} at {patients[0].dose_level}: {len(patients)} of {exp.size} planned patients treated. "
           f"Rule ({params.get('source', boundary.method)}): p0 = {params['p0']:g}, p1 = {params['p1']:g}"
           + (f", α = {params['alpha']:g}, β = {params['beta']:g}" if "alpha" in params else "") + ".")
    rows = []
    for n in sorted(k for k, v in boundary.bounds.items() if v is not None):
        if len(patients) < n:
            rows.append([n, f"≤ {boundary.bounds[n]}", "not reached", ""])
            continue
        x = sum(responded[:n])
        stop = x <= boundary.bounds[n]
        rows.append([n, f"≤ {boundary.bounds[n]}", x, "stop for futility" if stop else "continue"])
    s.table(Table.of("Interim looks (responses among the first n treated)", ["Look at n", "Stop if responses",
                                                                            "Responses observed", "Rule says"], rows))
    x, n = sum(responded), len(patients)
    need = boundary.final_success_at_least
    if n < exp.size and need is not None and x >= need:
        verdict = (f"{x} responses among {n} of {exp.size} patients already ≥ {need}: the null hypothesis ORR ≤ "
                   f"{params['p0']:g} is rejected whatever the remaining patients show")
    elif n < exp.size and need is not None and x + exp.size - n < need:
        verdict = (f"{x} responses among {n} of {exp.size} patients: {need} cannot be reached; the null hypothesis "
                   f"ORR ≤ {params['p0']:g} cannot be rejected")
    elif n < exp.size:
        verdict = f"incomplete: {n} of {exp.size} patients; {x} responses so far ({need} needed at {exp.size})"
    elif need is not None and x >= need:
        verdict = f"{x} responses ≥ {need}: the null hypothesis ORR ≤ {params['p0']:g} is rejected"
    else:
        verdict = f"{x} responses < {need}: the null hypothesis ORR ≤ {params['p0']:g} is not rejected"
    s.table(Table.of("Final analysis of the expansion", ["Patients", "Responses", "ORR (exact 95% CI)", "Conclusion"],
                     [[n, x, T.rate_ci(x, n), verdict]]))
