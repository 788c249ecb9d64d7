"""Enrolment bookkeeping shared by the transition's handlers: enrol, waitlist, replacement."""

from __future__ import annotations

from dataclasses import replace

from dartnk.trial.assignment import assign, open_slots, remaining_capacity
from dartnk.trial.decisions import Assignment, Decision, DecisionKind as K
from dartnk.trial.state import PatientState, Phase, Stage, TrialState


def put_patient(state: TrialState, p: PatientState) -> TrialState:
    patients = dict(state.patients)
    patients[p.patient_id] = p
    return replace(state, patients=patients)


def put_arm(state: TrialState, arm) -> TrialState:
    return replace(state, arms=tuple(arm if a.construct == arm.construct else a for a in state.arms))


def expire_waitlist(protocol, state: TrialState, day: int, out: list[Decision]) -> TrialState:
    day = max(day, state.day)  # a late-entered event does not move the calendar back
    limit = protocol.assignment.max_wait_days
    keep, lost = [], 0
    for w in state.waitlist:
        if day - w.since_day > limit:
            lost += 1
            out.append(Decision(K.LOST_TO_WAIT, day, f"waited more than {limit} days since day {w.since_day} "
                                "(assignment.max_wait_days): lost to the trial", patient_id=w.patient_id))
        else:
            keep.append(w)
    if lost:
        state = replace(state, waitlist=tuple(keep), lost_to_wait=state.lost_to_wait + lost)
    return replace(state, day=day)


def enrol(protocol, state: TrialState, a: Assignment, day: int, out: list[Decision]) -> TrialState:
    """Add an assigned patient to the arm's cohort (or the expansion)."""
    if state.phase == Phase.EXPANSION:
        ex = state.expansion
        p = PatientState(a.patient_id, a.construct, ex.level, Stage.EXPANSION, 0, day)
        state = replace(state, expansion=replace(ex, patient_ids=ex.patient_ids + (a.patient_id,)))
    else:
        arm = state.arm(a.construct)
        c = arm.cohort
        p = PatientState(a.patient_id, a.construct, c.level, Stage.ESCALATION, c.number, day)
        state = put_arm(state, replace(arm, cohort=replace(c, patient_ids=c.patient_ids + (a.patient_id,))))
    state = put_patient(state, p)
    state = replace(state, last_assigned=a.construct)
    out.append(Decision(K.ASSIGN, day, a.reason, construct=a.construct, level=a.level, patient_id=a.patient_id))
    if state.phase == Phase.ESCALATION:
        arm = state.arm(a.construct)
        if open_slots(state)[a.construct] == 0 and arm.open_since is not None:
            state = put_arm(state, replace(arm, open_since=None))
    if remaining_capacity(protocol, state) == 0:
        out.append(Decision(K.CAP_REACHED, day, f"{protocol.trial.max_participants} participants committed "
                            "(trial.max_participants): no further enrolment"))
    return state


def fill_from_waitlist(protocol, state: TrialState, day: int, out: list[Decision]) -> TrialState:
    """Assign waitlisted patients, longest waiting first, to slots that are open now."""
    for w in sorted(state.waitlist, key=lambda w: w.since_day):
        if not any(open_slots(state, protocol).values()):
            break
        res = assign(protocol, state, w.patient_id, w.constructs, day)
        if isinstance(res, Assignment):
            state = replace(state, waitlist=tuple(x for x in state.waitlist if x.patient_id != w.patient_id))
            state = enrol(protocol, state, replace(res, reason=res.reason + f" (from the waitlist, since day {w.since_day})"),
                          day, out)
    return state


def mark_replaced(protocol, state: TrialState, p: PatientState, day: int, why: str, out: list[Decision]) -> TrialState:
    """The patient no longer fills a slot: it reopens (unless the arm has moved on)."""
    state = put_patient(state, replace(p, replaced=True))
    out.append(Decision(K.REPLACE, day, why, construct=p.construct, level=protocol.dose_levels[p.level].id,
                        patient_id=p.patient_id))
    if p.stage == Stage.ESCALATION:
        arm = state.arm(p.construct)
        if arm.cohort is not None and arm.cohort.number == p.cohort and arm.open_since is None:
            state = put_arm(state, replace(arm, open_since=day))
    return fill_from_waitlist(protocol, state, day, out)
