"""The modified 3+3 (A+B) escalation rule: one arm's counts → the next action, with a reason.

A pure function of the counts (no hidden state). Each level's status comes from the decision
table (:mod:`dartnk.design.decision_table`, data); the arm's next action comes from a short,
ordered list of small rules, the first that applies wins:

1. a level at or below the current one proved too toxic → de-escalate / declare / stop;
2. the current level's cohort is under way → complete it;
3. the current level is untreated → treat A there;
4. the current level needs expansion → treat B more;
5. the current level is tolerated just below a too-toxic level → declare it, or confirm it;
6. the current level is the top level and tolerated → confirm it or declare it;
7. otherwise a tolerated level → escalate one level (never skipping, never into a too-toxic level).

Sources: Storer, Biometrics 1989;45:925–937 (3+3); Lin & Shih, Biostatistics 2001;2:203–215
(A+B family, with and without de-escalation). Semantics and a worked example: docs/escalation.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from enum import Enum
from typing import Any, Callable, Sequence

from dartnk.design.decision_table import LevelStatus, level_statuses, patients_to_complete
from dartnk.errors import InputError, Problem
from dartnk.protocol.escalation import EscalationSettings, MtdRule


@dataclass(frozen=True)
class LevelCounts:
    """DLT-evaluable patients treated at one level and how many of them had a DLT."""

    treated: int
    dlts: int


class EscalationAction(str, Enum):
    TREAT_SAME = "treat_same"
    ESCALATE = "escalate"
    DEESCALATE = "deescalate"
    DECLARE_MTD = "declare_mtd"
    STOP_NO_TOLERABLE = "stop_no_tolerable_dose"


@dataclass(frozen=True)
class EscalationDecision:
    """The next action for an arm.

    ``level`` is the 0-based level to treat next, or the MTD (None when stopping with no
    tolerable dose); ``n_patients`` is how many to treat next (0 when the arm is done).
    """

    action: EscalationAction
    level: int | None
    n_patients: int
    reason: str

    @property
    def done(self) -> bool:
        return self.action in (EscalationAction.DECLARE_MTD, EscalationAction.STOP_NO_TOLERABLE)


@dataclass(frozen=True)
class _Arm:
    """What the rules read: the settings, the counts, each level's status and the current level."""

    settings: EscalationSettings
    counts: tuple[LevelCounts, ...]
    status: tuple[LevelStatus, ...]
    current: int
    names: tuple[str, ...]

    @property
    def top(self) -> int:
        return len(self.counts) - 1

    @property
    def here(self) -> LevelStatus:
        return self.status[self.current]

    def lowest_too_toxic(self) -> int | None:
        """The lowest too-toxic level at or below the current one (the arm's ceiling), if any."""
        for i in range(self.current + 1):
            if self.status[i] is LevelStatus.TOO_TOXIC:
                return i
        return None

    def declarable(self, level: int) -> bool:
        """Can ``level`` be named MTD as it stands? A+B tolerated always; after A only when the
        level below a too-toxic one needs no confirmation (``deescalate`` false, ``below_toxic``)."""
        s = self.settings
        if self.status[level] is LevelStatus.TOLERATED:
            return True
        return (self.status[level] is LevelStatus.TOLERATED_AFTER_A and not s.deescalate
                and s.mtd_rule is MtdRule.BELOW_TOXIC)

    def seen(self, level: int) -> str:
        """``"1 DLT in 3 patients at DL2"``."""
        c = self.counts[level]
        dlts = f"{c.dlts} DLT{'' if c.dlts == 1 else 's'}"
        return f"{dlts} in {c.treated} patient{'' if c.treated == 1 else 's'} at {self.names[level]}"


def _decision(action: EscalationAction, level: int | None, n: int, reason: str) -> EscalationDecision:
    return EscalationDecision(action, level, n, reason)


def _mtd(arm: _Arm, level: int, why: str) -> EscalationDecision:
    return _decision(EscalationAction.DECLARE_MTD, level, 0, f"{why}: {arm.names[level]} is the MTD")


def _stop(why: str) -> EscalationDecision:
    return _decision(EscalationAction.STOP_NO_TOLERABLE, None, 0, f"{why}: stop, no tolerable dose")


def _treat_here(arm: _Arm, n: int, why: str) -> EscalationDecision:
    name = arm.names[arm.current]
    return _decision(EscalationAction.TREAT_SAME, arm.current, n, f"{why}: treat {n} more at {name}")


# -- rule 1: a too-toxic level at or below the current one ------------------------------------------

def _highest_full_below(arm: _Arm, ceiling: int) -> int | None:
    for i in range(ceiling - 1, -1, -1):
        if arm.status[i] is LevelStatus.TOLERATED:
            return i
    return None


