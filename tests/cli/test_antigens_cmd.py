"""``dartnk antigens`` end to end (a real process)."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def test_all_positive_example():
    r = run_cli("antigens", "examples/antigens-all-positive.json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {k: v["positive"] for k, v in out["antigens"].items()} == {"DLL3": True, "CD56": True, "GD2": True}
    assert out["qualifying_constructs"] == ["DLL3-CD56", "DLL3-GD2", "CD56-GD2"]
    assert out["antigens"]["GD2"]["h_score"] == 65


def test_gd2_negative_and_h_score_only_examples():
    out = json.loads(run_cli("antigens", "examples/antigens-gd2-negative.json").stdout)
    assert out["antigens"]["GD2"]["positive"] is False and out["qualifying_constructs"] == ["DLL3-CD56"]
    out = json.loads(run_cli("antigens", "examples/antigens-h-score-only.json").stdout)
    assert out["antigens"]["GD2"]["positive"] is None and out["constructs"]["DLL3-GD2"] is None


def test_list_from_stdin():
    text = open("examples/antigens-list.json").read()
    out = json.loads(run_cli("antigens", "-", input=text).stdout)
    assert len(out) == 3


def test_bad_input_exit_2():
    r = run_cli("antigens", "-", input='{"antigens": {"GD2": {"percent_by_intensity": {"1": 60, "2": 50}}}}')
    assert r.returncode == 2
    line, = r.stderr.strip().splitlines()
    assert line.startswith("error: antigens.GD2.percent_by_intensity") and "≤ 100" in line
    r = run_cli("antigens", "-", input='{"antigens": {"HER2": {"percent_positive": 50}}}')
    assert r.returncode == 2 and "antigens.HER2" in r.stderr and "Traceback" not in r.stderr
