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


def cpu_seconds() -> float:
    """CPU time of this process and its finished worker processes (independent of other load)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


LAST_CPU = [0.0]


def rate(fn, n: int) -> tuple[float, float]:
    c = cpu_seconds()
    t = time.perf_counter()
    fn()
    el = time.perf_counter() - t
    LAST_CPU[0] = cpu_seconds() - c
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
    print(f"  (load average now {', '.join(f'{x:.1f}' for x in __import__('os').getloadavg())} on "
          f"{__import__('os').cpu_count()} CPUs; wall rates fall with the machine's other load, CPU time does not)")
    results = {}
    for engine in ("compiled", "fast"):
        k = n if engine == "compiled" else max(200, n // 10)
        for w in (1, 2):
            r, el = rate(lambda: results.setdefault((engine, w), run_trials(p, [sc], k, args.seed, workers=w,
                                                                          engine=engine)), k)
            cpu_ms = LAST_CPU[0] / k * 1e3
            print(f"  {engine} engine, {w} worker(s): {r:8.0f} trials/s ({k} trials, {el:.1f} s wall); "
                  f"100,000 trials ≈ {100_000 / r:.0f} s here; CPU {cpu_ms:.2f} ms/trial → "
                  f"≈ {100_000 * cpu_ms / 1e3 / w:.0f} s on {w} idle core(s)")
    same = all(np.array_equal(results[("compiled", 1)][0][:len(results[(e, w)][0])], results[(e, w)][0])
               for e, w in results)
    print(f"  identical results across engines and worker counts: {same}")
    m = max(50, n // 200)
    r, el = rate(lambda: run_trials(p, [sc], m, args.seed, engine="reference"), m)
    print(f"  reference engine (pure dartnk.trial, immutable state), 1 worker: {r:8.0f} trials/s ({m} trials)")

    one = p.model_copy(update={"constructs": p.constructs[:1]})
    sc1 = sc.model_copy(update={"constructs": {p.constructs[0].id: sc.constructs[p.constructs[0].id]}})
    run_trials(one, [sc1], 5, args.seed, engine="compiled")
    r, el = rate(lambda: run_trials(one, [sc1], n, args.seed, engine="compiled"), n)
    print(f"single-arm trial (one construct: 3+3, selection, expansion), compiled engine, 1 worker: {r:8.0f} trials/s; "
          f"CPU {LAST_CPU[0] / n * 1e3:.2f} ms/trial")

    from dartnk.design.simulated_oc import latent_uniforms, simulate_vectorised

    tox = [sc.constructs[p.constructs[0].id].dlt[d.id] for d in p.dose_levels]
    start = p.level_index(p.escalation.start_level)
    k = 200_000
    u = latent_uniforms(np.random.default_rng(args.seed), k, len(tox), p.escalation)
    r, el = rate(lambda: simulate_vectorised(p.escalation, tox, start, u), k)
    print(f"single-arm 3+3 escalation only (dartnk.design.simulated_oc, vectorised): {r:10.0f} trials/s")


if __name__ == "__main__":
    main()
