"""Dose-limiting toxicity adjudication of one patient's adverse events, and DLT evaluability.

The DLT definition is the protocol's data (``dlt:`` and ``evaluability:``, models in
:mod:`dartnk.protocol.dlt`). An adverse event can be a DLT only when

* its attribution is one of ``dlt.attributions``;
* its onset is inside the DLT window: study days ``0 .. window_days − 1`` (Day 0 = first CAR-NK
  infusion). With the default 28-day window that is Days 0–27; **Day 28 is outside**;
* a rule matches: its category (from the CTCAE term, or given), grade ≥ ``min_grade``, term not in
  ``excluded_terms``;
* for a rule with ``lasting_more_than_days = L``: the event stayed at its grade more than L days.
  Durations are whole study days: a resolved event lasted ``resolution_day − onset_day`` days; an
  ongoing event seen on ``observed_through_day`` has lasted at least ``observed_through_day −
  onset_day + 1`` days. Resolved within L days → not a DLT; ongoing and not yet more than L days →
  **pending**; ongoing beyond L days → DLT (met on Day ``onset_day + L``).

Evaluability (``evaluability:``): a patient with a DLT is evaluable; otherwise evaluable when they
received ``required_infusions`` and (if ``observe_full_window``) were observed through the last
window day; not evaluable when the window has been observed without enough infusions; undecided
(None) while the window is still open.
"""

from __future__ import annotations

from enum import Enum
from typing import Optional, Sequence

from pydantic import BaseModel, ConfigDict, Field

from dartnk.clinical.adverse_event import AdverseEvent
from dartnk.errors import DartnkError, InputError, Problem
from dartnk.protocol.dlt import DltRule
from dartnk.protocol.grading import CtcaeSettings


class DltStatus(str, Enum):
    DLT = "dlt"
    NO_DLT = "no_dlt"
    PENDING = "pending"


class EventVerdict(BaseModel):
    """What the DLT definition says about one event."""

    model_config = ConfigDict(frozen=True)

    event_index: int
    term: str
    grade: int
    status: DltStatus
    rule_id: Optional[str] = None
    dlt_day: Optional[int] = Field(default=None, description="study day the event met the DLT rule")
    reason: str


class DltAdjudication(BaseModel):
    """A patient's DLT status, the rule and event that decided it, and evaluability."""

    model_config = ConfigDict(frozen=True)

    status: DltStatus
    rule_id: Optional[str] = None
    event_index: Optional[int] = None
    reason: str
    evaluable: Optional[bool] = None
    evaluability_reason: str = ""
    events: tuple[EventVerdict, ...] = ()


