"""LB (laboratory tests and CAR transgene persistence), TU, TR and RS (RECIST 1.1 tumour data).

Lab tests map to SDTM CT (LBTESTCD C65047 / LBTEST C67154) where the store's test name is known;
CAR transgene copies (ddPCR/qPCR, copies/µg genomic DNA) are a sponsor-defined LB test in category
CELLULAR KINETICS (no CDISC term exists). RS carries the investigator's time-point overall
responses only: a sponsor-derived best overall response belongs in ADaM (SDTMIG 3.4 RS assumption 3a).
"""

from __future__ import annotations

from dartnk.export.sdtm.common import Context, dtc

#: store test name → (LBTESTCD, LBTEST, LBCAT), SDTM CT terms.
LAB_TESTS: dict[str, tuple[str, str, str]] = {
    "anc": ("NEUT", "Neutrophils", "HEMATOLOGY"),
    "neutrophils": ("NEUT", "Neutrophils", "HEMATOLOGY"),
    "platelets": ("PLAT", "Platelets", "HEMATOLOGY"),
    "hemoglobin": ("HGB", "Hemoglobin", "HEMATOLOGY"),
    "wbc": ("WBC", "Leukocytes", "HEMATOLOGY"),
    "lymphocytes": ("LYM", "Lymphocytes", "HEMATOLOGY"),
    "alc": ("LYM", "Lymphocytes", "HEMATOLOGY"),
    "creatinine": ("CREAT", "Creatinine", "CHEMISTRY"),
    "ast": ("AST", "Aspartate Aminotransferase", "CHEMISTRY"),
    "alt": ("ALT", "Alanine Aminotransferase", "CHEMISTRY"),
    "bilirubin": ("BILI", "Bilirubin", "CHEMISTRY"),
    "crp": ("CRP", "C Reactive Protein", "CHEMISTRY"),
    "ferritin": ("FERRITIN", "Ferritin", "CHEMISTRY"),
    "il6": ("IL6", "Interleukin 6", "CHEMISTRY"),
    "fibrinogen": ("FIBRINO", "Fibrinogen", "COAGULATION"),
}
PERSISTENCE_TEST = ("CARTGCPY", "CAR Transgene Copies", "CELLULAR KINETICS")
PERSISTENCE_UNIT = "copies/ug DNA"
ROLE = {"target": "TARGET", "non_target": "NON-TARGET", "new": "NEW"}
STATE = {"present": "PRESENT", "absent": "ABSENT", "unequivocal_progression": "UNEQUIVOCAL PROGRESSION",
         "unequivocal progression": "UNEQUIVOCAL PROGRESSION", "not_evaluable": "NOT EVALUABLE"}
METHOD = "CT SCAN"
EVALUATOR = "INVESTIGATOR"


def _num_text(v: float) -> str:
    return f"{v:g}"


def lab_test(name: str) -> tuple[str, str, str]:
    key = name.strip().lower()
    if key in LAB_TESTS:
        return LAB_TESTS[key]
    code = "".join(ch for ch in name.upper() if ch.isalnum())[:8] or "UNKNOWN"
    return code, name[:40], "OTHER"


def lb_rows(ctx: Context) -> list[dict]:
    records = []
    for lab in ctx.data.labs:
        code, test, cat = lab_test(lab.test)
        records.append((lab.subject_id, lab.collected_on, code, test, cat, lab.value, lab.unit,
                        "" if lab.grade is None else str(lab.grade), lab.lln, lab.uln))
    code, test, cat = PERSISTENCE_TEST
    for m in ctx.data.persistence:
        records.append((m.subject_id, m.collected_on, code, test, cat, m.copies_per_ug, PERSISTENCE_UNIT, "", None, None))
    rows, seq = [], {}
    for sid, on, code, test, cat, value, unit, grade, lln, uln in sorted(records, key=lambda r: (r[0], r[1], r[2])):
        seq[sid] = seq.get(sid, 0) + 1
        rows.append({"STUDYID": ctx.studyid, "DOMAIN": "LB", "USUBJID": ctx.usubjid(sid), "LBSEQ": float(seq[sid]),
                     "LBTESTCD": code, "LBTEST": test, "LBCAT": cat, "LBORRES": _num_text(value), "LBORRESU": unit,
                     "LBSTRESC": _num_text(value), "LBSTRESN": float(value), "LBSTRESU": unit,
                     "LBORNRLO": "" if lln is None else _num_text(lln), "LBORNRHI": "" if uln is None else _num_text(uln),
                     "LBSTNRLO": float("nan") if lln is None else float(lln),
                     "LBSTNRHI": float("nan") if uln is None else float(uln), "LBNRIND": _range_indicator(value, lln, uln),
                     "LBSPEC": "BLOOD", "LBTOXGR": grade, "EPOCH": ctx.epoch(sid, on), "LBDTC": dtc(on),
                     "LBDY": ctx.dy(sid, on)})
    return rows


