"""The compiled fast path: the event loop and the lean engine fused into one numba kernel.

A transliteration of :func:`dartnk.sim.loop.simulate_trial` driving
:class:`dartnk.sim.fast_engine.FastEngine` — same events in the same order (the heap orders by
day, then push sequence), decisions carried out at the point they are made (the order the loop
would carry them out), the 3+3 rule and the monitoring rules read from tables computed by the
design layer's own functions, the interim selection by the engine's rule (a callback). A trial
the tables do not cover (a 3+3 state not reached from the start by whole cohorts, more arrivals
than drawn) is re-run with more draws or handed to the Python path, so the result is always that
of the event-by-event engine; ``tests/sim/test_compiled.py`` checks equality on every scenario.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

try:  # numba is optional: without it the Python fast path runs
    import numba
    from numba import njit
    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None
    HAVE_NUMBA = False

    def njit(*a, **k):
        def wrap(f):
            return f
        return wrap if not (a and callable(a[0])) else a[0]

# event kinds (as in dartnk.sim.loop)
E_SCREEN, E_MANUF, E_WITHDRAW, E_TRY, E_INF, E_DLT, E_PERSIST, E_WINDOW, E_RESPONSE, E_COMMITTEE = range(10)
# phases and arm status (as in dartnk.sim.fast_engine)
P_ESC, P_SEL, P_EXP, P_CLOSED = 0, 1, 2, 3
ENROLLING, AWAITING, CLOSED = 0, 1, 2
# proposal kinds and escalation actions
K_ESC, K_SEL, K_STOP = 0, 1, 2
A_SAME, A_ESC, A_DEESC, A_MTD, A_STOP = 0, 1, 2, 3, 4
ACTION_CODES = {"treat_same": A_SAME, "escalate": A_ESC, "deescalate": A_DEESC, "declare_mtd": A_MTD,
                "stop_no_tolerable_dose": A_STOP}
STOP_TOX, STOP_FUT = 1, 2
POLICY = {"fewest_treated": 0, "longest_waiting": 1, "round_robin": 2}
STAGGER = {"every_cohort": 0, "first_cohort_per_arm": 1, "first_cohort_per_level": 2}

# scalar state S[...]
S_PHASE, S_DAY, S_SEQ, S_COMMITTED, S_LAST, S_NCLOSED, S_EXARM, S_EXLEVEL, S_EXSIZE, S_EXN, S_EXSTOP, S_EXACTIVE, \
    S_WN, S_PN, S_ENR, S_HSEQ, S_OVER, S_STATUS = range(18)
# loop counters (outcome fields), stored after the scalar state
(T_SELECTED, T_EXP_LEVEL, T_EXP_N, T_EXP_DLT_EVAL, T_EXP_DLTS, T_EXP_RESP_EVAL, T_EXP_RESP, T_EXP_STOP, T_EXP_STOP_N,
 T_N_TREATED, T_N_SCREENED, T_N_SF, T_N_REFUSED, T_N_LOST, T_N_DLTS, T_DURATION, T_SEL_DAY, T_FINISHED, T_CRS3,
 T_ICANS3, T_PFS6, T_OS12) = range(18, 40)
N_S = 40
# patient fields P[k, ...]
(F_ARM, F_LEVEL, F_EXP, F_COHORT, F_ASSIGNED, F_PRODUCT, F_PRODUCT_DAY, F_DAY0, F_INF, F_DLT, F_WCLOSED, F_OFF,
 F_REPLACED, F_RESP, F_PERS, F_ENROLLED) = range(16)
N_F = 16
# arm fields AR[a, ...]
R_STATUS, R_LEVEL, R_CNUM, R_CLEVEL, R_CSIZE, R_CN, R_STAGGER, R_OPEN, R_MTD, R_LOAD, R_ACTIVE = range(11)
N_R = 11
NONE = -1
STATUS_OK, STATUS_MORE_ARRIVALS, STATUS_UNSUPPORTED = 0, 1, 2


@njit(cache=True, inline="always")
def _push(heap, S, day, kind, a, b):
    S[S_HSEQ] += 1
    heapq.heappush(heap, (day, S[S_HSEQ], kind, a, b))


@njit(cache=True, inline="always")
def _remaining(S, I):
    r = I[0] - S[S_COMMITTED]
    return r if r > 0 else 0


@njit(cache=True, inline="always")
def _stop_pending(S, PR, PEND):
    for i in range(S[S_PN]):
        if PR[PEND[i], 0] == K_STOP:
            return True
    return False


@njit(cache=True, inline="always")
def _slots(S, AR, PR, PEND, I, capped, out):
    n_arms = AR.shape[0]
    for a in range(n_arms):
        out[a] = 0
    if S[S_PHASE] == P_ESC:
        for a in range(n_arms):
            if AR[a, R_STATUS] == ENROLLING and AR[a, R_CSIZE] > AR[a, R_ACTIVE]:
                out[a] = AR[a, R_CSIZE] - AR[a, R_ACTIVE]
    elif S[S_PHASE] == P_EXP:
        if S[S_EXSTOP] == 0 and not _stop_pending(S, PR, PEND):
            v = S[S_EXSIZE] - S[S_EXACTIVE]
            out[S[S_EXARM]] = v if v > 0 else 0
    if capped:
        r = _remaining(S, I)
        for a in range(n_arms):
            if out[a] > r:
                out[a] = r


@njit(cache=True, inline="always")
def _may_open_later(S, AR, c):
    if S[S_PHASE] == P_ESC:
        return AR[c, R_STATUS] != CLOSED
    if S[S_PHASE] == P_SEL:
        return True
    return S[S_PHASE] == P_EXP and S[S_EXARM] == c and S[S_EXSTOP] == 0


@njit(cache=True)
def _choose(S, AR, I, cands, nc):
    policy = I[2]
    if policy == 0:
        best = cands[0]
        for i in range(1, nc):
            c = cands[i]
            if AR[c, R_LOAD] < AR[best, R_LOAD]:
                best = c
        return best
    if policy == 1:
        best = cands[0]
        bv = AR[best, R_OPEN] if AR[best, R_OPEN] != NONE else S[S_DAY]
        for i in range(1, nc):
            c = cands[i]
            v = AR[c, R_OPEN] if AR[c, R_OPEN] != NONE else S[S_DAY]
            if v < bv:
                best, bv = c, v
        return best
    n = AR.shape[0]
    start = S[S_LAST] + 1 if S[S_LAST] != NONE else 0
    for k in range(n):
        c = (start + k) % n
        for i in range(nc):
            if cands[i] == c:
                return c
    return cands[0]


@njit(cache=True)
def _assign(S, AR, PR, PEND, I, qmask, slots, cands):
    """Returns (kind, value): kind 0 assign (value arm), 1 wait (value mask), 2 refuse."""
    if S[S_PHASE] == P_CLOSED or qmask == 0 or _remaining(S, I) <= 0:
        return 2, 0
    _slots(S, AR, PR, PEND, I, True, slots)
    nc = 0
    for c in range(AR.shape[0]):
        if (qmask >> c) & 1 and slots[c] > 0:
            cands[nc] = c
            nc += 1
    if nc > 0:
        return 0, _choose(S, AR, I, cands, nc)
    wmask = 0
    for c in range(AR.shape[0]):
        if (qmask >> c) & 1 and _may_open_later(S, AR, c):
            wmask |= 1 << c
    if wmask:
        return 1, wmask
    return 2, 0


@njit(cache=True, inline="always")
def _react_assign(ctx, T, F, I, k, day):
    """The loop's reaction to ASSIGN: dropout or manufacturing is scheduled."""
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    a = P[k, F_ARM]
    lo, hi = I[20 + 2 * a], I[21 + 2 * a]
    mdays = lo + int(U[k, 4] * (hi - lo + 1))
    if U[k, 2] < F[1]:
        h = mdays // 2
        _push(heap, S, day + (h if h > 1 else 1), E_WITHDRAW, k, 0)
    else:
        _push(heap, S, day + mdays, E_MANUF, k, 1 if U[k, 3] < T[4][a] else 0)


