"""Identical results whatever the workers: in-process, local processes, a Dask LocalCluster."""

from __future__ import annotations

import numpy as np
import pytest

from dartnk.errors import InputError
from dartnk.sim.runner import plan_chunks, run_trials


def test_chunks_cover_every_trial_once():
    chunks = plan_chunks(2, 23, 10)
    assert [(c.scenario, c.start, c.stop) for c in chunks] == [(0, 0, 10), (0, 10, 20), (0, 20, 23),
                                                              (1, 0, 10), (1, 10, 20), (1, 20, 23)]


def test_one_and_two_workers_agree(protocol, scenarios):
    sc = [scenarios["default"], scenarios["one-toxic"]]
    done = []
    one = run_trials(protocol, sc, 12, 8, workers=1, progress=done.append)
    two = run_trials(protocol, sc, 12, 8, workers=2, chunk_size=5)
    assert sum(done) == 24
    assert all(np.array_equal(a, b) for a, b in zip(one, two))
    assert one[0].shape[0] == 12


def test_dask_local_cluster_agrees(protocol, scenarios):
    from distributed import Client, LocalCluster

    sc = [scenarios["slow-accrual"]]
    local = run_trials(protocol, sc, 8, 3, workers=1)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        dask = run_trials(protocol, sc, 8, 3, scheduler=client, chunk_size=3)
        by_address = run_trials(protocol, sc, 8, 3, scheduler=cluster.scheduler_address, chunk_size=4)
    assert np.array_equal(local[0], dask[0]) and np.array_equal(local[0], by_address[0])


@pytest.mark.parametrize("kw,field", [({"trials": 0}, "--trials"), ({"seed": -1}, "--seed"),
                                      ({"workers": 0}, "--workers"), ({"engine": "turbo"}, "engine")])
def test_bad_arguments(protocol, scenarios, kw, field):
    args = {"trials": 2, "seed": 1, "workers": 1, "engine": "fast"} | kw
    with pytest.raises(InputError) as info:
        run_trials(protocol, [scenarios["default"]], args["trials"], args["seed"], workers=args["workers"],
                   engine=args["engine"])
    assert info.value.field_path == field


def test_unreachable_scheduler_is_a_user_error(protocol, scenarios):
    with pytest.raises(InputError, match="--scheduler"):
        run_trials(protocol, [scenarios["default"]], 2, 1, scheduler="tcp://127.0.0.1:9")


def test_a_protocol_rule_that_cannot_apply_is_reported_before_simulating(protocol, scenarios):
    fut = protocol.expansion.futility.model_copy(update={"r1": None, "n1": None})
    p = protocol.model_copy(update={"expansion": protocol.expansion.model_copy(update={"size": 20, "futility": fut})})
    with pytest.raises(InputError) as info:
        run_trials(p, [scenarios["default"]], 2, 1)
    assert info.value.field_path == "expansion.size" and "Simon" in str(info.value)
