"""The trial engine's transition: cohorts, staggering, DLT window, replacement, committee, closing."""

from __future__ import annotations

import pytest

from dartnk.errors import ConflictError, NotFoundError
from dartnk.trial import ArmStatus, Phase, earliest_day0, initial_state, open_slots
from tests.trial.helpers import Driver, K, ev, of_kind


def test_initial_state_opens_every_arm_at_the_start_level(protocol):
    s = initial_state(protocol)
    assert s.phase == Phase.ESCALATION
    assert [a.construct for a in s.arms] == [c.id for c in protocol.constructs]
    start = protocol.level_index(protocol.escalation.start_level)
    assert all(a.cohort.level == start and a.cohort.size == protocol.escalation.cohort_size for a in s.arms)
    assert open_slots(s) == {c.id: 3 for c in protocol.constructs}


def test_sentinel_is_observed_before_the_others_are_dosed(protocol):
    d = Driver(protocol)
    for pid in ("a", "b", "c"):
        d.screen(0, pid)
        d.release(3, pid)
    out = d(ev.Infused(5, "a"))
    assert [x.patient_id for x in of_kind(out, K.DOSE_FROM)] == ["b", "c"]
    assert d.s.patients["a"].sentinel
    gate = 5 + protocol.escalation.stagger.sentinel_days
    assert earliest_day0(protocol, d.s, "b") == gate
    with pytest.raises(ConflictError, match="sentinel_days"):
        d(ev.Infused(gate - 1, "b"))
    d(ev.Infused(gate, "b"))  # exactly the gate is allowed
    assert d.s.patients["b"].day0 == gate and not d.s.patients["b"].sentinel


def test_decision_waits_for_every_dlt_window_then_needs_the_committee(protocol):
    d = Driver(protocol)
    for pid in ("a", "b", "c"):
        d.screen(0, pid)
        d.release(0, pid)
    d.dose_all(0, "a")
    d.dose_all(7, "b")
    d.dose_all(7, "c")
    d(ev.DltAdjudicated(9, "b", True))
    assert d(ev.DltWindowClosed(27, "a")) == []
    with pytest.raises(ConflictError, match="last day of the 28-day DLT window"):
        d(ev.DltWindowClosed(33, "b"))
    assert d(ev.DltWindowClosed(34, "b")) == []
    out = d(ev.DltWindowClosed(34, "c"))
    (prop,) = of_kind(out, K.ESCALATION)
    assert prop.requires_committee and prop.action == "treat_same" and prop.n_patients == 3 and prop.level == "DL1"
    assert "1 DLT" in prop.reason
    assert d.s.arm("DLL3-CD56").status == ArmStatus.AWAITING_COMMITTEE
    assert open_slots(d.s)["DLL3-CD56"] == 0
    out = d(ev.CommitteeDecision(40, prop.id))
    (opened,) = of_kind(out, K.OPEN_COHORT)
    assert opened.level == "DL1" and opened.n_patients == 3
    assert d.s.arm("DLL3-CD56").cohort.number == 2
    assert open_slots(d.s)["DLL3-CD56"] == 3


def test_committee_refusal_keeps_the_proposal_pending(protocol):
    d = Driver(protocol)
    d.run_cohort("DLL3-CD56", ["a", "b", "c"], 0)
    pid = d.s.pending[0].id
    assert d(ev.CommitteeDecision(50, pid, approved=False)) == []
    assert d.s.pending and d.s.pending[0].id == pid
    with pytest.raises(ConflictError, match="pending proposal"):
        d(ev.CommitteeDecision(50, "nope"))


def test_zero_dlts_escalates(protocol):
    d = Driver(protocol)
    out = d.run_cohort("DLL3-CD56", ["a", "b", "c"], 0)
    (prop,) = of_kind(out, K.ESCALATION)
    assert prop.action == "escalate" and prop.level == "DL2"


def test_two_dlts_at_start_deescalates_then_declares(protocol):
    d = Driver(protocol)
    out = d.run_cohort("DLL3-CD56", ["a", "b", "c"], 0, dlts=("a", "b"))
    (prop,) = of_kind(out, K.ESCALATION)
    assert prop.action == "deescalate" and prop.level == "DL-1" and prop.n_patients == 3
    d.approve_all(60)
    out = d.run_cohort("DLL3-CD56", ["d", "e", "f"], 61)
    (prop,) = of_kind(out, K.ESCALATION)
    # DL-1 with 0/3 below a too-toxic DL1: with deescalate=true it needs 6 patients first
    assert prop.action == "treat_same" and prop.level == "DL-1"
    d.approve_all(120)
    out = d.run_cohort("DLL3-CD56", ["g", "h", "i"], 121)
    (prop,) = of_kind(out, K.ESCALATION)
    assert prop.action == "declare_mtd" and prop.level == "DL-1"
    out = d.approve_all(180)
    (closed,) = of_kind(out, K.CLOSE_ARM)
    assert closed.level == "DL-1" and d.s.arm("DLL3-CD56").mtd_level == 0
    assert d.s.arm("DLL3-CD56").status == ArmStatus.CLOSED


def test_manufacturing_failure_is_replaced_and_the_slot_reopens(protocol):
    d = Driver(protocol)
    for pid in ("a", "b", "c"):
        d.screen(0, pid)
    assert open_slots(d.s)["DLL3-CD56"] == 0
    assert of_kind(d.screen(1, "w"), K.WAITLIST)
    out = d(ev.ProductManufactured(6, "b", ev.ManufacturingOutcome.FAILED))
    assert of_kind(out, K.REPLACE)[0].patient_id == "b"
    (a,) = of_kind(out, K.ASSIGN)
    assert a.patient_id == "w" and "waitlist" in a.reason
    assert d.s.committed == 3


