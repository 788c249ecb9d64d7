"""A complete virtual DART-NK-SCLC trial entered through the conduct service's own API.

``run_demo(url)`` starts the FastAPI app on the database at ``url`` with a simulated clock and,
through FastAPI's TestClient, does what the sites, the medical monitor and the committee would:
register, consent, screen and profile patients, request enrollment (the engine assigns arm, level
and slot or waitlists), release product lots, give lymphodepletion and the Day 0/7/14 infusions
(the engine enforces the sentinel stagger), report adverse events (graded and DLT-adjudicated by
the service), confirm DLT proposals, close DLT windows, sign the engine's escalation proposals,
record labs, CAR transgene persistence, RECIST 1.1 tumour assessments and survival. Nothing is
inserted into the tables directly, except the bootstrap of user accounts (the store's own
``add_user``, as ``dartnk user add`` does).

The virtual patients' true toxicity and activity are invented for the demonstration (seeded by
``seed``): they show every report and export, and are not a scenario of the trial.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable

from dartnk.errors import ConflictError, InputError

#: Demo truth per construct: P(DLT) by dose-level index (DL-1, DL1, DL2, DL3) and P(objective response).
TRUE_DLT = {"DLL3-CD56": (0.02, 0.05, 0.12, 0.45), "DLL3-GD2": (0.02, 0.05, 0.30, 0.60), "CD56-GD2": (0.05, 0.20, 0.50, 0.70)}
TRUE_RESPONSE = {"DLL3-CD56": 0.50, "DLL3-GD2": 0.35, "CD56-GD2": 0.20}
ANTIGEN_PREVALENCE = {"DLL3": 0.92, "CD56": 0.88, "GD2": 0.50}
ANC_LIMITS = {"lln": 1.8, "uln": 7.5, "ctcae_term": "Neutrophil count decreased"}  # adult reference range, 10^9/L
USERS = (("admin", "administrator", None), ("inv1", "site_investigator", "S01"), ("inv2", "site_investigator", "S02"),
         ("monitor", "medical_monitor", None), ("smc", "committee_member", None), ("stat", "statistician", None))


class _Clock:
    def __init__(self, start: date):
        self.now = datetime.combine(start, time(9), tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def set(self, d: date) -> None:
        self.now = datetime.combine(d, time(9), tzinfo=timezone.utc)

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass
class VirtualPatient:
    """One simulated patient: the site's identity and the demo truth that drives what gets entered."""

    pid: str
    site_user: str
    arrival: date
    dlt: bool = False
    responder: bool = False
    arm: str | None = None
    level: str | None = None
    cohort: int | None = None
    slot: int | None = None
    enrolled_on: date | None = None
    day0: date | None = None
    scheduled: bool = False
    infusions_given: int = 0
    dosing_stopped: bool = False
    progressed_day: int | None = None
    death_day: int | None = None
    dead: bool = False
    lot: str = ""
    base_mm: tuple[float, float] = (40.0, 30.0)
    shrink: float = 0.0
    persistence_base: float = 1e3


@dataclass
class DemoSummary:
    registered: int = 0
    enrolled: int = 0
    treated: int = 0
    dlts: int = 0
    decisions_signed: int = 0
    deaths: int = 0
    first_day: str = ""
    last_day: str = ""
    api_calls: int = 0
    refused: int = 0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _Api:
    def __init__(self, client, clock: _Clock, tokens: dict[str, str], summary: DemoSummary):
        self.client, self.clock, self.tokens, self.summary = client, clock, tokens, summary

    def call(self, method: str, path: str, who: str, body: Any = None, ok: tuple[int, ...] = (200, 201, 202)):
        self.summary.api_calls += 1
        r = self.client.request(method, f"/api/v1{path}", headers={"Authorization": f"Bearer {self.tokens[who]}"}, json=body)
        if r.status_code not in ok:
            raise RuntimeError(f"demo: {method} {path} as {who} answered {r.status_code}: {r.text}")
        return r


