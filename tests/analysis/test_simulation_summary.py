"""Simulation summary: Monte Carlo errors, exact intervals, and the summary.json document."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dartnk.analysis.simulation_summary import (SCHEMA, clopper_pearson, distribution, histogram, mean, prop, quantile,
                                                summarise_scenario, summary_document)
from dartnk.sim.runner import run_trials
from dartnk.sim.scenario import shipped_scenario


def test_proportion_and_mean_standard_errors():
    p = prop([1, 0, 0, 1])
    assert p == {"p": 0.5, "se": pytest.approx(math.sqrt(0.25 / 4))}
    m = mean([1.0, 2.0, 3.0])
    assert m["mean"] == 2.0 and m["se"] == pytest.approx(1 / math.sqrt(3))
    assert mean([])["mean"] is None


def test_quantile_interval_brackets_the_estimate():
    x = np.arange(1, 101)
    q = quantile(x, 0.5)
    assert q["value"] == pytest.approx(50.5)
    lo, hi = q["ci95"]
    assert lo < 50.5 < hi and lo >= 40 and hi <= 61


@pytest.mark.parametrize("x,n,lo,hi", [
    # Clopper-Pearson 95%, as R binom.test(x, n)$conf.int prints them
    (0, 10, 0.0, 0.3084971),
    (5, 10, 0.1870860, 0.8129140),
    (10, 10, 0.6915029, 1.0),
    (1, 15, 0.001686446, 0.319484700),
])
def test_clopper_pearson_reference_values(x, n, lo, hi):
    a, b = clopper_pearson(np.array([x]), np.array([n]))
    assert a[0] == pytest.approx(lo, abs=1e-6) and b[0] == pytest.approx(hi, abs=1e-6)


def test_distribution_and_histogram():
    assert distribution([3, 3, 6]) == {"3": pytest.approx(2 / 3), "6": pytest.approx(1 / 3)}
    h = histogram([0.5, 2.9, 3.0, 7.0], 3.0)
    assert h["edges"] == [0.0, 3.0, 6.0, 9.0] and h["p"] == [0.5, 0.25, 0.25]


@pytest.fixture(scope="module")
def small_run(protocol):
    sc = [shipped_scenario("default", protocol), shipped_scenario("nothing-works", protocol)]
    return sc, run_trials(protocol, sc, 40, 11, workers=1)


def test_summary_document_is_coherent(protocol, small_run):
    sc, m = small_run
    doc = summary_document(protocol, sc, m, trials=40, seed=11, engine="fast", workers=1, scheduler=None,
                           elapsed_seconds=1.0, version="0.1.0")
    assert doc["schema"] == SCHEMA and doc["seed"] == 11 and doc["protocol"]["registry_id"] == "NCT07480213"
    for s in doc["scenarios"]:
        assert s["n_trials"] == 40
        assert sum(v["p"] for v in s["selection"]["p_selected"].values()) == pytest.approx(1.0)
        for arm in s["arms"].values():
            assert sum(v["p"] for v in arm["p_mtd"].values()) == pytest.approx(1.0)
        assert s["participants"]["p_over_cap"]["p"] == 0.0 and s["participants"]["max"] <= 60
        assert sum(s["participants"]["distribution"].values()) == pytest.approx(1.0)
        assert sum(s["duration_months"]["histogram"]["p"]) == pytest.approx(1.0)
        assert s["duration_months"]["median"]["value"] > 0
    nothing = doc["scenarios"][1]
    assert nothing["selection"]["best_construct"] is None
    # correct = nothing selected or stopped for futility
    assert nothing["selection"]["p_best_selected"]["p"] >= nothing["expansion"]["p_stop_futility"]["p"]


def test_orr_bias_and_coverage_use_the_true_rate(protocol, small_run):
    sc, m = small_run
    s = summarise_scenario(protocol, sc[0], m[0])
    orr = s["expansion"]["orr"]
    assert orr["trials"] > 0 and 0 <= orr["coverage_95"]["p"] <= 1
    assert orr["bias"]["mean"] == pytest.approx(orr["estimate_mean"] - orr["true_mean"], abs=1e-12)


def test_wrong_matrix_shape_is_refused(protocol, small_run):
    sc, m = small_run
    with pytest.raises(ValueError, match="columns"):
        summarise_scenario(protocol, sc[0], m[0][:, :5])
