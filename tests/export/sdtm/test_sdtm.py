"""SDTM export: SDTMIG 3.4 names/labels/terms, study-day rule, XPT v5 and CSV round trips, define.json."""

from __future__ import annotations

import json
import math

import pytest

from dartnk.errors import InputError
from dartnk.export.sdtm import build_datasets, read_dataset, write_datasets
from dartnk.export.sdtm.common import sdtm_day
from dartnk.export.sdtm.metadata import SPECS


@pytest.fixture(scope="module")
def trial():
    from dartnk.protocol import default_protocol
    from tests.analysis.reports.factory import make_trial

    return make_trial(default_protocol())


@pytest.fixture(scope="module")
def datasets(trial):
    return build_datasets(trial)


def rows_of(datasets, name, **match):
    return [r for r in datasets[name].rows if all(r[k] == v for k, v in match.items())]


def test_every_domain_is_built(datasets):
    assert list(datasets) == ["DM", "DS", "EX", "AE", "SUPPAE", "LB", "TU", "TR", "RS", "TA", "TE", "TS"]
    for ds in datasets.values():
        assert ds.rows, ds.name
        assert len(ds.name) <= 8 and len(ds.spec.label) <= 40


def test_xpt_v5_name_and_label_limits():
    for spec in SPECS.values():
        for v in spec.variables:
            assert len(v.name) <= 8 and v.name.isupper() and len(v.label) <= 40, v


@pytest.mark.parametrize("d, ref, expected", [
    ((2026, 5, 1), (2026, 5, 1), 1.0),      # SDTMIG §4.4.4: the reference day is day 1
    ((2026, 5, 8), (2026, 5, 1), 8.0),      # protocol Day 7 infusion → EXSTDY 8
    ((2026, 4, 30), (2026, 5, 1), -1.0),    # the day before is day −1 (no day 0)
    ((2026, 4, 26), (2026, 5, 1), -5.0),    # lymphodepletion Day −5 → −5
])
def test_study_day_has_no_day_zero(d, ref, expected):
    from datetime import date

    assert sdtm_day(date(*d), date(*ref)) == expected


def test_dm_values(datasets):
    dm = {r["SUBJID"]: r for r in datasets["DM"].rows}
    r = dm["D2-04"]
    assert r["USUBJID"] == "DART-NK-SCLC-D2-04" and r["ARMCD"] == "DLL3CD56_DL2" == r["ACTARMCD"]
    assert r["DTHFL"] == "Y" and r["DTHDTC"] == r["RFPENDTC"]
    assert r["RFXSTDTC"] < r["RFSTDTC"]  # lymphodepletion precedes Day 0
    assert r["AGEU"] == "YEARS" and r["SEX"] in ("M", "F") and r["COUNTRY"] == "CHN" and r["ARMNRS"] == ""
    assert dm["C1-02"]["DTHFL"] == "" and dm["C1-02"]["DTHDTC"] == ""
    assert len({r["ARMCD"] for r in datasets["DM"].rows}) == 4
    ta_arms = {r["ARMCD"] for r in datasets["TA"].rows}
    assert {r["ARMCD"] for r in datasets["DM"].rows} <= ta_arms  # DM arms come from TA (SDTMIG DM assumption 4)


def test_ex_infusions_and_lymphodepletion(datasets, trial):
    ex = rows_of(datasets, "EX", USUBJID="DART-NK-SCLC-D2-01")
    infusions = [r for r in ex if r["EXCAT"] == "CAR-NK CELL INFUSION"]
    assert [r["EXSTDY"] for r in infusions] == [1.0, 8.0, 15.0]
    assert {r["EXTRT"] for r in infusions} == {"EB-DART-NK01"} and {r["EXDOSE"] for r in infusions} == {1e9}
    ld = [r for r in ex if r["EXTRT"] == "FLUDARABINE"]
    assert [r["EXSTDY"] for r in ld] == [-5.0, -4.0, -3.0] and {r["EXDOSU"] for r in ld} == {"mg/m2"}
    assert [r["EXSEQ"] for r in ex] == [float(i) for i in range(1, len(ex) + 1)]
    n1_02 = rows_of(datasets, "EX", USUBJID="DART-NK-SCLC-N1-02", EXCAT="CAR-NK CELL INFUSION")
    assert len(n1_02) == 1