@njit(cache=True)
def _enrol(ctx, T, F, I, k, a, day, slots):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    P[k, F_ARM] = a
    P[k, F_DAY0] = NONE
    P[k, F_PRODUCT] = 0
    P[k, F_OFF] = NONE
    P[k, F_RESP] = NONE
    P[k, F_ASSIGNED] = day
    P[k, F_ENROLLED] = 1
    if S[S_PHASE] == P_EXP:
        P[k, F_LEVEL] = S[S_EXLEVEL]
        P[k, F_EXP] = 1
        P[k, F_COHORT] = 0
        EXP[S[S_EXN]] = k
        S[S_EXN] += 1
        S[S_EXACTIVE] += 1
    else:
        P[k, F_LEVEL] = AR[a, R_CLEVEL]
        P[k, F_EXP] = 0
        P[k, F_COHORT] = AR[a, R_CNUM]
        if AR[a, R_CN] >= CP.shape[1]:
            S[S_STATUS] = STATUS_UNSUPPORTED
            return
        CP[a, AR[a, R_CN]] = k
        AR[a, R_CN] += 1
        AR[a, R_LOAD] += 1
        AR[a, R_ACTIVE] += 1
    ENRL[S[S_ENR]] = k
    S[S_ENR] += 1
    S[S_COMMITTED] += 1
    S[S_LAST] = a
    _react_assign(ctx, T, F, I, k, day)  # ASSIGN
    if S[S_PHASE] == P_ESC:
        _slots(S, AR, PR, PEND, I, False, slots)
        if slots[a] == 0 and AR[a, R_OPEN] != NONE:
            AR[a, R_OPEN] = NONE


