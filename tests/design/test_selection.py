"""The interim construct selection rule: gates, scores, P(best), sensitivity, choice and reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dartnk.design.selection import ArmSummary, auc_trapezoid, p_best, select_construct
from dartnk.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "select-three-arms.json"


def _arm(construct="DLL3-CD56", **kw):
    base = dict(construct=construct, rp2d_level="DL2", patients_at_rp2d=6, dlts_at_rp2d=1, products_manufactured=10,
                products_released=9, products_failed=1, median_vein_to_vein_days=14,
                persistence=({0: 0, 7: 1000, 14: 500, 28: 100},), responders=3, evaluable_for_response=9)
    return ArmSummary(**(base | kw))


def test_example_three_arms(protocol):
    arms = [ArmSummary.model_validate(a) for a in json.loads(EXAMPLE.read_text())["arms"]]
    r = select_construct(protocol.selection, arms)
    assert r.selected in {"DLL3-CD56", "DLL3-GD2"}
    excluded = r.assessment("CD56-GD2")
    assert not excluded.eligible and excluded.rank == 3
    assert {g.gate for g in excluded.gates if not g.passed} == {"rp2d", "patients_at_rp2d", "dlt_rate", "manufacturing_success"}
    assert sum(r.sensitivity.values()) == pytest.approx(1.0)
    for c in r.constructs:
        assert all(0 <= v <= 1 for v in c.scores.values())
    for criterion in ("safety", "manufacturability", "persistence", "efficacy"):
        assert sum(c.p_best[criterion] for c in r.constructs) == pytest.approx(1.0, abs=1e-9)
    assert r.selected in r.reason and "CD56-GD2" in r.reason
    json.dumps(r.to_json())


def test_gate_boundaries_are_inclusive(protocol):
    g = protocol.selection.gates
    # 2/6 = 0.333… ≤ 0.34 passes; 8/10 = 0.8 manufacturing success passes (≥); 3 patients passes
    arm = _arm(patients_at_rp2d=6, dlts_at_rp2d=2, products_manufactured=10, products_released=8, products_failed=2)
    r = select_construct(protocol.selection, [arm])
    assert r.selected == "DLL3-CD56" and g.min_manufacturing_success == 0.8
    three = _arm(patients_at_rp2d=3, dlts_at_rp2d=1)
    assert select_construct(protocol.selection, [three]).selected == "DLL3-CD56"
    # exactly at a rate gate: max 0.5 admits 3/6
    s = protocol.selection.model_copy(update={"gates": g.model_copy(update={"max_dlt_rate_at_rp2d": 0.5})})
    assert select_construct(s, [_arm(dlts_at_rp2d=3)]).selected == "DLL3-CD56"
    # just over: 7/10 released < 0.8; 3/6 DLTs > 0.34; 2 patients < 3
    for bad in (_arm(products_released=7, products_failed=3), _arm(dlts_at_rp2d=3), _arm(patients_at_rp2d=2, dlts_at_rp2d=0),
                _arm(rp2d_level=None)):
        r = select_construct(protocol.selection, [bad])
        assert r.selected is None and r.reason.startswith("no construct selected")


def test_scores_follow_the_documented_formulas(protocol):
    s = protocol.selection
    arm = _arm()
    r = select_construct(s, [arm])
    sc = r.assessment("DLL3-CD56").scores
    assert sc["safety"] == pytest.approx(1 - (0.5 + 1) / (1 + 6))
    assert sc["efficacy"] == pytest.approx((0.5 + 3) / (1 + 9))
    release = (0.5 + 9) / (1 + 10)
    assert sc["manufacturability"] == pytest.approx(0.5 * release + 0.5 * (1 - 14 / 28))
    detection = (0.5 + 1) / (1 + 1)
    assert sc["persistence"] == pytest.approx(0.5 * detection + 0.5 * 1.0)  # the only arm has the best AUC
    weights = {w.criterion.value: w.weight for w in s.weights}
    assert r.assessment("DLL3-CD56").composite == pytest.approx(sum(weights[k] * v for k, v in sc.items()))


def test_auc_trapezoid():
    # 0 → 1000 over 7 days, → 500 at 14, → 100 at 28: 3500 + 5250 + 4200
    assert auc_trapezoid({0: 0, 7: 1000, 14: 500, 28: 100}, 28) == pytest.approx(12950)
    # no day-0 sample: 0 assumed; interpolation at day 28 between 21 and 35
    assert auc_trapezoid({7: 100, 21: 100, 35: 0}, 28) == pytest.approx(350 + 1400 + 7 * (100 + 50) / 2)
    assert auc_trapezoid({}, 28) == 0.0


def test_p_best_integration():
    from scipy import integrate
    from scipy.stats import beta

    assert p_best([(3, 5), (3, 5)]) == pytest.approx([0.5, 0.5], abs=1e-9)
    # adaptive quadrature reference, including Jeffreys-prior posteriors with singular densities
    for post in ([(0.5, 6.5), (2.5, 4.5)], [(1.5, 5.5), (0.5, 0.5), (3.5, 3.5)]):
        for higher in (True, False):
            ref = []
            for k, (a, b) in enumerate(post):
                def f(p, k=k, a=a, b=b):
                    v = beta.pdf(p, a, b)
                    for j, (aj, bj) in enumerate(post):
                        if j != k:
                            v *= beta.cdf(p, aj, bj) if higher else beta.sf(p, aj, bj)
                    return v
                ref.append(integrate.quad(f, 0, 1, limit=200, points=[1e-6, 1 - 1e-6])[0])
            assert p_best(post, higher) == pytest.approx(ref, abs=1e-5)
    rng = np.random.default_rng(20260318)
    post = [(2.5, 7.5), (4.5, 5.5), (1.5, 3.5)]
    draws = np.stack([rng.beta(a, b, 200_000) for a, b in post])
    mc_high = np.bincount(draws.argmax(axis=0), minlength=3) / draws.shape[1]
    mc_low = np.bincount(draws.argmin(axis=0), minlength=3) / draws.shape[1]
    # Monte Carlo standard error ≤ sqrt(0.25 / 2e5) ≈ 0.0011; 5 SE tolerance
    assert p_best(post) == pytest.approx(mc_high.tolist(), abs=0.006)
    assert p_best(post, higher_is_better=False) == pytest.approx(mc_low.tolist(), abs=0.006)


def test_sensitivity_grid_and_generator(protocol):
    arms = [_arm("DLL3-CD56"), _arm("DLL3-GD2", responders=5, dlts_at_rp2d=2)]
    a = select_construct(protocol.selection, arms)
    b = select_construct(protocol.selection, arms)
    assert a.to_json() == b.to_json()  # deterministic grid
    assert a.sensitivity_settings == 6 ** 4
    g1 = select_construct(protocol.selection, arms, np.random.default_rng(7))
    g2 = select_construct(protocol.selection, arms, np.random.default_rng(7))
    assert g1.sensitivity == g2.sensitivity and g1.sensitivity_settings == protocol.selection.sensitivity_draws
    assert sum(g1.sensitivity.values()) == pytest.approx(1.0)


@settings(max_examples=30, deadline=None)
@given(resp=st.lists(st.integers(0, 9), min_size=2, max_size=3, unique=True))
def test_better_efficacy_alone_wins(protocol, resp):
    ids = ["DLL3-CD56", "DLL3-GD2", "CD56-GD2"]
    arms = [_arm(ids[i], responders=r) for i, r in enumerate(resp)]
    r = select_construct(protocol.selection, arms)
    best = ids[resp.index(max(resp))]
    assert r.selected == best and r.sensitivity[best] == pytest.approx(1.0)
    assert r.assessment(best).p_best["efficacy"] == max(c.p_best["efficacy"] for c in r.constructs)


def test_bad_inputs(protocol):
    with pytest.raises(ValueError, match="dlts_at_rp2d"):
        _arm(dlts_at_rp2d=7)
    with pytest.raises(ValueError, match="products_failed"):
        _arm(products_released=10, products_failed=1)
    with pytest.raises(ValueError, match="responders"):
        _arm(responders=10)
    with pytest.raises(ValueError, match="extra"):
        ArmSummary(construct="x", colour="red")
    with pytest.raises(InputError, match="arms.1.construct"):
        select_construct(protocol.selection, [_arm(), _arm()])
    with pytest.raises(InputError, match="arms"):
        select_construct(protocol.selection, [])


_counts = st.integers(0, 12)


@st.composite
def _random_arm(draw, construct):
    patients = draw(_counts)
    made = draw(_counts)
    released = draw(st.integers(0, made))
    evaluable = draw(_counts)
    series = draw(st.lists(st.dictionaries(st.sampled_from([1, 4, 7, 14, 21, 28]), st.floats(0, 1e5), max_size=6),
                           max_size=4))
    return ArmSummary(construct=construct, rp2d_level=draw(st.sampled_from([None, "DL1", "DL2"])),
                      patients_at_rp2d=patients, dlts_at_rp2d=draw(st.integers(0, patients)),
                      products_manufactured=made, products_released=released,
                      products_failed=draw(st.integers(0, made - released)),
                      median_vein_to_vein_days=draw(st.none() | st.floats(0, 60)), persistence=tuple(series),
                      evaluable_for_response=evaluable, responders=draw(st.integers(0, evaluable)))


@settings(max_examples=25, deadline=None)
@given(a=_random_arm("DLL3-CD56"), b=_random_arm("DLL3-GD2"), c=_random_arm("CD56-GD2"))
def test_invariants_on_random_arms(protocol, a, b, c):
    r = select_construct(protocol.selection, [a, b, c])
    eligible = [x for x in r.constructs if x.eligible]
    for x in r.constructs:
        assert all(0 <= v <= 1 for v in x.scores.values()) and 0 <= x.composite <= 1
        assert x.eligible == all(g.passed for g in x.gates)
    ranked = sorted(r.constructs, key=lambda x: x.rank)
    assert [x.rank for x in ranked] == [1, 2, 3]
    assert all(x.eligible for x in ranked[:len(eligible)])  # eligible constructs rank first
    comps = [x.composite for x in ranked[:len(eligible)]]
    assert comps == sorted(comps, reverse=True)
    assert r.selected == (ranked[0].construct if eligible else None)
    if eligible:
        assert sum(r.sensitivity.values()) == pytest.approx(1.0)
    for criterion in ("safety", "manufacturability", "persistence", "efficacy"):
        assert sum(x.p_best[criterion] for x in r.constructs) == pytest.approx(1.0, abs=1e-9)
