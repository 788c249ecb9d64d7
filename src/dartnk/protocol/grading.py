"""CTCAE v5.0 lab-grading settings that protocols (and published grading tools) resolve differently.

Primary source: National Cancer Institute, Common Terminology Criteria for Adverse Events (CTCAE)
Version 5.0, 27 November 2017. The alternatives are cited against the CTCAE v5.0 grading metadata of
the pharmaverse R package admiral (``data-raw/adlb_grading/ncictcaev5.json``, the source of
``atoxgr_criteria_ctcv5``, whose ``COMMENT`` column records the choices it made). Every default is
dartnk's reading of the CTCAE text; changing one changes grades, and every reason says when a
setting decided.
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from dartnk.protocol.base import ProtocolModel


class UnreportedClinicalCriteria(str, Enum):
    """What a grade that needs a clinical finding (symptoms, anticoagulation…) does when it is not reported."""

    ABSENT = "absent"
    WORST_CASE = "worst_case"


class AbnormalBaselineRule(str, Enum):
    """How AST, ALT, ALP, GGT and bilirubin are graded when the baseline was abnormal (> ULN)."""

    BASELINE_ONLY = "baseline_only"
    WORSE_OF_ULN_AND_BASELINE = "worse_of_uln_and_baseline"


class InrAnticoagulated(str, Enum):
    """How INR is graded for a patient on anticoagulation with a baseline INR."""

    BASELINE_ONLY = "baseline_only"
    WORSE_OF_ABSOLUTE_AND_BASELINE = "worse_of_absolute_and_baseline"


class FibrinogenPercentDecrease(str, Enum):
    """When fibrinogen's "if abnormal, % decrease from baseline" alternatives apply."""

    ABNORMAL_BASELINE_ONLY = "abnormal_baseline_only"
    BELOW_LLN = "below_lln"


class CtcaeSettings(ProtocolModel):
    """Protocol choices for CTCAE v5.0 laboratory grading; every default cites why it is the default."""

    unreported_clinical_criteria: UnreportedClinicalCriteria = Field(default=UnreportedClinicalCriteria.ABSENT,
        description="a value-defined grade that CTCAE v5.0 also conditions on a clinical finding (Hypokalemia "
                    "grade 2 'Symptomatic with <LLN - 3.0 mmol/L'; Hyponatremia grade 3 '125-129 mmol/L "
                    "symptomatic'; Lipase/Serum amylase grades 3-4 'with signs or symptoms'; Hyperuricemia "
                    "grade 3 '>ULN with physiologic consequences'; INR 'x baseline if on anticoagulation') when "
                    "the finding is not reported: 'absent' (default: CTCAE grades what is observed; the grade "
                    "is not given and the reason names the finding that would give it) or 'worst_case' (the "
                    "highest grade the value allows, admiral ncictcaev5.json COMMENT 'Take worst case and "
                    "assume \"symptomatic\"' / 'signs and symptoms' / 'with physiologic consequences' / 'on "
                    "anticoagulation'). Clinical alternatives without a value (intervention or hospitalization "
                    "indicated, transfusion, life-threatening consequences) are never assumed")
    abnormal_baseline_rule: AbnormalBaselineRule = Field(default=AbnormalBaselineRule.BASELINE_ONLY,
        description="AST, ALT, ALP, GGT and blood bilirubin with a baseline > ULN: 'baseline_only' (default: "
                    "CTCAE v5.0 conditions the x ULN rows on 'if baseline was normal' and the x baseline rows "
                    "on 'if baseline was abnormal'; admiral ncictcaev5.json grades the same way, its x ULN rows "
                    "guarded by !(BNRIND %in% high_indicator)) or 'worse_of_uln_and_baseline' (a conservative "
                    "protocol choice: the higher of the x ULN and the x baseline grades). Fibrinogen's x LLN "
                    "rows carry no baseline condition in CTCAE v5.0 and always apply")
    inr_anticoagulated: InrAnticoagulated = Field(default=InrAnticoagulated.BASELINE_ONLY,
        description="INR of a patient on anticoagulation with a baseline INR: 'baseline_only' (default: CTCAE "
                    "v5.0 '>1 - 1.5 x baseline if on anticoagulation' replaces the absolute '>1.2 - 1.5' for "
                    "that patient, so a patient at a therapeutic target INR of 2.5 is not graded for it) or "
                    "'worse_of_absolute_and_baseline' (admiral ncictcaev5.json INR: both the absolute and the "
                    "x baseline rows, the higher grade)")
    fibrinogen_percent_decrease: FibrinogenPercentDecrease = Field(
        default=FibrinogenPercentDecrease.ABNORMAL_BASELINE_ONLY,
        description="when Fibrinogen decreased's 'if abnormal, <25% / 25 - <50% / 50 - <75% / 75% decrease from "
                    "baseline' alternatives apply: 'abnormal_baseline_only' (default: 'if abnormal' read like "
                    "CTCAE's other baseline terms, the baseline was < LLN) or 'below_lln' (admiral "
                    "ncictcaev5.json: whenever the value is < LLN, whatever the baseline, e.g. AVAL < ANRLO & "
                    "PCHG <= -25 is grade 2)")
