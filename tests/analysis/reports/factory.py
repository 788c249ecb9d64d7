"""A small, hand-shaped trial snapshot for report and export tests (no database needed).

Known facts the tests check: arm DLL3-CD56 treated 3 at DL1 (0 DLT) and 6 at DL2 (1 DLT, CRS grade 4
in D2-04); arm CD56-GD2 treated 3 at DL1 with 2 DLTs; DLL3-GD2 3 at DL1 (0 DLT).
Responses: R-confirmed PR in D2-01 (days 42 and 84), CR confirmed in D2-02, PD in G1-01.
"""

from __future__ import annotations

from datetime import date, timedelta

from dartnk.analysis.report_data import (
    AdministrationKind,
    AdverseEventData,
    DecisionData,
    DltStatus,
    Exposure,
    LabData,
    LesionMeasurement,
    ManufacturingLot,
    PatientData,
    PersistenceData,
    ResponseAssessment,
    SignatureData,
    TrialData,
    VitalStatus,
)

START = date(2026, 3, 2)
CUTOFF = date(2027, 6, 30)

# subject, arm, level, day0 offset from START, dlt?, evaluable, course: list of (day, overall, target sum)
PLAN = [
    ("C1-01", "DLL3-CD56", "DL1", 0, False, [(42, "SD", 70.0), (84, "PD", 90.0)], ("dead", 200)),
    ("C1-02", "DLL3-CD56", "DL1", 10, False, [(42, "SD", 58.0), (84, "SD", 60.0)], ("alive", None)),
    ("C1-03", "DLL3-CD56", "DL1", 20, False, [(42, "PD", 80.0)], ("dead", 120)),
    ("D2-01", "DLL3-CD56", "DL2", 60, False, [(42, "PR", 40.0), (84, "PR", 35.0), (126, "PD", 50.0)], ("dead", 300)),
    ("D2-02", "DLL3-CD56", "DL2", 70, False, [(42, "CR", 0.0), (84, "CR", 0.0)], ("alive", None)),
    ("D2-03", "DLL3-CD56", "DL2", 80, False, [(42, "SD", 55.0)], ("alive", None)),
    ("D2-04", "DLL3-CD56", "DL2", 110, True, [(42, "PR", 42.0), (60, "PR", 40.0)], ("dead", 150)),
    ("D2-05", "DLL3-CD56", "DL2", 120, False, [(42, "PD", 75.0)], ("dead", 95)),
    ("D2-06", "DLL3-CD56", "DL2", 130, False, [], ("alive", None)),
    ("G1-01", "DLL3-GD2", "DL1", 5, False, [(42, "PD", 85.0)], ("dead", 160)),
    ("G1-02", "DLL3-GD2", "DL1", 15, False, [(42, "SD", 62.0)], ("alive", None)),
    ("G1-03", "DLL3-GD2", "DL1", 25, False, [(42, "NE", None), (84, "SD", 61.0)], ("alive", None)),
    ("N1-01", "CD56-GD2", "DL1", 8, True, [(42, "SD", 60.0)], ("alive", None)),
    ("N1-02", "CD56-GD2", "DL1", 18, True, [], ("dead", 30)),
    ("N1-03", "CD56-GD2", "DL1", 28, False, [(42, "PD", 88.0)], ("dead", 110)),
]
BASELINE_SUM = 64.0


