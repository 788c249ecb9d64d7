"""The design layer's rules, called with the protocol's settings and the trial's counts.

The engine decides only through these: the shared 3+3 rule (``dartnk.design.escalation``), the
expansion's toxicity and futility monitoring, and the interim construct selection.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from dartnk.trial.state import ArmState, Stage, TrialState


def escalation_step(protocol, arm: ArmState):
    """The 3+3 rule's next step for an arm from its per-level evaluable counts (an ``EscalationDecision``)."""
    from dartnk.design.escalation import LevelCounts, next_decision

    counts = [LevelCounts(t.treated, t.dlts) for t in arm.tallies]
    names = [d.id for d in protocol.dose_levels]
    return next_decision(protocol.escalation, counts, arm.current_level, level_names=names)


def toxicity_check(protocol, n_evaluable: int, n_dlts: int, max_n: int):
    """``check_toxicity`` with the protocol's ``expansion.toxicity`` settings (memoised: it is pure)."""
    return _toxicity(protocol.expansion.toxicity, n_evaluable, n_dlts, max_n)


def futility_check(protocol, n_evaluable: int, n_responses: int, max_n: int):
    """``check_futility`` with the protocol's ``expansion.futility`` settings (memoised: it is pure)."""
    return _futility(protocol.expansion.futility, n_evaluable, n_responses, max_n)


@lru_cache(maxsize=4096)
def _toxicity(settings, n_evaluable: int, n_dlts: int, max_n: int):
    from dartnk.design.toxicity_monitoring import check_toxicity

    return check_toxicity(settings, n_evaluable, n_dlts, max_n)


@lru_cache(maxsize=4096)
def _futility(settings, n_evaluable: int, n_responses: int, max_n: int):
    from dartnk.design.futility_monitoring import check_futility

    return check_futility(settings, n_evaluable, n_responses, max_n)


def arm_summaries(protocol, state: TrialState) -> list:
    """One ``ArmSummary`` per construct from the escalation patients' data (selection input)."""
    from dartnk.design.selection import ArmSummary

    out = []
    for arm in state.arms:
        pts = [p for p in state.patients.values() if p.construct == arm.construct and p.stage == Stage.ESCALATION]
        at = [p for p in pts if arm.mtd_level is not None and p.level == arm.mtd_level and p.treated]
        evaluable_at = [p for p in at if p.dlt or p.window_closed]
        made = [p for p in pts if p.product is not None]
        released = [p for p in made if p.product.value == "released"]
        v2v = [float(p.product_day - p.assigned_day) for p in released if p.product_day is not None]
        persistence = [dict(p.persistence) for p in pts if p.persistence]
        assessed = [p for p in pts if p.best_response is not None]
        out.append(ArmSummary(
            construct=arm.construct,
            rp2d_level=None if arm.mtd_level is None else protocol.dose_levels[arm.mtd_level].id,
            patients_at_rp2d=len(evaluable_at),
            dlts_at_rp2d=sum(1 for p in evaluable_at if p.dlt),
            products_manufactured=len(made),
            products_released=len(released),
            products_failed=len(made) - len(released),
            vein_to_vein_days=tuple(v2v),
            persistence=tuple(persistence),
            responders=sum(1 for p in assessed if p.best_response.is_response),
            evaluable_for_response=len(assessed),
        ))
    return out


def select(protocol, state: TrialState) -> SelectionOutcome:
    """The interim selection: which construct goes to the expansion, and why.

    Applies the protocol's rule of ``dartnk.design.selection`` (gates, criterion scores, weighted
    composite, ranking; the same functions ``select_construct`` uses) without its reporting
    extras — P(best) by numerical integration and the weight-sensitivity grid, which cost
    ~0.2 s and do not change the choice. A test checks that ``selected`` always equals
    ``select_construct(...).selected``. For the committee's full report call
    ``dartnk.design.selection.select_construct(protocol.selection, arm_summaries(protocol, state))``.
    """
    return select_from_summaries(protocol, arm_summaries(protocol, state))


def select_from_summaries(protocol, arms) -> "SelectionOutcome":
    """The selection rule on ready-made ``ArmSummary`` objects (see :func:`select`)."""
    from dartnk.design.selection import rank_constructs

    ranking = rank_constructs(protocol.selection, arms)
    parts = []
    for c, r in zip(ranking.ids, ranking.rows):
        failed = [g.reason for g in r["gates"] if not g.passed]
        parts.append(f"{c}: composite {r['composite']:.3f}" + (f", fails {'; '.join(failed)}" if failed else ""))
    chosen = ranking.selected
    if chosen is None:
        return SelectionOutcome(None, "no construct passes every selection gate — " + " | ".join(parts))
    return SelectionOutcome(chosen, f"{chosen} selected: best composite among the constructs passing every gate — "
                            + " | ".join(parts))


@dataclass(frozen=True)
class SelectionOutcome:
    selected: str | None
    reason: str
