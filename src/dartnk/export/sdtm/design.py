"""Trial design domains from the protocol: TA (arms × elements), TE (elements), TS (trial summary).

Planned arms are construct × dose level (the escalation's cohorts; the expansion treats at one of
them). Elements: screening, lymphodepletion, the arm's CAR-NK treatment (DLT window), follow-up.
"""

from __future__ import annotations

from dartnk.export.sdtm.common import Context, arm_label, armcd, level_code

NY = {"Y": "C49488", "N": "C49487"}  # CDISC CT codelist NY (C66742)


def _elements(ctx: Context) -> list[tuple[str, str, str, str, str]]:
    p = ctx.data.protocol
    ld_days = sorted({d for a in p.lymphodepletion.agents for d in a.days})
    agents = " and ".join(f"{a.agent} {a.dose_mg_m2:g} mg/m2" for a in p.lymphodepletion.agents)
    out = [("SCRN", "Screening", "Informed consent", "Eligibility confirmed and arm assigned", ""),
           ("LD", f"Lymphodepletion: {agents}", f"First lymphodepletion dose (Day {ld_days[0]})",
            "Day 0, first CAR-NK infusion", f"P{-ld_days[0]}D")]
    for ci, c in enumerate(p.constructs, start=1):
        for level in p.dose_levels:
            out.append((_etcd(ci, level.id), f"{c.product} {level.id} {level.cells_per_infusion:.1E} cells on days "
                        + ", ".join(str(d) for d in p.infusions.days), "Day 0, first CAR-NK infusion",
                        f"End of the {p.dlt.window_days}-day DLT window", f"P{p.dlt.window_days}D"))
    out.append(("FU", "Follow-up", f"End of the {p.dlt.window_days}-day DLT window",
                f"{p.follow_up.clinical_months} months after Day 0, death or withdrawal",
                f"P{p.follow_up.clinical_months}M"))
    return out


def _etcd(construct_index: int, level_id: str) -> str:
    return f"T{construct_index}{level_code(level_id)}"[:8]


def te_rows(ctx: Context) -> list[dict]:
    return [{"STUDYID": ctx.studyid, "DOMAIN": "TE", "ETCD": e, "ELEMENT": el, "TESTRL": s, "TEENRL": en, "TEDUR": dur}
            for e, el, s, en, dur in _elements(ctx)]


def ta_rows(ctx: Context) -> list[dict]:
    p = ctx.data.protocol
    elements = {e[0]: e[1] for e in _elements(ctx)}
    rows = []
    for ci, c in enumerate(p.constructs, start=1):
        for level in p.dose_levels:
            code, label = armcd(ctx.data, c.id, level.id), arm_label(ctx.data, c.id, level.id)
            plan = [("SCRN", f"Assigned to {c.id} at {level.id} by antigen profile and open slot", "SCREENING"),
                    ("LD", "", "TREATMENT"), (_etcd(ci, level.id), "", "TREATMENT"), ("FU", "", "FOLLOW-UP")]
            for order, (etcd, branch, epoch) in enumerate(plan, start=1):
                rows.append({"STUDYID": ctx.studyid, "DOMAIN": "TA", "ARMCD": code, "ARM": label, "TAETORD": float(order),
                             "ETCD": etcd, "ELEMENT": elements[etcd], "TABRANCH": branch, "TATRANS": "", "EPOCH": epoch})
    return rows


def ts_rows(ctx: Context, actual_subjects: int) -> list[dict]:
    p = ctx.data.protocol
    ages = next((c for c in p.eligibility.inclusion if c.id == "age"), None)
    params: list[tuple[str, str, str, str]] = [
        ("TITLE", "Trial Title", " ".join(p.trial.title.split()), ""),
        ("SPONSOR", "Clinical Study Sponsor", p.trial.sponsor, ""),
        ("REGID", "Registry Identifier", p.trial.registry_id, ""),
        ("TPHASE", "Trial Phase Classification", "PHASE I/II TRIAL", ""),
        ("INDIC", "Trial Disease/Condition Indication", p.trial.condition, ""),
        ("TTYPE", "Trial Type", "SAFETY", ""),
        ("TTYPE", "Trial Type", "EFFICACY", ""),
        ("STYPE", "Study Type", "INTERVENTIONAL", ""),
        ("RANDOM", "Trial is Randomized", "N", NY["N"]),
        ("ADAPT", "Adaptive Design", "Y", NY["Y"]),
        ("TBLIND", "Trial Blinding Schema", "OPEN LABEL", ""),
        ("HLTSUBJI", "Healthy Subject Indicator", "N", NY["N"]),
        ("NARMS", "Planned Number of Arms", str(len(p.constructs)), ""),
        ("PLANSUB", "Planned Number of Subjects", str(p.trial.max_participants), ""),
        ("ACTSUB", "Actual Number of Subjects", str(actual_subjects), ""),
        ("SEXPOP", "Sex of Participants", "BOTH", ""),
        ("SDTIGVER", "SDTM IG Version", "3.4", ""),
        ("SDTMVER", "SDTM Version", "2.0", ""),
    ]
    consents = [p_.consent_on for p_ in ctx.data.patients if p_.consent_on and p_.arm]
    if consents:  # FDA Study Data Technical Conformance Guide: the earliest informed consent of an enrolled subject
        params.append(("SSTDTC", "Study Start Date", min(consents).isoformat(), ""))
    if ages is not None:
        params += [("AGEMIN", "Planned Minimum Age of Subjects", f"P{ages.min_years}Y", ""),
                   ("AGEMAX", "Planned Maximum Age of Subjects", f"P{ages.max_years}Y", "")]
    for c in p.constructs:
        params.append(("TRT", "Investigational Therapy or Treatment", f"{c.product} ({'/'.join(c.targets)} CAR-NK)", ""))
    rows, seq = [], {}
    for code, name, value, valcd in params:
        seq[code] = seq.get(code, 0) + 1
        rows.append({"STUDYID": ctx.studyid, "DOMAIN": "TS", "TSSEQ": float(seq[code]), "TSPARMCD": code, "TSPARM": name,
                     "TSVAL": value[:200], "TSVALCD": valcd, "TSVCDREF": "CDISC CT" if valcd else "",
                     "TSVCDVER": "" if not valcd else "2024-09-27"})
    return rows
