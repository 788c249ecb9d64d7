"""Seeded Monte Carlo of the same escalation rule, with common random numbers.

Each virtual patient has a latent uniform U drawn once per (trial, level, slot) — slot j is the
j-th patient ever treated at that level — and has a DLT iff U < p(level). Two toxicity scenarios
simulated from the same seed therefore compare the same patients (common random numbers), and
the estimates of a scenario are reproducible from its seed whatever the batch size (uniforms are
drawn trial after trial from one ``numpy.random.Generator``).

Two kernels consume the same uniforms and give identical trials (tested):

- :func:`simulate_scalar` runs :func:`dartnk.design.escalation.next_decision` trial by trial;
- :func:`simulate_vectorised` advances all trials at once through the compiled path graph
  (:mod:`dartnk.design.path_graph`, itself built by driving ``next_decision``).

:func:`simulated_oc` summarises many trials with Monte Carlo standard errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Sequence

import numpy as np

from dartnk.design.escalation import EscalationAction, LevelCounts, next_decision
from dartnk.design.exact_oc import OcMethod, OperatingCharacteristics, check_arm
from dartnk.design.path_graph import NO_MTD, TERMINAL, compile_paths
from dartnk.errors import InputError
from dartnk.protocol.escalation import EscalationSettings

DEFAULT_BATCH = 65_536
"""Trials per batch of uniforms (bounds memory: batch × levels × (A + B) doubles)."""


@dataclass(frozen=True)
class TrialOutcomes:
    """Per simulated trial: the MTD (0-based, ``NO_MTD`` = none), patients and DLTs per level."""

    mtd: np.ndarray
    patients: np.ndarray
    dlts: np.ndarray


def latent_uniforms(rng: np.random.Generator, n_trials: int, n_levels: int, settings: EscalationSettings) -> np.ndarray:
    """U[trial, level, slot] ~ Uniform(0, 1), shape (n_trials, n_levels, A + B)."""
    return rng.random((n_trials, n_levels, settings.max_per_level))


def simulate_scalar(settings: EscalationSettings, true_tox: Sequence[float], start: int, uniforms: np.ndarray) -> TrialOutcomes:
    """Run each trial by calling :func:`next_decision` until the arm is done."""
    tox = check_arm(true_tox, start)
    n_trials, k = uniforms.shape[0], len(tox)
    mtd = np.empty(n_trials, dtype=np.int64)
    patients = np.zeros((n_trials, k), dtype=np.int64)
    dlts = np.zeros((n_trials, k), dtype=np.int64)
    for t in range(n_trials):
        treated, tox_seen, current = [0] * k, [0] * k, start
        while True:
            d = next_decision(settings, [LevelCounts(n, x) for n, x in zip(treated, tox_seen)], current)
            if d.done:
                mtd[t] = d.level if d.action is EscalationAction.DECLARE_MTD else NO_MTD
                break
            lv, m = d.level, d.n_patients
            slots = uniforms[t, lv, treated[lv]: treated[lv] + m]
            tox_seen[lv] += int(np.count_nonzero(slots < tox[lv]))
            treated[lv] += m
            current = lv
        patients[t], dlts[t] = treated, tox_seen
    return TrialOutcomes(mtd, patients, dlts)


def simulate_vectorised(settings: EscalationSettings, true_tox: Sequence[float], start: int, uniforms: np.ndarray) -> TrialOutcomes:
    """All trials advance together, one cohort per step, through the compiled path graph."""
    tox = check_arm(true_tox, start)
    graph = compile_paths(settings, len(tox), start)
    n_trials, k, slots = uniforms.shape
    # cum[t, l, j] = DLTs among the first j patients of level l (0 ≤ j ≤ A + B)
    dlt_flags = uniforms < np.asarray(tox)[None, :, None]
    cum = np.zeros((n_trials, k, slots + 1), dtype=np.int16)
    np.cumsum(dlt_flags, axis=2, out=cum[:, :, 1:])
    patients = np.zeros((n_trials, k), dtype=np.int64)
    dlts = np.zeros((n_trials, k), dtype=np.int64)
    state = np.zeros(n_trials, dtype=np.int64)
    active = np.arange(n_trials)
    while active.size:
        st = state[active]
        lv = graph.level[st]
        live = lv != TERMINAL
        if not live.all():
            active, st, lv = active[live], st[live], lv[live]
            if not active.size:
                break
        m, s0 = graph.n_treat[st], graph.slot0[st]
        x = cum[active, lv, s0 + m].astype(np.int64) - cum[active, lv, s0]
        patients[active, lv] += m
        dlts[active, lv] += x
        state[active] = graph.next_state[st, x]
    return TrialOutcomes(graph.mtd[state], patients, dlts)


class _Totals:
    """Running sums over batches, for means and standard errors."""

    def __init__(self, k: int, max_n: int):
        self.n = 0
        self.select = np.zeros(k + 1)
        self.pat, self.pat2 = np.zeros(k), np.zeros(k)
        self.dlt, self.dlt2 = np.zeros(k), np.zeros(k)
        self.tot_n = self.tot_n2 = self.tot_x = self.tot_x2 = 0.0
        self.n_law = np.zeros(max_n + 1)

    def add(self, out: TrialOutcomes) -> None:
        k = out.patients.shape[1]
        self.n += out.mtd.shape[0]
        self.select += np.bincount(out.mtd + 1, minlength=k + 1)
        p, d = out.patients.astype(float), out.dlts.astype(float)
        self.pat += p.sum(0)
        self.pat2 += (p * p).sum(0)
        self.dlt += d.sum(0)
        self.dlt2 += (d * d).sum(0)
        n, x = p.sum(1), d.sum(1)
        self.tot_n += n.sum()
        self.tot_n2 += (n * n).sum()
        self.tot_x += x.sum()
        self.tot_x2 += (x * x).sum()
        self.n_law += np.bincount(n.astype(np.int64), minlength=self.n_law.shape[0])


def _se(total, total_sq, n: int):
    """Standard error of a mean from running sums (sample variance, n − 1)."""
    if n < 2:
        return np.zeros_like(np.asarray(total, dtype=float))
    mean = np.asarray(total, dtype=float) / n
    var = np.maximum(np.asarray(total_sq, dtype=float) / n - mean * mean, 0.0) * n / (n - 1)
    return np.sqrt(var / n)


def simulated_oc(settings: EscalationSettings, true_tox: Sequence[float], start: int, n_sims: int,
                 rng: np.random.Generator, *, seed: int | None = None, kernel: str = "vectorised",
                 batch: int = DEFAULT_BATCH) -> OperatingCharacteristics:
    """Operating characteristics estimated from ``n_sims`` simulated trials, with standard errors.

    ``kernel`` is ``"vectorised"`` (fast) or ``"scalar"`` (``next_decision`` trial by trial); both
    give the same trials for the same ``rng``. ``seed`` is only recorded in the result.
    """
    tox = check_arm(true_tox, start)
    if not isinstance(n_sims, int) or n_sims < 1:
        raise InputError.field("n_sims", n_sims, "a whole number of simulated trials ≥ 1")
    run = {"vectorised": simulate_vectorised, "scalar": simulate_scalar}.get(kernel)
    if run is None:
        raise InputError.field("kernel", kernel, "'vectorised' or 'scalar'")
    k = len(tox)
    totals = _Totals(k, k * settings.max_per_level)
    done = 0
    while done < n_sims:
        size = min(batch, n_sims - done)
        totals.add(run(settings, tox, start, latent_uniforms(rng, size, k, settings)))
        done += size
    n = totals.n
    p_select = totals.select / n
    se_select = np.sqrt(p_select * (1 - p_select) / n)
    law = totals.n_law / n
    return OperatingCharacteristics(
        method=OcMethod.SIMULATION, true_tox=tox, start=start,
        p_select=tuple(float(v) for v in p_select),
        mean_patients=tuple(float(v) for v in totals.pat / n),
        mean_dlts=tuple(float(v) for v in totals.dlt / n),
        mean_n=float(totals.tot_n / n), mean_total_dlts=float(totals.tot_x / n),
        p_n=MappingProxyType({i: float(v) for i, v in enumerate(law) if v > 0}),
        se=MappingProxyType({
            "p_select": [float(v) for v in se_select],
            "mean_patients": [float(v) for v in _se(totals.pat, totals.pat2, n)],
            "mean_dlts": [float(v) for v in _se(totals.dlt, totals.dlt2, n)],
            "mean_n": float(_se(totals.tot_n, totals.tot_n2, n)),
            "mean_total_dlts": float(_se(totals.tot_x, totals.tot_x2, n)),
            "p_n": {str(i): float(np.sqrt(v * (1 - v) / n)) for i, v in enumerate(law) if v > 0},
        }),
        n_sims=n, seed=seed,
    )