@njit(cache=True)
def _fill(ctx, T, F, I, day, slots, cands):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    n0 = S[S_WN]
    snap = W[:n0].copy()
    for j in range(n0):
        _slots(S, AR, PR, PEND, I, True, slots)
        anyslot = False
        for c in range(AR.shape[0]):
            if slots[c] > 0:
                anyslot = True
        if not anyslot:
            break
        k, since, mask = snap[j, 0], snap[j, 1], snap[j, 2]
        kind, a = _assign(S, AR, PR, PEND, I, mask, slots, cands)
        if kind == 0:
            # remove k from the waitlist (order kept)
            n = S[S_WN]
            pos = 0
            while W[pos, 0] != k:
                pos += 1
            for q in range(pos, n - 1):
                W[q, 0], W[q, 1], W[q, 2] = W[q + 1, 0], W[q + 1, 1], W[q + 1, 2]
            S[S_WN] = n - 1
            _enrol(ctx, T, F, I, k, a, day, slots)


@njit(cache=True, inline="always")
def _expire(ctx, I, day):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    if day < S[S_DAY]:
        day = S[S_DAY]
    limit = day - I[1]
    n = 0
    while n < S[S_WN] and W[n, 1] < limit:
        S[T_N_LOST] += 1
        n += 1
    if n:
        m = S[S_WN]
        for q in range(n, m):
            W[q - n, 0], W[q - n, 1], W[q - n, 2] = W[q, 0], W[q, 1], W[q, 2]
        S[S_WN] = m - n
    S[S_DAY] = day


@njit(cache=True)
def _replace(ctx, T, F, I, k, day, slots, cands):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    P[k, F_REPLACED] = 1
    treated = P[k, F_DAY0] != NONE
    if not treated:
        S[S_COMMITTED] -= 1
        if P[k, F_EXP] == 0:
            AR[P[k, F_ARM], R_LOAD] -= 1
    if P[k, F_EXP] == 0:
        a = P[k, F_ARM]
        if AR[a, R_STATUS] != CLOSED and AR[a, R_CNUM] == P[k, F_COHORT]:
            AR[a, R_ACTIVE] -= 1
            if AR[a, R_OPEN] == NONE:
                AR[a, R_OPEN] = day
    else:
        S[S_EXACTIVE] -= 1
    _fill(ctx, T, F, I, day, slots, cands)


@njit(cache=True, inline="always")
def _evaluable(P, I, k):
    return P[k, F_DLT] == 1 or (P[k, F_INF] >= I[6] and (P[k, F_WCLOSED] == 1 or I[7] == 0))


@njit(cache=True, inline="always")
def _resolved(P, k):
    return P[k, F_WCLOSED] == 1 or P[k, F_OFF] != NONE


@njit(cache=True, inline="always")
def _tally(ctx, I, a):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    n = 0
    d = 0
    for i in range(AR[a, R_CN]):
        q = CP[a, i]
        if P[q, F_REPLACED] == 1 or P[q, F_DAY0] == NONE:
            continue
        if _evaluable(P, I, q):
            n += 1
            d += P[q, F_DLT]
    lv = AR[a, R_CLEVEL]
    TAL[a, lv, 0] += n
    TAL[a, lv, 1] += d


@njit(cache=True, inline="always")
def _esc_key(TAL, a, level):
    key = 0
    n_levels = TAL.shape[1]
    for lv in range(n_levels):
        t, d = TAL[a, lv, 0], TAL[a, lv, 1]
        if t > 15 or d > 15:
            return -1
        key |= (t | (d << 4)) << (8 * lv)
    return key | (level << (8 * n_levels))


@njit(cache=True, inline="always")
def _propose(ctx, I, kind, arm, level, n, action, day):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    S[S_SEQ] += 1
    s = S[S_SEQ]
    if s >= PR.shape[0] or S[S_PN] >= PEND.shape[0]:
        S[S_STATUS] = STATUS_UNSUPPORTED
        return
    PR[s, 0], PR[s, 1], PR[s, 2], PR[s, 3], PR[s, 4] = kind, arm, level, n, action
    PEND[S[S_PN]] = s
    S[S_PN] += 1
    _push(heap, S, day + I[15], E_COMMITTEE, s, 0)  # the committee signs committee_days later


@njit(cache=True)
def _cohort_done(ctx, T, I, a, day):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    if AR[a, R_STATUS] != ENROLLING:
        return
    active = 0
    for i in range(AR[a, R_CN]):
        q = CP[a, i]
        if P[q, F_REPLACED] == 0:
            active += 1
            if not _resolved(P, q):
                return
    if active < AR[a, R_CSIZE]:
        return
    _tally(ctx, I, a)
    key = _esc_key(TAL, a, AR[a, R_LEVEL])
    keys = T[12]
    j = np.searchsorted(keys, key)
    if key < 0 or j >= keys.shape[0] or keys[j] != key:
        S[S_STATUS] = STATUS_UNSUPPORTED
        return
    v = T[5][j]
    action, level, n = v // 1000000, (v // 1000) % 1000 - 1, v % 1000
    if level < 0:
        level = AR[a, R_LEVEL]
    AR[a, R_STATUS] = AWAITING
    AR[a, R_OPEN] = NONE
    _propose(ctx, I, K_ESC, a, level, n, action, day)


