"""The escalation phase: a cohort completes → the 3+3 step is proposed → the committee signs →
the next cohort opens or the arm closes; when every arm is closed, the interim selection."""

from __future__ import annotations

from dataclasses import replace

from dartnk.trial.assignment import remaining_capacity
from dartnk.trial.decisions import Decision, DecisionKind as K
from dartnk.trial.enrolment import put_arm
from dartnk.trial.rules import escalation_step, select
from dartnk.trial.state import ArmState, ArmStatus, Cohort, LevelTally, Phase, TrialState

CONTINUE_ACTIONS = ("treat_same", "escalate", "deescalate")


def _action(decision) -> str:
    a = decision.action
    return getattr(a, "value", a)


def _tallied(state: TrialState, arm: ArmState, protocol) -> ArmState:
    """Add the cohort's evaluable patients and their DLTs to the level's 3+3 counts."""
    c = arm.cohort
    ev_rule = protocol.evaluability
    n = d = 0
    for q in c.patient_ids:
        p = state.patients[q]
        if p.replaced or not p.treated:
            continue
        evaluable = p.dlt or (p.infusions >= ev_rule.required_infusions and (p.window_closed or not ev_rule.observe_full_window))
        if evaluable:
            n += 1
            d += int(p.dlt)
    tallies = list(arm.tallies)
    t = tallies[c.level]
    tallies[c.level] = LevelTally(t.treated + n, t.dlts + d)
    return replace(arm, tallies=tuple(tallies))


def on_escalation_resolved(protocol, state: TrialState, construct: str, day: int, out: list[Decision]) -> TrialState:
    """If the arm's cohort is full and every patient's DLT window is over, propose the 3+3 step."""
    arm = state.arm(construct)
    if arm.status != ArmStatus.ENROLLING or arm.cohort is None:
        return state
    c = arm.cohort
    active = [state.patients[q] for q in c.patient_ids if not state.patients[q].replaced]
    if len(active) < c.size or any(not p.resolved for p in active):
        return state
    arm = _tallied(state, arm, protocol)
    step = escalation_step(protocol, arm)
    seq = state.seq + 1
    level = step.level if step.level is not None else arm.current_level
    t = arm.tallies[c.level]
    why = (f"{protocol.dose_levels[c.level].id}: {t.dlts} DLT(s) in {t.treated} evaluable patient(s) — {step.reason}")
    d = Decision(K.ESCALATION, day, why, id=f"P{seq}-escalation-{construct}", requires_committee=True,
                 construct=construct, level=protocol.dose_levels[level].id if level is not None else None,
                 n_patients=step.n_patients, action=_action(step))
    out.append(d)
    arm = replace(arm, status=ArmStatus.AWAITING_COMMITTEE, cohorts_completed=arm.cohorts_completed + 1, open_since=None)
    return replace(put_arm(state, arm), pending=state.pending + (d,), seq=seq)


def _staggered(protocol, arm: ArmState, level: int, number: int) -> bool:
    st = protocol.escalation.stagger
    if st.sentinel_days <= 0:
        return False
    if st.applies_to == "first_cohort_per_arm":
        return number == 1
    if st.applies_to == "first_cohort_per_level":
        return arm.tallies[level].treated == 0
    return True


def after_escalation_approved(protocol, state: TrialState, d: Decision, day: int, out: list[Decision]) -> TrialState:
    arm = state.arm(d.construct)
    level = protocol.level_index(d.level) if d.level is not None else None
    if d.action in CONTINUE_ACTIONS and remaining_capacity(protocol, state) > 0:
        number = arm.cohort.number + 1
        cohort = Cohort(number=number, level=level, size=d.n_patients, staggered=_staggered(protocol, arm, level, number),
                        opened_day=day)
        arm = replace(arm, status=ArmStatus.ENROLLING, current_level=level, cohort=cohort, open_since=day)
        out.append(Decision(K.OPEN_COHORT, day, f"cohort {number} of {d.construct} opens at {d.level} for "
                            f"{d.n_patients} patient(s) ({d.action})", construct=d.construct, level=d.level,
                            n_patients=d.n_patients, action=d.action))
        return put_arm(state, arm)
    if d.action == "declare_mtd":
        arm = replace(arm, status=ArmStatus.CLOSED, cohort=None, mtd_level=level,
                      close_reason=f"MTD/RP2D declared at {d.level}")
        out.append(Decision(K.CLOSE_ARM, day, f"{d.construct} closes: MTD/RP2D = {d.level} ({d.reason})",
                            construct=d.construct, level=d.level, action=d.action))
    elif d.action == "stop_no_tolerable_dose":
        arm = replace(arm, status=ArmStatus.CLOSED, cohort=None, close_reason="no tolerable dose")
        out.append(Decision(K.CLOSE_ARM, day, f"{d.construct} closes: no tolerable dose ({d.reason})",
                            construct=d.construct, action=d.action))
    else:
        arm = replace(arm, status=ArmStatus.CLOSED, cohort=None,
                      close_reason=f"participant cap reached before the 3+3 finished (trial.max_participants = "
                                   f"{protocol.trial.max_participants})")
        out.append(Decision(K.CLOSE_ARM, day, f"{d.construct} closes without MTD: {arm.close_reason}",
                            construct=d.construct, action="cap"))
    return put_arm(state, arm)


def _close_capped(protocol, state: TrialState, day: int, out: list[Decision]) -> TrialState:
    """At the participant cap, an arm whose cohort cannot fill closes once its patients are resolved."""
    for arm in state.arms:
        if arm.status != ArmStatus.ENROLLING or arm.cohort is None:
            continue
        active = [state.patients[q] for q in arm.cohort.patient_ids if not state.patients[q].replaced]
        if len(active) >= arm.cohort.size or any(not p.resolved for p in active):
            continue
        arm = _tallied(state, arm, protocol)
        reason = (f"participant cap reached before the 3+3 finished (trial.max_participants = "
                  f"{protocol.trial.max_participants})")
        arm = replace(arm, status=ArmStatus.CLOSED, cohort=None, close_reason=reason, open_since=None)
        out.append(Decision(K.CLOSE_ARM, day, f"{arm.construct} closes without MTD: {reason}",
                            construct=arm.construct, action="cap"))
        state = put_arm(state, arm)
    return state


def settle(protocol, state: TrialState, day: int, out: list[Decision]) -> TrialState:
    """After every event: close arms stranded by the cap; start the selection when all arms are closed."""
    if state.phase != Phase.ESCALATION:
        return state
    if remaining_capacity(protocol, state) == 0:
        state = _close_capped(protocol, state, day, out)
    if all(a.status == ArmStatus.CLOSED for a in state.arms) and not state.pending:
        state = start_selection(protocol, state, day, out)
    return state


def start_selection(protocol, state: TrialState, day: int, out: list[Decision]) -> TrialState:
    """Every arm is closed: propose the interim construct selection to the committee."""
    res = select(protocol, state)
    seq = state.seq + 1
    chosen = res.selected
    d = Decision(K.SELECT_CONSTRUCT, day, res.reason, id=f"P{seq}-selection", requires_committee=True,
                 construct=chosen,
                 level=protocol.dose_levels[state.arm(chosen).mtd_level].id if chosen is not None else None)
    out.append(d)
    return replace(state, phase=Phase.SELECTION, pending=state.pending + (d,), seq=seq, selection_reason=res.reason)
