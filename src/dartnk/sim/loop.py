"""The event loop: virtual patients arrive, are screened, manufactured, dosed and followed; the
trial engine decides. One function, two engines (the pure ``dartnk.trial`` engine, or the lean
mutable mirror in :mod:`dartnk.sim.fast_engine` — a test shows both give identical outcomes).

Timing assumptions (documented in docs/simulation.md): screening result ``accrual.screening_days``
after arrival; product release ``manufacturing_days`` after assignment; lymphodepletion on the
days before Day 0 given by the protocol, so Day 0 is at the earliest release + the lead time of
lymphodepletion (5 days for Days −5..−3), and never before the staggering gate; infusions on the
protocol's days; a DLT on a uniform day of the window; the window closes on its last day; the
best overall response is final at the second scan when confirmation is required; the committee
signs each proposal ``committee_days`` later.
"""

from __future__ import annotations

import heapq
import math

from dartnk.sim import outcome as oc
from dartnk.sim.patients import (U_CRS, U_DROPOUT, U_GAP, U_ICANS, U_MFG, U_MFG_DAYS, U_NONEVAL,
                                 U_ONSET, U_OS, U_PERSIST, U_PFS, U_RESP, U_SCREEN, U_TOX, PatientStream, Truth, grade)
from dartnk.trial import events as ev
from dartnk.trial.decisions import DecisionKind as K

SCREEN, MANUFACTURED, WITHDRAW, TRY_DOSE, INFUSION, DLT, PERSIST, WINDOW, RESPONSE, COMMITTEE = range(10)
RELEASED, FAILED = ev.ManufacturingOutcome.RELEASED, ev.ManufacturingOutcome.FAILED


class ReferenceEngine:
    """The pure ``dartnk.trial`` engine behind the loop's interface: each call becomes an event."""

    detail = True  # wants every infusion and DLT as its own event

    def __init__(self, protocol):
        from dartnk.trial import initial_state

        self.protocol = protocol
        self.state = initial_state(protocol)

    def _apply(self, event):
        from dartnk.trial import apply

        self.state, decisions = apply(self.protocol, self.state, event)
        return decisions

    def screened(self, day, pid, eligible, qualifying):
        if not eligible:
            return self._apply(ev.PatientScreened(day, pid, False, (), "screen failure (simulated)"))
        return self._apply(ev.PatientScreened(day, pid, True, qualifying))

    def manufactured(self, day, pid, released):
        return self._apply(ev.ProductManufactured(day, pid, RELEASED if released else FAILED))

    def withdrew(self, day, pid):
        return self._apply(ev.Withdrew(day, pid, "dropout before dosing (simulated)"))

    def infused(self, day, pid):
        return self._apply(ev.Infused(day, pid))

    def dlt(self, day, pid):
        return self._apply(ev.DltAdjudicated(day, pid, True))

    def window_closed(self, day, pid):
        return self._apply(ev.DltWindowClosed(day, pid))

    def persistence(self, day, pid, study_day, copies):
        return self._apply(ev.PersistenceMeasured(day, pid, study_day, copies))

    def response(self, day, pid, responder):
        return self._apply(ev.ResponseEvaluated(day, pid, ev.BestResponse.PR if responder else ev.BestResponse.SD))

    def committee(self, day, decision_id):
        return self._apply(ev.CommitteeDecision(day, decision_id))

    def earliest_day0(self, pid: str) -> int:
        from dartnk.trial import earliest_day0

        return earliest_day0(self.protocol, self.state, pid)


class _Timing:
    def __init__(self, protocol):
        self.window = protocol.dlt.window_days
        self.infusion_days = tuple(d for d in protocol.infusions.days if d > 0)
        self.ld_lead = max(0, -min(min(a.days) for a in protocol.lymphodepletion.agents))
        r = protocol.response
        self.response_day = r.assessment_interval_days * (2 if r.confirmation_required else 1)
        self.persistence_day = protocol.selection.persistence_day
        self.pfs6 = 365.25 / 2
        self.os12 = 365.25


def _copies(u_detect: float, z: float, ct) -> float:
    """Transgene copies at the persistence day: 0 when not detected, else log-normal."""
    if u_detect >= ct.persistence_detected:
        return 0.0
    return 10.0 ** (ct.log10_copies[0] + ct.log10_copies[1] * z)


