"""The dated dosing and visit calendar, from the protocol and the first-infusion date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from dartnk.clinical.calendar import VisitKind, add_months, overdue_visits, visit_calendar
from dartnk.protocol import default_protocol

DAY0 = date(2026, 12, 1)


@pytest.fixture(scope="module")
def cal():
    return visit_calendar(default_protocol(), DAY0)


def of(cal, kind):
    return [v for v in cal if v.kind is kind]


def test_add_months_clamps_month_end():
    assert add_months(date(2026, 8, 31), -6) == date(2026, 2, 28)
    assert add_months(date(2027, 8, 31), -6) == date(2027, 2, 28)
    assert add_months(date(2028, 8, 31), -6) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
    assert add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)


def test_lymphodepletion_days_minus_5_to_minus_3(cal):
    ld = of(cal, VisitKind.LYMPHODEPLETION)
    assert [v.study_day for v in ld] == [-5, -4, -3]
    assert ld[0].date == date(2026, 11, 26) and ld[0].window_start == ld[0].window_end == ld[0].date
    assert "fludarabine 30 mg/m²" in ld[0].detail and "cyclophosphamide 300 mg/m²" in ld[0].detail


def test_infusions_with_windows(cal):
    inf = of(cal, VisitKind.INFUSION)
    assert [v.study_day for v in inf] == [0, 7, 14]
    assert inf[0].window_start == inf[0].window_end == DAY0          # Day 0 defines the calendar
    assert (inf[1].window_start, inf[1].window_end) == (date(2026, 12, 7), date(2026, 12, 9))   # ± 1 day
    assert inf[2].date == date(2026, 12, 15)


def test_dlt_visits_and_persistence(cal):
    p = default_protocol()
    assert [v.study_day for v in of(cal, VisitKind.DLT_VISIT)] == list(p.follow_up.dlt_window_visits.days)
    assert [v.study_day for v in of(cal, VisitKind.PERSISTENCE_SAMPLE)] == list(p.follow_up.persistence_sampling_days)


def test_tumour_assessments_every_6_weeks_to_24_months(cal):
    scans = of(cal, VisitKind.TUMOUR_ASSESSMENT)
    days = [v.study_day for v in scans]
    end = (add_months(DAY0, 24) - DAY0).days                          # 731 days (2028 is a leap year)
    assert days == list(range(42, end + 1, 42)) and days[-1] == 714
    assert scans[0].window_start == DAY0 + timedelta(days=35) and scans[0].window_end == DAY0 + timedelta(days=49)


def test_second_cycle_window(cal):
    (sc,) = of(cal, VisitKind.SECOND_CYCLE)
    assert (sc.window_start, sc.window_end) == (DAY0 + timedelta(days=42), DAY0 + timedelta(days=180))


def test_follow_up_and_long_term(cal):
    (end,) = of(cal, VisitKind.END_OF_FOLLOW_UP)
    assert end.date == date(2028, 12, 1) and end.study_day == 731
    fu = of(cal, VisitKind.FOLLOW_UP)
    assert [v.study_day for v in fu] == list(range(90, 731, 90))
    ltfu = of(cal, VisitKind.LONG_TERM_FOLLOW_UP)
    assert [v.date for v in ltfu] == [date(2026 + y, 12, 1) for y in range(3, 16)]   # years 3..15
    assert ltfu[-1].name == "Long-term follow-up Year 15"
    assert ltfu[0].window_start == date(2029, 11, 1) and ltfu[0].window_end == date(2029, 12, 31)   # ± 30 days


def test_shape_and_order(cal):
    names = [v.name for v in cal]
    assert len(names) == len(set(names))
    assert [v.date for v in cal] == sorted(v.date for v in cal)
    assert set(cal[0].to_json()) >= {"name", "kind", "study_day", "date", "window_start", "window_end"}
    for v in cal:
        assert v.window_start <= v.date <= v.window_end
        assert (v.date - DAY0).days == v.study_day


def test_protocol_drives_the_schedule():
    p = default_protocol()
    p2 = p.model_copy(update={"response": p.response.model_copy(update={"assessment_interval_days": 56}),
                              "follow_up": p.follow_up.model_copy(update={"long_term_years": 5})})
    cal = visit_calendar(p2, DAY0)
    assert [v.study_day for v in of(cal, VisitKind.TUMOUR_ASSESSMENT)][:2] == [56, 112]
    assert len(of(cal, VisitKind.LONG_TERM_FOLLOW_UP)) == 3


def test_leap_day_start():
    cal = visit_calendar(default_protocol(), date(2028, 2, 29))
    (end,) = of(cal, VisitKind.END_OF_FOLLOW_UP)
    assert end.date == date(2030, 2, 28)


def test_overdue(cal):
    today = date(2026, 12, 10)
    overdue = overdue_visits(cal, today, {"Infusion 1 (Day 0)", "DLT visit Day 1"})
    names = [v.name for v in overdue]
    assert "Infusion 1 (Day 0)" not in names and "DLT visit Day 1" not in names
    assert "DLT visit Day 2" in names and "Lymphodepletion Day -5" in names
    assert "Infusion 2 (Day 7)" in names            # window closed on 9 December
    assert "DLT visit Day 10" not in names           # not yet due
    # on the last day of a window a visit is not overdue yet
    assert "Infusion 2 (Day 7)" not in [v.name for v in overdue_visits(cal, date(2026, 12, 9), set())]
    late = overdue_visits(cal, date(2045, 1, 1), set())
    assert all(v.kind is not VisitKind.SECOND_CYCLE for v in late) and len(late) == len(cal) - 1


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_any_start_date(day0):
    cal = visit_calendar(default_protocol(), day0)
    assert all((v.date - day0).days == v.study_day and v.window_start <= v.date <= v.window_end for v in cal)
