"""EX (lymphodepletion and CAR-NK infusions), AE with SUPPAE (DLT flag, DLT rule, grading scale)."""

from __future__ import annotations

from dartnk.analysis.report_data import AdministrationKind
from dartnk.export.sdtm.common import Context, dtc

GRADING_SCALE = {"crs": "ASTCT 2019", "icans": "ASTCT 2019"}  # otherwise CTCAE v5.0
DEFAULT_SCALE = "CTCAE V5.0"


def ex_rows(ctx: Context) -> list[dict]:
    rows = []
    seq: dict[str, int] = {}
    data = ctx.data
    for e in sorted(data.exposures, key=lambda e: (e.subject_id, e.given_on, e.kind.value, e.agent)):
        seq[e.subject_id] = seq.get(e.subject_id, 0) + 1
        infusion = e.kind == AdministrationKind.INFUSION
        p = ctx.patients.get(e.subject_id)
        treatment = (data.protocol.construct(p.arm).product if infusion and p and p.arm else e.agent).upper()
        rows.append({
            "STUDYID": ctx.studyid, "DOMAIN": "EX", "USUBJID": ctx.usubjid(e.subject_id), "EXSEQ": float(seq[e.subject_id]),
            "EXTRT": treatment, "EXCAT": "CAR-NK CELL INFUSION" if infusion else "LYMPHODEPLETING CHEMOTHERAPY",
            "EXDOSE": float(e.dose), "EXDOSU": "CELLS" if infusion else e.unit.replace("m²", "m2"),
            "EXDOSFRM": "SUSPENSION" if infusion else "INJECTION", "EXDOSFRQ": "ONCE", "EXROUTE": "INTRAVENOUS",
            "EXLOT": e.lot_number or "", "EPOCH": "TREATMENT", "EXSTDTC": dtc(e.given_on), "EXENDTC": dtc(e.given_on),
            "EXSTDY": ctx.dy(e.subject_id, e.given_on), "EXENDY": ctx.dy(e.subject_id, e.given_on),
        })
    return rows


def _outcome(e) -> str:
    if e.grade == 5:
        return "FATAL"
    return "RECOVERED/RESOLVED" if e.resolved_on else "NOT RECOVERED/NOT RESOLVED"


def ae_rows(ctx: Context) -> tuple[list[dict], list[dict]]:
    """AE records and their SUPPAE qualifiers (AEDLT, AEDLTRUL, AETOXSC)."""
    rows, supp = [], []
    seq: dict[str, int] = {}
    for e in sorted(ctx.data.adverse_events, key=lambda e: (e.subject_id, e.onset_on, e.term, e.seq)):
        seq[e.subject_id] = seq.get(e.subject_id, 0) + 1
        n = seq[e.subject_id]
        usubjid = ctx.usubjid(e.subject_id)
        rows.append({
            "STUDYID": ctx.studyid, "DOMAIN": "AE", "USUBJID": usubjid, "AESEQ": float(n), "AETERM": e.term,
            "AEDECOD": e.term, "AECAT": e.category.replace("_", " ").upper(), "AESER": "Y" if e.serious else "N",
            "AEREL": e.attribution.upper(), "AEOUT": _outcome(e), "AESDTH": "Y" if e.grade == 5 else "N",
            "AETOXGR": str(e.grade), "EPOCH": ctx.epoch(e.subject_id, e.onset_on), "AESTDTC": dtc(e.onset_on),
            "AEENDTC": dtc(e.resolved_on), "AESTDY": ctx.dy(e.subject_id, e.onset_on),
            "AEENDY": ctx.dy(e.subject_id, e.resolved_on),
        })
        quals = [("AETOXSC", "Toxicity Grading Scale", GRADING_SCALE.get(e.category, DEFAULT_SCALE), "Assigned", ""),
                 ("AEDLT", "Dose-Limiting Toxicity", "Y" if e.is_dlt else "N", "Derived", "SPONSOR")]
        if e.is_dlt and e.dlt_rule:
            quals.append(("AEDLTRUL", "DLT Rule Met", e.dlt_rule, "Derived", "SPONSOR"))
        for qnam, qlabel, qval, qorig, qeval in quals:
            supp.append({"STUDYID": ctx.studyid, "RDOMAIN": "AE", "USUBJID": usubjid, "IDVAR": "AESEQ",
                         "IDVARVAL": str(n), "QNAM": qnam, "QLABEL": qlabel, "QVAL": qval, "QORIG": qorig, "QEVAL": qeval})
    return rows, supp
