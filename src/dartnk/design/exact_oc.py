"""Exact operating characteristics of one arm by enumerating every dose path.

Every path of the rule (:func:`dartnk.design.escalation.next_decision`) is enumerated with its
binomial probability — each cohort of m patients at a level with true DLT probability p has
x DLTs with probability C(m, x) pᵡ (1 − p)ᵐ⁻ˣ — through the compiled path graph
(:mod:`dartnk.design.path_graph`), where paths reaching the same state are merged. Results are
computed backwards over the graph (children first), so each state is evaluated once. No
simulation: the numbers are exact up to floating-point rounding.

The quantities are those of Lin & Shih (Biostatistics 2001;2:203–215): the probability that each
level is declared MTD (and of none), expected patients and DLTs per level, their totals, and the
distribution of the number of patients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import numpy as np

from dartnk.design.path_graph import TERMINAL, PathGraph, compile_paths
from dartnk.errors import InputError, Problem
from dartnk.protocol.escalation import EscalationSettings


class OcMethod:
    EXACT = "exact"
    SIMULATION = "simulation"


@dataclass(frozen=True)
class OperatingCharacteristics:
    """An arm's operating characteristics (levels 0-based, lowest first).

    ``p_select`` is [P(no MTD), P(MTD = level 1), …, P(MTD = level K)]; ``p_n`` maps a total
    number of patients to its probability. Simulated results carry Monte Carlo standard errors
    (``se``: the same keys as the estimates) plus ``n_sims`` and ``seed``.
    """

    method: str
    true_tox: tuple[float, ...]
    start: int
    p_select: tuple[float, ...]
    mean_patients: tuple[float, ...]
    mean_dlts: tuple[float, ...]
    mean_n: float
    mean_total_dlts: float
    p_n: Mapping[int, float]
    se: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    n_sims: int | None = None
    seed: int | None = None

    @property
    def target_toxicity_level(self) -> float | None:
        """Expected true DLT probability of the level declared MTD, given that one is declared (Lin & Shih,
        Biostatistics 2001;2:203–215, quantity (iii)): Σ p_i P(MTD = i) / Σ P(MTD = i); None if none can be."""
        declared = sum(self.p_select[1:])
        if declared <= 0:
            return None
        return sum(p * q for p, q in zip(self.true_tox, self.p_select[1:])) / declared

    @property
    def overall_dlt_rate(self) -> float:
        """E[DLTs] / E[patients] over the whole arm (the Chen et al. 2018 calculator's "overall rate")."""
        return self.mean_total_dlts / self.mean_n if self.mean_n > 0 else 0.0

    def to_json(self, settings: dict[str, Any]) -> dict[str, Any]:
        """The ``dartnk oc --json`` object."""
        out: dict[str, Any] = {
            "method": self.method, "true_tox": list(self.true_tox), "settings": settings,
            "p_select": list(self.p_select), "mean_patients": list(self.mean_patients),
            "mean_dlts": list(self.mean_dlts), "mean_n": self.mean_n, "mean_total_dlts": self.mean_total_dlts,
            "p_n": {str(k): v for k, v in sorted(self.p_n.items())},
        }
        if self.method == OcMethod.SIMULATION:
            out["n_sims"] = self.n_sims
            out["seed"] = self.seed
            for key, value in self.se.items():
                out[f"se_{key}"] = value
        return out


def check_arm(true_tox: Sequence[float], start: int, field_tox: str = "true_tox", field_start: str = "start") -> tuple[float, ...]:
    """Validate true DLT probabilities (each in [0, 1], at least one) and a 0-based start level."""
    problems: list[Problem] = []
    tox = tuple(float(p) for p in true_tox)
    if not tox:
        problems.append(Problem(field_tox, "at least one DLT probability", []))
    for i, p in enumerate(tox):
        if not (math.isfinite(p) and 0.0 <= p <= 1.0):
            problems.append(Problem(f"{field_tox}[{i}]", "a probability in [0, 1]", p))
    if tox and not (isinstance(start, int) and 0 <= start < len(tox)):
        problems.append(Problem(field_start, f"a level index from 0 to {len(tox) - 1}", start))
    if problems:
        raise InputError(problems)
    return tox


def _binomial(m: int, p: float) -> np.ndarray:
    """P(X = x), x = 0..m, X ~ Binomial(m, p); exact 0/1 at p = 0 and p = 1."""
    return np.array([math.comb(m, x) * p ** x * (1.0 - p) ** (m - x) for x in range(m + 1)])


def _backward(graph: PathGraph, tox: tuple[float, ...], max_n: int) -> tuple[np.ndarray, ...]:
    """Per state: P(MTD), expected patients and DLTs per level, and the law of future patients."""
    k, s_count = graph.n_levels, graph.n_states
    sel = np.zeros((s_count, k + 1))
    pat = np.zeros((s_count, k))
    dlt = np.zeros((s_count, k))
    pn = np.zeros((s_count, max_n + 1))
    pmf_cache: dict[tuple[int, int], np.ndarray] = {}
    level, n_treat, nxt, mtd = graph.level, graph.n_treat, graph.next_state, graph.mtd
    for s in graph.order:
        lv = int(level[s])
        if lv == TERMINAL:
            sel[s, int(mtd[s]) + 1] = 1.0
            pn[s, 0] = 1.0
            continue
        m = int(n_treat[s])
        q = pmf_cache.get((lv, m))
        if q is None:
            q = pmf_cache[(lv, m)] = _binomial(m, tox[lv])
        children = nxt[s, : m + 1]
        sel[s] = q @ sel[children]
        pat[s] = q @ pat[children]
        pat[s, lv] += m
        dlt[s] = q @ dlt[children]
        dlt[s, lv] += m * tox[lv]
        pn[s, m:] = (q @ pn[children])[: max_n + 1 - m]
    return sel, pat, dlt, pn


def exact_oc(settings: EscalationSettings, true_tox: Sequence[float], start: int = 0) -> OperatingCharacteristics:
    """Exact operating characteristics of one arm of ``len(true_tox)`` levels from level ``start`` (0-based)."""
    tox = check_arm(true_tox, start)
    graph = compile_paths(settings, len(tox), start)
    max_n = len(tox) * settings.max_per_level
    sel, pat, dlt, pn = _backward(graph, tox, max_n)
    root = 0
    p_n = MappingProxyType({n: float(p) for n, p in enumerate(pn[root]) if p > 0.0})
    return OperatingCharacteristics(
        method=OcMethod.EXACT, true_tox=tox, start=start,
        p_select=tuple(float(v) for v in sel[root]),
        mean_patients=tuple(float(v) for v in pat[root]),
        mean_dlts=tuple(float(v) for v in dlt[root]),
        mean_n=float(pat[root].sum()), mean_total_dlts=float(dlt[root].sum()), p_n=p_n,
    )
