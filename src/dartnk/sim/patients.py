"""Virtual patients with common random numbers.

Trial ``i`` of a run with seed ``s`` draws everything from one child stream,
``SeedSequence(s, spawn_key=(i,))`` (the ``i``-th child of ``SeedSequence(s)``), so a trial's
patients do not depend on how trials are split among workers. The ``k``-th arrival of trial ``i``
is the same person in every scenario and design: their latent uniforms (arrival gap, screening,
dropout, manufacturing, toxicity, DLT onset, evaluability, response, persistence, CRS, ICANS, PFS,
OS) and antigen latent normals are drawn once, in blocks, and each scenario maps them to outcomes
by thresholds (a DLT iff the toxicity uniform < the true DLT probability of the level given, so
outcomes are monotone in the truth and paired across scenarios).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dartnk.sim.scenario import Scenario, correlation_matrix

# columns of the latent uniforms
U_GAP, U_SCREEN, U_DROPOUT, U_MFG, U_MFG_DAYS, U_TOX, U_ONSET, U_NONEVAL, U_RESP, U_PERSIST, U_RESERVED, U_CRS, \
    U_ICANS, U_PFS, U_OS = range(15)
N_UNIFORMS = 15
BLOCK = 64
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class ConstructTruth:
    dlt: tuple[float, ...]            # per protocol level
    response: tuple[float, ...]
    crs_cum: tuple[float, ...]        # cumulative P(grade ≤ g)
    icans_cum: tuple[float, ...]
    manufacturing_success: float
    manufacturing_days: tuple[int, int]
    persistence_detected: float
    log10_copies: tuple[float, float]
    pfs_rate: float                   # exponential hazard per day (median in months → rate)
    os_rate: float


@dataclass(frozen=True)
class Truth:
    """A scenario compiled against a protocol for fast lookups (construct order of the protocol)."""

    scenario: Scenario
    constructs: tuple[ConstructTruth, ...]
    construct_ids: tuple[str, ...]
    chol: np.ndarray                  # Cholesky factor of the latent correlation
    thresholds: np.ndarray            # Φ⁻¹(prevalence), antigen order of the protocol
    qualifying: dict                  # antigen-positivity pattern → qualifying construct ids
    gap_scale: float                  # mean days between arrivals


def _cum(p) -> tuple[float, ...]:
    out, s = [], 0.0
    for x in p:
        s += x
        out.append(s)
    return tuple(out)


def compile_truth(protocol, scenario: Scenario) -> Truth:
    from itertools import product

    from scipy.stats import norm

    from dartnk.trial.assignment import qualifying_constructs

    levels = [d.id for d in protocol.dose_levels]
    antigens = [a.id for a in protocol.antigens]
    cts = []
    for c in protocol.constructs:
        s = scenario.constructs[c.id]
        cts.append(ConstructTruth(
            dlt=tuple(s.dlt[lv] for lv in levels), response=tuple(s.response[lv] for lv in levels),
            crs_cum=_cum(s.crs_grade), icans_cum=_cum(s.icans_grade),
            manufacturing_success=s.manufacturing_success, manufacturing_days=tuple(s.manufacturing_days),
            persistence_detected=s.persistence_detected, log10_copies=tuple(s.persistence_log10_copies),
            pfs_rate=math.log(2) / (s.pfs_median_months * DAYS_PER_MONTH),
            os_rate=math.log(2) / (s.os_median_months * DAYS_PER_MONTH)))
    qual = {}
    for pattern in product((False, True), repeat=len(antigens)):
        qual[pattern] = qualifying_constructs(protocol, dict(zip(antigens, pattern)))
    r = correlation_matrix(scenario, antigens)
    prev = np.array([scenario.antigens.prevalence[a] for a in antigens], dtype=float)
    with np.errstate(divide="ignore"):
        thr = norm.ppf(prev)
    return Truth(scenario, tuple(cts), tuple(c.id for c in protocol.constructs), np.linalg.cholesky(r), thr, qual,
                 DAYS_PER_MONTH / scenario.accrual.patients_per_month)


class PatientStream:
    """The latent draws of one trial's arrivals, generated block by block on demand."""

    def __init__(self, seed: int, trial_index: int, truth: Truth):
        self.rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(trial_index,)))
        self.n_antigens = n_antigens = len(truth.thresholds)
        self.truth = truth
        self.u: list[list[float]] = []
        self.z: np.ndarray = np.empty((0, n_antigens + 1))
        self.qual: list[tuple[str, ...]] = []

    def _grow(self) -> None:
        u = self.rng.random((BLOCK, N_UNIFORMS))
        z = self.rng.standard_normal((BLOCK, self.n_antigens + 1))  # antigen latents + persistence
        self.u.extend(u.tolist())
        self.z = np.vstack([self.z, z])
        positive = (z[:, :self.n_antigens] @ self.truth.chol.T) < self.truth.thresholds  # below Φ⁻¹(prevalence)
        self.qual.extend(self.truth.qualifying[tuple(row)] for row in positive.tolist())

    def copies_normal(self, k: int) -> float:
        """The standard normal of arrival k's persistence level (log10 copies = mean + sd · z)."""
        while k >= len(self.u):
            self._grow()
        return float(self.z[k, self.n_antigens])

    def qualifying(self, k: int) -> tuple[str, ...]:
        """The constructs arrival k qualifies for under the stream's scenario (vectorised per block)."""
        while k >= len(self.qual):
            self._grow()
        return self.qual[k]

    def uniforms(self, k: int) -> list[float]:
        while k >= len(self.u):
            self._grow()
        return self.u[k]


def grade(u: float, cum: tuple[float, ...]) -> int:
    for g, c in enumerate(cum):
        if u < c:
            return g
    return len(cum) - 1
