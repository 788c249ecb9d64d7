"""Speed of the 3+3 engine: exact operating characteristics for 3..10 levels, simulated trials per second.

Run: .venv/bin/python bench/bench_escalation.py [REPEATS]

Exact OC: median (and minimum) wall time of ``exact_oc`` in-process, "cold" (path graph compiled, i.e. the first
call for a design) and "warm" (graph cached, new toxicities). Simulation: trials per second of the
seeded simulation on one core, vectorised kernel and scalar (``next_decision``) kernel, uniforms
drawn included. True DLT probabilities rise evenly from 0.05 to 0.60; the protocol's 3+3 settings.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from dartnk.design.exact_oc import exact_oc  # noqa: E402
from dartnk.design.path_graph import clear_compiled, compile_paths  # noqa: E402
from dartnk.design.simulated_oc import simulated_oc  # noqa: E402
from dartnk.protocol import default_protocol  # noqa: E402


def scenario(k: int) -> list[float]:
    return [float(x) for x in np.linspace(0.05, 0.60, k)]


def time_exact(settings, k: int, repeats: int) -> tuple[list[float], list[float], int]:
    cold, warm = [], []
    for r in range(repeats):
        clear_compiled()
        t0 = time.perf_counter()
        exact_oc(settings, scenario(k))
        cold.append(time.perf_counter() - t0)
        tox = [min(1.0, p * (1 + 0.01 * (r + 1))) for p in scenario(k)]
        t0 = time.perf_counter()
        exact_oc(settings, tox)
        warm.append(time.perf_counter() - t0)
    return cold, warm, compile_paths(settings, k, 0).n_states


def trials_per_second(settings, k: int, n: int, kernel: str, repeats: int) -> float:
    rates = []
    for r in range(repeats):
        rng = np.random.default_rng(np.random.SeedSequence(r))
        t0 = time.perf_counter()
        simulated_oc(settings, scenario(k), 0, n, rng, kernel=kernel)
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    settings = default_protocol().escalation
    print("Exact operating characteristics (every dose path), protocol 3+3 settings, median of "
          f"{repeats} runs:")
    print(f"{'levels':>6}  {'states':>6}  {'cold ms (min)':>14}  {'warm ms (min)':>14}")
    for k in range(3, 11):
        cold, warm, states = time_exact(settings, k, repeats)
        print(f"{k:>6}  {states:>6}  {statistics.median(cold) * 1e3:>6.2f} ({min(cold) * 1e3:>5.2f})"
              f"  {statistics.median(warm) * 1e3:>6.2f} ({min(warm) * 1e3:>5.2f})")
    print()
    print("Seeded simulation, one core (uniforms included), median of 5 runs:")
    for k in (5, 6):
        vec = trials_per_second(settings, k, 1_000_000, "vectorised", 5)
        sca = trials_per_second(settings, k, 20_000, "scalar", 5)
        print(f"  {k} levels: vectorised {vec:,.0f} trials/s; scalar (next_decision) {sca:,.0f} trials/s")


if __name__ == "__main__":
    main()