def simulate_trial(protocol, truth: Truth, stream: PatientStream, engine) -> list[int]:
    """Run one trial to its close (or the scenario's ``max_trial_days``); return its outcome vector."""
    sc = truth.scenario
    acc = sc.accrual
    tm = _Timing(protocol)
    cidx = {c: i for i, c in enumerate(truth.construct_ids)}
    cidx.update({("level", d.id): i for i, d in enumerate(protocol.dose_levels)})
    n_arms, n_levels = len(truth.construct_ids), len(protocol.dose_levels)
    treated = [[0] * n_levels for _ in range(n_arms)]
    dlts = [[0] * n_levels for _ in range(n_arms)]
    mtd, close = [-1] * n_arms, [oc.CLOSE_OPEN] * n_arms
    t = dict(selected=oc.SELECTED_NOT_REACHED, exp_level=-1, exp_n=0, exp_dlt_evaluable=0, exp_dlts=0,
             exp_resp_evaluated=0, exp_responders=0, exp_stop=oc.STOP_NONE, exp_stop_n=0, n_treated=0, n_screened=0,
             n_screen_failures=0, n_refused=0, n_lost_to_wait=0, n_dlts=0, duration_days=0, selection_day=-1,
             finished=0, n_crs3=0, n_icans3=0, exp_pfs6=0, exp_os12=0)
    enrolled: dict[str, tuple] = {}   # pid → (k, construct index, level index, expansion?)
    heap: list = []
    seq = 0

    def push(day: int, kind: int, data) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(heap, (day, seq, kind, data))

    clock = -math.log1p(-stream.uniforms(0)[U_GAP]) * truth.gap_scale
    push(int(clock) + acc.screening_days, SCREEN, 0)
    detail = engine.detail
    over = False
    day = 0
    while heap and not over:
        day, _, kind, data = heapq.heappop(heap)
        if day > sc.max_trial_days:
            day = sc.max_trial_days
            break
        if kind == SCREEN:
            k = data
            u = stream.uniforms(k)
            clock += -math.log1p(-stream.uniforms(k + 1)[U_GAP]) * truth.gap_scale
            push(max(day, int(clock) + acc.screening_days), SCREEN, k + 1)
            t["n_screened"] += 1
            if u[U_SCREEN] < acc.screen_failure:
                t["n_screen_failures"] += 1
                decisions = engine.screened(day, f"V{k:04d}", False, ())
            else:
                decisions = engine.screened(day, f"V{k:04d}", True, stream.qualifying(k))
        elif kind == MANUFACTURED:
            pid, released = data
            decisions = engine.manufactured(day, pid, released)
            if released:
                push(day + tm.ld_lead, TRY_DOSE, pid)
        elif kind == WITHDRAW:
            decisions = engine.withdrew(day, data)
        elif kind == TRY_DOSE:
            gate = engine.earliest_day0(data)
            if gate > day:
                push(gate, TRY_DOSE, data)
                continue
            decisions = engine.infused(day, data)
            _after_day0(protocol, truth, stream, tm, enrolled[data], data, day, push, treated, dlts, t, engine, detail)
        elif kind == INFUSION:
            decisions = engine.infused(day, data)
        elif kind == DLT:
            decisions = engine.dlt(day, data)
        elif kind == WINDOW:
            pid, evaluable, had_dlt = data
            if enrolled[pid][3]:
                t["exp_dlt_evaluable"] += evaluable
                t["exp_dlts"] += had_dlt
            decisions = engine.window_closed(day, pid)
        elif kind == PERSIST:
            pid, copies = data
            decisions = engine.persistence(day, pid, tm.persistence_day, copies)
        elif kind == RESPONSE:
            pid, responder = data
            if enrolled[pid][3]:
                t["exp_resp_evaluated"] += 1
                t["exp_responders"] += responder
            decisions = engine.response(day, pid, responder)
        else:  # COMMITTEE
            decisions = engine.committee(day, data)
        for d in decisions:
            over = _react(d, day, protocol, truth, stream, cidx, enrolled, push, mtd, close, t, sc) or over
    t["duration_days"] = day
    t["finished"] = int(over)
    t["n_refused"] -= t["n_screen_failures"]
    vec: list[int] = []
    for a in range(n_arms):
        vec += [mtd[a], close[a]]
    for a in range(n_arms):
        vec += treated[a] + dlts[a]
    return vec + [int(t[f]) for f in oc.TRIAL_FIELDS]


