"""``dartnk oc`` and ``dartnk decisions`` end to end, as a user runs them (a new process)."""

from __future__ import annotations

import json

import pytest

from dartnk.design.escalation import settings_with
from dartnk.design.exact_oc import exact_oc
from tests.conftest import run_cli

TOX = "0.05,0.10,0.20,0.35,0.50"
KEYS = {"method", "true_tox", "settings", "p_select", "mean_patients", "mean_dlts", "mean_n", "mean_total_dlts", "p_n"}


def oc_json(*args: str) -> dict:
    res = run_cli("oc", "--tox", TOX, "--json", *args)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_exact_json_contract(protocol):
    out = oc_json()
    assert KEYS <= set(out) and out["method"] == "exact"
    assert out["true_tox"] == [0.05, 0.1, 0.2, 0.35, 0.5]
    assert len(out["p_select"]) == 6 and len(out["mean_patients"]) == len(out["mean_dlts"]) == 5
    assert sum(out["p_select"]) == pytest.approx(1.0)
    assert all(isinstance(k, str) and k.isdigit() for k in out["p_n"])
    assert out["settings"]["deescalate"] is True and out["settings"]["expand_top_level"] is True
    assert out["settings"]["start_level"] == 1
    ref = exact_oc(protocol.escalation, [0.05, 0.1, 0.2, 0.35, 0.5])
    assert out["p_select"] == pytest.approx(list(ref.p_select), abs=1e-15)
    assert out["mean_n"] == pytest.approx(ref.mean_n, abs=1e-12)


@pytest.mark.parametrize("de,et", [("true", "true"), ("true", "false"), ("false", "true"), ("false", "false")])
def test_set_overrides_both_booleans(protocol, de, et):
    out = oc_json("--set", f"deescalate={de}", "--set", f"expand_top_level={et}")
    assert out["settings"]["deescalate"] is (de == "true") and out["settings"]["expand_top_level"] is (et == "true")
    s = settings_with(protocol.escalation, deescalate=de, expand_top_level=et)
    assert out["p_select"] == pytest.approx(list(exact_oc(s, [0.05, 0.1, 0.2, 0.35, 0.5]).p_select), abs=1e-15)


def test_start_level_is_one_based(protocol):
    out = oc_json("--start-level", "2")
    assert out["settings"]["start_level"] == 2 and out["mean_patients"][0] < 3.0
    ref = exact_oc(protocol.escalation, [0.05, 0.1, 0.2, 0.35, 0.5], start=1)
    assert out["mean_patients"] == pytest.approx(list(ref.mean_patients), abs=1e-12)


def test_simulation_json_is_seeded_and_has_standard_errors():
    a = oc_json("--sims", "2000", "--seed", "5")
    b = oc_json("--sims", "2000", "--seed", "5")
    assert a == b and a["method"] == "simulation" and a["seed"] == 5 and a["n_sims"] == 2000
    assert KEYS <= set(a)
    for key in ("se_p_select", "se_mean_patients", "se_mean_dlts", "se_mean_n", "se_mean_total_dlts"):
        assert key in a
    c = oc_json("--sims", "2000")  # no seed: a fresh one, reported so the run can be repeated
    assert isinstance(c["seed"], int)
    assert oc_json("--sims", "2000", "--seed", str(c["seed"]))["p_select"] == c["p_select"]


def test_readable_table():
    res = run_cli("oc", "--tox", TOX)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for word in ("Level", "True DLT", "P(MTD)", "E[patients]", "E[DLTs]", "none", "total", "exact"):
        assert word in out
    assert "0.350" in out and "P(n patients)" in out
    res = run_cli("oc", "--tox", TOX, "--sims", "500", "--seed", "1")
    assert res.returncode == 0 and "±" in res.stdout and "simulation of 500 trials (seed 1)" in res.stdout


def test_readable_summary_lines_name_the_ttl_and_the_peer_tools():
    # Chen-Zheng calculator's saved table (tests/design/test_published_oc_calculators.py): overall DLT rate 0.175;
    # its TTL 0.189 averages levels 1-5 only, Lin & Shih's definition over all six levels gives 0.1985.
    res = run_cli("oc", "--tox", "0.05,0.1,0.15,0.25,0.35,0.5", "--set", "deescalate=false", "--set", "expand_top_level=false")
    assert res.returncode == 0, res.stderr
    assert "target toxicity level): 0.1985" in res.stdout and "E[DLTs]/E[patients]: 0.1749" in res.stdout
    assert "The same rules as: bcrm::threep3(truep, threep3.esc.only = TRUE)" in res.stdout
    res = run_cli("oc", "--tox", TOX, "--set", "deescalate=true", "--set", "expand_top_level=false")
    assert "The same rules as: bcrm::threep3(truep);" in res.stdout
    res = run_cli("oc", "--tox", TOX, "--start-level", "2")
    assert "The same rules as" not in res.stdout  # peers are mapped for a start at level 1 only
    res = run_cli("oc", "--tox", "0.2,0.3", "--set", "cohort_expansion=2", "--set", "escalate_max_dlts_expanded=0")
    assert res.returncode == 0 and "The same rules as" not in res.stdout


