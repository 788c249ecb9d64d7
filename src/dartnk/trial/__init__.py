"""dartnk.trial — the trial engine: state + event → decisions, shared by the simulator and the conduct service.

Pure (no clock, randomness or I/O). Days are integers of the *trial calendar* (day 0 = the trial's
opening day; the service maps dates with one fixed origin); a patient's study day is
``day - patient.day0``.

API
---
``initial_state(protocol) -> TrialState``
    Every arm (one per ``protocol.constructs``) enrolling its first cohort of
    ``escalation.cohort_size`` at ``escalation.start_level``.

``apply(protocol, state, event) -> tuple[TrialState, list[Decision]]``
    The transition. Events (``dartnk.trial.events``, frozen dataclasses, each with ``day``):
    ``Tick``, ``PatientArrived``, ``PatientScreened(eligible, qualifying_constructs)``, ``ProductManufactured(outcome)``,
    ``LymphodepletionStarted``, ``Infused`` (the first is Day 0), ``AdverseEventReported``,
    ``DltAdjudicated(is_dlt)``, ``DltWindowClosed``, ``TumourAssessed``, ``ResponseEvaluated(best_response)``,
    ``SecondCycleStarted``, ``Progressed``, ``Died``, ``Withdrew``, ``PersistenceMeasured``,
    ``CommitteeDecision(decision_id, approved)``. The calendar is the latest day seen. An event the state
    does not allow raises ``dartnk.errors.ConflictError`` (unknown ids: ``NotFoundError``).

``Decision`` (``dartnk.trial.decisions``): ``kind`` (``DecisionKind``), ``day``, ``reason`` (always
    human-readable), and as relevant ``construct``, ``level`` (dose-level id), ``patient_id``,
    ``n_patients``, ``action``. Proposals (``requires_committee=True``, with an ``id``) —
    ``ESCALATION``, ``SELECT_CONSTRUCT``, ``STOP_EXPANSION`` — wait in ``state.pending`` until a
    ``CommitteeDecision`` with that id makes them effective (the simulator signs at once).

Queries: ``open_slots(state, protocol=None) -> dict[construct, int]``;
    ``assign(protocol, state, patient_id, qualifying_constructs, day) -> Assignment | Waitlisted | Refusal``
    (what ``PatientScreened`` would do, without changing anything);
    ``earliest_day0(protocol, state, patient_id) -> int`` (staggering gate);
    ``pending_decisions(state)``; ``qualifying_constructs(protocol, {antigen_id: positive}) -> tuple``.

Rules enforced: per-arm shared 3+3 rule (``dartnk.design.escalation.next_decision``) on
DLT-evaluable counts once every patient of the cohort has finished the DLT window
(``dlt.window_days``); staggering (the first patient dosed in a cohort is the sentinel; the others
wait ``escalation.stagger.sentinel_days``); non-evaluable patients (fewer than
``evaluability.required_infusions`` infusions and no DLT) and patients never dosed are replaced;
an arm closes at MTD / no tolerable dose; the interim selection (``dartnk.design.selection``) when
every arm is closed; the expansion at the selected construct's RP2D with toxicity monitoring
after each DLT-evaluable patient and futility monitoring after each final best response; never
more than ``trial.max_participants`` committed (treated, or assigned and still headed for
treatment); a waitlist for qualifying patients without an open slot, lost after
``assignment.max_wait_days``.
"""

from dartnk.trial.assignment import assign, earliest_day0, open_slots, qualifying_constructs, remaining_capacity
from dartnk.trial.decisions import Assignment, Decision, DecisionKind, Refusal, Waitlisted
from dartnk.trial.state import (ArmState, ArmStatus, Cohort, ExpansionState, LevelTally, PatientState, Phase, Stage,
                                TrialState, WaitlistEntry, initial_state)
from dartnk.trial.transition import apply, pending_decisions

__all__ = [
    "apply", "initial_state", "pending_decisions", "assign", "open_slots", "earliest_day0", "qualifying_constructs",
    "remaining_capacity", "Decision", "DecisionKind", "Assignment", "Waitlisted", "Refusal", "TrialState", "ArmState",
    "ArmStatus", "Cohort", "LevelTally", "PatientState", "Phase", "Stage", "ExpansionState", "WaitlistEntry",
]
