"""``dartnk recist timepoint|assess|best`` end to end (a real process): the documented examples,
standard input, lists answered in kind, ``--protocol``, and bad input → one line per problem, exit 2."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, run_cli

EXAMPLES = REPO / "examples"


def ok(*args, input=None):
    result = run_cli("recist", *args, input=input)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_timepoint_list_example_answers_in_kind():
    out = ok("timepoint", str(EXAMPLES / "recist-timepoint.json"))
    assert [r["overall"] for r in out] == ["CR", "PR", "SD", "NE", "PD", "NON_CR_NON_PD", "PD"]


def test_timepoint_from_stdin_one_object():
    out = ok("timepoint", "-", input='{"target": "CR", "non_target": "NE", "new_lesions": false}')
    assert out["overall"] == "PR" and "Table 1" in out["reason"]


@pytest.mark.parametrize("name, overall, best", [
    ("recist-assess-pr-confirmed.json", ["PR", "PR"], "PR"),
    ("recist-assess-pd-20pct-5mm.json", ["SD", "PD"], "SD"),
    ("recist-assess-cr-nodes.json", ["CR", "CR"], "CR"),
    ("recist-assess-non-target-only.json", ["NON_CR_NON_PD", "NON_CR_NON_PD"], "NON_CR_NON_PD"),
    ("recist-assess-ne.json", ["NE", "PD"], "PD"),
])
def test_assess_examples(name, overall, best):
    out = ok("assess", str(EXAMPLES / name))
    assert [v["overall"] for v in out["visits"]] == overall and out["best_overall_response"] == best


def test_assess_example_boundaries_and_sums():
    pr = ok("assess", str(EXAMPLES / "recist-assess-pr-confirmed.json"))
    assert pr["visits"][0]["pct_change_from_baseline"] == -30.0 and pr["visits"][0]["sum_mm"] == 49.0
    pd = ok("assess", str(EXAMPLES / "recist-assess-pd-20pct-5mm.json"))
    assert (pd["visits"][1]["sum_mm"], pd["visits"][1]["nadir_mm"]) == (30.0, 25.0)
    cr = ok("assess", str(EXAMPLES / "recist-assess-cr-nodes.json"))
    assert cr["visits"][0]["sum_mm"] == 14.0  # nodes keep their short axis in the sum


def test_assess_split_and_coalesced_list():
    split, coalesced = ok("assess", str(EXAMPLES / "recist-assess-split-coalesced.json"))
    assert (split["patient_id"], split["visits"][0]["sum_mm"]) == ("P-SPLIT", 40.0)
    assert (coalesced["patient_id"], coalesced["visits"][0]["sum_mm"]) == ("P-COALESCED", 52.0)


def test_best_example():
    out = ok("best", str(EXAMPLES / "recist-best.json"))
    assert [r["best_overall_response"] for r in out] == ["CR", "PR", "SD", "PD", "PR", "SD"]


def test_protocol_settings_apply(tmp_path):
    text = (REPO / "protocols" / "dart-nk-sclc.yaml").read_text(encoding="utf-8")
    proto = tmp_path / "p.yaml"
    proto.write_text(text.replace("  confirmation_required: true", "  confirmation_required: false"), encoding="utf-8")
    record = '{"timepoints": [{"day": 42, "overall": "PR"}, {"day": 84, "overall": "PD"}]}'
    assert ok("best", "-", input=record)["best_overall_response"] == "SD"
    assert ok("best", "-", "--protocol", str(proto), input=record)["best_overall_response"] == "PR"


@pytest.mark.parametrize("command, text, needle", [
    ("timepoint", '{"target": "GREAT", "non_target": "CR", "new_lesions": false}', "target: one of CR|PR|SD|PD|NE|NONE"),
    ("timepoint", "{not json", "valid JSON"),
    ("best", '[{"timepoints": [{"day": 42, "overall": "PR"}]}, {"timepoints": [{"day": 42, "overall": "XX"}]}]',
     "[1].timepoints[0].overall"),
    ("assess", '{"baseline": {"day": 0, "target_lesions": [{"id": "T1", "organ": "liver", "diameter_mm": 8}]},'
               ' "visits": []}', "baseline.target_lesions[0].diameter_mm: lesion T1"),
    ("assess", '{"baseline": {"day": 0, "target_lesions": [{"id": "N1", "organ": "neck", "lymph_node": true,'
               ' "diameter_mm": 12}]}, "visits": []}', "short axis ≥ 15 mm"),
    ("best", '{"timepoints": [], "settings": {"min_sd_days": -5}}', "settings.min_sd_days"),
])
def test_bad_input_is_one_clear_line_and_exit_2(command, text, needle):
    result = run_cli("recist", command, "-", input=text)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.stderr


def test_missing_file_is_exit_2():
    result = run_cli("recist", "assess", "no-such-file.json")
    assert result.returncode == 2 and "no-such-file.json" in result.stderr and "Traceback" not in result.stderr
