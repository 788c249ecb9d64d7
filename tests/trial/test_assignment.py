"""Assignment by antigen profile and open slots; the waitlist; the participant cap."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dartnk.trial import Assignment, Refusal, Waitlisted, assign, initial_state, open_slots, qualifying_constructs
from dartnk.trial.state import PatientState, Stage
from tests.trial.helpers import Driver, K, of_kind


@pytest.mark.parametrize("dll3,cd56,gd2,expected", [
    (True, True, True, ("DLL3-CD56", "DLL3-GD2", "CD56-GD2")),
    (True, True, False, ("DLL3-CD56",)),
    (True, False, True, ("DLL3-GD2",)),
    (False, True, True, ("CD56-GD2",)),
    (True, False, False, ()),
    (False, False, False, ()),
])
def test_all_targets_rule(protocol, dll3, cd56, gd2, expected):
    assert qualifying_constructs(protocol, {"DLL3": dll3, "CD56": cd56, "GD2": gd2}) == expected


def test_any_target_rule_and_missing_antigen(protocol):
    constructs = tuple(c.model_copy(update={"qualifies_when": "any_target"}) for c in protocol.constructs)
    p = protocol.model_copy(update={"constructs": constructs})
    assert qualifying_constructs(p, {"GD2": True}) == ("DLL3-GD2", "CD56-GD2")
    assert qualifying_constructs(protocol, {"DLL3": True}) == ()


def _with_policy(protocol, policy):
    return protocol.model_copy(update={"assignment": protocol.assignment.model_copy(update={"policy": policy})})


def test_fewest_treated_prefers_the_emptier_arm_then_protocol_order(protocol):
    d = Driver(protocol)
    all3 = ("DLL3-CD56", "DLL3-GD2", "CD56-GD2")
    assert of_kind(d.screen(0, "a", all3), K.ASSIGN)[0].construct == "DLL3-CD56"
    assert of_kind(d.screen(0, "b", all3), K.ASSIGN)[0].construct == "DLL3-GD2"
    assert of_kind(d.screen(0, "c", all3), K.ASSIGN)[0].construct == "CD56-GD2"
    a = of_kind(d.screen(0, "d", ("DLL3-GD2", "CD56-GD2")), K.ASSIGN)[0]
    assert a.construct == "DLL3-GD2" and "fewest_treated" in a.reason


def test_round_robin_rotates(protocol):
    p = _with_policy(protocol, "round_robin")
    d = Driver(p)
    all3 = ("DLL3-CD56", "DLL3-GD2", "CD56-GD2")
    got = [of_kind(d.screen(0, x, all3), K.ASSIGN)[0].construct for x in "abcd"]
    assert got == ["DLL3-CD56", "DLL3-GD2", "CD56-GD2", "DLL3-CD56"]


def test_longest_waiting_prefers_the_arm_open_longest(protocol):
    p = _with_policy(protocol, "longest_waiting")
    s = initial_state(p)
    arms = tuple(replace(a, open_since=10 if a.construct == "DLL3-CD56" else 3) for a in s.arms)
    s = replace(s, arms=arms)
    res = assign(p, s, "x", ("DLL3-CD56", "CD56-GD2"), 20)
    assert isinstance(res, Assignment) and res.construct == "CD56-GD2"


def test_no_qualifying_construct_is_refused(protocol):
    res = assign(protocol, initial_state(protocol), "x", (), 0)
    assert isinstance(res, Refusal) and "qualifies for no construct" in res.reason


def test_full_arm_waitlists_until_max_wait(protocol):
    d = Driver(protocol)
    for x in "abc":
        d.screen(0, x)
    res = assign(protocol, d.s, "w", ("DLL3-CD56",), 5)
    assert isinstance(res, Waitlisted) and res.until_day == 5 + protocol.assignment.max_wait_days


def test_closed_arm_refuses_instead_of_waitlisting(protocol):
    s = initial_state(protocol)
    from dartnk.trial import ArmStatus

    arms = tuple(replace(a, status=ArmStatus.CLOSED, cohort=None) if a.construct == "DLL3-GD2" else a for a in s.arms)
    s = replace(s, arms=arms)
    res = assign(protocol, s, "x", ("DLL3-GD2",), 0)
    assert isinstance(res, Refusal) and "closed" in res.reason


def test_participant_cap_is_never_exceeded(protocol):
    cap = protocol.trial.max_participants
    s = initial_state(protocol)
    patients = {f"t{i}": PatientState(f"t{i}", "DLL3-GD2", 1, Stage.ESCALATION, 0, 0, day0=0) for i in range(cap - 1)}
    s = replace(s, patients=patients)
    assert open_slots(s, protocol) == {"DLL3-CD56": 1, "DLL3-GD2": 1, "CD56-GD2": 1}
    d = Driver(protocol, s)
    out = d.screen(0, "last")
    assert of_kind(out, K.ASSIGN) and of_kind(out, K.CAP_REACHED)
    assert open_slots(d.s, protocol) == {"DLL3-CD56": 0, "DLL3-GD2": 0, "CD56-GD2": 0}
    res = assign(protocol, d.s, "x", ("DLL3-GD2",), 0)
    assert isinstance(res, Refusal) and str(cap) in res.reason
