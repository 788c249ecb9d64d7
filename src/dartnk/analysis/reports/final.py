"""The final analysis: safety (DLT incidence, MTD/RP2D), activity (ORR, BOR, waterfall, spider, swimmer),
time to event (Kaplan–Meier PFS and OS) and CAR-NK persistence and its relation to response.

Populations: *treated* = at least one CAR-NK infusion (safety and efficacy, as in the registry's
primary and secondary outcomes); *DLT-evaluable* per the protocol's evaluability rule. ORR is the
proportion of treated patients whose RECIST 1.1 best overall response is a confirmed CR or PR, with
the Clopper–Pearson exact 95% CI.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import median

from dartnk.analysis import plots as P
from dartnk.analysis.report_data import PatientData, Phase, TrialData
from dartnk.analysis.reports import tables as T
from dartnk.analysis.reports.document import Report, SignatureLine, Table, pct
from dartnk.analysis.reports.endpoints import BestResponse, best_responses, overall_survival, progression_free_survival
from dartnk.analysis.reports.expansion import expansion_section
from dartnk.analysis.reports.safety import meta

BOR_ORDER = ("CR", "PR", "SD", "PD", "NE")


def final_report(data: TrialData) -> Report:
    """The end-of-study analysis report over every treated patient."""
    treated = data.treated()
    report = Report(
        title=f"Final analysis — {data.protocol.trial.id}",
        subtitle="Safety, MTD/RP2D, antitumour activity, survival and CAR-NK persistence",
        meta=meta(data, [("Patients treated", str(len(treated))), ("Arms", ", ".join(data.arms()) or "none")]),
        signature_statement="Approved for release by the trial statistician and the sponsor's medical lead.",
    )
    bor = best_responses(data, treated)
    _disposition(report, data)
    _safety(report, data)
    _activity(report, data, treated, bor)
    expansion_section(report, data, bor)
    _survival(report, data, treated)
    _persistence(report, data, treated, bor)
    report.signatures = [SignatureLine("Trial statistician"), SignatureLine("Sponsor medical lead")]
    return report


def _disposition(report: Report, data: TrialData) -> None:
    rows = []
    for arm in data.arms():
        for phase in Phase:
            assigned = [p for p in data.patients if p.arm == arm and p.phase == phase]
            if not assigned:
                continue
            tr = [p for p in assigned if p.treated]
            _, n_eval = T.dlt_counts(data, tr)
            died = sum(1 for p in tr if p.vital_status.value == "dead")
            off = sum(1 for p in assigned if p.vital_status.value in ("withdrawn", "lost_to_follow_up"))
            rows.append([arm, phase.value, len(assigned), len(tr), n_eval, died, off, len(tr) - died - off])
    registered = len(data.patients)
    s = report.section("Patients and disposition")
    s.text(f"{registered} patients registered, {sum(1 for p in data.patients if p.arm)} assigned to an arm, "
           f"{len(data.treated())} treated (at least one CAR-NK infusion).")
    s.table(Table.of("Disposition by arm and phase", ["Arm", "Phase", "Assigned", "Treated", "DLT-evaluable", "Died",
                                                       "Withdrawn or lost", "Alive in follow-up"], rows))


def _safety(report: Report, data: TrialData) -> None:
    levels = [d.id for d in data.protocol.dose_levels]
    s = report.section("Dose-limiting toxicity, MTD and RP2D")
    s.table(T.dlt_level_table(data, None, levels, "DLT incidence per arm and dose level"))
    counts = []
    for arm in data.arms():
        for lv in data.levels(arm):
            k, n = T.dlt_counts(data, data.treated(arm, lv))
            counts.append(P.DltCount(arm, lv, k, n))
    s.figure(P.dlt_rates(counts, levels, threshold=data.protocol.expansion.toxicity.threshold),
             "DLT rate per arm and dose level with exact 95% CI.")
    rows = []
    for arm in data.arms():
        declared = [d for d in data.decisions if d.arm == arm and _declares_dose(d)]
        if declared:
            d = declared[-1]
            rows.append([arm, d.proposal.get("mtd") or d.dose_level, d.proposal.get("rp2d") or d.dose_level,
                         d.reason, d.status])
        else:
            rows.append([arm, "not declared", "not declared", "escalation not finished at data cut-off", ""])
    s.table(Table.of("MTD and RP2D per arm (engine decision and committee sign-off)",
                     ["Arm", "MTD", "RP2D", "Reason", "Status"], rows))
    aes = data.of(data.adverse_events, data.treated())
    s.table(T.ae_term_table(aes, len(data.treated()), "Adverse events by CTCAE term and worst grade, all treated"))
    s.table(T.graded_syndrome_table(aes, ("crs", "icans") + T.CYTOPENIA_CATEGORIES + T.INFECTION_CATEGORIES,
                                    len(data.treated()), "CRS, ICANS, cytopenias and infections",
                                    "ASTCT 2019 for CRS and ICANS, CTCAE v5.0 otherwise"))


def _declares_dose(d) -> bool:
    return (d.proposal.get("action") == "declare_mtd" or any(w in d.kind.lower() for w in ("mtd", "rp2d"))
            or "mtd" in d.proposal or "rp2d" in d.proposal)


def orr_row(label: str, patients: list[PatientData], bor: dict[str, BestResponse]) -> list:
    cats = [bor[p.subject_id].category for p in patients]
    k = sum(1 for c in cats if c in ("CR", "PR"))
    dcr = sum(1 for c in cats if c in ("CR", "PR", "SD"))
    return [label, len(patients), *(cats.count(c) for c in BOR_ORDER), T.rate_ci(k, len(patients)),
            T.rate_ci(dcr, len(patients))]


def _activity(report: Report, data: TrialData, treated: list[PatientData], bor: dict[str, BestResponse]) -> None:
    s = report.section("Antitumour activity (RECIST 1.1)")
    headers = ["Group", "N", "CR", "PR", "SD", "PD", "NE", "ORR (CR+PR), exact 95% CI", "Disease control (CR+PR+SD)"]
    rows = [orr_row("All treated", treated, bor)]
    rows += [orr_row(f"Arm {arm}", data.treated(arm), bor) for arm in data.arms()]
    rows += [orr_row(f"Arm {arm}, Phase 2 expansion", data.treated(arm, phase=Phase.EXPANSION), bor)
             for arm in data.arms() if data.treated(arm, phase=Phase.EXPANSION)]
    rows += [orr_row(f"Arm {arm}, {lv}", data.treated(arm, lv), bor) for arm in data.arms() for lv in data.levels(arm)]
    s.table(Table.of("Best overall response and objective response rate", headers, rows,
                     note="RECIST 1.1 best overall response with confirmation "
                          f"(≥ {data.protocol.response.confirmation_min_days} days) and SD at ≥ "
                          f"{data.protocol.response.min_sd_days} days; percentages of treated patients. Dose-level "
                          "rows include escalation and expansion patients treated at that level."))
    by_profile: dict[str, list[PatientData]] = defaultdict(list)
    for p in treated:
        by_profile[p.antigen_profile()].append(p)
    s.table(Table.of("Objective response by tumour antigen profile (IHC)", headers,
                     [orr_row(k, v, bor) for k, v in sorted(by_profile.items())]))
    s.table(Table.of("Best overall response per patient", ["Subject", "Arm", "Dose level", "BOR", "Derivation"],
                     [[p.subject_id, p.arm, p.dose_level, bor[p.subject_id].category, bor[p.subject_id].reason]
                      for p in treated]))
    best = _best_changes(data, treated, bor)
    s.figure(P.waterfall(best), "Best % change from baseline in the sum of target lesion diameters; bars by BOR. "
             f"{len(treated) - len(best)} treated patients without a post-baseline measurement are not shown.")
    series = []
    for p in treated:
        pts = sorted((r for r in data.responses if r.subject_id == p.subject_id and r.pct_from_baseline is not None
                      and r.study_day is not None), key=lambda r: r.study_day)
        if len(pts) > 1:
            series.append(P.ChangeSeries(p.subject_id, tuple(max(r.study_day, 0) for r in pts),
                                         tuple(r.pct_from_baseline for r in pts), p.arm))
    s.figure(P.spider(series), "% change in the target sum over time, one line per patient, style by arm.")
    s.figure(P.swimmer([_lane(data, p) for p in treated]), "Each patient's course from the first infusion.")


def _best_changes(data: TrialData, treated, bor) -> list[P.BestChange]:
    out = []
    for p in treated:
        vals = [r.pct_from_baseline for r in data.responses if r.subject_id == p.subject_id and not r.is_baseline
                and r.pct_from_baseline is not None]
        if vals:
            out.append(P.BestChange(p.subject_id, min(vals), bor[p.subject_id].category, p.arm))
    return out


def _lane(data: TrialData, p: PatientData) -> P.SwimLane:
    os_ = overall_survival(p, data)
    pfs = progression_free_survival(p, data)
    infusions = tuple(e.study_day for e in data.exposures if e.subject_id == p.subject_id
                      and e.kind.value == "infusion" and e.study_day is not None)
    responses = tuple((r.study_day, r.overall) for r in data.responses if r.subject_id == p.subject_id
                      and not r.is_baseline and r.study_day is not None)
    pd_day = next((d for d, o in sorted(responses) if o == "PD"), None)
    return P.SwimLane(p.subject_id, int(os_.days), died=os_.event,
                      ongoing=not os_.event and p.vital_status.value == "alive", infusion_days=infusions,
                      responses=responses, progression_day=pd_day if pd_day is not None else
                      (int(pfs.days) if pfs.event and not os_.event else None), group=p.arm)


def _survival(report: Report, data: TrialData, treated: list[PatientData]) -> None:
    """KM medians and CIs by :func:`dartnk.analysis.survival.summarise_group` (R ``survival`` rules)."""
    from dartnk.analysis.survival import summarise_group

    s = report.section("Progression-free and overall survival")
    for name, fn in (("Progression-free survival", progression_free_survival), ("Overall survival", overall_survival)):
        groups, rows, medians = [], [], {}
        for label, pts in [("All treated", treated)] + [(a, data.treated(a)) for a in data.arms()]:
            if not pts:
                continue
            tte = [fn(p, data) for p in pts]
            groups.append(P.SurvivalGroup(label, tuple(t.days for t in tte), tuple(t.event for t in tte)))
            g = summarise_group(label, [t.days / P.survival.DAYS_PER_MONTH for t in tte], [int(t.event) for t in tte])
            lo, hi = g.median_ci[g.transform.value]
            medians[label] = g.median
            rows.append([label, g.n, g.events, _f(g.median), f"{_f(lo)}–{_f(hi)}"])
        s.table(Table.of(f"{name}: Kaplan–Meier medians (months)", ["Group", "N", "Events", "Median", "95% CI"], rows,
                         note="NR: not reached or limit undefined. Time from Day 0 (first infusion); 1 month = "
                              "30.4375 days. CI: Brookmeyer–Crowley with the log transform (R survival's default)."))
        s.figure(P.kaplan_meier(groups[1:] if len(groups) > 2 else groups[:1], endpoint=name, medians=medians),
                 f"{name} by arm, Kaplan–Meier with 95% band, censoring ticks, medians and numbers at risk.")


def _f(x: float | None) -> str:
    return "NR" if x is None else f"{x:.1f}"


def _persistence(report: Report, data: TrialData, treated: list[PatientData], bor: dict[str, BestResponse]) -> None:
    s = report.section("CAR-NK persistence and response")
    series, by_group = [], defaultdict(list)
    day = data.protocol.selection.persistence_day
    for p in treated:
        pts = sorted((m for m in data.persistence if m.subject_id == p.subject_id and m.study_day is not None),
                     key=lambda m: m.study_day)
        if not pts:
            continue
        series.append(P.PersistenceSeries(p.subject_id, p.arm, p.dose_level, tuple(m.study_day for m in pts),
                                          tuple(m.copies_per_ug for m in pts)))
        responder = "Responders (CR/PR)" if bor[p.subject_id].category in ("CR", "PR") else "Non-responders"
        at_day = [m.copies_per_ug for m in pts if m.study_day == day]
        by_group[responder].append((max(m.copies_per_ug for m in pts), at_day[0] if at_day else None))
    s.figure(P.persistence_curves(series), "CAR transgene copies/µg genomic DNA by construct; bold: median per level.")
    rows = []
    for group in ("Responders (CR/PR)", "Non-responders"):
        vals = by_group.get(group, [])
        peaks = [v[0] for v in vals]
        days = [v[1] for v in vals if v[1] is not None]
        rows.append([group, len(vals), f"{median(peaks):.3g}" if peaks else None,
                     f"{median(days):.3g}" if days else None])
    s.table(Table.of("Persistence by response", ["Group", "Patients with samples", "Median peak (copies/µg DNA)",
                                                 f"Median at day {day} (copies/µg DNA)"], rows))
    lloq = getattr(data.protocol.selection, "detection_limit_copies", 0) or 10.0
    s.figure(P.persistence_by_response({g: [v[0] for v in by_group.get(g, [])]
                                        for g in ("Responders (CR/PR)", "Non-responders")}, lloq=lloq),
             "Peak CAR transgene copies per patient by response group; bar: median.")
    if all(by_group.get(g) for g in ("Responders (CR/PR)", "Non-responders")):
        from scipy.stats import mannwhitneyu

        a = [v[0] for v in by_group["Responders (CR/PR)"]]
        b = [v[0] for v in by_group["Non-responders"]]
        pval = mannwhitneyu(a, b, alternative="two-sided").pvalue
        s.text(f"Peak persistence, responders vs non-responders: Mann–Whitney U two-sided p = {pval:.3g} "
               "(exploratory, not adjusted for dose level).")
