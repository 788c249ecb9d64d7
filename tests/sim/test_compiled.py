"""The compiled kernel equals the Python fast path (which equals the trial engine) trial by trial."""

from __future__ import annotations

import numpy as np
import pytest

from dartnk.sim.compiled import HAVE_NUMBA, CompiledTrials
from dartnk.sim.patients import compile_truth
from dartnk.sim.runner import run_chunk
from dartnk.sim.scenario import shipped_names
from tests.sim.test_fast_engine import _variant

pytestmark = pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed")


@pytest.mark.parametrize("name", shipped_names())
def test_compiled_equals_fast(protocol, scenarios, name):
    fast = run_chunk(protocol, scenarios[name], 2027, 0, 25, "fast")
    compiled = run_chunk(protocol, scenarios[name], 2027, 0, 25, "compiled")
    assert np.array_equal(fast, compiled)


@pytest.mark.parametrize("changes", [
    {"policy": "round_robin"}, {"policy": "longest_waiting"}, {"cap": 30},
    {"applies_to": "first_cohort_per_level"}, {"max_wait": 0},
])
def test_compiled_equals_fast_on_protocol_variants(protocol, scenarios, changes):
    p = _variant(protocol, **changes)
    for name in ("default", "gd2-rare", "manufacturing-failures"):
        assert np.array_equal(run_chunk(p, scenarios[name], 41, 0, 10, "fast"),
                              run_chunk(p, scenarios[name], 41, 0, 10, "compiled")), (changes, name)


def test_more_arrivals_are_drawn_when_needed(protocol, scenarios):
    ct = CompiledTrials(protocol, compile_truth(protocol, scenarios["slow-accrual"]))
    ct.blocks = 1  # 64 arrivals: every trial needs more
    first = ct.run(3, 0)
    assert ct.blocks > 1 and first == run_chunk(protocol, scenarios["slow-accrual"], 3, 0, 1, "fast")[0].tolist()


def test_states_outside_the_tables_fall_back_to_the_python_path(protocol, scenarios):
    ev = protocol.evaluability.model_copy(update={"replace_non_evaluable": False})
    p = protocol.model_copy(update={"evaluability": ev})
    sc = scenarios["default"].model_copy(update={"not_evaluable": 0.3})
    ct = CompiledTrials(p, compile_truth(p, sc))
    outcomes = [ct.run(5, i) for i in range(6)]
    assert any(o is None for o in outcomes)  # a cohort with fewer evaluable patients than treated
    assert np.array_equal(run_chunk(p, sc, 5, 0, 6, "compiled"), run_chunk(p, sc, 5, 0, 6, "fast"))


def test_compiled_on_a_dask_local_cluster(protocol, scenarios):
    from distributed import Client, LocalCluster

    from dartnk.sim.runner import run_trials

    sc = [scenarios["one-toxic"]]
    local = run_trials(protocol, sc, 12, 9, workers=1, engine="fast")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        dask = run_trials(protocol, sc, 12, 9, scheduler=client, engine="compiled", chunk_size=4)
    assert np.array_equal(local[0], dask[0])
