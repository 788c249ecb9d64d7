"""Interim construct selection: gates every construct must pass, scored criteria and their weights.

The registry names four domains: safety (DLT rate), manufacturability/feasibility, in vivo
expansion/persistence and preliminary efficacy. Gates exclude; weights rank what passes.
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field, model_validator

from dartnk.protocol.base import ProtocolModel


class SelectionCriterion(str, Enum):
    SAFETY = "safety"
    MANUFACTURABILITY = "manufacturability"
    PERSISTENCE = "persistence"
    EFFICACY = "efficacy"


class SelectionGates(ProtocolModel):
    require_rp2d: bool = Field(default=True, description="the arm must have declared an MTD/RP2D")
    max_dlt_rate_at_rp2d: float = Field(ge=0, le=1)
    min_manufacturing_success: float = Field(ge=0, le=1)
    min_patients_at_rp2d: int = Field(ge=0)


class Weight(ProtocolModel):
    criterion: SelectionCriterion
    weight: float = Field(ge=0, le=1)
    low: float = Field(ge=0, le=1, description="lowest weight tried in the sensitivity analysis")
    high: float = Field(ge=0, le=1, description="highest weight tried in the sensitivity analysis")


class SelectionSettings(ProtocolModel):
    gates: SelectionGates
    weights: tuple[Weight, ...] = Field(min_length=1)
    prior_a: float = Field(default=0.5, gt=0, description="Beta prior a for rates (Jeffreys)")
    prior_b: float = Field(default=0.5, gt=0)
    max_vein_to_vein_days: float = Field(gt=0,
        description="vein-to-vein time (days) scored 0 at or above this; the score falls linearly from 1 at day 0")
    persistence_day: int = Field(default=28, ge=1,
        description="day at which transgene detection is scored; the AUC is taken over days 0 to this day")
    sensitivity_draws: int = Field(default=2000, ge=1,
        description="weight settings tried in the sensitivity analysis (a grid of ⌊draws^(1/criteria)⌋ "
                    "points per weight, or this many uniform draws when a Generator is passed)")
    detection_limit_copies: float = Field(default=0.0, ge=0,
        description="transgene copies/µg DNA at or below which a sample counts as not detected "
                    "(the ddPCR assay's LLOQ; 0: any copies detected)")
    vein_to_vein_share: float = Field(default=0.5, ge=0, le=1,
        description="DEFAULT: share of the manufacturability score given to vein-to-vein time; the rest "
                    "is the release success rate")
    detection_share: float = Field(default=0.5, ge=0, le=1,
        description="DEFAULT: share of the persistence score given to detection at persistence_day; the "
                    "rest is the median AUC(0–persistence_day) relative to the best construct")

    @model_validator(mode="after")
    def _weights(self) -> "SelectionSettings":
        total = sum(w.weight for w in self.weights)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"weights must sum to 1, got {total:g}")
        for w in self.weights:
            if not (w.low <= w.weight <= w.high):
                raise ValueError(f"weight of {w.criterion.value} ({w.weight}) must lie within [low, high] = [{w.low}, {w.high}]")
        return self
