"""``dartnk select FILE|-`` end to end (a real process)."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def _one_error_line(r):
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr
    return lines[0]


def test_select_example_json():
    r = run_cli("select", "examples/select-three-arms.json", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["selected"] in {"DLL3-CD56", "DLL3-GD2"} and out["selected"] in out["reason"]
    ranks = {c["construct"]: c for c in out["constructs"]}
    assert ranks["CD56-GD2"]["eligible"] is False and ranks["CD56-GD2"]["rank"] == 3
    assert set(ranks[out["selected"]]["p_best"]) == {"safety", "manufacturability", "persistence", "efficacy"}
    assert abs(sum(out["sensitivity"]["wins"].values()) - 1) < 1e-9


def test_select_stdin_list_text_and_seed():
    arms = json.load(open("examples/select-three-arms.json"))["arms"]
    r = run_cli("select", "-", "--seed", "11", input=json.dumps(arms))
    assert r.returncode == 0, r.stderr
    assert "selected" in r.stdout.splitlines()[0] and "1. " in r.stdout


def test_select_bad_input():
    line = _one_error_line(run_cli("select", "-", input='[{"construct": "CAR-X"}]'))
    assert line.startswith("error: arms.0.construct: a construct id of the protocol")
    line = _one_error_line(run_cli("select", "-", input='[{"construct": "DLL3-CD56", "dlts_at_rp2d": 2}]'))
    assert line.startswith("error: arms.0") and "dlts_at_rp2d" in line
    line = _one_error_line(run_cli("select", "-", input='{"arm": []}'))
    assert line.startswith("error: input:")
    r = run_cli("select", "-", input='[{"construct": "DLL3-CD56", "responders": -1, "colour": 1}]')
    assert r.returncode == 2 and "arms.0.responders" in r.stderr and "arms.0.colour" in r.stderr
