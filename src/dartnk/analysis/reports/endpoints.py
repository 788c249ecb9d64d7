"""Patient-level endpoints derived from the time points: best overall response, PFS and OS.

* Best overall response (BOR) follows RECIST 1.1 §4.4 and Table 3 (Eisenhauer et al., Eur J Cancer
  2009;45:228–247) with confirmation when the protocol requires it: a CR needs a later CR, a PR a
  later PR or CR, at least ``confirmation_min_days`` after (inclusive), with only NE time points in
  between (unless the protocol allows an intervening SD); otherwise an SD, non-CR/non-PD or
  unconfirmed CR/PR seen at study day ≥ ``min_sd_days`` gives SD; a PD before that gives PD; else NE.
  Time points after the first PD are ignored.
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

RESPONSE_RANK = {"CR": 0, "PR": 1, "SD": 2, "NON-CR/NON-PD": 2, "PD": 3, "NE": 4}
STABLE_LIKE = ("SD", "NON-CR/NON-PD")


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


def _timepoints(assessments: Sequence[ResponseAssessment]) -> list[ResponseAssessment]:
    pts = sorted((a for a in assessments if not a.is_baseline and a.study_day is not None),
                 key=lambda a: a.study_day)
    out = []
    for a in pts:
        out.append(a)
        if a.overall == "PD":
            break
    return out


def best_overall_response(subject_id: str, assessments: Sequence[ResponseAssessment], settings) -> BestResponse:
    """RECIST 1.1 BOR of one patient from their time-point responses (``settings``: RecistSettings)."""
    pts = _timepoints(assessments)
    if settings.confirmation_required:
        for want, ok_next in (("CR", ("CR",)), ("PR", ("PR", "CR"))):
            for i, first in enumerate(pts):
                if first.overall not in (("CR",) if want == "CR" else ("PR", "CR")):
                    continue
                for later in pts[i + 1:]:
                    gap = later.study_day - first.study_day
                    if later.overall in ok_next and gap >= settings.confirmation_min_days:
                        return BestResponse(subject_id, want, f"{first.overall} on day {first.study_day} confirmed by "
                                            f"{later.overall} on day {later.study_day} ({gap} days later)",
                                            later.study_day)
                    if later.overall == "NE" or (later.overall in ok_next and gap < settings.confirmation_min_days):
                        continue
                    if later.overall in STABLE_LIKE and settings.confirmation_allows_intervening_sd:
                        continue
                    break
    else:
        best = min(pts, key=lambda a: RESPONSE_RANK.get(a.overall, 9), default=None)
        if best is not None and best.overall in ("CR", "PR"):
            return BestResponse(subject_id, best.overall, f"{best.overall} on day {best.study_day} (no confirmation required)")
    stable = [a for a in pts if a.overall in STABLE_LIKE + ("CR", "PR") and a.study_day >= settings.min_sd_days]
    if stable:
        a = stable[0]
        return BestResponse(subject_id, "SD", f"{a.overall} on day {a.study_day} ≥ {settings.min_sd_days} days "
                            "(no confirmed response)")
    pd = [a for a in pts if a.overall == "PD"]
    if pd:
        return BestResponse(subject_id, "PD", f"PD on day {pd[0].study_day} before SD could be established")
    if pts:
        return BestResponse(subject_id, "NE", f"no time point at day ≥ {settings.min_sd_days} qualifies for SD "
                            "and no PD")
    return BestResponse(subject_id, "NE", "no post-baseline assessment")


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
