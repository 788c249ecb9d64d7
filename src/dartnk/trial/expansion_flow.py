"""The expansion phase at the selected construct's RP2D, with toxicity monitoring after each
evaluable patient and futility monitoring after each response evaluation (protocol.expansion).

The monitoring boundaries are those of the planned expansion (``expansion.size`` patients), even
when the participant cap leaves fewer: the boundaries were fixed in the protocol before the trial.
"""

from __future__ import annotations

from dataclasses import replace

from dartnk.trial.assignment import remaining_capacity
from dartnk.trial.decisions import Decision, DecisionKind as K
from dartnk.trial.rules import futility_check, toxicity_check
from dartnk.trial.state import ExpansionState, PatientState, Phase, TrialState


def open_expansion(protocol, state: TrialState, d: Decision, day: int, out: list[Decision]) -> TrialState:
    """The committee signed the selection: open the expansion, or close the trial if nothing was selected."""
    if d.construct is None:
        out.append(Decision(K.CLOSE_TRIAL, day, f"no construct selected: {d.reason}"))
        return replace(state, phase=Phase.CLOSED, close_reason="no construct selected", selected=None, waitlist=())
    level = protocol.level_index(d.level)
    size = min(protocol.expansion.size, remaining_capacity(protocol, state))
    if size <= 0:
        out.append(Decision(K.CLOSE_TRIAL, day, f"{d.construct} selected but no participants remain "
                            f"(trial.max_participants = {protocol.trial.max_participants})", construct=d.construct))
        return replace(state, phase=Phase.CLOSED, close_reason="participant cap reached before the expansion",
                       selected=d.construct, waitlist=())
    short = "" if size == protocol.expansion.size else f" (reduced from {protocol.expansion.size} by trial.max_participants)"
    out.append(Decision(K.OPEN_EXPANSION, day, f"expansion of {d.construct} at {d.level} for {size} patients{short}",
                        construct=d.construct, level=d.level, n_patients=size))
    return replace(state, phase=Phase.EXPANSION, selected=d.construct,
                   expansion=ExpansionState(construct=d.construct, level=level, size=size))


def _expansion_patients(state: TrialState) -> list[PatientState]:
    return [state.patients[q] for q in state.expansion.patient_ids]


def _stop_pending(state: TrialState) -> bool:
    return any(x.kind == K.STOP_EXPANSION for x in state.pending)


def _propose_stop(state: TrialState, kind: str, reason: str, day: int, out: list[Decision]) -> TrialState:
    seq = state.seq + 1
    d = Decision(K.STOP_EXPANSION, day, reason, id=f"P{seq}-stop-{kind}", requires_committee=True,
                 construct=state.expansion.construct, action=kind)
    out.append(d)
    return replace(state, pending=state.pending + (d,), seq=seq)


def on_expansion_resolved(protocol, state: TrialState, p: PatientState, day: int, out: list[Decision]) -> TrialState:
    """Toxicity monitoring after each patient evaluable for DLT (expansion patients only)."""
    if state.phase != Phase.EXPANSION or _stop_pending(state) or not p.treated:
        return state
    ev_rule = protocol.evaluability
    evaluable = [q for q in _expansion_patients(state) if q.treated and q.resolved and
                 (q.dlt or (q.infusions >= ev_rule.required_infusions and (q.window_closed or not ev_rule.observe_full_window)))]
    if p not in evaluable:
        return state
    n, x = len(evaluable), sum(1 for q in evaluable if q.dlt)
    res = toxicity_check(protocol, n, x, protocol.expansion.size)
    if res.stop:
        return _propose_stop(state, "toxicity", f"{x} DLT(s) in {n} evaluable expansion patients: {res.reason}", day, out)
    return state


def on_response(protocol, state: TrialState, day: int, out: list[Decision]) -> TrialState:
    """Futility monitoring after each expansion patient's best overall response is final."""
    if state.phase == Phase.EXPANSION and not _stop_pending(state):
        assessed = [q for q in _expansion_patients(state) if q.best_response is not None]
        n, r = len(assessed), sum(1 for q in assessed if q.best_response.is_response)
        res = futility_check(protocol, n, r, protocol.expansion.size)
        if res.stop:
            return _propose_stop(state, "futility", f"{r} response(s) in {n} evaluable expansion patients: {res.reason}",
                                 day, out)
    return check_expansion_done(protocol, state, day, out)


def check_expansion_done(protocol, state: TrialState, day: int, out: list[Decision]) -> TrialState:
    """Every expansion slot treated, every DLT window over and every response final: the trial is complete."""
    if state.phase != Phase.EXPANSION or state.pending:
        return state
    ex = state.expansion
    active = [q for q in _expansion_patients(state) if not q.replaced]
    if len(active) < ex.size:
        return state
    if any(not (q.treated and q.resolved and (q.best_response is not None or q.off_study_day is not None)) for q in active):
        return state
    out.append(Decision(K.CLOSE_TRIAL, day, f"expansion complete: {len(active)} patients treated at the RP2D",
                        construct=ex.construct))
    return replace(state, phase=Phase.CLOSED, close_reason="completed", waitlist=())
