"""RECIST 1.1 settings that protocols resolve differently.

Primary sources: Eisenhauer et al., "New response evaluation criteria in solid tumours: Revised
RECIST guideline (version 1.1)", Eur J Cancer 2009;45:228–247 (cited as §x.y / Table n);
Schwartz et al., "RECIST 1.1 — Update and clarification: From the RECIST committee", Eur J Cancer
2016;62:132–137; and the RECIST working group's questions and clarifications (recist.eortc.org).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dartnk.protocol.base import ProtocolModel


class RecistSettings(ProtocolModel):
    """Protocol choices for RECIST 1.1 response assessment; every default cites its source."""

    confirmation_required: bool = Field(default=True,
        description="CR/PR must be confirmed by a later assessment (§4.4 and §4.6: required in non-randomised "
                    "trials where response is the primary endpoint)")
    confirmation_min_days: int = Field(default=28, ge=0,
        description="minimum days from the first CR/PR to the assessment that confirms it (§4.6: 'no less than "
                    "4 weeks'); the boundary is inclusive")
    min_sd_days: int = Field(default=42, ge=0,
        description="minimum days from the baseline assessment at which SD (or non-CR/non-PD, or an "
                    "unconfirmed CR/PR) must be seen to count as best response (§4.4: protocol-defined, "
                    "'in general not less than 6–8 weeks'); inclusive")
    min_sd_from: Literal["baseline_assessment", "first_infusion"] = Field(default="baseline_assessment",
        description="the day the SD minimum duration is counted from: the baseline scan's day, or Day 0 (first "
                    "CAR-NK infusion, the start of treatment). §4.4 says 'after study entry'; protocols differ")
    too_small_default_mm: float = Field(default=5.0, ge=0,
        description="diameter recorded for a lesion present but 'too small to measure' (§3.3.1 and Appendix: "
                    "5 mm default, not changed with slice thickness); a lesion judged disappeared is 0 mm")
    pr_persists_after_confirmation: bool = Field(default=True,
        description="once a PR has been assigned and confirmed (if confirmation is required), later target "
                    "time points that no longer quite meet PR stay PR unless PD criteria are met (RECIST "
                    "working group Q&A, 'The definition of SD' and 'Managing PR when TP measurements change "
                    "slightly over time'); false applies Table 1 strictly (SD)")
    reappearance_after_cr_is_pd: bool = Field(default=True,
        description="when the previous overall time point response was CR, the reappearance of any target "
                    "lesion (a non-nodal lesion > 0 mm or a node ≥ 10 mm short axis) is PD at that time point "
                    "(Table 3 footnote a; Q&A 'Does a new lesion always result in PD?'); false recomputes the "
                    "target response from the sums only")
    confirmation_allows_intervening_sd: bool = Field(default=False,
        description="whether an SD (or non-CR/non-PD) time point between a PR and the PR/CR that confirms it "
                    "still allows confirmation (PR SD PR); the default follows Table 3, where the subsequent "
                    "SD makes the best response SD; NE time points in between never break confirmation")
    assessment_interval_days: int = Field(default=42, ge=1, description="scans every 6 weeks")
    assessment_window_days: int = Field(default=7, ge=0)
