"""Read the conduct database into a :class:`~dartnk.analysis.report_data.TrialData` snapshot.

Read-only: one read transaction over the store's tables (SQLite or PostgreSQL by URL); nothing is
written and the database is not migrated. The data cut-off defaults to the latest date recorded.
Conventions of the conduct service it relies on: the first CAR-NK infusion is Day 0; expansion
enrollments have cohort 0; a DLT counts when the medical monitor confirmed it (an unconfirmed
proposal counts as proposed); RECIST results are those the service computed at entry.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

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
    Phase,
    ResponseAssessment,
    SignatureData,
    TrialData,
    VitalStatus,
    lab_grade,
    study_day,
)
from dartnk.errors import InputError

NON_TARGET_STATE = {"CR": "absent", "NONE": "absent", "NON_CR_NON_PD": "present", "PRESENT": "present",
                    "PD": "unequivocal_progression", "NE": "not_evaluable"}


def read_trial(url: str, protocol, cutoff: date | None = None) -> TrialData:
    """The trial's data in the database at ``url`` (``--db``), at ``cutoff`` (default: the latest date)."""
    from sqlalchemy import inspect

    from dartnk.store.db import describe_url, make_engine, resolve_url

    url = resolve_url(url)
    engine = make_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            from sqlalchemy.engine import make_url

            path = make_url(url).database
            if path and path != ":memory:" and not Path(path).is_file():
                raise InputError.field("--db", url, "an existing dartnk database (run `dartnk demo` or `dartnk db upgrade`)")
        try:
            tables = set(inspect(engine).get_table_names())
        except Exception as exc:  # connection refused, bad credentials, …
            raise InputError.field("--db", describe_url(url), f"a reachable database ({type(exc).__name__})") from None
        if "patients" not in tables:
            raise InputError.field("--db", describe_url(url), "a dartnk conduct database (no patients table)")
        _check_schema(url)
        from sqlalchemy.exc import SQLAlchemyError
        from sqlalchemy.orm import Session

        try:
            with Session(engine) as session:
                return _read(session, protocol, cutoff, describe_url(url))
        except SQLAlchemyError as exc:
            raise InputError.field("--db", describe_url(url), f"a readable dartnk database ({type(exc).__name__})") from None
    finally:
        engine.dispose()


def _check_schema(url: str) -> None:
    """The database must be at the store's newest migration (the models read every column)."""
    from alembic.script import ScriptDirectory

    from dartnk.store.db import alembic_config, current_revision, describe_url

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    revision = current_revision(url)
    if revision != head:
        raise InputError.field("--db", describe_url(url), f"a database at the current schema revision {head} "
                               f"(it is at {revision}; run `dartnk db upgrade --db URL` first)")


def _all(session, model, *order):
    from sqlalchemy import select

    return list(session.execute(select(model).order_by(*order)).scalars())


def _read(session, protocol, cutoff: date | None, source: str) -> TrialData:
    from dartnk.store import models as m

    admins = _all(session, m.Administration, m.Administration.patient_id, m.Administration.given_on, m.Administration.id)
    day0 = {}
    for a in admins:
        if a.kind == "infusion":
            day0.setdefault(a.patient_id, a.given_on)
    dates = [a.given_on for a in admins] + [x.onset_on for x in _all(session, m.AdverseEvent, m.AdverseEvent.id)] + \
        [x.as_of for x in _all(session, m.SurvivalStatus, m.SurvivalStatus.id)] + \
        [x.assessed_on for x in _all(session, m.TumorAssessment, m.TumorAssessment.id)] + \
        [x.registered_on for x in _all(session, m.Patient, m.Patient.id)]
    cutoff = cutoff or (max(dates) if dates else date.today())
    patients = _patients(session, m, day0, cutoff)
    by_id = {p.subject_id: p for p in patients}
    lots = _all(session, m.ProductLot, m.ProductLot.id)
    exposures = tuple(Exposure(a.patient_id, AdministrationKind(a.kind), a.agent, a.dose, a.unit, a.given_on,
                               study_day(a.given_on, day0.get(a.patient_id)), a.lot_number,
                               by_id[a.patient_id].dose_level if a.kind == "infusion" else None)
                      for a in admins if a.given_on <= cutoff)
    dlt_rows = {d.patient_id: d for d in _all(session, m.DltAdjudication, m.DltAdjudication.id)}
    aes = _adverse_events(session, m, day0, dlt_rows, cutoff)
    dlts = tuple(_dlt(d) for d in dlt_rows.values())
    labs = tuple(LabData(x.patient_id, x.test, x.value, x.unit, x.collected_on, study_day(x.collected_on, day0.get(x.patient_id)),
                         x.ctcae_grade if getattr(x, "ctcae_grade", None) is not None else lab_grade(x.test, x.value, x.unit),
                         getattr(x, "lln", None), getattr(x, "uln", None))
                 for x in _all(session, m.LabResult, m.LabResult.patient_id, m.LabResult.collected_on) if x.collected_on <= cutoff)
    pers = tuple(PersistenceData(x.patient_id, x.collected_on, study_day(x.collected_on, day0.get(x.patient_id)),
                                 x.copies_per_ug_dna)
                 for x in _all(session, m.PersistenceMeasurement, m.PersistenceMeasurement.patient_id,
                               m.PersistenceMeasurement.collected_on) if x.collected_on <= cutoff)
    lesions, responses = _tumour(session, m, day0, cutoff)
    return TrialData(
        protocol=protocol, data_cutoff=cutoff, patients=tuple(patients), exposures=exposures, adverse_events=aes,
        dlts=dlts, labs=labs, persistence=pers, lesions=lesions, responses=responses,
        lots=tuple(ManufacturingLot(x.patient_id, x.lot_number, x.construct, x.status, x.manufactured_on, x.cell_dose)
                   for x in lots if x.manufactured_on <= cutoff),
        decisions=_decisions(session, m, cutoff), source=source)