def make_trial(protocol) -> TrialData:
    patients, exposures, aes, dlts, labs, pers, lesions, responses, lots = [], [], [], [], [], [], [], [], []
    seq = 0
    for i, (sid, arm, level, off, is_dlt, course, (vital, death_day)) in enumerate(PLAN):
        day0 = START + timedelta(days=off + 14)
        status_on = day0 + timedelta(days=death_day) if death_day else CUTOFF
        patients.append(PatientData(
            subject_id=sid, site_id="S01" if i % 2 == 0 else "S02", sex="M" if i % 3 else "F",
            birth_year=1950 + i, registered_on=START + timedelta(days=off), consent_on=START + timedelta(days=off),
            arm=arm, dose_level=level, cohort=1 + (i % 6 >= 3), enrolled_on=START + timedelta(days=off + 2),
            day0=day0, eligible=True,
            antigen_positive={"DLL3": arm.startswith("DLL3"), "CD56": "CD56" in arm, "GD2": "GD2" in arm},
            vital_status=VitalStatus(vital), status_on=status_on,
            death_cause="disease progression" if vital == "dead" else None))
        lots.append(ManufacturingLot(sid, f"LOT-{i:03d}", arm, "released", START + timedelta(days=off + 5),
                                     protocol.dose_levels[protocol.level_index(level)].cells_per_infusion))
        for agent, dose in (("fludarabine", 30.0), ("cyclophosphamide", 300.0)):
            for d in (-5, -4, -3):
                exposures.append(Exposure(sid, AdministrationKind.LYMPHODEPLETION, agent, dose, "mg/m2",
                                          day0 + timedelta(days=d), d))
        n_inf = 1 if sid == "N1-02" else 3
        for d in (0, 7, 14)[:n_inf]:
            exposures.append(Exposure(sid, AdministrationKind.INFUSION, f"{arm} CAR-NK",
                                      protocol.dose_levels[protocol.level_index(level)].cells_per_infusion, "cells",
                                      day0 + timedelta(days=d), d, f"LOT-{i:03d}", level))

        def ae(term, cat, grade, onset, dur, attribution="possible", dlt=False, rule=None, serious=False):
            nonlocal seq
            seq += 1
            aes.append(AdverseEventData(sid, seq, term, cat, grade, day0 + timedelta(days=onset),
                                        None if dur is None else day0 + timedelta(days=onset + dur), onset,
                                        serious, attribution, dlt, rule))
        ae("Cytokine release syndrome", "crs", 1 + (i % 2), 1, 3)
        ae("Neutrophil count decreased", "neutropenia", 3 + (i % 2), 2, 10, attribution="probable")
        ae("Fatigue", "other_non_hematologic", 1, 3, 5, attribution="unlikely")
        if sid == "D2-04":
            ae("Cytokine release syndrome", "crs", 4, 2, 4, attribution="definite", dlt=True, rule="crs-grade-4",
               serious=True)
        if sid == "N1-01":
            ae("Immune effector cell-associated neurotoxicity syndrome", "icans", 3, 5, 5, attribution="probable",
               dlt=True, rule="icans-grade-3-prolonged", serious=True)
        if sid == "N1-02":
            ae("Sepsis", "infection", 5, 20, None, attribution="possible", dlt=True, rule="grade-5", serious=True)
        if sid == "G1-02":
            ae("Lung infection", "infection", 3, 12, 8, attribution="unlikely", serious=True)
        evaluable = is_dlt or n_inf == 3
        dlts.append(DltStatus(sid, "dlt" if is_dlt else "no_dlt", evaluable, is_dlt,
                              {"D2-04": "crs-grade-4", "N1-01": "icans-grade-3-prolonged", "N1-02": "grade-5"}.get(sid),
                              "DLT rule met" if is_dlt else "no event met a DLT rule in the window",
                              "Dr Monitor" if is_dlt else None))
        for d, anc in ((-7, 3.1), (7, 0.4 + 0.1 * (i % 3)), (28, 1.8)):
            labs.append(LabData(sid, "anc", anc, "10^9/L", day0 + timedelta(days=d), d, lln=1.8, uln=7.5))
        for d in protocol.follow_up.persistence_sampling_days:
            base = {"DL1": 2e3, "DL2": 2e4}[level] * (1 + i % 3)
            pers.append(PersistenceData(sid, day0 + timedelta(days=d), d, round(base * 0.85 ** d, 2)))
        responses.append(ResponseAssessment(sid, day0 - timedelta(days=7), -7, "NE", BASELINE_SUM, 0.0, 0.0, True))
        for j, (lesion_id, loc, mm) in enumerate((("T01", "LUNG", 40.0), ("T02", "LIVER", 24.0))):
            lesions.append(LesionMeasurement(sid, lesion_id, "target", loc, day0 - timedelta(days=7), -7, mm))
        nadir = BASELINE_SUM
        for d, overall, total in course:
            on = day0 + timedelta(days=d)
            pb = None if total is None else round(100 * (total - BASELINE_SUM) / BASELINE_SUM, 1)
            pn = None if total is None else round(100 * (total - nadir) / nadir, 1) if nadir else None
            responses.append(ResponseAssessment(sid, on, d, overall, total, pb, pn))
            if total is not None:
                nadir = min(nadir, total)
                lesions.append(LesionMeasurement(sid, "T01", "target", "LUNG", on, d, round(total * 40 / 64, 1)))
                lesions.append(LesionMeasurement(sid, "T02", "target", "LIVER", on, d, round(total * 24 / 64, 1)))
    decisions = (
        DecisionData("DLL3-CD56/DL2/escalation", "escalation", "DLL3-CD56", "DL2", {"action": "escalate", "to": "DL3"},
                     "1/6 DLTs at DL2 (≤ 1/6): escalate to DL3", "signed", "2026-09-01T10:00:00+00:00",
                     (SignatureData("Dr Chair", "approved", "2026-09-02T09:00:00+00:00"),)),
        DecisionData("CD56-GD2/DL1/deescalation", "deescalation", "CD56-GD2", "DL1", {"action": "de-escalate"},
                     "2/3 DLTs at DL1 (≥ 2/3): DL1 too toxic, de-escalate to DL-1", "proposed",
                     "2026-05-20T10:00:00+00:00"),
        DecisionData("DLL3-GD2/rp2d", "rp2d", "DLL3-GD2", "DL1", {"rp2d": "DL1", "mtd": "DL1"},
                     "0/3 DLTs at DL1, DL2 closed by the sponsor: RP2D DL1", "signed", "2026-10-01T10:00:00+00:00"),
    )
    return TrialData(protocol=protocol, data_cutoff=CUTOFF, patients=tuple(patients), exposures=tuple(exposures),
                     adverse_events=tuple(aes), dlts=tuple(dlts), labs=tuple(labs), persistence=tuple(pers),
                     lesions=tuple(lesions), responses=tuple(responses), lots=tuple(lots), decisions=decisions,
                     source="test factory")
