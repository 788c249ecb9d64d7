"""The interim construct-selection report: per construct, the selection rule's gates, observed data,
criterion scores, composite, P(best) and weight sensitivity, with persistence and DLT-rate plots.

The rule itself is :func:`dartnk.design.selection.select_construct` (the very code the simulations
validated); this module only assembles its inputs from the trial data and lays out its answer.
"""

from __future__ import annotations

import statistics

from dartnk.analysis import plots as P
from dartnk.analysis.report_data import TrialData
from dartnk.analysis.reports import tables as T
from dartnk.analysis.reports.document import Report, SignatureLine, Table
from dartnk.analysis.reports.endpoints import best_responses
from dartnk.analysis.reports.safety import meta

CRITERIA = ("safety", "manufacturability", "persistence", "efficacy")


def declared_rp2d(data: TrialData, arm: str) -> str | None:
    """The RP2D the engine declared for ``arm``, if any: the latest approved escalation proposal whose
    action is ``declare_mtd`` (the trial engine's wording), or a decision naming an RP2D/MTD level."""
    for d in reversed(data.decisions):
        if d.arm != arm:
            continue
        if d.proposal.get("action") == "declare_mtd" and d.dose_level and d.status in ("approved", "signed"):
            return d.dose_level
        for key in ("rp2d", "mtd", "rp2d_level", "mtd_level"):
            value = d.proposal.get(key)
            if isinstance(value, str) and value:
                return value
        if any(w in d.kind.lower() for w in ("rp2d", "mtd")) and d.dose_level:
            return d.dose_level
    return None


def arm_summary(data: TrialData, arm: str, rp2d: str | None = None):
    """The selection rule's input for one construct, from the trial data (``rp2d`` overrides the engine's)."""
    from dartnk.design.selection import ArmSummary

    level = rp2d or declared_rp2d(data, arm)
    dlts, evaluable = T.dlt_counts(data, data.treated(arm, level)) if level else (0, 0)
    lots = [lot for lot in data.lots if lot.construct == arm]
    v2v = []
    for lot in lots:
        p = next((p for p in data.patients if p.subject_id == lot.subject_id), None)
        if lot.status == "released" and p is not None and p.enrolled_on is not None:
            v2v.append(float((lot.manufactured_on - p.enrolled_on).days))
    treated = data.treated(arm)
    series = []
    for p in treated:
        s = {m.study_day: m.copies_per_ug for m in data.persistence if m.subject_id == p.subject_id
             and m.study_day is not None and m.study_day >= 0}
        if s:
            series.append(s)
    bor = best_responses(data, treated)
    responders = sum(1 for b in bor.values() if b.category in ("CR", "PR"))
    return ArmSummary(construct=arm, rp2d_level=level, patients_at_rp2d=evaluable, dlts_at_rp2d=dlts,
                      products_manufactured=len(lots), products_released=sum(1 for x in lots if x.status == "released"),
                      products_failed=sum(1 for x in lots if x.status == "failed"),
                      vein_to_vein_days=tuple(v2v), persistence=tuple(series), responders=responders,
                      evaluable_for_response=len(treated))


