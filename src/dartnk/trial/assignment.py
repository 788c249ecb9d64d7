"""Assignment by antigen profile and open slots, and the staggering gate.

A patient qualifies for the constructs whose targets their tumour expresses, by each construct's
``qualifies_when`` (``all_targets``: every target positive; ``any_target``: at least one). Among
qualifying arms with an open slot, the protocol's ``assignment.policy`` chooses:

* ``fewest_treated`` — the arm with the fewest participants treated or committed;
* ``longest_waiting`` — the arm whose slots have stood open longest;
* ``round_robin`` — the next arm after the last one assigned, in protocol order.

Ties go to protocol order. With no open slot in a qualifying arm that may still open one, the
patient is waitlisted for at most ``assignment.max_wait_days`` days (then lost to the trial).
"""

from __future__ import annotations

from typing import Mapping

from dartnk.protocol.antigens import Qualification
from dartnk.trial.decisions import Assignment, AssignmentResult, Refusal, Waitlisted
from dartnk.trial.state import ArmStatus, Phase, Stage, TrialState


def qualifying_constructs(protocol, antigen_positive: Mapping[str, bool]) -> tuple[str, ...]:
    """Constructs (protocol order) whose ``qualifies_when`` rule the antigen results satisfy.

    ``antigen_positive`` maps antigen id → positive; a missing antigen counts as not positive.
    """
    out = []
    for c in protocol.constructs:
        hits = [bool(antigen_positive.get(t, False)) for t in c.targets]
        ok = all(hits) if c.qualifies_when == Qualification.ALL_TARGETS else any(hits)
        if ok:
            out.append(c.id)
    return tuple(out)


def _active_in(state: TrialState, ids) -> int:
    return sum(1 for pid in ids if not state.patients[pid].replaced)


def remaining_capacity(protocol, state: TrialState) -> int:
    """Participants that may still be committed before ``trial.max_participants``."""
    return max(0, protocol.trial.max_participants - state.committed)


def open_slots(state: TrialState, protocol=None) -> dict[str, int]:
    """Open slots per construct right now (0 for arms not enrolling). With ``protocol``, capped by
    the participants left under ``trial.max_participants``."""
    slots: dict[str, int] = {a.construct: 0 for a in state.arms}
    if state.phase == Phase.ESCALATION:
        for a in state.arms:
            if a.status == ArmStatus.ENROLLING and a.cohort is not None:
                slots[a.construct] = max(0, a.cohort.size - _active_in(state, a.cohort.patient_ids))
    elif state.phase == Phase.EXPANSION and state.expansion is not None:
        ex = state.expansion
        stopping = any(d.construct == ex.construct and d.kind.value == "stop_expansion" for d in state.pending)
        if ex.stopped is None and not stopping:
            slots[ex.construct] = max(0, ex.size - _active_in(state, ex.patient_ids))
    if protocol is not None:
        cap = remaining_capacity(protocol, state)
        slots = {k: min(v, cap) for k, v in slots.items()}
    return slots


def _may_open_later(state: TrialState, construct: str) -> bool:
    """Could this construct's arm offer a slot later (so that waiting makes sense)?"""
    if state.phase == Phase.CLOSED:
        return False
    if state.phase == Phase.ESCALATION:
        return state.arm(construct).status != ArmStatus.CLOSED
    if state.phase == Phase.SELECTION:
        return True  # the selected construct is not yet known
    ex = state.expansion
    return ex is not None and ex.construct == construct and ex.stopped is None


def _arm_load(state: TrialState, construct: str) -> int:
    return sum(1 for p in state.patients.values()
               if p.construct == construct and p.stage == Stage.ESCALATION and (p.treated or not p.replaced))


def _choose(protocol, state: TrialState, candidates: list[str]) -> str:
    order = [c.id for c in protocol.constructs]
    policy = protocol.assignment.policy
    if policy == "fewest_treated":
        return min(candidates, key=lambda c: (_arm_load(state, c), order.index(c)))
    if policy == "longest_waiting":
        def since(c: str) -> int:
            s = state.arm(c).open_since
            return s if s is not None else state.day
        return min(candidates, key=lambda c: (since(c), order.index(c)))
    # round robin: first candidate after the last construct assigned, cyclically
    start = (order.index(state.last_assigned) + 1) if state.last_assigned in order else 0
    rotated = order[start:] + order[:start]
    return next(c for c in rotated if c in candidates)


def assign(protocol, state: TrialState, patient_id: str, qualifying: tuple[str, ...], day: int) -> AssignmentResult:
    """Where this screened, eligible patient goes now: an arm, the waitlist, or nowhere (a pure query)."""
    if state.phase == Phase.CLOSED:
        return Refusal(patient_id, f"the trial is closed ({state.close_reason})")
    if not qualifying:
        return Refusal(patient_id, "the tumour's antigen profile qualifies for no construct")
    cap = remaining_capacity(protocol, state)
    if cap <= 0:
        return Refusal(patient_id, f"the trial has its {protocol.trial.max_participants} participants (trial.max_participants)")
    slots = open_slots(state, protocol)
    candidates = [c for c in qualifying if slots.get(c, 0) > 0]
    if candidates:
        chosen = _choose(protocol, state, candidates)
        if state.phase == Phase.EXPANSION:
            ex = state.expansion
            level_id = protocol.dose_levels[ex.level].id
            return Assignment(patient_id, chosen, level_id, ex.level, False,
                              f"expansion of {chosen} at its RP2D {level_id}")
        arm = state.arm(chosen)
        level_id = protocol.dose_levels[arm.cohort.level].id
        others = ", ".join(c for c in candidates if c != chosen)
        why = f"open slot in {chosen} cohort {arm.cohort.number} at {level_id}"
        if others:
            why += f"; also open: {others}; policy {protocol.assignment.policy}"
        return Assignment(patient_id, chosen, level_id, arm.cohort.level, False, why)
    waiting = tuple(c for c in qualifying if _may_open_later(state, c))
    if not waiting:
        return Refusal(patient_id, "every arm the patient qualifies for is closed (" + ", ".join(qualifying) + ")")
    until = day + protocol.assignment.max_wait_days
    return Waitlisted(patient_id, until, waiting,
                      f"no open slot in {', '.join(waiting)}; waitlisted until day {until} (assignment.max_wait_days)")


def earliest_day0(protocol, state: TrialState, patient_id: str) -> int:
    """The first trial day this patient may receive Day 0 under the staggering rule.

    In a staggered cohort the first patient dosed is the sentinel; every other patient of the
    cohort waits until the sentinel's Day 0 + ``escalation.stagger.sentinel_days``. While nobody
    in the cohort has been dosed, the answer is the assignment day (whoever is dosed first becomes
    the sentinel, so ask again right before dosing).
    """
    p = state.patients[patient_id]
    if p.stage == Stage.EXPANSION:
        return p.assigned_day
    arm = state.arm(p.construct)
    cohort = arm.cohort
    if cohort is None or cohort.number != p.cohort or not cohort.staggered:
        return p.assigned_day
    dosed = [state.patients[q].day0 for q in cohort.patient_ids if state.patients[q].day0 is not None]
    if not dosed:
        return p.assigned_day
    return max(p.assigned_day, min(dosed) + protocol.escalation.stagger.sentinel_days)
