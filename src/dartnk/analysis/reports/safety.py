"""The safety monitoring committee's report for one arm (and optionally one dose level).

Content follows what the committee signs off before each escalation step: patients treated and
DLT-evaluable, DLTs with their adjudication, adverse events by CTCAE v5.0 term and worst grade,
CRS and ICANS by ASTCT 2019 grade with onset and duration, cytopenias and infections, the engine's
proposed decision with its reason, and a decision and signature block.
"""

from __future__ import annotations

from dartnk.analysis.plots import DltCount, dlt_rates
from dartnk.analysis.report_data import PatientData, TrialData
from dartnk.analysis.reports import tables as T
from dartnk.analysis.reports.document import Report, SignatureLine, Table
from dartnk.errors import InputError

COMMITTEE_ROLES = ("Safety monitoring committee chair", "Committee member (clinician)",
                   "Committee member (statistician)", "Medical monitor")


def check_arm_level(data: TrialData, arm: str, level: str | None) -> None:
    arms = [c.id for c in data.protocol.constructs]
    if arm not in arms:
        raise InputError.field("--arm", arm, "a construct id of the protocol (" + ", ".join(arms) + ")")
    levels = [d.id for d in data.protocol.dose_levels]
    if level is not None and level not in levels:
        raise InputError.field("--level", level, "a dose level id of the protocol (" + ", ".join(levels) + ")")


def meta(data: TrialData, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    p = data.protocol
    return [("Trial", f"{p.trial.id} ({p.trial.registry_id})"), ("Sponsor", p.trial.sponsor),
            ("Data cut-off", data.data_cutoff.isoformat()), *extra]


def safety_report(data: TrialData, arm: str, level: str | None = None) -> Report:
    """The committee's safety report for ``arm`` (a construct id), at ``level`` or across its levels."""
    check_arm_level(data, arm, level)
    construct = data.protocol.construct(arm)
    levels = [level] if level else data.levels(arm)
    patients = [p for p in data.treated(arm) if p.dose_level in levels]
    scope = f"dose level {level}" if level else "all dose levels"
    report = Report(
        title=f"Safety monitoring committee report — arm {arm}",
        subtitle=f"{construct.product} ({'/'.join(construct.targets)} CAR-NK), {scope}",
        meta=meta(data, [("Arm", f"{arm} — {construct.product}"), ("Dose levels", ", ".join(levels) or "none treated"),
                         ("Patients treated", str(len(patients)))]),
        signature_statement="The committee has reviewed the cumulative safety data above and the engine's "
                            "proposed decision. Approve or reject the proposal; a rejection needs a written reason.",
    )
    _summary(report, data, arm, levels, patients)
    _patients(report, data, patients)
    report.section("Dose-limiting toxicities").table(T.dlt_listing(data, patients)).text(
        f"DLT window: study days 0–{data.protocol.dlt.window_days - 1} after the first infusion. Attributions "
        f"eligible for a DLT: {', '.join(a.value for a in data.protocol.dlt.attributions)}.")
    aes = data.of(data.adverse_events, patients)
    n = len(patients)
    ae = report.section("Adverse events by CTCAE term and worst grade")
    ae.table(T.ae_term_table(aes, n, "All adverse events (CTCAE v5.0; CRS and ICANS by ASTCT 2019)"))
    ae.table(T.ae_term_table(aes, n, "Adverse events related to CAR-NK (possible, probable, definite)",
                             related_only=True))
    crs = report.section("Cytokine release syndrome and ICANS")
    crs.table(T.graded_syndrome_table(aes, ("crs", "icans"), n, "CRS and ICANS by worst grade",
                                      "ASTCT 2019 consensus (Lee et al., Biol Blood Marrow Transplant 2019;25:625–638)"))
    crs.table(T.event_listing([e for e in aes if e.category in ("crs", "icans")], "CRS and ICANS events"))
    cyt = report.section("Cytopenias and infections")
    cyt.table(T.graded_syndrome_table(aes, T.CYTOPENIA_CATEGORIES + T.INFECTION_CATEGORIES, n,
                                      "Cytopenias and infections by worst grade", "CTCAE v5.0"))
    cyt.table(T.nadir_table(data, patients))
    cyt.table(T.event_listing([e for e in aes if e.category in T.CYTOPENIA_CATEGORIES + T.INFECTION_CATEGORIES],
                              "Cytopenia and infection events"))
    decisions = _decisions(report, data, arm, level)
    report.signatures = _signatures(decisions)
    return report


def _summary(report: Report, data: TrialData, arm: str, levels: list[str], patients: list[PatientData]) -> None:
    s = report.section("Summary by dose level")
    s.table(T.dlt_level_table(data, arm, levels, f"Patients, DLTs and serious toxicity — arm {arm}"))
    counts = []
    for lv in levels:
        k, n = T.dlt_counts(data, data.treated(arm, lv))
        counts.append(DltCount(arm, lv, k, n))
    thr = data.protocol.expansion.toxicity.threshold
    s.figure(dlt_rates(counts, [d.id for d in data.protocol.dose_levels], threshold=thr,
                       title=f"DLT rate by dose level — arm {arm}"),
             f"DLT rate with exact 95% CI per dose level; dashed line: the protocol's unacceptable rate ({thr:.0%}).")


def _patients(report: Report, data: TrialData, patients: list[PatientData]) -> None:
    rows = []
    for p in patients:
        d = data.dlt_of(p.subject_id)
        followed = (min(p.status_on or data.data_cutoff, data.data_cutoff) - p.day0).days
        rows.append([p.subject_id, p.dose_level, p.cohort, p.day0.isoformat(), T.infusions_of(data, p.subject_id),
                     d.evaluable if d else None, d.status if d else "pending", followed, p.vital_status.value])
    report.section("Patients treated").table(Table.of(
        "Patients treated in this arm", ["Subject", "Dose level", "Cohort", "Day 0 (first infusion)", "Infusions",
                                         "DLT-evaluable", "DLT status", "Days since Day 0", "Vital status"], rows))


def _decisions(report: Report, data: TrialData, arm: str, level: str | None):
    chosen = [d for d in data.decisions if d.arm == arm and (level is None or d.dose_level in (None, level))]
    s = report.section("The engine's proposed decision")
    if not chosen:
        s.text("No decision has been proposed for this arm yet.")
        return []
    rows = [[d.kind, d.dose_level, d.reason, d.status, d.proposed_at] for d in chosen]
    s.table(Table.of("Decisions proposed by the trial engine (latest last)",
                     ["Decision", "Dose level", "Reason", "Status", "Proposed at (UTC)"], rows))
    latest = chosen[-1]
    s.text(f"Proposal under review: {latest.kind} at {latest.dose_level or 'arm level'} — {latest.reason}")
    return chosen


def _signatures(decisions) -> list[SignatureLine]:
    signed = list(decisions[-1].signatures) if decisions else []
    lines = [SignatureLine("Committee member", s.signer, s.meaning, s.signed_at) for s in signed]
    lines += [SignatureLine(role) for role in COMMITTEE_ROLES]
    return lines