def test_ae_and_suppae_dlt(datasets):
    ae = rows_of(datasets, "AE", USUBJID="DART-NK-SCLC-D2-04", AETOXGR="4")
    assert len(ae) == 1 and ae[0]["AEDECOD"] == "Cytokine release syndrome" and ae[0]["AESER"] == "Y"
    seq = str(int(ae[0]["AESEQ"]))
    supp = {r["QNAM"]: r["QVAL"] for r in rows_of(datasets, "SUPPAE", USUBJID="DART-NK-SCLC-D2-04", IDVARVAL=seq)}
    assert supp == {"AEDLT": "Y", "AEDLTRUL": "crs-grade-4", "AETOXSC": "ASTCT 2019"}
    fatal = rows_of(datasets, "AE", USUBJID="DART-NK-SCLC-N1-02", AETOXGR="5")
    assert fatal[0]["AEOUT"] == "FATAL" and fatal[0]["AESDTH"] == "Y" and fatal[0]["AEENDTC"] == ""
    assert math.isnan(fatal[0]["AEENDY"])


def test_lb_lab_and_persistence(datasets):
    neut = rows_of(datasets, "LB", USUBJID="DART-NK-SCLC-C1-01", LBTESTCD="NEUT")
    assert [r["LBDY"] for r in neut] == [-7.0, 8.0, 29.0] and neut[0]["LBORRESU"] == "10^9/L"
    # reference range 1.8–7.5: 3.1 NORMAL, 0.4 LOW, exactly 1.8 is not below the LLN → NORMAL
    assert [r["LBNRIND"] for r in neut] == ["NORMAL", "LOW", "NORMAL"]
    assert neut[0]["LBORNRLO"] == "1.8" and neut[0]["LBSTNRHI"] == 7.5
    pers = rows_of(datasets, "LB", USUBJID="DART-NK-SCLC-C1-01", LBTESTCD="CARTGCPY")
    assert len(pers) == 7 and pers[0]["LBCAT"] == "CELLULAR KINETICS" and pers[0]["LBSTRESN"] == 2000 * 0.85


def test_tumour_domains(datasets):
    tu = rows_of(datasets, "TU", USUBJID="DART-NK-SCLC-D2-01")
    assert [(r["TULNKID"], r["TUORRES"], r["TULOC"], r["VISIT"]) for r in tu] == [
        ("T01", "TARGET", "LUNG", "BASELINE"), ("T02", "TARGET", "LIVER", "BASELINE")]
    sums = rows_of(datasets, "TR", USUBJID="DART-NK-SCLC-D2-01", TRTESTCD="SUMDIAM")
    assert [(r["VISITNUM"], r["TRSTRESN"]) for r in sums] == [(0.0, 64.0), (1.0, 40.0), (2.0, 35.0), (3.0, 50.0)]
    rs = rows_of(datasets, "RS", USUBJID="DART-NK-SCLC-D2-01")
    assert [(r["RSTESTCD"], r["RSCAT"], r["RSSTRESC"], r["VISIT"]) for r in rs] == [
        ("OVRLRESP", "RECIST 1.1", "PR", "TUMOR ASSESSMENT 1"), ("OVRLRESP", "RECIST 1.1", "PR", "TUMOR ASSESSMENT 2"),
        ("OVRLRESP", "RECIST 1.1", "PD", "TUMOR ASSESSMENT 3")]
    # day 60 is outside 84 ± 7 and 42 ± 7: unscheduled
    assert rows_of(datasets, "RS", USUBJID="DART-NK-SCLC-D2-04")[1]["VISIT"] == "UNSCHEDULED 1.1"
    assert not any(r["RSTESTCD"] == "BESTRESP" for r in datasets["RS"].rows)  # sponsor-derived BOR is ADaM


def test_ds_and_trial_design(datasets):
    ds = rows_of(datasets, "DS", USUBJID="DART-NK-SCLC-N1-02")
    assert [(r["DSDECOD"], r["DSCAT"]) for r in ds] == [("INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE"),
                                                       ("DEATH", "DISPOSITION EVENT")]
    ts = {(r["TSPARMCD"], r["TSSEQ"]): r["TSVAL"] for r in datasets["TS"].rows}
    assert ts[("REGID", 1.0)] == "NCT07480213" and ts[("PLANSUB", 1.0)] == "60" and ts[("ACTSUB", 1.0)] == "15"
    assert ts[("AGEMIN", 1.0)] == "P18Y" and ts[("AGEMAX", 1.0)] == "P75Y" and ts[("SDTIGVER", 1.0)] == "3.4"
    assert ts[("TTYPE", 2.0)] == "EFFICACY" and ts[("NARMS", 1.0)] == "3" and ts[("ADAPT", 1.0)] == "Y"
    assert ts[("SSTDTC", 1.0)] == "2026-03-02"  # earliest consent of an enrolled subject (factory START)
    te = {r["ETCD"]: r for r in datasets["TE"].rows}
    assert te["LD"]["TEDUR"] == "P5D" and te["T1DL1"]["TEDUR"] == "P28D" and te["FU"]["TEDUR"] == "P24M"
    assert len(datasets["TA"].rows) == 3 * 4 * 4  # constructs × levels × elements


