"""Kernel: the event loop (one simulated trial), fusing dartnk.sim.loop and FastEngine."""

from __future__ import annotations

import heapq
import math

import numpy as np

from dartnk.sim.kernel.numba_shim import njit, numba
from dartnk.sim.kernel.layout import *  # noqa: F401,F403 - the kernel's array layout and codes
from dartnk.sim.kernel.enrolment import _assign, _enrol, _expire, _push, _replace, _stop_pending
from dartnk.sim.kernel.steps import (_after, _committee, _dose, _earliest_day0, _expansion_done, _propose, _resolve,
                                    _resolved, _settle)


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
