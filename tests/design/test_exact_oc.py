"""Exact operating characteristics: independent methods, published values, and invariants."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from dartnk.design.escalation import EscalationAction, LevelCounts, next_decision, settings_with
from dartnk.design.exact_oc import exact_oc
from dartnk.design.path_graph import compile_paths
from dartnk.errors import InputError
from dartnk.protocol.escalation import MtdRule


@pytest.fixture(scope="module")
def classic(protocol):
    return protocol.escalation


def binom(m: int, x: int, p: float) -> float:
    return math.comb(m, x) * p ** x * (1 - p) ** (m - x)


def cdf(m: int, x: int, p: float) -> float:
    return sum(binom(m, k, p) for k in range(0, min(x, m) + 1)) if x >= 0 else 0.0


# -- method 2: brute-force enumeration of every path, no merging, straight from next_decision ---------------

def brute_force(s, tox, start):
    k = len(tox)
    sel, pat, dlt, law = [0.0] * (k + 1), [0.0] * k, [0.0] * k, {}

    def walk(counts, current, prob, n):
        d = next_decision(s, [LevelCounts(*c) for c in counts], current)
        if d.done:
            sel[0 if d.level is None else d.level + 1] += prob
            law[n] = law.get(n, 0.0) + prob
            return
        lv, m = d.level, d.n_patients
        for x in range(m + 1):
            q = binom(m, x, tox[lv])
            pat[lv] += prob * q * m
            dlt[lv] += prob * q * x
            new = list(counts)
            new[lv] = (counts[lv][0] + m, counts[lv][1] + x)
            walk(tuple(new), lv, prob * q, n + m)

    walk(tuple((0, 0) for _ in tox), start, 1.0, 0)
    return sel, pat, dlt, law


VARIANTS = [dict(cohort_size=a, cohort_expansion=b, escalate_max_dlts=e0, expand_max_dlts=e1, escalate_max_dlts_expanded=e2)
            for a, b, e0, e1, e2 in [(3, 3, 0, 1, 1), (2, 2, 0, 1, 1), (4, 2, 1, 2, 2), (3, 0, 0, 0, 0), (4, 4, 0, 2, 1)]]


@pytest.mark.parametrize("de,et,rule", list(itertools.product([True, False], [True, False], list(MtdRule))))
@pytest.mark.parametrize("shape", VARIANTS)
def test_equals_brute_force_enumeration(classic, de, et, rule, shape):
    s = settings_with(classic, deescalate=de, expand_top_level=et, mtd_rule=rule, **shape)
    for tox in ([0.1, 0.3, 0.5, 0.7], [0.05, 0.25, 0.33]):
        for start in range(len(tox)):
            sel, pat, dlt, law = brute_force(s, tox, start)
            r = exact_oc(s, tox, start)
            assert r.p_select == pytest.approx(sel, abs=1e-12)
            assert r.mean_patients == pytest.approx(pat, abs=1e-12)
            assert r.mean_dlts == pytest.approx(dlt, abs=1e-12)
            assert set(r.p_n) == {n for n, p in law.items() if p > 0}
            for n, p in law.items():
                assert r.p_n.get(n, 0.0) == pytest.approx(p, abs=1e-12)


# -- method 3: closed forms ------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.0, 0.05, 0.1, 0.2, 1 / 3, 0.5, 0.9, 1.0])
def test_one_level_closed_form(classic, p):
    q0, q1 = binom(3, 0, p), binom(3, 1, p)
    # expand_top_level = false: MTD iff 0/3, or 1/3 then 0/3
    r = exact_oc(settings_with(classic, expand_top_level=False), [p])
    assert r.p_select[1] == pytest.approx(q0 + q1 * q0, abs=1e-15)
    assert r.mean_n == pytest.approx(3 + 3 * q1, abs=1e-15)
    # expand_top_level = true: 0/3 then ≤ 1/3, or 1/3 then 0/3
    r = exact_oc(classic, [p])
    assert r.p_select[1] == pytest.approx(q0 * cdf(3, 1, p) + q1 * q0, abs=1e-15)
    assert r.mean_n == pytest.approx(3 + 3 * (q0 + q1), abs=1e-15)
    assert r.p_select[0] + r.p_select[1] == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("p1,p2", [(0.1, 0.3), (0.2, 0.2), (0.05, 0.6), (0.3, 0.1)])
def test_two_levels_with_deescalation_closed_form(classic, p1, p2):
    """Classic 3+3, deescalate and expand_top_level false, written path by path."""
    s = settings_with(classic, expand_top_level=False)
    a0, a1 = binom(3, 0, p1), binom(3, 1, p1)
    tol2 = binom(3, 0, p2) + binom(3, 1, p2) * binom(3, 0, p2)
    # level 1 tolerated with 6 (1/3 + 0/3), or with 3 (0/3) and confirmed by 3 more with ≤ 1 DLT
    p_mtd1 = a1 * a0 * (1 - tol2) + a0 * (1 - tol2) * cdf(3, 1, p1)
    r = exact_oc(s, [p1, p2])
    assert r.p_select[2] == pytest.approx((a0 + a1 * a0) * tol2, abs=1e-14)
    assert r.p_select[1] == pytest.approx(p_mtd1, abs=1e-14)
    assert r.p_select[0] == pytest.approx(1 - (a0 + a1 * a0) + a0 * (1 - tol2) * (1 - cdf(3, 1, p1)), abs=1e-14)


def lin_shih_p_select(s, tox):
    """P(MTD = i) of the A+B design from start level 1 by the closed form of Lin & Shih (Biostatistics
    2001;2:203–215, section 2: designs without and with dose de-escalation), written independently:
    T_j = P(tolerated at the first visit), Q2_j = P(tolerated after A, not confirmed after A+B)."""
    a, b, e0, e1, e2 = (s.cohort_size, s.cohort_expansion, s.escalate_max_dlts, s.expand_max_dlts,
                        s.escalate_max_dlts_expanded)
    k = len(tox)
    p0 = [cdf(a, e0, p) for p in tox]
    q0 = [sum(binom(a, x, p) * cdf(b, e2 - x, p) for x in range(e0 + 1, e1 + 1)) for p in tox]
    confirm = [sum(binom(a, x, p) * cdf(b, e2 - x, p) for x in range(e0 + 1)) for p in tox]
    q2 = [p0[j] - confirm[j] for j in range(k)]
    tol = [p0[j] + q0[j] for j in range(k)]
    top_tol = confirm[k - 1] + q0[k - 1] if s.expand_top_level else tol[k - 1]
    fail = [1 - tol[j] for j in range(k - 1)] + [1 - top_tol]
    out = [0.0] * (k + 1)
    out[k] = math.prod(tol[: k - 1]) * top_tol
    for t in range(k):  # t: the first level found too toxic (0-based)
        reach = math.prod(tol[:t])
        if not s.deescalate:
            out[t] += reach * fail[t]  # MTD = level below t (index t in out, 0 = none)
            continue
        for i in range(t, -1, -1):  # the chain stops at level i (i = 0: none)
            between = math.prod(q2[i:t])
            below = math.prod(tol[: i - 1]) if i >= 1 else 1.0
            stop_here = (q0[i - 1] + confirm[i - 1]) if i >= 1 else 1.0
            out[i] += below * stop_here * between * fail[t]
    return out


LIN_SHIH_CASES = [(tox, shape) for tox in ([0.05, 0.1, 0.2, 0.35, 0.5], [0.01, 0.014, 0.025, 0.056, 0.177, 0.594, 0.963],
                                           [0.3, 0.4, 0.5]) for shape in VARIANTS[:3]]
LIN_SHIH_CASES.append(([0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.14, 0.16, 0.18, 0.20], VARIANTS[0]))


@pytest.mark.parametrize("de,et", list(itertools.product([True, False], [True, False])))
@pytest.mark.parametrize("tox,shape", LIN_SHIH_CASES)
def test_equals_lin_shih_closed_form(classic, de, et, tox, shape):
    s = settings_with(classic, deescalate=de, expand_top_level=et, **shape)
    assert exact_oc(s, tox).p_select == pytest.approx(lin_shih_p_select(s, tox), abs=1e-12)


# -- published values ----------------------------------------------------------------------------------

LIN_SHIH_EXAMPLE = [0.01, 0.014, 0.025, 0.056, 0.177, 0.594, 0.963]
"""DLT rates of the worked A+B example of Chow, Shao & Wang, Sample Size Calculations in Clinical Research
(Marcel Dekker 2003), Examples 11.6.1 (3+3 without de-escalation) and 11.6.2 (with de-escalation), as
reproduced by the R package TrialSize (``AB.withoutDescalation``/``AB.withDescalation`` help pages)."""


def test_chow_shao_wang_example_11_6_1(classic):
    # Example 11.6.1: A=3, B=3, C=D=E=1 without de-escalation; published E[patients at level 1] = 3.1
    s = settings_with(classic, deescalate=False, expand_top_level=False)
    r = exact_oc(s, LIN_SHIH_EXAMPLE)
    assert round(r.mean_patients[0], 1) == 3.1
    assert r.mean_patients[0] == pytest.approx(3 + 3 * binom(3, 1, 0.01), abs=1e-12)


def test_chow_shao_wang_example_11_6_2(classic):
    # Example 11.6.2: with de-escalation; published E[patients at level 7] = 0.2
    s = settings_with(classic, deescalate=True, expand_top_level=False)
    assert round(exact_oc(s, LIN_SHIH_EXAMPLE).mean_patients[6], 1) == 0.2


@pytest.mark.parametrize("p,published", [(0.1, 0.91), (0.2, 0.71), (0.3, 0.49), (0.4, 0.31), (0.5, 0.17),
                                         (0.6, 0.08), (0.7, 0.03), (0.8, 0.01), (0.9, 0.001)])
def test_probability_of_escalating_past_a_level(classic, p, published):
    # The 3+3's probability of escalating past a level with DLT rate p, (1−p)³[1 + 3p(1−p)²], as tabulated in
    # reviews of dose-escalation designs (e.g. Le Tourneau, Lee & Siu, J Natl Cancer Inst 2009;101:708–720):
    # 0.91, 0.71, 0.49, 0.31, 0.17, 0.08, 0.03, 0.01, 0.001 for p = 0.1 … 0.9. In a one-level arm whose top level is
    # not expanded, that is P(the level is declared MTD).
    r = exact_oc(settings_with(classic, expand_top_level=False), [p])
    assert round(r.p_select[1], 3 if published < 0.01 else 2) == published
    assert r.p_select[1] == pytest.approx((1 - p) ** 3 * (1 + 3 * p * (1 - p) ** 2), abs=1e-15)


# -- invariants (hypothesis) -----------------------------------------------------------------------------

probs = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def arms(draw, max_levels=6):
    k = draw(st.integers(1, max_levels))
    tox = sorted(draw(st.lists(probs, min_size=k, max_size=k)))
    return tox, draw(st.integers(0, k - 1))


@st.composite
def designs(draw, coherent_only=False):
    a = draw(st.integers(1, 4))
    b = draw(st.integers(0, 4))
    e1 = draw(st.integers(0, a - 1))
    e0 = draw(st.integers(0, e1)) if b else e1
    de = draw(st.booleans())
    rule = MtdRule.BELOW_TOXIC if (coherent_only and not de) else draw(st.sampled_from(list(MtdRule)))
    return dict(cohort_size=a, cohort_expansion=b, escalate_max_dlts=e0, expand_max_dlts=e1,
                escalate_max_dlts_expanded=draw(st.integers(0, a + b - 1)), deescalate=de,
                expand_top_level=draw(st.booleans()), mtd_rule=rule)


@hsettings(max_examples=150, deadline=None)
@given(arm=arms(), shape=designs())
def test_probabilities_and_expectations_are_coherent(classic, arm, shape):
    tox, start = arm
    s = settings_with(classic, **shape)
    r = exact_oc(s, tox, start)
    assert sum(r.p_select) == pytest.approx(1.0, abs=1e-12)
    assert all(-1e-15 <= p <= 1 + 1e-12 for p in r.p_select)
    assert sum(r.p_n.values()) == pytest.approx(1.0, abs=1e-12)
    assert sum(n * p for n, p in r.p_n.items()) == pytest.approx(r.mean_n, abs=1e-9)
    assert r.mean_n == pytest.approx(sum(r.mean_patients), abs=1e-12)
    assert r.mean_total_dlts == pytest.approx(sum(r.mean_dlts), abs=1e-12)
    # expected patients at the start level ≥ A (the first cohort is always treated there)
    assert r.mean_patients[start] >= s.cohort_size - 1e-12
    # Wald's identity: each patient at a level has a DLT with its probability, whatever the path
    for p, n, x in zip(tox, r.mean_patients, r.mean_dlts):
        assert x == pytest.approx(p * n, abs=1e-9)
    assert max(r.p_n) <= len(tox) * s.max_per_level and min(r.p_n) >= min(s.cohort_size, s.max_per_level)


@hsettings(max_examples=150, deadline=None)
@given(arm=arms(), shape=designs(coherent_only=True), bump=st.lists(st.floats(0.0, 0.3), min_size=6, max_size=6))
def test_raising_toxicity_never_raises_the_mtd(classic, arm, shape, bump):
    """P(MTD ≥ level j) can only fall when every DLT probability rises (the rule is coherent: with
    the same patients, more DLTs never give a higher MTD). Not claimed for ``highest_full_tolerated``
    without de-escalation, which is incoherent by definition (docs/escalation.md)."""
    tox, start = arm
    higher = [min(1.0, p + d) for p, d in zip(tox, bump)]
    s = settings_with(classic, **shape)
    lo, hi = exact_oc(s, tox, start), exact_oc(s, higher, start)
    for j in range(1, len(tox) + 1):
        assert sum(hi.p_select[j:]) <= sum(lo.p_select[j:]) + 1e-12


def test_highest_full_tolerated_without_deescalation_is_not_monotone(classic):
    """The documented caveat: with DL1 0/3 then DL2 too toxic there is no level with A+B patients."""
    s = settings_with(classic, deescalate=False, mtd_rule="highest_full_tolerated")
    assert exact_oc(s, [0.0, 1.0]).p_select[0] == 1.0  # DL1 0/3, DL2 ≥ 2/3 → no MTD
    assert exact_oc(s, [0.2, 1.0]).p_select[1] > 0.0   # DL1 1/3 + 0/3 → DL1 is the MTD


def test_degenerate_toxicities(classic):
    r = exact_oc(classic, [0.0, 0.0, 0.0])
    assert r.p_select == (0.0, 0.0, 0.0, 1.0) and r.p_n == {12: 1.0} and r.mean_patients == (3.0, 3.0, 6.0)
    r = exact_oc(settings_with(classic, expand_top_level=False), [0.0, 0.0, 0.0])
    assert r.p_n == {9: 1.0}
    r = exact_oc(classic, [1.0, 1.0])
    assert r.p_select == (1.0, 0.0, 0.0) and r.p_n == {3: 1.0} and r.mean_dlts == (3.0, 0.0)
    r = exact_oc(classic, [0.0, 1.0])  # DL1 0/3, DL2 3/3 → DL1 confirmed with 3 more → MTD
    assert r.p_select == (0.0, 1.0, 0.0) and r.p_n == {9: 1.0}
    r = exact_oc(settings_with(classic, deescalate=False), [0.0, 1.0])
    assert r.p_select == (0.0, 1.0, 0.0) and r.p_n == {6: 1.0}


def test_start_above_the_lowest_level(classic):
    """DART-NK-SCLC shape: DL-1, DL1 (start), DL2, DL3."""
    r = exact_oc(classic, [1.0, 1.0, 0.1, 0.1], start=1)
    assert r.p_select == (1.0, 0.0, 0.0, 0.0, 0.0)  # DL1 too toxic, DL-1 too toxic
    assert r.mean_patients == (3.0, 3.0, 0.0, 0.0)
    r = exact_oc(classic, [0.0, 1.0, 0.1, 0.1], start=1)  # DL-1 needs 6 to be declared
    assert r.p_select == (0.0, 1.0, 0.0, 0.0, 0.0) and r.mean_patients == (6.0, 3.0, 0.0, 0.0)
    r = exact_oc(settings_with(classic, deescalate=False), [0.0, 1.0, 0.1, 0.1], start=1)
    assert r.p_select == (0.0, 1.0, 0.0, 0.0, 0.0) and r.mean_patients == (3.0, 3.0, 0.0, 0.0)


def test_result_is_frozen_and_graph_is_shared(classic):
    r = exact_oc(classic, [0.1, 0.2])
    with pytest.raises(AttributeError):
        r.mean_n = 0.0
    assert compile_paths(classic, 2, 0) is compile_paths(classic, 2, 0)
    # the stagger and the design scenarios do not change the rule: same graph
    assert compile_paths(settings_with(classic, complete_window_before_escalation=False), 2, 0) is compile_paths(classic, 2, 0)
    assert compile_paths(settings_with(classic, deescalate=False), 2, 0) is not compile_paths(classic, 2, 0)


@pytest.mark.parametrize("tox,start,field", [
    ([], 0, "true_tox"),
    ([0.2, 1.5], 0, "true_tox[1]"),
    ([-0.1], 0, "true_tox[0]"),
    ([float("nan")], 0, "true_tox[0]"),
    ([0.1, 0.2], 2, "start"),
    ([0.1, 0.2], -1, "start"),
])
def test_bad_arguments(classic, tox, start, field):
    with pytest.raises(InputError) as exc:
        exact_oc(classic, tox, start)
    assert exc.value.field_path == field


@hsettings(max_examples=40, deadline=None)
@given(arm=arms(max_levels=3), shape=designs())
def test_merged_paths_equal_unmerged_paths_for_any_design(classic, arm, shape):
    """The path graph's merging of states never changes a number (random A+B designs, ≤ 3 levels)."""
    tox, start = arm
    s = settings_with(classic, **shape)
    sel, pat, dlt, law = brute_force(s, tox, start)
    r = exact_oc(s, tox, start)
    assert r.p_select == pytest.approx(sel, abs=1e-12)
    assert r.mean_patients == pytest.approx(pat, abs=1e-12)
    assert r.mean_dlts == pytest.approx(dlt, abs=1e-12)
    for n, p in law.items():
        assert r.p_n.get(n, 0.0) == pytest.approx(p, abs=1e-12)
