"""Running many trials: in-process, on local worker processes, or on a Dask distributed cluster.

Work is cut into chunks of consecutive trial indices per scenario; trial ``i`` always uses the
child stream ``i`` of the run's ``SeedSequence(seed)`` (see :mod:`dartnk.sim.patients`), and the
chunks are reassembled in index order, so results are identical whatever the number of workers or
the scheduler. Scenarios share trial indices: trial ``i`` sees the same virtual patients in every
scenario (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from dartnk.errors import InputError

ENGINES = ("compiled", "fast", "reference")


COMPILE_WORTH_IT = 20_000  # trials: below this, compiling the kernel (once per machine) costs more than it saves


def default_engine(total_trials: int | None = None) -> str:
    """``compiled`` for large runs when numba is installed, else ``fast`` (the results are identical)."""
    from dartnk.sim.compiled import HAVE_NUMBA

    if not HAVE_NUMBA or (total_trials is not None and total_trials < COMPILE_WORTH_IT):
        return "fast"
    return "compiled"


@dataclass(frozen=True)
class Chunk:
    scenario: int
    start: int
    stop: int


def run_chunk(protocol, scenario, seed: int, start: int, stop: int, engine: str = "fast") -> np.ndarray:
    """Trials ``start..stop-1`` of one scenario: an int32 matrix, one outcome vector per row.

    ``compiled`` runs the numba kernel and hands any trial it cannot run to the ``fast`` path.
    """
    from dartnk.sim.fast_engine import FastEngine
    from dartnk.sim.loop import ReferenceEngine, simulate_trial
    from dartnk.sim.patients import PatientStream, compile_truth

    truth = compile_truth(protocol, scenario)
    cache: dict = {}
    kernel = _compiled_for(protocol, scenario, truth) if engine == "compiled" else None
    rows = []
    for i in range(start, stop):
        row = kernel.run(seed, i) if kernel is not None else None
        if row is None:
            eng = ReferenceEngine(protocol) if engine == "reference" else FastEngine(protocol, cache)
            row = simulate_trial(protocol, truth, PatientStream(seed, i, truth), eng)
        rows.append(row)
    return np.asarray(rows, dtype=np.int32).reshape(stop - start, -1)


_KERNELS: dict = {}


def _compiled_for(protocol, scenario, truth):
    """The kernel's tables for a (protocol, scenario) pair, built once per process."""
    from dartnk.sim.compiled import CompiledTrials

    key = (protocol.model_dump_json(), scenario.model_dump_json())
    if key not in _KERNELS:
        if len(_KERNELS) > 32:
            _KERNELS.clear()
        _KERNELS[key] = CompiledTrials(protocol, truth)
    return _KERNELS[key]


def plan_chunks(n_scenarios: int, trials: int, chunk_size: int) -> list[Chunk]:
    return [Chunk(s, a, min(a + chunk_size, trials)) for s in range(n_scenarios) for a in range(0, trials, chunk_size)]


def _check(trials: int, seed: int, workers: int, engine: str) -> None:
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise InputError.field("--trials", trials, "an integer ≥ 1")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError.field("--seed", seed, "an integer ≥ 0")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError.field("--workers", workers, "an integer ≥ 1")
    if engine not in ENGINES:
        raise InputError.field("engine", engine, f"one of {', '.join(ENGINES)}")
    if engine == "compiled":
        from dartnk.sim.compiled import HAVE_NUMBA

        if not HAVE_NUMBA:
            raise InputError.field("engine", engine, "fast or reference (the compiled engine needs numba installed)")


def preflight(protocol) -> None:
    """Evaluate the protocol's decision rules once before simulating, so that a rule the protocol
    cannot apply (e.g. a Simon design whose n differs from ``expansion.size``) is reported as one
    user error naming the field, not as a failure inside a worker."""
    from dartnk.design.escalation import LevelCounts, next_decision
    from dartnk.trial.rules import futility_check, toxicity_check

    from dartnk.errors import DartnkError

    size = protocol.expansion.size
    try:
        toxicity_check(protocol, 0, 0, size)
        futility_check(protocol, 0, 0, size)
    except DartnkError as exc:
        raise InputError.field("expansion.size", size, f"a size the expansion's monitoring rules accept ({exc})") from None
    next_decision(protocol.escalation, [LevelCounts(0, 0)] * len(protocol.dose_levels),
                  protocol.level_index(protocol.escalation.start_level))


def run_trials(protocol, scenarios: Sequence, trials: int, seed: int, *, workers: int = 1, scheduler=None,
               engine: str | None = None, chunk_size: int | None = None,
               progress: Callable[[int], None] | None = None) -> list[np.ndarray]:
    """Simulate ``trials`` trials of each scenario; one outcome matrix per scenario (rows = trial index).

    ``workers`` > 1 uses that many local processes; ``scheduler`` (a Dask scheduler address, or a
    ``distributed.Client``) submits the chunks to a Dask cluster instead. ``progress(n)`` is called
    with the number of trials just finished.
    """
    engine = engine or default_engine(trials * len(scenarios))
    _check(trials, seed, workers, engine)
    preflight(protocol)
    if engine == "compiled":
        run_chunk(protocol, scenarios[0], seed, 0, 1, engine)  # compile (or load the cache) before forking
    if chunk_size is None:
        per = max(1, trials * len(scenarios) // (8 * max(workers, 1)))
        chunk_size = max(10, min(2000 if engine == "compiled" else 500, per))
    chunks = plan_chunks(len(scenarios), trials, chunk_size)
    results: dict[Chunk, np.ndarray] = {}

    def done(c: Chunk, m: np.ndarray) -> None:
        results[c] = m
        if progress is not None:
            progress(c.stop - c.start)

    if scheduler is not None:
        _run_dask(protocol, scenarios, seed, engine, chunks, scheduler, done)
    elif workers == 1:
        for c in chunks:
            done(c, run_chunk(protocol, scenarios[c.scenario], seed, c.start, c.stop, engine))
    else:
        _run_processes(protocol, scenarios, seed, engine, chunks, workers, done)
    out = []
    for s in range(len(scenarios)):
        parts = [results[c] for c in chunks if c.scenario == s]
        out.append(np.vstack(parts))
    return out


def _run_processes(protocol, scenarios, seed, engine, chunks, workers, done) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {pool.submit(run_chunk, protocol, scenarios[c.scenario], seed, c.start, c.stop, engine): c for c in chunks}
        for f in as_completed(futures):
            done(futures[f], f.result())


def _run_dask(protocol, scenarios, seed, engine, chunks, scheduler, done) -> None:
    from distributed import Client, as_completed

    own = isinstance(scheduler, str)
    if own:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError.field("--scheduler", scheduler, f"the address of a reachable Dask scheduler ({exc})") from None
    else:
        client = scheduler
    try:
        futures = []
        index = {}
        for c in chunks:
            f = client.submit(run_chunk, protocol, scenarios[c.scenario], seed, c.start, c.stop, engine, pure=False)
            futures.append(f)
            index[f.key] = c
        for f in as_completed(futures):
            done(index[f.key], f.result())
    finally:
        if own:
            client.close()