@njit(cache=True)
def _after(ctx, T, F, I, k, day, slots, cands):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    if P[k, F_EXP] == 0:
        _cohort_done(ctx, T, I, P[k, F_ARM], day)
        return
    if S[S_PHASE] == P_EXP and not _stop_pending(S, PR, PEND) and P[k, F_DAY0] != NONE:
        n = 0
        x = 0
        inlist = False
        for i in range(S[S_EXN]):
            q = EXP[i]
            if P[q, F_DAY0] != NONE and _resolved(P, q) and _evaluable(P, I, q):
                n += 1
                x += P[q, F_DLT]
                if q == k:
                    inlist = True
        if inlist and T[13][n, x]:
            S[T_EXP_STOP] = STOP_TOX
            S[T_EXP_STOP_N] = S[T_EXP_DLT_EVAL]
            _propose(ctx, I, K_STOP, S[S_EXARM], 0, 0, STOP_TOX, day)
    _expansion_done(ctx, day)


@njit(cache=True)
def _expansion_done(ctx, day):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    if S[S_PHASE] != P_EXP or S[S_PN] > 0:
        return
    if S[S_EXACTIVE] < S[S_EXSIZE]:
        return
    for i in range(S[S_EXN]):
        q = EXP[i]
        if P[q, F_REPLACED] == 1:
            continue
        if not (P[q, F_DAY0] != NONE and _resolved(P, q) and (P[q, F_RESP] != NONE or P[q, F_OFF] != NONE)):
            return
    S[S_PHASE] = P_CLOSED
    S[S_WN] = 0
    S[S_OVER] = 1


@njit(cache=True)
def _resolve(ctx, T, F, I, k, day, slots, cands):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    if not _evaluable(P, I, k) and P[k, F_EXP] == 0 and I[8] == 1:
        _replace(ctx, T, F, I, k, day, slots, cands)
    _after(ctx, T, F, I, k, day, slots, cands)


@njit(cache=True, inline="always")
def _close_arm(ctx, a, mtd, kind):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    AR[a, R_STATUS] = CLOSED
    S[S_NCLOSED] += 1
    if kind == 0:
        AR[a, R_MTD] = mtd
        MTD[a] = mtd
    CLS[a] = kind


@njit(cache=True)
def _settle(ctx, T, F, I, day):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    if S[S_COMMITTED] >= I[0]:
        for a in range(AR.shape[0]):
            if AR[a, R_STATUS] != ENROLLING:
                continue
            active = 0
            ok = True
            for i in range(AR[a, R_CN]):
                q = CP[a, i]
                if P[q, F_REPLACED] == 0:
                    active += 1
                    if not _resolved(P, q):
                        ok = False
            if active >= AR[a, R_CSIZE] or not ok:
                continue
            _tally(ctx, I, a)
            AR[a, R_OPEN] = NONE
            _close_arm(ctx, a, NONE, 2)
    if S[S_NCLOSED] == AR.shape[0] and S[S_PN] == 0:
        sel = _select(ctx, I)
        S[S_PHASE] = P_SEL
        S[T_SEL_DAY] = day
        S[T_SELECTED] = sel
        level = AR[sel, R_MTD] if sel >= 0 else NONE
        _propose(ctx, I, K_SEL, sel, level, 0, 0, day)


def _select_py(P, ENRL, n_enr, AR_MTD, ZC_copies, level_ids, construct_ids, protocol) -> int:
    """The interim selection on the kernel's arrays: the ``ArmSummary`` of :func:`select_fast`."""
    from dartnk.design.selection import ArmSummary
    from dartnk.trial.rules import select_from_summaries

    arms = []
    order = [int(k) for k in ENRL[:n_enr]]
    for a, cid in enumerate(construct_ids):
        mtd = int(AR_MTD[a])
        pts = [k for k in order if P[k, F_ARM] == a and P[k, F_EXP] == 0]
        at = [k for k in pts if mtd >= 0 and P[k, F_LEVEL] == mtd and P[k, F_DAY0] != NONE]
        ev_at = [k for k in at if P[k, F_DLT] == 1 or P[k, F_WCLOSED] == 1]
        made = [k for k in pts if P[k, F_PRODUCT] != 0]
        rel = [k for k in made if P[k, F_PRODUCT] == 1]
        assessed = [k for k in pts if P[k, F_RESP] != NONE]
        arms.append(ArmSummary.model_construct(
            construct=cid, rp2d_level=None if mtd < 0 else level_ids[mtd],
            patients_at_rp2d=len(ev_at), dlts_at_rp2d=sum(1 for k in ev_at if P[k, F_DLT] == 1),
            products_manufactured=len(made), products_released=len(rel), products_failed=len(made) - len(rel),
            vein_to_vein_days=tuple(float(P[k, F_PRODUCT_DAY] - P[k, F_ASSIGNED]) for k in rel),
            persistence=tuple({int(P[k, F_PERS]): float(ZC_copies[k])} for k in pts if P[k, F_PERS] >= 0),
            responders=sum(1 for k in assessed if P[k, F_RESP] == 1), evaluable_for_response=len(assessed)))
    res = select_from_summaries(protocol, arms)
    return -1 if res.selected is None else construct_ids.index(res.selected)


