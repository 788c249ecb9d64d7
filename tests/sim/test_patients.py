"""Virtual patients: child streams per trial index, common random numbers, the antigen copula."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import multivariate_normal, norm

from dartnk.sim.patients import BLOCK, N_UNIFORMS, PatientStream, compile_truth


def test_trial_stream_is_the_ith_child_of_the_seed(protocol, scenarios):
    truth = compile_truth(protocol, scenarios["default"])
    s = PatientStream(42, 3, truth)
    child = np.random.SeedSequence(42).spawn(4)[3]
    expected = np.random.default_rng(child).random((BLOCK, N_UNIFORMS))  # first draw of the block
    assert s.uniforms(0) == expected[0].tolist()
    assert s.uniforms(BLOCK - 1) == expected[-1].tolist()
    assert PatientStream(42, 4, truth).uniforms(0) != s.uniforms(0)


def test_same_patients_in_every_scenario(protocol, scenarios):
    """Common random numbers: arrival k of trial i has the same latent draws whatever the scenario."""
    a = PatientStream(7, 11, compile_truth(protocol, scenarios["default"]))
    b = PatientStream(7, 11, compile_truth(protocol, scenarios["gd2-rare"]))
    assert [a.uniforms(k) for k in range(150)] == [b.uniforms(k) for k in range(150)]
    # GD2 rarer: a patient qualifying for a GD2 construct under gd2-rare also qualifies under default
    for k in range(150):
        if any("GD2" in c for c in b.qualifying(k)):
            assert set(b.qualifying(k)) <= set(a.qualifying(k))


def test_antigen_marginals_and_joint_match_the_copula(protocol, scenarios):
    truth = compile_truth(protocol, scenarios["default"])
    n = 0
    counts = {"DLL3-CD56": 0, "DLL3-GD2": 0, "CD56-GD2": 0}
    for i in range(40):
        s = PatientStream(1, i, truth)
        for k in range(250):
            for c in s.qualifying(k):
                counts[c] += 1
            n += 1
    # P(both targets positive) under the Gaussian copula with ρ = 0.3 (exact bivariate normal CDF)
    prev = scenarios["default"].antigens.prevalence
    rho = scenarios["default"].antigens.correlation
    for c, (a, b) in {"DLL3-CD56": ("DLL3", "CD56"), "DLL3-GD2": ("DLL3", "GD2"), "CD56-GD2": ("CD56", "GD2")}.items():
        p = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([norm.ppf(prev[a]), norm.ppf(prev[b])])
        se = math.sqrt(p * (1 - p) / n)
        assert abs(counts[c] / n - p) < 4 * se, (c, counts[c] / n, p)
        assert p > prev[a] * prev[b]  # positive dependence is what the scenario states
