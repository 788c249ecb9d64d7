"""Kernel: evaluability, the 3+3 step, committee sign-off, selection, expansion monitoring, dosing."""

from __future__ import annotations

import heapq
import math

import numpy as np

from dartnk.sim.kernel.numba_shim import njit, numba
from dartnk.sim.kernel.layout import *  # noqa: F401,F403 - the kernel's array layout and codes
from dartnk.sim.kernel.enrolment import _fill, _push, _remaining, _replace, _stop_pending


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
    order = ENRL[:n_enr].tolist()
    rows = {k: r for k, r in zip(order, P[ENRL[:n_enr]].tolist())}  # plain lists: cheap to read
    copies = ZC_copies.tolist()
    for a, cid in enumerate(construct_ids):
        mtd = int(AR_MTD[a])
        pts = [k for k in order if rows[k][F_ARM] == a and rows[k][F_EXP] == 0]
        at = [k for k in pts if mtd >= 0 and rows[k][F_LEVEL] == mtd and rows[k][F_DAY0] != NONE]
        ev_at = [k for k in at if rows[k][F_DLT] == 1 or rows[k][F_WCLOSED] == 1]
        made = [k for k in pts if rows[k][F_PRODUCT] != 0]
        rel = [k for k in made if rows[k][F_PRODUCT] == 1]
        assessed = [k for k in pts if rows[k][F_RESP] != NONE]
        arms.append(ArmSummary.model_construct(
            construct=cid, rp2d_level=None if mtd < 0 else level_ids[mtd],
            patients_at_rp2d=len(ev_at), dlts_at_rp2d=sum(1 for k in ev_at if rows[k][F_DLT] == 1),
            products_manufactured=len(made), products_released=len(rel), products_failed=len(made) - len(rel),
            vein_to_vein_days=tuple(float(rows[k][F_PRODUCT_DAY] - rows[k][F_ASSIGNED]) for k in rel),
            persistence=tuple({rows[k][F_PERS]: copies[k]} for k in pts if rows[k][F_PERS] >= 0),
            responders=sum(1 for k in assessed if rows[k][F_RESP] == 1), evaluable_for_response=len(assessed)))
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
