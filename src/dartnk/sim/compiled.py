"""The compiled fast path: the event loop and the lean engine fused into one numba kernel.

A transliteration of :func:`dartnk.sim.loop.simulate_trial` driving
:class:`dartnk.sim.fast_engine.FastEngine` — same events in the same order (the heap orders by
day, then push sequence), decisions carried out at the point they are made (the order the loop
would carry them out), the 3+3 rule and the monitoring rules read from tables computed by the
design layer's own functions, the interim selection by the engine's rule (a callback). A trial
the tables do not cover (a 3+3 state not reached from the start by whole cohorts, more arrivals
than drawn) is re-run with more draws or handed to the Python path, so the result is always that
of the event-by-event engine; ``tests/sim/test_compiled.py`` checks equality on every scenario.
"""

from __future__ import annotations

import numpy as np

from dartnk.sim.kernel.numba_shim import HAVE_NUMBA
from dartnk.sim.kernel.layout import (A_DEESC, A_ESC, A_SAME, ACTION_CODES, POLICY, S_STATUS, STAGGER, STATUS_MORE_ARRIVALS,
                                      STATUS_OK, T_OS12, T_SELECTED)

__all__ = ["HAVE_NUMBA", "CompiledTrials"]


# -- the Python side: tables, draws, and the fallback ------------------------------------------------

