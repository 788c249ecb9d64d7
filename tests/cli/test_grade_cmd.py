"""End-to-end: ``dartnk grade ctcae|crs|icans FILE|-`` as a user runs it (a real process)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, run_cli


def _ok(*args, input=None):
    r = run_cli(*args, input=input)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _bad(*args, input=None) -> str:
    r = run_cli(*args, input=input)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_ctcae_one_object_from_stdin():
    # CTCAE v5.0 Neutrophil count decreased: <500/mm3 is grade 4
    out = _ok("grade", "ctcae", "-", input=json.dumps({"term": "Neutrophil count decreased", "value": 499,
                                                        "unit": "cells/mm3"}))
    assert set(out) == {"grade", "reason"} and out["grade"] == 4


def test_ctcae_examples_answer_in_kind():
    out = _ok("grade", "ctcae", str(REPO / "examples" / "grade-ctcae-labs.json"))
    assert isinstance(out, list) and len(out) == 12
    # 0.5 x10^9/L neutrophils: grade 3 (<1.0 - 0.5); 75,000/mm3 platelets: grade 1 (<LLN - 75,000)
    assert [o["grade"] for o in out[:2]] == [3, 1]
    single = _ok("grade", "ctcae", str(REPO / "examples" / "grade-ctcae-neutrophils.json"))
    assert single["grade"] == 4


def test_ctcae_more_terms_example():
    # CTCAE v5.0: QTc 472 ms is > 60 ms over baseline 405 (grade 3); EF 48 % is "50 - 40%" (grade 2);
    # ionized Ca 0.95 mmol/L "<1.0 - 0.9" (grade 2); uric acid > ULN with physiologic consequences (grade 3);
    # fibrinogen 1.4 g/L < 0.75 x LLN 2.0 with baseline 1.8 (grade 2)
    out = _ok("grade", "ctcae", str(REPO / "examples" / "grade-ctcae-more-terms.json"))
    assert [o["grade"] for o in out] == [3, 2, 2, 3, 2]


def test_crs_and_icans_examples():
    crs = _ok("grade", "crs", str(REPO / "examples" / "grade-crs-list.json"))
    assert [c["grade"] for c in crs] == [1, 2, 3, 4, 0, 5]
    assert _ok("grade", "crs", str(REPO / "examples" / "grade-crs-grade3.json"))["grade"] == 3
    icans = _ok("grade", "icans", str(REPO / "examples" / "grade-icans-list.json"))
    assert [(i["ice_score"], i["grade"]) for i in icans] == [(10, 0), (8, 1), (3, 3), (0, 3), (0, 4)]
    one = _ok("grade", "icans", str(REPO / "examples" / "grade-icans-ice-items.json"))
    assert set(one) == {"ice_score", "grade", "reason"} and (one["ice_score"], one["grade"]) == (6, 2)


@pytest.mark.parametrize("args,stdin,needle", [
    (("grade", "ctcae", "-"), {"term": "Neutropenia", "value": 1, "unit": "10^9/L"}, "term:"),
    (("grade", "ctcae", "-"), {"term": "Anemia", "value": 11, "unit": "g/dL"}, "lln: required"),
    (("grade", "ctcae", "-"), [{"term": "Anemia", "value": 7, "unit": "g/dL"},
                               {"term": "Anemia", "value": 7, "unit": "mg/dL"}], "[1].unit:"),
    (("grade", "ctcae", "-"), {"term": "Anemia", "value": "low", "unit": "g/dL"}, "value:"),
    (("grade", "crs", "-"), {"temperature_c": 39, "oxygen": "tent"}, "oxygen:"),
    (("grade", "crs", "-"), [1], "[0]: a JSON object"),
    (("grade", "icans", "-"), {"ice_score": 9, "ice_items": {"oriented_year": True, "oriented_month": True,
                                                             "oriented_city": True, "oriented_hospital": True,
                                                             "objects_named": 3, "follows_commands": True,
                                                             "writes_sentence": True, "counts_back_by_10": True}},
     "disagrees"),
    (("grade", "icans", "-"), {"ice_score": 4, "consciousness": "unarousable"}, "cannot undergo ICE"),
])
def test_bad_input_is_one_line_exit_2(args, stdin, needle):
    line = _bad(*args, input=json.dumps(stdin))
    assert needle in line


def test_bad_json_and_missing_file():
    assert "valid JSON" in _bad("grade", "crs", "-", input="{not json")
    assert "FILE" in _bad("grade", "icans", "no-such-file.json")


def test_terms_listing():
    r = run_cli("grade", "terms")
    assert r.returncode == 0 and "Hypophosphatemia" in r.stdout and "cells/mm3" in r.stdout


# --- CTCAE settings: the protocol's ctcae: section, overridden by each input's "settings" ---

HYPOKALEMIA = {"term": "Hypokalemia", "value": 3.2, "unit": "mmol/L", "lln": 3.5}


def _protocol_with(tmp_path, line_old: str, line_new: str):
    from dartnk.protocol import default_protocol_text

    text = default_protocol_text()
    assert text.count(line_old) == 1
    proto = tmp_path / "p.yaml"
    proto.write_text(text.replace(line_old, line_new))
    return str(proto)


def test_ctcae_input_settings_override():
    # CTCAE v5.0 Hypokalemia: "<LLN - 3.0 mmol/L" is grade 1, "Symptomatic with <LLN - 3.0" grade 2;
    # admiral ncictcaev5.json assumes symptomatic (worst case) → grade 2
    out = _ok("grade", "ctcae", "-", input=json.dumps([
        HYPOKALEMIA, {**HYPOKALEMIA, "settings": {"unreported_clinical_criteria": "worst_case"}}]))
    assert [o["grade"] for o in out] == [1, 2]
    assert "ctcae.unreported_clinical_criteria = worst_case" in out[1]["reason"]


def test_ctcae_protocol_settings_and_input_override(tmp_path):
    proto = _protocol_with(tmp_path, "unreported_clinical_criteria: absent", "unreported_clinical_criteria: worst_case")
    out = _ok("grade", "ctcae", "-", "--protocol", proto, input=json.dumps([
        HYPOKALEMIA, {**HYPOKALEMIA, "settings": {"unreported_clinical_criteria": "absent"}}]))
    assert [o["grade"] for o in out] == [2, 1]
    # INR on anticoagulation, baseline 2.0, INR 2.6: x baseline only → 1; admiral (both scales) → 3
    inr = {"term": "INR increased", "value": 2.6, "baseline": 2.0, "on_anticoagulation": True}
    proto = _protocol_with(tmp_path, "inr_anticoagulated: baseline_only",
                           "inr_anticoagulated: worse_of_absolute_and_baseline")
    assert _ok("grade", "ctcae", "-", input=json.dumps(inr))["grade"] == 1
    assert _ok("grade", "ctcae", "-", "--protocol", proto, input=json.dumps(inr))["grade"] == 3


def test_ctcae_settings_alternatives_from_the_cli():
    # ALT 130 U/L, ULN 40, baseline 60 (abnormal): 1 vs baseline (≤ 3 x 60), 2 vs ULN (> 3 x 40)
    alt = {"term": "Alanine aminotransferase increased", "value": 130, "unit": "U/L", "uln": 40, "baseline": 60}
    # fibrinogen 1.9 g/L, LLN 2.0, normal baseline 4.0: 1 by default, 3 when % decrease applies below LLN
    fib = {"term": "Fibrinogen decreased", "value": 1.9, "unit": "g/L", "lln": 2.0, "baseline": 4.0}
    out = _ok("grade", "ctcae", "-", input=json.dumps([
        alt, {**alt, "settings": {"abnormal_baseline_rule": "worse_of_uln_and_baseline"}},
        fib, {**fib, "settings": {"fibrinogen_percent_decrease": "below_lln"}}]))
    assert [o["grade"] for o in out] == [1, 2, 1, 3]


@pytest.mark.parametrize("stdin,needle", [
    ({**HYPOKALEMIA, "settings": {"unreported_clinical_criteria": "sometimes"}},
     "settings.unreported_clinical_criteria: "),
    ([HYPOKALEMIA, {**HYPOKALEMIA, "settings": {"inr_anticoagulated": "both"}}], "[1].settings.inr_anticoagulated: "),
    ({**HYPOKALEMIA, "settings": {"worst": True}}, "settings.worst: unknown field"),
    ({**HYPOKALEMIA, "settings": "worst_case"}, "settings: "),
])
def test_ctcae_bad_settings_one_line(stdin, needle):
    line = _bad("grade", "ctcae", "-", input=json.dumps(stdin))
    assert needle in line


def test_ctcae_bad_protocol_setting_names_it(tmp_path):
    proto = _protocol_with(tmp_path, "fibrinogen_percent_decrease: abnormal_baseline_only",
                           "fibrinogen_percent_decrease: sometimes")
    line = _bad("grade", "ctcae", "-", "--protocol", proto, input=json.dumps(HYPOKALEMIA))
    assert "ctcae.fibrinogen_percent_decrease" in line and "sometimes" in line
