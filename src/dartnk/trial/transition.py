"""The transition: ``apply(protocol, state, event) -> (new_state, decisions)`` — "what happens next".

Pure: no clock, no randomness, no I/O; the same protocol, state and event give the same answer.
An event the state does not allow (dosing a patient before the sentinel's observation is over,
an unknown patient, a committee decision on nothing pending) raises
:class:`dartnk.errors.ConflictError` naming the field, the value and what was expected.
"""

from __future__ import annotations

from dataclasses import replace

from dartnk.errors import ConflictError, NotFoundError
from dartnk.trial import events as ev
from dartnk.trial.assignment import assign, earliest_day0
from dartnk.trial.decisions import Assignment, Decision, DecisionKind as K, Refusal, Waitlisted
from dartnk.trial.enrolment import enrol, expire_waitlist, fill_from_waitlist, mark_replaced, put_patient
from dartnk.trial.escalation_flow import after_escalation_approved, on_escalation_resolved, settle
from dartnk.trial.expansion_flow import check_expansion_done, on_expansion_resolved, on_response, open_expansion
from dartnk.trial.state import PatientState, Phase, Stage, TrialState, WaitlistEntry


def apply(protocol, state: TrialState, event) -> tuple[TrialState, list[Decision]]:
    """Apply one event; return the new state and the decisions it triggers (in order)."""
    out: list[Decision] = []
    state = expire_waitlist(protocol, state, event.day, out)
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise ConflictError.field("event", type(event).__name__, "a dartnk.trial.events event")
    state = handler(protocol, state, event, out)
    state = settle(protocol, state, event.day, out)
    return state, out


def pending_decisions(state: TrialState) -> tuple[Decision, ...]:
    """Proposals awaiting the committee's sign-off."""
    return state.pending


# -- helpers --------------------------------------------------------------------------------------
def _patient(state: TrialState, pid: str) -> PatientState:
    p = state.patients.get(pid)
    if p is None:
        raise NotFoundError.field("patient_id", pid, "a patient enrolled in the trial")
    return p


# -- handlers -------------------------------------------------------------------------------------
def _tick(protocol, state, e, out):
    return state


def _arrived(protocol, state: TrialState, e: ev.PatientArrived, out):
    return replace(state, arrived=state.arrived + 1)


def _screened(protocol, state: TrialState, e: ev.PatientScreened, out):
    if e.patient_id in state.patients or any(w.patient_id == e.patient_id for w in state.waitlist):
        raise ConflictError.field("patient_id", e.patient_id, "a patient not screened before")
    state = replace(state, screened=state.screened + 1)
    if not e.eligible:
        out.append(Decision(K.REFUSE, e.day, f"not eligible: {e.reason or 'screen failure'}", patient_id=e.patient_id))
        return replace(state, screen_failures=state.screen_failures + 1)
    known = {c.id for c in protocol.constructs}
    for c in e.qualifying_constructs:
        if c not in known:
            raise ConflictError.field("qualifying_constructs", c, f"a construct id ({', '.join(sorted(known))})")
    res = assign(protocol, state, e.patient_id, tuple(e.qualifying_constructs), e.day)
    if isinstance(res, Assignment):
        return enrol(protocol, state, res, e.day, out)
    if isinstance(res, Waitlisted):
        out.append(Decision(K.WAITLIST, e.day, res.reason, patient_id=e.patient_id))
        return replace(state, waitlist=state.waitlist + (WaitlistEntry(e.patient_id, e.day, res.constructs),))
    assert isinstance(res, Refusal)
    out.append(Decision(K.REFUSE, e.day, res.reason, patient_id=e.patient_id))
    return replace(state, refused=state.refused + 1)