def test_decisions_table():
    res = run_cli("decisions")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert any(ln.split()[:2] == ["3", "1"] and "treat 3 more" in ln for ln in lines if ln[:1].isdigit())
    assert any(ln.split()[:2] == ["6", "2"] and "too toxic" in ln for ln in lines if ln[:1].isdigit())
    assert "deescalate = true" in res.stdout
    res = run_cli("decisions", "--set", "deescalate=false", "--set", "expand_top_level=false")
    assert res.returncode == 0 and "deescalate = false" in res.stdout and "it is the MTD" in res.stdout
    res = run_cli("decisions", "--json")
    data = json.loads(res.stdout)
    assert len(data["rows"]) == 11 and data["rows"][0] == {
        "treated": 3, "dlts": 0, "status": "tolerated_after_a", "action": data["rows"][0]["action"]}


def test_protocol_option(tmp_path):
    from dartnk.protocol import default_protocol_text

    text = default_protocol_text().replace("deescalate: true", "deescalate: false", 1)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    out = oc_json("--protocol", str(path))
    assert out["settings"]["deescalate"] is False


def test_protocol_scenarios_without_tox(protocol):
    """``dartnk oc`` alone: the protocol's design scenarios on its dose levels, from its start level."""
    res = run_cli("oc", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    scenarios = protocol.escalation.oc_scenarios
    assert [o["scenario"] for o in out] == [sc.name for sc in scenarios] and len(out) >= 1
    start = protocol.level_index(protocol.escalation.start_level)
    for obj, sc in zip(out, scenarios):
        assert KEYS <= set(obj) and obj["settings"]["start_level"] == start + 1
        ref = exact_oc(protocol.escalation, list(sc.dlt_probabilities), start)
        assert obj["p_select"] == pytest.approx(list(ref.p_select), abs=1e-15)
    res = run_cli("oc")
    assert res.returncode == 0 and all(f"Scenario {sc.name}" in res.stdout for sc in scenarios)
    assert f"({protocol.escalation.start_level}) *" in res.stdout
    sims = json.loads(run_cli("oc", "--json", "--sims", "300", "--seed", "9").stdout)
    assert all(o["seed"] == 9 and o["method"] == "simulation" for o in sims)


def test_protocol_without_scenarios_or_with_a_wrong_length(tmp_path):
    import re

    from dartnk.protocol import default_protocol_text

    text = default_protocol_text()
    block = re.search(r"\n  oc_scenarios:\n(?:    .*\n|       .*\n)+", text)
    assert block is not None
    path = tmp_path / "none.yaml"
    path.write_text(text.replace(block.group(0), "\n"), encoding="utf-8")
    res = run_cli("oc", "--protocol", str(path))
    assert res.returncode == 2 and "--tox: required" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert run_cli("oc", "--tox", "0.1,0.2", "--protocol", str(path)).returncode == 0
    short = text.replace("dlt_probabilities: [0.02, 0.05, 0.08, 0.12]", "dlt_probabilities: [0.02, 0.05]")
    assert short != text
    path.write_text(short, encoding="utf-8")
    res = run_cli("oc", "--protocol", str(path))
    assert res.returncode == 2 and "escalation.oc_scenarios.0.dlt_probabilities" in res.stderr
    bad = text.replace("dlt_probabilities: [0.02, 0.05, 0.08, 0.12]", "dlt_probabilities: [0.02, 0.05, 0.08, 1.2]")
    path.write_text(bad, encoding="utf-8")
    res = run_cli("protocol", "check", str(path))
    assert res.returncode == 2 and "escalation.oc_scenarios.0" in res.stderr


@pytest.mark.parametrize("args,needle", [
    (["oc", "--tox", "0.2,1.5"], "--tox"),
    (["oc", "--tox", ""], "--tox"),
    (["oc", "--tox", "0.1,abc"], "abc"),
    (["oc", "--tox", "0.1,,0.2"], "--tox"),
    (["oc", "--tox", "0.1,nan"], "nan"),
    (["oc", "--tox", "-0.1"], "--tox"),
    (["oc", "--tox", "0.1,0.2", "--start-level", "3"], "--start-level"),
    (["oc", "--tox", "0.1,0.2", "--start-level", "0"], "--start-level"),
    (["oc", "--tox", "0.1,0.2", "--start-level", "x"], "--start-level"),
    (["oc", "--tox", "0.1", "--set", "nosuch=1"], "nosuch"),
    (["oc", "--tox", "0.1", "--set", "deescalate=maybe"], "deescalate"),
    (["oc", "--tox", "0.1", "--set", "cohort_size=0"], "cohort_size"),
    (["oc", "--tox", "0.1", "--set", "expand_max_dlts=3"], "expand_max_dlts"),
    (["oc", "--tox", "0.1", "--set", "deescalate"], "NAME=VALUE"),
    (["oc", "--tox", "0.1", "--sims", "0"], "--sims"),
    (["oc", "--tox", "0.1", "--sims", "many"], "--sims"),
    (["oc", "--tox", "0.1", "--seed", "3"], "--seed"),
    (["oc", "--tox", "0.1", "--sims", "10", "--seed", "-1"], "--seed"),
    (["oc", "--tox", "0.1", "--protocol", "/no/such/file.yaml"], "--protocol"),
    (["decisions", "--set", "mtd_rule=lowest"], "mtd_rule"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle):
    res = run_cli(*args)
    assert res.returncode == 2, (res.stdout, res.stderr)
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and needle in err[0], res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
