"""The Phase 2 expansion at the RP2D and its continuous monitoring for toxicity and futility."""

from __future__ import annotations

from enum import Enum

from pydantic import Field, model_validator

from dartnk.protocol.base import ProtocolModel


class ToxicityMethod(str, Enum):
    BAYESIAN = "bayesian"  # stop if P(rate > threshold | data) > probability (beta-binomial)
    POCOCK = "pocock"  # Ivanova, Qaqish & Schell, Biometrics 2005;61:540–545


class ToxicityMonitoring(ProtocolModel):
    method: ToxicityMethod
    threshold: float = Field(gt=0, lt=1, description="unacceptable DLT rate θ")
    probability: float = Field(default=0.8, gt=0, lt=1, description="Bayesian: stop if P(rate > θ | data) > this")
    prior_a: float = Field(default=1.0, gt=0)
    prior_b: float = Field(default=1.0, gt=0)
    alpha: float = Field(default=0.1, gt=0, lt=1, description="Pocock: overall P(stop) when the true rate is θ")
    min_patients: int = Field(default=3, ge=1, description="first look after this many evaluable patients")


class FutilityMethod(str, Enum):
    SIMON = "simon"  # Simon, Control Clin Trials 1989;10:1–10: stop if ≤ r1 responses among n1
    PREDICTIVE = "predictive"  # Lee & Liu, Clin Trials 2008;5:93–106: Bayesian predictive probability


class FutilityMonitoring(ProtocolModel):
    method: FutilityMethod
    p0: float = Field(gt=0, lt=1, description="uninteresting ORR")
    p1: float = Field(gt=0, lt=1, description="target ORR")
    alpha: float = Field(default=0.05, gt=0, lt=1)
    beta: float = Field(default=0.2, gt=0, lt=1)
    r1: int | None = Field(default=None, ge=0, description="Simon: stop if responses ≤ r1 among the first n1")
    n1: int | None = Field(default=None, ge=1)
    predictive_threshold: float = Field(default=0.05, gt=0, lt=1,
        description="predictive: stop if P(success at the end | data) < this (θ_L of Lee & Liu 2008)")
    efficacy_probability: float = Field(default=0.90, gt=0, lt=1,
        description="predictive: the end is a success if P(ORR > p0 | all data) > this (θ_T of Lee & Liu "
                    "2008, who consider 0.85–0.95)")
    prior_a: float | None = Field(default=None, gt=0,
        description="predictive: Beta prior a of the ORR; default p0 (a prior with mean p0 worth one "
                    "patient, as in Lee & Liu 2008's example Beta(0.6, 0.4) for p0 = 0.6)")
    prior_b: float | None = Field(default=None, gt=0, description="predictive: Beta prior b; default 1 − p0")
    min_patients: int = Field(default=10, ge=1,
        description="predictive: first look after this many evaluable patients (DEFAULT: 10, so that no "
                    "decision rests on a handful of responses)")

    @model_validator(mode="after")
    def _simon_stage(self) -> "FutilityMonitoring":
        if (self.r1 is None) != (self.n1 is None):
            raise ValueError("r1 and n1 must be given together (or both left out to use Simon's design)")
        if self.r1 is not None and self.n1 is not None and self.r1 >= self.n1:
            raise ValueError(f"r1 ({self.r1}) must be < n1 ({self.n1})")
        return self


class Expansion(ProtocolModel):
    size: int = Field(ge=1, description="patients treated in the expansion at the RP2D")
    toxicity: ToxicityMonitoring
    futility: FutilityMonitoring