def _manufactured(protocol, state, e: ev.ProductManufactured, out):
    p = _patient(state, e.patient_id)
    if p.product is not None:
        raise ConflictError.field("patient_id", e.patient_id, "a patient whose product outcome is not yet recorded")
    p = replace(p, product=e.outcome, product_day=e.day)
    state = put_patient(state, p)
    if e.outcome == ev.ManufacturingOutcome.FAILED and not p.treated and not p.replaced:
        state = mark_replaced(protocol, state, p, e.day, "product failed manufacturing or release testing: "
                              "the patient cannot be dosed and is replaced", out)
        state = after_patient_change(protocol, state, state.patients[p.patient_id], e.day, out)
    return state


def _infused(protocol, state, e: ev.Infused, out):
    p = _patient(state, e.patient_id)
    if p.replaced and not p.treated or p.off_study_day is not None:
        raise ConflictError.field("patient_id", e.patient_id, "a patient on study and not replaced")
    if p.product is not None and p.product == ev.ManufacturingOutcome.FAILED:
        raise ConflictError.field("patient_id", e.patient_id, "a patient with a released product")
    if p.day0 is None:
        gate = earliest_day0(protocol, state, p.patient_id)
        if e.day < gate:
            raise ConflictError.field("day", e.day, f"≥ {gate}: the cohort's sentinel is observed "
                                      f"{protocol.escalation.stagger.sentinel_days} days (escalation.stagger.sentinel_days)")
        first_in_cohort = p.stage == Stage.ESCALATION and _first_dosed_in_cohort(state, p)
        p = replace(p, day0=e.day, infusions=1, sentinel=first_in_cohort and state.arm(p.construct).cohort.staggered)
        state = put_patient(state, p)
        if p.sentinel:
            gate = e.day + protocol.escalation.stagger.sentinel_days
            cohort = state.arm(p.construct).cohort
            for q in cohort.patient_ids:
                other = state.patients[q]
                if q != p.patient_id and not other.replaced and other.day0 is None:
                    out.append(Decision(K.DOSE_FROM, e.day, f"sentinel {p.patient_id} dosed on day {e.day}: others of the "
                                        f"cohort from day {gate}", patient_id=q, construct=p.construct))
        return state
    return put_patient(state, replace(p, infusions=p.infusions + 1))


def _first_dosed_in_cohort(state: TrialState, p: PatientState) -> bool:
    cohort = state.arm(p.construct).cohort
    return cohort is not None and cohort.number == p.cohort and all(
        state.patients[q].day0 is None for q in cohort.patient_ids)


def _record(protocol, state, e, out):
    _patient(state, e.patient_id)
    return state


def _persistence(protocol, state, e: ev.PersistenceMeasured, out):
    p = _patient(state, e.patient_id)
    return put_patient(state, replace(p, persistence=p.persistence + ((e.study_day, float(e.copies)),)))


def _dlt(protocol, state, e: ev.DltAdjudicated, out):
    p = _patient(state, e.patient_id)
    if p.day0 is None:
        raise ConflictError.field("patient_id", e.patient_id, "a patient who has been dosed (DLTs follow Day 0)")
    if p.window_closed:
        raise ConflictError.field("patient_id", e.patient_id, "a patient whose DLT window is still open")
    if not e.is_dlt:
        return state
    return put_patient(state, replace(p, dlt=True))


def _window_closed(protocol, state, e: ev.DltWindowClosed, out):
    p = _patient(state, e.patient_id)
    if p.day0 is None or p.resolved:
        raise ConflictError.field("patient_id", e.patient_id, "a dosed patient whose DLT window is open")
    last = p.day0 + protocol.dlt.window_days - 1
    if e.day < last:
        raise ConflictError.field("day", e.day, f"≥ {last}, the last day of the {protocol.dlt.window_days}-day DLT window")
    p = replace(p, window_closed=True)
    state = put_patient(state, p)
    return resolve(protocol, state, p, e.day, out)


def _response(protocol, state, e: ev.ResponseEvaluated, out):
    p = _patient(state, e.patient_id)
    if p.day0 is None:
        raise ConflictError.field("patient_id", e.patient_id, "a dosed patient")
    if p.best_response is not None:
        raise ConflictError.field("patient_id", e.patient_id, "a patient whose best response is not yet final")
    p = replace(p, best_response=e.best_response)
    state = put_patient(state, p)
    if p.stage == Stage.EXPANSION:
        state = on_response(protocol, state, e.day, out)
    return state


