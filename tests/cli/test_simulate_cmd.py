"""``dartnk simulate`` end to end, as a user runs it (a new process)."""

from __future__ import annotations

import json

import yaml

from tests.conftest import run_cli


def test_simulate_writes_summary_and_report(tmp_path):
    out = tmp_path / "sim"
    r = run_cli("simulate", "--scenario", "default", "--scenario", "one-toxic", "--trials", "12", "--seed", "3",
                "--workers", "1", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert f"wrote {out / 'summary.json'} and {out / 'report.html'}" in r.stdout
    doc = json.loads((out / "summary.json").read_text())
    assert doc["seed"] == 3 and doc["trials_per_scenario"] == 12
    assert [s["name"] for s in doc["scenarios"]] == ["default", "one-toxic"]
    assert "<html" in (out / "report.html").read_text()
    assert not list(out.glob("*.tmp"))
    assert "simulating" not in r.stderr  # no progress bar when stderr is not a terminal


def test_same_seed_same_summary_whatever_the_workers(tmp_path):
    docs = []
    for w in ("1", "2"):
        r = run_cli("simulate", "--scenario", "gd2-rare", "--trials", "10", "--seed", "5", "--workers", w,
                    "--out", str(tmp_path / w))
        assert r.returncode == 0, r.stderr
        doc = json.loads((tmp_path / w / "summary.json").read_text())
        for k in ("elapsed_seconds", "workers"):
            doc.pop(k)
        docs.append(doc)
    assert docs[0] == docs[1]


def test_scenario_file(tmp_path, protocol):
    from importlib import resources

    data = yaml.safe_load(resources.files("dartnk.sim").joinpath("scenarios", "default.yaml").read_text())
    data["name"] = "my-scenario"
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data))
    r = run_cli("simulate", "--scenario", str(path), "--trials", "5", "--workers", "1", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["scenarios"][0]["name"] == "my-scenario"


def _bad(*args):
    r = run_cli("simulate", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


def test_bad_inputs_give_one_line_and_exit_2(tmp_path):
    assert "--trials" in _bad("--trials", "0")
    assert "--trials" in _bad("--trials", "many")
    assert "--seed" in _bad("--seed", "-4")
    assert "--workers" in _bad("--workers", "0")
    assert "--workers" in _bad("--workers", "2", "--scheduler", "tcp://127.0.0.1:9")
    assert "--engine" in _bad("--engine", "turbo")
    line = _bad("--scenario", "no-such-scenario")
    assert "no-such-scenario" in line and "default" in line
    assert "--scenario" in _bad("--scenario", str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntitle: t\n")
    r = run_cli("simulate", "--scenario", str(bad), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert lines[0] == "error: best_construct: required field is missing"  # one line per problem, each naming its field
    assert all(x.startswith("error: ") for x in lines)
    assert "--scenario" in _bad("--scenario", "default", "--scenario", "default")
    f = tmp_path / "file"
    f.write_text("")
    assert "--out" in _bad("--out", str(f), "--scenario", "default", "--trials", "1")
    assert "--scheduler" in _bad("--scheduler", "tcp://127.0.0.1:9", "--scenario", "default", "--trials", "1",
                                 "--out", str(tmp_path / "s"))
    assert not (tmp_path / "s").exists()
