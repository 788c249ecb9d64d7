"""``dartnk export sdtm`` end to end on the demo database: files, values read back, errors."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.export.demo_db import demo_database


@pytest.mark.parametrize("fmt", ["xpt", "csv"])
def test_export_and_read_back(tmp_path, fmt):
    from dartnk.export.sdtm import build_datasets, read_dataset
    from dartnk.export.store_reader import read_trial
    from dartnk.protocol import default_protocol

    out = tmp_path / "sdtm"
    r = run_cli("export", "sdtm", "--db", demo_database(), "--out", str(out), "--format", fmt)
    assert r.returncode == 0, r.stderr
    assert "SDTMIG 3.4" in r.stdout
    names = {"dm", "ds", "ex", "ae", "suppae", "lb", "tu", "tr", "rs", "ta", "te", "ts"}
    assert {p.stem for p in out.glob(f"*.{fmt}")} == names and (out / "define.json").is_file()
    data = read_trial(demo_database(), default_protocol())
    expected = build_datasets(data)
    dm, labels = read_dataset(out / f"dm.{fmt}")
    assert [r_["USUBJID"] for r_ in dm] == [f"DART-NK-SCLC-{p.subject_id}" for p in data.patients]
    assert labels["ARMNRS"] == "Reason Arm and/or Actual Arm is Null"
    ex, _ = read_dataset(out / f"ex.{fmt}")
    assert len(ex) == len(expected["EX"].rows) == len(data.exposures)
    treated = {p.subject_id for p in data.treated()}
    first = [x for x in ex if x["EXCAT"] == "CAR-NK CELL INFUSION" and x["EXSTDY"] == 1.0]
    assert len(first) == len(treated)  # every Day 0 infusion is SDTM day 1
    ae, _ = read_dataset(out / f"ae.{fmt}")
    assert [a["AETERM"] for a in ae] == [a["AETERM"] for a in expected["AE"].rows] and len(ae) == len(data.adverse_events)
    supp, _ = read_dataset(out / f"suppae.{fmt}")
    assert sum(1 for s in supp if s["QNAM"] == "AEDLT" and s["QVAL"] == "Y") == sum(1 for a in data.adverse_events if a.is_dlt)
    meta = json.loads((out / "define.json").read_text())
    assert {d["name"] for d in meta["datasets"]} == {n.upper() for n in names}


def test_bad_format_and_db(tmp_path):
    r = run_cli("export", "sdtm", "--db", demo_database(), "--out", str(tmp_path), "--format", "sas7bdat")
    assert r.returncode == 2 and r.stderr.strip() == "error: --format: xpt or csv, got 'sas7bdat'"
    r = run_cli("export", "sdtm", "--db", "mysql://x/y", "--out", str(tmp_path))
    assert r.returncode == 2 and r.stderr.startswith("error: --db:") and "Traceback" not in r.stderr
    f = tmp_path / "file"
    f.write_text("")
    r = run_cli("export", "sdtm", "--db", demo_database(), "--out", str(f))
    assert r.returncode == 2 and r.stderr.startswith("error: --out: a directory")
