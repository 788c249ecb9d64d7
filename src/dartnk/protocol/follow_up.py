"""Follow-up: DLT-window visits, tumour assessments, 24-month clinical and 15-year long-term follow-up."""

from __future__ import annotations

from pydantic import Field

from dartnk.protocol.base import ProtocolModel


class VisitSchedule(ProtocolModel):
    """Named visits on fixed study days, each with a ± window in days."""

    days: tuple[int, ...] = Field(min_length=1)
    window_days: int = Field(ge=0)


class FollowUp(ProtocolModel):
    dlt_window_visits: VisitSchedule
    persistence_sampling_days: tuple[int, ...] = Field(min_length=1,
        description="blood draws for CAR transgene copies (ddPCR)")
    persistence_window_days: int = Field(default=0, ge=0,
        description="± days around each persistence draw (default 0: pharmacokinetic draws are on the day)")
    clinical_months: int = Field(ge=1, description="efficacy and late-toxicity follow-up after Day 0")
    clinical_visit_interval_days: int = Field(ge=1, description="survival/status visits after the last scan")
    clinical_visit_window_days: int = Field(default=14, ge=0,
        description="± days around each clinical follow-up visit (default ± 14 days, usual for quarterly visits)")
    long_term_years: int = Field(ge=0, description="long-term follow-up for gene-modified cells")
    long_term_interval_months: int = Field(ge=1)
    long_term_window_days: int = Field(ge=0)
