"""The protocol's ``ctcae:`` settings: CTCAE v5.0 ambiguities that grading tools resolve differently.

Each setting is tested with both values on a case where they differ. Defaults are read from NCI CTCAE
v5.0 (27 Nov 2017); the alternatives from the CTCAE v5.0 metadata of the pharmaverse R package admiral,
``data-raw/adlb_grading/ncictcaev5.json`` (the source of ``atoxgr_criteria_ctcv5``; its COMMENT column
says "Take worst case and assume …"), and admiral's ``tests/testthat/test-derive_var_atoxgr.R``.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from dartnk.clinical.adverse_event import AdverseEvent
from dartnk.clinical.ctcae import grade_ctcae, grade_record, resolve_ctcae_settings
from dartnk.clinical.dlt import DltStatus, adjudicate
from dartnk.errors import InputError
from dartnk.protocol import default_protocol_text, parse_protocol, protocol_problems
from dartnk.protocol.grading import CtcaeSettings

DEFAULT = CtcaeSettings()
WORST = CtcaeSettings(unreported_clinical_criteria="worst_case")
WORSE_OF_ULN = CtcaeSettings(abnormal_baseline_rule="worse_of_uln_and_baseline")
INR_BOTH = CtcaeSettings(inr_anticoagulated="worse_of_absolute_and_baseline")
FIB_BELOW_LLN = CtcaeSettings(fibrinogen_percent_decrease="below_lln")


def grade(*args, **kw) -> int:
    return grade_ctcae(*args, **kw).grade


def test_defaults_are_todays_behaviour_and_none_means_default():
    assert grade("Hypokalemia", 3.2, "mmol/L", lln=3.5) == grade("Hypokalemia", 3.2, "mmol/L", lln=3.5,
                                                                 settings=DEFAULT) == 1
    assert DEFAULT.unreported_clinical_criteria.value == "absent"
    assert DEFAULT.abnormal_baseline_rule.value == "baseline_only"
    assert DEFAULT.inr_anticoagulated.value == "baseline_only"
    assert DEFAULT.fibrinogen_percent_decrease.value == "abnormal_baseline_only"


# --- unreported_clinical_criteria -------------------------------------------------------------------

@pytest.mark.parametrize("term,value,unit,limits,absent,worst", [
    # CTCAE v5.0 Hypokalemia G1 "<LLN - 3.0 mmol/L", G2 "Symptomatic with <LLN - 3.0 mmol/L";
    # admiral: GRADE_2_CODE AVAL < ANRLO ~ "2" ("Take worst case and assume symptomatic")
    ("Hypokalemia", 3.2, "mmol/L", {"lln": 3.5}, 1, 2),
    ("Hypokalemia", 3.0, "mmol/L", {"lln": 3.5}, 1, 2),          # 3.0 is still "<LLN - 3.0"
    ("Hypokalemia", 2.99, "mmol/L", {"lln": 3.5}, 3, 3),         # "<3.0 - 2.5" whatever the symptoms
    ("Hypokalemia", 3.5, "mmol/L", {"lln": 3.5}, 0, 0),          # = LLN: normal, nothing is assumed
    # Hyponatremia G2 "125-129 mmol/L and asymptomatic", G3 "125-129 mmol/L symptomatic";
    # admiral: AVAL <= 129 ~ "3" ("assume symptomatic")
    ("Hyponatremia", 127, "mmol/L", {"lln": 135}, 2, 3),
    ("Hyponatremia", 125, "mmol/L", {"lln": 135}, 2, 3),
    ("Hyponatremia", 129, "mmol/L", {"lln": 135}, 2, 3),
    ("Hyponatremia", 130, "mmol/L", {"lln": 135}, 1, 1),         # "<LLN - 130": no symptom row
    ("Hyponatremia", 124, "mmol/L", {"lln": 135}, 3, 3),         # "120-124 regardless of symptoms"
    # Lipase/Serum amylase G2 ">1.5 - 2.0 x ULN; >2.0 - 5.0 x ULN and asymptomatic", G3 ">2.0 - 5.0 x ULN
    # with signs or symptoms; >5.0 x ULN and asymptomatic", G4 ">5.0 x ULN and with signs or symptoms";
    # admiral: AVAL > 2*ANRHI ~ "3", AVAL > 5*ANRHI ~ "4" ("assume signs and symptoms")
    ("Lipase increased", 120, "U/L", {"uln": 60}, 2, 2),         # exactly 2.0 x ULN: ">1.5 - 2.0"
    ("Lipase increased", 120.1, "U/L", {"uln": 60}, 2, 3),
    ("Lipase increased", 300, "U/L", {"uln": 60}, 2, 3),
    ("Lipase increased", 300.1, "U/L", {"uln": 60}, 3, 4),
    ("Serum amylase increased", 250, "U/L", {"uln": 100}, 2, 3),
    ("Serum amylase increased", 501, "U/L", {"uln": 100}, 3, 4),
    # Hyperuricemia G1 ">ULN without physiologic consequences", G3 ">ULN with physiologic consequences";
    # admiral: AVAL > ANRHI ~ "3" ("assume with physiologic consequences")
    ("Hyperuricemia", 7.01, "mg/dL", {"uln": 7.0}, 1, 3),
    ("Hyperuricemia", 7.0, "mg/dL", {"uln": 7.0}, 0, 0),
])
def test_unreported_clinical_criteria(term, value, unit, limits, absent, worst):
    assert grade(term, value, unit, **limits, settings=DEFAULT) == absent
    assert grade(term, value, unit, **limits, settings=WORST) == worst


def test_reported_findings_are_never_overridden_by_worst_case():
    # a finding reported absent stays absent; a reported one gives its grade under either setting
    assert grade("Hypokalemia", 3.2, "mmol/L", lln=3.5, symptomatic=False, settings=WORST) == 1
    assert grade("Hyponatremia", 127, "mmol/L", lln=135, symptomatic=False, settings=WORST) == 2
    assert grade("Lipase increased", 301, "U/L", uln=60, symptomatic=False, settings=WORST) == 3
    assert grade("Hyperuricemia", 9, "mg/dL", uln=7, physiologic_consequences=False, settings=WORST) == 1
    assert grade("Hypokalemia", 3.2, "mmol/L", lln=3.5, symptomatic=True, settings=DEFAULT) == 2


@pytest.mark.parametrize("term,value,unit,limits,expected", [
    # clinical alternatives with no value criterion are never assumed (admiral grades these by value only):
    # Hypocalcemia G2 "...; symptomatic", Anemia G3 "...; transfusion indicated", G4 "Life-threatening
    # consequences", Hyperkalemia G2 "...; intervention initiated", Hypophosphatemia G2 "Oral replacement"
    ("Hypocalcemia", 8.2, "mg/dL", {"lln": 8.5}, 1),
    ("Hypercalcemia", 11.0, "mg/dL", {"uln": 10.5}, 1),
    ("Anemia", 9.0, "g/dL", {"lln": 12}, 2),
    ("Hyperkalemia", 5.4, "mmol/L", {"uln": 5.0}, 1),
    ("Hypophosphatemia", 0.7, "mmol/L", {"lln": 0.8}, 1),
])
def test_worst_case_assumes_no_finding_without_a_value_criterion(term, value, unit, limits, expected):
    assert grade(term, value, unit, **limits, settings=DEFAULT) == expected
    assert grade(term, value, unit, **limits, settings=WORST) == expected


def test_worst_case_reasons_name_the_setting_and_absent_names_the_finding():
    absent = grade_ctcae("Hypokalemia", 3.2, "mmol/L", lln=3.5)
    assert "grade 2 if symptomatic (not reported)" in absent.reason
    worst = grade_ctcae("Hypokalemia", 3.2, "mmol/L", lln=3.5, settings=WORST)
    assert worst.grade == 2
    assert "symptomatic not reported: assumed, ctcae.unreported_clinical_criteria = worst_case" in worst.reason
    uric = grade_ctcae("Hyperuricemia", 9, "mg/dL", uln=7, settings=WORST)
    assert "with physiologic consequences not reported: assumed" in uric.reason


@pytest.mark.parametrize("value,baseline,absent,worst", [
    # INR with anticoagulation not reported. CTCAE v5.0 G1 ">1.2 - 1.5; >1 - 1.5 x baseline if on
    # anticoagulation", G2 ">1.5 - 2.5; >1.5 - 2.5 x baseline", G3 ">2.5; >2.5 x baseline". admiral
    # ncictcaev5.json ("Take worst case and assume on anticoagulation"), test 36a rows 7, 9, 13, 14:
    (1.2, 1.0, 0, 1),     # > 1 x baseline
    (2.5, 0.99, 2, 3),    # > 2.5 x 0.99
    (1.2, 1.19, 0, 1),
    (1.2, 1.2, 0, 0),
    (1.19, 1.19, 0, 0),
])
def test_inr_unreported_anticoagulation(value, baseline, absent, worst):
    assert grade("INR increased", value, None, baseline=baseline, settings=DEFAULT) == absent
    assert grade("INR increased", value, None, baseline=baseline, settings=WORST) == worst
    # reported off anticoagulation: the absolute scale only, whatever the setting
    assert grade("INR increased", value, None, baseline=baseline, on_anticoagulation=False, settings=WORST) == absent


# --- abnormal_baseline_rule ---------------------------------------------------------------------------

@pytest.mark.parametrize("value,baseline_only,worse_of", [
    # ALT, ULN 40, baseline 60 (> ULN, abnormal). CTCAE v5.0: ">ULN - 3.0 x ULN if baseline was normal;
    # 1.5 - 3.0 x baseline if baseline was abnormal" (G1), ">3.0 - 5.0 x ..." (G2), ">5.0 - 20.0" (G3)
    (80, 0, 1),        # < 1.5 x baseline (90), > ULN
    (89.9, 0, 1),
    (90, 1, 1),        # exactly 1.5 x baseline: grade 1 either way
    (130, 1, 2),       # ≤ 3 x baseline (180), > 3 x ULN (120)
    (200.1, 2, 3),     # ≤ 5 x baseline (300), > 5 x ULN (200)
    (800.1, 3, 4),     # ≤ 20 x baseline, > 20 x ULN
    (40, 0, 0),
])
def test_alt_abnormal_baseline_rule(value, baseline_only, worse_of):
    t = "Alanine aminotransferase increased"
    assert grade(t, value, "U/L", uln=40, baseline=60, settings=DEFAULT) == baseline_only
    assert grade(t, value, "U/L", uln=40, baseline=60, settings=WORSE_OF_ULN) == worse_of


@pytest.mark.parametrize("value,expected", [
    # admiral test 16a (CTCAEv5 AST, BASE 40 with ANRHI 39, BNRIND HIGH) agrees with the default:
    # 59 → 0, 60 → 1 (1.5 x baseline inclusive), 120 → 1, 121 → 2, 200 → 2, 201 → 3, 800 → 3, 801 → 4
    (59, 0), (60, 1), (120, 1), (121, 2), (200, 2), (201, 3), (800, 3), (801, 4),
])
def test_ast_default_agrees_with_admiral(value, expected):
    assert grade("Aspartate aminotransferase increased", value, "U/L", uln=39, baseline=40) == expected


def test_abnormal_baseline_rule_other_terms():
    # Blood bilirubin: ">1.5 - 3.0 x ULN if baseline was normal; >1.5 - 3.0 x baseline if abnormal"
    kw = dict(uln=1.2, baseline=2.0)
    assert grade("Blood bilirubin increased", 2.0, "mg/dL", **kw, settings=DEFAULT) == 0    # = baseline
    assert grade("Blood bilirubin increased", 2.0, "mg/dL", **kw, settings=WORSE_OF_ULN) == 2  # > 1.5 x ULN
    # GGT / ALP: "2.0 - 2.5 x baseline if baseline was abnormal" vs ">ULN - 2.5 x ULN"
    assert grade("GGT increased", 70, "U/L", uln=50, baseline=60, settings=DEFAULT) == 0
    assert grade("GGT increased", 70, "U/L", uln=50, baseline=60, settings=WORSE_OF_ULN) == 1
    assert grade("Alkaline phosphatase increased", 300, "U/L", uln=100, baseline=150, settings=WORSE_OF_ULN) == 2
    # a normal baseline grades against the ULN under both
    for s in (DEFAULT, WORSE_OF_ULN):
        assert grade("Alanine aminotransferase increased", 130, "U/L", uln=40, baseline=30, settings=s) == 2
    r = grade_ctcae("Alanine aminotransferase increased", 130, "U/L", uln=40, baseline=60, settings=WORSE_OF_ULN)
    assert "ctcae.abnormal_baseline_rule = worse_of_uln_and_baseline" in r.reason


def test_fibrinogen_is_not_changed_by_the_abnormal_baseline_rule():
    # its × LLN rows carry no baseline condition in CTCAE v5.0: they always apply
    for value in (1.9, 1.4, 1.2, 0.9, 0.4):
        assert grade("Fibrinogen decreased", value, "g/L", lln=2.0, baseline=1.6, settings=WORSE_OF_ULN) == \
            grade("Fibrinogen decreased", value, "g/L", lln=2.0, baseline=1.6)


# --- inr_anticoagulated -------------------------------------------------------------------------------

@pytest.mark.parametrize("value,baseline_only,worse_of", [
    # on anticoagulation, baseline INR 2.0. CTCAE v5.0 "x baseline if on anticoagulation" rows only
    # (default) vs admiral ncictcaev5.json INR (absolute and x baseline rows both, the higher grade)
    (2.0, 0, 2),       # at baseline: absolute ">1.5 - 2.5" is grade 2
    (2.6, 1, 3),       # 1.3 x baseline; absolute > 2.5
    (3.0, 1, 3),       # exactly 1.5 x baseline: grade 1
    (3.1, 2, 3),
    (5.0, 2, 3),       # exactly 2.5 x baseline: grade 2 (absolute > 2.5: grade 3)
    (5.01, 3, 3),
    (1.9, 0, 2),       # below baseline
])
def test_inr_on_anticoagulation(value, baseline_only, worse_of):
    kw = dict(baseline=2.0, on_anticoagulation=True)
    assert grade("INR increased", value, None, **kw, settings=DEFAULT) == baseline_only
    assert grade("INR increased", value, "ratio", **kw, settings=INR_BOTH) == worse_of


def test_inr_setting_needs_anticoagulation_and_a_baseline():
    # off anticoagulation: the absolute scale only, whatever the setting (1.2 is not > 1.2)
    assert grade("INR increased", 1.2, None, baseline=1.0, on_anticoagulation=False, settings=INR_BOTH) == 0
    # on anticoagulation without a baseline: the absolute scale (nothing to compare with)
    assert grade("INR increased", 2.6, None, on_anticoagulation=True, settings=DEFAULT) == 3
    r = grade_ctcae("INR increased", 2.6, None, baseline=2.0, on_anticoagulation=True, settings=INR_BOTH)
    assert "ctcae.inr_anticoagulated = worse_of_absolute_and_baseline" in r.reason
    r = grade_ctcae("INR increased", 2.6, None, baseline=2.0, on_anticoagulation=True)
    assert "ctcae.inr_anticoagulated = baseline_only" in r.reason


# --- fibrinogen_percent_decrease ------------------------------------------------------------------------

@pytest.mark.parametrize("value,baseline,default,below_lln", [
    # LLN 2.0 g/L, normal baseline 4.0 g/L. CTCAE v5.0 Fibrinogen decreased: "<1.0 - 0.75 x LLN; if abnormal,
    # <25% decrease from baseline" (G1) ... "<0.25 x LLN; if abnormal, 75% decrease; absolute <50 mg/dL" (G4).
    # admiral ncictcaev5.json: AVAL < ANRLO & PCHG <= -25 ~ "2", <= -50 ~ "3", <= -75 ~ "4"
    (1.9, 4.0, 1, 3),      # 52.5 % decrease, value < LLN
    (1.5, 4.0, 1, 3),      # exactly 0.75 x LLN (grade 1), 62.5 % decrease
    (1.0, 4.0, 2, 4),      # exactly 75 % decrease: "75% decrease" is grade 4
    (1.01, 4.0, 2, 3),
    (2.0, 4.0, 0, 0),      # = LLN (not below), 50 % decrease: no "if abnormal" under either
    (1.9, 2.5, 1, 1),      # 24 % decrease: grade 1 either way
    (1.875, 2.5, 1, 2),    # exactly 25 % decrease
])
def test_fibrinogen_percent_decrease(value, baseline, default, below_lln):
    assert grade("Fibrinogen decreased", value, "g/L", lln=2.0, baseline=baseline, settings=DEFAULT) == default
    assert grade("Fibrinogen decreased", value, "g/L", lln=2.0, baseline=baseline,
                 settings=FIB_BELOW_LLN) == below_lln


def test_fibrinogen_abnormal_baseline_agrees_under_both():
    # baseline 1.6 < LLN 2.0: "if abnormal" applies under both readings (value below baseline is below LLN)
    for value, expected in ((1.6, 1), (1.2, 2), (0.8, 3), (0.4, 4)):
        for s in (DEFAULT, FIB_BELOW_LLN):
            assert grade("Fibrinogen decreased", value, "g/L", lln=2.0, baseline=1.6, settings=s) == expected


def test_fibrinogen_below_lln_needs_the_lln_only_when_it_could_change_the_grade():
    with pytest.raises(InputError) as e:
        grade_ctcae("Fibrinogen decreased", 0.9, "g/L", baseline=4.0, settings=FIB_BELOW_LLN)
    assert e.value.problems[0].field == "lln"
    # absolute < 50 mg/dL is grade 4 whatever the LLN
    assert grade("Fibrinogen decreased", 40, "mg/dL", baseline=400, settings=FIB_BELOW_LLN) == 4
    r = grade_ctcae("Fibrinogen decreased", 1.9, "g/L", lln=2.0, baseline=4.0, settings=FIB_BELOW_LLN)
    assert "ctcae.fibrinogen_percent_decrease = below_lln" in r.reason


@hsettings(max_examples=200, deadline=None)
@given(st.sampled_from([
    ("Hypokalemia", "mmol/L", {"lln": 3.5}, (2.0, 4.0)), ("Hyponatremia", "mmol/L", {"lln": 135}, (115, 140)),
    ("Lipase increased", "U/L", {"uln": 60}, (10, 400)), ("Hyperuricemia", "mg/dL", {"uln": 7}, (3, 12)),
    ("INR increased", None, {"baseline": 1.1}, (0.8, 4.0)),
    ("INR increased", None, {"baseline": 2.0, "on_anticoagulation": True}, (0.8, 6.0)),
    ("Alanine aminotransferase increased", "U/L", {"uln": 40, "baseline": 60}, (10, 1500)),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0, "baseline": 3.5}, (0.1, 4.0)),
]), st.floats(0, 1))
def test_every_alternative_is_at_least_the_default(case, fraction):
    # each alternative adds rows (assumed findings, the other scale, more % decreases): never a lower grade
    term, unit, kw, (lo, hi) = case
    value = round(lo + (hi - lo) * fraction, 2)
    base = grade(term, value, unit, **kw)
    for s in (WORST, WORSE_OF_ULN, INR_BOTH, FIB_BELOW_LLN):
        assert grade(term, value, unit, **kw, settings=s) >= base


# --- the protocol section, the input's override, AEs and DLT adjudication ---------------------------------

def test_shipped_protocol_has_the_default_section(protocol):
    assert protocol.ctcae == CtcaeSettings()
    assert "ctcae:" in default_protocol_text()


def test_protocol_without_a_ctcae_section_is_still_valid():
    data = yaml.safe_load(default_protocol_text())
    del data["ctcae"]
    assert parse_protocol(yaml.safe_dump(data)).ctcae == CtcaeSettings()


@pytest.mark.parametrize("field,value", [
    ("unreported_clinical_criteria", "assume_worst"), ("abnormal_baseline_rule", "uln"),
    ("inr_anticoagulated", True), ("fibrinogen_percent_decrease", "always"),
])
def test_bad_protocol_value_names_the_field(field, value):
    data = yaml.safe_load(default_protocol_text())
    data["ctcae"][field] = value
    _, problems = protocol_problems(yaml.safe_dump(data))
    assert [str(p).split(":")[0] for p in problems] == [f"ctcae.{field}"], problems
    assert repr(value) in str(problems[0])


def test_unknown_protocol_setting_is_named():
    data = yaml.safe_load(default_protocol_text())
    data["ctcae"]["worst_case"] = True
    _, problems = protocol_problems(yaml.safe_dump(data))
    assert [str(p) for p in problems] == ["ctcae.worst_case: unknown field"]


def test_input_settings_override_the_protocol_field_by_field():
    record = {"term": "Hypokalemia", "value": 3.2, "unit": "mmol/L", "lln": 3.5}
    assert grade_record(record).grade == 1
    assert grade_record(record, WORST).grade == 2
    assert grade_record({**record, "settings": {"unreported_clinical_criteria": "absent"}}, WORST).grade == 1
    merged = resolve_ctcae_settings(WORST, {"inr_anticoagulated": "worse_of_absolute_and_baseline"})
    assert merged.unreported_clinical_criteria.value == "worst_case"
    assert merged.inr_anticoagulated.value == "worse_of_absolute_and_baseline"


@pytest.mark.parametrize("overrides,field", [
    ({"unreported_clinical_criteria": "maybe"}, "settings.unreported_clinical_criteria"),
    ({"baseline_rule": "baseline_only"}, "settings.baseline_rule"),
    (["worst_case"], "settings"),
])
def test_bad_input_settings_name_the_field(overrides, field):
    with pytest.raises(InputError) as e:
        grade_record({"term": "Hypokalemia", "value": 3.2, "unit": "mmol/L", "lln": 3.5, "settings": overrides})
    assert [p.field for p in e.value.problems] == [field]


def test_adverse_event_grading_takes_settings():
    ae = AdverseEvent(term="Hyponatremia", lab={"value": 127, "unit": "mmol/L", "lln": 135}, onset_day=3,
                      resolution_day=10, attribution="possible")
    assert ae.grading().grade == 2 and ae.grading(None).grade == 2
    assert ae.grading(WORST).grade == 3


def test_dlt_adjudication_grades_lab_events_with_the_protocols_ctcae_settings(protocol):
    # Hyponatremia 127 mmol/L for 7 days: grade 2 by default (no DLT); grade 3 when the protocol assumes
    # unreported symptoms (worst_case) → "Any other grade ≥ 3 non-hematologic toxicity lasting > 72 hours"
    ae = AdverseEvent(term="Hyponatremia", lab={"value": 127, "unit": "mmol/L", "lln": 135}, onset_day=3,
                      resolution_day=10, attribution="possible")
    default = adjudicate(protocol, [ae], infusions_received=3, observed_through_day=27)
    assert default.status is DltStatus.NO_DLT and default.events[0].grade == 2
    worst_protocol = protocol.model_copy(update={"ctcae": WORST})
    worst = adjudicate(worst_protocol, [ae], infusions_received=3, observed_through_day=27)
    assert (worst.status, worst.rule_id, worst.events[0].grade) == (DltStatus.DLT, "other-non-hematologic", 3)
