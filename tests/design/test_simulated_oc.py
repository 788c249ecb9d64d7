"""Seeded simulation: the vectorised kernel equals next_decision trial by trial; exact vs simulated."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from dartnk.design.escalation import settings_with
from dartnk.design.exact_oc import exact_oc
from dartnk.design.path_graph import NO_MTD
from dartnk.design.simulated_oc import latent_uniforms, simulate_scalar, simulate_vectorised, simulated_oc
from dartnk.errors import InputError
from dartnk.protocol.escalation import MtdRule


@pytest.fixture(scope="module")
def classic(protocol):
    return protocol.escalation


@st.composite
def cases(draw):
    a = draw(st.integers(1, 4))
    b = draw(st.integers(0, 3))
    e1 = draw(st.integers(0, a - 1))
    e0 = draw(st.integers(0, e1)) if b else e1
    shape = dict(cohort_size=a, cohort_expansion=b, escalate_max_dlts=e0, expand_max_dlts=e1,
                 escalate_max_dlts_expanded=draw(st.integers(0, a + b - 1)), deescalate=draw(st.booleans()),
                 expand_top_level=draw(st.booleans()), mtd_rule=draw(st.sampled_from(list(MtdRule))))
    k = draw(st.integers(1, 5))
    tox = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k)))
    return shape, tox, draw(st.integers(0, k - 1)), draw(st.integers(0, 2 ** 32 - 1))


@hsettings(max_examples=60, deadline=None)
@given(case=cases())
def test_vectorised_kernel_equals_next_decision_on_the_same_uniforms(classic, case):
    shape, tox, start, seed = case
    s = settings_with(classic, **shape)
    u = latent_uniforms(np.random.default_rng(seed), 300, len(tox), s)
    a, b = simulate_scalar(s, tox, start, u), simulate_vectorised(s, tox, start, u)
    np.testing.assert_array_equal(a.mtd, b.mtd)
    np.testing.assert_array_equal(a.patients, b.patients)
    np.testing.assert_array_equal(a.dlts, b.dlts)


def test_every_boolean_combination_identical(classic):
    rng = np.random.default_rng(20260318)
    for de in (True, False):
        for et in (True, False):
            for rule in MtdRule:
                s = settings_with(classic, deescalate=de, expand_top_level=et, mtd_rule=rule)
                for start in (0, 1):
                    tox = [0.05, 0.15, 0.3, 0.45]
                    u = latent_uniforms(rng, 2000, 4, s)
                    a, b = simulate_scalar(s, tox, start, u), simulate_vectorised(s, tox, start, u)
                    assert (a.mtd == b.mtd).all() and (a.patients == b.patients).all() and (a.dlts == b.dlts).all()


def test_a_patient_has_a_dlt_iff_its_uniform_is_below_p(classic):
    u = np.full((1, 2, 6), 0.5)
    u[0, 1, :3] = [0.1, 0.2, 0.9]  # level 2: two DLTs at p = 0.3 → too toxic → confirm level 1
    out = simulate_vectorised(classic, [0.3, 0.3], 0, u)
    assert out.patients.tolist() == [[6, 3]] and out.dlts.tolist() == [[0, 2]] and out.mtd.tolist() == [0]
    out = simulate_vectorised(classic, [0.3, 0.3], 0, np.full((1, 2, 6), 0.3))  # U = p is not a DLT
    assert out.mtd.tolist() == [1] and out.dlts.sum() == 0


def test_common_random_numbers_make_scenarios_comparable(classic):
    """Same uniforms: raising every toxicity never raises any trial's MTD (coherence, pathwise)."""
    u = latent_uniforms(np.random.default_rng(7), 5000, 5, classic)
    lo = simulate_vectorised(classic, [0.05, 0.1, 0.2, 0.35, 0.5], 0, u)
    hi = simulate_vectorised(classic, [0.1, 0.15, 0.3, 0.45, 0.6], 0, u)
    assert (hi.mtd <= lo.mtd).all() and (hi.mtd < lo.mtd).any()