def _patients(session, m, day0: dict, cutoff: date) -> list[PatientData]:
    consents = {c.patient_id: c for c in _all(session, m.Consent, m.Consent.id)}
    screenings = {s.patient_id: s for s in _all(session, m.Screening, m.Screening.id)}
    profiles = {a.patient_id: a for a in _all(session, m.AntigenProfile, m.AntigenProfile.id)}
    enrollments = {e.patient_id: e for e in _all(session, m.Enrollment, m.Enrollment.id)}
    survival: dict[str, object] = {}
    for s in _all(session, m.SurvivalStatus, m.SurvivalStatus.as_of, m.SurvivalStatus.id):
        if s.as_of <= cutoff:
            survival[s.patient_id] = s
    out = []
    for p in _all(session, m.Patient, m.Patient.id):
        if p.registered_on > cutoff:
            continue
        c, e, s = consents.get(p.id), enrollments.get(p.id), survival.get(p.id)
        withdrawn = c.withdrawn_on if c is not None and c.withdrawn_on and c.withdrawn_on <= cutoff else None
        vital = VitalStatus(s.status) if s is not None else VitalStatus.ALIVE
        if withdrawn and vital == VitalStatus.ALIVE:
            vital = VitalStatus.WITHDRAWN
        out.append(PatientData(
            subject_id=p.id, site_id=p.site_id, sex=p.sex, birth_year=p.birth_year, registered_on=p.registered_on,
            consent_on=c.signed_on if c else None, arm=e.arm if e else None, dose_level=e.dose_level if e else None,
            cohort=e.cohort if e else None, phase=Phase.EXPANSION if e is not None and e.cohort == 0 else Phase.ESCALATION,
            enrolled_on=e.enrolled_on if e else None, day0=day0.get(p.id) if day0.get(p.id, cutoff) <= cutoff else None,
            eligible=screenings[p.id].eligible if p.id in screenings else None,
            antigen_positive=_antigens(profiles.get(p.id)), vital_status=vital,
            status_on=(s.as_of if s is not None else None) or withdrawn, death_cause=getattr(s, "cause", None),
            withdrawn_on=withdrawn))
    return out


def _antigens(profile) -> dict[str, bool]:
    """Antigen → positive, from the stored profiling result (``antigens`` list or mapping)."""
    if profile is None:
        return {}
    result = profile.result or {}
    items = result.get("antigens") or result.get("results") or {}
    out: dict[str, bool] = {}
    if isinstance(items, dict):
        for k, v in items.items():
            out[k] = bool(v.get("positive")) if isinstance(v, dict) else bool(v)
    elif isinstance(items, list):
        for v in items:
            if isinstance(v, dict) and ("antigen" in v or "id" in v):
                out[v.get("antigen") or v.get("id")] = bool(v.get("positive"))
    return out


def _adverse_events(session, m, day0: dict, dlt_rows: dict, cutoff: date) -> tuple[AdverseEventData, ...]:
    out = []
    for a in _all(session, m.AdverseEvent, m.AdverseEvent.patient_id, m.AdverseEvent.onset_on, m.AdverseEvent.id):
        if a.onset_on > cutoff:
            continue
        d = dlt_rows.get(a.patient_id)
        is_dlt, rule = False, None
        if d is not None and _counts_as_dlt(d):
            ids = (d.details or {}).get("event_ids") or []
            index = (d.details or {}).get("event_index")
            is_dlt = index is not None and index < len(ids) and ids[index] == a.id
            rule = d.rule_id if is_dlt else None
        resolved = a.resolved_on if a.resolved_on and a.resolved_on <= cutoff else None
        out.append(AdverseEventData(a.patient_id, a.id, a.term, a.category, a.grade, a.onset_on, resolved,
                                    study_day(a.onset_on, day0.get(a.patient_id)), a.serious, a.attribution, is_dlt, rule))
    return tuple(out)


