"""Every dose path of one arm, compiled into a finite graph by driving the rule itself (decide_counts).

A *state* is the arm's counts per level and its current level. From each state the rule either
ends the arm (MTD or none) or treats m patients at a level; each number of DLTs x = 0..m leads
to one next state. Paths that reach the same state share their future, so states are merged
(memoisation): counts whose status can no longer change (tolerated with A+B, too toxic) keep a
canonical DLT count, and levels below the highest level tolerated with A+B at or below the
current one are canonicalised too — no rule ever looks below such a level (a de-escalation chain
stops there). The graph is independent of the true toxicities, so it is built once per
(settings, number of levels, start level) and reused by the exact enumeration
(:mod:`dartnk.design.exact_oc`) and the vectorised simulation (:mod:`dartnk.design.simulated_oc`);
tests check both against :func:`next_decision` itself.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from collections import OrderedDict

import numpy as np

from dartnk.design.decision_table import LevelStatus, cohort_table, level_status_from, level_statuses
from dartnk.design.escalation import EscalationAction, decide_counts
from dartnk.protocol.escalation import EscalationSettings

TERMINAL = -1
"""``level`` of a state where the arm is done."""
NO_MTD = -1
"""``mtd`` of a terminal state that stops with no tolerable dose."""

_State = tuple[int, tuple[tuple[int, int], ...]]


@dataclass(frozen=True, eq=False)
class PathGraph:
    """The compiled arm. Arrays are indexed by state id; state 0 is the start.

    ``level[s]``/``n_treat[s]``/``slot0[s]``: the level treated next, how many, and the index of
    the first of them among the patients of that level (TERMINAL when done). ``next_state[s, x]``:
    the state after x DLTs among them. ``mtd[s]``: the MTD of a terminal state (NO_MTD for none).
    ``order``: state ids children-first (every successor precedes its predecessors).
    """

    n_levels: int
    start: int
    level: np.ndarray
    n_treat: np.ndarray
    slot0: np.ndarray
    next_state: np.ndarray
    mtd: np.ndarray
    order: tuple[int, ...]

    @property
    def n_states(self) -> int:
        return int(self.level.shape[0])


def _canonical(settings: EscalationSettings, current: int, counts: tuple[tuple[int, int], ...]) -> _State:
    a_b = settings.max_per_level
    status = level_statuses(settings, counts)
    out = list(counts)
    floor = -1
    for i in range(current, -1, -1):
        if status[i] is LevelStatus.TOLERATED:
            floor = i
            break
    for i, st in enumerate(status):
        if i < floor:
            out[i] = (a_b, 0)
        elif st is LevelStatus.TOLERATED:
            out[i] = (counts[i][0], 0)
        elif st is LevelStatus.TOO_TOXIC:
            out[i] = (counts[i][0], counts[i][0])
    return current, tuple(out)


def _children(settings: EscalationSettings, counts: tuple[tuple[int, int], ...], lv: int, m: int) -> list[_State]:
    """The canonical state after 0..m DLTs among m patients treated at ``lv`` (the new current level).

    ``counts`` is canonical already, so only level ``lv`` and the collapse floor can change.
    """
    a_b = settings.max_per_level
    table = cohort_table(settings)
    below = level_statuses(settings, counts[:lv])
    floor_below = next((i for i in range(lv - 1, -1, -1) if below[i] is LevelStatus.TOLERATED), -1)
    n0, x0 = counts[lv]
    n = n0 + m
    head_cache: dict[int, tuple[tuple[int, int], ...]] = {}
    out = []
    for x in range(x0, x0 + m + 1):
        st = level_status_from(settings, table, n, x)
        floor = lv if st is LevelStatus.TOLERATED else floor_below
        head = head_cache.get(floor)
        if head is None:
            head = head_cache[floor] = tuple((a_b, 0) if i < floor else counts[i] for i in range(lv))
        here = (n, 0) if st is LevelStatus.TOLERATED else (n, n) if st is LevelStatus.TOO_TOXIC else (n, x)
        out.append((lv, head + (here,) + counts[lv + 1:]))
    return out


_GRAPHS: OrderedDict[tuple, PathGraph] = OrderedDict()
_GRAPHS_KEPT = 64


def rule_key(settings: EscalationSettings) -> tuple:
    """The settings the decisions depend on (not the stagger or the design scenarios)."""
    return (settings.cohort_size, settings.cohort_expansion, settings.escalate_max_dlts, settings.expand_max_dlts,
            settings.escalate_max_dlts_expanded, settings.deescalate, settings.expand_top_level, settings.mtd_rule)


def compile_paths(settings: EscalationSettings, n_levels: int, start: int) -> PathGraph:
    """The path graph of an arm with ``n_levels`` levels starting at 0-based level ``start``
    (compiled once per rule, number of levels and start; the last 64 are kept)."""
    key = (rule_key(settings), n_levels, start)
    graph = _GRAPHS.get(key)
    if graph is None:
        graph = _GRAPHS[key] = _compile(settings, n_levels, start)
        while len(_GRAPHS) > _GRAPHS_KEPT:
            _GRAPHS.popitem(last=False)
    else:
        _GRAPHS.move_to_end(key)
    return graph


def clear_compiled() -> None:
    """Forget every compiled graph (benchmarks of the first call)."""
    _GRAPHS.clear()


def _compile(settings: EscalationSettings, n_levels: int, start: int) -> PathGraph:
    ids: dict[_State, int] = {}
    rows: list[list] = []  # [level, n, slot0, next_states, mtd]
    order: list[int] = []
    max_m = settings.max_per_level

    def visit(state: _State) -> int:
        sid = ids.get(state)
        if sid is not None:
            return sid
        sid = ids[state] = len(rows)
        rows.append([TERMINAL, 0, 0, [sid] * (max_m + 1), NO_MTD])
        current, counts = state
        d = decide_counts(settings, counts, current)
        if d.done:
            rows[sid][4] = d.level if d.action is EscalationAction.DECLARE_MTD else NO_MTD
        else:
            lv, m = d.level, d.n_patients
            nxt = [visit(child) for child in _children(settings, counts, lv, m)]
            rows[sid][:4] = [lv, m, counts[lv][0], nxt + [sid] * (max_m + 1 - len(nxt))]
        order.append(sid)
        return sid

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        visit(_canonical(settings, start, tuple((0, 0) for _ in range(n_levels))))
    finally:
        sys.setrecursionlimit(limit)
    return PathGraph(
        n_levels=n_levels, start=start,
        level=np.array([r[0] for r in rows], dtype=np.int64),
        n_treat=np.array([r[1] for r in rows], dtype=np.int64),
        slot0=np.array([r[2] for r in rows], dtype=np.int64),
        next_state=np.array([r[3] for r in rows], dtype=np.int64),
        mtd=np.array([r[4] for r in rows], dtype=np.int64),
        order=tuple(order),
    )
