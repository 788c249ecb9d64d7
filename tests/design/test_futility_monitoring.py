"""Futility monitoring: Simon's stage-1 rule and Lee & Liu's predictive probability, exact OCs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dartnk.design.futility_monitoring import check_futility, futility_boundary, predictive_probability
from dartnk.design.simon import design_characteristics
from dartnk.errors import InputError
from dartnk.protocol.expansion import FutilityMethod, FutilityMonitoring


def test_simon_rule_ocs_equal_the_design(protocol):
    # Protocol: Simon minimax 1/15, 5/25 for p0 = 0.1, p1 = 0.3 (Simon 1989 Table 1)
    s = protocol.expansion.futility
    b = futility_boundary(s, 25)
    assert b.bounds == {15: 1} and b.final_success_at_least == 6
    d = design_characteristics(1, 15, 5, 25, 0.1, 0.3)
    o0, o1 = b.operating_characteristics([0.1, 0.3])
    assert o0.p_stop_early == pytest.approx(d.pet_p0, abs=1e-12)
    assert o0.expected_n == pytest.approx(d.en_p0, abs=1e-10)
    assert o0.p_promising == pytest.approx(d.alpha, abs=1e-12)
    assert o1.p_promising == pytest.approx(d.power, abs=1e-12)


def test_simon_design_derived_when_not_in_protocol():
    s = FutilityMonitoring(method=FutilityMethod.SIMON, p0=0.1, p1=0.3)
    assert futility_boundary(s, 29).bounds == {10: 1}  # optimal 1/10, 5/29
    assert futility_boundary(s, 25).bounds == {15: 1}  # minimax 1/15, 5/25
    with pytest.raises(InputError, match="max_n"):
        futility_boundary(s, 27)


def test_check_futility_simon(protocol):
    s = protocol.expansion.futility
    assert check_futility(s, 15, 1, 25).stop
    assert not check_futility(s, 15, 2, 25).stop
    d = check_futility(s, 10, 0, 25)
    assert not d.stop and "next look at 15" in d.reason


def _brute_pp(x, n, N, p0, theta_t, a, b):
    from scipy.special import betaln, comb
    from scipy.stats import beta
    import math

    m = N - n
    total = 0.0
    for y in range(m + 1):
        w = comb(m, y) * math.exp(betaln(a + x + y, b + n - x + m - y) - betaln(a + x, b + n - x))
        if beta.sf(p0, a + x + y, b + N - x - y) > theta_t:
            total += w
    return total


def test_lee_liu_table_1_example():
    # Lee & Liu, Clin Trials 2008;5:93–106, Table 1 (panel B): N = 40, 16 responses among 23,
    # p0 = 0.6, θ_T = 0.9, prior Beta(0.6, 0.4) → PP = 0.5656
    assert round(predictive_probability(16, 23, 40, 0.6, 0.9, 0.6, 0.4), 4) == 0.5656


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 30), frac=st.floats(0, 1), extra=st.integers(1, 20))
def test_predictive_probability_equals_the_sum(n, frac, extra):
    x = round(frac * n)
    N = n + extra
    pp = predictive_probability(x, n, N, 0.2, 0.9, 0.2, 0.8)
    assert pp == pytest.approx(_brute_pp(x, n, N, 0.2, 0.9, 0.2, 0.8), abs=1e-10)


def test_predictive_boundary_and_decision(protocol):
    s = protocol.expansion.futility.model_copy(update={"method": FutilityMethod.PREDICTIVE})
    b = futility_boundary(s, 25)
    assert min(b.bounds) == s.min_patients and max(b.bounds) == 24
    for n, bound in b.bounds.items():
        if bound is None:
            continue
        pp_at = predictive_probability(bound, n, 25, s.p0, s.efficacy_probability, s.p0, 1 - s.p0)
        pp_next = predictive_probability(bound + 1, n, 25, s.p0, s.efficacy_probability, s.p0, 1 - s.p0)
        assert pp_at < s.predictive_threshold <= pp_next
        assert check_futility(s, n, bound, 25).stop
        assert not check_futility(s, n, bound + 1, 25).stop
    o0, o1 = b.operating_characteristics([0.1, 0.3])
    assert o1.p_promising > o0.p_promising and o0.p_stop_early > o1.p_stop_early
    assert "predictive probability" in check_futility(s, 12, 0, 25).reason


def test_calibration_meets_error_rates_and_is_best(protocol):
    from dartnk.design.futility_monitoring import THETA_L_GRID, THETA_T_GRID, calibrate_predictive

    s = protocol.expansion.futility.model_copy(update={"method": FutilityMethod.PREDICTIVE})
    c = calibrate_predictive(s, 30)
    assert c.alpha <= s.alpha and c.power >= 1 - s.beta and c.candidates_meeting_constraints >= 1
    # no admissible pair on the grid has a smaller EN(p0)
    for tt in THETA_T_GRID[::4]:
        for tl in THETA_L_GRID:
            trial = s.model_copy(update={"efficacy_probability": tt, "predictive_threshold": tl})
            o0, o1 = futility_boundary(trial, 30).operating_characteristics([s.p0, s.p1])
            if o0.p_promising <= s.alpha and o1.p_promising >= 1 - s.beta:
                assert o0.expected_n >= c.en_p0 - 1e-12
    with pytest.raises(InputError, match="max_n"):
        calibrate_predictive(s, 12)


def test_bad_inputs(protocol):
    s = protocol.expansion.futility
    with pytest.raises(InputError, match="n_responses"):
        check_futility(s, 3, 4, 25)
    with pytest.raises(InputError, match="n1"):
        futility_boundary(s, 15)
    with pytest.raises(ValueError):
        FutilityMonitoring(method=FutilityMethod.SIMON, p0=0.1, p1=0.3, r1=1)
