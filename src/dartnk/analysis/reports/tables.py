"""Tables shared by the reports: DLTs per level, AEs by term and worst grade, CRS/ICANS, cytopenias.

Patient counts use the worst grade per patient and term (CTCAE v5.0 convention for AE incidence
tables: a patient is counted once per term, at the highest grade recorded). Percentages are of
the patients treated (at least one CAR-NK infusion).
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Sequence

from dartnk.analysis.report_data import AdverseEventData, PatientData, TrialData
from dartnk.analysis.reports.document import Table, pct

CYTOPENIA_CATEGORIES = ("neutropenia", "febrile_neutropenia", "thrombocytopenia", "anemia", "other_hematologic")
INFECTION_CATEGORIES = ("infection",)
GRADES = (1, 2, 3, 4, 5)


def rate_ci(k: int, n: int) -> str:
    """``k/n = p (exact 95% CI lo–hi)`` with the Clopper–Pearson interval; ``—`` when n = 0."""
    from dartnk.analysis.binomial import binomial_interval

    if n == 0:
        return "—"
    ci = binomial_interval(k, n)
    return f"{k}/{n} = {ci.estimate:.1%} ({ci.lower:.1%}–{ci.upper:.1%})"


def dlt_counts(data: TrialData, patients: Sequence[PatientData]) -> tuple[int, int]:
    """(DLTs, DLT-evaluable patients) among ``patients``, from the adjudications."""
    evaluable = dlts = 0
    for p in patients:
        d = data.dlt_of(p.subject_id)
        if d is not None and d.evaluable:
            evaluable += 1
            dlts += int(d.is_dlt)
    return dlts, evaluable


def infusions_of(data: TrialData, subject_id: str) -> int:
    return sum(1 for e in data.exposures if e.subject_id == subject_id and e.kind.value == "infusion")


def dlt_level_table(data: TrialData, arm: str | None, levels: Sequence[str], caption: str) -> Table:
    rows = []
    arms = [arm] if arm else data.arms()
    for a in arms:
        for lv in levels:
            pts = data.treated(a, lv)
            if not pts:
                continue
            k, n = dlt_counts(data, pts)
            aes = data.of(data.adverse_events, pts)
            g3 = len({e.subject_id for e in aes if e.grade >= 3})
            sae = len({e.subject_id for e in aes if e.serious})
            rows.append([a, lv, len(pts), n, k, rate_ci(k, n), pct(g3, len(pts)), pct(sae, len(pts))])
    return Table.of(caption, ["Arm", "Dose level", "Treated", "DLT-evaluable", "DLTs", "DLT rate (exact 95% CI)",
                              "Grade ≥ 3 AE, n (%)", "Serious AE, n (%)"], rows,
                    note="DLT rate among DLT-evaluable patients; Clopper–Pearson exact 95% confidence interval.")


def dlt_listing(data: TrialData, patients: Sequence[PatientData]) -> Table:
    rules = {r.id: r.text for r in data.protocol.dlt.rules}
    rows = []
    for p in patients:
        d = data.dlt_of(p.subject_id)
        if d is None or not d.is_dlt:
            continue
        events = [e for e in data.of(data.adverse_events, [p]) if e.is_dlt] or [None]
        for e in events:
            rows.append([p.subject_id, p.dose_level, e.term if e else None, e.grade if e else None,
                         e.onset_day if e else None, d.rule_id, rules.get(d.rule_id or "", ""), d.reason,
                         d.confirmed_by or "not yet confirmed"])
    return Table.of("Dose-limiting toxicities and their adjudication",
                    ["Subject", "Dose level", "AE term", "Grade", "Onset (study day)", "DLT rule", "Rule text",
                     "Adjudication reason", "Confirmed by"], rows)


def worst_grades(aes: Sequence[AdverseEventData]) -> dict[str, dict[str, int]]:
    """term → subject → worst grade."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for e in aes:
        out[e.term][e.subject_id] = max(e.grade, out[e.term].get(e.subject_id, 0))
    return out