_SELECT_CONTEXT: dict = {}  # context key (I[19]) → protocol, construct and level ids


def _select_callback(P, ENRL, n_enr, AR_MTD, COPIES, key) -> int:
    c = _SELECT_CONTEXT[int(key)]
    return _select_py(P, ENRL, n_enr, AR_MTD, COPIES, c["level_ids"], c["construct_ids"], c["protocol"])


@njit(cache=True)
def _select(ctx, I):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    n_enr = S[S_ENR]
    mtd = AR[:, R_MTD].copy()
    copies = ZC[:, 1].copy()
    key = I[19]
    with numba.objmode(sel="int64"):
        sel = _select_callback(P, ENRL, n_enr, mtd, copies, key)
    return sel


@njit(cache=True)
def _approved_escalation(ctx, I, s, day):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    a, level, n, action = PR[s, 1], PR[s, 2], PR[s, 3], PR[s, 4]
    if (action == A_SAME or action == A_ESC or action == A_DEESC) and _remaining(S, I) > 0:
        number = AR[a, R_CNUM] + 1
        mode = I[4]
        stagger = I[3] > 0 and (mode == 0 or (mode == 1 and number == 1) or (mode == 2 and TAL[a, level, 0] == 0))
        AR[a, R_STATUS] = ENROLLING
        AR[a, R_LEVEL] = level
        AR[a, R_CNUM] = number
        AR[a, R_CLEVEL] = level
        AR[a, R_CSIZE] = n
        AR[a, R_CN] = 0
        AR[a, R_STAGGER] = 1 if stagger else 0
        AR[a, R_OPEN] = day
        AR[a, R_ACTIVE] = 0
        return
    if action == A_MTD:
        _close_arm(ctx, a, level, 0)
    elif action == A_STOP:
        _close_arm(ctx, a, NONE, 1)
    else:
        _close_arm(ctx, a, NONE, 2)


@njit(cache=True)
def _open_expansion(ctx, I, s, day):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    arm, level = PR[s, 1], PR[s, 2]
    if arm < 0:
        S[S_PHASE] = P_CLOSED
        S[S_WN] = 0
        S[S_OVER] = 1
        return
    r = _remaining(S, I)
    size = I[18] if I[18] < r else r
    if size <= 0:
        S[S_PHASE] = P_CLOSED
        S[S_WN] = 0
        S[S_OVER] = 1
        return
    S[T_EXP_LEVEL] = level
    S[S_PHASE] = P_EXP
    S[S_EXARM] = arm
    S[S_EXLEVEL] = level
    S[S_EXSIZE] = size
    S[S_EXN] = 0
    S[S_EXSTOP] = 0
    S[S_EXACTIVE] = 0


@njit(cache=True)
def _committee(ctx, T, F, I, s, day, slots, cands):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    n = S[S_PN]
    pos = 0
    while PEND[pos] != s:
        pos += 1
    for q in range(pos, n - 1):
        PEND[q] = PEND[q + 1]
    S[S_PN] = n - 1
    kind = PR[s, 0]
    if kind == K_ESC:
        _approved_escalation(ctx, I, s, day)
        _fill(ctx, T, F, I, day, slots, cands)
    elif kind == K_SEL:
        _open_expansion(ctx, I, s, day)
        _fill(ctx, T, F, I, day, slots, cands)
    else:
        S[S_EXSTOP] = PR[s, 4]
        S[S_PHASE] = P_CLOSED
        S[S_WN] = 0
        S[S_OVER] = 1


@njit(cache=True, inline="always")
def _earliest_day0(ctx, I, k):
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    if P[k, F_EXP] == 1:
        return P[k, F_ASSIGNED]
    a = P[k, F_ARM]
    if AR[a, R_STATUS] == CLOSED or AR[a, R_CNUM] != P[k, F_COHORT] or AR[a, R_STAGGER] == 0:
        return P[k, F_ASSIGNED]
    first = -1
    for i in range(AR[a, R_CN]):
        d0 = P[CP[a, i], F_DAY0]
        if d0 != NONE and (first == -1 or d0 < first):
            first = d0
    if first == -1:
        return P[k, F_ASSIGNED]
    g = first + I[3]
    return g if g > P[k, F_ASSIGNED] else P[k, F_ASSIGNED]


