"""A simulation study: scenarios × trials through the engine, summarised with Monte Carlo errors.

One function serves every front end (``dartnk simulate``, the web page's small runs), so what they
report is computed the same way.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence


def run_study(protocol, scenarios: Sequence, *, trials: int, seed: int, workers: int = 1, scheduler=None,
              engine: str | None = None, progress: Callable[[int], None] | None = None) -> dict:
    """Simulate ``trials`` trials of each scenario and return the ``summary.json`` document.

    ``engine`` None picks the default for the run's size; ``scheduler`` (a Dask address) replaces
    local ``workers``. Results depend only on the seed, never on workers or engine.
    """
    from dartnk import __version__
    from dartnk.analysis.simulation_summary import summary_document
    from dartnk.sim.runner import default_engine, run_trials

    engine = engine or default_engine(trials * len(scenarios))
    started = time.perf_counter()
    matrices = run_trials(protocol, scenarios, trials, seed, workers=1 if scheduler else workers,
                          scheduler=scheduler, engine=engine, progress=progress)
    return summary_document(protocol, scenarios, matrices, trials=trials, seed=seed, engine=engine,
                            workers=0 if scheduler else workers, scheduler=scheduler,
                            elapsed_seconds=time.perf_counter() - started, version=__version__)
