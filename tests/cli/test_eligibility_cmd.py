"""``dartnk eligibility`` end to end (a real process)."""

from __future__ import annotations

import json

from tests.conftest import REPO, run_cli


def test_eligible_example():
    r = run_cli("eligibility", "examples/screening-eligible.json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["eligible"] is True and all(c["met"] is True for c in out["criteria"])


def test_ineligible_example_names_unmet_criteria():
    out = json.loads(run_cli("eligibility", "examples/screening-ineligible.json").stdout)
    assert out["eligible"] is False
    assert {c["id"] for c in out["criteria"] if c["met"] is False} == {
        "ecog", "bilirubin", "cns_metastases", "recent_myocardial_infarction"}


def test_missing_data_gives_null():
    out = json.loads(run_cli("eligibility", "examples/screening-missing-data.json").stdout)
    assert out["eligible"] is None
    lvef = next(c for c in out["criteria"] if c["id"] == "lvef")
    assert lvef["met"] is None and "lvef_percent" in lvef["reason"]


def test_list_answered_in_kind_and_stdin():
    text = (REPO / "examples" / "screening-list.json").read_text()
    r = run_cli("eligibility", "-", input=text)
    assert r.returncode == 0, r.stderr
    assert [o["eligible"] for o in json.loads(r.stdout)] == [True, False, True]


def test_protocol_option(tmp_path):
    proto = (REPO / "protocols" / "dart-nk-sclc.yaml").read_text().replace("max_score: 1, text", "max_score: 2, text")
    path = tmp_path / "p.yaml"
    path.write_text(proto)
    out = json.loads(run_cli("eligibility", "examples/screening-ineligible.json", "--protocol", str(path)).stdout)
    assert next(c for c in out["criteria"] if c["id"] == "ecog")["met"] is True


def test_bad_input_one_line_exit_2():
    r = run_cli("eligibility", "-", input='[{}, {"ecog": 7}]')
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "[1].ecog" in lines[0] and "7" in lines[0] and "Traceback" not in r.stderr
    r = run_cli("eligibility", "no-such-file.json")
    assert r.returncode == 2 and "no-such-file.json" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("eligibility", "-", input="{not json")
    assert r.returncode == 2 and "valid JSON" in r.stderr
