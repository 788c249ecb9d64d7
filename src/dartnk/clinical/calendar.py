"""The dosing and visit calendar of one patient, dated from the first CAR-NK infusion (Day 0).

From the protocol: lymphodepletion (the agents' days, −5 to −3 by default), the infusions with their
± windows, the DLT-window visits, persistence sampling, tumour assessments every
``response.assessment_interval_days`` up to the end of clinical follow-up, the second-cycle window,
clinical follow-up visits to ``follow_up.clinical_months`` and long-term follow-up every
``long_term_interval_months`` to ``long_term_years``. Months are calendar months from Day 0 (a
month-end start maps to the last day of a shorter month). Pure: dates are passed in.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any, Iterable

from dartnk.protocol import Protocol


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months; the day of month is clamped to the target month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


class VisitKind(str, Enum):
    LYMPHODEPLETION = "lymphodepletion"
    INFUSION = "infusion"
    DLT_VISIT = "dlt_visit"
    PERSISTENCE_SAMPLE = "persistence_sample"
    TUMOUR_ASSESSMENT = "tumour_assessment"
    SECOND_CYCLE = "second_cycle"
    FOLLOW_UP = "follow_up"
    END_OF_FOLLOW_UP = "end_of_follow_up"
    LONG_TERM_FOLLOW_UP = "long_term_follow_up"


OPTIONAL_KINDS = frozenset({VisitKind.SECOND_CYCLE})
"""Kinds that are windows of opportunity, not required visits (never overdue)."""


@dataclass(frozen=True)
class Visit:
    """One dated visit: target date and study day, the window it may fall in (inclusive), what it is."""

    name: str
    kind: VisitKind
    study_day: int
    date: date
    window_start: date
    window_end: date
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind.value, "study_day": self.study_day,
                "date": self.date.isoformat(), "window_start": self.window_start.isoformat(),
                "window_end": self.window_end.isoformat(), "detail": self.detail}


def _visit(name: str, kind: VisitKind, start: date, day: int, window: int, detail: str | None = None,
           window_end_day: int | None = None) -> Visit:
    when = start + timedelta(days=day)
    end = start + timedelta(days=window_end_day) if window_end_day is not None else when + timedelta(days=window)
    return Visit(name, kind, day, when, when - timedelta(days=window), end, detail)


def _dated(name: str, kind: VisitKind, start: date, when: date, window: int, detail: str | None = None) -> Visit:
    return Visit(name, kind, (when - start).days, when, when - timedelta(days=window), when + timedelta(days=window), detail)


def _lymphodepletion(p: Protocol, start: date) -> Iterable[Visit]:
    days = sorted({d for a in p.lymphodepletion.agents for d in a.days})
    for d in days:
        agents = ", ".join(f"{a.agent} {a.dose_mg_m2:g} mg/m²" for a in p.lymphodepletion.agents if d in a.days)
        yield _visit(f"Lymphodepletion Day {d}", VisitKind.LYMPHODEPLETION, start, d, 0, agents)


def _infusions(p: Protocol, start: date) -> Iterable[Visit]:
    for i, d in enumerate(p.infusions.days, start=1):
        window = 0 if d == 0 else p.infusions.window_days
        yield _visit(f"Infusion {i} (Day {d})", VisitKind.INFUSION, start, d, window, "CAR-NK infusion")


def _tumour_assessments(p: Protocol, start: date, end_day: int) -> Iterable[Visit]:
    step = p.response.assessment_interval_days
    for n, d in enumerate(range(step, end_day + 1, step), start=1):
        yield _visit(f"Tumour assessment {n} (Day {d})", VisitKind.TUMOUR_ASSESSMENT, start, d,
                     p.response.assessment_window_days, "RECIST 1.1 imaging")


def _follow_up(p: Protocol, start: date, end: date) -> Iterable[Visit]:
    f = p.follow_up
    end_day = (end - start).days
    for d in range(f.clinical_visit_interval_days, end_day, f.clinical_visit_interval_days):
        yield _visit(f"Follow-up Day {d}", VisitKind.FOLLOW_UP, start, d, f.clinical_visit_window_days,
                     "safety, survival and disease status")
    yield _dated(f"End of clinical follow-up (Month {f.clinical_months})", VisitKind.END_OF_FOLLOW_UP, start, end,
                 f.clinical_visit_window_days, "efficacy and late-toxicity follow-up ends")


def _long_term(p: Protocol, start: date) -> Iterable[Visit]:
    f = p.follow_up
    months = f.clinical_months + f.long_term_interval_months
    while months <= 12 * f.long_term_years:
        label = f"Year {months // 12}" if months % 12 == 0 else f"Month {months}"
        yield _dated(f"Long-term follow-up {label}", VisitKind.LONG_TERM_FOLLOW_UP, start, add_months(start, months),
                     f.long_term_window_days, "delayed adverse events of gene-modified cells")
        months += f.long_term_interval_months


def visit_calendar(protocol: Protocol, first_infusion: date) -> list[Visit]:
    """Every dated visit of one patient's first cycle and follow-up, in date order (ties: schedule order)."""
    p, start = protocol, first_infusion
    end = add_months(start, p.follow_up.clinical_months)
    end_day = (end - start).days
    f = p.follow_up
    visits: list[Visit] = [*_lymphodepletion(p, start), *_infusions(p, start)]
    visits += [_visit(f"DLT visit Day {d}", VisitKind.DLT_VISIT, start, d, f.dlt_window_visits.window_days,
                      f"DLT window (Days 0–{p.dlt.window_days - 1})") for d in f.dlt_window_visits.days]
    visits += [_visit(f"Persistence sample Day {d}", VisitKind.PERSISTENCE_SAMPLE, start, d, f.persistence_window_days,
                      "CAR transgene copies (ddPCR)") for d in f.persistence_sampling_days]
    visits += _tumour_assessments(p, start, end_day)
    sc = p.second_cycle
    if sc.allowed:
        visits.append(_visit("Second cycle window", VisitKind.SECOND_CYCLE, start, sc.earliest_day, 0,
                             f"optional: responders ({'/'.join(r.value for r in sc.eligible_responses)}) "
                             f"without prohibitive toxicity, Day 0 of cycle 2 on Days {sc.earliest_day}–{sc.latest_day}",
                             window_end_day=sc.latest_day))
    visits += _follow_up(p, start, end)
    visits += _long_term(p, start)
    order = {id(v): i for i, v in enumerate(visits)}
    return sorted(visits, key=lambda v: (v.date, order[id(v)]))


def overdue_visits(calendar: list[Visit], today: date, done: set[str]) -> list[Visit]:
    """Required visits whose window closed before ``today`` and whose name is not in ``done``."""
    return [v for v in calendar if v.window_end < today and v.name not in done and v.kind not in OPTIONAL_KINDS]