def _too_toxic(arm: _Arm) -> EscalationDecision:
    s, a, b = arm.settings, arm.settings.cohort_size, arm.settings.cohort_expansion
    t = arm.lowest_too_toxic()
    assert t is not None
    why = f"{arm.seen(t)} (> {s.expand_max_dlts if arm.counts[t].treated <= a else s.escalate_max_dlts_expanded})"
    why += f": {arm.names[t]} is too toxic"
    d = t - 1
    if d < 0:
        return _stop(f"{why} and there is no lower level")
    below, name = arm.status[d], arm.names[d]
    if below is LevelStatus.UNTREATED:
        return _decision(EscalationAction.DEESCALATE, d, a, f"{why}: de-escalate to {name} (untreated), treat {a}")
    if below in (LevelStatus.IN_PROGRESS, LevelStatus.NEEDS_EXPANSION):
        n = b if below is LevelStatus.NEEDS_EXPANSION else patients_to_complete(s, arm.counts[d].treated)
        return _decision(EscalationAction.DEESCALATE, d, n, f"{why}: de-escalate to {name} and complete it, treat {n}")
    if arm.declarable(d):
        return _mtd(arm, d, f"{why}; {arm.seen(d)} is tolerated")
    if s.deescalate:  # tolerated after A only: confirm with B more
        return _decision(EscalationAction.DEESCALATE, d, b,
                         f"{why}: de-escalate to {name} ({arm.seen(d)}), treat {b} more to confirm it")
    full = _highest_full_below(arm, t)
    if full is None:
        return _stop(f"{why}; no lower level was tolerated with {a + b} patients")
    return _mtd(arm, full, f"{why}; highest level tolerated with {a + b} patients")


# -- rules 2-7: the current level ---------------------------------------------------------------------

def _in_progress(arm: _Arm) -> EscalationDecision:
    n = patients_to_complete(arm.settings, arm.counts[arm.current].treated)
    return _treat_here(arm, n, f"{arm.seen(arm.current)}: cohort under way")


def _untreated(arm: _Arm) -> EscalationDecision:
    a = arm.settings.cohort_size
    name = arm.names[arm.current]
    return _decision(EscalationAction.TREAT_SAME, arm.current, a, f"no patients yet at {name}: treat {a} at {name}")


def _needs_expansion(arm: _Arm) -> EscalationDecision:
    s = arm.settings
    return _treat_here(arm, s.cohort_expansion, f"{arm.seen(arm.current)} (≤ {s.expand_max_dlts})")


def _below_too_toxic(arm: _Arm) -> bool:
    c = arm.current
    return arm.here.tolerated and c < arm.top and arm.status[c + 1] is LevelStatus.TOO_TOXIC


def _tolerated_below_too_toxic(arm: _Arm) -> EscalationDecision:
    c, s = arm.current, arm.settings
    why = f"{arm.seen(c)} is tolerated and {arm.names[c + 1]} is too toxic"
    if arm.declarable(c):
        return _mtd(arm, c, why)
    # tolerated after A only, and the MTD must have A+B (deescalate, or highest_full_tolerated)
    return _treat_here(arm, s.cohort_expansion, f"{why}; the MTD needs {s.max_per_level} patients")


def _top_tolerated(arm: _Arm) -> EscalationDecision:
    s, c = arm.settings, arm.current
    if arm.here is LevelStatus.TOLERATED_AFTER_A and s.expand_top_level:
        return _treat_here(arm, s.cohort_expansion, f"{arm.seen(c)} (≤ {s.escalate_max_dlts}) at the top level")
    bound = s.escalate_max_dlts if arm.here is LevelStatus.TOLERATED_AFTER_A else s.escalate_max_dlts_expanded
    return _mtd(arm, c, f"{arm.seen(c)} (≤ {bound}) at the top level")


def _escalate(arm: _Arm) -> EscalationDecision:
    s, c = arm.settings, arm.current
    bound = s.escalate_max_dlts if arm.here is LevelStatus.TOLERATED_AFTER_A else s.escalate_max_dlts_expanded
    why = f"{arm.seen(c)} (≤ {bound})"
    nxt = c + 1
    if arm.status[nxt] is not LevelStatus.UNTREATED:  # already treated there: decide as if there
        there = _decide(_Arm(s, arm.counts, arm.status, nxt, arm.names))
        if there.action is not EscalationAction.TREAT_SAME:
            return there
        return _decision(EscalationAction.ESCALATE, nxt, there.n_patients,
                         f"{why}: escalate to {arm.names[nxt]}; {there.reason}")
    return _decision(EscalationAction.ESCALATE, nxt, s.cohort_size,
                     f"{why}: escalate to {arm.names[nxt]}, treat {s.cohort_size}")


_Rule = tuple[str, Callable[[_Arm], bool], Callable[[_Arm], EscalationDecision]]