class CompiledTrials:
    """Tables of one (protocol, scenario) pair for the kernel; ``run(seed, i)`` is one trial's
    outcome vector (the layout of :func:`dartnk.sim.outcome.outcome_fields`)."""

    def __init__(self, protocol, truth):
        from dartnk.design.escalation import LevelCounts, next_decision
        from dartnk.trial.rules import futility_check, toxicity_check

        self.protocol, self.truth = protocol, truth
        p, sc = protocol, truth.scenario
        n_arms, n_levels = len(truth.construct_ids), len(p.dose_levels)
        self.n_arms, self.n_levels = n_arms, n_levels
        self.n_antigens = len(truth.thresholds)
        cts = truth.constructs
        esc: dict[int, int] = {}
        self.supported = n_levels <= 7 and n_arms <= 62
        if self.supported:
            self._escalation_table(esc, p, n_levels, LevelCounts, next_decision)
        size = p.expansion.size
        tox = np.zeros((size + 1, size + 1), np.bool_)
        fut = np.zeros((size + 1, size + 1), np.bool_)
        for n in range(size + 1):
            for x in range(n + 1):
                tox[n, x] = toxicity_check(p, n, x, size).stop
                fut[n, x] = futility_check(p, n, x, size).stop
        self.T = (np.array([c.dlt for c in cts]), np.array([c.response for c in cts]),
                  np.array([c.crs_cum for c in cts]), np.array([c.icans_cum for c in cts]),
                  np.array([c.manufacturing_success for c in cts]),
                  np.array([esc[k] for k in sorted(esc)], dtype=np.int64), np.zeros(1),
                  np.array([c.persistence_detected for c in cts]), np.array([c.log10_copies[0] for c in cts]),
                  np.array([c.log10_copies[1] for c in cts]), np.array([c.pfs_rate for c in cts]),
                  np.array([c.os_rate for c in cts]), np.array(sorted(esc), dtype=np.int64), tox, fut)
        esc_s = p.escalation
        r = p.response
        I = np.zeros(20 + 2 * n_arms, np.int64)
        I[:19] = [p.trial.max_participants, p.assignment.max_wait_days, POLICY[p.assignment.policy],
                  esc_s.stagger.sentinel_days, STAGGER[esc_s.stagger.applies_to], p.dlt.window_days,
                  p.evaluability.required_infusions, int(p.evaluability.observe_full_window),
                  int(p.evaluability.replace_non_evaluable), len([d for d in p.infusions.days if d > 0]),
                  esc_s.cohort_size, p.level_index(esc_s.start_level),
                  r.assessment_interval_days * (2 if r.confirmation_required else 1), p.selection.persistence_day,
                  max(0, -min(min(a.days) for a in p.lymphodepletion.agents)), sc.committee_days,
                  sc.accrual.screening_days, sc.max_trial_days, size]
        for a, c in enumerate(cts):
            I[20 + 2 * a], I[21 + 2 * a] = c.manufacturing_days
        from dartnk.sim.kernel.steps import _SELECT_CONTEXT

        key = len(_SELECT_CONTEXT) + 1
        _SELECT_CONTEXT[key] = {"protocol": p, "construct_ids": list(truth.construct_ids),
                                "level_ids": [d.id for d in p.dose_levels]}
        I[19] = key
        self.I = I
        self.F = np.array([sc.accrual.screen_failure, sc.accrual.dropout_before_dosing, sc.not_evaluable,
                           truth.gap_scale, 365.25 / 2, 365.25], dtype=np.float64)
        patterns = np.zeros(2 ** self.n_antigens, np.int64)
        from itertools import product
        for pattern in product((False, True), repeat=self.n_antigens):
            idx = sum(1 << j for j, v in enumerate(pattern) if v)
            patterns[idx] = sum(1 << truth.construct_ids.index(c) for c in truth.qualifying[pattern])
        self.patterns = patterns
        self.blocks = 4

    @staticmethod
    def _escalation_table(esc, p, n_levels, LevelCounts, next_decision) -> None:
        """Every 3+3 decision reachable from the start by whole cohorts, from ``next_decision``
        (key: the packed per-level counts and the current level; value: action, level, patients)."""
        names = [d.id for d in p.dose_levels]
        start = p.level_index(p.escalation.start_level)
        todo = [((0,) * (2 * n_levels), start, p.escalation.cohort_size)]
        seen = set()
        while todo:
            tallies, level, n = todo.pop()
            for x in range(n + 1):
                t = list(tallies)
                t[2 * level] += n
                t[2 * level + 1] += x
                t = tuple(t)
                if (t, level) in seen:
                    continue
                seen.add((t, level))
                if max(t) > 15:
                    continue
                d = next_decision(p.escalation, [LevelCounts(t[2 * i], t[2 * i + 1]) for i in range(n_levels)], level,
                                  level_names=names)
                key = 0
                for i in range(n_levels):
                    key |= (t[2 * i] | (t[2 * i + 1] << 4)) << (8 * i)
                key |= level << (8 * n_levels)
                action = ACTION_CODES[getattr(d.action, "value", d.action)]
                lv = -1 if d.level is None else d.level
                esc[key] = action * 1_000_000 + (lv + 1) * 1000 + d.n_patients
                if action in (A_SAME, A_ESC, A_DEESC):
                    todo.append((t, lv, d.n_patients))

    def _draws(self, seed: int, i: int, blocks: int):
        from dartnk.sim.patients import BLOCK, N_UNIFORMS

        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
        us, zs, qs = [], [], []
        chol_t, thr = self.truth.chol.T, self.truth.thresholds
        weights = 1 << np.arange(self.n_antigens)
        for _ in range(blocks):
            u = rng.random((BLOCK, N_UNIFORMS))
            z = rng.standard_normal((BLOCK, self.n_antigens + 1))
            positive = (z[:, :self.n_antigens] @ chol_t) < thr
            us.append(u)
            zs.append(z[:, self.n_antigens])
            qs.append(self.patterns[(positive * weights).sum(axis=1)])
        zc = np.zeros((blocks * BLOCK, 2))
        zc[:, 0] = np.concatenate(zs)
        return np.vstack(us), zc, np.concatenate(qs).astype(np.int64)

    def run(self, seed: int, i: int):
        """One trial's outcome vector, or None when the kernel cannot run it (use the Python path)."""
        if not self.supported:
            return None
        blocks = self.blocks
        while True:
            U, ZC, QM = self._draws(seed, i, blocks)
            from dartnk.sim.kernel.loop import _kernel

            S, MTD, CLS, TR, DL = _kernel(U, ZC, QM, self.T, self.F, self.I, self.n_arms, self.n_levels, U.shape[0])
            if S[S_STATUS] == STATUS_MORE_ARRIVALS:
                blocks *= 2
                self.blocks = max(self.blocks, blocks)
                continue
            if S[S_STATUS] != STATUS_OK:
                return None
            break
        vec = []
        for a in range(self.n_arms):
            vec += [int(MTD[a]), int(CLS[a])]
        for a in range(self.n_arms):
            vec += [int(v) for v in TR[a]] + [int(v) for v in DL[a]]
        return vec + [int(v) for v in S[T_SELECTED:T_OS12 + 1]]
