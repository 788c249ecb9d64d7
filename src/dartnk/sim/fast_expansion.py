"""The lean engine's selection and expansion steps (a mixin of :class:`FastEngine`)."""

from __future__ import annotations

from dartnk.sim.fast_state import Decision
from dartnk.trial.decisions import DecisionKind as K

P_ESC, P_SEL, P_EXP, P_CLOSED = 0, 1, 2, 3


class ExpansionSteps:
    """Interim selection, the expansion and its monitoring, as in ``dartnk.trial.expansion_flow``."""

    def _start_selection(self, day: int, out) -> None:
        from dartnk.sim.fast_selection import select_fast

        chosen, reason = select_fast(self)
        self.seq += 1
        d = Decision(K.SELECT_CONSTRUCT, day, reason, id=f"P{self.seq}-selection", requires_committee=True,
                     construct=chosen, level=self.level_ids[self.arms[self.idx[chosen]].mtd] if chosen is not None else None)
        out.append(d)
        self.pending.append(d)
        self.phase = P_SEL

    def _open_expansion(self, d: Decision, day: int, out) -> None:
        if d.construct is None:
            out.append(Decision(K.CLOSE_TRIAL, day, "no construct selected"))
            self.phase, self.waitlist = P_CLOSED, []
            return
        size = min(self.p.expansion.size, self._remaining())
        if size <= 0:
            out.append(Decision(K.CLOSE_TRIAL, day, "cap reached before the expansion", construct=d.construct))
            self.phase, self.waitlist = P_CLOSED, []
            return
        out.append(Decision(K.OPEN_EXPANSION, day, "expansion opens", construct=d.construct, level=d.level, n_patients=size))
        self.phase = P_EXP
        self.exp = [self.idx[d.construct], self.level_ids.index(d.level), size, [], None, 0]

    def _stop_pending(self) -> bool:
        return bool(self.pending) and any(d.kind == K.STOP_EXPANSION for d in self.pending)

    def _propose_stop(self, kind: str, day: int, out) -> None:
        self.seq += 1
        d = Decision(K.STOP_EXPANSION, day, f"stop for {kind}", id=f"P{self.seq}-stop-{kind}", requires_committee=True,
                     construct=self.ids[self.exp[0]], action=kind)
        out.append(d)
        self.pending.append(d)

    def _toxicity(self, n: int, x: int) -> bool:
        key = ("tox", n, x)
        hit = self.cache.get(key)
        if hit is None:
            from dartnk.trial.rules import toxicity_check

            hit = self.cache[key] = toxicity_check(self.p, n, x, self.p.expansion.size).stop
        return hit

    def _futility(self, n: int, r: int) -> bool:
        key = ("fut", n, r)
        hit = self.cache.get(key)
        if hit is None:
            from dartnk.trial.rules import futility_check

            hit = self.cache[key] = futility_check(self.p, n, r, self.p.expansion.size).stop
        return hit

    def _expansion_done(self, day: int, out) -> None:
        if self.phase != P_EXP or self.pending:
            return
        _, _, size, pids, _, n_active = self.exp
        if n_active < size:
            return
        active = [self.patients[q] for q in pids if not self.patients[q].replaced]
        if any(not (q.treated and q.resolved and (q.response is not None or q.off is not None)) for q in active):
            return
        out.append(Decision(K.CLOSE_TRIAL, day, "expansion complete", construct=self.ids[self.exp[0]]))
        self.phase, self.waitlist = P_CLOSED, []
