"""DM (one record per subject) and DS (consent, screen failure, death, withdrawal, loss to follow-up)."""

from __future__ import annotations

from dartnk.analysis.report_data import VitalStatus
from dartnk.export.sdtm.common import Context, dtc, first_treatment, last_treatment, patient_arm

#: The registry record (NCT07480213) lists one country: China (ISO 3166-1 alpha-3 CHN).
DEFAULT_COUNTRY = "CHN"

SEX = {"m": "M", "male": "M", "f": "F", "female": "F"}  # SDTM SEX codelist C66731: M, F, U, UNDIFFERENTIATED


def dm_rows(ctx: Context, country: str = DEFAULT_COUNTRY) -> list[dict]:
    rows = []
    data = ctx.data
    for p in data.patients:
        code, label = patient_arm(data, p)
        treated = p.treated
        if not p.arm:
            nrs = "SCREEN FAILURE" if p.eligible is False else "NOT ASSIGNED"
        elif not treated:
            nrs = "ASSIGNED, NOT TREATED"
        else:
            nrs = ""
        dead = p.vital_status == VitalStatus.DEAD and p.status_on is not None
        end = p.status_on if (dead or p.vital_status in (VitalStatus.WITHDRAWN, VitalStatus.LOST)) else \
            min(p.status_on or data.data_cutoff, data.data_cutoff)
        rows.append({
            "STUDYID": ctx.studyid, "DOMAIN": "DM", "USUBJID": ctx.usubjid(p.subject_id), "SUBJID": p.subject_id,
            "RFSTDTC": dtc(p.day0), "RFENDTC": dtc(last_treatment(data, p.subject_id)),
            "RFXSTDTC": dtc(first_treatment(data, p.subject_id)), "RFXENDTC": dtc(last_treatment(data, p.subject_id)),
            "RFICDTC": dtc(p.consent_on), "RFPENDTC": dtc(end), "DTHDTC": dtc(p.status_on) if dead else "",
            "DTHFL": "Y" if dead else "", "SITEID": p.site_id, "BRTHDTC": str(p.birth_year),
            "AGE": float(p.age_at_consent) if p.age_at_consent is not None else float("nan"), "AGEU": "YEARS",
            "SEX": SEX.get(str(p.sex).strip().lower(), "U"), "RACE": "NOT REPORTED", "ETHNIC": "NOT REPORTED",
            "ARMCD": code, "ARM": label, "ACTARMCD": code if treated else "", "ACTARM": label if treated else "",
            "ARMNRS": nrs, "COUNTRY": country,
        })
    return rows


def ds_rows(ctx: Context) -> list[dict]:
    rows = []
    data = ctx.data
    for p in data.patients:
        events = []
        consent = p.consent_on or p.registered_on
        events.append(("INFORMED CONSENT OBTAINED", "INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE", consent))
        if p.eligible is False:
            events.append(("SCREEN FAILURE", "SCREEN FAILURE", "DISPOSITION EVENT", p.status_on or p.registered_on))
        if p.vital_status == VitalStatus.DEAD and p.status_on:
            events.append((f"DEATH: {p.death_cause}" if p.death_cause else "DEATH", "DEATH", "DISPOSITION EVENT",
                           p.status_on))
        elif p.vital_status == VitalStatus.WITHDRAWN:
            events.append(("WITHDRAWAL BY SUBJECT", "WITHDRAWAL BY SUBJECT", "DISPOSITION EVENT",
                           p.withdrawn_on or p.status_on))
        elif p.vital_status == VitalStatus.LOST:
            events.append(("LOST TO FOLLOW-UP", "LOST TO FOLLOW-UP", "DISPOSITION EVENT", p.status_on))
        for seq, (term, decod, cat, on) in enumerate(events, start=1):
            first = first_treatment(data, p.subject_id)
            epoch = "SCREENING" if first is None or (on and on < first) else ctx.epoch(p.subject_id, on)
            rows.append({"STUDYID": ctx.studyid, "DOMAIN": "DS", "USUBJID": ctx.usubjid(p.subject_id), "DSSEQ": float(seq),
                         "DSTERM": term.upper(), "DSDECOD": decod, "DSCAT": cat, "EPOCH": epoch, "DSSTDTC": dtc(on),
                         "DSSTDY": ctx.dy(p.subject_id, on)})
    return rows