def selection_report(data: TrialData, rp2d: dict[str, str] | None = None, rng=None) -> Report:
    """The interim selection report over every arm with a treated patient."""
    from dartnk.design.selection import select_construct

    arms = [a for a in data.arms() if data.treated(a)]
    summaries = [arm_summary(data, a, (rp2d or {}).get(a)) for a in arms]
    settings = data.protocol.selection
    report = Report(
        title=f"Interim construct selection — {data.protocol.trial.id}",
        subtitle="Gates, scores, composite, posterior probabilities and weight sensitivity per construct",
        meta=meta(data, [("Constructs", ", ".join(arms) or "none treated")]),
        signature_statement="The committee has reviewed the selection rule's result and recommends the construct "
                            "below for the Phase 2 expansion at its RP2D (or records its reasons to differ).",
    )
    if not summaries:
        report.section("Result").text("No construct has a treated patient: nothing to select.")
        report.signatures = [SignatureLine("Safety monitoring committee chair"), SignatureLine("Sponsor medical lead")]
        return report
    result = select_construct(settings, summaries, rng)
    s = report.section("Result")
    s.text(f"Selected construct: {result.selected or 'none'}. {result.reason}.")
    order = sorted(result.constructs, key=lambda c: c.rank)
    s.table(Table.of("Rank and composite score", ["Rank", "Construct", "Eligible (all gates)", "Composite"],
                     [[c.rank, c.construct, c.eligible, f"{c.composite:.3f}"] for c in order]))
    g = report.section("Gates")
    g.table(Table.of("Gates every construct must pass (protocol selection.gates; boundaries inclusive)",
                     ["Construct", "Gate", "Passed", "Reason"],
                     [[c.construct, gate.gate, gate.passed, gate.reason] for c in order for gate in c.gates]))
    o = report.section("Observed data per construct")
    o.table(Table.of("Inputs of the rule", ["Construct", "RP2D", "DLTs at RP2D", "Released / manufactured",
                                            "Median vein-to-vein (days)", "Responses (CR+PR) / treated",
                                            f"Detected at day {settings.persistence_day}", "Median peak (copies/µg)",
                                            f"Median AUC day 0–{settings.persistence_day} (copies·days/µg)"],
                     [[c.construct, c.observed["rp2d_level"], c.observed["dlts"],
                       f"{_arm(summaries, c.construct).products_released}/{_arm(summaries, c.construct).products_manufactured}",
                       c.observed["median_vein_to_vein_days"], c.observed["responses"],
                       f"{c.observed['detected_at_day']}/{c.observed['assessed_at_day']}", c.observed["peak_median"],
                       c.observed["auc_median"]] for c in order]))
    sc = report.section("Criterion scores and composite")
    weights = {w.criterion.value: w for w in settings.weights}
    sc.table(Table.of("Scores in [0, 1] (posterior means under the Beta prior) and weighted composite",
                      ["Construct", *[f"{k} (w={weights[k].weight:g})" for k in CRITERIA], "Composite"],
                      [[c.construct, *[f"{c.scores[k]:.3f}" for k in CRITERIA], f"{c.composite:.3f}"] for c in order],
                      note=f"Prior Beta({settings.prior_a:g}, {settings.prior_b:g}) for every rate."))
    pb = report.section("Posterior probability of being best")
    pb.table(Table.of("P(construct is best) per criterion under independent beta posteriors",
                      ["Construct", "P(lowest DLT rate)", "P(best release success)", "P(best detection)",
                       "P(best ORR)"], [[c.construct, *[f"{c.p_best[k]:.3f}" for k in CRITERIA]] for c in order]))
    sens = report.section("Weight sensitivity")
    sens.table(Table.of("Weights and the ranges tried", ["Criterion", "Weight", "Low", "High"],
                        [[k, weights[k].weight, weights[k].low, weights[k].high] for k in CRITERIA]))
    sens.table(Table.of(f"Share of weight settings in which each eligible construct ranks first "
                        f"({result.sensitivity_method}, {result.sensitivity_settings} settings)",
                        ["Construct", "Share of settings won"],
                        [[c, f"{v:.1%}"] for c, v in sorted(result.sensitivity.items(), key=lambda kv: -kv[1])]))
    _plots(report, data, arms)
    report.signatures = [SignatureLine("Safety monitoring committee chair"), SignatureLine("Committee member"),
                         SignatureLine("Sponsor medical lead")]
    return report


def _arm(summaries, construct: str):
    return next(s for s in summaries if s.construct == construct)


def _plots(report: Report, data: TrialData, arms: list[str]) -> None:
    s = report.section("Persistence and DLT rates")
    series = []
    for p in (p for a in arms for p in data.treated(a)):
        pts = sorted((m for m in data.persistence if m.subject_id == p.subject_id and m.study_day is not None),
                     key=lambda m: m.study_day)
        if pts:
            series.append(P.PersistenceSeries(p.subject_id, p.arm, p.dose_level, tuple(m.study_day for m in pts),
                                              tuple(m.copies_per_ug for m in pts)))
    lloq = getattr(data.protocol.selection, "detection_limit_copies", 0) or 10.0
    s.figure(P.persistence_curves(series, lloq=lloq), "CAR transgene copies/µg genomic DNA by construct and level "
             "(log scale); thin lines per patient, bold median per dose level.")
    counts = [P.DltCount(a, lv, *T.dlt_counts(data, data.treated(a, lv))) for a in arms for lv in data.levels(a)]
    s.figure(P.dlt_rates(counts, [d.id for d in data.protocol.dose_levels],
                         threshold=data.protocol.selection.gates.max_dlt_rate_at_rp2d),
             "DLT rate per construct and dose level, exact 95% CI; dashed: the gate's maximum DLT rate at the RP2D.")
    peaks = [max(s_.copies_per_ug) for s_ in series]
    if peaks:
        s.text(f"Median peak persistence over all constructs: {statistics.median(peaks):.3g} copies/µg DNA "
               f"({len(peaks)} patients).")
