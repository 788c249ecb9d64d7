"""Speed of ``dartnk simulate``: full trials per second on 1 and 2 workers, the reference engine,
a single-arm 3+3 through the same loop, and the design layer's vectorised single-arm 3+3.

    .venv/bin/python bench/bench_simulate.py [--trials 4000]

Prints figures; asserts nothing (speed is measured, never tested).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from dartnk.protocol import default_protocol
from dartnk.sim.runner import run_trials
from dartnk.sim.scenario import shipped_scenario


def rate(fn, n: int) -> tuple[float, float]:
    t = time.perf_counter()
    fn()
    el = time.perf_counter() - t
    return n / el, el


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    p = default_protocol()
    sc = shipped_scenario("default", p)
    n = args.trials
    run_trials(p, [sc], 20, args.seed)  # warm caches, imports and the compiled kernel
    print(f"dartnk simulate, scenario 'default', {n} full trials (escalation in 3 arms, selection, expansion):")
    results = {}
    for engine in ("compiled", "fast"):
        k = n if engine == "compiled" else max(200, n // 10)
        for w in (1, 2):
            r, el = rate(lambda: results.setdefault((engine, w), run_trials(p, [sc], k, args.seed, workers=w,
                                                                          engine=engine)), k)
            print(f"  {engine} engine, {w} worker(s): {r:8.0f} trials/s ({k} trials, {el:.1f} s); "
                  f"100,000 trials ≈ {100_000 / r:.0f} s")
    same = all(np.array_equal(results[("compiled", 1)][0][:len(results[(e, w)][0])], results[(e, w)][0])
               for e, w in results)
    print(f"  identical results across engines and worker counts: {same}")
    m = max(50, n // 200)
    r, el = rate(lambda: run_trials(p, [sc], m, args.seed, engine="reference"), m)
    print(f"  reference engine (pure dartnk.trial, immutable state), 1 worker: {r:8.0f} trials/s ({m} trials)")

    one = p.model_copy(update={"constructs": p.constructs[:1]})
    sc1 = sc.model_copy(update={"constructs": {p.constructs[0].id: sc.constructs[p.constructs[0].id]}})
    run_trials(one, [sc1], 5, args.seed)
    r, el = rate(lambda: run_trials(one, [sc1], n, args.seed), n)
    print(f"single-arm trial (one construct, 3+3 + selection + expansion) through the same loop: {r:8.0f} trials/s")

    from dartnk.design.simulated_oc import latent_uniforms, simulate_vectorised

    tox = [sc.constructs[p.constructs[0].id].dlt[d.id] for d in p.dose_levels]
    start = p.level_index(p.escalation.start_level)
    k = 200_000
    u = latent_uniforms(np.random.default_rng(args.seed), k, len(tox), p.escalation)
    r, el = rate(lambda: simulate_vectorised(p.escalation, tox, start, u), k)
    print(f"single-arm 3+3 escalation only (dartnk.design.simulated_oc, vectorised): {r:10.0f} trials/s")


if __name__ == "__main__":
    main()