@njit(cache=True)
def _dose(ctx, T, F, I, k, day):
    """First infusion (Day 0) and the loop's bookkeeping of the patient's course."""
    S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM = ctx
    P[k, F_DAY0] = day
    P[k, F_INF] = 1
    a, lv = P[k, F_ARM], P[k, F_LEVEL]
    S[T_N_TREATED] += 1
    complete = U[k, 7] >= F[2]
    had_dlt = U[k, 5] < T[0][a, lv]
    S[T_N_DLTS] += 1 if had_dlt else 0
    if complete:
        P[k, F_INF] += I[9]
    if had_dlt:
        P[k, F_DLT] = 1
    if P[k, F_EXP] == 1:
        S[T_EXP_N] += 1
        if -math.log1p(-U[k, 13]) / T[10][a] > F[4]:
            S[T_PFS6] += 1
        if -math.log1p(-U[k, 14]) / T[11][a] > F[5]:
            S[T_OS12] += 1
    else:
        TR[a, lv] += 1
        if had_dlt:
            DL[a, lv] += 1
    infusions = 1 + (I[9] if complete else 0)
    evaluable = 1 if (had_dlt or infusions >= I[6]) else 0
    _push(heap, S, day + I[5] - 1, E_WINDOW, k, evaluable * 2 + (1 if had_dlt else 0))
    copies = 0.0
    if U[k, 9] < T[7][a]:
        copies = 10.0 ** (T[8][a] + T[9][a] * ZC[k, 0])
    ZC[k, 1] = copies
    _push(heap, S, day + I[13], E_PERSIST, k, 0)
    _push(heap, S, day + I[12], E_RESPONSE, k, 1 if U[k, 8] < T[1][a, lv] else 0)
    g = 0
    c = T[2][a]
    u = U[k, 11]
    while g < 4 and not (u < c[g]):
        g += 1
    if g >= 3:
        S[T_CRS3] += 1
    g = 0
    c = T[3][a]
    u = U[k, 12]
    while g < 4 and not (u < c[g]):
        g += 1
    if g >= 3:
        S[T_ICANS3] += 1


@njit(cache=True)
def _kernel(U, ZC, QM, T, F, I, n_arms, n_levels, cap_arrivals):
    m = U.shape[0]
    S = np.zeros(N_S, np.int64)
    P = np.zeros((m, N_F), np.int64)
    AR = np.zeros((n_arms, N_R), np.int64)
    TAL = np.zeros((n_arms, n_levels, 2), np.int64)
    CP = np.zeros((n_arms, 64), np.int64)
    W = np.zeros((m, 3), np.int64)
    PR = np.zeros((256, 5), np.int64)
    PEND = np.zeros(64, np.int64)
    EXP = np.zeros(m, np.int64)
    ENRL = np.zeros(m, np.int64)
    TR = np.zeros((n_arms, n_levels), np.int64)
    DL = np.zeros((n_arms, n_levels), np.int64)
    MTD = np.full(n_arms, NONE, np.int64)
    CLS = np.full(n_arms, 3, np.int64)
    heap = [(np.int64(0), np.int64(0), np.int64(0), np.int64(0), np.int64(0))]
    heap.pop()
    ctx = (S, P, AR, TAL, CP, W, PR, PEND, EXP, ENRL, TR, DL, MTD, CLS, heap, U, ZC, QM)
    slots = np.zeros(n_arms, np.int64)
    cands = np.zeros(n_arms, np.int64)
    S[S_LAST] = NONE
    S[T_SELECTED] = -2
    S[T_EXP_LEVEL] = NONE
    S[T_SEL_DAY] = NONE
    for a in range(n_arms):
        AR[a, R_STATUS] = ENROLLING
        AR[a, R_LEVEL] = I[11]
        AR[a, R_CNUM] = 1
        AR[a, R_CLEVEL] = I[11]
        AR[a, R_CSIZE] = I[10]
        AR[a, R_STAGGER] = 1 if I[3] > 0 else 0
        AR[a, R_OPEN] = 0
        AR[a, R_MTD] = NONE
    for k in range(m):
        P[k, F_PERS] = NONE
    gap = F[3]
    clock = -math.log1p(-U[0, 0]) * gap
    _push(heap, S, np.int64(int(clock)) + I[16], E_SCREEN, 0, 0)
    day = np.int64(0)
    while len(heap) > 0 and S[S_OVER] == 0:
        day, _, kind, x, y = heapq.heappop(heap)
        if day > I[17]:
            day = I[17]
            break
        if kind == E_SCREEN:
            k = x
            if k + 2 >= cap_arrivals:
                S[S_STATUS] = STATUS_MORE_ARRIVALS
                break
            clock += -math.log1p(-U[k + 1, 0]) * gap
            nxt = np.int64(int(clock)) + I[16]
            _push(heap, S, nxt if nxt > day else day, E_SCREEN, k + 1, 0)
            S[T_N_SCREENED] += 1
            if S[S_WN] > 0:
                _expire(ctx, I, day)
            elif day > S[S_DAY]:
                S[S_DAY] = day
            if U[k, 1] < F[0]:
                S[T_N_SF] += 1
                S[T_N_REFUSED] += 1
            else:
                kd, v = _assign(S, AR, PR, PEND, I, QM[k], slots, cands)
                if kd == 0:
                    _enrol(ctx, T, F, I, k, v, day, slots)
                elif kd == 1:
                    n = S[S_WN]
                    W[n, 0], W[n, 1], W[n, 2] = k, day, v
                    S[S_WN] = n + 1
                else:
                    S[T_N_REFUSED] += 1
        else:
            if kind == E_TRY:  # the loop asks the gate before it makes the dosing an event
                k = x
                gate = _earliest_day0(ctx, I, k)
                if gate > day:
                    _push(heap, S, gate, E_TRY, k, 0)
                    continue
            if S[S_WN] > 0:
                _expire(ctx, I, day)
            elif day > S[S_DAY]:
                S[S_DAY] = day
            if kind == E_MANUF:
                k = x
                P[k, F_PRODUCT] = 1 if y == 1 else 2
                P[k, F_PRODUCT_DAY] = day
                if y == 1:
                    _push(heap, S, day + I[14], E_TRY, k, 0)
                elif P[k, F_DAY0] == NONE and P[k, F_REPLACED] == 0:
                    _replace(ctx, T, F, I, k, day, slots, cands)
                    _after(ctx, T, F, I, k, day, slots, cands)
            elif kind == E_WITHDRAW:
                k = x
                if P[k, F_OFF] == NONE:
                    was = _resolved(P, k)
                    P[k, F_OFF] = day
                    if P[k, F_DAY0] == NONE and P[k, F_REPLACED] == 0:
                        _replace(ctx, T, F, I, k, day, slots, cands)
                        _after(ctx, T, F, I, k, day, slots, cands)
                    elif P[k, F_DAY0] != NONE and not was:
                        _resolve(ctx, T, F, I, k, day, slots, cands)
            elif kind == E_TRY:
                _dose(ctx, T, F, I, x, day)
            elif kind == E_WINDOW:
                k = x
                if P[k, F_EXP] == 1:
                    S[T_EXP_DLT_EVAL] += y // 2
                    S[T_EXP_DLTS] += y % 2
                P[k, F_WCLOSED] = 1
                _resolve(ctx, T, F, I, k, day, slots, cands)
            elif kind == E_PERSIST:
                P[x, F_PERS] = I[13]
            elif kind == E_RESPONSE:
                k = x
                if P[k, F_EXP] == 1:
                    S[T_EXP_RESP_EVAL] += 1
                    S[T_EXP_RESP] += y
                P[k, F_RESP] = y
                if P[k, F_EXP] == 1:
                    if S[S_PHASE] == P_EXP and not _stop_pending(S, PR, PEND):
                        n = 0
                        r = 0
                        for i in range(S[S_EXN]):
                            q = EXP[i]
                            if P[q, F_RESP] != NONE:
                                n += 1
                                r += P[q, F_RESP]
                        if T[14][n, r]:
                            S[T_EXP_STOP] = STOP_FUT
                            S[T_EXP_STOP_N] = S[T_EXP_RESP_EVAL]
                            _propose(ctx, I, K_STOP, S[S_EXARM], 0, 0, STOP_FUT, day)
                    _expansion_done(ctx, day)
            else:
                _committee(ctx, T, F, I, x, day, slots, cands)
        if S[S_STATUS] != STATUS_OK:
            break
        if S[S_PHASE] == P_ESC:
            _settle(ctx, T, F, I, day)
    S[T_DURATION] = day
    S[T_FINISHED] = S[S_OVER]
    S[T_N_REFUSED] -= S[T_N_SF]
    return S, MTD, CLS, TR, DL