def _range_indicator(value: float, lln: float | None, uln: float | None) -> str:
    """LBNRIND (codelist NRIND C78736): LOW below the LLN, HIGH above the ULN, else NORMAL; '' without limits."""
    if lln is None and uln is None:
        return ""
    if lln is not None and value < lln:
        return "LOW"
    if uln is not None and value > uln:
        return "HIGH"
    return "NORMAL"


def visit(ctx: Context, study_day: int | None) -> tuple[float, str]:
    """Tumour-assessment visit: 0 BASELINE (before Day 0), k = the k-th scheduled scan (every
    ``assessment_interval_days`` ± window), otherwise unscheduled k.1."""
    if study_day is None:
        return float("nan"), ""
    if study_day < 0:
        return 0.0, "BASELINE"
    r = ctx.data.protocol.response
    k = max(1, round(study_day / r.assessment_interval_days))
    if abs(study_day - k * r.assessment_interval_days) <= r.assessment_window_days:
        return float(k), f"TUMOR ASSESSMENT {k}"
    return k + 0.1, f"UNSCHEDULED {k}.1"


def tu_rows(ctx: Context) -> list[dict]:
    first: dict[tuple[str, str], object] = {}
    for m in sorted(ctx.data.lesions, key=lambda m: (m.subject_id, m.assessed_on, m.lesion_id)):
        first.setdefault((m.subject_id, m.lesion_id), m)
    rows, seq = [], {}
    for (sid, lesion), m in first.items():
        seq[sid] = seq.get(sid, 0) + 1
        vn, vname = visit(ctx, m.study_day)
        role = ROLE.get(m.role, m.role.upper())
        rows.append({"STUDYID": ctx.studyid, "DOMAIN": "TU", "USUBJID": ctx.usubjid(sid), "TUSEQ": float(seq[sid]),
                     "TULNKID": lesion, "TUTESTCD": "TUMIDENT", "TUTEST": "Tumor Identification", "TUORRES": role,
                     "TUSTRESC": role, "TULOC": m.location.upper(), "TUMETHOD": METHOD, "TUEVAL": EVALUATOR,
                     "VISITNUM": vn, "VISIT": vname, "TUDTC": dtc(m.assessed_on), "TUDY": ctx.dy(sid, m.assessed_on)})
    return rows


def tr_rows(ctx: Context) -> list[dict]:
    records = []
    for m in ctx.data.lesions:
        if m.diameter_mm is not None:
            records.append((m.subject_id, m.assessed_on, m.study_day, m.lesion_id, "DIAMETER", "Diameter",
                            _num_text(m.diameter_mm), "mm", float(m.diameter_mm)))
        elif m.status:
            state = STATE.get(m.status.strip().lower(), m.status.upper())
            records.append((m.subject_id, m.assessed_on, m.study_day, m.lesion_id, "TUMSTATE", "Tumor State", state, "",
                            float("nan")))
    for r in ctx.data.responses:
        if r.target_sum_mm is not None:
            records.append((r.subject_id, r.assessed_on, r.study_day, "", "SUMDIAM", "Sum of Diameter",
                            _num_text(r.target_sum_mm), "mm", float(r.target_sum_mm)))
    rows, seq = [], {}
    for sid, on, day, lnk, code, test, orres, unit, num in sorted(records, key=lambda x: (x[0], x[1], x[4] == "SUMDIAM", x[3])):
        seq[sid] = seq.get(sid, 0) + 1
        vn, vname = visit(ctx, day)
        rows.append({"STUDYID": ctx.studyid, "DOMAIN": "TR", "USUBJID": ctx.usubjid(sid), "TRSEQ": float(seq[sid]),
                     "TRLNKID": lnk, "TRTESTCD": code, "TRTEST": test, "TRORRES": orres, "TRORRESU": unit,
                     "TRSTRESC": orres, "TRSTRESN": num, "TRSTRESU": unit, "TRMETHOD": METHOD, "TREVAL": EVALUATOR,
                     "VISITNUM": vn, "VISIT": vname, "TRDTC": dtc(on), "TRDY": ctx.dy(sid, on)})
    return rows


RS_RESULT = {"NON_CR_NON_PD": "NON-CR/NON-PD"}  # ONCRSR submission value


def rs_rows(ctx: Context) -> list[dict]:
    rows, seq = [], {}
    for r in sorted(ctx.data.responses, key=lambda r: (r.subject_id, r.assessed_on)):
        if r.is_baseline:
            continue
        seq[r.subject_id] = seq.get(r.subject_id, 0) + 1
        vn, vname = visit(ctx, r.study_day)
        result = RS_RESULT.get(r.overall, r.overall)
        rows.append({"STUDYID": ctx.studyid, "DOMAIN": "RS", "USUBJID": ctx.usubjid(r.subject_id),
                     "RSSEQ": float(seq[r.subject_id]), "RSTESTCD": "OVRLRESP", "RSTEST": "Overall Response",
                     "RSCAT": "RECIST 1.1", "RSORRES": result, "RSSTRESC": result, "RSEVAL": EVALUATOR,
                     "VISITNUM": vn, "VISIT": vname, "RSDTC": dtc(r.assessed_on), "RSDY": ctx.dy(r.subject_id, r.assessed_on)})
    return rows