def test_text_is_ascii_for_xpt(datasets):
    for ds in datasets.values():
        for r in ds.rows:
            for v in r.values():
                if isinstance(v, str):
                    v.encode("ascii")
                    assert len(v) <= 200


@pytest.mark.parametrize("fmt", ["xpt", "csv"])
def test_round_trip_same_values_and_labels(datasets, tmp_path, fmt):
    paths = write_datasets(datasets, tmp_path, fmt, study="DART-NK-SCLC")
    assert sorted(p.name for p in paths) == sorted([f"{n.lower()}.{fmt}" for n in datasets] + ["define.json", "define.xml"])
    for name, ds in datasets.items():
        rows, labels = read_dataset(tmp_path / f"{name.lower()}.{fmt}")
        assert labels == {v.name: v.label for v in ds.spec.variables}
        assert len(rows) == len(ds.rows), name
        for got, want in zip(rows, ds.rows):
            assert list(got) == list(want)
            for k, w in want.items():
                g = got[k]
                if isinstance(w, float) and math.isnan(w):
                    assert isinstance(g, float) and math.isnan(g), (name, k, g)
                else:
                    assert g == w, (name, k, g, w)
    meta = json.loads((tmp_path / "define.json").read_text())
    assert meta["standard"] == "SDTMIG 3.4" and "Controlled Terminology" in meta["controlled_terminology"]
    dm = next(d for d in meta["datasets"] if d["name"] == "DM")
    assert dm["records"] == 15 and dm["keys"] == ["STUDYID", "USUBJID"]
    age = next(v for v in dm["variables"] if v["name"] == "AGE")
    assert (age["type"], age["length"], age["label"]) == ("Num", 8, "Age")
    sex = next(v for v in dm["variables"] if v["name"] == "SEX")
    assert sex["codelist"] == "C66731" and sex["length"] == 1


def test_xpt_header_is_version_5(datasets, tmp_path):
    write_datasets({"DM": datasets["DM"]}, tmp_path, "xpt")
    head = (tmp_path / "dm.xpt").read_bytes()[:80]
    assert head.startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!")  # SAS TS-140 v5 library header


def test_bad_format_and_out(datasets, tmp_path):
    with pytest.raises(InputError, match=r"--format: xpt or csv, got 'sas7bdat'"):
        write_datasets(datasets, tmp_path, "sas7bdat")
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(InputError, match="--out: a directory"):
        write_datasets(datasets, f, "csv")


def test_define_xml_2_1(datasets, tmp_path):
    import xml.etree.ElementTree as ET

    write_datasets(datasets, tmp_path, "xpt", study="DART-NK-SCLC")
    ns = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1",
          "xlink": "http://www.w3.org/1999/xlink"}
    root = ET.parse(tmp_path / "define.xml").getroot()
    assert root.get("ODMVersion") == "1.3.2" and root.get("{%s}Context" % ns["def"]) == "Submission"
    mdv = root.find("odm:Study/odm:MetaDataVersion", ns)
    assert mdv.get("{%s}DefineVersion" % ns["def"]) == "2.1.0"
    standards = {s.get("Name"): s.get("Version") for s in mdv.findall("def:Standards/def:Standard", ns)}
    assert standards == {"SDTMIG": "3.4", "CDISC/NCI": "2024-09-27"}
    groups = {g.get("Name"): g for g in mdv.findall("odm:ItemGroupDef", ns)}
    assert list(groups) == list(datasets)
    dm = groups["DM"]
    refs = dm.findall("odm:ItemRef", ns)
    assert [r.get("ItemOID") for r in refs] == [f"IT.DM.{v.name}" for v in datasets["DM"].spec.variables]
    assert {r.get("ItemOID"): r.get("KeySequence") for r in refs if r.get("KeySequence")} == {
        "IT.DM.STUDYID": "1", "IT.DM.USUBJID": "2"}
    assert dm.find("def:leaf", ns).get("{%s}href" % ns["xlink"]) == "dm.xpt"
    items = {i.get("OID"): i for i in mdv.findall("odm:ItemDef", ns)}
    assert len(items) == sum(len(d.spec.variables) for d in datasets.values())
    age = items["IT.DM.AGE"]
    assert (age.get("DataType"), age.get("Length")) == ("integer", "2")
    assert items["IT.DM.BRTHDTC"].get("DataType") == "partialDate" and items["IT.AE.AESTDTC"].get("DataType") == "date"
    sex = items["IT.DM.SEX"]
    assert sex.find("odm:Description/odm:TranslatedText", ns).text == "Sex"
    assert sex.find("def:Origin", ns).get("Type") == "Collected" and sex.get("Length") == "1"
    assert items["IT.LB.LBSTRESN"].get("SignificantDigits") is not None
