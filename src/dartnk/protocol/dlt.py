"""The dose-limiting toxicity (DLT) definition and DLT evaluability, as data.

Each rule says which adverse events count: a category, a minimum grade and, where the protocol
tolerates short-lived toxicity, how long it must last. Grades are CTCAE v5.0 or, for CRS and
ICANS, ASTCT 2019 consensus grades (Lee et al., Biol Blood Marrow Transplant 2019;25:625–638).
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from dartnk.protocol.base import ProtocolModel


class AeCategory(str, Enum):
    """The categories the DLT rules and safety tables speak of."""

    CRS = "crs"
    ICANS = "icans"
    NEUTROPENIA = "neutropenia"
    THROMBOCYTOPENIA = "thrombocytopenia"
    ANEMIA = "anemia"
    FEBRILE_NEUTROPENIA = "febrile_neutropenia"
    INFECTION = "infection"
    INFUSION_REACTION = "infusion_reaction"
    GVHD = "gvhd"
    OTHER_NON_HEMATOLOGIC = "other_non_hematologic"
    OTHER_HEMATOLOGIC = "other_hematologic"


class Attribution(str, Enum):
    """Relationship of an AE to the investigational product (CTCAE/ICH E2A wording)."""

    UNRELATED = "unrelated"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"


class DltRule(ProtocolModel):
    """One clause of the DLT definition.

    An AE of one of ``categories`` at grade ≥ ``min_grade`` is a DLT, unless
    ``lasting_more_than_days`` is set and the event (at that grade or worse) resolved within that
    many days, or ``max_grade_exempt`` says this grade is tolerated when it resolves in time.
    """

    id: str
    text: str
    categories: tuple[AeCategory, ...] = Field(min_length=1)
    min_grade: int = Field(ge=1, le=5)
    lasting_more_than_days: int | None = Field(default=None, ge=0,
        description="counts only if the event stays at ≥ min_grade longer than this (days)")
    excluded_terms: tuple[str, ...] = ()


class DltDefinition(ProtocolModel):
    window_days: int = Field(ge=1, description="DLT window, study days 0..window_days-1 after the first infusion")
    attributions: tuple[Attribution, ...] = Field(min_length=1,
        description="attributions that make an AE eligible to be a DLT")
    rules: tuple[DltRule, ...] = Field(min_length=1)


class Evaluability(ProtocolModel):
    """Who counts in the 3+3 denominator (others are replaced)."""

    required_infusions: int = Field(ge=1, description="infusions received within the window, unless a DLT occurred")
    observe_full_window: bool = True
    replace_non_evaluable: bool = True
