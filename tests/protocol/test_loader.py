"""The protocol file: the shipped one is valid and complete; broken ones name every problem."""

from __future__ import annotations

from pathlib import Path

import yaml

from dartnk.protocol import default_protocol_text, protocol_problems
from tests.conftest import REPO


def test_repo_copy_is_the_packaged_file():
    assert (REPO / "protocols" / "dart-nk-sclc.yaml").read_text(encoding="utf-8") == default_protocol_text()


def test_default_protocol_encodes_the_registry_record(protocol):
    assert protocol.trial.registry_id == "NCT07480213"
    assert protocol.trial.max_participants == 60
    assert [a.id for a in protocol.antigens] == ["DLL3", "CD56", "GD2"]
    assert "NCAM1" in protocol.antigen("CD56").aliases
    assert protocol.construct("DLL3-CD56").product == "EB-DART-NK01"
    assert {tuple(c.targets) for c in protocol.constructs} == {("DLL3", "CD56"), ("DLL3", "GD2"), ("CD56", "GD2")}
    assert protocol.infusions.days == (0, 7, 14)
    assert protocol.dlt.window_days == 28
    assert protocol.follow_up.clinical_months == 24 and protocol.follow_up.long_term_years == 15
    assert protocol.dose_levels[protocol.level_index(protocol.escalation.start_level) - 1].id == "DL-1"
    by_id = {c.id: c for c in protocol.eligibility.inclusion}
    assert (by_id["age"].min_years, by_id["age"].max_years) == (18, 75)
    assert by_id["ecog"].max_score == 1
    assert by_id["anc"].minimum == 1.0 and by_id["platelets"].minimum == 75
    assert by_id["creatinine_clearance"].min_ml_min == 50
    assert by_id["ast"].max_x_uln == 3 and by_id["bilirubin"].max_x_uln == 1.5
    assert by_id["lvef"].min_percent == 45 and by_id["life_expectancy"].min_weeks == 12


def _broken(edit) -> list[str]:
    data = yaml.safe_load(default_protocol_text())
    edit(data)
    _, problems = protocol_problems(yaml.safe_dump(data))
    return [str(p) for p in problems]


def test_cohort_size_zero_is_named():
    problems = _broken(lambda d: d["escalation"].__setitem__("cohort_size", 0))
    assert any(p.startswith("escalation.cohort_size: ") and "got 0" in p for p in problems), problems


def test_committee_quorum_is_checked_and_the_section_is_optional(protocol):
    assert protocol.committee.approvals_required == 1  # DEFAULT: the chair signs for the committee
    problems = _broken(lambda d: d["committee"].__setitem__("approvals_required", 0))
    assert any(p.startswith("committee.approvals_required: ") and "got 0" in p for p in problems), problems
    d = yaml.safe_load(default_protocol_text())
    del d["committee"]
    parsed, problems = protocol_problems(yaml.safe_dump(d))
    assert problems == [] and parsed.committee.approvals_required == 1


def test_a_key_given_twice_is_named_not_silently_overwritten():
    # YAML keeps the last of two equal keys; a protocol must not be ambiguous, so both places are named.
    text = default_protocol_text()
    text = text.replace("\n  cohort_size: 3", "\n  cohort_size: 3\n  cohort_size: 2", 1)
    text += "\ncommittee:\n  approvals_required: 3\n"
    _, problems = protocol_problems(text)
    fields = [p.field for p in problems]
    assert fields == ["escalation.cohort_size", "committee"], problems
    assert all("one entry per key" in p.expected and "first at line" in p.expected for p in problems)


def test_every_problem_is_reported_at_once():
    def edit(d):
        d["escalation"]["cohort_size"] = 0
        d["trial"]["max_participants"] = -1
        d["antigens"][0]["positivity"]["min_percent_cells"] = 140
    problems = _broken(edit)
    fields = {p.split(":")[0] for p in problems}
    assert {"escalation.cohort_size", "trial.max_participants", "antigens.0.positivity.min_percent_cells"} <= fields


def test_dangling_and_unordered_references_are_named():
    def edit(d):
        d["constructs"][1]["targets"] = ["DLL3", "GD3"]
        d["escalation"]["start_level"] = "DL9"
        d["dose_levels"][2]["cells_per_infusion"] = 1.0e8
    problems = _broken(edit)
    assert "constructs.1.targets.1: an antigen id (CD56, DLL3, GD2), got 'GD3'" in problems
    assert any(p.startswith("escalation.start_level:") and "'DL9'" in p for p in problems)
    assert any(p.startswith("dose_levels.2.cells_per_infusion:") for p in problems)


def test_unknown_field_and_bad_yaml():
    assert any("unknown field" in p for p in _broken(lambda d: d["escalation"].__setitem__("cohort_szie", 3)))
    _, problems = protocol_problems("trial: [unclosed")
    assert problems and problems[0].field == "yaml"


def test_cli_check(cli, tmp_path: Path):
    ok = cli("protocol", "check")
    assert ok.returncode == 0 and "valid" in ok.stdout
    data = yaml.safe_load(default_protocol_text())
    data["escalation"]["cohort_size"] = 0
    data["dlt"]["window_days"] = 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    res = cli("protocol", "check", str(bad))
    assert res.returncode == 2
    assert "escalation.cohort_size" in res.stderr and "dlt.window_days" in res.stderr
    assert "Traceback" not in res.stderr
    missing = cli("protocol", "check", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr


def test_cli_show(cli):
    res = cli("protocol", "show")
    assert res.returncode == 0
    for text in ("NCT07480213", "EB-DART-NK01", "DL-1", "fludarabine 30 mg/m²", "28 days", "15 years"):
        assert text in res.stdout


def test_cli_check_names_settings_only_clinical_rules_can_judge(cli, tmp_path: Path):
    data = yaml.safe_load(default_protocol_text())
    anc = next(c for c in data["eligibility"]["inclusion"] if c["id"] == "anc")
    anc["lab"] = "no_such_lab"
    bad = tmp_path / "bad-lab.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True))
    res = cli("protocol", "check", str(bad))
    assert res.returncode == 2 and "eligibility.inclusion." in res.stderr and "no_such_lab" in res.stderr


def test_oc_scenario_needs_one_probability_per_level():
    problems = _broken(lambda d: d["escalation"]["oc_scenarios"][0].__setitem__("dlt_probabilities", [0.1, 0.2]))
    assert any(p.startswith("escalation.oc_scenarios.0.dlt_probabilities: one probability per dose level (4: ")
               for p in problems), problems
