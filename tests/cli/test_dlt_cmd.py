"""End-to-end: ``dartnk dlt FILE|-`` (DLT adjudication with the shipped protocol's DLT definition)."""

from __future__ import annotations

import json

from tests.conftest import REPO, run_cli


def _run(*args, input=None):
    return run_cli("dlt", *args, input=input)


def test_examples():
    expected = {"dlt-prolonged-crs.json": ("dlt", "crs-grade-3-prolonged", True),
                "dlt-pending.json": ("pending", "cytopenia-prolonged", None),
                "dlt-no-dlt.json": ("no_dlt", None, True)}
    for name, (status, rule, evaluable) in expected.items():
        r = _run(str(REPO / "examples" / name))
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert (out["status"], out["rule_id"], out["evaluable"]) == (status, rule, evaluable), name
        assert out["reason"] and out["evaluability_reason"]


def test_list_from_stdin_answers_in_kind():
    patients = [
        {"infusions_received": 3, "observed_through_day": 27,
         "events": [{"term": "Cytokine release syndrome", "grade": 4, "onset_day": 27, "attribution": "possible"}]},
        {"infusions_received": 3, "observed_through_day": 30,
         "events": [{"term": "Cytokine release syndrome", "grade": 4, "onset_day": 28, "attribution": "possible"}]},
    ]
    r = _run("-", input=json.dumps(patients))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [o["status"] for o in out] == ["dlt", "no_dlt"]       # Day 27 inside, Day 28 outside


def test_custom_protocol(tmp_path):
    from dartnk.protocol import default_protocol_text

    text = default_protocol_text().replace("window_days: 28", "window_days: 21", 1)
    proto = tmp_path / "p.yaml"
    proto.write_text(text)
    rec = {"infusions_received": 3, "observed_through_day": 25,
           "events": [{"term": "Cytokine release syndrome", "grade": 4, "onset_day": 22, "attribution": "definite"}]}
    r = _run("-", "--protocol", str(proto), input=json.dumps(rec))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "no_dlt"


def _one_error_line(r) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_bad_inputs():
    line = _one_error_line(_run("-", input=json.dumps({"events": [], "observed_through_day": 3})))
    assert "infusions_received" in line
    rec = {"infusions_received": 1, "observed_through_day": 5,
           "events": [{"term": "Nausea", "grade": 3, "onset_day": 2, "attribution": "sure"}]}
    assert "events.0.attribution" in _one_error_line(_run("-", input=json.dumps(rec)))
    rec = [{"infusions_received": 1, "observed_through_day": 5,
            "events": [{"term": "Platelet count decreased", "lab": {"value": 100, "unit": "10^9/L"},
                        "onset_day": 2, "attribution": "possible"}]}]
    assert "[0].events[0].lab.lln" in _one_error_line(_run("-", input=json.dumps(rec)))
    rec = {"infusions_received": 1, "observed_through_day": 5,
           "events": [{"term": "Nausea", "grade": 3, "onset_day": 9, "attribution": "possible"}]}
    assert "events[0].onset_day" in _one_error_line(_run("-", input=json.dumps(rec)))
