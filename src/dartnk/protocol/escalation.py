"""Settings of the modified 3+3 (A+B) escalation family.

The family is Lin & Shih's A+B design (Biostatistics 2001;2:203–215) without dose skipping:
treat ``cohort_size`` (A) patients; with ≤ ``escalate_max_dlts`` DLTs escalate, with ≤
``expand_max_dlts`` treat ``cohort_expansion`` (B) more, otherwise the level is too toxic; after
A+B, escalate with ≤ ``escalate_max_dlts_expanded`` DLTs, otherwise too toxic. The classic 3+3
is A = B = 3 with 0, 1 and 1 (Storer, Biometrics 1989;45:925–937).
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field, model_validator

from dartnk.protocol.base import ProtocolModel


class EscalationDesign(str, Enum):
    THREE_PLUS_THREE = "3+3"


class MtdRule(str, Enum):
    """How the MTD is named once a level is too toxic.

    ``below_toxic``: the highest level below the lowest too-toxic level (with ``deescalate``,
    only once it has A+B patients). ``highest_full_tolerated``: the highest level that was
    tolerated with A+B patients treated; levels with only A patients are not candidates.
    """

    BELOW_TOXIC = "below_toxic"
    HIGHEST_FULL_TOLERATED = "highest_full_tolerated"


class Stagger(ProtocolModel):
    """Sentinel dosing: the first patient of each cohort is observed before the others are dosed."""

    sentinel_days: int = Field(ge=0, description="days between the sentinel's Day 0 and the next patient's")
    applies_to: str = Field(default="every_cohort", pattern=r"^(every_cohort|first_cohort_per_level|first_cohort_per_arm)$")


class ToxicityScenario(ProtocolModel):
    """An assumed true DLT probability per dose level (lowest first), for the design's operating
    characteristics (``dartnk oc`` without ``--tox``). A planning assumption of the statistical
    section, not an estimate; one value per dose level of the protocol."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    dlt_probabilities: tuple[float, ...] = Field(min_length=1, description="true DLT probability per dose level, lowest first")

    @model_validator(mode="after")
    def _probabilities(self) -> "ToxicityScenario":
        for i, p in enumerate(self.dlt_probabilities):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"dlt_probabilities[{i}] must be a probability in [0, 1], got {p}")
        return self


class EscalationSettings(ProtocolModel):
    """One arm's dose-escalation rule; every modification of the 3+3 is a setting."""

    design: EscalationDesign = EscalationDesign.THREE_PLUS_THREE
    start_level: str = Field(description="dose level id where each arm starts")
    cohort_size: int = Field(default=3, ge=1, description="A: patients per first cohort at a level")
    cohort_expansion: int = Field(default=3, ge=0, description="B: patients added when the first cohort is equivocal")
    escalate_max_dlts: int = Field(default=0, ge=0, description="escalate if DLTs among A ≤ this")
    expand_max_dlts: int = Field(default=1, ge=0, description="add B if DLTs among A ≤ this (and > escalate_max_dlts)")
    escalate_max_dlts_expanded: int = Field(default=1, ge=0, description="after A+B, escalate if DLTs ≤ this")
    deescalate: bool = Field(default=True, description="confirm the level below a too-toxic level with A+B patients")
    expand_top_level: bool = Field(default=True, description="treat B more at the top level after 0 DLTs among A")
    mtd_rule: MtdRule = MtdRule.BELOW_TOXIC
    stagger: Stagger
    complete_window_before_escalation: bool = True
    oc_scenarios: tuple[ToxicityScenario, ...] = Field(
        default=(), description="assumed true DLT probabilities for the design's operating characteristics")

    @property
    def max_per_level(self) -> int:
        """A + B: the most patients one level can hold."""
        return self.cohort_size + self.cohort_expansion

    @property
    def is_classic_3_plus_3(self) -> bool:
        """Storer's 3+3 table (A = B = 3; escalate on 0/3 or ≤ 1/6, expand on 1/3) with the MTD the level below
        a too-toxic one; ``deescalate`` and ``expand_top_level`` may take either value."""
        return ((self.cohort_size, self.cohort_expansion, self.escalate_max_dlts, self.expand_max_dlts,
                 self.escalate_max_dlts_expanded) == (3, 3, 0, 1, 1) and self.mtd_rule is MtdRule.BELOW_TOXIC)

    @model_validator(mode="after")
    def _coherent(self) -> "EscalationSettings":
        a, b = self.cohort_size, self.cohort_expansion
        if self.escalate_max_dlts > self.expand_max_dlts:
            raise ValueError(f"escalate_max_dlts ({self.escalate_max_dlts}) must be ≤ expand_max_dlts ({self.expand_max_dlts})")
        if self.expand_max_dlts >= a:
            raise ValueError(f"expand_max_dlts ({self.expand_max_dlts}) must be < cohort_size ({a})")
        if b == 0 and self.expand_max_dlts > self.escalate_max_dlts:
            raise ValueError("expand_max_dlts must equal escalate_max_dlts when cohort_expansion is 0")
        if self.escalate_max_dlts_expanded >= a + b:
            raise ValueError(f"escalate_max_dlts_expanded ({self.escalate_max_dlts_expanded}) must be < cohort_size + cohort_expansion ({a + b})")
        return self