def _counts_as_dlt(d) -> bool:
    return d.confirmed_dlt if d.confirmed_dlt is not None else d.status == "dlt"


def _dlt(d) -> DltStatus:
    if d.confirmed_dlt is not None:
        status = "DLT (confirmed by the monitor)" if d.confirmed_dlt else "no DLT (monitor overruled the engine)" \
            if d.status == "dlt" else "no DLT (confirmed by the monitor)"
    else:
        status = {"dlt": "DLT proposed, awaiting the monitor", "no_dlt": "no DLT (engine adjudication)",
                  "pending": "pending (event ongoing)"}.get(d.status, d.status)
    return DltStatus(d.patient_id, status, bool(d.evaluable) or _counts_as_dlt(d), _counts_as_dlt(d), d.rule_id,
                     d.reason + (f" — monitor: {d.comment}" if d.comment else ""), d.confirmed_by)


def _tumour(session, m, day0: dict, cutoff: date):
    lesions, responses = [], []
    rows = [r for r in _all(session, m.TumorAssessment, m.TumorAssessment.patient_id, m.TumorAssessment.assessed_on)
            if r.assessed_on <= cutoff]
    by_patient: dict[str, list] = {}
    for r in rows:
        by_patient.setdefault(r.patient_id, []).append(r)
    for pid, prow in by_patient.items():
        baseline = next((r for r in prow if r.lesions.get("baseline")), None)
        if baseline is None:
            continue
        d0 = day0.get(pid)
        origin = d0 or baseline.assessed_on
        organs = {}
        for t in baseline.lesions.get("target_lesions", []):
            organs[t.get("id")] = t.get("organ", "")
            lesions.append(LesionMeasurement(pid, str(t.get("id")), "target", str(t.get("organ", "")), baseline.assessed_on,
                                             study_day(baseline.assessed_on, d0), t.get("diameter_mm")))
        if baseline.lesions.get("non_target") == "PRESENT":
            lesions.append(LesionMeasurement(pid, "NT01", "non_target", "", baseline.assessed_on,
                                             study_day(baseline.assessed_on, d0), status="present"))
        latest = prow[-1].response or {}
        base_sum = latest.get("baseline_sum_mm")
        responses.append(ResponseAssessment(pid, baseline.assessed_on, study_day(baseline.assessed_on, d0), "NE",
                                            base_sum, 0.0, 0.0, True))
        visits = {v.get("day"): v for v in latest.get("visits", [])}
        for r in prow:
            if r is baseline:
                continue
            sd = study_day(r.assessed_on, d0)
            for t in r.lesions.get("target_lesions", []):
                lesions.append(LesionMeasurement(pid, str(t.get("id")), "target", str(organs.get(t.get("id"), "")),
                                                 r.assessed_on, sd, t.get("diameter_mm"), t.get("status")))
            nt = r.lesions.get("non_target")
            if nt and baseline.lesions.get("non_target") == "PRESENT":
                lesions.append(LesionMeasurement(pid, "NT01", "non_target", "", r.assessed_on, sd,
                                                 status=NON_TARGET_STATE.get(str(nt).upper(), str(nt).lower())))
            if r.lesions.get("new_lesions"):
                lesions.append(LesionMeasurement(pid, "NEW01", "new", "", r.assessed_on, sd, status="present"))
            v = visits.get((r.assessed_on - origin).days)
            if v is not None:
                responses.append(ResponseAssessment(pid, r.assessed_on, sd, v.get("overall", "NE"), v.get("sum_mm"),
                                                    v.get("pct_change_from_baseline"), v.get("pct_change_from_nadir")))
    return tuple(lesions), tuple(responses)


def _decisions(session, m, cutoff: date) -> tuple[DecisionData, ...]:
    """Decisions proposed by the cut-off, with the signatures given by then (a later signature: still proposed)."""
    sigs: dict[int, list] = {}
    for s in _all(session, m.Signature, m.Signature.id):
        if s.signed_at.date() <= cutoff:
            sigs.setdefault(s.decision_id, []).append(SignatureData(s.signer_name, s.meaning, s.signed_at.isoformat(),
                                                                    s.comment))
    out = []
    for d in _all(session, m.Decision, m.Decision.id):
        if d.proposed_at.date() > cutoff:
            continue
        signed = tuple(sigs.get(d.id, ()))
        status = d.status if signed or d.status == "proposed" else "proposed"
        out.append(DecisionData(d.key, d.kind, d.arm, d.dose_level, dict(d.proposal or {}), d.reason, status,
                                d.proposed_at.isoformat(), signed))
    return tuple(out)