class PatientAdverseEvents(BaseModel):
    """The JSON record of ``dartnk dlt``: one patient's AEs and follow-up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    events: list[AdverseEvent] = Field(default_factory=list)
    infusions_received: int = Field(ge=0, description="CAR-NK infusions received within the DLT window")
    observed_through_day: int = Field(description="last study day on which the patient's status is known")


def window_last_day(protocol) -> int:
    """The last study day inside the DLT window (``window_days − 1``; Day 27 for a 28-day window)."""
    return protocol.dlt.window_days - 1


def in_dlt_window(protocol, day: int) -> bool:
    """Is study ``day`` inside the DLT window (Days 0 .. window_days − 1)?"""
    return 0 <= day <= window_last_day(protocol)


def _rule_matches(rule: DltRule, event: AdverseEvent, grade: int) -> bool:
    excluded = {t.casefold() for t in rule.excluded_terms}
    return (event.ae_category in rule.categories and grade >= rule.min_grade
            and " ".join(event.term.split()).casefold() not in excluded)


def _apply_rule(rule: DltRule, event: AdverseEvent, observed: int) -> tuple[DltStatus, Optional[int], str]:
    limit = rule.lasting_more_than_days
    if limit is None:
        return DltStatus.DLT, event.onset_day, f"{rule.text} (rule {rule.id})"
    if event.resolution_day is not None:
        lasted = event.resolution_day - event.onset_day
        if lasted > limit:
            return DltStatus.DLT, event.onset_day + limit, (
                f"{rule.text} (rule {rule.id}): lasted {lasted} days (Day {event.onset_day}–{event.resolution_day}) "
                f"> {limit}")
        return DltStatus.NO_DLT, None, (f"rule {rule.id} needs more than {limit} days; resolved after {lasted} "
                                        f"(Day {event.onset_day}–{event.resolution_day})")
    at_least = observed - event.onset_day + 1
    if at_least > limit:
        return DltStatus.DLT, event.onset_day + limit, (
            f"{rule.text} (rule {rule.id}): ongoing since Day {event.onset_day}, at least {at_least} days "
            f"by Day {observed} > {limit}")
    return DltStatus.PENDING, None, (f"rule {rule.id} pending: ongoing since Day {event.onset_day}, {at_least} "
                                     f"day(s) by Day {observed}; a DLT if still ongoing on Day "
                                     f"{event.onset_day + limit}")


def _graded(event: AdverseEvent, index: int, settings: CtcaeSettings | None = None) -> int:
    try:
        return event.grading(settings).grade
    except DartnkError as exc:
        def path(field: str) -> str:
            return f"events[{index}].{field}" if field == "term" else f"events[{index}].lab.{field}"
        raise InputError([Problem(path(p.field), p.expected, p.value, p.has_value) for p in exc.problems]) from None


def judge_event(protocol, event: AdverseEvent, index: int, observed_through_day: int) -> EventVerdict:
    """Apply the protocol's DLT definition to one event (lab events graded with the protocol's ``ctcae:`` settings)."""
    grade = _graded(event, index, getattr(protocol, "ctcae", None))
    base = {"event_index": index, "term": event.term, "grade": grade}
    label = f"event {index} ({event.term}, grade {grade}, onset Day {event.onset_day})"
    if grade == 0:
        return EventVerdict(**base, status=DltStatus.NO_DLT, reason=f"{label}: grade 0, not an adverse event")
    if event.attribution not in protocol.dlt.attributions:
        return EventVerdict(**base, status=DltStatus.NO_DLT,
                            reason=f"{label}: attribution {event.attribution.value} is not one of "
                                   f"{', '.join(a.value for a in protocol.dlt.attributions)}")
    if not in_dlt_window(protocol, event.onset_day):
        return EventVerdict(**base, status=DltStatus.NO_DLT,
                            reason=f"{label}: onset outside the DLT window (Days 0–{window_last_day(protocol)})")
    outcomes = [(rule, *_apply_rule(rule, event, observed_through_day))
                for rule in protocol.dlt.rules if _rule_matches(rule, event, grade)]
    dlts = [o for o in outcomes if o[1] is DltStatus.DLT]
    if dlts:
        rule, status, day, why = min(dlts, key=lambda o: o[2])
        return EventVerdict(**base, status=status, rule_id=rule.id, dlt_day=day, reason=f"{label}: DLT: {why}")
    pending = [o for o in outcomes if o[1] is DltStatus.PENDING]
    if pending:
        rule, status, _, why = pending[0]
        return EventVerdict(**base, status=status, rule_id=rule.id, reason=f"{label}: {why}")
    excluded = [r.id for r in protocol.dlt.rules if event.ae_category in r.categories and grade >= r.min_grade
                and not _rule_matches(r, event, grade)]
    why = "; ".join(o[3] for o in outcomes) or (
        f"term {event.term!r} is excluded from rule {', '.join(excluded)}" if excluded else
        f"no DLT rule covers category {event.ae_category.value} at grade {grade}")
    return EventVerdict(**base, status=DltStatus.NO_DLT, reason=f"{label}: {why}")


def _evaluability(protocol, status: DltStatus, infusions: int, observed: int) -> tuple[Optional[bool], str]:
    ev = protocol.evaluability
    last = window_last_day(protocol)
    if status is DltStatus.DLT:
        return True, "evaluable: a DLT occurred"
    enough = infusions >= ev.required_infusions
    complete = observed >= last
    infusions_words = f"{infusions} of {ev.required_infusions} required infusions"
    if enough and (complete or not ev.observe_full_window):
        window = f"observed through Day {observed} (window Days 0–{last})" if ev.observe_full_window else \
            "full-window observation not required"
        return True, f"evaluable: {infusions_words}; {window}"
    if complete and not enough:
        return False, f"not evaluable: {infusions_words} received in the DLT window without a DLT"
    return None, f"not yet decided: {infusions_words}; observed through Day {observed} of Days 0–{last}"


def adjudicate(protocol, events: Sequence[AdverseEvent], *, infusions_received: int,
               observed_through_day: int) -> DltAdjudication:
    """Adjudicate a patient's adverse events against the protocol's DLT definition.

    Lab events (``lab`` inputs) are graded by CTCAE v5.0 with the protocol's ``ctcae:`` settings.

    Returns ``dlt`` with the rule and event that met it first (earliest DLT day, then list order),
    else ``pending`` when an ongoing event may still become a DLT, else ``no_dlt``; and evaluability.
    """
    if infusions_received < 0:
        raise InputError.field("infusions_received", infusions_received, "a count ≥ 0")
    for i, e in enumerate(events):
        if e.onset_day > observed_through_day:
            raise InputError.field(f"events[{i}].onset_day", e.onset_day,
                                   f"a day ≤ observed_through_day ({observed_through_day})")
        if e.resolution_day is not None and e.resolution_day > observed_through_day:
            raise InputError.field(f"events[{i}].resolution_day", e.resolution_day,
                                   f"a day ≤ observed_through_day ({observed_through_day})")
    verdicts = tuple(judge_event(protocol, e, i, observed_through_day) for i, e in enumerate(events))
    dlts = [v for v in verdicts if v.status is DltStatus.DLT]
    pending = [v for v in verdicts if v.status is DltStatus.PENDING]
    if dlts:
        first = min(dlts, key=lambda v: (v.dlt_day, v.event_index))
        status, decided, reason = DltStatus.DLT, first, first.reason
    elif pending:
        first = pending[0]
        status, decided, reason = DltStatus.PENDING, first, first.reason
    else:
        status, decided = DltStatus.NO_DLT, None
        reason = ("no DLT: " + "; ".join(v.reason for v in verdicts)) if verdicts else "no DLT: no adverse events"
        if observed_through_day < window_last_day(protocol):
            reason += f" (DLT window still open: observed through Day {observed_through_day} of 0–{window_last_day(protocol)})"
    evaluable, why = _evaluability(protocol, status, infusions_received, observed_through_day)
    return DltAdjudication(status=status, rule_id=decided.rule_id if decided else None,
                           event_index=decided.event_index if decided else None, reason=reason,
                           evaluable=evaluable, evaluability_reason=why, events=verdicts)
