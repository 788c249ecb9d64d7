"""Tumour antigens, their IHC positivity rule, and the constructs that target them."""

from __future__ import annotations

from enum import Enum

from pydantic import Field, model_validator

from dartnk.protocol.base import ProtocolModel


class Combine(str, Enum):
    """How two thresholds combine: either suffices, or both are needed."""

    ANY = "any"
    ALL = "all"


class PositivityRule(ProtocolModel):
    """IHC positivity: % of tumour cells stained at ≥ ``min_intensity`` and/or an H-score.

    The H-score is Σ i × (% cells at intensity i), i = 1..3, range 0–300 (Hirsch et al.,
    J Clin Oncol 2003;21:3798). A threshold left as ``null`` is not used.
    """

    min_percent_cells: float | None = Field(default=None, ge=0, le=100)
    min_intensity: int = Field(default=1, ge=1, le=3, description="weakest intensity counted (1+..3+)")
    min_h_score: float | None = Field(default=None, ge=0, le=300)
    combine: Combine = Combine.ANY

    @model_validator(mode="after")
    def _one_threshold(self) -> "PositivityRule":
        if self.min_percent_cells is None and self.min_h_score is None:
            raise ValueError("must set min_percent_cells and/or min_h_score")
        return self


class Antigen(ProtocolModel):
    """A tumour-associated surface antigen profiled at screening."""

    id: str = Field(min_length=1)
    name: str
    aliases: tuple[str, ...] = ()
    assay: str
    positivity: PositivityRule


class Qualification(str, Enum):
    """Which of a construct's target antigens the tumour must express."""

    ALL_TARGETS = "all_targets"
    ANY_TARGET = "any_target"


class Construct(ProtocolModel):
    """One dual-target CAR-NK product (one escalation arm)."""

    id: str = Field(min_length=1)
    product: str
    targets: tuple[str, ...] = Field(min_length=1)
    qualifies_when: Qualification = Qualification.ALL_TARGETS
    safety_switch: str
    persistence_element: str
