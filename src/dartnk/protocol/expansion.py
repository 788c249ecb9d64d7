"""The Phase 2 expansion at the RP2D and its continuous monitoring for toxicity and futility."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

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
    SIMON = "simon"
    PREDICTIVE = "predictive"


class FutilityMonitoring(ProtocolModel):
    method: FutilityMethod
    p0: float = Field(gt=0, lt=1, description="uninteresting ORR")
    p1: float = Field(gt=0, lt=1, description="target ORR")
    alpha: float = Field(default=0.05, gt=0, lt=1)
    beta: float = Field(default=0.2, gt=0, lt=1)
    r1: int | None = Field(default=None, ge=0, description="Simon: stop if responses ≤ r1 among the first n1")
    n1: int | None = Field(default=None, ge=1)
    predictive_threshold: float = Field(default=0.05, gt=0, lt=1,
        description="predictive: stop if P(success at the end | data) < this")


class Expansion(ProtocolModel):
    size: int = Field(ge=1, description="patients treated in the expansion at the RP2D")
    toxicity: ToxicityMonitoring
    futility: FutilityMonitoring