# -- the Python side: tables, draws, and the fallback ------------------------------------------------

class CompiledTrials:
    """Tables of one (protocol, scenario) pair for the kernel; ``run(seed, i)`` is one trial's
    outcome vector (the layout of :func:`dartnk.sim.outcome.outcome_fields`)."""

    def __init__(self, protocol, truth):
        from dartnk.design.escalation import LevelCounts, next_decision
        from dartnk.trial.rules import futility_check, toxicity_check

        self.protocol, self.truth = protocol, truth
        p, sc = protocol, truth.scenario
        n_arms, n_levels = len(truth.construct_ids), len(p.dose_levels)
        self.n_arms, self.n_levels = n_arms, n_levels
        self.n_antigens = len(truth.thresholds)
        cts = truth.constructs
        esc: dict[int, int] = {}
        self.supported = n_levels <= 7 and n_arms <= 62
        if self.supported:
            self._escalation_table(esc, p, n_levels, LevelCounts, next_decision)
        size = p.expansion.size
        tox = np.zeros((size + 1, size + 1), np.bool_)
        fut = np.zeros((size + 1, size + 1), np.bool_)
        for n in range(size + 1):
            for x in range(n + 1):
                tox[n, x] = toxicity_check(p, n, x, size).stop
                fut[n, x] = futility_check(p, n, x, size).stop
        self.T = (np.array([c.dlt for c in cts]), np.array([c.response for c in cts]),
                  np.array([c.crs_cum for c in cts]), np.array([c.icans_cum for c in cts]),
                  np.array([c.manufacturing_success for c in cts]),
                  np.array([esc[k] for k in sorted(esc)], dtype=np.int64), np.zeros(1),
                  np.array([c.persistence_detected for c in cts]), np.array([c.log10_copies[0] for c in cts]),
                  np.array([c.log10_copies[1] for c in cts]), np.array([c.pfs_rate for c in cts]),
                  np.array([c.os_rate for c in cts]), np.array(sorted(esc), dtype=np.int64), tox, fut)
        esc_s = p.escalation
        r = p.response
        I = np.zeros(20 + 2 * n_arms, np.int64)
        I[:19] = [p.trial.max_participants, p.assignment.max_wait_days, POLICY[p.assignment.policy],
                  esc_s.stagger.sentinel_days, STAGGER[esc_s.stagger.applies_to], p.dlt.window_days,
                  p.evaluability.required_infusions, int(p.evaluability.observe_full_window),
                  int(p.evaluability.replace_non_evaluable), len([d for d in p.infusions.days if d > 0]),
                  esc_s.cohort_size, p.level_index(esc_s.start_level),
                  r.assessment_interval_days * (2 if r.confirmation_required else 1), p.selection.persistence_day,
                  max(0, -min(min(a.days) for a in p.lymphodepletion.agents)), sc.committee_days,
                  sc.accrual.screening_days, sc.max_trial_days, size]
        for a, c in enumerate(cts):
            I[20 + 2 * a], I[21 + 2 * a] = c.manufacturing_days
        key = len(_SELECT_CONTEXT) + 1
        _SELECT_CONTEXT[key] = {"protocol": p, "construct_ids": list(truth.construct_ids),
                                "level_ids": [d.id for d in p.dose_levels]}
        I[19] = key
        self.I = I
        self.F = np.array([sc.accrual.screen_failure, sc.accrual.dropout_before_dosing, sc.not_evaluable,
                           truth.gap_scale, 365.25 / 2, 365.25], dtype=np.float64)
        patterns = np.zeros(2 ** self.n_antigens, np.int64)
        from itertools import product
        for pattern in product((False, True), repeat=self.n_antigens):
            idx = sum(1 << j for j, v in enumerate(pattern) if v)
            patterns[idx] = sum(1 << truth.construct_ids.index(c) for c in truth.qualifying[pattern])
        self.patterns = patterns
        self.blocks = 4

    @staticmethod
    def _escalation_table(esc, p, n_levels, LevelCounts, next_decision) -> None:
        """Every 3+3 decision reachable from the start by whole cohorts, from ``next_decision``
        (key: the packed per-level counts and the current level; value: action, level, patients)."""
        names = [d.id for d in p.dose_levels]
        start = p.level_index(p.escalation.start_level)
        todo = [((0,) * (2 * n_levels), start, p.escalation.cohort_size)]
        seen = set()
        while todo:
            tallies, level, n = todo.pop()
            for x in range(n + 1):
                t = list(tallies)
                t[2 * level] += n
                t[2 * level + 1] += x
                t = tuple(t)
                if (t, level) in seen:
                    continue
                seen.add((t, level))
                if max(t) > 15:
                    continue
                d = next_decision(p.escalation, [LevelCounts(t[2 * i], t[2 * i + 1]) for i in range(n_levels)], level,
                                  level_names=names)
                key = 0
                for i in range(n_levels):
                    key |= (t[2 * i] | (t[2 * i + 1] << 4)) << (8 * i)
                key |= level << (8 * n_levels)
                action = ACTION_CODES[getattr(d.action, "value", d.action)]
                lv = -1 if d.level is None else d.level
                esc[key] = action * 1_000_000 + (lv + 1) * 1000 + d.n_patients
                if action in (A_SAME, A_ESC, A_DEESC):
                    todo.append((t, lv, d.n_patients))

    def _draws(self, seed: int, i: int, blocks: int):
        from dartnk.sim.patients import BLOCK, N_UNIFORMS

        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
        us, zs, qs = [], [], []
        chol_t, thr = self.truth.chol.T, self.truth.thresholds
        weights = 1 << np.arange(self.n_antigens)
        for _ in range(blocks):
            u = rng.random((BLOCK, N_UNIFORMS))
            z = rng.standard_normal((BLOCK, self.n_antigens + 1))
            positive = (z[:, :self.n_antigens] @ chol_t) < thr
            us.append(u)
            zs.append(z[:, self.n_antigens])
            qs.append(self.patterns[(positive * weights).sum(axis=1)])
        zc = np.zeros((blocks * BLOCK, 2))
        zc[:, 0] = np.concatenate(zs)
        return np.vstack(us), zc, np.concatenate(qs).astype(np.int64)

    def run(self, seed: int, i: int):
        """One trial's outcome vector, or None when the kernel cannot run it (use the Python path)."""
        if not self.supported:
            return None
        blocks = self.blocks
        while True:
            U, ZC, QM = self._draws(seed, i, blocks)
            S, MTD, CLS, TR, DL = _kernel(U, ZC, QM, self.T, self.F, self.I, self.n_arms, self.n_levels, U.shape[0])
            if S[S_STATUS] == STATUS_MORE_ARRIVALS:
                blocks *= 2
                self.blocks = max(self.blocks, blocks)
                continue
            if S[S_STATUS] != STATUS_OK:
                return None
            break
        vec = []
        for a in range(self.n_arms):
            vec += [int(MTD[a]), int(CLS[a])]
        for a in range(self.n_arms):
            vec += [int(v) for v in TR[a]] + [int(v) for v in DL[a]]
        return vec + [int(v) for v in S[T_SELECTED:T_OS12 + 1]]