def ae_term_table(aes: Sequence[AdverseEventData], n_treated: int, caption: str, related_only: bool = False) -> Table:
    """Patients by CTCAE term and worst grade, sorted by frequency (any grade) then term."""
    chosen = [e for e in aes if e.related] if related_only else list(aes)
    wg = worst_grades(chosen)
    rows = []
    for term, by_subject in sorted(wg.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        counts = [sum(1 for g in by_subject.values() if g == grade) for grade in GRADES]
        ge3 = sum(1 for g in by_subject.values() if g >= 3)
        rows.append([term, pct(len(by_subject), n_treated), *counts, pct(ge3, n_treated)])
    return Table.of(caption, ["CTCAE term", "Any grade, n (%)", "Grade 1", "Grade 2", "Grade 3", "Grade 4", "Grade 5",
                              "Grade ≥ 3, n (%)"], rows,
                    note=f"Patients counted once per term at their worst grade; percentages of {n_treated} treated.")


def _summary(values: list[int]) -> str:
    if not values:
        return "—"
    return f"{median(values):g} ({min(values)}–{max(values)})"


def graded_syndrome_table(aes: Sequence[AdverseEventData], categories: Sequence[str], n_treated: int,
                          caption: str, standard: str) -> Table:
    """Per category: patients by worst grade, onset day and duration (median, range)."""
    rows = []
    for cat in categories:
        events = [e for e in aes if e.category == cat]
        worst: dict[str, int] = {}
        for e in events:
            worst[e.subject_id] = max(worst.get(e.subject_id, 0), e.grade)
        counts = [sum(1 for g in worst.values() if g == grade) for grade in GRADES]
        onset = [e.onset_day for e in events if e.onset_day is not None]
        duration = [e.duration_days for e in events if e.duration_days is not None]
        unresolved = sum(1 for e in events if e.resolved_on is None)
        rows.append([cat.replace("_", " "), pct(len(worst), n_treated), *counts, _summary(onset), _summary(duration),
                     unresolved])
    return Table.of(caption, ["Category", "Patients, n (%)", "Grade 1", "Grade 2", "Grade 3", "Grade 4", "Grade 5",
                              "Onset day, median (range)", "Duration days, median (range)", "Unresolved events"], rows,
                    note=f"Grades: {standard}. Duration: days from onset to resolution (the first day no longer "
                         "at that grade); unresolved events excluded.")


def event_listing(aes: Sequence[AdverseEventData], caption: str) -> Table:
    rows = [[e.subject_id, e.term, e.grade, e.onset_on.isoformat(), e.onset_day,
             e.resolved_on.isoformat() if e.resolved_on else "ongoing", e.duration_days, e.attribution,
             e.serious, "DLT" if e.is_dlt else ""]
            for e in sorted(aes, key=lambda e: (e.subject_id, e.onset_on, e.term))]
    return Table.of(caption, ["Subject", "Term", "Grade", "Onset date", "Onset day", "Resolved", "Duration (days)",
                              "Attribution", "Serious", "DLT"], rows)


NADIR_TESTS = (("anc", "neutrophils"), ("platelets",))


def nadir_table(data: TrialData, patients: Sequence[PatientData]) -> Table:
    """Per patient: the lowest ANC and platelet count within the DLT window, its day and CTCAE grade."""
    from dartnk.analysis.report_data import lab_grade

    window = data.protocol.dlt.window_days
    rows = []
    for p in patients:
        row = [p.subject_id, p.dose_level]
        for names in NADIR_TESTS:
            labs = [x for x in data.labs if x.subject_id == p.subject_id and x.test.lower() in names
                    and x.study_day is not None and 0 <= x.study_day < window]
            if not labs:
                row += [None, None, None]
                continue
            low = min(labs, key=lambda x: (x.value, x.study_day))
            grade = low.grade if low.grade is not None else lab_grade(low.test, low.value, low.unit)
            row += [f"{low.value:g} {low.unit}", low.study_day, "0–1" if grade is None else grade]
        rows.append(row)
    return Table.of(f"Blood count nadirs in the DLT window (days 0–{window - 1})",
                    ["Subject", "Dose level", "ANC nadir", "Day", "CTCAE grade", "Platelet nadir", "Day", "CTCAE grade"],
                    rows, note="CTCAE v5.0 grades of the lowest value; 0–1: above the grade 2 limit (no LLN stored).")
