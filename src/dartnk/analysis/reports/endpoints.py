"""Patient-level endpoints derived from the time points: best overall response, PFS and OS.

* Best overall response (BOR): RECIST 1.1 §4.4 and Table 3 (Eisenhauer et al., Eur J Cancer
  2009;45:228–247) with the protocol's confirmation settings, computed by the clinical layer
  (:mod:`dartnk.clinical.recist.best_response`) from the stored time-point responses.
* PFS: time from Day 0 to the first PD or death from any cause; patients without either are censored
  at the last adequate assessment (Day 0 if none). A PD or death after two or more missed scheduled
  assessments is censored at the last adequate assessment (FDA guidance "Clinical Trial Endpoints for
  the Approval of Cancer Drugs and Biologics", 2018, PFS censoring table); a death before the first
  tumour assessment is an event at the date of death (same table).
* OS: time from Day 0 to death from any cause, censored at the last date known alive (at most the
  data cut-off).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from dartnk.analysis.report_data import PatientData, ResponseAssessment, TrialData, VitalStatus

#: How the clinical categories fold into the five columns of a response table (RECIST 1.1 §4.4:
#: non-CR/non-PD is the SD of non-target-only disease; NED, no disease at baseline, is not evaluable for ORR).
TABLE_CATEGORY = {"NON_CR_NON_PD": "SD", "NED": "NE"}


@dataclass(frozen=True)
class BestResponse:
    subject_id: str
    category: str  # CR, PR, SD, PD, NE
    reason: str
    confirmed_on_day: int | None = None


@dataclass(frozen=True)
class TimeToEvent:
    subject_id: str
    days: float
    event: bool
    reason: str


def best_overall_response(subject_id: str, assessments: Sequence[ResponseAssessment], settings) -> BestResponse:
    """RECIST 1.1 BOR of one patient, by :func:`dartnk.clinical.recist.best_overall_response`.

    Post-baseline time points (study day > 0, Day 0 = first infusion, the baseline for SD duration)
    are used; a second record on the same day keeps the first.
    """
    from dartnk.clinical.recist import Timepoint, best_overall_response as clinical_bor
    from dartnk.clinical.recist.timepoint import OverallResponse

    points: list[Timepoint] = []
    for a in sorted((a for a in assessments if not a.is_baseline and a.study_day is not None and a.study_day > 0),
                    key=lambda a: a.study_day):
        if points and points[-1].day == a.study_day:
            continue
        points.append(Timepoint(a.study_day, OverallResponse.parse(a.overall)))
    result = clinical_bor(points, settings, baseline_day=0)
    value = result.best_overall_response.value
    return BestResponse(subject_id, TABLE_CATEGORY.get(value, value), result.reason, result.confirmation_day)


def best_responses(data: TrialData, patients: Sequence[PatientData]) -> dict[str, BestResponse]:
    by: dict[str, list[ResponseAssessment]] = {p.subject_id: [] for p in patients}
    for r in data.responses:
        if r.subject_id in by:
            by[r.subject_id].append(r)
    return {sid: best_overall_response(sid, rs, data.protocol.response) for sid, rs in by.items()}


def _last_known_day(p: PatientData, data: TrialData) -> int:
    last = min(p.status_on or data.data_cutoff, data.data_cutoff)
    return max(0, (last - p.day0).days)


def overall_survival(p: PatientData, data: TrialData) -> TimeToEvent:
    """OS from Day 0; death is the event, otherwise censored at the last date known alive."""
    if p.vital_status == VitalStatus.DEAD and p.status_on is not None and p.status_on <= data.data_cutoff:
        return TimeToEvent(p.subject_id, float((p.status_on - p.day0).days), True, f"died on {p.status_on}")
    day = _last_known_day(p, data)
    return TimeToEvent(p.subject_id, float(day), False, f"censored: last known alive on day {day}")


def progression_free_survival(p: PatientData, data: TrialData) -> TimeToEvent:
    """PFS from Day 0 with the FDA 2018 censoring conventions (see the module docstring)."""
    settings = data.protocol.response
    pts = sorted((a for a in data.responses if a.subject_id == p.subject_id and not a.is_baseline
                  and a.study_day is not None and a.assessed_on <= data.data_cutoff), key=lambda a: a.study_day)
    adequate = [a for a in pts if a.overall != "NE"]
    pd = next((a for a in adequate if a.overall == "PD"), None)
    before = [a for a in adequate if pd is None or a.study_day < pd.study_day]
    last_ok = before[-1].study_day if before else 0
    max_gap = 2 * settings.assessment_interval_days + settings.assessment_window_days
    death_day = None
    if p.vital_status == VitalStatus.DEAD and p.status_on is not None and p.status_on <= data.data_cutoff:
        death_day = (p.status_on - p.day0).days
    event_day, what = (pd.study_day, "progression") if pd else (death_day, "death") if death_day is not None else (None, "")
    if pd is not None and death_day is not None and death_day < pd.study_day:
        event_day, what = death_day, "death"
    if event_day is None:
        return TimeToEvent(p.subject_id, float(last_ok), False, f"censored at last adequate assessment (day {last_ok})")
    death_before_first_scan = what == "death" and not before
    if event_day - last_ok > max_gap and not death_before_first_scan:
        return TimeToEvent(p.subject_id, float(last_ok), False,
                           f"{what} on day {event_day} after ≥ 2 missed assessments: censored at day {last_ok}")
    return TimeToEvent(p.subject_id, float(event_day), True, f"{what} on day {event_day}")
