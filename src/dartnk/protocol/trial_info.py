"""The trial's identity: registry record, sponsor and the participant cap."""

from __future__ import annotations

from pydantic import Field

from dartnk.protocol.base import ProtocolModel


class TrialInfo(ProtocolModel):
    """Identity of the trial as registered (ClinicalTrials.gov NCT07480213)."""

    id: str = Field(min_length=1, description="Trial acronym, e.g. DART-NK-SCLC")
    registry_id: str = Field(pattern=r"^NCT\d{8}$", description="ClinicalTrials.gov identifier")
    title: str
    sponsor: str
    phase: str
    condition: str
    max_participants: int = Field(ge=1, description="Total participants treated, all phases")
