"""Dose levels, lymphodepletion, the infusion schedule and the second cycle."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from dartnk.protocol.base import ProtocolModel


class DoseLevel(ProtocolModel):
    """A dose level: flat CAR-NK cells per infusion (viable CAR+ NK cells)."""

    id: str = Field(min_length=1)
    cells_per_infusion: float = Field(gt=0, description="cells per infusion")


class LymphodepletionAgent(ProtocolModel):
    """One conditioning agent: dose in mg/m² per day on the given study days (Day 0 = first infusion)."""

    agent: str
    dose_mg_m2: float = Field(gt=0)
    days: tuple[int, ...] = Field(min_length=1)


class Lymphodepletion(ProtocolModel):
    agents: tuple[LymphodepletionAgent, ...] = Field(min_length=1)
    repeat_before_second_cycle: bool = True


class Infusions(ProtocolModel):
    """CAR-NK infusions within a cycle, as study days; each after Day 0 has a ± window."""

    days: tuple[int, ...] = Field(min_length=1)
    window_days: int = Field(ge=0, description="± days allowed around each infusion after Day 0")


class ResponseCategory(str, Enum):
    """RECIST 1.1 overall response categories (Eisenhauer et al. 2009, Table 1)."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NE = "NE"


class SecondCycle(ProtocolModel):
    """A second cycle for responders without prohibitive toxicity."""

    allowed: bool = True
    eligible_responses: tuple[ResponseCategory, ...] = (ResponseCategory.CR, ResponseCategory.PR)
    requires_no_dlt: bool = True
    max_unresolved_grade: int = Field(default=1, ge=0, le=4,
                                      description="no toxicity worse than this grade may be unresolved")
    earliest_day: int = Field(ge=1, description="earliest study day of the second cycle's Day 0")
    latest_day: int = Field(ge=1)