def run_demo(url: str, protocol=None, patients: int = 18, seed: int = 20260302, start: date = date(2026, 3, 2),
             follow_up_days: int = 365, log: Callable[[str], None] | None = None) -> DemoSummary:
    """Fill the (empty) database at ``url`` with a virtual trial of ``patients`` registered patients."""
    import numpy as np
    from fastapi.testclient import TestClient

    from dartnk.protocol import default_protocol
    from dartnk.service.app import create_app
    from dartnk.service.settings import ServiceSettings
    from dartnk.service.workflow.engine import forget_cache

    if patients < 1:
        raise InputError.field("--patients", patients, "at least 1 patient")
    if follow_up_days < 0:
        raise InputError.field("--follow-up-days", follow_up_days, "a number of days ≥ 0")
    protocol = protocol or default_protocol()
    clock = _Clock(start)
    forget_cache()
    app = create_app(ServiceSettings(database_url=url, clock=clock, protocol=protocol))
    summary = DemoSummary(first_day=start.isoformat())
    try:
        tokens = _bootstrap_users(app, clock)
        with TestClient(app) as client:
            sim = _Simulation(protocol, _Api(client, clock, tokens, summary), np.random.default_rng(seed), patients,
                              follow_up_days, log or (lambda s: None))
            sim.run(start)
    finally:
        app.state.db.dispose()
        forget_cache()
    return summary


def _bootstrap_users(app, clock: _Clock) -> dict[str, str]:
    from sqlalchemy import func, select

    from dartnk.store.models import Patient
    from dartnk.store.recorder import Recorder
    from dartnk.store.users import add_user

    db = app.state.db
    with db.read() as session:
        if session.execute(select(func.count()).select_from(Patient)).scalar_one():
            raise ConflictError.field("--db", db.url.split("@")[-1], "an empty database (the demo fills a new one)")
    tokens = {}
    with db.write() as session:
        for name, role, site in USERS:
            _, tokens[name] = add_user(Recorder(session, db.trial_id, "demo", clock()), f"demo-{name}", role, site, None)
    return tokens


