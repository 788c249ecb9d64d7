"""The interim selection for :class:`~dartnk.sim.fast_engine.FastEngine`: the same ``ArmSummary``
inputs as :func:`dartnk.trial.rules.arm_summaries`, the same rule
(:func:`dartnk.trial.rules.select_from_summaries`)."""

from __future__ import annotations

from dartnk.trial.events import ManufacturingOutcome


def select_fast(engine) -> tuple[str | None, str]:
    from dartnk.design.selection import ArmSummary
    from dartnk.trial.rules import select_from_summaries

    arms = []
    for a, arm in enumerate(engine.arms):
        pts = [p for p in engine.patients.values() if p.arm == a and not p.expansion]
        at = [p for p in pts if arm.mtd is not None and p.level == arm.mtd and p.treated]
        evaluable_at = [p for p in at if p.dlt or p.window_closed]
        made = [p for p in pts if p.product is not None]
        released = [p for p in made if p.product == ManufacturingOutcome.RELEASED]
        assessed = [p for p in pts if p.response is not None]
        arms.append(ArmSummary.model_construct(  # counts and days computed here: valid by construction

            construct=arm.construct,
            rp2d_level=None if arm.mtd is None else engine.level_ids[arm.mtd],
            patients_at_rp2d=len(evaluable_at),
            dlts_at_rp2d=sum(1 for p in evaluable_at if p.dlt),
            products_manufactured=len(made),
            products_released=len(released),
            products_failed=len(made) - len(released),
            vein_to_vein_days=tuple(float(p.product_day - p.assigned) for p in released if p.product_day is not None),
            persistence=tuple(dict(p.persistence) for p in pts if p.persistence),
            responders=sum(1 for p in assessed if p.response),
            evaluable_for_response=len(assessed),
        ))
    res = select_from_summaries(engine.p, arms)
    return res.selected, res.reason