def test_seed_reproduces_and_batch_size_does_not_matter(classic):
    tox = [0.05, 0.1, 0.2, 0.35, 0.5]
    r1 = simulated_oc(classic, tox, 0, 3000, np.random.default_rng(np.random.SeedSequence(11)), batch=3000)
    r2 = simulated_oc(classic, tox, 0, 3000, np.random.default_rng(np.random.SeedSequence(11)), batch=700)
    r3 = simulated_oc(classic, tox, 0, 3000, np.random.default_rng(np.random.SeedSequence(11)), kernel="scalar", batch=1000)
    assert r1 == r2 == r3
    r4 = simulated_oc(classic, tox, 0, 3000, np.random.default_rng(np.random.SeedSequence(12)))
    assert r4.p_select != r1.p_select


@pytest.mark.parametrize("deescalate,expand_top", [(True, True), (True, False), (False, True), (False, False)])
def test_simulation_agrees_with_exact_within_monte_carlo_error(classic, deescalate, expand_top):
    s = settings_with(classic, deescalate=deescalate, expand_top_level=expand_top)
    tox = [0.05, 0.10, 0.20, 0.35, 0.50]
    exact = exact_oc(s, tox)
    sim = simulated_oc(s, tox, 0, 40_000, np.random.default_rng(np.random.SeedSequence(2026)), seed=2026)
    # 4.5 standard errors: each of ~25 comparisons fails by chance with probability < 1e-5
    for key in ("p_select", "mean_patients", "mean_dlts"):
        for e, m, se in zip(getattr(exact, key), getattr(sim, key), sim.se[key]):
            assert abs(m - e) <= 4.5 * se + 1e-12, (key, e, m, se)
    assert abs(sim.mean_n - exact.mean_n) <= 4.5 * sim.se["mean_n"]
    assert abs(sim.mean_total_dlts - exact.mean_total_dlts) <= 4.5 * sim.se["mean_total_dlts"]
    for n, p in exact.p_n.items():
        se = np.sqrt(p * (1 - p) / sim.n_sims)
        assert abs(sim.p_n.get(n, 0.0) - p) <= 4.5 * se + 1e-12
    assert sim.method == "simulation" and sim.n_sims == 40_000 and sim.seed == 2026


def test_standard_errors_are_the_binomial_and_sample_formulas(classic):
    sim = simulated_oc(classic, [0.2, 0.4], 0, 5000, np.random.default_rng(3))
    for p, se in zip(sim.p_select, sim.se["p_select"]):
        assert se == pytest.approx(np.sqrt(p * (1 - p) / 5000))
    u = latent_uniforms(np.random.default_rng(3), 5000, 2, classic)
    out = simulate_vectorised(classic, [0.2, 0.4], 0, u)
    assert sim.mean_patients == pytest.approx(out.patients.mean(0))
    assert sim.se["mean_patients"] == pytest.approx(out.patients.std(0, ddof=1) / np.sqrt(5000))
    assert sim.se["mean_n"] == pytest.approx(out.patients.sum(1).std(ddof=1) / np.sqrt(5000))
    assert sum(sim.p_select) == pytest.approx(1.0) and sum(sim.p_n.values()) == pytest.approx(1.0)
    assert (out.mtd >= NO_MTD).all()


def test_json_shape_of_a_simulated_result(classic):
    sim = simulated_oc(classic, [0.2, 0.4], 0, 100, np.random.default_rng(1), seed=1)
    j = sim.to_json({"deescalate": True})
    assert j["method"] == "simulation" and j["n_sims"] == 100 and j["seed"] == 1
    for key in ("se_p_select", "se_mean_patients", "se_mean_dlts", "se_mean_n", "se_mean_total_dlts", "se_p_n"):
        assert key in j
    assert all(isinstance(k, str) for k in j["p_n"])


@pytest.mark.parametrize("kwargs,field", [
    (dict(n_sims=0), "n_sims"),
    (dict(n_sims=10, kernel="gpu"), "kernel"),
])
def test_bad_arguments(classic, kwargs, field):
    with pytest.raises(InputError) as exc:
        simulated_oc(classic, [0.1], 0, rng=np.random.default_rng(0), **kwargs)
    assert exc.value.field_path == field
