"""RECIST 1.1 settings that protocols resolve differently (Eisenhauer et al., Eur J Cancer 2009;45:228–247)."""

from __future__ import annotations

from pydantic import Field

from dartnk.protocol.base import ProtocolModel


class RecistSettings(ProtocolModel):
    confirmation_required: bool = Field(default=True,
        description="CR/PR must be confirmed (RECIST 1.1 §4.4: required in non-randomised trials)")
    confirmation_min_days: int = Field(default=28, ge=0, description="days from first CR/PR to its confirmation")
    min_sd_days: int = Field(default=42, ge=0, description="minimum days from baseline for SD to count as best response")
    too_small_default_mm: float = Field(default=5.0, ge=0, description="diameter used for 'too small to measure' (§3.3.1)")
    pr_persists_after_confirmation: bool = Field(default=True,
        description="once PR is confirmed, later SD does not remove it from best response")
    assessment_interval_days: int = Field(default=42, ge=1, description="scans every 6 weeks")
    assessment_window_days: int = Field(default=7, ge=0)
