"""The fast path equals the event-by-event engine: same loop, same patients, identical outcomes."""

from __future__ import annotations

import numpy as np
import pytest

from dartnk.sim.runner import run_chunk
from dartnk.sim.scenario import shipped_names


@pytest.mark.parametrize("name", shipped_names())
def test_fast_engine_equals_the_trial_engine(protocol, scenarios, name):
    ref = run_chunk(protocol, scenarios[name], 2026, 0, 10, "reference")
    fast = run_chunk(protocol, scenarios[name], 2026, 0, 10, "fast")
    assert np.array_equal(ref, fast)


def _variant(protocol, **changes):
    out = protocol
    if "policy" in changes:
        out = out.model_copy(update={"assignment": out.assignment.model_copy(update={"policy": changes["policy"]})})
    if "cap" in changes:
        out = out.model_copy(update={"trial": out.trial.model_copy(update={"max_participants": changes["cap"]}),
                                     "expansion": out.expansion.model_copy(update={"size": min(out.expansion.size, changes["cap"])})})
    if "applies_to" in changes:
        esc = out.escalation
        out = out.model_copy(update={"escalation": esc.model_copy(update={"stagger": esc.stagger.model_copy(
            update={"applies_to": changes["applies_to"]})})})
    if "max_wait" in changes:
        out = out.model_copy(update={"assignment": out.assignment.model_copy(update={"max_wait_days": changes["max_wait"]})})
    return out


@pytest.mark.parametrize("changes", [
    {"policy": "round_robin"},
    {"policy": "longest_waiting"},
    {"cap": 30},                       # the cap strands arms mid-escalation
    {"applies_to": "first_cohort_per_level"},
    {"max_wait": 0},
])
def test_fast_engine_equals_the_trial_engine_on_protocol_variants(protocol, scenarios, changes):
    p = _variant(protocol, **changes)
    for name in ("default", "gd2-rare"):
        ref = run_chunk(p, scenarios[name], 99, 0, 6, "reference")
        fast = run_chunk(p, scenarios[name], 99, 0, 6, "fast")
        assert np.array_equal(ref, fast), (changes, name)