class _Simulation:
    def __init__(self, protocol, api: _Api, rng, n_patients: int, follow_up_days: int, log):
        self.p, self.api, self.rng, self.n, self.follow_up, self.log = protocol, api, rng, n_patients, follow_up_days, log
        self.patients: list[VirtualPatient] = []
        self.agenda: dict[date, list[tuple[int, Callable[[], None]]]] = {}
        self.sentinel_day0: dict[tuple[str, int], date] = {}
        self.levels = [d.id for d in protocol.dose_levels]

    # -- agenda ---------------------------------------------------------------------------------
    def at(self, d: date, action: Callable[[], None], order: int = 5) -> None:
        self.agenda.setdefault(d, []).append((order, action))

    def run(self, start: date) -> None:
        day, arrivals, next_arrival = start, 0, start
        last_activity = start
        while True:
            self.api.clock.set(day)
            if arrivals < self.n and day >= next_arrival:
                self.arrive(day)
                arrivals += 1
                next_arrival = day + timedelta(days=int(self.rng.integers(2, 7)))
            for _, action in sorted(self.agenda.pop(day, []), key=lambda x: x[0]):
                action()
                last_activity = day
            self.daily(day)
            if arrivals >= self.n and not self.agenda and (day - last_activity).days > 0:
                break
            day += timedelta(days=1)
        self.close_out(day)

    # -- patients -------------------------------------------------------------------------------
    def arrive(self, today: date) -> None:
        site, user = ("S01", "inv1") if len(self.patients) % 2 == 0 else ("S02", "inv2")
        sex = "female" if self.rng.random() < 0.35 else "male"
        r = self.api.call("POST", "/patients", user, {"site": site, "sex": sex,
                                                      "birth_year": int(self.rng.integers(1953, 1975))})
        vp = VirtualPatient(r.json()["id"], user, today)
        self.patients.append(vp)
        self.api.summary.registered += 1
        self.api.call("POST", f"/patients/{vp.pid}/consent", user, {"signed_on": today.isoformat(), "version": "v1.0"})
        eligible = self.rng.random() > 0.1
        self.api.call("POST", f"/patients/{vp.pid}/screening", user, _screening(vp.pid, today, eligible, sex))
        self.api.call("POST", f"/patients/{vp.pid}/antigens", user, _antigens(vp.pid, self.rng))
        if eligible:
            self.request_enrollment(vp, today)

    def request_enrollment(self, vp: VirtualPatient, today: date) -> None:
        r = self.api.call("POST", f"/patients/{vp.pid}/enrollment", vp.site_user, ok=(201, 202, 409))
        if r.status_code == 201:
            self.enrolled(vp, r.json(), today)
        elif r.status_code == 409:
            self.api.summary.refused += 1
            self.log(f"{today}: {vp.pid} not enrolled: {r.json().get('detail')}")

    def enrolled(self, vp: VirtualPatient, e: dict, today: date) -> None:
        vp.arm, vp.level, vp.cohort, vp.slot = e["arm"], e["dose_level"], e["cohort"], e["slot"]
        vp.enrolled_on = today
        li = self.levels.index(vp.level)
        vp.dlt = bool(self.rng.random() < TRUE_DLT.get(vp.arm, (0.2,) * 4)[min(li, 3)])
        vp.responder = bool(self.rng.random() < TRUE_RESPONSE.get(vp.arm, 0.2))
        vp.base_mm = (float(self.rng.integers(25, 55)), float(self.rng.integers(15, 40)))
        vp.persistence_base = float(10 ** (2.8 + 0.5 * li + self.rng.normal(0, 0.25)))
        self.api.summary.enrolled += 1
        vp.lot = f"LOT-{vp.pid}"
        cells = self.p.dose_levels[li].cells_per_infusion
        ready = today + timedelta(days=int(self.rng.integers(1, 4)))  # off-the-shelf lot thawed and released
        self.at(ready, lambda: self.api.call("POST", f"/patients/{vp.pid}/product-lots", vp.site_user, {
            "lot_number": vp.lot, "status": "released", "cell_dose": cells, "manufactured_on": ready.isoformat()}),
            order=0)
        base = [{"id": "T1", "organ": "lung", "diameter_mm": vp.base_mm[0]},
                {"id": "T2", "organ": "liver", "diameter_mm": vp.base_mm[1]}]
        self.api.call("POST", f"/patients/{vp.pid}/tumor-assessments", vp.site_user,
                      {"assessed_on": today.isoformat(), "baseline": True, "target_lesions": base})
        self.api.call("POST", f"/patients/{vp.pid}/labs", vp.site_user,
                      {"test": "anc", "value": round(float(self.rng.uniform(1.8, 4.5)), 2), "unit": "10^9/L",
                       "collected_on": today.isoformat(), **ANC_LIMITS})

    def try_schedule(self, vp: VirtualPatient, today: date) -> None:
        """Plan Day 0 once the sentinel of the cohort has been dosed (escalation.stagger)."""
        stagger = self.p.escalation.stagger.sentinel_days
        earliest = today + timedelta(days=6)
        if vp.cohort and vp.slot and vp.slot > 1 and stagger > 0:
            s = self.sentinel_day0.get((vp.arm, vp.cohort))
            if s is None:
                return
            earliest = max(earliest, s + timedelta(days=stagger))
        vp.scheduled = True
        self.plan_day0(vp, earliest)

    def plan_day0(self, vp: VirtualPatient, d0: date) -> None:
        for agent in self.p.lymphodepletion.agents:
            for d in agent.days:
                self.at(d0 + timedelta(days=d), lambda a=agent, on=d0 + timedelta(days=d): self.api.call(
                    "POST", f"/patients/{vp.pid}/lymphodepletion", vp.site_user,
                    {"agent": a.agent, "dose_mg_m2": a.dose_mg_m2, "given_on": on.isoformat()}), order=1)
        self.at(d0, lambda: self.first_infusion(vp), order=2)

    def first_infusion(self, vp: VirtualPatient) -> None:
        today = self.api.clock.today
        cells = self.p.dose_levels[self.levels.index(vp.level)].cells_per_infusion
        r = self.api.call("POST", f"/patients/{vp.pid}/infusions", vp.site_user,
                          {"given_on": today.isoformat(), "lot_number": vp.lot, "cells": cells}, ok=(201, 409))
        if r.status_code == 409:  # stagger not over yet: the engine says when; try the next day
            self.at(today + timedelta(days=1), lambda: self.first_infusion(vp), order=2)
            return
        vp.day0, vp.infusions_given = today, 1
        self.api.summary.treated += 1
        if vp.slot == 1 and vp.cohort:
            self.sentinel_day0[(vp.arm, vp.cohort)] = today
        self.plan_course(vp)

    def plan_course(self, vp: VirtualPatient) -> None:
        d0 = vp.day0
        cells = self.p.dose_levels[self.levels.index(vp.level)].cells_per_infusion
        for k, day in enumerate(self.p.infusions.days[1:], start=2):
            self.at(d0 + timedelta(days=day), lambda on=d0 + timedelta(days=day): self.infuse(vp, on, cells), order=2)
        self.plan_safety(vp)
        for day in self.p.follow_up.persistence_sampling_days:
            copies = vp.persistence_base * math.exp(-0.12 * day) * (3 if vp.responder else 1) * \
                float(self.rng.lognormal(0, 0.3))
            self.at(d0 + timedelta(days=day), lambda on=d0 + timedelta(days=day), c=round(copies, 1): self.api.call(
                "POST", f"/patients/{vp.pid}/persistence", vp.site_user,
                {"collected_on": on.isoformat(), "copies_per_ug_dna": c}), order=6)
        self.plan_outcome(vp)

    def infuse(self, vp: VirtualPatient, on: date, cells: float) -> None:
        if vp.dead or vp.dosing_stopped or (vp.dlt and self.rng.random() < 0.5):
            vp.dosing_stopped = True  # a DLT may stop further dosing; a skipped infusion ends the cycle
            return
        self.api.call("POST", f"/patients/{vp.pid}/infusions", vp.site_user,
                      {"given_on": on.isoformat(), "lot_number": vp.lot, "cells": cells})
        vp.infusions_given += 1

    def plan_safety(self, vp: VirtualPatient) -> None:
        d0 = vp.day0
        rng = self.rng
        crs_grade = int(rng.choice([1, 1, 2])) if rng.random() < 0.7 else 0
        events = []
        if crs_grade:
            events.append(("Cytokine release syndrome", crs_grade, 1, 3, "probable", False))
        events.append(("Neutrophil count decreased", int(rng.choice([2, 3, 3, 4])), 2, 8, "probable", False))
        if rng.random() < 0.4:
            events.append(("Fatigue", 1, 3, 6, "possible", False))
        if rng.random() < 0.15:
            events.append(("Lung infection", 3, 12, 7, "unlikely", True))
        if vp.dlt:
            kind = int(rng.integers(0, 3))
            events.append((("Cytokine release syndrome", 4, 2, 4, "definite", True),
                           ("Immune effector cell-associated neurotoxicity syndrome", 3, 5, 6, "probable", True),
                           ("Neutrophil count decreased", 4, 3, 20, "probable", True))[kind])
        for term, grade, onset, duration, attribution, serious in events:
            resolved = d0 + timedelta(days=onset + duration)
            body = {"term": term, "grade": grade, "onset_on": (d0 + timedelta(days=onset)).isoformat(),
                    "resolved_on": resolved.isoformat(), "attribution": attribution, "serious": serious}
            self.at(resolved, lambda b=body: self.api.call("POST", f"/patients/{vp.pid}/adverse-events", vp.site_user, b),
                    order=3)
        for day, anc in ((7, 0.3 if vp.dlt else 0.8), (28, 1.6)):
            self.at(d0 + timedelta(days=day), lambda on=d0 + timedelta(days=day), v=anc: self.api.call(
                "POST", f"/patients/{vp.pid}/labs", vp.site_user,
                {"test": "anc", "value": v, "unit": "10^9/L", "collected_on": on.isoformat(), **ANC_LIMITS}), order=6)

    def plan_outcome(self, vp: VirtualPatient) -> None:
        interval = self.p.response.assessment_interval_days
        if vp.responder:
            vp.shrink = float(self.rng.uniform(0.35, 1.0))
            pd_day = interval * int(self.rng.integers(3, 7))
        else:
            vp.shrink = float(self.rng.uniform(-0.1, 0.2))
            pd_day = interval * int(self.rng.integers(1, 3))
        vp.progressed_day = pd_day
        vp.death_day = pd_day + int(self.rng.integers(30, 240))
        horizon = self.follow_up
        for k in range(1, horizon // interval + 1):
            day = k * interval
            if day > pd_day:
                break
            self.at(vp.day0 + timedelta(days=day), lambda d=day: self.assess(vp, d), order=4)
        if vp.death_day <= horizon:
            self.at(vp.day0 + timedelta(days=vp.death_day), lambda: self.die(vp), order=7)

    def assess(self, vp: VirtualPatient, day: int) -> None:
        if vp.dead:
            return
        progressed = day >= vp.progressed_day
        factor = 1.25 if progressed else 1.0 - vp.shrink * min(1.0, day / 84)
        lesions = [{"id": "T1", "diameter_mm": round(vp.base_mm[0] * max(factor, 0.0), 1)},
                   {"id": "T2", "diameter_mm": round(vp.base_mm[1] * max(factor, 0.0), 1)}]
        self.api.call("POST", f"/patients/{vp.pid}/tumor-assessments", vp.site_user,
                      {"assessed_on": self.api.clock.today.isoformat(), "target_lesions": lesions,
                       "non_target": "NONE", "new_lesions": bool(progressed and self.rng.random() < 0.3)})

    def die(self, vp: VirtualPatient) -> None:
        vp.dead = True
        self.api.summary.deaths += 1
        self.api.call("POST", f"/patients/{vp.pid}/survival", vp.site_user,
                      {"status": "dead", "as_of": self.api.clock.today.isoformat(), "cause": "disease progression"})

    # -- the trial's daily business -------------------------------------------------------------
    def daily(self, today: date) -> None:
        for vp in self.patients:
            if vp.arm and not vp.scheduled:
                self.try_schedule(vp, today)
            elif vp.arm is None and vp.enrolled_on is None:
                self.poll_waitlist(vp, today)
        for vp in self.patients:
            if vp.day0 and (today - vp.day0).days <= self.p.dlt.window_days + 7:
                dlt = self.api.call("GET", f"/patients/{vp.pid}", "monitor").json().get("dlt")
                if dlt and dlt["proposed"] == "dlt" and dlt["confirmed_dlt"] is None:
                    self.api.call("POST", f"/patients/{vp.pid}/dlt/confirm", "monitor", {"is_dlt": True})
                    self.api.summary.dlts += 1
        self.api.call("POST", "/trial/advance", "monitor")
        for d in self.api.call("GET", "/decisions", "smc").json():
            if d["status"] == "proposed":
                self.api.call("POST", f"/decisions/{d['id']}/sign", "smc",
                              {"meaning": "approved", "comment": "reviewed at the committee meeting"})
                self.api.summary.decisions_signed += 1
                self.log(f"{today}: signed {d['kind']} {d['arm'] or ''} {d['dose_level'] or ''}: {d['reason']}")

    def poll_waitlist(self, vp: VirtualPatient, today: date) -> None:
        view = self.api.call("GET", f"/patients/{vp.pid}", vp.site_user).json()
        if view.get("enrollment"):
            self.enrolled(vp, view["enrollment"], today)
        elif view.get("status") not in ("waitlisted",):
            vp.enrolled_on = today  # refused, screen-failed or lost from the waitlist: stop polling

    def close_out(self, last: date) -> None:
        self.api.clock.set(last)
        for vp in self.patients:
            if vp.day0 and not vp.dead:
                self.api.call("POST", f"/patients/{vp.pid}/survival", vp.site_user,
                              {"status": "alive", "as_of": last.isoformat()})
        self.api.summary.last_day = last.isoformat()


def _screening(pid: str, today: date, eligible: bool, sex: str) -> dict:
    return {
        "patient_id": pid, "consent_date": today.isoformat(), "birth_date": f"{today.year - 60}-04-17", "sex": sex,
        "weight_kg": 68.0, "height_cm": 168.0, "ecog": 1 if eligible else 2, "histology": "small_cell_lung_cancer",
        "stage": "extensive", "prior_systemic_regimens": 2, "prior_platinum": True, "platinum_contraindicated": False,
        "measurable_disease": True, "cns_metastases": "none", "life_expectancy_weeks": 20, "tumour_tissue_available": True,
        "labs": {"anc": {"value": 2.1, "unit": "10^9/L", "lln": 1.8, "uln": 7.5},
                 "platelets": {"value": 182000, "unit": "cells/mm3", "lln": 150000, "uln": 400000},
                 "creatinine": {"value": 71, "unit": "umol/L", "lln": 45, "uln": 84},
                 "ast": {"value": 34, "unit": "U/L", "uln": 40}, "alt": {"value": 29, "unit": "U/L", "uln": 41},
                 "bilirubin": {"value": 0.8, "unit": "mg/dL", "uln": 1.2}},
        "lvef_percent": 58, "prior_gene_modified_cell_therapy_date": "never", "allogeneic_hsct_date": "never",
        "myocardial_infarction_date": "never", "prior_confounding_target_therapy": False, "active_gvhd": False,
        "active_uncontrolled_infection": False, "uncontrolled_arrhythmia": False,
        "autoimmune_disease_requiring_systemic_immunosuppression": False, "corticosteroids": [],
        "corticosteroid_physiologic_replacement": False, "concurrent_malignancy_requiring_treatment": False,
        "pregnant_or_breastfeeding": False, "childbearing_potential": False, "reproductive_potential": False,
        "unsafe_per_investigator": False,
    }


def _antigens(pid: str, rng) -> dict:
    out = {}
    for antigen, prevalence in ANTIGEN_PREVALENCE.items():
        positive = rng.random() < prevalence
        out[antigen] = {"percent_positive": int(rng.integers(30, 90)) if positive else 0, "intensity": 2 if positive else 0}
    return {"patient_id": pid, "antigens": out}
