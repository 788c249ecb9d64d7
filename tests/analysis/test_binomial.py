"""Binomial intervals and the beta posterior against R and scipy values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dartnk.analysis.binomial import IntervalMethod, beta_posterior, binomial_interval
from dartnk.errors import InputError


def test_clopper_pearson_matches_r_binom_test():
    # R 4.x: binom.test(5, 20)$conf.int → 0.08657147 0.49104587
    ci = binomial_interval(5, 20)
    assert ci.estimate == 0.25
    assert ci.lower == pytest.approx(0.08657147, abs=5e-9)
    assert ci.upper == pytest.approx(0.49104587, abs=5e-9)


def test_clopper_pearson_at_zero_and_n():
    # R: binom.test(0, 20)$conf.int → 0 0.1684335; binom.test(20, 20) → 0.8315665 1
    zero, full = binomial_interval(0, 20), binomial_interval(20, 20)
    assert zero.lower == 0.0 and zero.upper == pytest.approx(0.1684335, abs=5e-8)
    assert full.upper == 1.0 and full.lower == pytest.approx(0.8315665, abs=5e-8)
    # closed form at x = 0: upper = 1 − (α/2)^(1/n)
    assert zero.upper == pytest.approx(1 - 0.025 ** (1 / 20), rel=1e-12)


def test_wilson_matches_r_prop_test_without_correction():
    # R: prop.test(5, 20, correct = FALSE)$conf.int → 0.1118617 0.4687009
    ci = binomial_interval(5, 20, method="wilson")
    assert ci.lower == pytest.approx(0.1118617, abs=5e-8)
    assert ci.upper == pytest.approx(0.4687009, abs=5e-8)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 200), frac=st.floats(0, 1), conf=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_exact_and_wilson_agree_with_scipy(n, frac, conf):
    from scipy.stats import binomtest

    x = round(frac * n)
    ref = binomtest(x, n)
    for method, name in ((IntervalMethod.CLOPPER_PEARSON, "exact"), (IntervalMethod.WILSON, "wilson")):
        ci = binomial_interval(x, n, conf, method)
        low, high = ref.proportion_ci(confidence_level=conf, method=name)
        assert ci.lower == pytest.approx(low, abs=1e-9)
        assert ci.upper == pytest.approx(high, abs=1e-9)
        assert ci.lower <= ci.estimate <= ci.upper


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 150), frac=st.floats(0, 1))
def test_clopper_pearson_tails_are_exactly_half_alpha(n, frac):
    from scipy.stats import binom

    x = round(frac * n)
    ci = binomial_interval(x, n, 0.9)
    if x > 0:
        assert binom.sf(x - 1, n, ci.lower) == pytest.approx(0.05, abs=1e-7)
    if x < n:
        assert binom.cdf(x, n, ci.upper) == pytest.approx(0.05, abs=1e-7)


def test_jeffreys_definition_and_boundaries():
    from scipy.stats import beta

    ci = binomial_interval(5, 20, method="jeffreys")
    assert ci.lower == pytest.approx(beta.ppf(0.025, 5.5, 15.5))
    assert ci.upper == pytest.approx(beta.ppf(0.975, 5.5, 15.5))
    # Brown, Cai & DasGupta 2001: lower limit 0 at x = 0, upper limit 1 at x = n
    assert binomial_interval(0, 10, method="jeffreys").lower == 0.0
    assert binomial_interval(10, 10, method="jeffreys").upper == 1.0


def test_beta_posterior_probability_above_threshold():
    from scipy.stats import beta

    post = beta_posterior(5, 20, 0.5, 0.5, threshold=0.1)
    assert (post.a, post.b) == (5.5, 15.5)
    assert post.mean == pytest.approx(5.5 / 21)
    assert post.p_above == pytest.approx(beta.sf(0.1, 5.5, 15.5))
    # uniform prior, no data: P(rate > 0.3) = 0.7 exactly
    assert beta_posterior(0, 0, 1, 1, threshold=0.3).p_above == pytest.approx(0.7)


@pytest.mark.parametrize("x,n,field", [(-1, 10, "x"), (11, 10, "x"), (0, 0, "n"), (1.5, 3, "x")])
def test_bad_counts_name_the_field(x, n, field):
    with pytest.raises(InputError) as err:
        binomial_interval(x, n)
    assert err.value.field_path == field


def test_bad_level_and_method():
    with pytest.raises(InputError, match="conf"):
        binomial_interval(1, 2, conf=1.0)
    with pytest.raises(InputError, match="method"):
        binomial_interval(1, 2, method="exact")