def _after_day0(protocol, truth, stream, tm, info, pid, day, push, treated, dlts, t, engine, detail) -> None:
    k, a, lv, expansion = info
    u = stream.uniforms(k)
    ct = truth.constructs[a]
    t["n_treated"] += 1
    complete = u[U_NONEVAL] >= truth.scenario.not_evaluable
    had_dlt = u[U_TOX] < ct.dlt[lv]
    t["n_dlts"] += had_dlt
    if detail:
        if complete:
            for d in tm.infusion_days:
                push(day + d, INFUSION, pid)
        if had_dlt:
            push(day + int(u[U_ONSET] * tm.window), DLT, pid)
    else:
        # the lean engine reads infusions and DLTs only when the window closes (after both)
        engine.course(pid, len(tm.infusion_days) if complete else 0, had_dlt)
    if expansion:
        t["exp_n"] += 1
        t["exp_pfs6"] += -math.log1p(-u[U_PFS]) / ct.pfs_rate > tm.pfs6
        t["exp_os12"] += -math.log1p(-u[U_OS]) / ct.os_rate > tm.os12
    else:
        treated[a][lv] += 1
        dlts[a][lv] += had_dlt
    infusions = 1 + (len(tm.infusion_days) if complete else 0)
    evaluable = had_dlt or infusions >= protocol.evaluability.required_infusions
    push(day + tm.window - 1, WINDOW, (pid, int(evaluable), int(had_dlt)))
    push(day + tm.persistence_day, PERSIST, (pid, _copies(u[U_PERSIST], stream.copies_normal(k), ct)))
    push(day + tm.response_day, RESPONSE, (pid, int(u[U_RESP] < ct.response[lv])))
    t["n_crs3"] += grade(u[U_CRS], ct.crs_cum) >= 3
    t["n_icans3"] += grade(u[U_ICANS], ct.icans_cum) >= 3


def _react(d, day, protocol, truth, stream, cidx, enrolled, push, mtd, close, t, sc) -> bool:
    """Carry out one decision in the virtual world; True when the trial is over."""
    kind = d.kind
    if kind == K.ASSIGN:
        k = int(d.patient_id[1:])
        a = cidx[d.construct]
        enrolled[d.patient_id] = (k, a, cidx["level", d.level], t["exp_level"] >= 0)
        u = stream.uniforms(k)
        ct = truth.constructs[a]
        lo, hi = ct.manufacturing_days
        mdays = lo + int(u[U_MFG_DAYS] * (hi - lo + 1))
        if u[U_DROPOUT] < sc.accrual.dropout_before_dosing:
            push(day + max(1, mdays // 2), WITHDRAW, d.patient_id)
        else:
            push(day + mdays, MANUFACTURED, (d.patient_id, u[U_MFG] < ct.manufacturing_success))
    elif d.requires_committee:
        push(day + sc.committee_days, COMMITTEE, d.id)
        if kind == K.SELECT_CONSTRUCT:
            t["selection_day"] = day
            t["selected"] = oc.SELECTED_NONE if d.construct is None else cidx[d.construct]
        elif kind == K.STOP_EXPANSION:
            tox = d.action == "toxicity"
            t["exp_stop"] = oc.STOP_TOXICITY if tox else oc.STOP_FUTILITY
            t["exp_stop_n"] = t["exp_dlt_evaluable"] if tox else t["exp_resp_evaluated"]
    elif kind == K.CLOSE_ARM:
        a = cidx[d.construct]
        if d.action == "declare_mtd":
            mtd[a], close[a] = cidx["level", d.level], oc.CLOSE_MTD
        elif d.action == "stop_no_tolerable_dose":
            close[a] = oc.CLOSE_NO_TOLERABLE
        else:
            close[a] = oc.CLOSE_CAP
    elif kind == K.OPEN_EXPANSION:
        t["exp_level"] = cidx["level", d.level]
    elif kind == K.REFUSE:
        t["n_refused"] += 1
    elif kind == K.LOST_TO_WAIT:
        t["n_lost_to_wait"] += 1
    elif kind == K.CLOSE_TRIAL:
        return True
    return False
