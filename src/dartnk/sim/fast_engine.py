"""A lean, mutable mirror of the ``dartnk.trial`` engine for bulk simulation.

Same rules, same order of decisions, same answers to ``earliest_day0`` — but state is mutated in
place, the participant count is kept incrementally, the 3+3 rule and the monitoring rules are
memoised on their (pure) inputs, and reasons are short. ``tests/sim/test_fast_engine.py`` runs
both engines through the same event loop on the same virtual patients in every shipped scenario
and requires identical outcomes; the conduct service always uses ``dartnk.trial``.
"""

from __future__ import annotations

from dartnk.sim.fast_expansion import P_CLOSED, P_ESC, P_EXP, P_SEL, ExpansionSteps
from dartnk.sim.fast_state import AWAITING, CLOSED, ENROLLING, Decision, _Arm, _Patient
from dartnk.trial import events as ev
from dartnk.trial.decisions import DecisionKind as K

FAILED, RELEASED = ev.ManufacturingOutcome.FAILED, ev.ManufacturingOutcome.RELEASED


class FastEngine(ExpansionSteps):
    """The loop's engine interface: ``handle(event) -> list[Decision]`` and ``earliest_day0(pid)``."""

    def __init__(self, protocol, cache: dict | None = None):
        p = protocol
        self.p = p
        esc = p.escalation
        self.start = p.level_index(esc.start_level)
        self.level_ids = [d.id for d in p.dose_levels]
        self.ids = [c.id for c in p.constructs]
        self.idx = {c: i for i, c in enumerate(self.ids)}
        self.arms = [_Arm(c, self.start, len(self.level_ids), esc.cohort_size, esc.stagger.sentinel_days > 0)
                     for c in self.ids]
        self.patients: dict[str, _Patient] = {}
        self.waitlist: list[tuple[str, int, tuple]] = []
        self.pending: list[Decision] = []
        self.phase = P_ESC
        self.exp = None  # [construct index, level, size, pids, stopped, active]
        self.n_closed = 0
        self.day = 0
        self.seq = 0
        self.committed = 0
        self.last_assigned = None
        self.cap = p.trial.max_participants
        self.max_wait = p.assignment.max_wait_days
        self.policy = p.assignment.policy
        self.sentinel_days = esc.stagger.sentinel_days
        self.window = p.dlt.window_days
        self.required = p.evaluability.required_infusions
        self.observe_full = p.evaluability.observe_full_window
        self.replace_ne = p.evaluability.replace_non_evaluable
        self.cache = cache if cache is not None else {}

    # -- interface (the loop calls these; each is one event of dartnk.trial.events) ---------------
    detail = False  # infusions after Day 0 and DLTs come folded in :meth:`course`

    def _run(self, day: int, handler, *args) -> list[Decision]:
        out: list[Decision] = []
        if self.waitlist:
            self._expire(day, out)
        elif day > self.day:
            self.day = day
        handler(day, out, *args)
        if self.phase == P_ESC:
            self._settle(day, out)
        return out

    def screened(self, day, pid, eligible, qualifying):
        return self._run(day, self._screened, pid, eligible, qualifying)

    def manufactured(self, day, pid, released):
        return self._run(day, self._manufactured, pid, released)

    def withdrew(self, day, pid):
        return self._run(day, self._off, pid)

    def infused(self, day, pid):
        return self._run(day, self._infused, pid)

    def dlt(self, day, pid):
        return self._run(day, self._dlt, pid)

    def course(self, pid, more_infusions: int, dlt: bool) -> None:
        """The rest of the patient's course, folded: later infusions and a DLT inside the window."""
        pt = self.patients[pid]
        pt.infusions += more_infusions
        pt.dlt = pt.dlt or dlt

    def window_closed(self, day, pid):
        return self._run(day, self._window, pid)

    def persistence(self, day, pid, study_day, copies):
        self.patients[pid].persistence.append((study_day, float(copies)))
        return self._run(day, lambda d, out: None)

    def response(self, day, pid, responder):
        return self._run(day, self._response, pid, responder)

    def committee(self, day, decision_id):
        return self._run(day, self._committee, decision_id)

    def earliest_day0(self, pid: str) -> int:
        pt = self.patients[pid]
        if pt.expansion:
            return pt.assigned
        arm = self.arms[pt.arm]
        if arm.status == CLOSED or arm.c_number != pt.cohort or not arm.c_stagger:
            return pt.assigned
        dosed = [self.patients[q].day0 for q in arm.c_pids if self.patients[q].day0 is not None]
        if not dosed:
            return pt.assigned
        return max(pt.assigned, min(dosed) + self.sentinel_days)

    # -- capacity, slots, assignment -------------------------------------------------------------
    def _remaining(self) -> int:
        return max(0, self.cap - self.committed)

    def _slots(self, capped: bool = True) -> list[int]:
        if self.phase == P_ESC:
            s = [a.c_size - a.active if a.status == ENROLLING and a.c_size > a.active else 0 for a in self.arms]
        else:
            s = [0] * len(self.arms)
            if self.phase == P_EXP:
                ci, _, size, pids, stopped, active = self.exp
                if stopped is None and not self._stop_pending():
                    s[ci] = max(0, size - active)
        if capped:
            r = self._remaining()
            s = [min(x, r) for x in s]
        return s

    def _may_open_later(self, c: int) -> bool:
        if self.phase == P_ESC:
            return self.arms[c].status != CLOSED
        if self.phase == P_SEL:
            return True
        return self.exp is not None and self.exp[0] == c and self.exp[4] is None

    def _choose(self, cands: list[int]) -> int:
        if self.policy == "fewest_treated":
            return min(cands, key=lambda c: (self.arms[c].load, c))
        if self.policy == "longest_waiting":
            return min(cands, key=lambda c: (self.arms[c].open_since if self.arms[c].open_since is not None else self.day, c))
        n = len(self.arms)
        start = self.last_assigned + 1 if self.last_assigned is not None else 0
        for k in range(n):
            c = (start + k) % n
            if c in cands:
                return c
        raise AssertionError

    def _assign(self, qual: tuple) -> tuple:
        """('assign', arm) | ('wait', constructs) | ('refuse', None)."""
        if self.phase == P_CLOSED or not qual or self._remaining() <= 0:
            return ("refuse", None)
        slots = self._slots()
        cands = [self.idx[c] for c in qual if slots[self.idx[c]] > 0]
        if cands:
            return ("assign", self._choose(cands))
        waiting = tuple(c for c in qual if self._may_open_later(self.idx[c]))
        return ("wait", waiting) if waiting else ("refuse", None)

    def _enrol(self, pid: str, a: int, day: int, out: list) -> None:
        arm = self.arms[a]
        if self.phase == P_EXP:
            level = self.exp[1]
            pt = _Patient(pid, a, level, True, 0, day)
            self.exp[3].append(pid)
            self.exp[5] += 1
        else:
            level = arm.c_level
            pt = _Patient(pid, a, level, False, arm.c_number, day)
            arm.c_pids.append(pid)
            arm.load += 1
            arm.active += 1
        self.patients[pid] = pt
        self.committed += 1
        self.last_assigned = a
        out.append(Decision(K.ASSIGN, day, "assigned", construct=arm.construct, level=self.level_ids[level], patient_id=pid))
        if self.phase == P_ESC and self._slots(False)[a] == 0 and arm.open_since is not None:
            arm.open_since = None
        if self._remaining() == 0:
            out.append(Decision(K.CAP_REACHED, day, "participant cap reached"))

    def _fill(self, day: int, out: list) -> None:
        for w in list(self.waitlist):  # already in order of joining (longest waiting first)
            if not any(self._slots()):
                break
            kind, a = self._assign(w[2])
            if kind == "assign":
                self.waitlist.remove(w)
                self._enrol(w[0], a, day, out)

    def _expire(self, day: int, out: list) -> None:
        """Waitlist entries are kept in the order they joined (non-decreasing day), so the expired
        ones are a prefix — the same entries, in the same order, as the engine's full scan."""
        if day < self.day:
            day = self.day
        w = self.waitlist
        limit = day - self.max_wait
        n = 0
        while n < len(w) and w[n][1] < limit:
            out.append(Decision(K.LOST_TO_WAIT, day, "lost to wait", patient_id=w[n][0]))
            n += 1
        if n:
            del w[:n]
        self.day = day

    def _replace(self, pt: _Patient, day: int, out: list) -> None:
        pt.replaced = True
        if not pt.treated:
            self.committed -= 1
            if not pt.expansion:
                self.arms[pt.arm].load -= 1
        out.append(Decision(K.REPLACE, day, "replaced", construct=self.ids[pt.arm], level=self.level_ids[pt.level],
                            patient_id=pt.pid))
        if not pt.expansion:
            arm = self.arms[pt.arm]
            if arm.status != CLOSED and arm.c_number == pt.cohort:
                arm.active -= 1
                if arm.open_since is None:
                    arm.open_since = day
        else:
            self.exp[5] -= 1
        self._fill(day, out)

    # -- handlers -------------------------------------------------------------------------------
    def _screened(self, day, out, pid, eligible, qualifying) -> None:
        if not eligible:
            out.append(Decision(K.REFUSE, day, "not eligible", patient_id=pid))
            return
        kind, x = self._assign(qualifying)
        if kind == "assign":
            self._enrol(pid, x, day, out)
        elif kind == "wait":
            out.append(Decision(K.WAITLIST, day, "waitlisted", patient_id=pid))
            self.waitlist.append((pid, day, x))
        else:
            out.append(Decision(K.REFUSE, day, "refused", patient_id=pid))

    def _manufactured(self, day, out, pid, released) -> None:
        pt = self.patients[pid]
        pt.product, pt.product_day = (RELEASED if released else FAILED), day
        if not released and not pt.treated and not pt.replaced:
            self._replace(pt, day, out)
            self._after(pt, day, out)

    def _infused(self, day, out, pid) -> None:
        pt = self.patients[pid]
        if pt.day0 is None:
            first = False
            if not pt.expansion:
                arm = self.arms[pt.arm]
                first = arm.status != CLOSED and arm.c_number == pt.cohort and all(
                    self.patients[q].day0 is None for q in arm.c_pids)
            pt.day0, pt.infusions = day, 1
            if first and self.arms[pt.arm].c_stagger:
                for q in self.arms[pt.arm].c_pids:
                    o = self.patients[q]
                    if q != pt.pid and not o.replaced and o.day0 is None:
                        out.append(Decision(K.DOSE_FROM, day, "after the sentinel", patient_id=q,
                                            construct=self.ids[pt.arm]))
        else:
            pt.infusions += 1

    def _dlt(self, day, out, pid) -> None:
        self.patients[pid].dlt = True

    def _window(self, day, out, pid) -> None:
        pt = self.patients[pid]
        pt.window_closed = True
        self._resolve(pt, day, out)

    def _response(self, day, out, pid, responder) -> None:
        pt = self.patients[pid]
        pt.response = bool(responder)
        if pt.expansion:
            if self.phase == P_EXP and not self._stop_pending():
                assessed = [self.patients[q] for q in self.exp[3] if self.patients[q].response is not None]
                n, r = len(assessed), sum(1 for q in assessed if q.response)
                if self._futility(n, r):
                    self._propose_stop("futility", day, out)
            self._expansion_done(day, out)

    def _off(self, day, out, pid) -> None:
        pt = self.patients[pid]
        if pt.off is not None:
            return
        was = pt.resolved
        pt.off = day
        if not pt.treated and not pt.replaced:
            self._replace(pt, day, out)
            self._after(pt, day, out)
        elif pt.treated and not was:
            self._resolve(pt, day, out)

    def _evaluable(self, pt: _Patient) -> bool:
        return pt.dlt or (pt.infusions >= self.required and (pt.window_closed or not self.observe_full))

    def _resolve(self, pt: _Patient, day: int, out) -> None:
        if not self._evaluable(pt) and not pt.expansion and self.replace_ne:
            self._replace(pt, day, out)
        self._after(pt, day, out)

    def _after(self, pt: _Patient, day: int, out) -> None:
        if not pt.expansion:
            self._cohort_done(pt.arm, day, out)
            return
        if self.phase == P_EXP and not self._stop_pending() and pt.treated:
            ev_pts = [self.patients[q] for q in self.exp[3]]
            ev_pts = [q for q in ev_pts if q.treated and q.resolved and self._evaluable(q)]
            if pt in ev_pts:
                n, x = len(ev_pts), sum(1 for q in ev_pts if q.dlt)
                if self._toxicity(n, x):
                    self._propose_stop("toxicity", day, out)
        self._expansion_done(day, out)

    # -- escalation ------------------------------------------------------------------------------
    def _tally(self, arm: _Arm) -> None:
        n = d = 0
        for q in arm.c_pids:
            pt = self.patients[q]
            if pt.replaced or not pt.treated:
                continue
            if self._evaluable(pt):
                n += 1
                d += pt.dlt
        t = arm.tallies[arm.c_level]
        t[0] += n
        t[1] += d

    def _step(self, arm: _Arm):
        key = ("esc", tuple(tuple(t) for t in arm.tallies), arm.level)
        hit = self.cache.get(key)
        if hit is None:
            from dartnk.design.escalation import LevelCounts, next_decision

            hit = next_decision(self.p.escalation, [LevelCounts(t[0], t[1]) for t in arm.tallies], arm.level,
                                level_names=self.level_ids)
            self.cache[key] = hit
        return hit

    def _cohort_done(self, a: int, day: int, out) -> None:
        arm = self.arms[a]
        if arm.status != ENROLLING:
            return
        active = [self.patients[q] for q in arm.c_pids if not self.patients[q].replaced]
        if len(active) < arm.c_size or any(not q.resolved for q in active):
            return
        self._tally(arm)
        step = self._step(arm)
        self.seq += 1
        level = step.level if step.level is not None else arm.level
        d = Decision(K.ESCALATION, day, step.reason, id=f"P{self.seq}-escalation-{arm.construct}", requires_committee=True,
                     construct=arm.construct, level=self.level_ids[level] if level is not None else None,
                     n_patients=step.n_patients, action=getattr(step.action, "value", step.action))
        out.append(d)
        arm.status, arm.open_since = AWAITING, None
        self.pending.append(d)

    def _approved_escalation(self, d: Decision, day: int, out) -> None:
        arm = self.arms[self.idx[d.construct]]
        level = self.level_ids.index(d.level) if d.level is not None else None
        if d.action in ("treat_same", "escalate", "deescalate") and self._remaining() > 0:
            st = self.p.escalation.stagger
            number = arm.c_number + 1
            stagger = st.sentinel_days > 0 and (st.applies_to == "every_cohort"
                                                or (st.applies_to == "first_cohort_per_arm" and number == 1)
                                                or (st.applies_to == "first_cohort_per_level" and arm.tallies[level][0] == 0))
            arm.status, arm.level = ENROLLING, level
            arm.c_number, arm.c_level, arm.c_size, arm.c_pids, arm.c_stagger = number, level, d.n_patients, [], stagger
            arm.active = 0
            arm.open_since = day
            out.append(Decision(K.OPEN_COHORT, day, "cohort opens", construct=d.construct, level=d.level,
                                n_patients=d.n_patients, action=d.action))
            return
        arm.status = CLOSED
        self.n_closed += 1
        if d.action == "declare_mtd":
            arm.mtd = level
            out.append(Decision(K.CLOSE_ARM, day, "MTD", construct=d.construct, level=d.level, action=d.action))
        elif d.action == "stop_no_tolerable_dose":
            out.append(Decision(K.CLOSE_ARM, day, "no tolerable dose", construct=d.construct, action=d.action))
        else:
            out.append(Decision(K.CLOSE_ARM, day, "cap", construct=d.construct, action="cap"))

    def _settle(self, day: int, out) -> None:
        if self.committed >= self.cap:
            for arm in self.arms:
                if arm.status != ENROLLING:
                    continue
                active = [self.patients[q] for q in arm.c_pids if not self.patients[q].replaced]
                if len(active) >= arm.c_size or any(not q.resolved for q in active):
                    continue
                self._tally(arm)
                arm.status, arm.open_since = CLOSED, None
                self.n_closed += 1
                out.append(Decision(K.CLOSE_ARM, day, "cap", construct=arm.construct, action="cap"))
        if self.n_closed == len(self.arms) and not self.pending:
            self._start_selection(day, out)

    def _committee(self, day, out, decision_id) -> None:
        d = next(x for x in self.pending if x.id == decision_id)
        self.pending.remove(d)
        if d.kind == K.ESCALATION:
            self._approved_escalation(d, day, out)
            self._fill(day, out)
        elif d.kind == K.SELECT_CONSTRUCT:
            self._open_expansion(d, day, out)
            self._fill(day, out)
        else:
            self.exp[4] = d.action
            out.append(Decision(K.CLOSE_TRIAL, day, f"expansion stopped for {d.action}", construct=d.construct))
            self.phase, self.waitlist = P_CLOSED, []
