"""Toxicity stopping boundaries and their exact operating characteristics.

Pocock-type boundaries (Ivanova, Qaqish & Schell, Biometrics 2005;61:540–545) are checked against
the peer implementation ``clinfun::toxbdry`` (same construction, delta = 0), whose documented
examples print the boundary (stop if toxicities > r) and its operating characteristics.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dartnk.design.toxicity_monitoring import (
    Direction, MonitoringBoundary, bayesian_bounds, check_toxicity, pocock_bounds, toxicity_boundary,
)
from dartnk.errors import InputError
from dartnk.protocol.expansion import ToxicityMethod, ToxicityMonitoring


def test_clinfun_toxbdry_continuous_example():
    # toxbdry(0.1, 0.3, 2:30), high boundary "1/3 2/8 3/13 4/19 5/26 6/30" (last n of each r, stop if > r);
    # OCs (ptox, pcross, pstop, ess): 0.10 .097 .096 28.1; 0.14 .245 .239 25.8; 0.18 .441 .430 22.5;
    # 0.22 .638 .624 19.0; 0.26 .795 .781 15.6; 0.30 .898 .888 12.7
    bounds, level, cross = pocock_bounds(0.1, 0.1, range(2, 31))
    expected = {}
    for r, (first, last) in enumerate([(2, 3), (4, 8), (9, 13), (14, 19), (20, 26), (27, 30)], start=1):
        for n in range(first, last + 1):
            expected[n] = r + 1
    assert bounds == expected
    assert cross <= 0.1
    boundary = MonitoringBoundary("pocock", Direction.AT_LEAST, 30, bounds)
    ocs = boundary.operating_characteristics([0.10, 0.14, 0.18, 0.22, 0.26, 0.30])
    got = [(round(o.p_stop, 3), round(o.p_stop_early, 3), round(o.expected_n, 1)) for o in ocs]
    assert got == [(0.097, 0.096, 28.1), (0.245, 0.239, 25.8), (0.441, 0.430, 22.5),
                   (0.638, 0.624, 19.0), (0.795, 0.781, 15.6), (0.898, 0.888, 12.7)]


def test_clinfun_toxbdry_group_sequential_example():
    # toxbdry(0.2, 0.35, c(20, 40, 60, 75)): high boundary 7/20 12/40 17/60 21/75;
    # pcross.hi 0.088 at 0.20 (pstop 0.079, ess 72.0) and 0.911 at 0.35 (0.859, 39.9)
    bounds, _, _ = pocock_bounds(0.2, 0.1, [20, 40, 60, 75])
    assert bounds == {20: 8, 40: 13, 60: 18, 75: 22}
    b = MonitoringBoundary("pocock", Direction.AT_LEAST, 75, bounds)
    lo, hi = b.operating_characteristics([0.2, 0.35])
    assert (round(lo.p_stop, 3), round(lo.p_stop_early, 3), round(lo.expected_n, 1)) == (0.088, 0.079, 72.0)
    assert (round(hi.p_stop, 3), round(hi.p_stop_early, 3), round(hi.expected_n, 1)) == (0.911, 0.859, 39.9)


def test_pocock_level_is_the_largest_within_alpha():
    from scipy.stats import binom

    from dartnk.design.toxicity_monitoring import _pocock_bounds_at

    bounds, level, cross = pocock_bounds(0.3, 0.1, range(3, 25))
    assert cross <= 0.1
    larger = sorted({float(v) for n in range(3, 25) for v in binom.sf(range(-1, n), n, 0.3) if level < v < 1})[0]
    b2 = MonitoringBoundary("pocock", Direction.AT_LEAST, 24, _pocock_bounds_at(larger, 0.3, range(3, 25)))
    assert b2.operating_characteristics([0.3])[0].p_stop > 0.1


def _enumerate(boundary: MonitoringBoundary, p: float):
    """Brute force over all 2^n outcome sequences."""
    stop = early = en = 0.0
    for seq in itertools.product((0, 1), repeat=boundary.max_n):
        prob = 1.0
        for s in seq:
            prob *= p if s else 1 - p
        x, stopped_at = 0, None
        for n, s in enumerate(seq, start=1):
            x += s
            if boundary.stops(n, x):
                stopped_at = n
                break
        if stopped_at is not None:
            stop += prob
            early += prob if stopped_at < boundary.max_n else 0
        en += prob * (stopped_at or boundary.max_n)
    return stop, early, en


@pytest.mark.parametrize("method", [ToxicityMethod.BAYESIAN, ToxicityMethod.POCOCK])
def test_exact_oc_equals_brute_force(method):
    s = ToxicityMonitoring(method=method, threshold=0.3, probability=0.7, alpha=0.2, min_patients=2)
    b = toxicity_boundary(s, 10)
    for p in (0.1, 0.3, 0.55):
        o = b.operating_characteristics([p])[0]
        stop, early, en = _enumerate(b, p)
        assert o.p_stop == pytest.approx(stop, abs=1e-12)
        assert o.p_stop_early == pytest.approx(early, abs=1e-12)
        assert o.expected_n == pytest.approx(en, abs=1e-10)


@settings(max_examples=40, deadline=None)
@given(theta=st.floats(0.05, 0.6), c=st.floats(0.5, 0.95), a=st.floats(0.2, 3), b=st.floats(0.2, 3),
       n=st.integers(1, 40))
def test_bayesian_bound_is_the_first_count_over_the_probability(theta, c, a, b, n):
    from scipy.stats import beta

    bound = bayesian_bounds(theta, c, a, b, [n])[n]
    if bound is None:
        assert beta.sf(theta, a + n, b) <= c
    else:
        assert beta.sf(theta, a + bound, b + n - bound) > c
        if bound > 0:
            assert beta.sf(theta, a + bound - 1, b + n - bound + 1) <= c


def test_posterior_exactly_at_probability_does_not_stop():
    # Beta(1, 1), θ = 0.5: P(rate > 0.5 | 1 of 2) = 0.5 exactly; the rule is "> c", so no stop at c = 0.5
    s = ToxicityMonitoring(method=ToxicityMethod.BAYESIAN, threshold=0.5, probability=0.5, min_patients=1)
    d = check_toxicity(s, 2, 1, 10)
    assert not d.stop and d.bound == 2


def test_check_toxicity_uses_the_boundary(protocol):
    s = protocol.expansion.toxicity
    b = toxicity_boundary(s, protocol.expansion.size)
    for n in range(1, protocol.expansion.size + 1):
        bound = b.stop_at(n)
        if bound is None:
            assert not check_toxicity(s, n, n, protocol.expansion.size).stop
            continue
        assert check_toxicity(s, n, bound, protocol.expansion.size).stop
        if bound > 0:
            d = check_toxicity(s, n, bound - 1, protocol.expansion.size)
            assert not d.stop and d.reason.startswith("continue")
    stop = check_toxicity(s, 6, 4, 25)
    assert stop.stop and "stop for toxicity" in stop.reason and "P(DLT rate > 0.33" in stop.reason


def test_boundary_is_monotone_and_table_merges(protocol):
    b = toxicity_boundary(protocol.expansion.toxicity, 25)
    values = [b.stop_at(n) for n in range(3, 26)]
    assert all(v is not None for v in values) and values == sorted(values)
    table = b.table()
    assert table[0]["n_from"] == 3 and table[-1]["n_to"] == 25
    assert all("stop_if_at_least" in row for row in table)
    assert b.stop_at(2) is None  # before min_patients


def test_bad_inputs(protocol):
    s = protocol.expansion.toxicity
    with pytest.raises(InputError, match="n_dlts"):
        check_toxicity(s, 5, 6, 25)
    with pytest.raises(InputError, match="n_evaluable"):
        check_toxicity(s, 26, 0, 25)
    with pytest.raises(InputError, match="min_patients"):
        toxicity_boundary(s, 2)
    with pytest.raises(InputError, match="rates.0"):
        toxicity_boundary(s, 10).operating_characteristics([1.5])
