"""Whole simulated trials: invariants, and single-arm results against the exact 3+3 OCs."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings, strategies as st

from dartnk.design.exact_oc import exact_oc
from dartnk.sim import outcome as oc
from dartnk.sim.runner import run_chunk


def _cols(protocol, m):
    return {f: m[:, i] for i, f in enumerate(oc.outcome_fields(protocol))}


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from(["default", "all-safe", "gd2-rare", "manufacturing-failures"]))
def test_never_more_than_the_cap_and_counts_are_coherent(protocol, scenarios, seed, name):
    c = _cols(protocol, run_chunk(protocol, scenarios[name], seed, 0, 3))
    cap = protocol.trial.max_participants
    assert (c["n_treated"] <= cap).all()
    esc = sum(c[f"treated.{a.id}.{lv.id}"] for a in protocol.constructs for lv in protocol.dose_levels)
    assert (esc + c["exp_n"] == c["n_treated"]).all()
    assert (c["exp_n"] <= protocol.expansion.size).all()
    assert (c["n_screen_failures"] + c["n_refused"] <= c["n_screened"]).all()
    assert (c["exp_responders"] <= c["exp_resp_evaluated"]).all() and (c["exp_dlts"] <= c["exp_dlt_evaluable"]).all()
    for a in protocol.constructs:  # an arm closed at an MTD has a level; otherwise none
        mtd, close = c[f"mtd.{a.id}"], c[f"close.{a.id}"]
        assert ((mtd >= 0) == (close == oc.CLOSE_MTD)).all()
    assert (c["finished"] == 1).all()


def test_same_seed_same_results_and_a_different_seed_differs(protocol, scenarios):
    a = run_chunk(protocol, scenarios["default"], 5, 0, 4)
    b = run_chunk(protocol, scenarios["default"], 5, 0, 4)
    c = run_chunk(protocol, scenarios["default"], 6, 0, 4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    # trial i does not depend on which chunk runs it
    assert np.array_equal(run_chunk(protocol, scenarios["default"], 5, 2, 4), a[2:4])


def test_each_arm_agrees_with_the_exact_3plus3_operating_characteristics(protocol, scenarios):
    """Single-arm results = exact OCs (foundation issue, dartnk.design.exact_oc) within Monte Carlo error.

    With every treated patient DLT-evaluable and a cap no escalation can reach, each arm is an
    exact 3+3 on iid Bernoulli(true DLT) patients, so P(MTD = level) and E(patients per level)
    must match the enumeration; tolerance 4 Monte Carlo standard errors (+1e-9).
    """
    p = protocol.model_copy(update={"trial": protocol.trial.model_copy(update={"max_participants": 100})})
    sc = scenarios["default"].model_copy(update={"not_evaluable": 0.0})
    n = 300
    c = _cols(p, run_chunk(p, sc, 314, 0, n))
    levels = [d.id for d in p.dose_levels]
    start = p.level_index(p.escalation.start_level)
    for a in p.constructs:
        assert (c[f"close.{a.id}"] != oc.CLOSE_CAP).all()
        exact = exact_oc(p.escalation, [sc.constructs[a.id].dlt[lv] for lv in levels], start)
        mtd = c[f"mtd.{a.id}"]
        for j, prob in enumerate(exact.p_select):
            sim = float(np.mean(mtd == j - 1)) if j else float(np.mean(mtd < 0))
            se = math.sqrt(max(prob * (1 - prob), 1e-4) / n)
            assert abs(sim - prob) <= 4 * se + 1e-9, (a.id, j, sim, prob)
        for j, lv in enumerate(levels):
            x = c[f"treated.{a.id}.{lv}"].astype(float)
            se = max(x.std(ddof=1), 0.5) / math.sqrt(n)
            assert abs(x.mean() - exact.mean_patients[j]) <= 4 * se, (a.id, lv, x.mean(), exact.mean_patients[j])