def _off_study(protocol, state, e, out):
    p = _patient(state, e.patient_id)
    if p.off_study_day is not None:
        return state
    was_resolved = p.resolved
    p = replace(p, off_study_day=e.day)
    state = put_patient(state, p)
    if not p.treated and not p.replaced:
        state = mark_replaced(protocol, state, p, e.day, f"left the study before Day 0 ({type(e).__name__.lower()}): "
                              "replaced", out)
        return after_patient_change(protocol, state, state.patients[p.patient_id], e.day, out)
    if p.treated and not was_resolved:
        return resolve(protocol, state, p, e.day, out)
    return state


def resolve(protocol, state: TrialState, p: PatientState, day: int, out: list[Decision]) -> TrialState:
    """The patient's DLT window is over: evaluable or replaced; then the cohort or expansion moves on."""
    ev_rule = protocol.evaluability
    evaluable = p.dlt or (p.infusions >= ev_rule.required_infusions and (p.window_closed or not ev_rule.observe_full_window))
    if not evaluable and p.stage == Stage.ESCALATION and ev_rule.replace_non_evaluable:
        state = mark_replaced(protocol, state, p, day, f"not evaluable for DLT ({p.infusions} of "
                              f"{ev_rule.required_infusions} infusions, no DLT): replaced (evaluability)", out)
    return after_patient_change(protocol, state, state.patients[p.patient_id], day, out)


def after_patient_change(protocol, state, p: PatientState, day: int, out: list[Decision]) -> TrialState:
    if p.stage == Stage.ESCALATION:
        return on_escalation_resolved(protocol, state, p.construct, day, out)
    state = on_expansion_resolved(protocol, state, p, day, out)
    return check_expansion_done(protocol, state, day, out)


def _committee(protocol, state: TrialState, e: ev.CommitteeDecision, out):
    d = next((x for x in state.pending if x.id == e.decision_id), None)
    if d is None:
        raise ConflictError.field("decision_id", e.decision_id,
                                  "the id of a pending proposal (" + (", ".join(x.id for x in state.pending) or "none pending") + ")")
    if not e.approved:
        return state
    state = replace(state, pending=tuple(x for x in state.pending if x.id != d.id))
    if d.kind == K.ESCALATION:
        state = after_escalation_approved(protocol, state, d, e.day, out)
        return fill_from_waitlist(protocol, state, e.day, out)
    if d.kind == K.SELECT_CONSTRUCT:
        state = open_expansion(protocol, state, d, e.day, out)
        return fill_from_waitlist(protocol, state, e.day, out)
    if d.kind == K.STOP_EXPANSION:
        ex = replace(state.expansion, stopped=d.action)
        out.append(Decision(K.CLOSE_TRIAL, e.day, f"expansion stopped for {d.action}: {d.reason}", construct=ex.construct))
        return replace(state, expansion=ex, phase=Phase.CLOSED, close_reason=f"expansion stopped for {d.action}",
                       waitlist=())
    raise ConflictError.field("decision_id", e.decision_id, "a proposal the committee can sign")


_HANDLERS = {
    ev.Tick: _tick,
    ev.PatientArrived: _arrived,
    ev.PatientScreened: _screened,
    ev.ProductManufactured: _manufactured,
    ev.LymphodepletionStarted: _record,
    ev.Infused: _infused,
    ev.AdverseEventReported: _record,
    ev.DltAdjudicated: _dlt,
    ev.DltWindowClosed: _window_closed,
    ev.TumourAssessed: _record,
    ev.ResponseEvaluated: _response,
    ev.SecondCycleStarted: _record,
    ev.Progressed: _record,
    ev.Died: _off_study,
    ev.Withdrew: _off_study,
    ev.PersistenceMeasured: _persistence,
    ev.CommitteeDecision: _committee,
}

__all__ = ["apply", "pending_decisions"]