def test_non_evaluable_patient_is_replaced_and_the_cohort_waits(protocol):
    d = Driver(protocol)
    for pid in ("a", "b", "c"):
        d.screen(0, pid)
        d.release(0, pid)
    d.dose_all(0, "a")
    d.dose_all(7, "b")
    d(ev.Infused(7, "c"))  # only one of three infusions, no DLT
    d(ev.DltWindowClosed(27, "a"))
    d(ev.DltWindowClosed(34, "b"))
    out = d(ev.DltWindowClosed(34, "c"))
    assert of_kind(out, K.REPLACE) and not of_kind(out, K.ESCALATION)
    assert open_slots(d.s)["DLL3-CD56"] == 1
    d.screen(35, "r")
    d.release(35, "r")
    d.dose_all(40, "r")  # the sentinel was observed long ago: no wait
    out = d(ev.DltWindowClosed(67, "r"))
    (prop,) = of_kind(out, K.ESCALATION)
    assert "3 evaluable" in prop.reason


def test_a_dlt_makes_a_patient_evaluable_whatever_the_infusions(protocol):
    d = Driver(protocol)
    for pid in ("a", "b", "c"):
        d.screen(0, pid)
        d.release(0, pid)
    d(ev.Infused(0, "a"))
    d(ev.DltAdjudicated(2, "a", True))
    d.dose_all(7, "b")
    d.dose_all(7, "c")
    d(ev.Died(10, "a"))  # leaves the study after the DLT: resolved, evaluable
    d(ev.DltWindowClosed(34, "b"))
    out = d(ev.DltWindowClosed(34, "c"))
    assert of_kind(out, K.ESCALATION)[0].action == "treat_same"


def test_withdrawal_before_day0_is_replaced(protocol):
    d = Driver(protocol)
    d.screen(0, "a")
    out = d(ev.Withdrew(3, "a", "consent withdrawn"))
    assert of_kind(out, K.REPLACE)
    assert open_slots(d.s)["DLL3-CD56"] == 3
    with pytest.raises(ConflictError):
        d(ev.Infused(4, "a"))


def test_unknown_patient_and_duplicate_screening(protocol):
    d = Driver(protocol)
    with pytest.raises(NotFoundError):
        d(ev.Infused(0, "ghost"))
    d.screen(0, "a")
    with pytest.raises(ConflictError, match="not screened before"):
        d.screen(1, "a")
    with pytest.raises(ConflictError, match="construct id"):
        d(ev.PatientScreened(1, "b", True, ("NOPE",)))


def test_ineligible_patient_is_refused_with_the_reason(protocol):
    d = Driver(protocol)
    (r,) = d(ev.PatientScreened(0, "a", False, (), "ECOG 2"))
    assert r.kind == K.REFUSE and "ECOG 2" in r.reason
    assert d.s.screen_failures == 1 and d.s.screened == 1


def test_waitlist_expires_after_max_wait(protocol):
    d = Driver(protocol)
    for pid in ("a", "b", "c"):
        d.screen(0, pid)
    d.screen(2, "w")
    limit = protocol.assignment.max_wait_days
    assert d(ev.Tick(2 + limit)) == []  # exactly max_wait_days: still waiting
    (lost,) = d(ev.Tick(3 + limit))
    assert lost.kind == K.LOST_TO_WAIT and lost.patient_id == "w"
    assert d.s.lost_to_wait == 1 and not d.s.waitlist


def test_every_decision_has_a_reason(protocol):
    d = Driver(protocol)
    d.run_cohort("DLL3-CD56", ["a", "b", "c"], 0, dlts=("a",))
    d.approve_all(50)
    assert d.log and all(x.reason for x in d.log)


def test_apply_is_pure(protocol):
    s0 = initial_state(protocol)
    from dartnk.trial import apply

    s1, d1 = apply(protocol, s0, ev.PatientScreened(0, "a", True, ("DLL3-CD56",)))
    s2, d2 = apply(protocol, s0, ev.PatientScreened(0, "a", True, ("DLL3-CD56",)))
    assert s1 == s2 and d1 == d2
    assert not s0.patients and s0.arm("DLL3-CD56").cohort.patient_ids == ()


def test_arrival_is_counted_without_a_decision(protocol):
    d = Driver(protocol)
    assert d(ev.PatientArrived(0, "a")) == []
    assert d.s.arrived == 1 and d.s.screened == 0


def test_adverse_events_and_records_need_an_enrolled_patient(protocol):
    d = Driver(protocol)
    d.screen(0, "a")
    for e in (ev.AdverseEventReported(1, "a", "crs", 2), ev.TumourAssessed(1, "a", ev.BestResponse.SD),
              ev.LymphodepletionStarted(1, "a"), ev.Progressed(1, "a"), ev.SecondCycleStarted(1, "a")):
        assert d(e) == []
    with pytest.raises(NotFoundError):
        d(ev.AdverseEventReported(1, "ghost", "crs", 2))
    d.release(1, "a")
    d(ev.Infused(5, "a"))
    d(ev.PersistenceMeasured(33, "a", 28, 1500.0))
    assert d.s.patients["a"].persistence == ((28, 1500.0),)
