"""Selection and expansion: the interim selection, toxicity and futility stops, completion."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings, strategies as st

from dartnk.design.selection import select_construct
from dartnk.trial import ArmStatus, LevelTally, Phase, initial_state, open_slots
from dartnk.trial.rules import arm_summaries, select
from dartnk.trial.state import PatientState, Stage
from tests.trial.helpers import Driver, K, ev, of_kind


def _closed_arms_state(protocol, mtd=(2, 2, 2), dlts_at_mtd=(0, 1, 0), failures=(0, 0, 0), responders=(2, 1, 0)):
    """Every arm closed with 6 patients at its MTD; patients carry manufacturing and responses."""
    s = initial_state(protocol)
    patients, arms = {}, []
    for a, arm in enumerate(s.arms):
        for i in range(6):
            pid = f"{arm.construct}-{i}"
            patients[pid] = PatientState(pid, arm.construct, mtd[a], Stage.ESCALATION, 1, 0, product=ev.ManufacturingOutcome.RELEASED,
                                         product_day=7, day0=12, infusions=3, dlt=i < dlts_at_mtd[a], window_closed=True,
                                         best_response=ev.BestResponse.PR if i < responders[a] else ev.BestResponse.SD,
                                         persistence=((28, 100.0 * (a + 1)),))
        for j in range(failures[a]):
            pid = f"{arm.construct}-f{j}"
            patients[pid] = PatientState(pid, arm.construct, mtd[a], Stage.ESCALATION, 1, 0,
                                         product=ev.ManufacturingOutcome.FAILED, product_day=7, replaced=True)
        tallies = tuple(LevelTally(6, dlts_at_mtd[a]) if lv == mtd[a] else LevelTally() for lv in range(len(arm.tallies)))
        arms.append(replace(arm, status=ArmStatus.CLOSED, cohort=None, mtd_level=mtd[a], tallies=tallies))
    return replace(s, arms=tuple(arms), patients=patients)


def test_selection_equals_the_design_rule(protocol):
    s = _closed_arms_state(protocol)
    full = select_construct(protocol.selection, arm_summaries(protocol, s))
    ours = select(protocol, s)
    assert ours.selected == full.selected == "DLL3-CD56"
    assert "DLL3-CD56 selected" in ours.reason


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=3, max_size=3), st.lists(st.integers(0, 4), min_size=3, max_size=3),
       st.lists(st.integers(0, 6), min_size=3, max_size=3), st.lists(st.sampled_from([0, 1, 2, 3]), min_size=3, max_size=3))
def test_selection_kernel_agrees_with_select_construct(protocol, dlts, failures, responders, mtd):
    """Property: the engine's selection picks what ``select_construct`` picks, on any arm data."""
    s = _closed_arms_state(protocol, mtd=tuple(mtd), dlts_at_mtd=tuple(dlts), failures=tuple(failures),
                           responders=tuple(responders))
    assert select(protocol, s).selected == select_construct(protocol.selection, arm_summaries(protocol, s)).selected


def _drive_to_expansion(protocol):
    d = Driver(protocol, _closed_arms_state(protocol))
    out = d(ev.Tick(100))  # settle: every arm closed → selection proposed
    (prop,) = of_kind(out, K.SELECT_CONSTRUCT)
    assert d.s.phase == Phase.SELECTION and prop.requires_committee
    out = d(ev.CommitteeDecision(107, prop.id))
    (opened,) = of_kind(out, K.OPEN_EXPANSION)
    assert opened.construct == "DLL3-CD56" and opened.level == "DL2"
    # 18 committed in escalation: the expansion keeps its planned size
    assert d.s.expansion.size == protocol.expansion.size
    return d


def test_selection_then_expansion_without_stagger(protocol):
    d = _drive_to_expansion(protocol)
    assert open_slots(d.s)["DLL3-CD56"] == protocol.expansion.size
    d.screen(110, "x1")
    d.screen(110, "x2")
    d.release(115, "x1")
    d.release(115, "x2")
    d(ev.Infused(120, "x1"))
    d(ev.Infused(120, "x2"))  # same day: no sentinel in the expansion


def test_expansion_stops_for_toxicity(protocol):
    d = _drive_to_expansion(protocol)
    stop = None
    for i in range(10):
        pid = f"x{i}"
        d.screen(110, pid)
        d.release(110, pid)
        d.dose_all(120, pid)
        d(ev.DltAdjudicated(122, pid, True))
        out = d(ev.DltWindowClosed(147, pid))
        if of_kind(out, K.STOP_EXPANSION):
            stop = of_kind(out, K.STOP_EXPANSION)[0]
            break
    assert stop is not None and stop.action == "toxicity" and stop.requires_committee
    assert "DLT" in stop.reason
    assert open_slots(d.s)["DLL3-CD56"] == 0  # enrolment halts while the committee considers it
    out = d(ev.CommitteeDecision(150, stop.id))
    assert of_kind(out, K.CLOSE_TRIAL) and d.s.phase == Phase.CLOSED
    assert d.s.close_reason == "expansion stopped for toxicity"


def test_expansion_stops_for_futility_at_the_simon_look(protocol):
    d = _drive_to_expansion(protocol)
    fut = protocol.expansion.futility
    for i in range(fut.n1):
        pid = f"x{i}"
        d.screen(110, pid)
        d.release(110, pid)
        d.dose_all(120, pid)
        d(ev.DltWindowClosed(147, pid))
    stops = []
    for i in range(fut.n1):
        best = ev.BestResponse.PR if i < fut.r1 else ev.BestResponse.PD
        stops += of_kind(d(ev.ResponseEvaluated(200, f"x{i}", best)), K.STOP_EXPANSION)
        if i < fut.n1 - 1:
            assert not stops
    assert len(stops) == 1 and stops[0].action == "futility"


def test_expansion_continues_with_enough_responses(protocol):
    d = _drive_to_expansion(protocol)
    fut = protocol.expansion.futility
    for i in range(fut.n1):
        pid = f"x{i}"
        d.screen(110, pid)
        d.release(110, pid)
        d.dose_all(120, pid)
        d(ev.DltWindowClosed(147, pid))
        best = ev.BestResponse.PR if i <= fut.r1 else ev.BestResponse.PD  # r1 + 1 responses
        assert not of_kind(d(ev.ResponseEvaluated(200, pid, best)), K.STOP_EXPANSION)


def test_expansion_completes_and_closes(protocol):
    d = _drive_to_expansion(protocol)
    n = d.s.expansion.size
    last = []
    for i in range(n):
        pid = f"x{i}"
        d.screen(110, pid)
        d.release(110, pid)
        d.dose_all(120, pid)
        d(ev.DltWindowClosed(147, pid))
        last = d(ev.ResponseEvaluated(210, pid, ev.BestResponse.PR))
    assert of_kind(last, K.CLOSE_TRIAL) and d.s.phase == Phase.CLOSED and d.s.close_reason == "completed"
    assert isinstance(d.screen(220, "late")[0].reason, str) and d.s.refused == 1


def test_nothing_selected_closes_the_trial(protocol):
    # every arm fails the manufacturing gate
    d = Driver(protocol, _closed_arms_state(protocol, failures=(5, 5, 5)))
    (prop,) = of_kind(d(ev.Tick(100)), K.SELECT_CONSTRUCT)
    assert prop.construct is None and "no construct passes" in prop.reason
    out = d(ev.CommitteeDecision(101, prop.id))
    assert of_kind(out, K.CLOSE_TRIAL) and d.s.phase == Phase.CLOSED