RULES: tuple[_Rule, ...] = (
    ("too_toxic", lambda arm: arm.lowest_too_toxic() is not None, _too_toxic),
    ("in_progress", lambda arm: arm.here is LevelStatus.IN_PROGRESS, _in_progress),
    ("untreated", lambda arm: arm.here is LevelStatus.UNTREATED, _untreated),
    ("needs_expansion", lambda arm: arm.here is LevelStatus.NEEDS_EXPANSION, _needs_expansion),
    ("below_too_toxic", _below_too_toxic, _tolerated_below_too_toxic),
    ("top_tolerated", lambda arm: arm.current == arm.top, _top_tolerated),
    ("escalate", lambda arm: True, _escalate),
)
"""The arm-level rules in order; the first whose condition holds decides."""


def _decide(arm: _Arm) -> EscalationDecision:
    for _name, applies, decide in RULES:
        if applies(arm):
            return decide(arm)
    raise AssertionError("the last rule always applies")  # pragma: no cover


# -- public API --------------------------------------------------------------------------------------

def _validate(settings: EscalationSettings, counts: Sequence[LevelCounts], current: int,
              level_names: Sequence[str] | None) -> None:
    problems: list[Problem] = []
    if len(counts) == 0:
        problems.append(Problem("counts", "at least one dose level", []))
    for i, c in enumerate(counts):
        if not (isinstance(c.treated, int) and isinstance(c.dlts, int)):
            problems.append(Problem(f"counts[{i}]", "integer counts", c))
        elif not 0 <= c.treated <= settings.max_per_level:
            problems.append(Problem(f"counts[{i}].treated", f"0 to {settings.max_per_level} (A + B)", c.treated))
        elif not 0 <= c.dlts <= c.treated:
            problems.append(Problem(f"counts[{i}].dlts", f"0 to {c.treated} (patients treated)", c.dlts))
    if counts and not 0 <= current < len(counts):
        problems.append(Problem("current", f"a level index from 0 to {len(counts) - 1}", current))
    if level_names is not None and len(level_names) != len(counts):
        problems.append(Problem("level_names", f"{len(counts)} names, one per level", list(level_names)))
    if problems:
        raise InputError(problems)


def next_decision(settings: EscalationSettings, counts: Sequence[LevelCounts], current: int,
                  level_names: Sequence[str] | None = None) -> EscalationDecision:
    """The arm's next action from its counts per level (lowest first) and the current level.

    ``current`` is the 0-based level the last cohort was treated at (or the start level before
    anyone is treated). Counts are DLT-evaluable patients. Pure: same input, same decision.
    """
    _validate(settings, counts, current, level_names)
    return decide_counts(settings, tuple((c.treated, c.dlts) for c in counts), current, level_names)


def decide_counts(settings: EscalationSettings, counts: tuple[tuple[int, int], ...], current: int,
                  level_names: Sequence[str] | None = None) -> EscalationDecision:
    """:func:`next_decision` on ``(treated, dlts)`` pairs already known to be valid (no checks):
    the same rules, for the path compiler that calls them thousands of times."""
    names = tuple(level_names) if level_names is not None else _default_names(len(counts))
    status = level_statuses(settings, counts)
    return _decide(_Arm(settings, tuple(LevelCounts(n, x) for n, x in counts), status, current, names))


@lru_cache(maxsize=64)
def _default_names(k: int) -> tuple[str, ...]:
    return tuple(f"level {i + 1}" for i in range(k))


RULE_FIELDS = ("design", "cohort_size", "cohort_expansion", "escalate_max_dlts", "expand_max_dlts",
               "escalate_max_dlts_expanded", "deescalate", "expand_top_level", "mtd_rule",
               "complete_window_before_escalation")
"""Settings a user may override with ``--set NAME=VALUE`` (``start_level`` and ``stagger`` are not rules of the table)."""


def settings_with(settings: EscalationSettings, field_prefix: str = "escalation", **overrides: Any) -> EscalationSettings:
    """A copy of ``settings`` with ``overrides`` applied and validated (strings are coerced:
    ``"false"``, ``"2"``, ``"highest_full_tolerated"``). Bad names or values raise
    :class:`InputError` naming ``<field_prefix>.<name>``."""
    from pydantic import ValidationError

    sep = " " if field_prefix.startswith("-") else "."
    unknown = [k for k in overrides if k not in RULE_FIELDS]
    if unknown:
        raise InputError([Problem(f"{field_prefix}{sep}{k}", f"a setting name ({', '.join(RULE_FIELDS)})", k) for k in unknown])
    data = settings.model_dump()
    data.update(overrides)
    try:
        return EscalationSettings.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()))
            msg = err.get("msg", "invalid").removeprefix("Value error, ")
            if loc:
                problems.append(Problem(f"{field_prefix}{sep}{loc}", msg[:1].lower() + msg[1:], err.get("input")))
            else:
                problems.append(Problem(field_prefix, msg, has_value=False))
        raise InputError(problems) from None
