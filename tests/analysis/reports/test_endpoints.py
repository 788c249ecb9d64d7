"""RECIST 1.1 best overall response with confirmation, PFS/OS censoring (the report's derivations)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dartnk.analysis.report_data import PatientData, ResponseAssessment, TrialData, VitalStatus
from dartnk.analysis.reports.endpoints import best_overall_response, overall_survival, progression_free_survival

D0 = date(2026, 5, 1)


def tp(*seq):
    return [ResponseAssessment("X", D0 + timedelta(days=d), d, o) for d, o in seq]


@pytest.mark.parametrize("seq, expected", [
    # RECIST 1.1 Table 3 (Eisenhauer 2009 §4.4): first / subsequent time point → BOR.
    (((42, "CR"), (84, "CR")), "CR"),
    (((42, "PR"), (84, "CR")), "PR"),
    (((42, "PR"), (84, "PR")), "PR"),
    (((42, "PR"), (84, "SD")), "SD"),
    (((42, "PR"), (84, "PD")), "SD"),          # SD duration met at day 42
    (((42, "PR"), (84, "NE")), "SD"),
    (((42, "NE"), (84, "NE")), "NE"),
    (((42, "PD"),), "PD"),
    (((35, "SD"), (70, "PD")), "PD"),          # SD seen only before day 42 (min_sd_days) → PD
    (((35, "SD"), (77, "SD")), "SD"),
    (((42, "PR"), (70, "PR")), "PR"),          # exactly 28 days later: confirmation boundary inclusive
    (((42, "PR"), (69, "PR")), "SD"),          # 27 days: not confirmed, but SD at ≥ 42
    (((42, "PR"), (63, "NE"), (84, "PR")), "PR"),   # NE in between does not break confirmation
    (((42, "PR"), (63, "SD"), (84, "PR")), "SD"),   # intervening SD breaks it (protocol default)
    (((42, "PD"), (84, "PR")), "PD"),          # time points after PD are ignored
    (((41, "SD"),), "NE"),                     # 41 < 42 days, no PD
    ((), "NE"),
])
def test_best_overall_response_table(protocol, seq, expected):
    assert best_overall_response("X", tp(*seq), protocol.response).category == expected


def test_sd_boundary_exactly_min_days(protocol):
    m = protocol.response.min_sd_days
    assert best_overall_response("X", tp((m, "SD")), protocol.response).category == "SD"
    assert best_overall_response("X", tp((m - 1, "SD")), protocol.response).category == "NE"


def _trial(protocol, responses, vital=VitalStatus.ALIVE, status_day=None):
    p = PatientData("X", "S1", "F", 1960, D0, day0=D0, arm="DLL3-CD56", dose_level="DL1", vital_status=vital,
                    status_on=None if status_day is None else D0 + timedelta(days=status_day))
    return p, TrialData(protocol, D0 + timedelta(days=700), (p,), responses=tuple(responses))


def test_pfs_progression_event(protocol):
    p, t = _trial(protocol, tp((42, "SD"), (84, "PD")))
    r = progression_free_survival(p, t)
    assert (r.days, r.event) == (84.0, True)


def test_pfs_censored_at_last_adequate_assessment(protocol):
    p, t = _trial(protocol, tp((42, "SD"), (84, "SD"), (126, "NE")), status_day=300)
    r = progression_free_survival(p, t)
    assert (r.days, r.event) == (84.0, False)


def test_pfs_death_after_two_missed_assessments_is_censored(protocol):
    # Last scan day 42; death at day 42 + 2*42 + 7 + 1 = 134 (> two missed visits) → censored at 42.
    p, t = _trial(protocol, tp((42, "SD")), VitalStatus.DEAD, 134)
    r = progression_free_survival(p, t)
    assert (r.days, r.event) == (42.0, False)
    p, t = _trial(protocol, tp((42, "SD")), VitalStatus.DEAD, 133)  # boundary: exactly the allowed gap
    assert progression_free_survival(p, t).event is True


def test_pfs_death_before_first_assessment_is_an_event(protocol):
    p, t = _trial(protocol, [], VitalStatus.DEAD, 30)
    r = progression_free_survival(p, t)
    assert (r.days, r.event) == (30.0, True)


def test_os(protocol):
    p, t = _trial(protocol, [], VitalStatus.DEAD, 250)
    assert (overall_survival(p, t).days, overall_survival(p, t).event) == (250.0, True)
    p, t = _trial(protocol, [], VitalStatus.ALIVE, 400)
    assert (overall_survival(p, t).days, overall_survival(p, t).event) == (400.0, False)
