"""Kernel: slots, assignment, enrolment, the waitlist and replacement (as in FastEngine)."""

from __future__ import annotations

import heapq
import math

import numpy as np

from dartnk.sim.kernel.numba_shim import njit, numba
from dartnk.sim.kernel.layout import *  # noqa: F401,F403 - the kernel's array layout and codes


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
