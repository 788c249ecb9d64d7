"""``dartnk design simon|monitor|futility`` end to end (a real process)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


def _one_error_line(r):
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr
    return lines[0]


def test_simon_json():
    # Simon 1989 Table 1: p0 = 0.10, p1 = 0.30, α = 0.05, β = 0.20 → optimal 1/10, 5/29 (EN 15.0, PET .74);
    # minimax 1/15, 5/25 (EN 19.5, PET .55)
    r = run_cli("design", "simon", "--p0", "0.1", "--p1", "0.3", "--alpha", "0.05", "--beta", "0.2", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    o, m = out["optimal"], out["minimax"]
    assert set(o) == {"r1", "n1", "r", "n", "en_p0", "pet_p0", "alpha", "power"}
    assert (o["r1"], o["n1"], o["r"], o["n"], round(o["en_p0"], 1), round(o["pet_p0"], 2)) == (1, 10, 5, 29, 15.0, 0.74)
    assert (m["r1"], m["n1"], m["r"], m["n"], round(m["en_p0"], 1), round(m["pet_p0"], 2)) == (1, 15, 5, 25, 19.5, 0.55)


def test_simon_text_and_bad_input():
    r = run_cli("design", "simon", "--p0", "0.2", "--p1", "0.4")
    assert r.returncode == 0 and "optimal: r1/n1 = 3/13, r/n = 12/43" in r.stdout
    assert _one_error_line(run_cli("design", "simon", "--p0", "0.4", "--p1", "0.2")).startswith("error: --p1:")


def test_monitor_pocock_json():
    r = run_cli("design", "monitor", "--max-n", "24", "--threshold", "0.3", "--method", "pocock", "--alpha", "0.1",
                "--rates", "0.1,0.2,0.3,0.4", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["method"] == "pocock" and out["max_n"] == 24
    oc = {o["rate"]: o for o in out["operating_characteristics"]}
    assert oc[0.3]["p_stop"] <= 0.1 and oc[0.4]["p_stop"] > oc[0.3]["p_stop"]
    assert all("stop_if_at_least" in row for row in out["table"])


def test_monitor_bayesian_defaults_from_protocol():
    r = run_cli("design", "monitor", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["method"] == "bayesian" and out["max_n"] == 25 and out["parameters"]["probability"] == 0.8
    assert out["table"][0] == {"n_from": 3, "n_to": 3, "stop_if_at_least": 2}
    r = run_cli("design", "monitor", "--max-n", "24", "--threshold", "0.3", "--prior-a", "0.5", "--prior-b", "0.5",
                "--probability", "0.9")
    assert r.returncode == 0 and "stop if ≥" in r.stdout and "P(stop)" in r.stdout


@pytest.mark.parametrize("args,start", [
    (["--threshold", "1.5"], "error: --threshold:"), (["--method", "sprt"], "error: --method:"),
    (["--rates", "0.1,abc"], "error: --rates:"), (["--max-n", "2"], "error: --min-patients:"),
])
def test_monitor_bad_input(args, start):
    assert _one_error_line(run_cli("design", "monitor", *args)).startswith(start)


def test_futility_simon_and_predictive():
    r = run_cli("design", "futility", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["bounds"] == {"15": 1} and out["final_success_at_least"] == 6
    r = run_cli("design", "futility", "--method", "predictive", "--rates", "0.1,0.3")
    assert r.returncode == 0 and "stop if ≤" in r.stdout and "P(promising)" in r.stdout
    r = run_cli("design", "futility", "--p0", "0.1", "--p1", "0.3", "--max-n", "29", "--json")
    assert json.loads(r.stdout)["bounds"] == {"10": 1}


def test_futility_bad_input():
    r = run_cli("design", "futility", "--p0", "0.1", "--p1", "0.3", "--max-n", "27")
    assert _one_error_line(r).startswith("error: --max-n: the total n of Simon's optimal (29) or minimax (25)")
    assert _one_error_line(run_cli("design", "futility", "--p0", "1.2")).startswith("error: --p0:")


def test_futility_predictive_calibration():
    r = run_cli("design", "futility", "--method", "predictive", "--max-n", "30", "--calibrate", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    c = out["calibration"]
    assert c["alpha"] <= 0.05 and c["power"] >= 0.8
    assert out["parameters"]["efficacy_probability"] == c["efficacy_probability"]
    oc = {o["rate"]: o for o in out["operating_characteristics"]}
    assert abs(oc[0.1]["p_promising"] - c["alpha"]) < 1e-12 and abs(oc[0.3]["p_promising"] - c["power"]) < 1e-12
    assert _one_error_line(run_cli("design", "futility", "--calibrate")).startswith("error: --calibrate:")
