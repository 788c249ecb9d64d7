"""``dartnk calendar`` end to end (a real process)."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def test_json_calendar():
    r = run_cli("calendar", "--start", "2026-12-01", "--json")
    assert r.returncode == 0, r.stderr
    visits = json.loads(r.stdout)
    first = visits[0]
    assert first["name"] == "Lymphodepletion Day -5" and first["date"] == "2026-11-26" and first["study_day"] == -5
    assert {"name", "kind", "study_day", "date", "window_start", "window_end"} <= set(first)
    assert visits[-1]["name"] == "Long-term follow-up Year 15" and visits[-1]["date"] == "2041-12-01"


def test_table():
    r = run_cli("calendar", "--start", "2026-12-01")
    assert r.returncode == 0
    assert "Infusion 2 (Day 7)" in r.stdout and "2026-12-07 – 2026-12-09" in r.stdout


def test_overdue():
    r = run_cli("calendar", "--start", "2026-12-01", "--json", "--overdue-on", "2026-12-04",
                "--done", "Lymphodepletion Day -5", "--done", "Lymphodepletion Day -4", "--done", "Lymphodepletion Day -3",
                "--done", "Infusion 1 (Day 0)", "--done", "DLT visit Day 1")
    names = [v["name"] for v in json.loads(r.stdout)]
    assert names == ["Persistence sample Day 1", "DLT visit Day 2"]


def test_bad_date_exit_2():
    r = run_cli("calendar", "--start", "2026-02-30")
    assert r.returncode == 2
    line, = r.stderr.strip().splitlines()
    assert "--start" in line and "2026-02-30" in line
    r = run_cli("calendar")
    assert r.returncode == 2 and "Traceback" not in r.stderr
